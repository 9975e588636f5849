/* The runtime's client of netd's control socket (CNI ADD/DEL): the messages
 * of proto/netd-ctl.h, sent as JSON-RPC over the unixctl stream socket. */
#ifndef NODELAB_RUNTIME_NETD_CLIENT_H
#define NODELAB_RUNTIME_NETD_CLIENT_H

#include "error.h"
#include "netd-ctl.h"

/* Asks netd at control socket `path` to attach a pod (netd/pod-add).  Waits
 * up to 30 s for the answer.  Returns 0 and, when reply is not NULL, *reply;
 * or -1 and *err: netd's refusal ("netd netd/pod-add: pod NAME: ..."), or
 * why netd could not be asked or its reply not understood. */
int netd_client_pod_add(const char *path, const struct netd_pod_add *req,
                        struct netd_pod_add_reply *reply, struct lab_error **err);

/* Asks netd at `path` to detach a pod (netd/pod-del).  Returns 0, or -1 and
 * *err as netd_client_pod_add() does. */
int netd_client_pod_del(const char *path, const struct netd_pod_del *req, struct lab_error **err);

#endif
