/* The daemons every node runs, and their state as nodelabd sees it.
 *
 * The plan is a table (start order, dependencies, readiness) built for one
 * node of one scenario; nodelab-init starts each entry when nodelabd asks
 * (proto/node-control.h), and nodelabd follows each through its events:
 * waiting -> started -> ready (for those that notify) -> exited, with
 * restarts of long-running daemons that die. */
#ifndef NODELAB_NODE_DAEMONS_H
#define NODELAB_NODE_DAEMONS_H

#include <stdbool.h>
#include <sys/types.h>

#include "api.h"
#include "timefmt.h"

struct json_object;
struct scenario;
struct scenario_node;

/* The API's daemon states (proto/api.h): "started" is what it calls running. */
enum node_daemon_state {
  DAEMON_WAITING = API_DAEMON_WAITING,
  DAEMON_STARTED = API_DAEMON_RUNNING,
  DAEMON_READY = API_DAEMON_READY,
  DAEMON_EXITED = API_DAEMON_EXITED,
  DAEMON_FAILED = API_DAEMON_FAILED,
  DAEMON_STOPPED = API_DAEMON_STOPPED /* on purpose: its supervision is paused */
};

struct node_daemon {
  char *name;
  char *object; /* "node/name", as events name it */
  char **argv;  /* NULL-terminated, owned */
  char *log;    /* log file inside the node */
  char *after; /* start once this daemon is started (or, if oneshot, has exited 0); NULL: at once */
  bool oneshot;       /* runs to completion (exit 0 = done) */
  bool notify;        /* sends READY=1 on $NODELAB_NOTIFY_FD; the lab is up only after it */
  char *ready_socket; /* or: ready once this unix socket (a path inside the node) accepts a
                         connection, for daemons that cannot notify (ovsdb-server) */
  enum node_daemon_state state;
  pid_t pid; /* host pid while running, else 0 */
  int restarts;
  int last_status; /* waitpid() status of the last exit, -1 before any */
  /* Supervision (nodes/lab-services.c): paused, nothing restarts it when it
   * exits (nodelab service stop, fault daemon-kill); restart_pending: once
   * it has exited, it is started again (nodelab service restart). */
  bool paused;
  bool restart_pending;
  char since[TIMEFMT_ISO_LEN]; /* when it last started or exited, "" before */
};

/* The daemons node `node` of lab `lab` (scenario sc) runs, in start order,
 * with their command lines (proto/daemon-args.h), using the helper binaries
 * paths_find_binary() finds (a binary that is not built is not planned).
 * Returns a malloc'd array in *out of *n. */
void node_daemons_plan(const struct scenario *sc, const char *lab, const struct scenario_node *node,
                       struct node_daemon **out, size_t *n);
void node_daemons_free(struct node_daemon *d, size_t n);

/* True when the daemon says when it is ready (notify or ready_socket). */
bool node_daemon_signals_ready(const struct node_daemon *d);

/* True when the daemon needs nothing more for the node to count as up. */
bool node_daemon_settled(const struct node_daemon *d);

#endif
