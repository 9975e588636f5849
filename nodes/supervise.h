/* Supervision of the processes nodelabd starts: SIGCHLD through libevent,
 * each exit handed to the callback registered for that pid. */
#ifndef NODELAB_SUPERVISE_H
#define NODELAB_SUPERVISE_H

#include <sys/types.h>

struct event_base;

/* Called once when pid has exited; status as from waitpid(). */
typedef void supervise_exit_cb(pid_t pid, int status, void *arg);

/* Installs the SIGCHLD handler on base.  Returns 0, -1 on failure. */
int supervise_init(struct event_base *base);
void supervise_shutdown(void);

/* Watches pid (a child of ours) and calls cb when it exits. */
void supervise_watch(pid_t pid, supervise_exit_cb *cb, void *arg);

/* Stops watching pid (no callback will come). */
void supervise_forget(pid_t pid);

/* Blocks until child pid has exited and reaps it, without calling its callback;
 * used after SIGKILL when the caller must know the process is gone. */
void supervise_reap_now(pid_t pid);

#endif
