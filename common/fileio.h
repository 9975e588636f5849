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

/* Points stdin, stdout and stderr at /dev/null (a process that must not hold
 * its parent's terminal or pipes).  Async-signal-safe; when /dev/null cannot
 * be opened, leaves them as they are. */
void fileio_stdio_to_devnull(void);

/* Reads fd to its end (retrying after EINTR) into *out, a malloc'd buffer
 * with a NUL after the len bytes read (*len may be NULL).  Returns 0, or -1
 * with errno (*out is then NULL).  Aborts when out of memory. */
int fileio_read_fd(int fd, char **out, size_t *len);

#endif
