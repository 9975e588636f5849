#include "unix-socket.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int fill_addr(struct sockaddr_un *sa, const char *path, struct lab_error **err)
{
  memset(sa, 0, sizeof *sa);
  sa->sun_family = AF_UNIX;
  if (strlen(path) >= sizeof sa->sun_path)
    return lab_error_set(err, ENAMETOOLONG, "socket path %s", path);
  strcpy(sa->sun_path, path);
  return 0;
}

int unix_socket_listen(const char *path, int type, struct lab_error **err)
{
  struct sockaddr_un sa;
  if (fill_addr(&sa, path, err) < 0)
    return -1;
  int fd = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return lab_error_errno(err, "socket");
  unlink(path);
  mode_t old = umask(0177); /* born 0600: root only */
  int rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
  umask(old);
  if (rc < 0 || listen(fd, 64) < 0) {
    lab_error_errno(err, "listening on %s", path);
    close(fd);
    return -1;
  }
  return fd;
}

int unix_socket_connect(const char *path, int type, struct lab_error **err)
{
  struct sockaddr_un sa;
  if (fill_addr(&sa, path, err) < 0)
    return -1;
  int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return lab_error_errno(err, "socket");
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    lab_error_errno(err, "connecting to %s", path);
    close(fd);
    return -1;
  }
  return fd;
}
