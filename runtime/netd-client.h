/* The runtime's client of netd's unixctl socket (netd/netd.h): the calls
 * that attach a pod's network namespace to the node's network and detach it
 * (CNI-ish ADD and DEL):
 *   netd/pod-add NAME NETNS IP    NETNS a path such as /proc/PID/ns/net
 *   netd/pod-del NAME */
#ifndef NODELAB_RUNTIME_NETD_CLIENT_H
#define NODELAB_RUNTIME_NETD_CLIENT_H

#include "error.h"

/* One JSON-RPC call on netd's unixctl socket (a stream) at path: method with
 * the NULL-terminated params.  Waits up to 30 s for the reply.  Returns 0 and
 * the result text in *result (malloc'd, may be NULL; result may be NULL), or
 * -1 and *err ("netd METHOD: MESSAGE" for netd's own error). */
int netd_call(const char *path, const char *method, const char *const *params, char **result,
              struct lab_error **err);

#endif
