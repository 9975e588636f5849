/* The RPC tunnel of proto/api.h: CLI -> nodelabd -> a service inside a node.
 * nodelabd relays whole messages and their file descriptors both ways; it
 * never reads or writes a terminal's bytes itself. */
#ifndef NODELAB_TUNNEL_H
#define NODELAB_TUNNEL_H

#include <sys/types.h>

#include "error.h"

struct event_base;

/* Finds the init pid of node `node` of lab `lab`; 0 when there is none. */
typedef pid_t tunnel_node_pid_fn(const char *lab, const char *node, const char **problem);

/* Listens on path and serves tunnels until tunnel_stop().  Returns 0 or -1 and *err. */
int tunnel_start(struct event_base *base, const char *path, tunnel_node_pid_fn *lookup,
                 struct lab_error **err);

/* Closes the listener and every open tunnel, and removes the socket. */
void tunnel_stop(void);

/* Connects a socket of `type` (SOCK_SEQPACKET for nodelab's RPC,
 * SOCK_STREAM) to `inner_path` inside the mount namespace of process pid
 * (through /proc/PID/root).  Returns the fd or -1 and *err. */
int tunnel_connect_in_node(pid_t pid, const char *inner_path, int type, struct lab_error **err);

#endif
