/* The container's root, as its init sets it up between clone and exec:
 * the overlay (mounted by the parent), volumes, /proc, /dev, /sys,
 * pivot_root, masked paths; and the last steps of every process entering a
 * container (label, no_new_privs, capabilities, seccomp, exec). */
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "container-internal.h"
#include "fileio.h"
#include "label.h"

void ctr_child_fail(int fd, const char *fmt, ...)
{
  char buf[1024];
  int saved = errno;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n > 0 && (size_t)n < sizeof buf - 64 && saved != 0)
    n += snprintf(buf + n, sizeof buf - (size_t)n, ": %s", strerror(saved));
  if (n > 0)
    (void)!write(fd, buf, strlen(buf));
  _exit(127);
}

/* A path in the child: one that does not fit is a failure of the child. */
__attribute__((format(printf, 4, 5))) static void child_path(int efd, char *buf, size_t len,
                                                             const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, len, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= len) {
    errno = ENAMETOOLONG;
    ctr_child_fail(efd, "%.64s...", buf);
  }
}

int ctr_rootfs_mount_overlay(struct container *c, struct lab_error **err)
{
  char opts[3 * PATH_MAX + 64];
  if (ctr_path_err(err, opts, sizeof opts, "lowerdir=%s,upperdir=%s,workdir=%s", c->lower, c->upper,
                   c->work) < 0)
    return lab_error_wrap(err, "the overlay of %s", c->name);
  if (mount("overlay", c->merged, "overlay", 0, opts) < 0)
    return lab_error_errno(err, "mounting the overlay at %s", c->merged);
  return 0;
}

static void bind_dev(int efd, const char *root, const char *name)
{
  char target[PATH_MAX], source[64];
  child_path(efd, target, sizeof target, "%s/dev/%s", root, name);
  child_path(efd, source, sizeof source, "/dev/%s", name);
  int fd = open(target, O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0)
    ctr_child_fail(efd, "creating %s", target);
  close(fd);
  if (mount(source, target, NULL, MS_BIND, NULL) < 0)
    ctr_child_fail(efd, "bind-mounting %s", source);
}

static void mkdir_in(int efd, const char *root, const char *rel, mode_t mode)
{
  char path[PATH_MAX];
  child_path(efd, path, sizeof path, "%s%s", root, rel);
  if (fileio_mkdir_p(path, mode) < 0)
    ctr_child_fail(efd, "mkdir %s", path);
}

void ctr_rootfs_setup(int efd, struct container *c)
{
  const char *root = c->merged;
  char path[PATH_MAX];

  /* Nothing we mount may propagate back to the host, and pivot_root needs a
   * private parent. */
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    ctr_child_fail(efd, "making / private");

  for (size_t i = 0; i < c->n_vols; i++) {
    struct stat st;
    child_path(efd, path, sizeof path, "%s%s", root, c->vols[i].ctr);
    if (stat(c->vols[i].host, &st) < 0)
      ctr_child_fail(efd, "volume %s", c->vols[i].host);
    if (S_ISDIR(st.st_mode)) {
      if (fileio_mkdir_p(path, 0755) < 0)
        ctr_child_fail(efd, "mkdir %s", path);
    } else {
      char *slash = strrchr(path, '/');
      *slash = '\0';
      if (fileio_mkdir_p(path, 0755) < 0)
        ctr_child_fail(efd, "mkdir %s", path);
      *slash = '/';
      int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
      if (fd < 0)
        ctr_child_fail(efd, "creating %s", path);
      close(fd);
    }
    if (mount(c->vols[i].host, path, NULL, MS_BIND | MS_REC, NULL) < 0)
      ctr_child_fail(efd, "bind-mounting volume %s on %s", c->vols[i].host, c->vols[i].ctr);
    if (c->vols[i].readonly &&
        mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, NULL) < 0)
      ctr_child_fail(efd, "making volume %s read-only", c->vols[i].ctr);
  }

  mkdir_in(efd, root, "/proc", 0555);
  child_path(efd, path, sizeof path, "%s/proc", root);
  if (mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
    ctr_child_fail(efd, "mounting /proc");

  mkdir_in(efd, root, "/dev", 0755);
  child_path(efd, path, sizeof path, "%s/dev", root);
  if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k") < 0)
    ctr_child_fail(efd, "mounting /dev");
  static const char *const devs[] = {"null", "zero", "full", "random", "urandom", "tty"};
  for (size_t i = 0; i < sizeof devs / sizeof devs[0]; i++)
    bind_dev(efd, root, devs[i]);
  mkdir_in(efd, root, "/dev/pts", 0755);
  child_path(efd, path, sizeof path, "%s/dev/pts", root);
  if (mount("devpts", path, "devpts", MS_NOSUID | MS_NOEXEC,
            "newinstance,ptmxmode=0666,mode=0620") < 0)
    ctr_child_fail(efd, "mounting /dev/pts");
  mkdir_in(efd, root, "/dev/shm", 01777);
  child_path(efd, path, sizeof path, "%s/dev/shm", root);
  if (mount("shm", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k") < 0)
    ctr_child_fail(efd, "mounting /dev/shm");
  static const char *const links[][2] = {{"/proc/self/fd", "fd"},
                                         {"/proc/self/fd/0", "stdin"},
                                         {"/proc/self/fd/1", "stdout"},
                                         {"/proc/self/fd/2", "stderr"},
                                         {"pts/ptmx", "ptmx"}};
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
    child_path(efd, path, sizeof path, "%s/dev/%s", root, links[i][1]);
    if (symlink(links[i][0], path) < 0)
      ctr_child_fail(efd, "symlink %s", path);
  }

  mkdir_in(efd, root, "/sys", 0555);
  child_path(efd, path, sizeof path, "%s/sys", root);
  /* read-only, except for a privileged container (podman's rule) */
  unsigned long ro = (c->privileged ? 0 : MS_RDONLY) | MS_NOSUID | MS_NODEV | MS_NOEXEC;
  if (mount("sysfs", path, "sysfs", ro, NULL) < 0) {
    /* sysfs of a network namespace we do not own (net=host inside a node):
     * fall back to a read-only bind of the current one. */
    if (mount("/sys", path, NULL, MS_BIND | MS_REC, NULL) < 0 ||
        mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | ro, NULL) < 0)
      ctr_child_fail(efd, "mounting /sys");
  }

  if (chdir(root) < 0)
    ctr_child_fail(efd, "chdir %s", root);
  /* pivot_root(".", "."): the old root ends up stacked under the new one and
   * is detached at once (crun's trick; needs no put_old directory). */
  if (syscall(SYS_pivot_root, ".", ".") < 0)
    ctr_child_fail(efd, "pivot_root");
  if (umount2(".", MNT_DETACH) < 0)
    ctr_child_fail(efd, "detaching the old root");
  if (chdir("/") < 0)
    ctr_child_fail(efd, "chdir /");

  /* masked and read-only paths, as OCI runtimes do by default (a privileged
   * container sees the node's /proc as it is) */
  if (c->privileged)
    return;
  static const char *const masked[] = {"/proc/kcore", "/proc/keys", "/proc/timer_list",
                                       "/proc/sched_debug"};
  for (size_t i = 0; i < sizeof masked / sizeof masked[0]; i++)
    if (access(masked[i], F_OK) == 0 && mount("/dev/null", masked[i], NULL, MS_BIND, NULL) < 0)
      ctr_child_fail(efd, "masking %s", masked[i]);
  static const char *const rdonly[] = {"/proc/sys", "/proc/sysrq-trigger", "/proc/irq",
                                       "/proc/bus"};
  for (size_t i = 0; i < sizeof rdonly / sizeof rdonly[0]; i++) {
    if (access(rdonly[i], F_OK) != 0)
      continue;
    if (mount(rdonly[i], rdonly[i], NULL, MS_BIND | MS_REC, NULL) < 0 ||
        mount(NULL, rdonly[i], NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, NULL) < 0)
      ctr_child_fail(efd, "making %s read-only", rdonly[i]);
  }
}

void ctr_child_wait_go(int sync_fd)
{
  char b;
  ssize_t n;
  do
    n = read(sync_fd, &b, 1);
  while (n < 0 && errno == EINTR);
  if (n != 1)
    _exit(127); /* the parent gave up: it reports the error itself */
  close(sync_fd);
}

void ctr_child_exec(int efd, struct container *c, char **envp, uint64_t caps,
                    scmp_filter_ctx seccomp, scmp_filter_ctx deny)
{
  struct lab_error *e = NULL;
  if (c->workdir && chdir(c->workdir) < 0)
    ctr_child_fail(efd, "chdir %s", c->workdir);
  /* A privileged container keeps the runtime's own label (podman: spc_t). */
  if (!c->privileged && label_set_exec(c->label, &e) < 0)
    ctr_child_fail(efd, "%s", e->msg);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    ctr_child_fail(efd, "no_new_privs");
  if (caps_apply(caps, &e) < 0)
    ctr_child_fail(efd, "%s", e->msg);
  if (deny != NULL) {
    int rc = seccomp_load(deny);
    if (rc < 0) {
      errno = -rc;
      ctr_child_fail(efd, "loading the seccomp deny filter");
    }
  }
  if (seccomp != NULL) {
    int rc = seccomp_load(seccomp);
    if (rc < 0) {
      errno = -rc;
      ctr_child_fail(efd, "loading the seccomp filter");
    }
  }
  extern char **environ;
  environ = envp;
  execvp(c->argv[0], c->argv);
  ctr_child_fail(efd, "exec %s", c->argv[0]);
}
