/* exec probes: a command's exit status, in a node (every namespace of its
 * init, entered here) or in a container (through the node's runtime, which
 * applies the container's cgroup, seccomp filter, capabilities and label).
 * Runs in the nodelab-probe helper, which may block: every wait is a poll
 * bounded by the probe's one deadline. */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cleanup.h"
#include "paths.h"
#include "probe-internal.h"
#include "rpc.h"
#include "runtime-rpc.h"

#define EXEC_OUTPUT_MAX 4096
#define EXEC_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static double now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* What the command left: its output (first EXEC_OUTPUT_MAX bytes). */
struct exec_out {
  char buf[EXEC_OUTPUT_MAX + 1];
  size_t len;
};

/* Reads what is there on fd; returns 0 at EOF, 1 when more may come. */
static int drain(int fd, struct exec_out *o)
{
  char tmp[1024];
  for (;;) {
    ssize_t n = read(fd, tmp, sizeof tmp);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == EAGAIN)
      return 1;
    if (n <= 0)
      return 0;
    size_t keep = (size_t)n < EXEC_OUTPUT_MAX - o->len ? (size_t)n : EXEC_OUTPUT_MAX - o->len;
    memcpy(o->buf + o->len, tmp, keep);
    o->len += keep;
  }
}

/* The verdict of an exit status (as a shell reports it). */
static void verdict(struct probe_result *r, int status, const struct exec_out *o, double ms)
{
  *r = (struct probe_result){.ok = status == 0, .latency_ms = ms};
  char line[PROBE_REASON_MAX - 48]; /* room for "killed by signal NN: " */
  size_t i = 0, n = 0;
  while (i < o->len && (o->buf[i] == '\n' || o->buf[i] == ' '))
    i++;
  for (; i < o->len && o->buf[i] != '\n' && n < sizeof line - 1; i++)
    line[n++] = (o->buf[i] < ' ' || o->buf[i] == 0x7f) ? ' ' : o->buf[i];
  line[n] = '\0';
  const char *what = status > 128 && status < 128 + 65 ? "killed by signal" : "exit status";
  int code = status > 128 && status < 128 + 65 ? status - 128 : status;
  if (status == 0 || line[0] == '\0')
    snprintf(r->reason, sizeof r->reason, "%s %d", what, code);
  else
    snprintf(r->reason, sizeof r->reason, "%s %d: %s", what, code, line);
}

static int shell_status(int wstatus)
{
  if (WIFEXITED(wstatus))
    return WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus))
    return 128 + WTERMSIG(wstatus);
  return 255;
}

static int remaining_ms(double deadline)
{
  double left = deadline - now_ms();
  return left <= 0 ? 0 : (int)left + 1;
}

static void timed_out(struct probe_result *r, int timeout_ms)
{
  char dur[PROBE_DURATION_LEN];
  probe_result_fail(r, "command did not finish in %s", probe_duration_format(timeout_ms, dur));
}

/* ---- in a node: every namespace of its init ---- */

static const struct {
  const char *name;
  int type;
  bool optional;
} node_namespaces[] = {
    {"cgroup", CLONE_NEWCGROUP, true}, {"ipc", CLONE_NEWIPC, false}, {"uts", CLONE_NEWUTS, false},
    {"net", CLONE_NEWNET, false},      {"pid", CLONE_NEWPID, false}, {"mnt", CLONE_NEWNS, false},
};
#define N_NAMESPACES (sizeof node_namespaces / sizeof node_namespaces[0])

static int enter_node(pid_t pid, struct lab_error **err)
{
  int fds[N_NAMESPACES];
  char path[64];
  int rc = 0;
  for (size_t i = 0; i < N_NAMESPACES; i++)
    fds[i] = -1;
  snprintf(path, sizeof path, "/proc/%d/root", (int)pid);
  cleanup_close int root = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return lab_error_set(err, errno == ENOENT ? ESRCH : errno, "open %s", path);
  for (size_t i = 0; i < N_NAMESPACES && rc == 0; i++) {
    snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)pid, node_namespaces[i].name);
    fds[i] = open(path, O_RDONLY | O_CLOEXEC);
    if (fds[i] < 0 && !(node_namespaces[i].optional && errno == ENOENT))
      rc = lab_error_errno(err, "open %s", path);
  }
  for (size_t i = 0; i < N_NAMESPACES && rc == 0; i++) {
    if (fds[i] >= 0 && setns(fds[i], node_namespaces[i].type) < 0)
      rc = lab_error_errno(err, "setns /proc/%d/ns/%s", (int)pid, node_namespaces[i].name);
  }
  for (size_t i = 0; i < N_NAMESPACES; i++)
    cleanup_close_fn(&fds[i]);
  if (rc < 0)
    return -1;
  if (fchdir(root) < 0 || chroot(".") < 0 || chdir("/") < 0)
    return lab_error_errno(err, "entering the root of process %d", (int)pid);
  return 0;
}

static int exec_in_node(pid_t pid, const struct probe_spec *spec, struct probe_result *r,
                        struct lab_error **err)
{
  double start = now_ms(), deadline = start + spec->timeout_ms;
  if (pid > 0 && enter_node(pid, err) < 0)
    return -1;
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0)
    return lab_error_errno(err, "pipe");
  cleanup_close int out_r = p[0], out_w = p[1];
  pid_t child = fork();
  if (child < 0)
    return lab_error_errno(err, "fork");
  if (child == 0) {
    setpgid(0, 0);
    if (chdir("/") < 0)
      _exit(126);
    int null = open("/dev/null", O_RDONLY);
    if (null < 0 || dup2(null, 0) < 0 || dup2(out_w, 1) < 0 || dup2(out_w, 2) < 0)
      _exit(127);
    char *envp[] = {(char *)"PATH=" EXEC_PATH, (char *)"HOME=/", (char *)"TERM=dumb", NULL};
    execvpe(spec->exec.argv[0], spec->exec.argv, envp);
    fprintf(stderr, "%s: %s\n", spec->exec.argv[0], strerror(errno));
    _exit(errno == ENOENT ? 127 : 126);
  }
  setpgid(child, child); /* either side may win the race; both set it */
  cleanup_close_fn(&out_w);
  (void)fcntl(out_r, F_SETFL, O_NONBLOCK);
  struct exec_out o = {0};
  int open_out = 1, status = -1;
  while (status < 0) {
    int ws;
    pid_t w = waitpid(child, &ws, WNOHANG);
    if (w == child) {
      status = shell_status(ws);
      break;
    }
    int left = remaining_ms(deadline);
    if (left == 0) {
      kill(-child, SIGKILL);
      kill(child, SIGKILL);
      while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
        ;
      timed_out(r, spec->timeout_ms);
      return 0;
    }
    if (open_out) {
      struct pollfd pfd = {.fd = out_r, .events = POLLIN};
      if (poll(&pfd, 1, left) > 0)
        open_out = drain(out_r, &o);
    } else { /* output closed: wait for the exit, a little at a time */
      struct timespec ts = {0, 2 * 1000 * 1000};
      nanosleep(&ts, NULL);
    }
  }
  if (open_out)
    (void)drain(out_r, &o);
  kill(-child, SIGKILL); /* what the command left behind in its group */
  verdict(r, status, &o, now_ms() - start);
  return 0;
}

/* ---- in a container: the runtime's exec ---- */

static int exec_in_container(pid_t pid, const struct probe_spec *spec, struct probe_result *r,
                             struct lab_error **err)
{
  double start = now_ms(), deadline = start + spec->timeout_ms;
  char sock[128];
  if (pid > 0)
    snprintf(sock, sizeof sock, "/proc/%d/root%s", (int)pid, NODE_RUNTIME_SOCKET);
  else
    snprintf(sock, sizeof sock, "%s", NODE_RUNTIME_SOCKET);
  cleanup_close int fd = rpc_connect(sock, err);
  if (fd < 0)
    return -1;
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0)
    return lab_error_errno(err, "pipe");
  cleanup_close int out_r = p[0], out_w = p[1];
  cleanup_close int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null < 0)
    return lab_error_errno(err, "open /dev/null");
  struct rt_rpc_exec x = {
      .pod = spec->exec.pod, .container = spec->exec.container, .command = spec->exec.argv};
  struct json_object *req = rt_rpc_exec_to_json(&x);
  int fds[3] = {null, out_w, out_w};
  int rc = rpc_send(fd, req, fds, 3);
  json_object_put(req);
  if (rc < 0)
    return lab_error_errno(err, "exec request to %s", sock);
  cleanup_close_fn(&out_w);
  cleanup_close_fn(&null);
  (void)fcntl(out_r, F_SETFL, O_NONBLOCK);
  struct exec_out o = {0};
  bool replied = false, open_out = true;
  int status = -1;
  while (status < 0) {
    int left = remaining_ms(deadline);
    if (left == 0) {
      timed_out(r, spec->timeout_ms); /* closing the connection kills the process */
      return 0;
    }
    struct pollfd pfd[2] = {{.fd = fd, .events = POLLIN},
                            {.fd = open_out ? out_r : -1, .events = POLLIN}};
    if (poll(pfd, 2, left) <= 0)
      continue;
    if (pfd[1].revents != 0)
      open_out = drain(out_r, &o) != 0;
    if (pfd[0].revents == 0)
      continue;
    struct json_object *msg = NULL;
    int got = rpc_recv(fd, &msg, NULL, 0, NULL);
    if (got <= 0) {
      return lab_error_set(err, got == 0 ? EPIPE : errno, "the runtime closed the exec of %s",
                           spec->exec.argv[0]);
    }
    if (!replied) {
      replied = true;
      struct json_object *ok;
      if (!json_object_object_get_ex(msg, "ok", &ok) || !json_object_get_boolean(ok)) {
        struct json_object *e;
        const char *why =
            json_object_object_get_ex(msg, "error", &e) ? json_object_get_string(e) : "refused";
        probe_result_fail(r, "exec: %s", why);
        json_object_put(msg);
        return 0;
      }
      json_object_put(msg);
      continue;
    }
    struct rt_rpc_exit ex;
    cleanup_error struct lab_error *e = NULL;
    int is_exit = rt_rpc_exit_from_json(msg, &ex, &e);
    json_object_put(msg);
    if (is_exit < 0)
      return lab_error_set(err, EPROTO, "the runtime's exit event: %s", e->msg);
    if (is_exit == 1)
      status = ex.status;
  }
  /* The output may trail the exit event by a moment. */
  while (open_out) {
    struct pollfd pfd = {.fd = out_r, .events = POLLIN};
    int left = remaining_ms(deadline);
    if (left > 200)
      left = 200;
    if (poll(&pfd, 1, left) <= 0)
      break;
    open_out = drain(out_r, &o) != 0;
  }
  verdict(r, status, &o, now_ms() - start);
  return 0;
}

int probe_exec_run(pid_t pid, const struct probe_spec *spec, struct probe_result *r,
                   struct lab_error **err)
{
  *r = (struct probe_result){.latency_ms = -1};
  if (spec->kind != PROBE_EXEC)
    return lab_error_set(err, EINVAL, "not an exec probe");
  if (probe_spec_validate(spec, err) < 0)
    return -1;
  if (spec->exec.pod != NULL)
    return exec_in_container(pid, spec, r, err);
  return exec_in_node(pid, spec, r, err);
}
