#include "node-daemons.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "api.h"
#include "scenario.h"

static const char *const state_names[] = {"waiting", "started", "ready", "exited", "failed"};

void node_daemons_plan(const struct scenario *sc, const char *lab, const struct scenario_node *node,
                       const char *bindir, struct node_daemon **out, size_t *n)
{
  *out = NULL;
  *n = 0;
  /* The runtime joins the plan with its daemon mode (`nodelab-runtime serve`). */
  (void)sc;
  (void)lab;
  (void)node;
  (void)bindir;
}

void node_daemons_free(struct node_daemon *d, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    for (char **a = d[i].argv; a != NULL && *a != NULL; a++)
      free(*a);
    free(d[i].argv);
    free(d[i].name);
    free(d[i].log);
    free(d[i].after);
  }
  free(d);
}

bool node_daemon_settled(const struct node_daemon *d)
{
  if (d->oneshot)
    return d->state == DAEMON_EXITED;
  return d->notify ? d->state == DAEMON_READY : d->state == DAEMON_STARTED || d->state == DAEMON_READY;
}

struct json_object *node_daemon_json(const struct node_daemon *d)
{
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "name", json_object_new_string(d->name));
  json_object_object_add(o, "state", json_object_new_string(state_names[d->state]));
  json_object_object_add(o, "pid", json_object_new_int(d->pid));
  json_object_object_add(o, "restarts", json_object_new_int(d->restarts));
  json_object_object_add(o, "last_status", json_object_new_int(d->last_status));
  json_object_object_add(o, "log", json_object_new_string(d->log));
  return o;
}
