/* The runtime's RPC operations: what `nodelab-runtime serve` answers on its
 * socket (NODE_RUNTIME_SOCKET inside a node), reached from the CLI through
 * nodelabd's tunnel (common/api.h) or directly (`nodelab-runtime call`).
 * Framing: common/rpc.h (one JSON object per SOCK_SEQPACKET message, fds
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
 *               (quiet, no-trunc and labels are the client's formatting)
 *   logs        {"container": KEY}                   -> {"id"} + 1 fd: the log, read-only
 *   exec        {"container": KEY | "pod": POD [+ "container": CTR of the pod],
 *                "command": [ARGV...], "env": [K=V...], "tty", "winsize"}
 *               -> {"id", "name", "pid"} then the exit event (attached, below)
 *   resize      {"rows", "cols"}  only on a connection with an attached TTY process;
 *               no reply
 *   pod-run     {"name": P, "containers": [POD_CTR...]}  -> {"pod": POD}
 *   pod-rm      {"name": P, "force": bool}           -> {"name"}
 *   pod-ls      {}                                   -> {"pods": [POD...]}
 *   image-ls    {}                                   -> {"images": [{"name", "created",
 *                                                        "entrypoint", "cmd"}]}
 *   image-build {"kind": "ubi"|"on-off", "name": N (kind)} -> {"name"}
 *   image-import {"path": ABS_PATH, "name": N (from the archive)} -> {"name"}
 *
 * SPEC (create, run): {"image" (required), "name", "command": [..], "env": [..],
 *   "hostname", "pod", "net": "bridge"|"private"|"none"|"host", "memory_bytes", "cpu_millis",
 *   "pids", "seccomp_profile": ABS_PATH|"unconfined",
 *   "volumes": [{"host": ABS_PATH, "ctr": ABS_PATH, "relabel", "readonly"}]}
 *   "net" is podman's --network: absent, "bridge" or "private" put a container
 *   without "pod" on the node's cluster network (an implicit pod: address,
 *   netd port; without netd, as "none"); "none": its own namespace with lo
 *   only; "host": the node's.
 * POD_CTR: SPEC without "pod"/"net"/"hostname", "name" required.  Its store
 *   name is "POD-NAME"; the pod's infra container is "POD-infra".
 * POD: {"name", "ip" (or null), "infra_pid", "infra_id", "created",
 *   "containers": [{"id", "name" (short, as in the scenario), "state"}]}
 * PS_ENTRY: {"Id", "Names": [NAME], "Image", "Command": [..], "Created",
 *   "StartedAt", "FinishedAt" (ISO-8601, "" when none), "State":
 *   "created"|"running"|"exited", "ExitCode", "OOMKilled", "Pid", "Label",
 *   "LabelEnforced", "IsInfra", "Pod" (pod name or "")}
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
 */
#ifndef NODELAB_RUNTIME_RPC_OPS_H
#define NODELAB_RUNTIME_RPC_OPS_H

#include <stdbool.h>

#include "container.h"
#include "error.h"

struct json_object;

/* A ctr_spec read from a request: every string points into the request
 * object, which must outlive it.  Arrays are owned (rt_spec_release). */
struct rt_spec {
  struct ctr_spec spec;
  /* "net" absent, "bridge" or "private": the node's cluster network when the
   * runtime has one (an implicit pod, runtime-serve.c); spec.net is then
   * CTR_NET_PRIVATE, as for "none". */
  bool cluster_net;
  const char **argv; /* NULL-terminated or NULL */
  const char **env;  /* NULL-terminated or NULL */
  struct ctr_volume *volumes;
};

/* Fills *out from a SPEC object (see above): types checked, unknown fields
 * refused, paths must be absolute.  Returns 0, or -1 and *err naming the
 * field ("volumes[1].host: must be an absolute path"). */
int rt_spec_from_json(struct json_object *o, struct rt_spec *out, struct lab_error **err);
void rt_spec_release(struct rt_spec *s);

/* The PS_ENTRY of a container (a new reference); pod_name may be NULL. */
struct json_object *rt_ps_entry(const struct container *c, const char *pod_name);

#endif
