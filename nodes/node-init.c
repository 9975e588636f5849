/* nodelab-init: PID 1 of a node's pid namespace (and of the fabric's).
 *
 * nodelabd clones this process into new pid, net, uts, mount and ipc
 * namespaces, puts it in the node's cgroup, creates its eth0 (the far end of a
 * veth whose near end is on the fabric bridge), and only then sends "go" on the
 * control socket (fd 3, see proto/node-control.h).  If nodelabd dies before that, the
 * socket reads EOF and we exit, so a killed coordinator never leaves a
 * half-made node that the ledger does not name.
 *
 * After "go" we make the node's private mounts, name the host, configure lo and
 * eth0, and report "ready" (or an error).  Then we are the node's init: we
 * start the node's daemons when nodelabd asks (so the process tree reads
 * nodelabd -> nodelab-init -> daemons), relay their readiness and exits, and
 * reap orphans.  If nodelabd goes away the node and its daemons live on until
 * `nodelab down --force`.
 *
 *   nodelab-init --name NAME [--address A.B.C.D/P] [--fabric] */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
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
#include <poll.h>

#include <json-c/json.h>

#include "api.h"
#include "daemon-args.h"
#include "error.h"
#include "fileio.h"
#include "netlink.h"
#include "json.h"
#include "node-control.h"
#include "proc.h"

/* Mounts a node-private tmpfs on path, which must exist: creating it here
 * would leave a directory on the host's file system that no ledger names. */
static int mount_tmpfs(const char *path, const char *mode, struct lab_error **err)
{
  struct stat st;
  if (stat(path, &st) < 0)
    return lab_error_errno(err, "%s (the node mounts its own tmpfs there)", path);
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
  static const char *const run_dirs[] = {"/run/openvswitch", "/run/lock", "/run/netns",
                                         "/run/nodelab"};
  for (size_t i = 0; i < sizeof run_dirs / sizeof run_dirs[0]; i++)
    if (mkdir(run_dirs[i], 0755) < 0)
      return lab_error_errno(err, "mkdir %s", run_dirs[i]);
  /* OVS's default paths, and the runtime's storage (NODE_RUNTIME_ROOT): each
   * node its own, gone with the node. */
  static const char *const private_dirs[] = {"/etc/openvswitch", "/var/log/openvswitch",
                                             "/var/lib/openvswitch", NODE_RUNTIME_ROOT};
  for (size_t i = 0; i < sizeof private_dirs / sizeof private_dirs[0]; i++)
    if (mount_tmpfs(private_dirs[i], "mode=0755", err) < 0)
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

/* The daemons this init started on nodelabd's behalf. */
struct daemon_proc {
  char *name;
  pid_t pid;
  int notify_fd; /* read end of the daemon's $NODELAB_NOTIFY_FD pipe, or -1 */
};

static struct daemon_proc daemons[64];
static size_t n_daemons;
static int control_fd = NODE_CONTROL_FD;

static void send_event(const struct node_control_event *e)
{
  if (control_fd >= 0)
    node_control_send_event(control_fd, e); /* nodelabd gone: the node lives on regardless */
}

/* In the child after fork: a fresh session, its own log as stdout/stderr,
 * the signal mask cleared (we block signals for our signalfd), then exec. */
static void exec_daemon(char **argv, char **env, const char *log, int notify_wr,
                        const sigset_t *blocked)
{
  setsid();
  int in = open("/dev/null", O_RDONLY);
  int out = open(log ? log : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (in < 0 || out < 0)
    _exit(126);
  dup2(in, 0);
  dup2(out, 1);
  dup2(out, 2);
  sigprocmask(SIG_UNBLOCK, blocked, NULL);
  if (notify_wr >= 0) {
    int fd = fcntl(notify_wr, F_DUPFD, 3); /* a copy without O_CLOEXEC */
    char buf[16];
    snprintf(buf, sizeof buf, "%d", fd);
    setenv("NODELAB_NOTIFY_FD", buf, 1);
  }
  for (size_t i = 0; env != NULL && env[i] != NULL; i++)
    putenv(env[i]);
  execvp(argv[0], argv);
  fprintf(stderr, "nodelab-init: exec %s: %s\n", argv[0], strerror(errno));
  _exit(127);
}

static void spawn_daemon(const struct node_control_request *r, const sigset_t *blocked)
{
  const char *problem = NULL;
  if (n_daemons == sizeof daemons / sizeof daemons[0])
    problem = "too many daemons";
  int notify[2] = {-1, -1};
  if (problem == NULL && pipe2(notify, O_CLOEXEC | O_NONBLOCK) < 0)
    problem = "pipe failed";
  pid_t pid = problem == NULL ? fork() : -1;
  if (pid == 0)
    exec_daemon(r->argv, r->env, r->log, notify[1], blocked);
  if (problem == NULL && pid < 0)
    problem = "fork failed";
  if (problem != NULL) {
    send_event(&(struct node_control_event){
        .kind = NODE_CONTROL_SPAWN_FAILED, .name = r->name, .message = problem});
    if (notify[0] >= 0) {
      close(notify[0]);
      close(notify[1]);
    }
    return;
  }
  close(notify[1]);
  struct daemon_proc *d = &daemons[n_daemons++];
  d->name = strdup(r->name);
  d->pid = pid;
  d->notify_fd = notify[0];
  send_event(
      &(struct node_control_event){.kind = NODE_CONTROL_STARTED, .name = r->name, .pid = pid});
}

static void signal_daemon(const struct node_control_request *r)
{
  for (size_t i = 0; i < n_daemons; i++)
    if (daemons[i].pid > 0 && strcmp(daemons[i].name, r->name) == 0)
      kill(daemons[i].pid, r->signal);
}

static void on_control(const sigset_t *blocked)
{
  struct json_object *msg = NULL;
  int rc = node_control_recv(control_fd, &msg);
  if (rc <= 0) {
    if (rc == 0 || errno != EAGAIN) {
      close(control_fd); /* nodelabd is gone: keep the node running */
      control_fd = -1;
    }
    return;
  }
  struct node_control_request r;
  struct lab_error *err = NULL;
  if (node_control_request_decode(msg, &r, &err) < 0) {
    /* A spawn that cannot be read still gets its answer, if it names a daemon. */
    const char *name = json_get_str(msg, "name");
    if (name != NULL && strcmp(json_get_str(msg, "op") ?: "", "spawn") == 0)
      send_event(&(struct node_control_event){
          .kind = NODE_CONTROL_SPAWN_FAILED, .name = name, .message = err->msg});
    lab_error_clear(&err);
  } else if (r.op == NODE_CONTROL_SPAWN) {
    spawn_daemon(&r, blocked);
  } else if (r.op == NODE_CONTROL_SIGNAL) {
    signal_daemon(&r);
  }
  node_control_request_release(&r);
  json_object_put(msg);
}

static void on_notify(struct daemon_proc *d)
{
  char buf[512];
  ssize_t n = read(d->notify_fd, buf, sizeof buf - 1);
  if (n <= 0) {
    if (n == 0 || errno != EAGAIN) {
      close(d->notify_fd);
      d->notify_fd = -1;
    }
    return;
  }
  buf[n] = '\0';
  for (char *line = strtok(buf, "\n"); line != NULL; line = strtok(NULL, "\n"))
    send_event(&(struct node_control_event){
        .kind = NODE_CONTROL_NOTIFY, .name = d->name, .message = line});
}

static void on_child_exit(pid_t pid, int status)
{
  for (size_t i = 0; i < n_daemons; i++) {
    struct daemon_proc *d = &daemons[i];
    if (d->pid != pid)
      continue;
    if (d->notify_fd >= 0)
      on_notify(d); /* a last word before it went */
    send_event(&(struct node_control_event){
        .kind = NODE_CONTROL_EXITED, .name = d->name, .pid = pid, .status = status});
    if (d->notify_fd >= 0)
      close(d->notify_fd);
    free(d->name);
    daemons[i] = daemons[--n_daemons];
    return;
  }
}

/* Stops everything in the namespace: TERM, a moment's grace, then KILL. */
static int stop_all(void)
{
  kill(-1, SIGTERM);
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    pid_t p = waitpid(-1, NULL, WNOHANG);
    if (p < 0 && errno == ECHILD)
      return 0;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec - start.tv_sec >= 2) {
      kill(-1, SIGKILL);
      while (waitpid(-1, NULL, 0) > 0)
        ;
      return 0;
    }
    if (p == 0)
      usleep(10000);
  }
}

static int init_loop(void)
{
  sigset_t set;
  int sfd = proc_signalfd(SFD_CLOEXEC, &set);
  if (sfd < 0)
    return 1;
  for (;;) {
    struct pollfd pfds[2 + sizeof daemons / sizeof daemons[0]];
    struct daemon_proc *owners[sizeof daemons / sizeof daemons[0]];
    size_t n = 0;
    pfds[n++] = (struct pollfd){.fd = sfd, .events = POLLIN};
    pfds[n++] = (struct pollfd){.fd = control_fd, .events = POLLIN};
    for (size_t i = 0; i < n_daemons; i++) {
      if (daemons[i].notify_fd < 0)
        continue;
      owners[n - 2] = &daemons[i];
      pfds[n++] = (struct pollfd){.fd = daemons[i].notify_fd, .events = POLLIN};
    }
    if (poll(pfds, n, -1) < 0)
      continue;
    for (size_t i = 2; i < n; i++)
      if (pfds[i].revents)
        on_notify(owners[i - 2]);
    if (pfds[1].revents)
      on_control(&set);
    if (pfds[0].revents) {
      struct signalfd_siginfo si;
      if (read(sfd, &si, sizeof si) != sizeof si)
        continue;
      if (si.ssi_signo != SIGCHLD)
        return stop_all();
      int status;
      pid_t pid;
      while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
        on_child_exit(pid, status);
    }
  }
}

static int wait_for_go(void)
{
  struct json_object *msg = NULL;
  if (node_control_recv(control_fd, &msg) <= 0)
    return -1; /* EOF: nodelabd died before our set-up was complete */
  struct node_control_request r;
  struct lab_error *err = NULL;
  int ok = node_control_request_decode(msg, &r, &err) == 0 && r.op == NODE_CONTROL_GO;
  lab_error_clear(&err);
  node_control_request_release(&r);
  json_object_put(msg);
  return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
  struct init_args args;
  struct lab_error *err = NULL;
  if (init_args_parse(argc, argv, &args, &err) < 0) {
    fprintf(stderr, "%s\n", err->msg);
    return 2;
  }
  const char *name = args.name, *address = args.address;
  bool fabric = args.fabric;
  if (wait_for_go() < 0)
    return 1;
  fcntl(control_fd, F_SETFD, FD_CLOEXEC);

  if (sethostname(name, strlen(name)) < 0) {
    lab_error_errno(&err, "sethostname %s", name);
  } else if (setup_mounts(&err) == 0) {
    setup_network(fabric ? NULL : address, &err);
  }
  if (err != NULL) {
    send_event(&(struct node_control_event){.kind = NODE_CONTROL_ERROR, .message = err->msg});
    return 1;
  }
  send_event(&(struct node_control_event){.kind = NODE_CONTROL_READY});
  /* Our stdio was the coordinator's log; the node's daemons get their own. */
  fileio_stdio_to_devnull();
  return init_loop();
}
