/* What the files of `nodelab-runtime serve` share: the server, the replies,
 * and each file's entry points.
 *   serve-loop.c      the event loop: connections, workers, signals
 *   serve-ops.c       the operations: quick ones inline, the rest in a worker
 *   serve-sessions.c  attached processes (run without -d, exec): stdio, ptys
 *   serve-pods.c      pods (pod-run, pod-rm, pod-ls) and their records
 *   serve-network.c   standalone containers' network: the implicit pod
 *   serve-seccomp.c   seccomp-set and seccomp-get
 *   netd-client.c     the calls to netd (CNI-ish ADD/DEL) */
#ifndef NODELAB_RUNTIME_SERVE_INTERNAL_H
#define NODELAB_RUNTIME_SERVE_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "container.h"
#include "error.h"
#include "ipam.h"
#include "rpc-ops.h"
#include "serve.h"

struct json_object;

#define SERVE_MAX_CONNS 1024

struct serve_conn {
  int fd;
  pid_t worker; /* a worker owns the connection until it exits; 0: none */
};

struct server {
  const struct rt_serve_config *cfg;
  char images[PATH_MAX], pods[PATH_MAX], ipam[PATH_MAX];
  struct ipam_subnet subnet;
  bool have_subnet;
  struct ctr_store *store;
  int listen_fd, sig_fd;
  struct serve_conn conns[SERVE_MAX_CONNS];
  size_t n_conns;
};

/* ------------------------------------------------------------ serve-ops.c */

/* Sends reply (consumed) with fds on fd; a failure is only logged. */
void serve_send_reply(int fd, struct json_object *reply, const int *fds, size_t n);
/* Sends {"ok": false, "error": (*err)->msg} and clears *err. */
void serve_send_error(int fd, struct lab_error **err);
/* {"ok": true, "id", "name"} of c (a new reference). */
struct json_object *serve_reply_ctr(const struct container *c);

/* Answers op in the loop when it is a quick one: returns 1 when it was
 * (a reply was sent, or none is due), 0 when it needs a worker. */
int serve_handle_inline(struct server *sv, int conn, enum rt_rpc_op op, struct json_object *req);
/* A worker's whole life: answers op on conn (fds: the request's). */
void serve_worker_main(struct server *sv, int conn, enum rt_rpc_op op, struct json_object *req,
                       const int *fds, size_t n_fds);

/* ------------------------------------------------------- serve-sessions.c */

/* A signal handler doing nothing: unlike SIG_IGN, not inherited over exec. */
void serve_ignore_signal(int sig);
/* run without detach: this worker is c's parent (its monitor); c is consumed. */
void serve_run_attached(struct server *sv, int conn, const struct rt_rpc_run *run,
                        struct container *c, const int *fds, size_t n_fds);
/* The container a request names (exec, seccomp-set): "container" alone (a
 * KEY), or "pod" (+ "container", its short name in the pod; default the
 * pod's first container).  0 and *out, or -1 and *err. */
int serve_lookup_target(struct server *sv, const char *pod, const char *key, struct container **out,
                        struct lab_error **err);
/* exec: an attached process in a container, until it exits. */
void serve_exec(struct server *sv, int conn, struct json_object *req, const int *fds, size_t n_fds);

/* ----------------------------------------------------------- serve-pods.c */

/* <pods>/<name>.json, after checking name.  Returns 0, or -1 and *err. */
int serve_pod_record_path(struct server *sv, const char *name, char *buf, size_t len,
                          struct lab_error **err);
/* Brings lo up in the network namespace of pid. */
int serve_lo_up(pid_t pid, struct lab_error **err);
int serve_pod_run(struct server *sv, struct json_object *req, struct json_object **reply,
                  struct lab_error **err);
int serve_pod_rm(struct server *sv, struct json_object *req, struct json_object **reply,
                 struct lab_error **err);
int serve_pod_ls(struct server *sv, struct json_object **reply, struct lab_error **err);
/* pod-kill and pod-start (proto/runtime-rpc.h), op says which. */
int serve_pod_kill_or_start(struct server *sv, enum rt_rpc_op op, struct json_object *req,
                            struct json_object **reply, struct lab_error **err);

/* -------------------------------------------------------- serve-seccomp.c */

/* seccomp-set (in a worker: it may restart the container) and seccomp-get
 * (inline): 0 and *reply (SECCOMP), or -1 and *err. */
int serve_seccomp_set(struct server *sv, struct json_object *req, struct json_object **reply,
                      struct lab_error **err);
int serve_seccomp_get(struct server *sv, struct json_object *req, struct json_object **reply,
                      struct lab_error **err);

/* -------------------------------------------------------- serve-network.c */

/* True when a container of spec goes on the node's cluster network. */
bool serve_wants_cluster_net(const struct server *sv, const struct rt_spec *spec);
/* Gives c, just created, its implicit pod.  On failure nothing of the pod is
 * left (c itself is the caller's to remove).  Returns 0, or -1 and *err. */
int serve_implicit_pod_make(struct server *sv, struct container *c, struct lab_error **err);
/* Detaches the implicit pod of infra from netd, removes infra (consumed) and
 * frees its address.  Returns 0, or -1 and *err when infra stays. */
int serve_implicit_pod_remove(struct server *sv, struct container *infra, struct lab_error **err);
/* container_remove (c is freed), then the implicit pod c owned, if any. */
int serve_remove_container(struct server *sv, struct container *c, bool force,
                           struct lab_error **err);

#endif
