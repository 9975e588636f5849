/* The control channel between nodelabd and a node's nodelab-init: one
 * SOCK_SEQPACKET socket pair, one JSON object per message (proto/rpc.h's
 * framing, so a message is never split or merged), fd 3 in nodelab-init.
 * Each message is typed here, encoded and decoded by both ends
 * (nodes/node-process.c and node-events.c in nodelabd, nodes/node-init.c).
 *
 * nodelabd -> init (struct node_control_request):
 *   {"op": "go"}                                  first message: start set-up
 *   {"op": "spawn", "name": N, "argv": [...], "log": PATH, "env": ["K=V"...]}
 *   {"op": "signal", "name": N, "signal": S}
 * init -> nodelabd (struct node_control_event):
 *   {"event": "ready"} | {"event": "error", "message": M}      after set-up
 *   {"event": "started", "name": N, "pid": P}                  P in the node's pid namespace
 *   {"event": "notify", "name": N, "message": "READY=1"}       a daemon's readiness line
 *   {"event": "spawn-failed", "name": N, "message": M}
 *   {"event": "exited", "name": N, "pid": P, "status": S}      S as from waitpid()
 *
 * A spawned daemon finds an inherited pipe in $NODELAB_NOTIFY_FD and writes
 * "READY=1\n" to it once it serves (after systemd's sd_notify).
 *
 * Strings in the structs are borrowed: from the JSON object a decoder read,
 * or from whoever filled the struct; but a decoder copies argv and env
 * (malloc'd vectors of malloc'd strings, proto/json.h's json_get_strv()):
 * release them with node_control_request_release(). */
#ifndef NODELAB_PROTO_NODE_CONTROL_H
#define NODELAB_PROTO_NODE_CONTROL_H

#include <stdint.h>
#include <sys/types.h>

#include "error.h"

struct json_object;

#define NODE_CONTROL_FD 3
#define NODE_CONTROL_MAX 65536

enum node_control_op { NODE_CONTROL_GO, NODE_CONTROL_SPAWN, NODE_CONTROL_SIGNAL };

struct node_control_request {
  enum node_control_op op;
  const char *name; /* SPAWN, SIGNAL: the daemon */
  char **argv;      /* SPAWN: NULL-terminated, non-empty */
  const char *log;  /* SPAWN: its stdout and stderr; NULL: /dev/null */
  char **env;       /* SPAWN: "K=V" added to its environment, NULL-terminated; NULL: none */
  int signal;       /* SIGNAL */
};

enum node_control_event_kind {
  NODE_CONTROL_READY,
  NODE_CONTROL_ERROR,
  NODE_CONTROL_STARTED,
  NODE_CONTROL_NOTIFY,
  NODE_CONTROL_SPAWN_FAILED,
  NODE_CONTROL_EXITED,
};

struct node_control_event {
  enum node_control_event_kind kind;
  const char *name;    /* every kind but READY and ERROR: the daemon */
  const char *message; /* ERROR, NOTIFY, SPAWN_FAILED */
  pid_t pid;           /* STARTED, EXITED: in the node's pid namespace */
  int status;          /* EXITED: as from waitpid() */
};

/* New objects (the caller owns them). */
struct json_object *node_control_request_encode(const struct node_control_request *r);
struct json_object *node_control_event_encode(const struct node_control_event *e);

/* Fill *out (zeroed first) from o.  Return 0, or -1 and *err (EPROTO) when o
 * is not such a message: not an object, an unknown op or event, a spawn
 * without a name or a non-empty argv of strings, an event without its
 * daemon's name. */
int node_control_request_decode(struct json_object *o, struct node_control_request *out,
                                struct lab_error **err);
int node_control_event_decode(struct json_object *o, struct node_control_event *out,
                              struct lab_error **err);
void node_control_request_release(struct node_control_request *r);

/* Encode and send as one message on fd.  Return 0, or -1 with errno. */
int node_control_send_request(int fd, const struct node_control_request *r);
int node_control_send_event(int fd, const struct node_control_event *e);

/* Receives one message.  Returns 1 and a new object in *out, 0 on EOF, -1 with
 * errno on error (EAGAIN when non-blocking and nothing is there; EBADMSG when
 * the message is not a JSON object). */
int node_control_recv(int fd, struct json_object **out);

#endif
