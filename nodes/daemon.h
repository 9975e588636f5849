/* nodelabd's service: the REST API of proto/api.h on a unix socket, the labs
 * it holds, and its own lifetime (it exits once it holds no lab). */
#ifndef NODELAB_DAEMON_H
#define NODELAB_DAEMON_H

#include "error.h"

/* Runs the daemon until SIGTERM/SIGINT or until it has been idle with no lab.
 * socket_path: where to listen (mode 0600).  Returns 0 on a clean exit, or -1
 * and *err when it could not start. */
int daemon_run(const char *socket_path, const char *pidfile, struct lab_error **err);

#endif
