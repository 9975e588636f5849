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
 *   DELETE /v1/labs/LAB           replies once everything is removed: 200 {"name": "LAB", "removed": true}
 *
 *   LAB_SUMMARY: {"name", "scenario", "state", "nodes": N, "pods": N, "created": "ISO-8601"}
 *   LAB_STATUS:  {"name", "scenario", "description", "state": "starting|up|stopping|failed",
 *                 "cgroup_mode": "v1|hybrid|v2", "created",
 *                 "nodes": [{"name", "state": "starting|running|exited|failed", "pid", "starttime",
 *                            "hostname", "underlay": "192.168.122.201/24",
 *                            "subnet": "10.1.0.0/24", "cgroup": "nodelab/LAB/NODE",
 *                            "daemons": [{"name", "pid", "state"}]}],
 *                 "fabric": {"pid", "starttime", "bridge": "br-underlay"},
 *                 "links": [{"node", "ifname": "eth0", "peer": "FABRIC_IFNAME", "address"}],
 *                 "pods": [{"name", "node", "state", "containers": [...]}],
 *                 "faults": [...], "checks": [...]}
 */
#ifndef NODELAB_API_H
#define NODELAB_API_H

#define NODELAB_SOCKET "/run/nodelab/nodelab.sock"
#define NODELAB_PIDFILE "/run/nodelab/nodelabd.pid"
#define NODELAB_VERSION "0.1.0"

#endif
