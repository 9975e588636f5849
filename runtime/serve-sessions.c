/* Attached processes (run without -d, exec): the worker gives the process
 * the client's stdio or a pty, relays resizes, and sends the exit event. */
#include "serve-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>

#include "json.h"
#include "rpc.h"
#include "syscalls.h"

int serve_lookup_target(struct server *sv, const char *pod, const char *key, struct container **out,
                        struct lab_error **err)
{
  if (pod == NULL) {
    if (key == NULL)
      return lab_error_set(err, 0, "\"container\": missing");
    return container_lookup(sv->store, key, out, err);
  }
  char path[PATH_MAX];
  if (serve_pod_record_path(sv, pod, path, sizeof path, err) < 0)
    return -1;
  struct json_object *rec = json_object_from_file(path), *ctrs;
  if (rec == NULL)
    return lab_error_set(err, ENOENT, "pod %s: no such pod", pod);
  int rc = lab_error_set(err, ENOENT, "pod %s has no container%s%s", pod, key ? " " : "",
                         key ? key : "");
  if (json_object_object_get_ex(rec, "containers", &ctrs) &&
      json_object_is_type(ctrs, json_type_array)) {
    for (size_t i = 0; i < json_object_array_length(ctrs); i++) {
      struct json_object *x = json_object_array_get_idx(ctrs, i);
      const char *name = json_get_str(x, "name"), *id = json_get_str(x, "id");
      if (id == NULL || (key != NULL && (name == NULL || strcmp(name, key) != 0)))
        continue;
      lab_error_clear(err);
      rc = container_lookup(sv->store, id, out, err);
      break;
    }
  }
  json_object_put(rec);
  return rc;
}

void serve_ignore_signal(int sig)
{
  (void)sig;
}

/* Sets up the worker's stdio for the process: the client's three fds, or a
 * new pty whose slave becomes our controlling terminal (the process inherits
 * both).  *master is the pty master (tty) or -1. */
static int attach_stdio(bool tty, const struct rt_rpc_winsize *ws, const int *fds, size_t n_fds,
                        pid_t in_ctr, int *master, struct lab_error **err)
{
  *master = -1;
  if (!tty) {
    if (n_fds != 3)
      return lab_error_set(err, 0, "an attached process needs 3 fds (stdin, stdout, stderr)");
    for (int i = 0; i < 3; i++)
      if (dup2(fds[i], i) < 0)
        return lab_error_errno(err, "dup2");
    return 0;
  }
  /* For exec, the pty comes from the container's own devpts, so that inside
   * it the terminal has a name (/dev/pts/N) as with podman. */
  char ptmx[64] = "/dev/ptmx", slave_path[96];
  if (in_ctr > 0)
    snprintf(ptmx, sizeof ptmx, "/proc/%d/root/dev/pts/ptmx", (int)in_ctr);
  int m = open(ptmx, O_RDWR | O_NOCTTY | O_CLOEXEC);
  int unlock = 0, ptn = -1;
  if (m < 0 || ioctl(m, TIOCSPTLCK, &unlock) < 0 || ioctl(m, TIOCGPTN, &ptn) < 0) {
    lab_error_errno(err, "allocating a pty (%s)", ptmx);
    if (m >= 0)
      close(m);
    return -1;
  }
  if (in_ctr > 0)
    snprintf(slave_path, sizeof slave_path, "/proc/%d/root/dev/pts/%d", (int)in_ctr, ptn);
  else
    snprintf(slave_path, sizeof slave_path, "/dev/pts/%d", ptn);
  int slave = open(slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) {
    close(m);
    return lab_error_errno(err, "opening the pty slave");
  }
  if (ws != NULL) {
    struct winsize w = {.ws_row = (unsigned short)ws->rows, .ws_col = (unsigned short)ws->cols};
    ioctl(slave, TIOCSWINSZ, &w);
  }
  /* The worker leads a new session whose terminal is the slave: the
   * process, in our process group, is its foreground job. */
  setsid();
  if (ioctl(slave, TIOCSCTTY, 0) < 0) {
    close(slave);
    close(m);
    return lab_error_errno(err, "TIOCSCTTY");
  }
  for (int i = 0; i < 3; i++)
    dup2(slave, i);
  close(slave);
  /* The terminal's signals (^C, ^Z, hangup) are the process's, not ours;
   * handlers, unlike SIG_IGN, do not survive its exec. */
  struct sigaction sa = {.sa_handler = serve_ignore_signal};
  static const int sigs[] = {SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGHUP};
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
    sigaction(sigs[i], &sa, NULL);
  *master = m;
  return 0;
}

/* Relays resize messages and waits for pid (our child) to exit, or for the
 * client to go away (then the process is killed).  Returns the wait status;
 * *gone tells the client closed the connection. */
static int session_wait(int conn, pid_t pid, bool reap, bool *gone)
{
  *gone = false;
  int pidfd = sys_pidfd_open(pid, 0);
  for (;;) {
    struct pollfd p[2] = {{.fd = conn, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
    int r = poll(p, pidfd >= 0 ? 2 : 1, pidfd >= 0 ? -1 : 100);
    if (r < 0 && errno != EINTR)
      break;
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      struct json_object *m = NULL;
      int got = rpc_recv(conn, &m, NULL, 0, NULL);
      if (got <= 0 && !(got < 0 && (errno == EAGAIN || errno == EBADMSG))) {
        *gone = true;
        kill(pid, SIGKILL);
        break;
      }
      enum rt_rpc_op op;
      struct rt_rpc_winsize ws;
      struct lab_error *e = NULL;
      if (m != NULL && rt_rpc_op_from_json(m, &op, &e) == 0 && op == RT_OP_RESIZE &&
          rt_rpc_resize_from_json(m, &ws, &e) == 0) {
        struct winsize w = {.ws_row = (unsigned short)ws.rows, .ws_col = (unsigned short)ws.cols};
        ioctl(0, TIOCSWINSZ, &w); /* a no-op without a terminal */
      }
      lab_error_clear(&e); /* anything else while the process runs is ignored */
      json_object_put(m);
    }
    if (pidfd >= 0 && (p[1].revents & POLLIN))
      break;
    if (pidfd < 0 && waitid(P_PID, (id_t)pid, &(siginfo_t){0}, WEXITED | WNOHANG | WNOWAIT) == 0)
      break; /* without pidfds: poll every 100 ms */
  }
  if (pidfd >= 0)
    close(pidfd);
  int status = 0;
  if (reap)
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
      ;
  return status;
}

static void send_exit(int conn, int code)
{
  serve_send_reply(conn, rt_rpc_exit_to_json(&(struct rt_rpc_exit){.status = code}), NULL, 0);
}

/* run without detach: this worker is the container's parent (its monitor). */
void serve_run_attached(struct server *sv, int conn, const struct rt_rpc_run *run,
                        struct container *c, const int *fds, size_t n_fds)
{
  struct lab_error *err = NULL;
  int master = -1;
  if (attach_stdio(run->tty, run->has_winsize ? &run->winsize : NULL, fds, n_fds, 0, &master,
                   &err) < 0 ||
      container_start(sv->store, c, false, &err) < 0) {
    struct lab_error *e = NULL;
    if (serve_remove_container(sv, c, true, &e) < 0)
      lab_error_clear(&e);
    serve_send_error(conn, &err);
    return;
  }
  serve_send_reply(conn, serve_reply_ctr(c), &master, master >= 0 ? 1 : 0);
  if (master >= 0)
    close(master);
  bool gone;
  session_wait(conn, container_pid(c), false, &gone);
  int code = 255;
  if (container_wait(sv->store, c, &err) < 0)
    lab_error_clear(&err);
  else
    code = container_exit_code(c);
  /* the terminal's buffered output is the client's before the exit event */
  if (!gone)
    send_exit(conn, code);
  if (run->rm) {
    if (serve_remove_container(sv, c, true, &err) < 0)
      lab_error_clear(&err);
  } else {
    container_free(c);
  }
}

void serve_exec(struct server *sv, int conn, struct json_object *req, const int *fds, size_t n_fds)
{
  struct lab_error *err = NULL;
  struct container *c = NULL;
  struct rt_rpc_exec x = {0};
  int master = -1;
  if (rt_rpc_exec_from_json(req, &x, &err) < 0 ||
      serve_lookup_target(sv, x.pod, x.container, &c, &err) < 0 ||
      attach_stdio(x.tty, x.has_winsize ? &x.winsize : NULL, fds, n_fds, container_pid(c), &master,
                   &err) < 0)
    goto fail;
  pid_t pid;
  if (container_exec_spawn(sv->store, c, (const char *const *)x.command, &pid, &err) < 0)
    goto fail;
  struct rt_rpc_ctr_reply r = {
      .id = (char *)container_id(c), .name = (char *)container_name(c), .pid = pid};
  serve_send_reply(conn, rt_rpc_ctr_reply_to_json(&r), &master, master >= 0 ? 1 : 0);
  if (master >= 0)
    close(master);
  bool gone;
  int status = session_wait(conn, pid, true, &gone);
  if (!gone)
    send_exit(conn, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  rt_rpc_exec_clear(&x);
  container_free(c);
  return;
fail:
  if (master >= 0)
    close(master);
  rt_rpc_exec_clear(&x);
  container_free(c);
  serve_send_error(conn, &err);
}
