#include "probe-runner.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "cleanup.h"
#include "log.h"
#include "probe.h"
#include "syscalls.h"

LOG_MODULE(probe);

extern char **environ;

/* The helper prints one line of a few hundred bytes; more is not ours. */
#define HELPER_OUT_MAX 16384
#define HELPER_ERR_MAX 1024

struct probe_job {
  struct probe_job *next;
  pid_t pid;
  int pidfd;          /* -1 without pidfds */
  int out_fd, err_fd; /* read ends of the helper's stdout and stderr */
  struct event *out_ev, *exit_ev, *deadline_ev, *reap_ev;
  char out[HELPER_OUT_MAX + 1];
  size_t out_len;
  bool out_eof, exited, status_known, reported, killed;
  int status;
  int reap_delay_ms;
  int limit_ms; /* the deadline, from the start */
  probe_done_cb *cb;
  void *arg;
};

static struct probe_job *jobs;

size_t probe_runner_pending(void)
{
  size_t n = 0;
  for (struct probe_job *j = jobs; j != NULL; j = j->next)
    n++;
  return n;
}

static void job_free(struct probe_job *job)
{
  for (struct probe_job **p = &jobs; *p != NULL; p = &(*p)->next) {
    if (*p == job) {
      *p = job->next;
      break;
    }
  }
  struct event *evs[] = {job->out_ev, job->exit_ev, job->deadline_ev, job->reap_ev};
  for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++) {
    if (evs[i] != NULL)
      event_free(evs[i]);
  }
  cleanup_close_fn(&job->out_fd);
  cleanup_close_fn(&job->err_fd);
  cleanup_close_fn(&job->pidfd);
  free(job);
}

/* Reaps the helper when it has exited.  ECHILD: another waitpid(-1) (the
 * supervisor's) took it, and with it the status. */
static void try_reap(struct probe_job *job)
{
  if (job->exited)
    return;
  int status;
  pid_t p;
  while ((p = waitpid(job->pid, &status, WNOHANG)) < 0 && errno == EINTR)
    ;
  if (p == job->pid) {
    job->exited = true;
    job->status_known = true;
    job->status = status;
  } else if (p < 0) {
    job->exited = true;
  }
}

static void kill_helper(struct probe_job *job)
{
  if (job->exited || job->killed)
    return;
  job->killed = true;
  if (job->pidfd >= 0)
    (void)sys_pidfd_send_signal(job->pidfd, SIGKILL); /* ESRCH: already gone */
  else
    (void)kill(job->pid, SIGKILL);
}

static void report(struct probe_job *job, const struct probe_result *r)
{
  job->reported = true;
  job->cb(r, job->arg);
}

/* The first line of what the helper wrote on stderr, or "". */
static void read_stderr(struct probe_job *job, char *buf, size_t size)
{
  ssize_t n = read(job->err_fd, buf, size - 1);
  buf[n > 0 ? n : 0] = '\0';
  buf[strcspn(buf, "\n")] = '\0';
}

/* The verdict of a helper that has exited and closed its stdout. */
static void report_exit(struct probe_job *job)
{
  struct probe_result r;
  bool clean = !job->status_known || (WIFEXITED(job->status) && WEXITSTATUS(job->status) == 0);
  cleanup_error struct lab_error *err = NULL;
  job->out[job->out_len] = '\0';
  if (clean && job->out_len > 0 && probe_result_from_text(job->out, &r, &err) == 0) {
    report(job, &r);
    return;
  }
  char msg[HELPER_ERR_MAX];
  read_stderr(job, msg, sizeof msg);
  if (msg[0] != '\0')
    probe_result_fail(&r, "%s", msg);
  else if (job->status_known && WIFSIGNALED(job->status))
    probe_result_fail(&r, "probe helper killed by signal %d", WTERMSIG(job->status));
  else if (job->status_known && WEXITSTATUS(job->status) != 0)
    probe_result_fail(&r, "probe helper exited with status %d", WEXITSTATUS(job->status));
  else if (err != NULL)
    probe_result_fail(&r, "probe helper: %s", err->msg);
  else
    probe_result_fail(&r, "probe helper wrote no result");
  report(job, &r);
}

/* Moves the job on after any event; frees it once reported and reaped. */
static void progress(struct probe_job *job)
{
  if (!job->exited && job->pidfd < 0 && (job->out_eof || job->killed)) {
    try_reap(job);
    if (!job->exited) { /* it closed stdout and is exiting: look again soon */
      struct timeval tv = {0, job->reap_delay_ms * 1000};
      if (job->reap_delay_ms < 64)
        job->reap_delay_ms *= 2;
      evtimer_add(job->reap_ev, &tv);
      return;
    }
  }
  if (job->exited && job->out_eof && !job->reported)
    report_exit(job);
  if (job->exited && job->reported)
    job_free(job);
}

static void on_out(evutil_socket_t fd, short what, void *arg)
{
  struct probe_job *job = arg;
  for (;;) {
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == EAGAIN)
      return;
    if (n <= 0)
      break;
    size_t keep =
        (size_t)n < HELPER_OUT_MAX - job->out_len ? (size_t)n : HELPER_OUT_MAX - job->out_len;
    memcpy(job->out + job->out_len, buf, keep);
    job->out_len += keep;
  }
  job->out_eof = true;
  event_del(job->out_ev);
  progress(job);
}

static void on_exit_ready(evutil_socket_t fd, short what, void *arg)
{
  struct probe_job *job = arg;
  try_reap(job);
  if (!job->exited)
    return; /* not yet: the pidfd stays readable, this event persists */
  event_del(job->exit_ev);
  progress(job);
}

static void on_reap_timer(evutil_socket_t fd, short what, void *arg)
{
  progress(arg);
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
  struct probe_job *job = arg;
  if (!job->reported) {
    kill_helper(job);
    char dur[PROBE_DURATION_LEN];
    struct probe_result r;
    probe_result_fail(&r, "probe helper did not finish in %s",
                      probe_duration_format(job->limit_ms, dur));
    report(job, &r);
  }
  progress(job);
}

static int spawn_helper(const char *binary, char *const argv[], int out_w, int err_w, pid_t *pid,
                        struct lab_error **err)
{
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  sigset_t none, dflt;
  sigemptyset(&none);
  sigemptyset(&dflt);
  static const int reset[] = {SIGPIPE, SIGCHLD, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2};
  for (size_t i = 0; i < sizeof reset / sizeof reset[0]; i++)
    sigaddset(&dflt, reset[i]);
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out_w, 1);
  posix_spawn_file_actions_adddup2(&fa, err_w, 2);
#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 34)
  /* Every fd of ours is O_CLOEXEC; closefrom makes sure of it for the rest. */
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &dflt);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  int rc = posix_spawn(pid, binary, &fa, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0)
    return lab_error_set(err, rc, "spawning %s", binary);
  return 0;
}

int probe_runner_start(struct event_base *base, const char *probe_binary, pid_t netns_pid,
                       const struct probe_spec *spec, probe_done_cb *cb, void *arg,
                       struct lab_error **err)
{
  if (probe_spec_validate(spec, err) < 0)
    return -1;
  struct json_object *o = probe_spec_to_json(spec);
  cleanup_free char *spec_json = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
  json_object_put(o);
  if (spec_json == NULL)
    abort();

  cleanup_close int out_r = -1, out_w = -1, err_r = -1, err_w = -1;
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0)
    return lab_error_errno(err, "pipe for a probe helper");
  out_r = p[0];
  out_w = p[1];
  if (pipe2(p, O_CLOEXEC) < 0)
    return lab_error_errno(err, "pipe for a probe helper");
  err_r = p[0];
  err_w = p[1];
  if (fcntl(out_r, F_SETFL, O_NONBLOCK) < 0 || fcntl(err_r, F_SETFL, O_NONBLOCK) < 0)
    return lab_error_errno(err, "making a probe helper's pipe non-blocking");

  char pidbuf[16];
  snprintf(pidbuf, sizeof pidbuf, "%d", (int)netns_pid);
  char *argv[6];
  int argc = 0;
  argv[argc++] = (char *)probe_binary;
  if (netns_pid > 0) {
    argv[argc++] = (char *)(spec->kind == PROBE_EXEC ? "--pid" : "--netns-pid");
    argv[argc++] = pidbuf;
  }
  argv[argc++] = spec_json;
  argv[argc] = NULL;

  struct probe_job *job = xcalloc(1, sizeof *job);
  *job = (struct probe_job){.pidfd = -1,
                            .out_fd = -1,
                            .err_fd = -1,
                            .reap_delay_ms = 1,
                            .limit_ms = spec->timeout_ms + PROBE_RUNNER_MARGIN_MS,
                            .cb = cb,
                            .arg = arg};
  if (spawn_helper(probe_binary, argv, out_w, err_w, &job->pid, err) < 0) {
    free(job);
    return -1;
  }
  /* The child is ours from here on: it is reaped whatever fails below. */
  job->next = jobs;
  jobs = job;
  job->out_fd = steal_fd(&out_r);
  job->err_fd = steal_fd(&err_r);
  job->pidfd = sys_pidfd_open(job->pid, 0);
  if (job->pidfd >= 0)
    (void)fcntl(job->pidfd, F_SETFD, FD_CLOEXEC); /* pidfds are; say so anyway */

  job->out_ev = event_new(base, job->out_fd, EV_READ | EV_PERSIST, on_out, job);
  job->deadline_ev = evtimer_new(base, on_deadline, job);
  job->reap_ev = evtimer_new(base, on_reap_timer, job);
  if (job->pidfd >= 0)
    job->exit_ev = event_new(base, job->pidfd, EV_READ | EV_PERSIST, on_exit_ready, job);
  struct timeval limit = {job->limit_ms / 1000, (job->limit_ms % 1000) * 1000};
  if (job->out_ev == NULL || job->deadline_ev == NULL || job->reap_ev == NULL ||
      (job->pidfd >= 0 && job->exit_ev == NULL) || event_add(job->out_ev, NULL) < 0 ||
      (job->exit_ev != NULL && event_add(job->exit_ev, NULL) < 0) ||
      evtimer_add(job->deadline_ev, &limit) < 0) {
    int e = errno;
    kill_helper(job);
    while (waitpid(job->pid, NULL, 0) < 0 && errno == EINTR)
      ;
    job_free(job);
    return lab_error_set(err, e, "watching a probe helper");
  }
  log_debug("probe helper %d: %s", (int)job->pid, spec_json);
  return 0;
}

void probe_runner_shutdown(void)
{
  while (jobs != NULL) {
    struct probe_job *job = jobs;
    kill_helper(job);
    if (!job->exited) {
      while (waitpid(job->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    }
    job_free(job);
  }
}
