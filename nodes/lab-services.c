/* A node's daemons as services: status, start, stop, restart, as systemctl
 * does for units.  nodelabd supervises them (node-events.c restarts one
 * that dies); a stop pauses that (d->paused: the exit leaves it stopped),
 * a start resumes it and asks the node's init to spawn it exactly as at up
 * (the same argv, log and readiness: node-events.c's spawn).  The fault
 * engine's daemon-kill is a stop with SIGKILL. */
#include "lab-services.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "api-service.h"
#include "api.h"
#include "cleanup.h"
#include "lab-internal.h"
#include "log.h"
#include "scenario.h"
#include "xalloc.h"

LOG_MODULE(services);

static struct lab_node *find_node(struct lab *lab, const char *name, struct lab_error **err)
{
  char list[512] = "";
  size_t len = 0;
  for (size_t i = 0; i < lab->n_nodes; i++) {
    if (name != NULL && strcmp(lab->nodes[i].spec->name, name) == 0)
      return &lab->nodes[i];
    if (len < sizeof list)
      len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "",
                              lab->nodes[i].spec->name);
  }
  lab_error_refuse(err, ENOENT, "lab %s has no node %s (its nodes: %s)", lab->name,
                   name ? name : "(none)", list);
  return NULL;
}

static struct node_daemon *find_daemon(struct lab_node *node, const char *name,
                                       struct lab_error **err)
{
  char list[512] = "";
  size_t len = 0;
  for (size_t i = 0; i < node->n_daemons; i++) {
    if (name != NULL && strcmp(node->daemons[i].name, name) == 0)
      return &node->daemons[i];
    if (!node->daemons[i].oneshot && len < sizeof list)
      len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "",
                              node->daemons[i].name);
  }
  lab_error_refuse(err, ENOENT, "node %s has no service %s (its services: %s)", node->spec->name,
                   name ? name : "(none)", list[0] ? list : "none");
  return NULL;
}

static struct node_daemon *lookup(struct lab *lab, const char *node, const char *daemon,
                                  struct lab_node **n, struct lab_error **err)
{
  *n = find_node(lab, node, err);
  return *n == NULL ? NULL : find_daemon(*n, daemon, err);
}

/* pid runs and is not a zombie its parent (the node's init) has yet to reap. */
static bool alive(pid_t pid)
{
  if (pid <= 0 || kill(pid, 0) < 0)
    return false;
  char path[64], buf[256];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  cleanup_fclose FILE *f = fopen(path, "re");
  if (f == NULL || fgets(buf, sizeof buf, f) == NULL)
    return false;
  const char *paren = strrchr(buf, ')');
  return paren != NULL && paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X';
}

static bool is_running(const struct node_daemon *d)
{
  return (d->state == DAEMON_STARTED || d->state == DAEMON_READY) && alive(d->pid);
}

int lab_daemon_running(struct lab *lab, const char *node, const char *daemon, bool *running,
                       struct lab_error **err)
{
  struct lab_node *n;
  struct node_daemon *d = lookup(lab, node, daemon, &n, err);
  if (d == NULL)
    return -1;
  *running = is_running(d);
  return 0;
}

int lab_daemon_stop(struct lab *lab, const char *node, const char *daemon, int sig,
                    struct lab_error **err)
{
  struct lab_node *n;
  struct node_daemon *d = lookup(lab, node, daemon, &n, err);
  if (d == NULL)
    return -1;
  if (d->oneshot)
    return lab_error_refuse(
        err, EINVAL, "%s on node %s is a step of the node's start, not a service", daemon, node);
  d->paused = true;
  d->restart_pending = false;
  if (d->pid > 0 && (d->state == DAEMON_STARTED || d->state == DAEMON_READY)) {
    if (kill(d->pid, sig) < 0 && errno != ESRCH)
      return lab_error_errno(err, "%s on node %s: kill %d", daemon, node, (int)d->pid);
    log_info("node %s: %s (pid %d) sent signal %d, supervision paused", node, daemon, (int)d->pid,
             sig);
    /* Its exit event (node-events.c) marks it stopped. */
  } else {
    d->state = DAEMON_STOPPED;
    lab_events_add(lab->events, "daemon-stopped", d->object,
                   "stopped before it ran; its supervision is paused");
  }
  return 0;
}

int lab_daemon_start(struct lab *lab, const char *node, const char *daemon, struct lab_error **err)
{
  struct lab_node *n;
  struct node_daemon *d = lookup(lab, node, daemon, &n, err);
  if (d == NULL)
    return -1;
  if (d->oneshot)
    return lab_error_refuse(
        err, EINVAL, "%s on node %s is a step of the node's start, not a service", daemon, node);
  if (n->state != NODE_RUNNING)
    return lab_error_refuse(err, ESRCH, "node %s is not running", node);
  d->paused = false;
  if (d->state == DAEMON_STARTED || d->state == DAEMON_READY) {
    /* Running, or killed with its exit not reported yet: then start it again then. */
    d->restart_pending = !alive(d->pid);
    return 0;
  }
  d->state = DAEMON_WAITING;
  lab_events_add(lab->events, "daemon-starting", d->object, "asked for: supervision resumed");
  lab_node_start_due_daemons(n);
  return 0;
}

static int restart(struct lab *lab, const char *node, const char *daemon, struct lab_error **err)
{
  struct lab_node *n;
  struct node_daemon *d = lookup(lab, node, daemon, &n, err);
  if (d == NULL)
    return -1;
  if (!is_running(d))
    return lab_daemon_start(lab, node, daemon, err);
  if (lab_daemon_stop(lab, node, daemon, SIGTERM, err) < 0)
    return -1;
  d->restart_pending = true; /* started again by its exit event */
  return 0;
}

struct json_object *lab_services_get(struct lab *lab, const char *node, int *code)
{
  cleanup_error struct lab_error *err = NULL;
  struct lab_node *n = find_node(lab, node, &err);
  if (n == NULL) {
    *code = 404;
    return api_error_encode(&(struct api_error){.error = err->msg});
  }
  struct api_services m = {.node = n->spec->name,
                           .services = xcalloc(n->n_daemons, sizeof *m.services),
                           .n_services = n->n_daemons};
  for (size_t i = 0; i < n->n_daemons; i++) {
    const struct node_daemon *d = &n->daemons[i];
    m.services[i] = (struct api_service){.name = d->name,
                                         .state = (enum api_daemon_state)d->state,
                                         .pid = d->pid,
                                         .restarts = d->restarts,
                                         .since = d->since,
                                         .supervised = !d->paused,
                                         .oneshot = d->oneshot};
  }
  struct json_object *o = api_services_encode(&m);
  free(m.services);
  *code = 200;
  return o;
}

struct json_object *lab_services_act(struct lab *lab, const char *node, const char *daemon,
                                     const char *action, int *code)
{
  cleanup_error struct lab_error *err = NULL;
  enum api_service_action a;
  int rc;
  if (api_service_action_parse(action, &a, &err) < 0) {
    *code = 400;
  } else if (lab->state != LAB_UP) {
    lab_error_set(&err, 0, "lab %s is not up (it is %s)", lab->name,
                  api_lab_state_name((enum api_lab_state)lab->state));
    *code = 409;
  } else {
    switch (a) {
    case API_SERVICE_STOP:
      rc = lab_daemon_stop(lab, node, daemon, SIGTERM, &err);
      break;
    case API_SERVICE_START:
      rc = lab_daemon_start(lab, node, daemon, &err);
      break;
    default:
      rc = restart(lab, node, daemon, &err);
      break;
    }
    if (rc == 0) {
      log_info("lab %s: service %s on node %s: %s", lab->name, daemon, node, action);
      return lab_services_get(lab, node, code);
    }
    *code = err->errnum == ENOENT ? 404 : err->errnum == EINVAL ? 400 : 409;
  }
  return api_error_encode(&(struct api_error){.error = err->msg});
}
