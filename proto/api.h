/* The coordinator's REST API: HTTP/1.1 + JSON over a unix socket, each
 * message typed once, encoded by nodelabd (nodes/daemon.c and the lab's
 * files) and decoded by the CLI (tools/cli-lab.c, cli-events.c,
 * cli-daemon.c).  The paths are common/paths.h's.
 *
 * nodelabd listens on paths_socket() (<rundir>/nodelab.sock, mode 0600, root
 * only) and writes its pid to paths_pidfile().  Every reply body is a JSON
 * object; failures are
 * {"error": "message"} with a 4xx/5xx status.  The daemon exits by itself
 * once it holds no lab, removing its socket and pid file.
 *
 *   GET    /v1/version            {"version": "0.1.0", "pid": 1234}          struct api_version
 *   GET    /v1/labs               {"labs": [LAB_SUMMARY...]}                 struct api_labs
 *   POST   /v1/labs               body {"file": "/abs/scenario.yaml" | "<default>",
 *                                       "yaml": "<text>", "name": "LAB" (optional override)}
 *                                                                            struct api_lab_create
 *                                 Relative paths in the scenario (seccompProfile) resolve
 *                                 against the directory of "file", so the CLI sends it
 *                                 absolute.  Replies once every node is up (201, LAB_STATUS),
 *                                 or 400 (invalid scenario: the positioned message),
 *                                 409 (a lab of that name exists), 500 (failed; nothing left),
 *                                 503 (nodelabd is shutting down)
 *   GET    /v1/labs/LAB           200 LAB_STATUS | 404
 *   GET    /v1/labs/LAB/events?since=N&wait=S
 *                                 {"events": [{"seq", "time", "kind", "object", "message"}...],
 *                                  "next": N}: the events numbered >= since still kept; with
 *                                 wait=S (<= 60) and nothing new, the reply waits up to S seconds
 *                                 for the next one (410 when the lab goes away meanwhile)
 *                                                                            struct api_events
 *   POST   /v1/labs/LAB/checks    body {"names": ["CHECK"...]} (absent or empty: every check)
 *                                 runs them in parallel, replies once all have finished:
 *                                 200 {"checks": [CHECK_RESULT...], "passed": N, "failed": N}
 *                                 (in the scenario's order), 404 no such lab, 400 an unknown
 *                                 check name ("no check \"x\" in lab L (checks: a, b)"), 409
 *                                 the lab is not up                 struct api_check_run/results
 *   DELETE /v1/labs/LAB           replies once everything is removed:
 *                                 200 {"name": "LAB", "removed": true}       struct api_deleted
 *   GET|POST|DELETE /v1/labs/LAB/faults[/ID|NAME|KIND]
 *                                 the lab's faults: proto/api-faults.h
 *   GET    /v1/labs/LAB/state[?node=NODE]
 *                                 the lab's whole state, one sorted text per node:
 *                                 proto/api-state.h
 *
 *   LAB_SUMMARY: {"name", "scenario", "state", "nodes": N, "pods": N, "created": "ISO-8601"}
 *                                                                            struct api_lab_summary
 *   LAB_STATUS:  {"name", "scenario", "state": "starting|up|stopping|failed",
 *                 "nodes": [{"name", "state": "starting|running|exited|failed", "pid",
 *                            "starttime", "hostname", "underlay": "192.168.122.201/24",
 *                            "subnet": "10.1.0.0/24", "cgroup": "nodelab/LAB/NODE",
 *                            "daemons": [{"name", "state":
 * "waiting|running|ready|exited|failed|stopped", "pid", "restarts", "last_status", "log"}]}],
 *                 "pods": [{"name", "node", "state": "pending|starting|running|failed",
 *                           "error" (when failed),
 *                           and once the runtime runs it: "ip" (or null), "infra_id",
 *                           "infra_pid" (in the node's pid namespace), "created",
 *                           "containers": [{"id", "name", "state", and when the runtime
 *                                           knows it: "pid", "exit_code", "oom_killed"}],
 *                           "infra_host_pid" (on the host, while the node runs)}],
 *                 "created", "description", "file", "cgroup_mode": "v1|hybrid|v2",
 *                 "links": [{"node", "ifname": "eth0", "peer": "FABRIC_IFNAME",
 *                            "bridge": "underlay", "address"}],
 *                 "fabric": {"pid", "starttime", "bridge": "underlay"},
 *                 "faults": [{"name", "kind", "node", "state"}...],
 *                 "checks": [CHECK_RESULT...]}: the last result of each check that ran
 *   CHECK_RESULT: {"name", "kind": "ping|tcp|http|udp|exec", "from": "node2/client",
 *                  "to": "web:8080" (as the scenario names it), "result": "passed|failed",
 *                  "expectFail": true (only when the check expects failure),
 *                  "latencyMs" (absent when unknown), "reason": "HTTP 404" | "failed as
 *                  expected: ..." | "3 of 3 ICMP echoes answered" | "not run: node node2 is
 *                  not running" (failed, even with expectFail), "time": "ISO-8601"}
 *                                                                            struct api_check
 *                                                                            struct api_lab_status
 *
 * In C: every struct's strings are borrowed — from the JSON object a
 * decoder read (valid while that object lives) or, for an encoder, from
 * whoever filled the struct.  A decoder fills the struct (zeroed first) and
 * mallocs its arrays: release them with the matching api_X_release(), which
 * frees only those.  Decoders accept missing members (NULL strings, 0
 * numbers, empty arrays) and return -1 with *err (EPROTO) only when the
 * reply is not of the right shape: not an object, an array that is not
 * one, a state this build does not know.  Encoders return a new object
 * (the caller owns it).
 *
 * The RPC tunnel.  Beside the REST socket, nodelabd listens on
 * paths_rpc_socket() (SOCK_SEQPACKET, proto/rpc.h).  A client's first
 * message names a service of a node:
 *   {"op": "tunnel", "lab": LAB, "node": NODE, "service": "runtime"}
 * nodelabd answers {"ok": true} once it is connected to that service's socket
 * inside the node (NODE_RUNTIME_SOCKET, reached through /proc/PID/root), or
 * {"ok": false, "error": ...}; from then on it relays every message, with its
 * file descriptors, both ways until either side closes.  This is how
 * `nodelab run|exec|ps|...` reach a node's runtime, terminals included:
 * CLI -> nodelabd -> nodelab-runtime.
 *
 * (This header took over common/api.h: its paths are in common/paths.h,
 * included here, so `#include "api.h"` still gives them.) */
#ifndef NODELAB_PROTO_API_H
#define NODELAB_PROTO_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "paths.h" /* the sockets, and the paths inside every node */

#define NODELAB_VERSION "0.1.0"

struct json_object;

/* ---- states ---- */

enum api_lab_state { API_LAB_STARTING, API_LAB_UP, API_LAB_FAILED, API_LAB_STOPPING };
enum api_node_state { API_NODE_STARTING, API_NODE_RUNNING, API_NODE_EXITED, API_NODE_FAILED };
enum api_daemon_state {
  API_DAEMON_WAITING,
  API_DAEMON_RUNNING,
  API_DAEMON_READY,
  API_DAEMON_EXITED,
  API_DAEMON_FAILED,
  API_DAEMON_STOPPED /* stopped on purpose (nodelab service stop, daemon-kill): not restarted */
};
enum api_pod_state { API_POD_PENDING, API_POD_STARTING, API_POD_RUNNING, API_POD_FAILED };

/* The wire names ("starting", "up"...); static storage. */
const char *api_lab_state_name(enum api_lab_state s);
const char *api_node_state_name(enum api_node_state s);
const char *api_daemon_state_name(enum api_daemon_state s);
const char *api_pod_state_name(enum api_pod_state s);

/* ---- small replies ---- */

struct api_error {
  const char *error;
};
struct json_object *api_error_encode(const struct api_error *m);
int api_error_decode(struct json_object *o, struct api_error *out, struct lab_error **err);

struct api_version {
  const char *version;
  int64_t pid;
};
struct json_object *api_version_encode(const struct api_version *m);
int api_version_decode(struct json_object *o, struct api_version *out, struct lab_error **err);

struct api_deleted {
  const char *name;
  bool removed;
};
struct json_object *api_deleted_encode(const struct api_deleted *m);
int api_deleted_decode(struct json_object *o, struct api_deleted *out, struct lab_error **err);

/* ---- POST /v1/labs ---- */

struct api_lab_create {
  const char *file; /* absolute, or "<default>" */
  const char *yaml;
  const char *name; /* NULL: the scenario's name */
};
struct json_object *api_lab_create_encode(const struct api_lab_create *m);
int api_lab_create_decode(struct json_object *o, struct api_lab_create *out,
                          struct lab_error **err);

/* ---- LAB_SUMMARY, GET /v1/labs ---- */

struct api_lab_summary {
  const char *name;
  const char *scenario;
  enum api_lab_state state;
  int64_t nodes, pods; /* counts */
  const char *created; /* ISO-8601 */
};
struct json_object *api_lab_summary_encode(const struct api_lab_summary *m);
int api_lab_summary_decode(struct json_object *o, struct api_lab_summary *out,
                           struct lab_error **err);

struct api_labs {
  struct api_lab_summary *labs;
  size_t n_labs;
};
struct json_object *api_labs_encode(const struct api_labs *m);
int api_labs_decode(struct json_object *o, struct api_labs *out, struct lab_error **err);
void api_labs_release(struct api_labs *m);

/* ---- LAB_STATUS ---- */

struct api_daemon {
  const char *name;
  enum api_daemon_state state;
  int64_t pid; /* host pid, 0 when not running */
  int64_t restarts;
  int64_t last_status; /* waitpid() status of the last exit, -1 before any */
  const char *log;     /* inside the node */
};

struct api_node {
  const char *name;
  enum api_node_state state;
  int64_t pid;
  int64_t starttime;
  const char *hostname;
  const char *underlay; /* CIDR */
  const char *subnet;   /* CIDR */
  const char *cgroup;
  struct api_daemon *daemons;
  size_t n_daemons;
};

struct api_link {
  const char *node, *ifname, *peer, *bridge, *address;
};

struct api_fabric {
  int64_t pid, starttime;
  const char *bridge;
};

struct api_container {
  const char *id, *name;
  const char *state; /* the runtime's: "created", "running", "exited", "missing"... */
  bool has_process;  /* the runtime knows it: pid, exit_code and oom_killed are sent */
  int64_t pid, exit_code;
  bool oom_killed;
};

struct api_pod {
  const char *name, *node;
  enum api_pod_state state;
  const char *error; /* NULL: none (not sent) */
  bool has_info;     /* the runtime described it: ip, infra_id, infra_pid, created */
  const char *ip;    /* NULL: null */
  const char *infra_id;
  int64_t infra_pid; /* in the node's pid namespace */
  const char *created;
  struct api_container *containers;
  size_t n_containers;
  bool has_infra_host_pid;
  int64_t infra_host_pid;
};

struct api_fault {
  const char *name, *kind, *node, *state;
};

enum api_check_result { API_CHECK_PASSED, API_CHECK_FAILED };
/* "passed", "failed"; static storage. */
const char *api_check_result_name(enum api_check_result r);

struct api_check {
  const char *name, *kind, *from, *to;
  enum api_check_result result;
  bool expect_fail;
  double latency_ms; /* -1: unknown (not sent) */
  const char *reason;
  const char *time; /* ISO-8601 */
};
struct json_object *api_check_encode(const struct api_check *m);
int api_check_decode(struct json_object *o, struct api_check *out, struct lab_error **err);

struct api_lab_status {
  const char *name, *scenario;
  enum api_lab_state state;
  const char *created;
  const char *description;
  const char *file;
  const char *cgroup_mode;
  struct api_node *nodes;
  size_t n_nodes;
  struct api_pod *pods;
  size_t n_pods;
  struct api_link *links;
  size_t n_links;
  struct api_fabric fabric;
  struct api_fault *faults;
  size_t n_faults;
  struct api_check *checks;
  size_t n_checks;
};
struct json_object *api_lab_status_encode(const struct api_lab_status *m);
int api_lab_status_decode(struct json_object *o, struct api_lab_status *out,
                          struct lab_error **err);
/* Frees the arrays of m (those a decoder made, or a caller's malloc'd ones). */
void api_lab_status_release(struct api_lab_status *m);

/* ---- POST /v1/labs/LAB/checks ---- */

struct api_check_run {
  const char **names; /* NULL-terminated or NULL: every check */
};
struct json_object *api_check_run_encode(const struct api_check_run *m);
/* Refuses "names" that is not an array of strings (EPROTO). */
int api_check_run_decode(struct json_object *o, struct api_check_run *out, struct lab_error **err);
void api_check_run_release(struct api_check_run *m);

struct api_check_results {
  struct api_check *checks;
  size_t n_checks;
  int64_t passed, failed;
};
struct json_object *api_check_results_encode(const struct api_check_results *m);
int api_check_results_decode(struct json_object *o, struct api_check_results *out,
                             struct lab_error **err);
void api_check_results_release(struct api_check_results *m);

/* ---- events ---- */

struct api_event {
  int64_t seq;
  const char *time; /* ISO-8601, milliseconds */
  const char *kind;
  const char *object; /* NULL: the lab (null on the wire) */
  const char *message;
};
struct json_object *api_event_encode(const struct api_event *m);

struct api_events {
  struct api_event *events;
  size_t n_events;
  int64_t next;
};
struct json_object *api_events_encode(const struct api_events *m);
int api_events_decode(struct json_object *o, struct api_events *out, struct lab_error **err);
void api_events_release(struct api_events *m);

#endif
