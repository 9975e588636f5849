/* A node's life after it was spawned: the events of its nodelab-init on the
 * control socket (proto/node-control.h), and its daemons started in order,
 * followed, and restarted when they die. */
#include "lab-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cleanup.h"
#include "log.h"
#include "node-control.h"
#include "scenario.h"
#include "tunnel.h"

LOG_MODULE(node);

#define NODE_DAEMON_MAX_RESTARTS 10

/* The lab is up once every node is running and every daemon has settled. */
void lab_check_ready(struct lab *lab)
{
  if (lab->state != LAB_STARTING)
    return;
  bool nodes_settled = true;
  for (size_t i = 0; i < lab->n_nodes; i++) {
    struct lab_node *node = &lab->nodes[i];
    bool settled = node->state == NODE_RUNNING;
    for (size_t j = 0; settled && j < node->n_daemons; j++)
      settled = node_daemon_settled(&node->daemons[j]);
    /* A node whose runtime serves gets its pods at once, whatever the others do. */
    if (settled && lab_node_has_runtime(node))
      lab_pods_start(node);
    nodes_settled = nodes_settled && settled;
  }
  if (lab->state == LAB_STARTING && nodes_settled && lab_pods_settled(lab))
    lab_finish_start(lab, NULL);
}

static void spawn_daemon(struct lab_node *node, struct node_daemon *d)
{
  struct node_control_request r = {
      .op = NODE_CONTROL_SPAWN, .name = d->name, .argv = d->argv, .log = d->log};
  if (node_control_send_request(node->proc.control_fd, &r) < 0)
    log_warn("node %s: cannot ask for %s: %s", node->spec->name, d->name, strerror(errno));
  d->state = DAEMON_STARTED; /* confirmed by "started", or undone by "spawn-failed" */
  lab_events_add(node->lab->events, "daemon-starting", d->object, "%s", d->argv[0]);
}

static void stamp(struct node_daemon *d)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  timefmt_iso(d->since, &ts, 3);
}

/* Starts every waiting daemon whose dependency is met. */
static void start_due_daemons(struct lab_node *node)
{
  for (size_t i = 0; i < node->n_daemons; i++) {
    struct node_daemon *d = &node->daemons[i];
    if (d->state != DAEMON_WAITING)
      continue;
    const struct node_daemon *dep = NULL;
    for (size_t j = 0; d->after != NULL && j < node->n_daemons; j++)
      if (strcmp(node->daemons[j].name, d->after) == 0)
        dep = &node->daemons[j];
    /* A dependency is met once it has done its work (oneshot), said it is
     * ready (notify), or at least runs. */
    int due = dep == NULL || (dep->oneshot ? dep->state == DAEMON_EXITED
                              : node_daemon_signals_ready(dep)
                                  ? dep->state == DAEMON_READY
                                  : dep->state == DAEMON_STARTED || dep->state == DAEMON_READY);
    if (due)
      spawn_daemon(node, d);
  }
}

void lab_node_start_due_daemons(struct lab_node *node)
{
  start_due_daemons(node);
}

#define READY_POLL_MS 10

/* Daemons that cannot notify are ready once their socket accepts a
 * connection: poll them every READY_POLL_MS while any is starting. */
static void on_ready_poll(evutil_socket_t fd, short what, void *arg)
{
  struct lab_node *node = arg;
  if (node->lab->state == LAB_STOPPING)
    return;
  bool pending = false;
  for (size_t i = 0; i < node->n_daemons; i++) {
    struct node_daemon *d = &node->daemons[i];
    if (d->ready_socket == NULL || d->state != DAEMON_STARTED)
      continue;
    struct lab_error *err = NULL;
    int sock = tunnel_connect_in_node(node->proc.pid, d->ready_socket, SOCK_STREAM, &err);
    lab_error_clear(&err);
    if (sock < 0) {
      pending = true;
      continue;
    }
    close(sock);
    d->state = DAEMON_READY;
    lab_events_add(node->lab->events, "daemon-ready", d->object, "%s answers", d->ready_socket);
    lab_progress(node->lab);
    start_due_daemons(node);
  }
  if (pending) {
    struct timeval tv = {0, READY_POLL_MS * 1000};
    evtimer_add(node->ready_poll, &tv);
  }
  lab_check_ready(node->lab);
}

static void poll_readiness(struct lab_node *node)
{
  if (node->ready_poll == NULL)
    node->ready_poll = evtimer_new(node->lab->base, on_ready_poll, node);
  if (!evtimer_pending(node->ready_poll, NULL)) {
    struct timeval tv = {0, 0};
    evtimer_add(node->ready_poll, &tv);
  }
}

void lab_node_events_free(struct lab_node *node)
{
  if (node->ready_poll != NULL)
    event_free(node->ready_poll);
  node->ready_poll = NULL;
}

static struct node_daemon *find_daemon(struct lab_node *node, const char *name)
{
  for (size_t i = 0; name != NULL && i < node->n_daemons; i++)
    if (strcmp(node->daemons[i].name, name) == 0)
      return &node->daemons[i];
  return NULL;
}

/* The last lines of a daemon's log file, read through the node's root: the
 * node may be gone by the time anyone could look. */
static void log_tail(pid_t node_pid, const char *log, char *buf, size_t size)
{
  char path[PATH_MAX];
  snprintf(path, sizeof path, "/proc/%d/root%s", (int)node_pid, log);
  snprintf(buf, size, "(no log)");
  cleanup_fclose FILE *f = fopen(path, "re");
  if (f == NULL || fseek(f, 0, SEEK_END) < 0)
    return;
  long end = ftell(f);
  long start = end > (long)size - 1 ? end - ((long)size - 1) : 0;
  fseek(f, start, SEEK_SET);
  size_t n = fread(buf, 1, size - 1, f);
  buf[n] = '\0';
  while (n > 0 && buf[n - 1] == '\n')
    buf[--n] = '\0';
  /* Start at a line boundary when the tail was cut. */
  char *nl = start > 0 ? strchr(buf, '\n') : NULL;
  if (nl != NULL)
    memmove(buf, nl + 1, strlen(nl + 1) + 1);
}

static void on_daemon_exit(struct lab_node *node, struct node_daemon *d, int status)
{
  d->pid = 0;
  d->last_status = status;
  stamp(d);
  int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (d->oneshot && ok) {
    d->state = DAEMON_EXITED;
    lab_events_add(node->lab->events, "daemon-done", d->object, "%s finished", d->name);
    lab_progress(node->lab);
    start_due_daemons(node);
    lab_check_ready(node->lab);
    return;
  }
  char tail[1024], why[PATH_MAX + 1200];
  log_tail(node->proc.pid, d->log, tail, sizeof tail);
  snprintf(why, sizeof why, "%s %s %d; the end of its log (%s in the node):\n%s", d->name,
           WIFSIGNALED(status) ? "was killed by signal" : "exited with status",
           WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), d->log, tail);
  lab_events_add(node->lab->events, "daemon-exited", d->object, "%s", why);
  /* Stopped on purpose (lab-services.c): it stays stopped, as a fault
   * stays until repaired, unless a restart asked for it again. */
  if (d->restart_pending) {
    d->restart_pending = false;
    d->paused = false;
    d->state = DAEMON_WAITING;
    lab_events_add(node->lab->events, "daemon-restarting", d->object, "restart asked for");
    start_due_daemons(node);
    return;
  }
  if (d->paused) {
    d->state = DAEMON_STOPPED;
    lab_events_add(node->lab->events, "daemon-stopped", d->object,
                   "stopped; its supervision is paused (nodelab service %s start %s)",
                   node->spec->name, d->name);
    return;
  }
  if (node->lab->state == LAB_STARTING) {
    d->state = DAEMON_FAILED;
    lab_node_failed(node, why);
    return;
  }
  /* Up and running: a long-running daemon that dies is reported and
   * restarted, unless it keeps dying. */
  if (d->restarts >= NODE_DAEMON_MAX_RESTARTS) {
    log_err("node %s: %s; restarted %d times already, giving up", node->spec->name, why,
            d->restarts);
    d->state = DAEMON_FAILED;
    lab_events_add(node->lab->events, "daemon-failed", d->object,
                   "restarted %d times already: given up", d->restarts);
    return;
  }
  log_warn("node %s: %s; restarting it", node->spec->name, why);
  lab_events_add(node->lab->events, "daemon-restarting", d->object, "restart %d", d->restarts + 1);
  d->restarts++;
  d->state = DAEMON_WAITING;
  start_due_daemons(node);
}

static void on_node_event(struct lab_node *node, const struct node_control_event *ev)
{
  struct node_daemon *d = find_daemon(node, ev->name);
  const char *message = ev->message ? ev->message : "";
  switch (ev->kind) {
  case NODE_CONTROL_READY:
    node->state = NODE_RUNNING;
    lab_events_add(node->lab->events, "node-ready", node->spec->name, "pid %d",
                   (int)node->proc.pid);
    lab_progress(node->lab);
    start_due_daemons(node);
    lab_check_ready(node->lab);
    return;
  case NODE_CONTROL_ERROR:
    lab_node_failed(node, message);
    return;
  default:
    break;
  }
  if (d == NULL) {
    log_warn("node %s: an event for unknown daemon %s", node->spec->name, ev->name);
    return;
  }
  switch (ev->kind) {
  case NODE_CONTROL_STARTED:
    d->pid = node_process_host_pid(&node->proc, ev->pid);
    stamp(d);
    lab_events_add(node->lab->events, "daemon-started", d->object, "pid %d", (int)d->pid);
    if (d->ready_socket != NULL)
      poll_readiness(node);
    start_due_daemons(node);
    lab_check_ready(node->lab);
    break;
  case NODE_CONTROL_NOTIFY:
    if (strcmp(message, "READY=1") == 0 && d->state == DAEMON_STARTED) {
      d->state = DAEMON_READY;
      lab_events_add(node->lab->events, "daemon-ready", d->object, "ready");
      lab_progress(node->lab);
      start_due_daemons(node);
      lab_check_ready(node->lab);
    }
    break;
  case NODE_CONTROL_SPAWN_FAILED: {
    d->state = DAEMON_FAILED;
    cleanup_free char *why = NULL;
    if (asprintf(&why, "cannot start %s: %s", d->name, message) < 0)
      abort();
    lab_node_failed(node, why);
    break;
  }
  case NODE_CONTROL_EXITED:
    on_daemon_exit(node, d, ev->status);
    break;
  case NODE_CONTROL_READY:
  case NODE_CONTROL_ERROR:
    break;
  }
}

void lab_on_node_control(evutil_socket_t fd, short what, void *arg)
{
  struct lab_node *node = arg;
  if (node->lab->state == LAB_STOPPING)
    return;
  struct json_object *msg = NULL;
  int rc = node_control_recv(fd, &msg);
  if (rc < 0 && errno == EAGAIN)
    return;
  if (rc <= 0) {
    /* nodelab-init is gone; on_node_exit tells the rest. */
    event_del(node->control_ev);
    return;
  }
  struct node_control_event ev;
  cleanup_error struct lab_error *err = NULL;
  if (node_control_event_decode(msg, &ev, &err) < 0)
    log_warn("node %s: %s", node->spec->name, err->msg);
  else
    on_node_event(node, &ev);
  json_object_put(msg);
}

void lab_on_node_exit(pid_t pid, int status, void *arg)
{
  struct lab_node *node = arg;
  node->exit_status = status;
  node->proc.pid = 0;
  log_warn("node %s (pid %d) exited with status %d", node->spec->name, (int)pid, status);
  lab_events_add(node->lab->events, "node-exited", node->spec->name, "its init (pid %d) exited",
                 (int)pid);
  if (node->state == NODE_STARTING) {
    lab_node_failed(node, "exited before it was ready");
  } else {
    node->state = NODE_EXITED;
  }
}
