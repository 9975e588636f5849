/* The runtime's RPC contract: what `nodelab-runtime serve` answers on its
 * socket (NODE_RUNTIME_SOCKET inside a node), reached from the CLI through
 * nodelabd's tunnel (proto/api.h) or directly (`nodelab-runtime call`), and
 * what nodelabd sends it at `up` (pod-run).  Each message below is a typed
 * struct with an encoder to a json-c object and a decoder from one, used by
 * both ends.
 *
 * Framing: proto/rpc.h (one JSON object per SOCK_SEQPACKET message, fds
 * attached).  Every request is {"op": NAME, ...}; the reply is
 * {"ok": true, ...} or {"ok": false, "error": MESSAGE}.  A connection may
 * carry any number of requests, one at a time (the next request is read once
 * the previous one is answered, or, for an attached process, has exited).
 *
 * A container KEY is a name, a full id or a unique id prefix.
 *
 *   ping        {}                                   -> {"node", "pid"}
 *   create      SPEC                                 -> {"id", "name"}
 *   run         SPEC + {"detach", "rm", "tty", "winsize"}
 *               detach: -> {"id", "name"} once running.
 *               attached (see below): -> {"id", "name"} then the exit event.
 *   start       {"container": KEY}                   -> {"id", "name"}
 *   stop        {"container": KEY, "timeout": S (10)} -> {"id", "name"}
 *   kill        {"container": KEY, "signal": N (9)}  -> {"id", "name"}
 *   rm          {"container": KEY, "force": bool}    -> {"id", "name"}
 *   mount       {"container": KEY}                   -> {"id", "name", "merged": DIR}
 *   umount      {"container": KEY}                   -> {"id", "name"}
 *   inspect     {"container": KEY}                   -> {"inspect": podman-shaped object}
 *   ps          {"all": bool, "latest": bool}        -> {"containers": [PS_ENTRY...]}
 *               (quiet, no-trunc and labels are the client's formatting: ps-format.h)
 *   logs        {"container": KEY}                   -> {"id", "name"} + 1 fd: the log, read-only
 *   exec        {"container": KEY | "pod": POD [+ "container": CTR of the pod],
 *                "command": [ARGV...], "env": [K=V...], "tty", "winsize"}
 *               -> {"id", "name", "pid"} then the exit event (attached, below)
 *   resize      {"rows", "cols"}  only on a connection with an attached TTY process;
 *               no reply
 *   pod-run     {"name": P, "containers": [POD_CTR...]}  -> {"pod": POD}
 *   pod-rm      {"name": P, "force": bool}           -> {"name"}
 *   pod-ls      {}                                   -> {"pods": [POD...]}
 *   pod-kill    {"name": P}                          -> {"pod": POD}
 *               SIGKILL of every container of the pod, then of its infra (its
 *               namespaces go with it); nothing restarts them.
 *   pod-start   {"name": P}                          -> {"pod": POD}
 *               runs a pod whose processes died again, as pod-run made it: its
 *               infra (new namespaces), the same address and netd port, then
 *               the same containers (ids, images, commands); a running pod: as is.
 *   image-ls    {}                                   -> {"images": [IMAGE...]}
 *   image-build {"kind": "ubi"|"on-off", "name": N (kind)} -> {"name"}
 *   image-import {"path": ABS_PATH, "name": N (from the archive)} -> {"name"}
 *   seccomp-set {"container": KEY | "pod": POD [+ "container": CTR], "deny": [SYSCALL...]}
 *               -> SECCOMP: records deny ([] clears it) and restarts a running
 *               container, whose init and every later exec get a second filter
 *               making those system calls fail with EPERM
 *   seccomp-get {"container": KEY | "pod": POD [+ "container": CTR]} -> SECCOMP
 *
 * SPEC (create, run): {"image" (required), "name", "command": [..], "env": [..],
 *   "hostname", "pod", "net": "bridge"|"private"|"none"|"host", "memory_bytes", "cpu_millis",
 *   "entrypoint": [..], "pids", "seccomp_profile": ABS_PATH|"unconfined"|"default",
 *   "privileged": bool,
 *   "volumes": [{"host": ABS_PATH, "ctr": ABS_PATH, "relabel", "readonly"}]}
 *   "net" is podman's --network: absent, "bridge" or "private" put a container
 *   without "pod" on the node's cluster network (an implicit pod: address,
 *   netd port; without netd, as "none"); "none": its own namespace with lo
 *   only; "host": the node's.  "entrypoint" replaces the image's Entrypoint
 *   and clears its Cmd (podman's --entrypoint).  "privileged" is podman's --privileged: every
 *   capability, no seccomp filter, no SELinux label applied, /proc without
 *   masked paths and /sys writable.
 * POD_CTR: SPEC without "pod"/"net"/"hostname", "name" required.  Its store
 *   name is "POD-NAME"; the pod's infra container is "POD-infra".
 * POD: {"name", "ip" (or null), "infra_pid", "infra_id", "created", "state":
 *   "running"|"degraded"|"exited", "containers": [{"id", "name" (short, as in
 *   the scenario), "state" (a container state, or "missing"), and when not
 *   missing "pid", "exit_code", "oom_killed", "cgroup" (its relative cgroup
 *   path, the same in every hierarchy: cgroup.h)}]}
 * PS_ENTRY: {"Id", "Names": [NAME], "Image", "Command": [..], "Created",
 *   "StartedAt", "FinishedAt" (ISO-8601, "" when none), "State":
 *   "created"|"running"|"exited", "ExitCode", "OOMKilled", "Pid", "Label",
 *   "LabelEnforced", "IsInfra", "Pod" (pod name or "")}
 * IMAGE: {"name", "created", "entrypoint": [..], "cmd": [..]}
 * SECCOMP: {"id", "name", "pid" (0: not running), "deny": [SYSCALL...],
 *   "filters": the Seccomp_filters of its init's /proc/PID/status (-1: unknown)}
 *
 * Attached processes (run without detach, exec).  Without "tty" the request
 * carries 3 fds, used as the process's stdin, stdout and stderr.  With
 * "tty": true the runtime allocates a pty, the process gets its slave as
 * stdio and controlling terminal, the reply carries the master (1 fd), and
 * {"op": "resize", "rows", "cols"} messages change its size.  When the
 * process exits the runtime sends {"event": "exit", "status": N} (N as a
 * shell reports it: the exit code, or 128+signal) and the connection is
 * ready for the next request.  A client that closes the connection before
 * that kills the process (and removes a `run --rm` container).
 *
 * Conventions of the functions below.  A decoder checks types, refuses
 * unknown fields naming them ("colour: unknown field"; "op" is always
 * allowed), treats null as absent, and fills *out with copies it owns:
 * 0, or -1 and *err naming the field ("volumes[1].host: must be an absolute
 * path"); on failure *out is cleared.  An encoder returns a new object
 * (with "op" for a request) and leaves its input alone; absent optional
 * fields (NULL strings and vectors, false booleans) are left out of
 * requests.  *_clear() frees what a decoder filled (or what the caller
 * filled with malloc'd copies) and zeroes the struct.  String vectors are
 * NULL-terminated.  No function here exits or aborts except on malloc
 * failure. */
#ifndef NODELAB_PROTO_RUNTIME_RPC_H
#define NODELAB_PROTO_RUNTIME_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct json_object;

/* ------------------------------------------------------------------ ops */

enum rt_rpc_op {
  RT_OP_PING,
  RT_OP_CREATE,
  RT_OP_RUN,
  RT_OP_START,
  RT_OP_STOP,
  RT_OP_KILL,
  RT_OP_RM,
  RT_OP_MOUNT,
  RT_OP_UMOUNT,
  RT_OP_INSPECT,
  RT_OP_PS,
  RT_OP_LOGS,
  RT_OP_EXEC,
  RT_OP_RESIZE,
  RT_OP_POD_RUN,
  RT_OP_POD_RM,
  RT_OP_POD_LS,
  RT_OP_IMAGE_LS,
  RT_OP_IMAGE_BUILD,
  RT_OP_IMAGE_IMPORT,
  RT_OP_SECCOMP_SET,
  RT_OP_SECCOMP_GET,
  RT_OP_POD_KILL,
  RT_OP_POD_START,
  RT_OP_N
};

/* "ping", "create"... (static storage). */
const char *rt_rpc_op_name(enum rt_rpc_op op);
/* The op of a request: 0 and *op, or -1 and *err ("\"op\": missing",
 * "unknown op \"X\""). */
int rt_rpc_op_from_json(struct json_object *req, enum rt_rpc_op *op, struct lab_error **err);
/* A new request {"op": NAME} with no other field (ping, pod-ls, image-ls). */
struct json_object *rt_rpc_request_new(enum rt_rpc_op op);

/* --------------------------------------------------------------- SPEC */

enum rt_rpc_net {
  RT_NET_DEFAULT, /* absent: as bridge */
  RT_NET_BRIDGE,
  RT_NET_PRIVATE,
  RT_NET_NONE,
  RT_NET_HOST,
  RT_NET_N
};
/* "" (default), "bridge", "private", "none", "host". */
const char *rt_rpc_net_name(enum rt_rpc_net net);
/* podman's --network VALUE: 0 and *out, or -1 when unknown. */
int rt_rpc_net_from_name(const char *name, enum rt_rpc_net *out);
/* True when a container of net goes on the node's cluster network. */
bool rt_rpc_net_is_cluster(enum rt_rpc_net net);

struct rt_rpc_volume {
  char *host, *ctr; /* absolute paths */
  bool relabel;     /* ":Z" */
  bool readonly;    /* ":ro" */
};

struct rt_rpc_spec {
  char *image; /* required */
  char *name;
  char **command;    /* NULL or empty: the image's */
  char **entrypoint; /* NULL: the image's; else replaces it, and the image's Cmd */
  char **env;        /* KEY=VALUE */
  char *hostname;
  char *pod;
  enum rt_rpc_net net;
  uint64_t memory_bytes, cpu_millis, pids; /* 0: no limit */
  char *seccomp_profile;                   /* NULL, "default", "unconfined" or absolute */
  bool privileged;
  struct rt_rpc_volume *volumes;
  size_t n_volumes;
};

struct rt_rpc_winsize {
  int rows, cols;
};

/* create and run (create ignores detach, rm, tty and winsize). */
struct rt_rpc_run {
  struct rt_rpc_spec spec;
  bool detach, rm, tty;
  bool has_winsize;
  struct rt_rpc_winsize winsize;
};

int rt_rpc_spec_from_json(struct json_object *o, struct rt_rpc_spec *out, struct lab_error **err);
/* The SPEC's fields (no "op"). */
struct json_object *rt_rpc_spec_to_json(const struct rt_rpc_spec *s);
void rt_rpc_spec_clear(struct rt_rpc_spec *s);
/* Appends a volume (copies of host and ctr) to s. */
void rt_rpc_spec_add_volume(struct rt_rpc_spec *s, const char *host, const char *ctr, bool relabel,
                            bool readonly);

/* op is RT_OP_CREATE or RT_OP_RUN. */
int rt_rpc_run_from_json(struct json_object *o, struct rt_rpc_run *out, struct lab_error **err);
struct json_object *rt_rpc_run_to_json(enum rt_rpc_op op, const struct rt_rpc_run *r);
void rt_rpc_run_clear(struct rt_rpc_run *r);

/* ------------------------------------------------ requests on a container */

/* start, stop, kill, rm, mount, umount, inspect, logs: each op carries only
 * its own parameter (stop: timeout, kill: signal, rm: force). */
struct rt_rpc_ctr_req {
  char *container; /* KEY, required */
  int timeout;     /* stop; 10 when absent */
  int signal;      /* kill; 9 when absent */
  bool force;      /* rm */
};

/* Defaults filled in: timeout 10, signal 9. */
void rt_rpc_ctr_req_init(struct rt_rpc_ctr_req *r);
int rt_rpc_ctr_req_from_json(enum rt_rpc_op op, struct json_object *o, struct rt_rpc_ctr_req *out,
                             struct lab_error **err);
struct json_object *rt_rpc_ctr_req_to_json(enum rt_rpc_op op, const struct rt_rpc_ctr_req *r);
void rt_rpc_ctr_req_clear(struct rt_rpc_ctr_req *r);

/* The reply of create, run, start, stop, kill, rm, mount, umount, logs and
 * exec: merged for mount, pid for exec (0 otherwise: left out). */
struct rt_rpc_ctr_reply {
  char *id, *name;
  char *merged;
  int pid;
};

int rt_rpc_ctr_reply_from_json(struct json_object *o, struct rt_rpc_ctr_reply *out,
                               struct lab_error **err);
/* {"ok": true, ...} */
struct json_object *rt_rpc_ctr_reply_to_json(const struct rt_rpc_ctr_reply *r);
void rt_rpc_ctr_reply_clear(struct rt_rpc_ctr_reply *r);

/* ------------------------------------------------------------------ ps */

struct rt_rpc_ps_req {
  bool all, latest;
};

int rt_rpc_ps_req_from_json(struct json_object *o, struct rt_rpc_ps_req *out,
                            struct lab_error **err);
struct json_object *rt_rpc_ps_req_to_json(const struct rt_rpc_ps_req *r);

enum rt_rpc_state { RT_STATE_CREATED, RT_STATE_RUNNING, RT_STATE_EXITED, RT_STATE_N };
/* "created", "running", "exited". */
const char *rt_rpc_state_name(enum rt_rpc_state s);

struct rt_rpc_ps_entry {
  char *id;
  char *name; /* "Names": [name] */
  char *image;
  char **command;
  char *created, *started_at, *finished_at; /* NULL or "": none */
  enum rt_rpc_state state;
  int exit_code;
  bool oom_killed;
  int pid;
  char *label;
  bool label_enforced;
  bool is_infra;
  char *pod; /* NULL or "": none */
};

int rt_rpc_ps_entry_from_json(struct json_object *o, struct rt_rpc_ps_entry *out,
                              struct lab_error **err);
/* Every field, NULL strings as "". */
struct json_object *rt_rpc_ps_entry_to_json(const struct rt_rpc_ps_entry *e);
void rt_rpc_ps_entry_clear(struct rt_rpc_ps_entry *e);

struct rt_rpc_ps_reply {
  struct rt_rpc_ps_entry *entries;
  size_t n;
};

int rt_rpc_ps_reply_from_json(struct json_object *o, struct rt_rpc_ps_reply *out,
                              struct lab_error **err);
struct json_object *rt_rpc_ps_reply_to_json(const struct rt_rpc_ps_reply *r);
void rt_rpc_ps_reply_clear(struct rt_rpc_ps_reply *r);
/* The array of PS_ENTRY objects of r (a new reference), for --json. */
struct json_object *rt_rpc_ps_entries_to_json(const struct rt_rpc_ps_reply *r);

/* ---------------------------------------------------------------- exec */

struct rt_rpc_exec {
  char *container; /* KEY, or with pod: the container's short name (NULL: the first) */
  char *pod;
  char **command; /* required, not empty */
  char **env;
  bool tty;
  bool has_winsize;
  struct rt_rpc_winsize winsize;
};

int rt_rpc_exec_from_json(struct json_object *o, struct rt_rpc_exec *out, struct lab_error **err);
struct json_object *rt_rpc_exec_to_json(const struct rt_rpc_exec *r);
void rt_rpc_exec_clear(struct rt_rpc_exec *r);

/* resize: {"op": "resize", "rows", "cols"} (24x80 when absent). */
int rt_rpc_resize_from_json(struct json_object *o, struct rt_rpc_winsize *out,
                            struct lab_error **err);
struct json_object *rt_rpc_resize_to_json(const struct rt_rpc_winsize *w);

/* The end of an attached process: {"event": "exit", "status": N}. */
struct rt_rpc_exit {
  int status;
};

/* 1 and *out when o is the exit event, 0 when o is no event (another
 * message, to skip), -1 and *err when it is a malformed event. */
int rt_rpc_exit_from_json(struct json_object *o, struct rt_rpc_exit *out, struct lab_error **err);
struct json_object *rt_rpc_exit_to_json(const struct rt_rpc_exit *e);

/* ---------------------------------------------------------------- pods */

struct rt_rpc_pod_run {
  char *name;                     /* required */
  struct rt_rpc_spec *containers; /* POD_CTR: each name required, no pod/net/hostname */
  size_t n_containers;
};

int rt_rpc_pod_run_from_json(struct json_object *o, struct rt_rpc_pod_run *out,
                             struct lab_error **err);
struct json_object *rt_rpc_pod_run_to_json(const struct rt_rpc_pod_run *r);
void rt_rpc_pod_run_clear(struct rt_rpc_pod_run *r);
/* Appends an empty POD_CTR to r and returns it (owned by r). */
struct rt_rpc_spec *rt_rpc_pod_run_add(struct rt_rpc_pod_run *r);

struct rt_rpc_pod_rm {
  char *name; /* required */
  bool force;
};

int rt_rpc_pod_rm_from_json(struct json_object *o, struct rt_rpc_pod_rm *out,
                            struct lab_error **err);
struct json_object *rt_rpc_pod_rm_to_json(const struct rt_rpc_pod_rm *r);
void rt_rpc_pod_rm_clear(struct rt_rpc_pod_rm *r);

/* pod-kill and pod-start: {"name": P}. */
struct rt_rpc_pod_ref {
  char *name; /* required */
};

int rt_rpc_pod_ref_from_json(struct json_object *o, struct rt_rpc_pod_ref *out,
                             struct lab_error **err);
/* op is RT_OP_POD_KILL or RT_OP_POD_START. */
struct json_object *rt_rpc_pod_ref_to_json(enum rt_rpc_op op, const struct rt_rpc_pod_ref *r);
void rt_rpc_pod_ref_clear(struct rt_rpc_pod_ref *r);

struct rt_rpc_pod_ctr {
  char *id, *name;
  char *state; /* a container state, or "missing" */
  bool known;  /* not missing: pid, exit_code, oom_killed are there */
  int pid, exit_code;
  bool oom_killed;
  char *cgroup; /* NULL: not told */
};

struct rt_rpc_pod {
  char *name;
  char *ip; /* NULL: null */
  int infra_pid;
  char *infra_id;
  char *created;
  char *state; /* "running", "degraded", "exited" */
  struct rt_rpc_pod_ctr *containers;
  size_t n_containers;
};

int rt_rpc_pod_from_json(struct json_object *o, struct rt_rpc_pod *out, struct lab_error **err);
struct json_object *rt_rpc_pod_to_json(const struct rt_rpc_pod *p);
void rt_rpc_pod_clear(struct rt_rpc_pod *p);
/* Appends an empty container to p and returns it (owned by p). */
struct rt_rpc_pod_ctr *rt_rpc_pod_add(struct rt_rpc_pod *p);

/* -------------------------------------------------------------- images */

struct rt_rpc_image {
  char *name, *created;
  char **entrypoint, **cmd;
};

struct rt_rpc_image_ls_reply {
  struct rt_rpc_image *images;
  size_t n;
};

int rt_rpc_image_ls_reply_from_json(struct json_object *o, struct rt_rpc_image_ls_reply *out,
                                    struct lab_error **err);
struct json_object *rt_rpc_image_ls_reply_to_json(const struct rt_rpc_image_ls_reply *r);
void rt_rpc_image_ls_reply_clear(struct rt_rpc_image_ls_reply *r);
/* Appends an empty image to r and returns it (owned by r). */
struct rt_rpc_image *rt_rpc_image_ls_add(struct rt_rpc_image_ls_reply *r);

/* image-build (kind required, name) and image-import (path required and
 * absolute, name): kind is NULL for import, path NULL for build. */
struct rt_rpc_image_req {
  char *kind, *path, *name;
};

/* op is RT_OP_IMAGE_BUILD or RT_OP_IMAGE_IMPORT. */
int rt_rpc_image_req_from_json(enum rt_rpc_op op, struct json_object *o,
                               struct rt_rpc_image_req *out, struct lab_error **err);
struct json_object *rt_rpc_image_req_to_json(enum rt_rpc_op op, const struct rt_rpc_image_req *r);
void rt_rpc_image_req_clear(struct rt_rpc_image_req *r);

/* ------------------------------------------------------------- seccomp */

/* seccomp-set (deny required, may be empty) and seccomp-get (no deny). */
struct rt_rpc_seccomp_req {
  char *container; /* KEY, or with pod: the container's short name (NULL: the first) */
  char *pod;
  char **deny; /* system call names: [a-z0-9_]+ */
};

/* op is RT_OP_SECCOMP_SET or RT_OP_SECCOMP_GET. */
int rt_rpc_seccomp_req_from_json(enum rt_rpc_op op, struct json_object *o,
                                 struct rt_rpc_seccomp_req *out, struct lab_error **err);
struct json_object *rt_rpc_seccomp_req_to_json(enum rt_rpc_op op,
                                               const struct rt_rpc_seccomp_req *r);
void rt_rpc_seccomp_req_clear(struct rt_rpc_seccomp_req *r);

/* SECCOMP, the reply of both. */
struct rt_rpc_seccomp_state {
  char *id, *name;
  int pid;
  char **deny;
  int filters;
};

int rt_rpc_seccomp_state_from_json(struct json_object *o, struct rt_rpc_seccomp_state *out,
                                   struct lab_error **err);
/* {"ok": true, ...} */
struct json_object *rt_rpc_seccomp_state_to_json(const struct rt_rpc_seccomp_state *s);
void rt_rpc_seccomp_state_clear(struct rt_rpc_seccomp_state *s);

/* -------------------------------------------------------------- replies */

/* {"ok": true, "name": name}: pod-rm, image-build, image-import. */
struct json_object *rt_rpc_name_reply_to_json(const char *name);
/* The "name" of such a reply: 0 and *name (malloc'd), or -1 and *err. */
int rt_rpc_name_reply_from_json(struct json_object *o, char **name, struct lab_error **err);

/* Whether reply is {"ok": true, ...}: 0, or -1 and *err with its "error"
 * ("the runtime refused" when it has none). */
int rt_rpc_reply_check(struct json_object *reply, struct lab_error **err);

#endif
