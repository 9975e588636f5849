#include "supervise.h"
#include "xalloc.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <event2/event.h>

#include "log.h"

LOG_MODULE(supervise);

struct watch {
  pid_t pid;
  supervise_exit_cb *cb;
  void *arg;
  struct watch *next;
};

static struct watch *watches;
static struct event *sigchld_ev;

static struct watch *take_watch(pid_t pid)
{
  for (struct watch **w = &watches; *w != NULL; w = &(*w)->next) {
    if ((*w)->pid == pid) {
      struct watch *found = *w;
      *w = found->next;
      return found;
    }
  }
  return NULL;
}

static void on_sigchld(evutil_socket_t sig, short what, void *arg)
{
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    struct watch *w = take_watch(pid);
    if (w == NULL) {
      log_debug("reaped unwatched child %d", (int)pid);
      continue;
    }
    w->cb(pid, status, w->arg);
    free(w);
  }
}

int supervise_init(struct event_base *base)
{
  sigchld_ev = evsignal_new(base, SIGCHLD, on_sigchld, NULL);
  if (sigchld_ev == NULL || evsignal_add(sigchld_ev, NULL) < 0)
    return -1;
  return 0;
}

void supervise_shutdown(void)
{
  if (sigchld_ev != NULL)
    event_free(sigchld_ev);
  sigchld_ev = NULL;
  while (watches != NULL) {
    struct watch *w = watches;
    watches = w->next;
    free(w);
  }
}

void supervise_watch(pid_t pid, supervise_exit_cb *cb, void *arg)
{
  struct watch *w = xcalloc(1, sizeof *w);
  w->pid = pid;
  w->cb = cb;
  w->arg = arg;
  w->next = watches;
  watches = w;
}

void supervise_forget(pid_t pid)
{
  free(take_watch(pid));
}

void supervise_reap_now(pid_t pid)
{
  supervise_forget(pid);
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
    ;
}
