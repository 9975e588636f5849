/* The control channel between nodelabd and a node's nodelab-init: one
 * SOCK_SEQPACKET socket pair, one JSON object per message (so a message is
 * never split or merged), fd 3 in nodelab-init.
 *
 * nodelabd -> init:
 *   {"op": "go"}                                  first message: start set-up
 *   {"op": "spawn", "name": N, "argv": [...], "log": PATH, "env": ["K=V"...]}
 *   {"op": "signal", "name": N, "signal": S}
 * init -> nodelabd:
 *   {"event": "ready"} | {"event": "error", "message": M}      after set-up
 *   {"event": "started", "name": N, "pid": P}                  P in the node's pid namespace
 *   {"event": "notify", "name": N, "message": "READY=1"}       a daemon's readiness line
 *   {"event": "spawn-failed", "name": N, "message": M}
 *   {"event": "exited", "name": N, "pid": P, "status": S}      S as from waitpid()
 *
 * A spawned daemon finds an inherited pipe in $NODELAB_NOTIFY_FD and writes
 * "READY=1\n" to it once it serves (after systemd's sd_notify). */
#ifndef NODELAB_NODE_CONTROL_H
#define NODELAB_NODE_CONTROL_H

#include <sys/types.h>

struct json_object;

#define NODE_CONTROL_FD 3
#define NODE_CONTROL_MAX 65536

/* Sends o as one message on fd (o is not consumed). Returns 0 or -1 with errno. */
int node_control_send(int fd, struct json_object *o);

/* Receives one message.  Returns 1 and a new object in *out, 0 on EOF, -1 with
 * errno on error (EAGAIN when non-blocking and nothing is there; EBADMSG when
 * the message is not a JSON object). */
int node_control_recv(int fd, struct json_object **out);

/* The translation of pid, a pid in the pid namespace of process `init_pid`
 * (host pid), to a host pid, found among init_pid's children.  0 when absent. */
pid_t node_control_host_pid(pid_t init_pid, pid_t ns_pid);

#endif
