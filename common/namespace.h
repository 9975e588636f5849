/* Entering the namespaces of another process (what nsenter does, by setns(2)). */
#ifndef NODELAB_NAMESPACE_H
#define NODELAB_NAMESPACE_H

#include <sys/types.h>

#include "error.h"

/* Opens /proc/PID/ns/TYPE ("net", "uts", "ipc", "mnt", "pid", "cgroup") with
 * O_CLOEXEC.  Returns the fd, or -1 and *err. */
int ns_open(pid_t pid, const char *type, struct lab_error **err);

/* Enters the namespaces of pid named in `types` (NULL-terminated) for the
 * calling thread; "mnt" is entered last and the working directory becomes "/".
 * All fds are opened before the first setns so a failure changes nothing
 * except when a setns itself fails midway.  Entering "pid" affects children only. */
int ns_enter(pid_t pid, const char *const *types, struct lab_error **err);

#endif
