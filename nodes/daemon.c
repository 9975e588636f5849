#include "daemon.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <json-c/json.h>

#include "api-web.h"
#include "api.h"
#include "cleanup.h"
#include "lab.h"
#include "lab-state.h"
#include "lab-events.h"
#include "lab-exercises.h"
#include "lab-graph.h"
#include "web.h"
#include "lab-faults.h"
#include "lab-pod-ops.h"
#include "lab-services.h"
#include "ledger.h"
#include "log.h"
#include "paths.h"
#include "probe-runner.h"
#include "scenario.h"
#include "supervise.h"
#include "tunnel.h"
#include "unix-socket.h"

LOG_MODULE(daemon);

/* With no lab, the daemon lingers this long for the request that started it. */
#define IDLE_EXIT_S 10

/* A request whose reply waits for a lab (its start or its removal).  When the
 * client goes away first, evhttp frees the request: req becomes NULL. */
struct pending_reply {
  struct evhttp_request *req;
  struct pending_reply *next;
};

struct labs_entry {
  struct lab *lab;               /* NULL once removed */
  struct pending_reply *create;  /* the POST waiting for the lab to come up */
  struct pending_reply *deletes; /* the DELETEs waiting for it to be removed */
  char *failure;                 /* why the start failed: the POST's reply once removed */
  bool stopping;                 /* lab_destroy() was called */
  struct labs_entry *next;
};

static struct {
  struct event_base *base;
  struct evhttp *http;
  const char *socket_path;
  const char *pidfile;
  struct labs_entry *labs;
  struct event *idle_ev;
  int listening;
  bool terminating; /* SIGTERM: every lab is being removed, then we exit */
} daemon_state;

static void on_pending_client_gone(struct evhttp_connection *conn, void *arg)
{
  struct pending_reply *p = arg;
  p->req = NULL;
}

/* Keeps req for a later reply, at the end of list *head. */
static void pending_add(struct pending_reply **head, struct evhttp_request *req)
{
  struct pending_reply *p = xcalloc(1, sizeof *p);
  p->req = req;
  evhttp_connection_set_closecb(evhttp_request_get_connection(req), on_pending_client_gone, p);
  while (*head != NULL)
    head = &(*head)->next;
  *head = p;
}

/* Takes the first pending request off the list: the request to reply to, or
 * NULL when its client went away (or the list is empty). */
static struct evhttp_request *pending_take(struct pending_reply **head)
{
  struct pending_reply *p = *head;
  if (p == NULL)
    return NULL;
  *head = p->next;
  struct evhttp_request *req = p->req;
  if (req != NULL)
    evhttp_connection_set_closecb(evhttp_request_get_connection(req), NULL, NULL);
  free(p);
  return req;
}

static void reply_json(struct evhttp_request *req, int code, struct json_object *body)
{
  struct evbuffer *buf = evbuffer_new();
  const char *text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PRETTY);
  evbuffer_add(buf, text, strlen(text));
  evbuffer_add(buf, "\n", 1);
  evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
  evhttp_send_reply(req, code, code < 300 ? "OK" : "Error", buf);
  evbuffer_free(buf);
  json_object_put(body);
}

static void reply_error(struct evhttp_request *req, int code, const char *msg)
{
  reply_json(req, code, api_error_encode(&(struct api_error){.error = msg}));
}

static struct labs_entry *find_lab(const char *name)
{
  for (struct labs_entry *e = daemon_state.labs; e != NULL; e = e->next)
    if (strcmp(lab_name(e->lab), name) == 0)
      return e;
  return NULL;
}

/* The lab a route acts on, or NULL once it has answered 404. */
static struct lab *lab_or_404(struct evhttp_request *req, const char *name)
{
  struct labs_entry *e = find_lab(name);
  if (e == NULL || e->lab == NULL) {
    reply_error(req, 404, "no such lab");
    return NULL;
  }
  return e->lab;
}

/* The routes whose reply is one function of the lab: its reply and status. */
typedef struct json_object *lab_reply_fn(struct lab *lab, int *code);

static void reply_from_lab(struct evhttp_request *req, const char *name, lab_reply_fn *fn)
{
  struct lab *lab = lab_or_404(req, name);
  if (lab == NULL)
    return;
  int code;
  struct json_object *reply = fn(lab, &code);
  reply_json(req, code, reply);
}

/* The path the route being handled matched: the request's own, or behind
 * the web view's /api prefix, what follows it (handlers that parse more
 * than the route's '*' read it here, not from the request). */
static const char *route_path = "";

static void arm_idle_exit(void)
{
  if (daemon_state.labs != NULL)
    return;
  struct timeval tv = {IDLE_EXIT_S, 0};
  evtimer_add(daemon_state.idle_ev, &tv);
}

/* Stops listening at once, so that a client arriving now starts a new daemon
 * instead of talking to one on its way out. */
static void stop_listening(void)
{
  if (!daemon_state.listening)
    return;
  daemon_state.listening = 0;
  unlink(daemon_state.socket_path);
  tunnel_stop();
  web_stop();
}

static pid_t tunnel_lookup(const char *lab, const char *node, const char **problem)
{
  struct labs_entry *e = find_lab(lab);
  if (e == NULL) {
    *problem = "no such lab";
    return 0;
  }
  pid_t pid = lab_node_pid(e->lab, node);
  if (pid <= 0)
    *problem = "no such node, or it is not running";
  return pid;
}

static void exit_soon(void)
{
  stop_listening();
  struct timeval tv = {0, 200 * 1000}; /* let the last reply flush */
  event_base_loopexit(daemon_state.base, &tv);
}

static void after_lab_removed(void)
{
  if (daemon_state.labs == NULL)
    exit_soon();
}

/* lab_destroy() is done: every request waiting on the lab gets its reply. */
static void on_lab_destroyed(const char *name, const char *error, void *arg)
{
  struct labs_entry *entry = arg;
  for (struct labs_entry **e = &daemon_state.labs; *e != NULL; e = &(*e)->next) {
    if (*e == entry) {
      *e = entry->next;
      break;
    }
  }
  entry->lab = NULL;
  struct evhttp_request *req = pending_take(&entry->create);
  if (req != NULL) {
    cleanup_free char *msg = NULL;
    if (asprintf(&msg, "%s%s%s", entry->failure ? entry->failure : "lab removed while starting",
                 error ? "; cleaning up: " : "", error ? error : "") < 0)
      abort();
    reply_error(req, 500, msg);
  }
  while (entry->deletes != NULL) {
    req = pending_take(&entry->deletes);
    if (req == NULL)
      continue;
    if (error != NULL)
      reply_error(req, 500, error);
    else
      reply_json(req, 200,
                 api_deleted_encode(&(struct api_deleted){.name = name, .removed = true}));
  }
  free(entry->failure);
  free(entry);
  after_lab_removed();
}

/* Starts removing the lab of entry (once). */
static void remove_lab(struct labs_entry *entry)
{
  if (entry->stopping)
    return;
  entry->stopping = true;
  lab_destroy(entry->lab, on_lab_destroyed, entry);
}

/* ---- routes ---- */

static void route_version(struct evhttp_request *req, const char *arg)
{
  struct api_version v = {.version = NODELAB_VERSION, .pid = getpid()};
  reply_json(req, 200, api_version_encode(&v));
}

static void route_labs_list(struct evhttp_request *req, const char *arg)
{
  size_t n = 0;
  for (struct labs_entry *e = daemon_state.labs; e != NULL; e = e->next)
    n++;
  struct api_labs labs = {.labs = calloc(n ? n : 1, sizeof *labs.labs)};
  if (labs.labs == NULL)
    abort();
  for (struct labs_entry *e = daemon_state.labs; e != NULL; e = e->next)
    lab_summary(e->lab, &labs.labs[labs.n_labs++]);
  reply_json(req, 200, api_labs_encode(&labs));
  api_labs_release(&labs);
}

static void on_lab_ready(struct lab *lab, const char *error, void *arg)
{
  struct labs_entry *entry = arg;
  if (error == NULL) {
    struct evhttp_request *req = pending_take(&entry->create);
    if (req != NULL)
      reply_json(req, 201, lab_status_json(lab));
    return;
  }
  /* A lab that failed to start is removed whole: nothing half-made stays;
   * the POST gets its reply once it is gone. */
  entry->failure = strdup(error);
  remove_lab(entry);
}

static char *request_body(struct evhttp_request *req)
{
  struct evbuffer *in = evhttp_request_get_input_buffer(req);
  size_t len = evbuffer_get_length(in);
  char *body = malloc(len + 1);
  evbuffer_copyout(in, body, len);
  body[len] = '\0';
  return body;
}

static void route_labs_create(struct evhttp_request *req, const char *arg)
{
  if (daemon_state.terminating) {
    reply_error(req, 503, "nodelabd is shutting down");
    return;
  }
  cleanup_free char *body = request_body(req);
  struct json_object *o = json_tokener_parse(body);
  struct api_lab_create create;
  cleanup_error struct lab_error *err = NULL;
  if (api_lab_create_decode(o, &create, &err) < 0) {
    json_object_put(o);
    reply_error(req, 400, "request body is not a JSON object");
    return;
  }
  const char *file = create.file, *yaml = create.yaml, *name = create.name;
  struct scenario *sc = NULL;
  if (yaml == NULL) {
    json_object_put(o);
    reply_error(req, 400, "request lacks \"yaml\"");
    return;
  }
  if (scenario_parse(file ? file : "<request>", yaml, strlen(yaml), &sc, &err) < 0) {
    reply_error(req, 400, err->msg);
    json_object_put(o);
    return;
  }
  char *lab_name_buf = strdup(name != NULL ? name : sc->name);
  json_object_put(o);
  if (find_lab(lab_name_buf) != NULL) {
    char msg[256];
    snprintf(msg, sizeof msg, "lab \"%s\" is already running", lab_name_buf);
    scenario_free(sc);
    free(lab_name_buf);
    reply_error(req, 409, msg);
    return;
  }
  struct labs_entry *entry = xcalloc(1, sizeof *entry);
  struct lab *lab = NULL;
  if (lab_create(daemon_state.base, sc, lab_name_buf, on_lab_ready, entry, &lab, &err) < 0) {
    free(entry);
    free(lab_name_buf);
    reply_error(req, err->errnum == EEXIST ? 409 : 500, err->msg);
    arm_idle_exit();
    return;
  }
  free(lab_name_buf);
  evtimer_del(daemon_state.idle_ev);
  pending_add(&entry->create, req);
  entry->lab = lab;
  entry->next = daemon_state.labs;
  daemon_state.labs = entry;
}

static void route_lab_get(struct evhttp_request *req, const char *name)
{
  struct lab *lab = lab_or_404(req, name);
  if (lab != NULL)
    reply_json(req, 200, lab_status_json(lab));
}

static void route_lab_delete(struct evhttp_request *req, const char *name)
{
  struct labs_entry *e = find_lab(name);
  if (e == NULL) {
    reply_error(req, 404, "no such lab");
    return;
  }
  pending_add(&e->deletes, req);
  remove_lab(e); /* the reply comes once everything is removed */
}

/* Long poll: the reply waits for the lab's next event (or the timeout). */
struct events_poll {
  struct evhttp_request *req;
  struct lab *lab;
  void *handle;
  struct event *timer;
};

static void events_poll_finish(struct events_poll *p, struct json_object *events)
{
  evhttp_connection_set_closecb(evhttp_request_get_connection(p->req), NULL, NULL);
  event_free(p->timer);
  if (events != NULL)
    reply_json(p->req, 200, events);
  else
    reply_error(p->req, 410, "the lab is gone");
  free(p);
}

static void on_events(struct json_object *events, void *arg)
{
  events_poll_finish(arg, events);
}

/* The client went away while waiting: evhttp frees its request. */
static void on_events_client_gone(struct evhttp_connection *conn, void *arg)
{
  struct events_poll *p = arg;
  lab_events_cancel(lab_events(p->lab), p->handle);
  event_free(p->timer);
  free(p);
}

static void on_events_timeout(evutil_socket_t fd, short what, void *arg)
{
  struct events_poll *p = arg;
  struct lab_events *ev = lab_events(p->lab);
  lab_events_cancel(ev, p->handle);
  events_poll_finish(p, lab_events_json(ev, lab_events_next(ev)));
}

static void route_lab_events(struct evhttp_request *req, const char *name)
{
  struct lab *lab = lab_or_404(req, name);
  if (lab == NULL)
    return;
  struct evkeyvalq query;
  const char *q = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
  evhttp_parse_query_str(q ? q : "", &query);
  const char *since_s = evhttp_find_header(&query, "since");
  const char *wait_s = evhttp_find_header(&query, "wait");
  uint64_t since = since_s ? strtoull(since_s, NULL, 10) : 1;
  long wait = wait_s ? strtol(wait_s, NULL, 10) : 0;
  evhttp_clear_headers(&query);
  struct lab_events *ev = lab_events(lab);
  if (wait <= 0 || since < lab_events_next(ev)) {
    reply_json(req, 200, lab_events_json(ev, since));
    return;
  }
  struct events_poll *p = calloc(1, sizeof *p);
  p->req = req;
  p->lab = lab;
  p->timer = evtimer_new(daemon_state.base, on_events_timeout, p);
  struct timeval tv = {wait > 60 ? 60 : wait, 0};
  evtimer_add(p->timer, &tv);
  p->handle = lab_events_wait(ev, since, on_events, p);
  evhttp_connection_set_closecb(evhttp_request_get_connection(req), on_events_client_gone, p);
}

/* POST /v1/labs/LAB/checks: the reply waits for every probe. */
static void on_checks_done(struct json_object *reply, void *arg)
{
  struct pending_reply *head = arg;
  struct evhttp_request *req = pending_take(&head);
  if (req == NULL)
    return;
  if (reply != NULL)
    reply_json(req, 200, json_object_get(reply));
  else
    reply_error(req, 410, "the lab is gone");
}

static void route_lab_checks(struct evhttp_request *req, const char *name)
{
  struct lab *lab = lab_or_404(req, name);
  if (lab == NULL)
    return;
  cleanup_free char *body = request_body(req);
  struct json_object *o = body[0] != '\0' ? json_tokener_parse(body) : json_object_new_object();
  struct api_check_run run = {0};
  cleanup_error struct lab_error *err = NULL;
  if (o == NULL || api_check_run_decode(o, &run, &err) < 0) {
    json_object_put(o);
    reply_error(req, 400, err != NULL ? err->msg : "request body is not a JSON object");
    return;
  }
  struct pending_reply *head = NULL;
  pending_add(&head, req);
  if (lab_checks_run(lab, run.names, on_checks_done, head, &err) < 0) {
    pending_take(&head);
    reply_error(req, err->errnum == ENOENT ? 400 : err->errnum == EBUSY ? 409 : 500, err->msg);
  }
  api_check_run_release(&run);
  json_object_put(o);
}

/* GET /v1/labs/LAB/state[?node=NODE] (lab-state.c). */
static void route_lab_state(struct evhttp_request *req, const char *name)
{
  struct lab *lab = lab_or_404(req, name);
  if (lab == NULL)
    return;
  struct evkeyvalq query;
  const char *q = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
  evhttp_parse_query_str(q ? q : "", &query);
  int code;
  struct json_object *reply = lab_state_get(lab, evhttp_find_header(&query, "node"), &code);
  evhttp_clear_headers(&query);
  reply_json(req, code, reply);
}

/* ---- faults (lab-faults.c) ---- */

static void route_lab_faults_get(struct evhttp_request *req, const char *name)
{
  reply_from_lab(req, name, lab_faults_get);
}

static void route_lab_faults_post(struct evhttp_request *req, const char *name)
{
  struct lab *lab = lab_or_404(req, name);
  if (lab == NULL)
    return;
  cleanup_free char *body = request_body(req);
  struct json_object *o = json_tokener_parse(body);
  int code;
  struct json_object *reply = lab_faults_post(lab, o, &code);
  json_object_put(o);
  reply_json(req, code, reply);
}

/* DELETE /v1/labs/LAB/faults (arg: LAB) or /v1/labs/LAB/faults/WHAT (arg: WHAT). */
static void route_lab_faults_delete(struct evhttp_request *req, const char *arg)
{
  const char *path = route_path;
  char lab[256] = "";
  const char *what = NULL;
  if (sscanf(path, "/v1/labs/%255[^/]/faults", lab) != 1) {
    reply_error(req, 404, "not found");
    return;
  }
  if (strchr(path + strlen("/v1/labs/") + strlen(lab) + strlen("/faults"), '/') != NULL)
    what = arg;
  struct lab *l = lab_or_404(req, lab);
  if (l == NULL)
    return;
  int code;
  struct json_object *reply = lab_faults_delete(l, what, &code);
  reply_json(req, code, reply);
}

/* ---- services (lab-services.c) and pods (lab-pod-ops.c) ---- */

/* GET /v1/labs/LAB/nodes/NODE/services, POST .../services/DAEMON/ACTION,
 * POST /v1/labs/LAB/pods/POD/start: the path's segments, parsed here since
 * the route table passes only the last '*'. */
static void route_services(struct evhttp_request *req, const char *arg)
{
  const char *path = route_path;
  char lab[256] = "", node[256] = "", daemon[256] = "", action[32] = "", rest[8] = "";
  int n = sscanf(path, "/v1/labs/%255[^/]/nodes/%255[^/]/services/%255[^/]/%31[^/]%7s", lab, node,
                 daemon, action, rest);
  if (n < 2 || n == 3 || n > 4) {
    reply_error(req, 404, "not found");
    return;
  }
  struct lab *l = lab_or_404(req, lab);
  if (l == NULL)
    return;
  int code;
  struct json_object *reply =
      n == 2 ? lab_services_get(l, node, &code) : lab_services_act(l, node, daemon, action, &code);
  reply_json(req, code, reply);
}

static void route_pod_start(struct evhttp_request *req, const char *arg)
{
  const char *path = route_path;
  char lab[256] = "", pod[256] = "";
  if (sscanf(path, "/v1/labs/%255[^/]/pods/%255[^/]/start", lab, pod) != 2) {
    reply_error(req, 404, "not found");
    return;
  }
  struct lab *l = lab_or_404(req, lab);
  if (l == NULL)
    return;
  int code;
  struct json_object *reply = lab_pod_start_reply(l, pod, &code);
  reply_json(req, code, reply);
}

/* ---- exercises (lab-exercises.c) ---- */

/* A start or check's reply, once it comes (the client may be gone). */
static void on_exercise_reply(int code, struct json_object *reply, void *arg)
{
  struct pending_reply *head = arg;
  struct evhttp_request *req = pending_take(&head);
  if (req != NULL)
    reply_json(req, code, json_object_get(reply));
}

static void route_lab_exercise_start(struct evhttp_request *req, const char *name)
{
  struct lab *lab = lab_or_404(req, name);
  if (lab == NULL)
    return;
  cleanup_free char *body = request_body(req);
  struct json_object *o = body[0] != '\0' ? json_tokener_parse(body) : json_object_new_object();
  struct pending_reply *head = NULL;
  pending_add(&head, req);
  lab_exercise_start(lab, o, on_exercise_reply, head);
  json_object_put(o);
}

static void route_lab_exercise_check(struct evhttp_request *req, const char *name)
{
  struct lab *lab = lab_or_404(req, name);
  if (lab == NULL)
    return;
  struct pending_reply *head = NULL;
  pending_add(&head, req);
  lab_exercise_check(lab, on_exercise_reply, head);
}

static void route_lab_exercise_get(struct evhttp_request *req, const char *name)
{
  reply_from_lab(req, name, lab_exercise_status);
}

static void route_lab_exercise_hint(struct evhttp_request *req, const char *name)
{
  reply_from_lab(req, name, lab_exercise_hint);
}

static void route_lab_exercise_solve(struct evhttp_request *req, const char *name)
{
  reply_from_lab(req, name, lab_exercise_solve);
}

static void route_lab_graph(struct evhttp_request *req, const char *name)
{
  reply_from_lab(req, name, lab_graph_json);
}

static void dispatch(struct evhttp_request *req, const char *path);

static struct lab_events *web_lab_events(const char *name)
{
  struct labs_entry *e = find_lab(name);
  return e != NULL && e->lab != NULL ? lab_events(e->lab) : NULL;
}

static pid_t web_node_pid(const char *lab, const char *node)
{
  struct labs_entry *e = find_lab(lab);
  return e != NULL && e->lab != NULL ? lab_node_pid(e->lab, node) : 0;
}

/* POST /v1/web {"listen": "127.0.0.1:PORT"}: (re)starts the web view with a
 * fresh token; 200 {"url"}. */
static void route_web(struct evhttp_request *req, const char *arg)
{
  (void)arg;
  cleanup_free char *body = request_body(req);
  struct json_object *o = body ? json_tokener_parse(body) : NULL;
  cleanup_error struct lab_error *err = NULL;
  struct api_web_start m;
  if (o == NULL || api_web_start_decode(o, &m, &err) < 0) {
    json_object_put(o);
    reply_error(req, 400, err ? err->msg : "request body is not a JSON object");
    return;
  }
  char url[256];
  static const struct web_hooks hooks = {
      .dispatch = dispatch, .lab_events = web_lab_events, .node_pid = web_node_pid};
  int rc = web_start(daemon_state.base, m.listen, &hooks, url, sizeof url, &err);
  json_object_put(o);
  if (rc < 0) {
    reply_error(req, err->errnum == EINVAL ? 400 : 500, err->msg);
    return;
  }
  reply_json(req, 200, api_web_started_encode(&(struct api_web_started){.url = url}));
}

/* The API, as a table: method, path ('*' matches one path segment, which is
 * passed to the handler), handler. */
static const struct route {
  enum evhttp_cmd_type method;
  const char *path;
  void (*handler)(struct evhttp_request *req, const char *arg);
} routes[] = {
    {EVHTTP_REQ_GET, "/v1/version", route_version},
    {EVHTTP_REQ_GET, "/v1/labs", route_labs_list},
    {EVHTTP_REQ_POST, "/v1/labs", route_labs_create},
    {EVHTTP_REQ_GET, "/v1/labs/*", route_lab_get},
    {EVHTTP_REQ_DELETE, "/v1/labs/*", route_lab_delete},
    {EVHTTP_REQ_GET, "/v1/labs/*/events", route_lab_events},
    {EVHTTP_REQ_POST, "/v1/labs/*/checks", route_lab_checks},
    {EVHTTP_REQ_GET, "/v1/labs/*/state", route_lab_state},
    {EVHTTP_REQ_GET, "/v1/labs/*/faults", route_lab_faults_get},
    {EVHTTP_REQ_POST, "/v1/labs/*/faults", route_lab_faults_post},
    {EVHTTP_REQ_DELETE, "/v1/labs/*/faults", route_lab_faults_delete},
    {EVHTTP_REQ_DELETE, "/v1/labs/*/faults/*", route_lab_faults_delete},
    {EVHTTP_REQ_GET, "/v1/labs/*/nodes/*/services", route_services},
    {EVHTTP_REQ_POST, "/v1/labs/*/nodes/*/services/*/*", route_services},
    {EVHTTP_REQ_POST, "/v1/labs/*/pods/*/start", route_pod_start},
    {EVHTTP_REQ_GET, "/v1/labs/*/exercise", route_lab_exercise_get},
    {EVHTTP_REQ_POST, "/v1/labs/*/exercise", route_lab_exercise_start},
    {EVHTTP_REQ_POST, "/v1/labs/*/exercise/hint", route_lab_exercise_hint},
    {EVHTTP_REQ_POST, "/v1/labs/*/exercise/check", route_lab_exercise_check},
    {EVHTTP_REQ_POST, "/v1/labs/*/exercise/solve", route_lab_exercise_solve},
    {EVHTTP_REQ_GET, "/v1/labs/*/graph", route_lab_graph},
    {EVHTTP_REQ_POST, "/v1/web", route_web},
};

/* Matches path against pattern; on success copies the '*' segment to arg. */
static int route_match(const char *pattern, const char *path, char *arg, size_t size)
{
  arg[0] = '\0';
  while (*pattern != '\0') {
    if (*pattern == '*') {
      size_t len = strcspn(path, "/");
      if (len == 0 || len >= size)
        return 0;
      memcpy(arg, path, len);
      arg[len] = '\0';
      path += len;
      pattern++;
    } else if (*pattern++ != *path++) {
      return 0;
    }
  }
  return *path == '\0';
}

static void on_request(struct evhttp_request *req, void *arg)
{
  const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
  const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
  if (path == NULL) {
    reply_error(req, 400, "bad request URI");
    return;
  }
  dispatch(req, path);
}

/* The routes, for the unix socket and the web view's /api alike. */
static void dispatch(struct evhttp_request *req, const char *path)
{
  enum evhttp_cmd_type method = evhttp_request_get_command(req);
  int path_known = 0;
  char segment[256];
  for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
    const struct route *r = &routes[i];
    if (!route_match(r->path, path, segment, sizeof segment))
      continue;
    path_known = 1;
    if (r->method == method) {
      log_debug("%s", path);
      route_path = path;
      r->handler(req, segment);
      return;
    }
  }
  reply_error(req, path_known ? 405 : 404, path_known ? "method not allowed" : "not found");
}

static void on_idle(evutil_socket_t fd, short what, void *arg)
{
  if (daemon_state.labs == NULL) {
    log_info("no lab left: exiting");
    exit_soon();
  }
}

static void on_terminate(evutil_socket_t sig, short what, void *arg)
{
  log_info("signal %d: removing every lab and exiting", (int)sig);
  daemon_state.terminating = true;
  if (daemon_state.labs == NULL) {
    exit_soon();
    return;
  }
  /* Each removal answers its waiters; the last one makes us exit. */
  for (struct labs_entry *e = daemon_state.labs, *next; e != NULL; e = next) {
    next = e->next;
    if (!e->stopping) {
      free(e->failure);
      e->failure = strdup("nodelabd is shutting down");
    }
    remove_lab(e);
  }
}

static int write_pidfile(const char *path, struct lab_error **err)
{
  cleanup_fclose FILE *f = fopen(path, "we");
  if (f == NULL)
    return lab_error_errno(err, "creating %s", path);
  fprintf(f, "%d\n", (int)getpid());
  return 0;
}

/* Removes the pid file only when it is still ours (a newer daemon may own it). */
static void remove_pidfile(const char *path)
{
  cleanup_fclose FILE *f = fopen(path, "re");
  int pid = 0;
  if (f != NULL && fscanf(f, "%d", &pid) == 1 && pid == getpid())
    unlink(path);
}

int daemon_run(const char *socket_path, const char *pidfile, struct lab_error **err)
{
  signal(SIGPIPE, SIG_IGN);
  if (mkdir(paths_rundir(), 0700) < 0 && errno != EEXIST)
    return lab_error_errno(err, "mkdir %s", paths_rundir());
  daemon_state.socket_path = socket_path;
  daemon_state.pidfile = pidfile;
  daemon_state.base = event_base_new();
  if (daemon_state.base == NULL || supervise_init(daemon_state.base) < 0)
    return lab_error_set(err, 0, "libevent initialisation failed");
  int fd = unix_socket_listen(socket_path, SOCK_STREAM, err);
  if (fd < 0)
    return -1;
  daemon_state.listening = 1;
  daemon_state.http = evhttp_new(daemon_state.base);
  evhttp_set_allowed_methods(daemon_state.http,
                             EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_DELETE);
  evhttp_set_gencb(daemon_state.http, on_request, NULL);
  evhttp_set_max_body_size(daemon_state.http, 4 << 20);
  if (evhttp_accept_socket(daemon_state.http, fd) < 0) {
    close(fd);
    return lab_error_set(err, 0, "evhttp cannot accept on %s", socket_path);
  }
  if (tunnel_start(daemon_state.base, paths_rpc_socket(), tunnel_lookup, err) < 0)
    return -1;
  if (write_pidfile(pidfile, err) < 0)
    return -1;
  struct event *term = evsignal_new(daemon_state.base, SIGTERM, on_terminate, NULL);
  struct event *intr = evsignal_new(daemon_state.base, SIGINT, on_terminate, NULL);
  evsignal_add(term, NULL);
  evsignal_add(intr, NULL);
  daemon_state.idle_ev = evtimer_new(daemon_state.base, on_idle, NULL);
  arm_idle_exit();
  log_info("nodelabd %s listening on %s (pid %d)", NODELAB_VERSION, socket_path, (int)getpid());

  event_base_dispatch(daemon_state.base);

  stop_listening();
  /* The CLI holds this lock while it starts a new daemon: taking it here means
   * a successor is either not started or already answering, so the log and
   * the run directory are only removed when no daemon uses them. */
  int lock_fd = open(paths_rundir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (lock_fd >= 0)
    flock(lock_fd, LOCK_EX);
  remove_pidfile(pidfile);
  web_stop();
  evhttp_free(daemon_state.http);
  event_free(term);
  event_free(intr);
  event_free(daemon_state.idle_ev);
  probe_runner_shutdown(); /* check probes of a lab removed meanwhile */
  supervise_shutdown();
  event_base_free(daemon_state.base);
  /* A clean exit holds no lab: the log has nothing left to explain.  The run
   * directory goes too, unless a lab's leftovers (or a newer daemon) are in it. */
  if (access(pidfile, F_OK) != 0) {
    unlink(paths_logfile());
    rmdir(paths_rundir());
  }
  if (lock_fd >= 0)
    close(lock_fd);
  return 0;
}
