/* The REST API's messages (api.h): one encoder and one decoder each.  The
 * encoders add members in the order nodelabd always sent them, so the
 * replies read as before. */
#include "api.h"
#include "xalloc.h"
#include "names.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "json.h"

/* ---- states ---- */

static const char *const lab_state_names[] = {
    [API_LAB_STARTING] = "starting",
    [API_LAB_UP] = "up",
    [API_LAB_FAILED] = "failed",
    [API_LAB_STOPPING] = "stopping",
};
static_assert(sizeof lab_state_names / sizeof lab_state_names[0] == API_LAB_STOPPING + 1,
              "a name per lab state");

static const char *const node_state_names[] = {
    [API_NODE_STARTING] = "starting",
    [API_NODE_RUNNING] = "running",
    [API_NODE_EXITED] = "exited",
    [API_NODE_FAILED] = "failed",
};
static_assert(sizeof node_state_names / sizeof node_state_names[0] == API_NODE_FAILED + 1,
              "a name per node state");

static const char *const daemon_state_names[] = {
    [API_DAEMON_WAITING] = "waiting", [API_DAEMON_RUNNING] = "running",
    [API_DAEMON_READY] = "ready",     [API_DAEMON_EXITED] = "exited",
    [API_DAEMON_FAILED] = "failed",   [API_DAEMON_STOPPED] = "stopped",
};
static_assert(sizeof daemon_state_names / sizeof daemon_state_names[0] == API_DAEMON_STOPPED + 1,
              "a name per daemon state");

static const char *const pod_state_names[] = {
    [API_POD_PENDING] = "pending",
    [API_POD_STARTING] = "starting",
    [API_POD_RUNNING] = "running",
    [API_POD_FAILED] = "failed",
};
static_assert(sizeof pod_state_names / sizeof pod_state_names[0] == API_POD_FAILED + 1,
              "a name per pod state");

#define STATE_NAME(table, s) names_get(table, NAMES_N(table), s, "unknown")

const char *api_lab_state_name(enum api_lab_state s)
{
  return STATE_NAME(lab_state_names, s);
}

const char *api_node_state_name(enum api_node_state s)
{
  return STATE_NAME(node_state_names, s);
}

const char *api_daemon_state_name(enum api_daemon_state s)
{
  return STATE_NAME(daemon_state_names, s);
}

const char *api_pod_state_name(enum api_pod_state s)
{
  return STATE_NAME(pod_state_names, s);
}

/* Member key of o, one of names[0..n): its index (absent: 0), or -1 and *err. */
static int get_state(struct json_object *o, const char *key, const char *const *names, size_t n,
                     struct lab_error **err)
{
  const char *s = json_get_str(o, key);
  if (s == NULL)
    return 0;
  int i = names_find(names, n, s);
  return i >= 0 ? i : lab_error_set(err, 0, "unknown %s \"%s\"", key, s);
}

/* Sets the enum *out from member key; evaluates to 0, or -1 and *err. */
#define GET_STATE(o, key, table, out, err)                                                         \
  __extension__({                                                                                  \
    int i_ = get_state(o, key, table, sizeof table / sizeof table[0], err);                        \
    if (i_ >= 0)                                                                                   \
      *(out) = i_;                                                                                 \
    i_ < 0 ? -1 : 0;                                                                               \
  })

/* ---- helpers ---- */

static int not_object(struct json_object *o, const char *what, struct lab_error **err)
{
  if (o != NULL && json_object_is_type(o, json_type_object))
    return 0;
  lab_error_set(err, 0, "%s: not a JSON object", what);
  if (err != NULL && *err != NULL)
    (*err)->errnum = EPROTO;
  return -1;
}

static int protocol_error(struct lab_error **err, const char *what)
{
  lab_error_wrap(err, "%s", what);
  if (err != NULL && *err != NULL)
    (*err)->errnum = EPROTO;
  return -1;
}

/* A string member, null when value is NULL (as nodelabd always sent it). */
static void add_str_or_null(struct json_object *o, const char *key, const char *value)
{
  json_object_object_add(o, key, value != NULL ? json_object_new_string(value) : NULL);
}

/* A string member that is always there: "" for NULL. */
static void add_str(struct json_object *o, const char *key, const char *value)
{
  json_object_object_add(o, key, json_object_new_string(value != NULL ? value : ""));
}

static void add_int(struct json_object *o, const char *key, int64_t v)
{
  json_object_object_add(o, key, json_object_new_int64(v));
}

/* The array at key (absent: empty): n elements of size bytes in *arr, each
 * filled by decode.  Returns 0, or -1 and *err. */
static int decode_array(struct json_object *o, const char *key, size_t size, void **arr, size_t *n,
                        int (*decode)(struct json_object *e, void *out, struct lab_error **err),
                        struct lab_error **err)
{
  *arr = NULL;
  *n = 0;
  struct json_object *a = NULL;
  if (!json_object_object_get_ex(o, key, &a) || a == NULL)
    return 0;
  if (!json_object_is_type(a, json_type_array))
    return lab_error_set(err, 0, "\"%s\" is not an array", key);
  size_t len = json_object_array_length(a);
  char *v = xcalloc(len, size);
  for (size_t i = 0; i < len; i++) {
    struct json_object *e = json_object_array_get_idx(a, i);
    if (not_object(e, key, err) < 0 || decode(e, v + i * size, err) < 0) {
      free(v);
      return -1;
    }
  }
  *arr = v;
  *n = len;
  return 0;
}

/* ---- small replies ---- */

struct json_object *api_error_encode(const struct api_error *m)
{
  struct json_object *o = json_object_new_object();
  add_str(o, "error", m->error);
  return o;
}

int api_error_decode(struct json_object *o, struct api_error *out, struct lab_error **err)
{
  *out = (struct api_error){0};
  if (not_object(o, "error reply", err) < 0)
    return -1;
  out->error = json_get_str(o, "error");
  return 0;
}

struct json_object *api_version_encode(const struct api_version *m)
{
  struct json_object *o = json_object_new_object();
  add_str(o, "version", m->version);
  add_int(o, "pid", m->pid);
  return o;
}

int api_version_decode(struct json_object *o, struct api_version *out, struct lab_error **err)
{
  *out = (struct api_version){0};
  if (not_object(o, "version reply", err) < 0)
    return -1;
  out->version = json_get_str(o, "version");
  out->pid = json_get_int(o, "pid", 0);
  return 0;
}

struct json_object *api_deleted_encode(const struct api_deleted *m)
{
  struct json_object *o = json_object_new_object();
  add_str(o, "name", m->name);
  json_object_object_add(o, "removed", json_object_new_boolean(m->removed));
  return o;
}

int api_deleted_decode(struct json_object *o, struct api_deleted *out, struct lab_error **err)
{
  *out = (struct api_deleted){0};
  if (not_object(o, "delete reply", err) < 0)
    return -1;
  out->name = json_get_str(o, "name");
  out->removed = json_get_bool(o, "removed", false);
  return 0;
}

/* ---- POST /v1/labs ---- */

struct json_object *api_lab_create_encode(const struct api_lab_create *m)
{
  struct json_object *o = json_object_new_object();
  json_add_str(o, "file", m->file);
  json_add_str(o, "yaml", m->yaml);
  json_add_str(o, "name", m->name);
  return o;
}

int api_lab_create_decode(struct json_object *o, struct api_lab_create *out, struct lab_error **err)
{
  *out = (struct api_lab_create){0};
  if (not_object(o, "request body", err) < 0)
    return -1;
  out->file = json_get_str(o, "file");
  out->yaml = json_get_str(o, "yaml");
  out->name = json_get_str(o, "name");
  return 0;
}

/* ---- LAB_SUMMARY ---- */

struct json_object *api_lab_summary_encode(const struct api_lab_summary *m)
{
  struct json_object *o = json_object_new_object();
  add_str(o, "name", m->name);
  add_str(o, "scenario", m->scenario);
  add_str(o, "state", api_lab_state_name(m->state));
  add_int(o, "nodes", m->nodes);
  add_int(o, "pods", m->pods);
  add_str(o, "created", m->created);
  return o;
}

int api_lab_summary_decode(struct json_object *o, struct api_lab_summary *out,
                           struct lab_error **err)
{
  *out = (struct api_lab_summary){0};
  if (not_object(o, "lab", err) < 0)
    return -1;
  out->name = json_get_str(o, "name");
  out->scenario = json_get_str(o, "scenario");
  out->nodes = json_get_int(o, "nodes", 0);
  out->pods = json_get_int(o, "pods", 0);
  out->created = json_get_str(o, "created");
  if (GET_STATE(o, "state", lab_state_names, &out->state, err) < 0)
    return protocol_error(err, "lab");
  return 0;
}

static int summary_decode_cb(struct json_object *e, void *out, struct lab_error **err)
{
  return api_lab_summary_decode(e, out, err);
}

struct json_object *api_labs_encode(const struct api_labs *m)
{
  struct json_object *arr = json_object_new_array();
  for (size_t i = 0; i < m->n_labs; i++)
    json_object_array_add(arr, api_lab_summary_encode(&m->labs[i]));
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "labs", arr);
  return o;
}

int api_labs_decode(struct json_object *o, struct api_labs *out, struct lab_error **err)
{
  *out = (struct api_labs){0};
  if (not_object(o, "labs reply", err) < 0)
    return -1;
  if (json_get_array(o, "labs") == NULL) {
    lab_error_set(err, 0, "no \"labs\" array in the reply");
    if (err != NULL && *err != NULL)
      (*err)->errnum = EPROTO;
    return -1;
  }
  if (decode_array(o, "labs", sizeof *out->labs, (void **)&out->labs, &out->n_labs,
                   summary_decode_cb, err) < 0)
    return protocol_error(err, "labs");
  return 0;
}

void api_labs_release(struct api_labs *m)
{
  free(m->labs);
  *m = (struct api_labs){0};
}

/* ---- LAB_STATUS ---- */

static struct json_object *daemon_encode(const struct api_daemon *d)
{
  struct json_object *o = json_object_new_object();
  add_str(o, "name", d->name);
  add_str(o, "state", api_daemon_state_name(d->state));
  add_int(o, "pid", d->pid);
  add_int(o, "restarts", d->restarts);
  add_int(o, "last_status", d->last_status);
  add_str(o, "log", d->log);
  return o;
}

static int daemon_decode(struct json_object *o, void *arg, struct lab_error **err)
{
  struct api_daemon *d = arg;
  d->name = json_get_str(o, "name");
  d->pid = json_get_int(o, "pid", 0);
  d->restarts = json_get_int(o, "restarts", 0);
  d->last_status = json_get_int(o, "last_status", -1);
  d->log = json_get_str(o, "log");
  return GET_STATE(o, "state", daemon_state_names, &d->state, err);
}

static struct json_object *node_encode(const struct api_node *n)
{
  struct json_object *o = json_object_new_object();
  add_str(o, "name", n->name);
  add_str(o, "state", api_node_state_name(n->state));
  add_int(o, "pid", n->pid);
  add_int(o, "starttime", n->starttime);
  add_str(o, "hostname", n->hostname);
  add_str(o, "underlay", n->underlay);
  add_str(o, "subnet", n->subnet);
  add_str(o, "cgroup", n->cgroup);
  struct json_object *daemons = json_object_new_array();
  for (size_t i = 0; i < n->n_daemons; i++)
    json_object_array_add(daemons, daemon_encode(&n->daemons[i]));
  json_object_object_add(o, "daemons", daemons);
  return o;
}

static int node_decode(struct json_object *o, void *arg, struct lab_error **err)
{
  struct api_node *n = arg;
  n->name = json_get_str(o, "name");
  n->pid = json_get_int(o, "pid", 0);
  n->starttime = json_get_int(o, "starttime", 0);
  n->hostname = json_get_str(o, "hostname");
  n->underlay = json_get_str(o, "underlay");
  n->subnet = json_get_str(o, "subnet");
  n->cgroup = json_get_str(o, "cgroup");
  if (GET_STATE(o, "state", node_state_names, &n->state, err) < 0)
    return -1;
  return decode_array(o, "daemons", sizeof *n->daemons, (void **)&n->daemons, &n->n_daemons,
                      daemon_decode, err);
}

static struct json_object *container_encode(const struct api_container *c)
{
  struct json_object *o = json_object_new_object();
  add_str(o, "id", c->id);
  add_str(o, "name", c->name);
  add_str(o, "state", c->state);
  if (c->has_process) {
    add_int(o, "pid", c->pid);
    add_int(o, "exit_code", c->exit_code);
    json_object_object_add(o, "oom_killed", json_object_new_boolean(c->oom_killed));
  }
  return o;
}

static int container_decode(struct json_object *o, void *arg, struct lab_error **err)
{
  struct api_container *c = arg;
  c->id = json_get_str(o, "id");
  c->name = json_get_str(o, "name");
  c->state = json_get_str(o, "state");
  c->has_process = json_object_object_get_ex(o, "pid", NULL);
  c->pid = json_get_int(o, "pid", 0);
  c->exit_code = json_get_int(o, "exit_code", 0);
  c->oom_killed = json_get_bool(o, "oom_killed", false);
  return 0;
}

static struct json_object *pod_encode(const struct api_pod *p)
{
  struct json_object *o = json_object_new_object();
  add_str(o, "name", p->name);
  add_str(o, "node", p->node);
  add_str(o, "state", api_pod_state_name(p->state));
  json_add_str(o, "error", p->error);
  if (p->has_info) {
    add_str_or_null(o, "ip", p->ip);
    add_str(o, "infra_id", p->infra_id);
    add_int(o, "infra_pid", p->infra_pid);
    add_str(o, "created", p->created);
  }
  struct json_object *ctrs = json_object_new_array();
  for (size_t i = 0; i < p->n_containers; i++)
    json_object_array_add(ctrs, container_encode(&p->containers[i]));
  json_object_object_add(o, "containers", ctrs);
  if (p->has_infra_host_pid)
    add_int(o, "infra_host_pid", p->infra_host_pid);
  return o;
}

static int pod_decode(struct json_object *o, void *arg, struct lab_error **err)
{
  struct api_pod *p = arg;
  p->name = json_get_str(o, "name");
  p->node = json_get_str(o, "node");
  p->error = json_get_str(o, "error");
  p->has_info = json_object_object_get_ex(o, "infra_pid", NULL);
  p->ip = json_get_str(o, "ip");
  p->infra_id = json_get_str(o, "infra_id");
  p->infra_pid = json_get_int(o, "infra_pid", 0);
  p->created = json_get_str(o, "created");
  p->has_infra_host_pid = json_object_object_get_ex(o, "infra_host_pid", NULL);
  p->infra_host_pid = json_get_int(o, "infra_host_pid", 0);
  if (GET_STATE(o, "state", pod_state_names, &p->state, err) < 0)
    return -1;
  return decode_array(o, "containers", sizeof *p->containers, (void **)&p->containers,
                      &p->n_containers, container_decode, err);
}

static int link_decode(struct json_object *o, void *arg, struct lab_error **err)
{
  struct api_link *l = arg;
  l->node = json_get_str(o, "node");
  l->ifname = json_get_str(o, "ifname");
  l->peer = json_get_str(o, "peer");
  l->bridge = json_get_str(o, "bridge");
  l->address = json_get_str(o, "address");
  return 0;
}

static int fault_decode(struct json_object *o, void *arg, struct lab_error **err)
{
  struct api_fault *f = arg;
  f->name = json_get_str(o, "name");
  f->kind = json_get_str(o, "kind");
  f->node = json_get_str(o, "node");
  f->state = json_get_str(o, "state");
  return 0;
}

static const char *const check_result_names[] = {
    [API_CHECK_PASSED] = "passed",
    [API_CHECK_FAILED] = "failed",
};

const char *api_check_result_name(enum api_check_result r)
{
  return (unsigned)r < sizeof check_result_names / sizeof check_result_names[0]
             ? check_result_names[r]
             : "?";
}

struct json_object *api_check_encode(const struct api_check *c)
{
  struct json_object *x = json_object_new_object();
  add_str(x, "name", c->name);
  add_str(x, "kind", c->kind);
  add_str(x, "from", c->from);
  add_str(x, "to", c->to);
  add_str(x, "result", api_check_result_name(c->result));
  if (c->expect_fail)
    json_object_object_add(x, "expectFail", json_object_new_boolean(true));
  if (c->latency_ms >= 0) { /* to the microsecond: "0.067" */
    char text[32];
    snprintf(text, sizeof text, "%.3f", c->latency_ms);
    json_object_object_add(x, "latencyMs", json_object_new_double_s(strtod(text, NULL), text));
  }
  add_str(x, "reason", c->reason);
  add_str(x, "time", c->time);
  return x;
}

static int check_decode(struct json_object *o, void *arg, struct lab_error **err)
{
  struct api_check *c = arg;
  c->name = json_get_str(o, "name");
  c->kind = json_get_str(o, "kind");
  c->from = json_get_str(o, "from");
  c->to = json_get_str(o, "to");
  c->expect_fail = json_get_bool(o, "expectFail", false);
  struct json_object *l;
  c->latency_ms = -1;
  if (json_object_object_get_ex(o, "latencyMs", &l) &&
      (json_object_is_type(l, json_type_double) || json_object_is_type(l, json_type_int)))
    c->latency_ms = json_object_get_double(l);
  c->reason = json_get_str(o, "reason");
  c->time = json_get_str(o, "time");
  return GET_STATE(o, "result", check_result_names, &c->result, err);
}

int api_check_decode(struct json_object *o, struct api_check *out, struct lab_error **err)
{
  *out = (struct api_check){0};
  if (not_object(o, "check", err) < 0)
    return -1;
  if (check_decode(o, out, err) < 0)
    return protocol_error(err, "check");
  return 0;
}

struct json_object *api_lab_status_encode(const struct api_lab_status *m)
{
  struct json_object *o = json_object_new_object();
  add_str(o, "name", m->name);
  add_str(o, "scenario", m->scenario);
  add_str(o, "state", api_lab_state_name(m->state));
  struct json_object *nodes = json_object_new_array();
  for (size_t i = 0; i < m->n_nodes; i++)
    json_object_array_add(nodes, node_encode(&m->nodes[i]));
  json_object_object_add(o, "nodes", nodes);
  struct json_object *pods = json_object_new_array();
  for (size_t i = 0; i < m->n_pods; i++)
    json_object_array_add(pods, pod_encode(&m->pods[i]));
  json_object_object_add(o, "pods", pods);
  add_str(o, "created", m->created);
  add_str(o, "description", m->description);
  add_str(o, "file", m->file);
  add_str(o, "cgroup_mode", m->cgroup_mode);
  struct json_object *links = json_object_new_array();
  for (size_t i = 0; i < m->n_links; i++) {
    const struct api_link *l = &m->links[i];
    struct json_object *x = json_object_new_object();
    add_str(x, "node", l->node);
    add_str(x, "ifname", l->ifname);
    add_str(x, "peer", l->peer);
    add_str(x, "bridge", l->bridge);
    add_str(x, "address", l->address);
    json_object_array_add(links, x);
  }
  json_object_object_add(o, "links", links);
  struct json_object *fabric = json_object_new_object();
  add_int(fabric, "pid", m->fabric.pid);
  add_int(fabric, "starttime", m->fabric.starttime);
  add_str(fabric, "bridge", m->fabric.bridge);
  json_object_object_add(o, "fabric", fabric);
  struct json_object *faults = json_object_new_array();
  for (size_t i = 0; i < m->n_faults; i++) {
    const struct api_fault *f = &m->faults[i];
    struct json_object *x = json_object_new_object();
    add_str(x, "name", f->name);
    add_str(x, "kind", f->kind);
    add_str(x, "node", f->node);
    add_str(x, "state", f->state);
    json_object_array_add(faults, x);
  }
  json_object_object_add(o, "faults", faults);
  struct json_object *checks = json_object_new_array();
  for (size_t i = 0; i < m->n_checks; i++)
    json_object_array_add(checks, api_check_encode(&m->checks[i]));
  json_object_object_add(o, "checks", checks);
  return o;
}

int api_lab_status_decode(struct json_object *o, struct api_lab_status *out, struct lab_error **err)
{
  *out = (struct api_lab_status){0};
  if (not_object(o, "lab status", err) < 0)
    return -1;
  out->name = json_get_str(o, "name");
  out->scenario = json_get_str(o, "scenario");
  out->created = json_get_str(o, "created");
  out->description = json_get_str(o, "description");
  out->file = json_get_str(o, "file");
  out->cgroup_mode = json_get_str(o, "cgroup_mode");
  struct json_object *fabric = json_get_object(o, "fabric");
  out->fabric.pid = json_get_int(fabric, "pid", 0);
  out->fabric.starttime = json_get_int(fabric, "starttime", 0);
  out->fabric.bridge = json_get_str(fabric, "bridge");
  if (GET_STATE(o, "state", lab_state_names, &out->state, err) < 0 ||
      decode_array(o, "nodes", sizeof *out->nodes, (void **)&out->nodes, &out->n_nodes, node_decode,
                   err) < 0 ||
      decode_array(o, "pods", sizeof *out->pods, (void **)&out->pods, &out->n_pods, pod_decode,
                   err) < 0 ||
      decode_array(o, "links", sizeof *out->links, (void **)&out->links, &out->n_links, link_decode,
                   err) < 0 ||
      decode_array(o, "faults", sizeof *out->faults, (void **)&out->faults, &out->n_faults,
                   fault_decode, err) < 0 ||
      decode_array(o, "checks", sizeof *out->checks, (void **)&out->checks, &out->n_checks,
                   check_decode, err) < 0) {
    api_lab_status_release(out);
    return protocol_error(err, "lab status");
  }
  return 0;
}

void api_lab_status_release(struct api_lab_status *m)
{
  for (size_t i = 0; m->nodes != NULL && i < m->n_nodes; i++)
    free(m->nodes[i].daemons);
  for (size_t i = 0; m->pods != NULL && i < m->n_pods; i++)
    free(m->pods[i].containers);
  free(m->nodes);
  free(m->pods);
  free(m->links);
  free(m->faults);
  free(m->checks);
  *m = (struct api_lab_status){0};
}

/* ---- POST /v1/labs/LAB/checks ---- */

struct json_object *api_check_run_encode(const struct api_check_run *m)
{
  struct json_object *o = json_object_new_object();
  struct json_object *a = json_object_new_array();
  for (size_t i = 0; m->names != NULL && m->names[i] != NULL; i++)
    json_object_array_add(a, json_object_new_string(m->names[i]));
  json_object_object_add(o, "names", a);
  return o;
}

int api_check_run_decode(struct json_object *o, struct api_check_run *out, struct lab_error **err)
{
  *out = (struct api_check_run){0};
  if (not_object(o, "check request", err) < 0)
    return -1;
  struct json_object *a = NULL;
  if (!json_object_object_get_ex(o, "names", &a) || a == NULL)
    return 0;
  size_t n = json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
  for (size_t i = 0; i < n; i++) {
    if (!json_object_is_type(json_object_array_get_idx(a, i), json_type_string))
      a = NULL;
  }
  if (a == NULL || !json_object_is_type(a, json_type_array)) {
    lab_error_set(err, 0, "check request: \"names\" is not a list of check names");
    if (err != NULL && *err != NULL)
      (*err)->errnum = EPROTO;
    return -1;
  }
  out->names = calloc(n + 1, sizeof *out->names);
  if (out->names == NULL)
    abort();
  for (size_t i = 0; i < n; i++)
    out->names[i] = json_object_get_string(json_object_array_get_idx(a, i));
  return 0;
}

void api_check_run_release(struct api_check_run *m)
{
  free(m->names);
  *m = (struct api_check_run){0};
}

struct json_object *api_check_results_encode(const struct api_check_results *m)
{
  struct json_object *o = json_object_new_object();
  struct json_object *a = json_object_new_array();
  for (size_t i = 0; i < m->n_checks; i++)
    json_object_array_add(a, api_check_encode(&m->checks[i]));
  json_object_object_add(o, "checks", a);
  add_int(o, "passed", m->passed);
  add_int(o, "failed", m->failed);
  return o;
}

int api_check_results_decode(struct json_object *o, struct api_check_results *out,
                             struct lab_error **err)
{
  *out = (struct api_check_results){0};
  if (not_object(o, "check reply", err) < 0)
    return -1;
  out->passed = json_get_int(o, "passed", 0);
  out->failed = json_get_int(o, "failed", 0);
  if (decode_array(o, "checks", sizeof *out->checks, (void **)&out->checks, &out->n_checks,
                   check_decode, err) < 0)
    return protocol_error(err, "check reply");
  return 0;
}

void api_check_results_release(struct api_check_results *m)
{
  free(m->checks);
  *m = (struct api_check_results){0};
}

/* ---- events ---- */

struct json_object *api_event_encode(const struct api_event *m)
{
  struct json_object *o = json_object_new_object();
  add_int(o, "seq", m->seq);
  add_str(o, "time", m->time);
  add_str(o, "kind", m->kind);
  add_str_or_null(o, "object", m->object);
  add_str(o, "message", m->message);
  return o;
}

static int event_decode(struct json_object *o, void *arg, struct lab_error **err)
{
  struct api_event *e = arg;
  e->seq = json_get_int(o, "seq", 0);
  e->time = json_get_str(o, "time");
  e->kind = json_get_str(o, "kind");
  e->object = json_get_str(o, "object");
  e->message = json_get_str(o, "message");
  return 0;
}

struct json_object *api_events_encode(const struct api_events *m)
{
  struct json_object *arr = json_object_new_array();
  for (size_t i = 0; i < m->n_events; i++)
    json_object_array_add(arr, api_event_encode(&m->events[i]));
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "events", arr);
  add_int(o, "next", m->next);
  return o;
}

int api_events_decode(struct json_object *o, struct api_events *out, struct lab_error **err)
{
  *out = (struct api_events){0};
  if (not_object(o, "events reply", err) < 0)
    return -1;
  out->next = json_get_int(o, "next", 0);
  if (decode_array(o, "events", sizeof *out->events, (void **)&out->events, &out->n_events,
                   event_decode, err) < 0)
    return protocol_error(err, "events reply");
  return 0;
}

void api_events_release(struct api_events *m)
{
  free(m->events);
  *m = (struct api_events){0};
}
