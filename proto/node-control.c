/* The node control channel's messages (node-control.h). */
#include "node-control.h"
#include "names.h"
#include "strv.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "json.h"
#include "rpc.h"

static const char *const op_names[] = {
    [NODE_CONTROL_GO] = "go",
    [NODE_CONTROL_SPAWN] = "spawn",
    [NODE_CONTROL_SIGNAL] = "signal",
};
static_assert(sizeof op_names / sizeof op_names[0] == NODE_CONTROL_SIGNAL + 1, "a name per op");

static const char *const event_names[] = {
    [NODE_CONTROL_READY] = "ready",
    [NODE_CONTROL_ERROR] = "error",
    [NODE_CONTROL_STARTED] = "started",
    [NODE_CONTROL_NOTIFY] = "notify",
    [NODE_CONTROL_SPAWN_FAILED] = "spawn-failed",
    [NODE_CONTROL_EXITED] = "exited",
};
static_assert(sizeof event_names / sizeof event_names[0] == NODE_CONTROL_EXITED + 1,
              "a name per event");

static int bad(struct lab_error **err, const char *what, const char *detail)
{
  lab_error_set(err, 0, "node control %s: %s", what, detail);
  if (err != NULL && *err != NULL)
    (*err)->errnum = EPROTO;
  return -1;
}

/* The tag of message o (what: "request" or "event"): the index in names of
 * the string at key.  Returns it, or -1 and *err when o is not an object or
 * the tag is missing or unknown. */
static int decode_tag(struct json_object *o, const char *what, const char *key,
                      const char *const *names, size_t n, struct lab_error **err)
{
  if (o == NULL || !json_object_is_type(o, json_type_object))
    return bad(err, what, "not a JSON object");
  const char *tag = json_get_str(o, key);
  int i = names_find(names, n, tag);
  if (i < 0) {
    char missing[32];
    snprintf(missing, sizeof missing, "no \"%s\"", key);
    return bad(err, what, tag != NULL ? tag : missing);
  }
  return i;
}

static struct json_object *strv_json(char *const *v)
{
  struct json_object *arr = json_object_new_array();
  for (size_t i = 0; v != NULL && v[i] != NULL; i++)
    json_object_array_add(arr, json_object_new_string(v[i]));
  return arr;
}

struct json_object *node_control_request_encode(const struct node_control_request *r)
{
  struct json_object *o = json_object_new_object();
  json_add_str(o, "op", op_names[r->op]);
  switch (r->op) {
  case NODE_CONTROL_GO:
    break;
  case NODE_CONTROL_SPAWN:
    json_add_str(o, "name", r->name);
    json_add_str(o, "log", r->log);
    json_object_object_add(o, "argv", strv_json(r->argv));
    if (r->env != NULL)
      json_object_object_add(o, "env", strv_json(r->env));
    break;
  case NODE_CONTROL_SIGNAL:
    json_add_str(o, "name", r->name);
    json_object_object_add(o, "signal", json_object_new_int(r->signal));
    break;
  }
  return o;
}

int node_control_request_decode(struct json_object *o, struct node_control_request *out,
                                struct lab_error **err)
{
  *out = (struct node_control_request){0};
  int i = decode_tag(o, "request", "op", op_names, sizeof op_names / sizeof op_names[0], err);
  if (i < 0)
    return -1;
  out->op = (enum node_control_op)i;
  out->name = json_get_str(o, "name");
  switch (out->op) {
  case NODE_CONTROL_GO:
    break;
  case NODE_CONTROL_SPAWN:
    out->log = json_get_str(o, "log");
    out->argv = json_get_strv(o, "argv");
    out->env = json_get_strv(o, "env");
    if (out->name == NULL || out->argv == NULL || out->argv[0] == NULL ||
        (out->env == NULL && json_object_object_get_ex(o, "env", NULL))) {
      node_control_request_release(out);
      return bad(err, "spawn", "needs a name and a non-empty argv of strings");
    }
    break;
  case NODE_CONTROL_SIGNAL:
    if (out->name == NULL)
      return bad(err, "signal", "needs a name");
    out->signal = (int)json_get_int(o, "signal", 15 /* SIGTERM */);
    break;
  }
  return 0;
}

void node_control_request_release(struct node_control_request *r)
{
  strv_free(r->argv);
  strv_free(r->env);
  r->argv = NULL;
  r->env = NULL;
}

struct json_object *node_control_event_encode(const struct node_control_event *e)
{
  struct json_object *o = json_object_new_object();
  json_add_str(o, "event", event_names[e->kind]);
  if (e->kind != NODE_CONTROL_READY && e->kind != NODE_CONTROL_ERROR)
    json_add_str(o, "name", e->name);
  switch (e->kind) {
  case NODE_CONTROL_READY:
    break;
  case NODE_CONTROL_ERROR:
  case NODE_CONTROL_NOTIFY:
  case NODE_CONTROL_SPAWN_FAILED:
    json_add_str(o, "message", e->message);
    break;
  case NODE_CONTROL_STARTED:
    json_object_object_add(o, "pid", json_object_new_int(e->pid));
    break;
  case NODE_CONTROL_EXITED:
    json_object_object_add(o, "pid", json_object_new_int(e->pid));
    json_object_object_add(o, "status", json_object_new_int(e->status));
    break;
  }
  return o;
}

int node_control_event_decode(struct json_object *o, struct node_control_event *out,
                              struct lab_error **err)
{
  *out = (struct node_control_event){0};
  int i =
      decode_tag(o, "event", "event", event_names, sizeof event_names / sizeof event_names[0], err);
  if (i < 0)
    return -1;
  const char *event = event_names[i];
  out->kind = (enum node_control_event_kind)i;
  out->name = json_get_str(o, "name");
  out->message = json_get_str(o, "message");
  out->pid = (pid_t)json_get_int(o, "pid", 0);
  out->status = (int)json_get_int(o, "status", -1);
  if (out->kind != NODE_CONTROL_READY && out->kind != NODE_CONTROL_ERROR && out->name == NULL)
    return bad(err, event, "no daemon name");
  return 0;
}

static int send_object(int fd, struct json_object *o)
{
  int rc = rpc_send(fd, o, NULL, 0);
  int saved = errno;
  json_object_put(o);
  errno = saved;
  return rc;
}

int node_control_send_request(int fd, const struct node_control_request *r)
{
  return send_object(fd, node_control_request_encode(r));
}

int node_control_send_event(int fd, const struct node_control_event *e)
{
  return send_object(fd, node_control_event_encode(e));
}

int node_control_recv(int fd, struct json_object **out)
{
  return rpc_recv(fd, out, NULL, 0, NULL);
}
