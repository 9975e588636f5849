/* The RPC framing between nodelab's own processes (nodelabd, nodelab-init,
 * nodelab-runtime, the CLI): a SOCK_SEQPACKET unix socket carrying one JSON
 * object per message, so a message is never split or merged, with up to
 * RPC_MAX_FDS file descriptors attached (SCM_RIGHTS) — how a terminal or the
 * caller's stdio reaches a container.
 *
 * A request is {"op": NAME, ...}; its reply is {"ok": true, ...} or
 * {"ok": false, "error": MESSAGE}. */
#ifndef NODELAB_RPC_H
#define NODELAB_RPC_H

#include <stddef.h>

#include "error.h"

struct json_object;

#define RPC_MAX_MESSAGE 262144
#define RPC_MAX_FDS 4

/* Sends o as one message on fd with n_fds descriptors (n_fds <= RPC_MAX_FDS;
 * fds may be NULL when n_fds is 0).  o is not consumed.  Returns 0 or -1 with errno. */
int rpc_send(int fd, struct json_object *o, const int *fds, size_t n_fds);

/* Receives one message.  Returns 1 and a new object in *out, 0 on EOF, -1
 * with errno (EAGAIN when non-blocking and nothing is there; EBADMSG when the
 * message is not a JSON object).  Received descriptors (O_CLOEXEC) go to fds,
 * up to max_fds, their count to *n_fds (either may be NULL/0: extras are closed). */
int rpc_recv(int fd, struct json_object **out, int *fds, size_t max_fds, size_t *n_fds);

/* Connects a SOCK_SEQPACKET socket to path.  Returns the fd (O_CLOEXEC) or -1 and *err. */
int rpc_connect(const char *path, struct lab_error **err);

/* Listens on path (mode 0600) with a SOCK_SEQPACKET socket.  Returns the fd or -1 and *err. */
int rpc_listen(const char *path, struct lab_error **err);

/* One blocking round trip: sends request (with fds), waits for the reply.
 * A reply with "ok": false becomes -1 and *err with its "error" text.
 * Returns 0 and a new reply object in *reply, or -1 and *err. */
int rpc_call(int fd, struct json_object *request, const int *fds, size_t n_fds,
             struct json_object **reply, struct lab_error **err);

/* Reply helpers: new objects {"ok": true} and {"ok": false, "error": msg}. */
struct json_object *rpc_reply_ok(void);
struct json_object *rpc_reply_error(const char *msg);

#endif
