/* Unix sockets: listening as root only, connecting. */
#ifndef NODELAB_UNIX_SOCKET_H
#define NODELAB_UNIX_SOCKET_H

#include "error.h"

/* Listens on path with a non-blocking, close-on-exec socket of `type`
 * (SOCK_STREAM, SOCK_SEQPACKET), replacing a stale socket file.  The file is
 * born mode 0600: root only.  Returns the fd or -1 and *err. */
int unix_socket_listen(const char *path, int type, struct lab_error **err);

/* Connects a blocking, close-on-exec socket of `type` to path.  Returns the
 * fd or -1 and *err. */
int unix_socket_connect(const char *path, int type, struct lab_error **err);

#endif
