/* nodelab-init: PID 1 of a node's pid namespace (and of the fabric's).
 *
 * nodelabd clones this process into new pid, net, uts, mount and ipc
 * namespaces, puts it in the node's cgroup, creates its eth0 (the far end of a
 * veth whose near end is on the fabric bridge), and only then says "go" on
 * fd 3.  If nodelabd dies before that, fd 3 reads EOF and we exit, so a killed
 * coordinator never leaves a half-made node that the ledger does not name.
 *
 * After "go" we make the node's private mounts, name the host, configure lo and
 * eth0, report "ready" (or "error: ...") on fd 4, then reap orphans like any
 * init until told to stop.
 *
 *   nodelab-init --name NAME [--address A.B.C.D/P] [--fabric] */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "netlink.h"

#define SYNC_FD 3
#define REPORT_FD 4

static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void report(const char *fmt, ...)
{
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  if ((size_t)n > sizeof buf - 2)
    n = sizeof buf - 2;
  buf[n++] = '\n';
  if (write(REPORT_FD, buf, (size_t)n) < 0) {
    /* nodelabd is gone; nothing to tell. */
  }
}

static int mount_tmpfs(const char *path, const char *mode, struct lab_error **err)
{
  struct stat st;
  if (stat(path, &st) < 0) {
    if (errno != ENOENT)
      return lab_error_errno(err, "stat %s", path);
    if (mkdir(path, 0755) < 0)
      return lab_error_errno(err, "mkdir %s", path);
  }
  if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, mode) < 0)
    return lab_error_errno(err, "mount tmpfs on %s", path);
  return 0;
}

/* The node's own view of the file system: the host's, except for what must
 * be per node so that OVS and the tools run with their default paths. */
static int setup_mounts(struct lab_error **err)
{
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return lab_error_errno(err, "making / private");
  if (mount_tmpfs("/run", "mode=0755", err) < 0)
    return -1;
  static const char *const run_dirs[] = {"/run/openvswitch", "/run/lock", "/run/netns"};
  for (size_t i = 0; i < sizeof run_dirs / sizeof run_dirs[0]; i++)
    if (mkdir(run_dirs[i], 0755) < 0)
      return lab_error_errno(err, "mkdir %s", run_dirs[i]);
  static const char *const ovs_dirs[] = {"/etc/openvswitch", "/var/log/openvswitch",
                                         "/var/lib/openvswitch"};
  for (size_t i = 0; i < sizeof ovs_dirs / sizeof ovs_dirs[0]; i++)
    if (mount_tmpfs(ovs_dirs[i], "mode=0755", err) < 0)
      return -1;
  if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
    return lab_error_errno(err, "mount proc");
  /* A fresh sysfs shows this node's network devices; keep the cgroup trees
   * under it by moving them aside and back. */
  static const char cg_tmp[] = "/run/.cgroup";
  int have_cgroup = access("/sys/fs/cgroup", F_OK) == 0;
  if (have_cgroup) {
    if (mkdir(cg_tmp, 0700) < 0)
      return lab_error_errno(err, "mkdir %s", cg_tmp);
    if (mount("/sys/fs/cgroup", cg_tmp, NULL, MS_BIND | MS_REC, NULL) < 0)
      return lab_error_errno(err, "bind /sys/fs/cgroup");
  }
  if (mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
    return lab_error_errno(err, "mount sysfs");
  if (have_cgroup) {
    if (mount(cg_tmp, "/sys/fs/cgroup", NULL, MS_MOVE, NULL) < 0)
      return lab_error_errno(err, "moving cgroups back under /sys");
    rmdir(cg_tmp);
  }
  return 0;
}

static int setup_network(const char *address, struct lab_error **err)
{
  unsigned a, b, c, d;
  int prefix;
  char extra;
  if (address != NULL &&
      (sscanf(address, "%u.%u.%u.%u/%d%c", &a, &b, &c, &d, &prefix, &extra) != 5 || a > 255 ||
       b > 255 || c > 255 || d > 255 || prefix < 0 || prefix > 32))
    return lab_error_set(err, EINVAL, "bad --address %s", address);
  struct nl_sock *sk = NULL;
  if (netlink_open(-1, &sk, err) < 0)
    return -1;
  int rc = netlink_link_set_up(sk, "lo", 1, err);
  if (rc == 0 && address != NULL) {
    rc = netlink_addr_add(sk, "eth0", (a << 24) | (b << 16) | (c << 8) | d, prefix, err);
    if (rc == 0)
      rc = netlink_link_set_up(sk, "eth0", 1, err);
  }
  netlink_close(sk);
  return rc;
}

/* Reaps every child (orphans of the node are re-parented to us); on SIGTERM or
 * SIGINT, stops everything in the namespace and exits. */
static int init_loop(void)
{
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigprocmask(SIG_BLOCK, &set, NULL);
  int sfd = signalfd(-1, &set, SFD_CLOEXEC);
  if (sfd < 0)
    return 1;
  for (;;) {
    struct signalfd_siginfo si;
    if (read(sfd, &si, sizeof si) != sizeof si)
      continue;
    if (si.ssi_signo == SIGCHLD) {
      while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
      continue;
    }
    /* Stop: TERM everyone, give them a moment, then KILL. */
    kill(-1, SIGTERM);
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += 2;
    for (;;) {
      pid_t p = waitpid(-1, NULL, WNOHANG);
      if (p < 0 && errno == ECHILD)
        return 0;
      struct timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      if (now.tv_sec > deadline.tv_sec ||
          (now.tv_sec == deadline.tv_sec && now.tv_nsec > deadline.tv_nsec)) {
        kill(-1, SIGKILL);
        while (waitpid(-1, NULL, 0) > 0)
          ;
        return 0;
      }
      if (p == 0)
        usleep(10000);
    }
  }
}

int main(int argc, char **argv)
{
  static const struct option opts[] = {{"name", required_argument, NULL, 'n'},
                                       {"address", required_argument, NULL, 'a'},
                                       {"fabric", no_argument, NULL, 'f'},
                                       {NULL, 0, NULL, 0}};
  const char *name = NULL, *address = NULL;
  int fabric = 0, c;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 'n':
      name = optarg;
      break;
    case 'a':
      address = optarg;
      break;
    case 'f':
      fabric = 1;
      break;
    default:
      return 2;
    }
  }
  if (name == NULL) {
    fprintf(stderr, "nodelab-init: --name is required\n");
    return 2;
  }
  /* Wait for nodelabd's "go": EOF means it died before finishing our set-up. */
  char go[8];
  ssize_t n = read(SYNC_FD, go, sizeof go);
  if (n <= 0)
    return 1;
  close(SYNC_FD);
  fcntl(REPORT_FD, F_SETFD, FD_CLOEXEC);

  struct lab_error *err = NULL;
  if (sethostname(name, strlen(name)) < 0) {
    lab_error_errno(&err, "sethostname %s", name);
  } else if (setup_mounts(&err) == 0) {
    setup_network(fabric ? NULL : address, &err);
  }
  if (err != NULL) {
    report("error: %s: %s", name, err->msg);
    return 1;
  }
  report("ready");
  close(REPORT_FD);
  /* Reopen stdio on /dev/null: the coordinator's log is not ours to hold. */
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull >= 0) {
    dup2(devnull, 0);
    dup2(devnull, 1);
    dup2(devnull, 2);
    close(devnull);
  }
  return init_loop();
}
