/* The coordinator's REST API: HTTP/1.1 + JSON over a unix socket.
 *
 * nodelabd listens on NODELAB_SOCKET (mode 0600, root only) and writes its pid
 * to NODELAB_PIDFILE.  Every reply body is a JSON object; failures are
 * {"error": "message"} with a 4xx/5xx status.  The daemon exits by itself
 * once it holds no lab, removing its socket and pid file.
 *
 *   GET    /v1/version            {"version": "0.1.0", "pid": 1234}
 *   GET    /v1/labs               {"labs": [LAB_SUMMARY...]}
 *   POST   /v1/labs               body {"file": "/abs/scenario.yaml" | "<default>",
 *                                       "yaml": "<text>", "name": "LAB" (optional override),
 *                                       "base_dir": "/dir/for/relative/paths"}
 *                                 replies once every node is up (201, LAB_STATUS),
 *                                 or 400 (invalid scenario: the positioned message),
 *                                 409 (a lab of that name exists), 500 (failed; nothing left)
 *   GET    /v1/labs/LAB           200 LAB_STATUS | 404
 *   GET    /v1/labs/LAB/events?since=N&wait=S
 *                                 {"events": [{"seq", "time", "kind", "object", "message"}...],
 *                                  "next": N}: the events numbered >= since still kept; with
 *                                 wait=S (<= 60) and nothing new, the reply waits up to S seconds
 *                                 for the next one (410 when the lab goes away meanwhile)
 *   DELETE /v1/labs/LAB           replies once everything is removed: 200 {"name": "LAB",
 * "removed": true}
 *
 *   LAB_SUMMARY: {"name", "scenario", "state", "nodes": N, "pods": N, "created": "ISO-8601"}
 *   LAB_STATUS:  {"name", "scenario", "description", "state": "starting|up|stopping|failed",
 *                 "cgroup_mode": "v1|hybrid|v2", "created",
 *                 "nodes": [{"name", "state": "starting|running|exited|failed", "pid", "starttime",
 *                            "hostname", "underlay": "192.168.122.201/24",
 *                            "subnet": "10.1.0.0/24", "cgroup": "nodelab/LAB/NODE",
 *                            "daemons": [{"name", "state": "waiting|running|ready|exited|failed",
 *                                         "pid", "restarts", "last_status", "log"}]}],
 *                 "fabric": {"pid", "starttime", "bridge": "underlay"},
 *                 "links": [{"node", "ifname": "eth0", "peer": "FABRIC_IFNAME", "address"}],
 *                 "pods": [{"name", "node", "state": "pending|starting|running|failed",
 *                           "ip", "infra_pid" (in the node's pid namespace), "infra_host_pid",
 *                           "containers": [{"id", "name", "state", "pid"...}],
 *                           "error"}],
 *                 "faults": [...], "checks": [...]}
 *
 * The RPC tunnel.  Beside the REST socket, nodelabd listens on
 * <rundir>/nodelab-rpc.sock (paths_rpc_socket(); SOCK_SEQPACKET, common/rpc.h).
 * A client's first message names a service of a node:
 *   {"op": "tunnel", "lab": LAB, "node": NODE, "service": "runtime"}
 * nodelabd answers {"ok": true} once it is connected to that service's socket
 * inside the node (NODE_RUNTIME_SOCKET, reached through /proc/PID/root), or
 * {"ok": false, "error": ...}; from then on it relays every message, with its
 * file descriptors, both ways until either side closes.  This is how
 * `nodelab run|exec|ps|...` reach a node's runtime, terminals included:
 * CLI -> nodelabd -> nodelab-runtime.
 */
#ifndef NODELAB_API_H
#define NODELAB_API_H

/* Inside every node (its private /run): the runtime's RPC socket. */
#define NODE_RUNTIME_SOCKET "/run/nodelab/runtime.sock"
/* Inside every node: netd's control socket (OVS unixctl JSON-RPC). */
#define NODE_NETD_CTL "/run/nodelab-netd.ctl"
/* Inside every node: Open vSwitch's database and its socket (OVS's defaults). */
#define OVS_DB_FILE "/etc/openvswitch/conf.db"
#define OVS_DB_SOCKET "/run/openvswitch/db.sock"
/* Inside every node: the runtime's state (a node-private tmpfs). */
#define NODE_RUNTIME_ROOT "/var/lib/nodelab"

#define NODELAB_SOCKET "/run/nodelab/nodelab.sock"
#define NODELAB_PIDFILE "/run/nodelab/nodelabd.pid"
#define NODELAB_VERSION "0.1.0"

#endif
