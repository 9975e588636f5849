#include "namespace.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"

#define NS_MAX 8

static const struct {
  const char *name;
  int flag;
} ns_types[] = {
    {"net", CLONE_NEWNET},   {"uts", CLONE_NEWUTS}, {"ipc", CLONE_NEWIPC},
    {"pid", CLONE_NEWPID},   {"mnt", CLONE_NEWNS},  {"cgroup", CLONE_NEWCGROUP},
    {"user", CLONE_NEWUSER},
#ifdef CLONE_NEWTIME
    {"time", CLONE_NEWTIME},
#endif
};

static int ns_flag(const char *type)
{
  for (size_t i = 0; i < sizeof ns_types / sizeof ns_types[0]; i++) {
    if (strcmp(ns_types[i].name, type) == 0)
      return ns_types[i].flag;
  }
  return 0;
}

int ns_open(pid_t pid, const char *type, struct lab_error **err)
{
  if (ns_flag(type) == 0)
    return lab_error_set(err, EINVAL, "unknown namespace type \"%s\"", type);
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)pid, type);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return lab_error_errno(err, "opening %s", path);
  return fd;
}

/* True when fd names the namespace the caller is already in: entering it
 * again is pointless, and for some types (user) refused by the kernel. */
static bool ns_is_current(int fd, const char *type)
{
  char path[64];
  snprintf(path, sizeof path, "/proc/self/ns/%s", type);
  struct stat a, b;
  if (fstat(fd, &a) < 0 || stat(path, &b) < 0)
    return false;
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int ns_enter(pid_t pid, const char *const *types, struct lab_error **err)
{
  int fds[NS_MAX];
  const char *names[NS_MAX];
  size_t n = 0;
  int rc = 0;
  const char *mnt = NULL;
  int mnt_fd = -1;

  /* Open everything first, so a missing process or namespace changes nothing. */
  for (size_t i = 0; types[i] != NULL; i++) {
    if (n + 1 >= NS_MAX) {
      rc = lab_error_set(err, E2BIG, "too many namespace types");
      goto out;
    }
    int fd = ns_open(pid, types[i], err);
    if (fd < 0) {
      /* Kernels without cgroup (or time) namespaces have no such file: skip. */
      if ((*err)->errnum == ENOENT &&
          (strcmp(types[i], "cgroup") == 0 || strcmp(types[i], "time") == 0) && kill(pid, 0) == 0) {
        lab_error_clear(err);
        continue;
      }
      rc = lab_error_wrap(err, "entering the namespaces of pid %d", (int)pid);
      goto out;
    }
    if (strcmp(types[i], "mnt") == 0) {
      if (mnt_fd >= 0)
        close(mnt_fd);
      mnt_fd = fd;
      mnt = types[i];
      continue;
    }
    fds[n] = fd;
    names[n] = types[i];
    n++;
  }
  /* The mount namespace last: after it, /proc may no longer be the one the
   * other paths were opened from, and the working directory must be reset. */
  if (mnt_fd >= 0) {
    fds[n] = mnt_fd;
    names[n] = mnt;
    n++;
    mnt_fd = -1;
  }

  for (size_t i = 0; i < n; i++) {
    if (ns_is_current(fds[i], names[i]))
      continue;
    if (setns(fds[i], ns_flag(names[i])) < 0) {
      rc = lab_error_errno(err, "setns into the %s namespace of pid %d", names[i], (int)pid);
      goto out;
    }
  }
  if (mnt != NULL && chdir("/") < 0)
    rc = lab_error_errno(err, "chdir / in the mount namespace of pid %d", (int)pid);

out:
  for (size_t i = 0; i < n; i++)
    close(fds[i]);
  if (mnt_fd >= 0)
    close(mnt_fd);
  return rc;
}
