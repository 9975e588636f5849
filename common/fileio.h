/* Small file and descriptor helpers every component needs. */
#ifndef NODELAB_FILEIO_H
#define NODELAB_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/* mkdir -p: creates path and its missing parents with mode.  Returns 0, or
 * -1 with errno. */
int fileio_mkdir_p(const char *path, mode_t mode);

/* Writes all len bytes, retrying after EINTR and short writes.  Returns 0, or
 * -1 with errno. */
int fileio_write_all(int fd, const void *buf, size_t len);

#endif
