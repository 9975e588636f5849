/* `nodelab-runtime serve`: the node's runtime daemon.  One event loop over
 * an RPC socket (proto/rpc.h; the operations are in proto/runtime-rpc.h); quick
 * read-only operations are answered in the loop, everything that waits
 * (starting, stopping, attached processes, pods, images) runs in a worker
 * process forked per request, so no client ever blocks another. */
#ifndef NODELAB_RUNTIME_SERVE_H
#define NODELAB_RUNTIME_SERVE_H

#include "error.h"

struct rt_serve_config {
  const char *socket;        /* where to listen (its directory is created) */
  const char *root;          /* state: containers/, names/, images/, pods/, ipam/ */
  const char *cgroup_root;   /* normally /sys/fs/cgroup */
  const char *cgroup_parent; /* relative, e.g. nodelab/LAB/NODE */
  const char *node;          /* the node's name (ping, logs) */
  const char *subnet;        /* pod addresses, e.g. 10.1.1.0/24; NULL: pods get only lo */
  const char *gateway;       /* e.g. 10.1.1.1 */
  int mtu;
  const char *netd;    /* netd's unixctl socket, or NULL: pods get only lo */
  const char *busybox; /* for the built-in images, normally /bin/busybox */
};

/* Serves until SIGTERM or SIGINT.  Builds the images ubi and on-off when
 * missing, then listens and writes "READY=1\n" to $NODELAB_NOTIFY_FD when
 * set.  State is on disk only, so a restarted daemon carries on with the
 * containers and pods of the previous one.  Returns 0 on a clean stop, or
 * -1 and *err when it could not start. */
int rt_serve(const struct rt_serve_config *cfg, struct lab_error **err);

#endif
