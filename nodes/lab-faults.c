/* A lab's faults: the fault engine (engine/fault.h) driven from nodelabd.
 * Each injected fault is kept with who injected it and when; a --for timer
 * repairs it by itself; a 1 s timer (and every GET) evaluates each active
 * fault's predicate, so a learner's repair by hand shows as
 * repaired-by-hand.  Nothing else in nodelab undoes a fault. */
#include "lab-faults.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "api-faults.h"
#include "api.h"
#include "cleanup.h"
#include "fault.h"
#include "json.h"
#include "lab-internal.h"
#include "lab-pod-ops.h"
#include "lab-services.h"
#include "log.h"
#include "proc.h"
#include "scenario.h"
#include "xalloc.h"

LOG_MODULE(faults);

#define PRESENT_POLL_MS 1000

struct lab_fault {
  struct lab_faults *owner;
  int64_t id;
  char *name; /* the scenario fault's, or NULL */
  struct fault *f;
  enum api_fault_by by;
  enum api_fault_state state;
  char injected_at[TIMEFMT_ISO_LEN];
  char repaired_at[TIMEFMT_ISO_LEN];
  int64_t for_ms, inject_us, repair_us;
  const char *symptom; /* the scenario's or the kind's (static or the scenario's) */
  struct event *timer; /* --for */
  bool done;           /* repaired by nodelab (exactly, from the snapshot) */
  struct lab_fault *next;
};

/* A scenario fault with a timeline (at, for, every), from the lab's up. */
struct timeline_entry {
  struct lab_faults *fs;
  const struct scenario_fault *sf;
  struct event *ev;
};

struct lab_faults {
  struct lab *lab;
  struct fault_backend *be; /* the real one, with the process callbacks below */
  bool going_down;          /* lab_faults_repair_all: the nodes go, with what ran on them */
  struct lab_fault *list;   /* newest last */
  int64_t next_id;
  struct event *poll_ev;
  struct timeline_entry *timeline;
  size_t n_timeline;
};

/* The lab as the engine sees it, valid until the next change of the lab. */
struct view_buf {
  struct fault_view view;
  struct fault_view_node *nodes;
  struct fault_view_pod *pods;
  struct fault_view_container *containers; /* every pod's, in one array */
  size_t n_containers;
  struct fault_view_daemon *daemons; /* every node's, one after the other */
};

static size_t info_n_containers(struct json_object *info)
{
  struct json_object *ctrs = info ? json_get_array(info, "containers") : NULL;
  return ctrs ? json_object_array_length(ctrs) : 0;
}

/* The containers of a pod's info (the runtime's POD), appended to b's
 * array (sized for every pod's): name, id, cgroup, and the host pid of a
 * running one. */
static void view_fill_containers(struct view_buf *b, struct fault_view_pod *vp,
                                 struct json_object *info, pid_t node_pid)
{
  struct json_object *ctrs = json_get_array(info, "containers");
  size_t n = info_n_containers(info);
  vp->containers = n > 0 ? b->containers + b->n_containers : NULL;
  vp->n_containers = n;
  for (size_t i = 0; i < n; i++) {
    struct json_object *c = json_object_array_get_idx(ctrs, i);
    int64_t pid = json_get_int(c, "pid", 0);
    const char *state = json_get_str(c, "state");
    bool running = state != NULL && strcmp(state, "running") == 0;
    b->containers[b->n_containers++] = (struct fault_view_container){
        .name = json_get_str(c, "name"),
        .id = json_get_str(c, "id"),
        .cgroup = json_get_str(c, "cgroup"),
        .running = running,
        .pid = running && node_pid > 0 && pid > 0 ? proc_host_pid(node_pid, (pid_t)pid) : 0};
  }
}

static void view_fill(const struct lab *lab, struct view_buf *b)
{
  size_t n_daemons = 0;
  for (size_t i = 0; i < lab->n_nodes; i++)
    n_daemons += lab->nodes[i].n_daemons;
  b->nodes = xcalloc(lab->n_nodes, sizeof *b->nodes);
  b->pods = xcalloc(lab->n_pods, sizeof *b->pods);
  size_t n_containers = 0;
  for (size_t i = 0; i < lab->n_pods; i++)
    n_containers += info_n_containers(lab->pods[i].info);
  b->containers = xcalloc(n_containers, sizeof *b->containers);
  b->n_containers = 0;
  b->daemons = xcalloc(n_daemons, sizeof *b->daemons);
  struct fault_view_daemon *vd = b->daemons;
  for (size_t i = 0; i < lab->n_nodes; i++) {
    const struct lab_node *n = &lab->nodes[i];
    b->nodes[i] = (struct fault_view_node){.name = n->spec->name,
                                           .pid = lab_node_pid(lab, n->spec->name),
                                           .underlay = n->underlay,
                                           .subnet = n->subnet,
                                           .fabric_ifname = n->fabric_ifname,
                                           .daemons = vd,
                                           .n_daemons = n->n_daemons};
    for (size_t j = 0; j < n->n_daemons; j++) {
      const struct node_daemon *d = &n->daemons[j];
      *vd++ = (struct fault_view_daemon){
          .name = d->name,
          .pid = d->pid,
          .running = d->pid > 0 && (d->state == DAEMON_STARTED || d->state == DAEMON_READY)};
    }
  }
  for (size_t i = 0; i < lab->n_pods; i++) {
    const struct lab_pod *p = &lab->pods[i];
    struct fault_view_pod *vp = &b->pods[i];
    *vp = (struct fault_view_pod){.name = p->spec->name, .node = p->spec->node};
    if (p->state != LAB_POD_RUNNING || p->info == NULL)
      continue;
    vp->ip = json_get_str(p->info, "ip");
    pid_t node_pid = lab_node_pid(lab, p->spec->node);
    int64_t infra = json_get_int(p->info, "infra_pid", 0);
    if (node_pid > 0 && infra > 0)
      vp->infra_pid = proc_host_pid(node_pid, (pid_t)infra);
    view_fill_containers(b, vp, p->info, node_pid);
  }
  b->view = (struct fault_view){.nodes = b->nodes,
                                .n_nodes = lab->n_nodes,
                                .pods = b->pods,
                                .n_pods = lab->n_pods,
                                .fabric_pid = lab->state == LAB_STOPPING ? 0 : lab->fabric.pid};
}

static void view_release(struct view_buf *b)
{
  free(b->nodes);
  free(b->pods);
  free(b->containers);
  free(b->daemons);
}

/* ---- the engine's process callbacks (engine/fault.h struct fault_procs) ---- */

static int procs_daemon_kill(void *ctx, const char *node, const char *daemon,
                             struct lab_error **err)
{
  struct lab_faults *fs = ctx;
  return lab_daemon_stop(fs->lab, node, daemon, SIGKILL, err);
}

/* A repair while the lab goes down is a no-op: the node and its daemons go. */
static int procs_daemon_start(void *ctx, const char *node, const char *daemon,
                              struct lab_error **err)
{
  struct lab_faults *fs = ctx;
  return fs->going_down ? 0 : lab_daemon_start(fs->lab, node, daemon, err);
}

static int procs_daemon_running(void *ctx, const char *node, const char *daemon, bool *running,
                                struct lab_error **err)
{
  struct lab_faults *fs = ctx;
  return lab_daemon_running(fs->lab, node, daemon, running, err);
}

static int procs_pod_kill(void *ctx, const char *pod, struct lab_error **err)
{
  struct lab_faults *fs = ctx;
  return lab_pod_kill(fs->lab, pod, err);
}

static int procs_pod_start(void *ctx, const char *pod, struct lab_error **err)
{
  struct lab_faults *fs = ctx;
  return fs->going_down ? 0 : lab_pod_start(fs->lab, pod, err);
}

static int procs_pod_running(void *ctx, const char *pod, bool *running, struct lab_error **err)
{
  struct lab_faults *fs = ctx;
  return lab_pod_running(fs->lab, pod, running, err);
}

static struct lab_faults *faults_of(struct lab *lab)
{
  if (lab->faults == NULL) {
    struct lab_faults *fs = xcalloc(1, sizeof *fs);
    fs->lab = lab;
    fs->next_id = 1;
    fs->be = fault_backend_real_new(&(struct fault_procs){.ctx = fs,
                                                          .daemon_kill = procs_daemon_kill,
                                                          .daemon_start = procs_daemon_start,
                                                          .daemon_running = procs_daemon_running,
                                                          .pod_kill = procs_pod_kill,
                                                          .pod_start = procs_pod_start,
                                                          .pod_running = procs_pod_running});
    lab->faults = fs;
  }
  return lab->faults;
}

static int64_t elapsed_us(const struct timespec *a)
{
  struct timespec b;
  clock_gettime(CLOCK_MONOTONIC, &b);
  return (int64_t)(b.tv_sec - a->tv_sec) * 1000000 + (b.tv_nsec - a->tv_nsec) / 1000;
}

static void now_iso(char buf[TIMEFMT_ISO_LEN])
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  timefmt_iso(buf, &ts, 3);
}

static const char *fault_label(const struct lab_fault *lf)
{
  return lf->name ? lf->name : fault_kind_name(fault_get_kind(lf->f));
}

static struct json_object *error_reply(int *code, int status, const char *msg)
{
  *code = status;
  return api_error_encode(&(struct api_error){.error = msg});
}

/* The API's view of lf; params malloc'd (api_active_fault_release). */
static void active_fill(const struct lab_fault *lf, struct api_active_fault *out)
{
  size_t n = fault_n_params(lf->f);
  *out = (struct api_active_fault){.id = lf->id,
                                   .name = lf->name,
                                   .kind = fault_kind_name(fault_get_kind(lf->f)),
                                   .target = fault_target(lf->f),
                                   .injected_at = lf->injected_at,
                                   .repaired_at = lf->repaired_at[0] ? lf->repaired_at : NULL,
                                   .symptom = lf->symptom,
                                   .by = lf->by,
                                   .state = lf->state,
                                   .for_ms = lf->for_ms,
                                   .inject_us = lf->inject_us,
                                   .repair_us = lf->repair_us,
                                   .params = xcalloc(n, sizeof *out->params)};
  for (size_t i = 0; i < n; i++) {
    const char *k, *v;
    fault_param_at(lf->f, i, &k, &v);
    if (v != NULL)
      out->params[out->n_params++] = (struct api_fault_param){k, v};
  }
}

static struct json_object *active_json(const struct lab_fault *lf)
{
  struct api_active_fault a;
  active_fill(lf, &a);
  struct json_object *o = api_active_fault_encode(&a);
  api_active_fault_release(&a);
  return o;
}

/* Repairs lf exactly; marks it repaired (by_hand: the state it had stays). */
static int repair_one(struct lab_fault *lf, const char *why, struct lab_error **err)
{
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  if (fault_repair(lf->f, lf->owner->be, err) < 0)
    return -1;
  lf->repair_us = elapsed_us(&t0);
  lf->done = true;
  if (lf->timer != NULL) {
    event_free(lf->timer);
    lf->timer = NULL;
  }
  if (lf->state == API_FAULT_ACTIVE) {
    lf->state = API_FAULT_REPAIRED;
    now_iso(lf->repaired_at);
  }
  lab_events_add(lf->owner->lab->events, "fault-repaired", fault_label(lf), "%s repaired (%s): %s",
                 fault_kind_name(fault_get_kind(lf->f)), why, fault_target(lf->f));
  return 0;
}

static bool unrepaired(const struct lab_fault *lf)
{
  return !lf->done;
}

/* Evaluates every active fault's predicate: one that is gone was repaired by hand. */
static void evaluate(struct lab_faults *fs)
{
  for (struct lab_fault *lf = fs->list; lf != NULL; lf = lf->next) {
    if (lf->state != API_FAULT_ACTIVE)
      continue;
    bool present = true;
    cleanup_error struct lab_error *err = NULL;
    if (fault_present(lf->f, fs->be, &present, &err) < 0) {
      log_debug("fault %s: predicate: %s", fault_label(lf), err->msg);
      continue;
    }
    if (present)
      continue;
    lf->state = API_FAULT_REPAIRED_BY_HAND;
    now_iso(lf->repaired_at);
    lab_events_add(fs->lab->events, "fault-repaired-by-hand", fault_label(lf),
                   "%s was repaired by hand: %s", fault_kind_name(fault_get_kind(lf->f)),
                   fault_target(lf->f));
  }
}

static bool any_active(const struct lab_faults *fs)
{
  for (const struct lab_fault *lf = fs->list; lf != NULL; lf = lf->next)
    if (lf->state == API_FAULT_ACTIVE)
      return true;
  return false;
}

static void arm_poll(struct lab_faults *fs);

static void on_poll(evutil_socket_t fd, short what, void *arg)
{
  struct lab_faults *fs = arg;
  if (fs->lab->state == LAB_STOPPING)
    return;
  evaluate(fs);
  arm_poll(fs);
}

static void arm_poll(struct lab_faults *fs)
{
  if (!any_active(fs))
    return;
  if (fs->poll_ev == NULL)
    fs->poll_ev = evtimer_new(fs->lab->base, on_poll, fs);
  struct timeval tv = {0, PRESENT_POLL_MS * 1000};
  evtimer_add(fs->poll_ev, &tv);
}

static void on_for_timer(evutil_socket_t fd, short what, void *arg)
{
  struct lab_fault *lf = arg;
  cleanup_error struct lab_error *err = NULL;
  if (lf->owner->lab->state == LAB_STOPPING)
    return;
  if (repair_one(lf, "its time was up", &err) < 0)
    log_warn("fault %s: repair after --for: %s", fault_label(lf), err->msg);
}

struct json_object *lab_faults_get(struct lab *lab, int *code)
{
  evaluate(faults_of(lab));
  return lab_faults_json(lab, code);
}

struct json_object *lab_faults_json(struct lab *lab, int *code)
{
  struct lab_faults *fs = faults_of(lab);
  struct api_faults m = {0};
  m.catalogue = xcalloc(FAULT_KIND__COUNT, sizeof *m.catalogue);
  for (size_t i = 0; i < FAULT_KIND__COUNT; i++) {
    const struct fault_kind_spec *k = fault_kind_spec((enum fault_kind)i);
    struct api_fault_kind *ak = &m.catalogue[m.n_catalogue++];
    *ak = (struct api_fault_kind){.name = k->name,
                                  .breaks = k->breaks,
                                  .symptom = fault_kind_symptom(k->kind),
                                  .implemented = fault_kind_implemented(k->kind),
                                  .params = xcalloc(FAULT_KIND_MAX_PARAMS, sizeof(char *))};
    for (size_t j = 0; k->params[j].name != NULL; j++)
      ak->params[ak->n_params++] = k->params[j].name;
  }
  const struct scenario *sc = lab->sc;
  m.scenario = xcalloc(sc->n_faults, sizeof *m.scenario);
  for (size_t i = 0; i < sc->n_faults; i++) {
    const struct scenario_fault *f = &sc->faults[i];
    struct api_scenario_fault *as = &m.scenario[m.n_scenario++];
    *as = (struct api_scenario_fault){.name = f->name,
                                      .kind = f->kind,
                                      .symptom =
                                          f->symptom ? f->symptom : fault_kind_symptom(f->kind_id),
                                      .params = xcalloc(f->n_args, sizeof *as->params)};
    for (size_t j = 0; j < f->n_args; j++)
      as->params[as->n_params++] = (struct api_fault_param){f->args[j].spec->name, f->args[j].text};
  }
  size_t n = 0;
  for (struct lab_fault *lf = fs->list; lf != NULL; lf = lf->next)
    n++;
  m.active = xcalloc(n, sizeof *m.active);
  for (struct lab_fault *lf = fs->list; lf != NULL; lf = lf->next)
    active_fill(lf, &m.active[m.n_active++]);
  struct json_object *o = api_faults_encode(&m);
  for (size_t i = 0; i < m.n_catalogue; i++)
    free(m.catalogue[i].params);
  free(m.catalogue);
  for (size_t i = 0; i < m.n_scenario; i++)
    free(m.scenario[i].params);
  free(m.scenario);
  for (size_t i = 0; i < m.n_active; i++)
    api_active_fault_release(&m.active[i]);
  free(m.active);
  *code = 200;
  return o;
}

/* An unrepaired fault of that scenario name, or of that kind on that target. */
static struct lab_fault *find_unrepaired(struct lab_faults *fs, const char *name,
                                         const struct fault *f)
{
  for (struct lab_fault *lf = fs->list; lf != NULL; lf = lf->next) {
    if (lf->done)
      continue;
    if (name != NULL && lf->name != NULL && strcmp(lf->name, name) == 0)
      return lf;
    if (f != NULL && fault_get_kind(lf->f) == fault_get_kind(f) &&
        strcmp(fault_target(lf->f), fault_target(f)) == 0)
      return lf;
  }
  return NULL;
}

static int status_of(const struct lab_error *err)
{
  switch (err->errnum) {
  case EINVAL:
    return 400;
  case ENOENT:
    return 404;
  case ENOTSUP:
    return 501;
  case ESRCH:
    return 409;
  default:
    return 500;
  }
}

/* Injects a fault of kind with kv (a scenario fault's when sf is not NULL)
 * for for_us (0: until repaired); returns the reply (*code 201 and the
 * active fault, or an error). */
/* What an exercise adds to an inject: the pick-th target where the kind
 * bites, the state of what it touches before, and the record made. */
struct exercise_inject {
  uint32_t pick;
  char *before;
  struct lab_fault *created;
};

static struct json_object *inject_for(struct lab_faults *fs, const struct scenario_fault *sf,
                                      enum fault_kind kind, const struct fault_kv *kv, size_t n_kv,
                                      uint64_t for_us, enum api_fault_by by,
                                      struct exercise_inject *ex, int *code)
{
  struct lab *lab = fs->lab;
  cleanup_error struct lab_error *err = NULL;
  char msg[512];
  struct view_buf vb;
  view_fill(lab, &vb);
  vb.view.pick = ex != NULL ? ex->pick : 0;
  struct fault *f = NULL;
  int rc = fault_prepare(kind, kv, n_kv, &vb.view, &f, &err);
  if (rc < 0) {
    view_release(&vb);
    return error_reply(code, status_of(err), err->msg);
  }
  struct lab_fault *dup = find_unrepaired(fs, sf ? sf->name : NULL, f);
  if (dup != NULL) {
    snprintf(msg, sizeof msg, "%s is injected already (id %" PRId64 ", %s): repair it first",
             fault_label(dup), dup->id, fault_target(dup->f));
    fault_free(f);
    view_release(&vb);
    return error_reply(code, 409, msg);
  }
  if (ex != NULL && fault_capture_touched(f, fs->be, &ex->before, &err) < 0) {
    fault_free(f);
    view_release(&vb);
    return error_reply(code, status_of(err), err->msg);
  }
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  rc = fault_inject(f, &vb.view, fs->be, &err);
  view_release(&vb);
  if (rc < 0) {
    fault_free(f);
    return error_reply(code, status_of(err), err->msg);
  }
  struct lab_fault *lf = xcalloc(1, sizeof *lf);
  lf->owner = fs;
  lf->inject_us = elapsed_us(&t0);
  lf->id = fs->next_id++;
  lf->f = f;
  lf->by = by;
  lf->state = API_FAULT_ACTIVE;
  lf->for_ms = (int64_t)(for_us / 1000);
  if (sf != NULL) {
    lf->name = strdup(sf->name);
    if (lf->name == NULL)
      abort();
  }
  lf->symptom = sf && sf->symptom ? sf->symptom : fault_kind_symptom(kind);
  now_iso(lf->injected_at);
  struct lab_fault **tail = &fs->list;
  while (*tail != NULL)
    tail = &(*tail)->next;
  *tail = lf;
  if (for_us > 0) {
    lf->timer = evtimer_new(lab->base, on_for_timer, lf);
    struct timeval tv = {(time_t)(for_us / 1000000), (suseconds_t)(for_us % 1000000)};
    evtimer_add(lf->timer, &tv);
  }
  if (by == API_FAULT_BY_EXERCISE) /* the learner reads the events too: no answer there */
    lab_events_add(lab->events, "fault-injected", "exercise", "a fault, by the exercise");
  else
    lab_events_add(lab->events, "fault-injected", fault_label(lf), "%s injected: %s",
                   fault_kind_name(kind), fault_target(f));
  log_info("lab %s: fault %s injected on %s in %" PRId64 " us", lab->name, fault_label(lf),
           fault_target(f), lf->inject_us);
  arm_poll(fs);
  if (ex != NULL)
    ex->created = lf;
  *code = 201;
  return active_json(lf);
}

static struct json_object *inject(struct lab_faults *fs, const struct scenario_fault *sf,
                                  enum fault_kind kind, const struct fault_kv *kv, size_t n_kv,
                                  uint64_t for_us, enum api_fault_by by, int *code)
{
  return inject_for(fs, sf, kind, kv, n_kv, for_us, by, NULL, code);
}

struct json_object *lab_faults_post(struct lab *lab, struct json_object *body, int *code)
{
  struct lab_faults *fs = faults_of(lab);
  cleanup_error struct lab_error *err = NULL;
  struct api_fault_inject req;
  if (body == NULL)
    return error_reply(code, 400, "request body is not a JSON object");
  if (api_fault_inject_decode(body, &req, &err) < 0)
    return error_reply(code, 400, err->msg);
  if (lab->state != LAB_UP) {
    api_fault_inject_release(&req);
    return error_reply(code, 409, "the lab is not up");
  }
  const struct scenario_fault *sf = NULL;
  enum fault_kind kind;
  struct fault_kv kv[FAULT_KIND_MAX_PARAMS];
  size_t n_kv = 0;
  char msg[512];
  if (req.name != NULL && scenario_find_fault(lab->sc, req.name) == NULL &&
      fault_kind_by_name(req.name) != NULL) {
    req.kind = req.name; /* a kind given alone */
    req.name = NULL;
  }
  if (req.name != NULL) {
    sf = scenario_find_fault(lab->sc, req.name);
    if (sf == NULL) {
      snprintf(msg, sizeof msg, "no fault or kind named %s (nodelab fault ls lists them)",
               req.name);
      api_fault_inject_release(&req);
      return error_reply(code, 404, msg);
    }
    kind = sf->kind_id;
    for (size_t i = 0; i < sf->n_args && n_kv < FAULT_KIND_MAX_PARAMS; i++)
      kv[n_kv++] = (struct fault_kv){sf->args[i].spec->name, sf->args[i].text};
  } else {
    const struct fault_kind_spec *k = fault_kind_by_name(req.kind);
    if (k == NULL) {
      char kinds[512];
      snprintf(msg, sizeof msg, "unknown fault kind %s (kinds: %s)", req.kind,
               fault_kind_list(kinds, sizeof kinds));
      api_fault_inject_release(&req);
      return error_reply(code, 400, msg);
    }
    kind = k->kind;
    if (req.n_params > FAULT_KIND_MAX_PARAMS) {
      api_fault_inject_release(&req);
      return error_reply(code, 400, "too many parameters");
    }
    for (size_t i = 0; i < req.n_params; i++)
      kv[n_kv++] = (struct fault_kv){req.params[i].key, req.params[i].value};
  }
  uint64_t for_us = 0;
  if (req.for_ != NULL) {
    const struct fault_param_spec for_spec = {.name = "for", .type = FAULT_PARAM_DURATION};
    union fault_value v;
    char problem[256];
    if (fault_value_parse(&for_spec, req.for_, &v, problem, sizeof problem) < 0) {
      snprintf(msg, sizeof msg, "for: %s", problem);
      api_fault_inject_release(&req);
      return error_reply(code, 400, msg);
    }
    for_us = v.duration_us;
  } else if (sf != NULL && sf->for_ms > 0) {
    for_us = (uint64_t)sf->for_ms * 1000;
  }
  api_fault_inject_release(&req);
  return inject(fs, sf, kind, kv, n_kv, for_us, API_FAULT_BY_CLI, code);
}

static bool matches(const struct lab_fault *lf, const char *what)
{
  if (what == NULL)
    return true;
  char id[32];
  snprintf(id, sizeof id, "%" PRId64, lf->id);
  return strcmp(id, what) == 0 || (lf->name != NULL && strcmp(lf->name, what) == 0) ||
         strcmp(fault_kind_name(fault_get_kind(lf->f)), what) == 0;
}

struct json_object *lab_faults_delete(struct lab *lab, const char *what, int *code)
{
  struct lab_faults *fs = faults_of(lab);
  evaluate(fs);
  struct json_object *list = json_object_new_array();
  size_t found = 0;
  for (struct lab_fault *lf = fs->list; lf != NULL; lf = lf->next) {
    if (!unrepaired(lf) || !matches(lf, what))
      continue;
    found++;
    cleanup_error struct lab_error *err = NULL;
    if (repair_one(lf, "asked", &err) < 0) {
      json_object_put(list);
      return error_reply(code, 500, err->msg);
    }
    json_object_array_add(list, active_json(lf));
  }
  if (found == 0 && what != NULL) {
    json_object_put(list);
    char msg[256];
    snprintf(msg, sizeof msg, "no active fault named %s (nodelab fault ls shows them)", what);
    return error_reply(code, 404, msg);
  }
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "repaired", list);
  *code = 200;
  return o;
}

static void arm_ms(struct event *ev, int ms)
{
  struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
  evtimer_add(ev, &tv);
}

/* A timeline's step: inject (by "timer"; its `for` repairs it), and again
 * `every` later. */
static void on_timeline(evutil_socket_t fd, short what, void *arg)
{
  struct timeline_entry *t = arg;
  const struct scenario_fault *sf = t->sf;
  if (t->fs->lab->state != LAB_UP)
    return;
  struct fault_kv kv[FAULT_KIND_MAX_PARAMS];
  size_t n = 0;
  for (size_t i = 0; i < sf->n_args && n < FAULT_KIND_MAX_PARAMS; i++)
    kv[n++] = (struct fault_kv){sf->args[i].spec->name, sf->args[i].text};
  int code;
  struct json_object *reply =
      inject(t->fs, sf, sf->kind_id, kv, n, sf->for_ms > 0 ? (uint64_t)sf->for_ms * 1000 : 0,
             API_FAULT_BY_TIMER, &code);
  if (code != 201)
    lab_events_add(t->fs->lab->events, "fault-timeline-failed", sf->name, "%s",
                   json_get_str(reply, "error") ?: "inject failed");
  json_object_put(reply);
  if (sf->every_ms > 0)
    arm_ms(t->ev, sf->every_ms);
}

void lab_faults_start_timeline(struct lab *lab)
{
  struct lab_faults *fs = faults_of(lab);
  const struct scenario *sc = lab->sc;
  fs->timeline = xcalloc(sc->n_faults, sizeof *fs->timeline);
  for (size_t i = 0; i < sc->n_faults; i++) {
    const struct scenario_fault *sf = &sc->faults[i];
    if (sf->at_ms < 0 || !fault_kind_implemented(sf->kind_id))
      continue;
    struct timeline_entry *t = &fs->timeline[fs->n_timeline++];
    *t = (struct timeline_entry){.fs = fs, .sf = sf};
    t->ev = evtimer_new(lab->base, on_timeline, t);
    arm_ms(t->ev, sf->at_ms);
  }
}

void lab_faults_repair_all(struct lab *lab)
{
  if (lab->faults == NULL)
    return;
  lab->faults->going_down = true;
  for (struct lab_fault *lf = lab->faults->list; lf != NULL; lf = lf->next) {
    cleanup_error struct lab_error *err = NULL;
    if (unrepaired(lf) && repair_one(lf, "the lab goes down", &err) < 0)
      log_warn("lab %s: fault %s: %s", lab->name, fault_label(lf), err->msg);
  }
}

void lab_faults_free(struct lab *lab)
{
  struct lab_faults *fs = lab->faults;
  if (fs == NULL)
    return;
  for (struct lab_fault *lf = fs->list, *next; lf != NULL; lf = next) {
    next = lf->next;
    if (lf->timer != NULL)
      event_free(lf->timer);
    fault_free(lf->f);
    free(lf->name);
    free(lf);
  }
  if (fs->poll_ev != NULL)
    event_free(fs->poll_ev);
  for (size_t i = 0; i < fs->n_timeline; i++)
    event_free(fs->timeline[i].ev);
  free(fs->timeline);
  fault_backend_free(fs->be);
  free(fs);
  lab->faults = NULL;
}

/* The node a fault acts on: its node parameter, or its pod's node. */
static const char *fault_node(const struct lab *lab, const struct fault *f)
{
  const char *node = fault_param(f, "node"), *pod = fault_param(f, "pod");
  for (size_t i = 0; node == NULL && pod != NULL && i < lab->n_pods; i++)
    if (strcmp(lab->pods[i].spec->name, pod) == 0)
      node = lab->pods[i].spec->node;
  return node;
}

size_t lab_faults_status(const struct lab *lab, struct api_fault **out)
{
  *out = NULL;
  if (lab->faults == NULL)
    return 0;
  /* An exercise's fault is not shown: status is where a learner looks first
   * (nodelab fault ls still lists it, for an instructor). */
  size_t n = 0;
  for (const struct lab_fault *lf = lab->faults->list; lf != NULL; lf = lf->next)
    n += !lf->done && lf->by != API_FAULT_BY_EXERCISE;
  *out = xcalloc(n, sizeof **out);
  size_t i = 0;
  for (const struct lab_fault *lf = lab->faults->list; lf != NULL; lf = lf->next)
    if (!lf->done && lf->by != API_FAULT_BY_EXERCISE)
      (*out)[i++] = (struct api_fault){.name = fault_label(lf),
                                       .kind = fault_kind_name(fault_get_kind(lf->f)),
                                       .node = fault_node(lab, lf->f),
                                       .state = api_fault_state_name(lf->state)};
  return n;
}

/* ---- for exercises (lab-exercises.c) ---- */

/* The backend an exercise's predicate runs through: the one the periodic
 * evaluation uses (a lab's own, once the process kinds give it callbacks). */
static const struct fault_backend *exercise_backend(const struct lab_faults *fs)
{
  return fs->be;
}

int lab_faults_inject_exercise(struct lab *lab, const struct scenario_fault *sf, uint32_t pick,
                               struct lab_fault **out, char **before, int *status,
                               struct lab_error **err)
{
  struct fault_kv kv[FAULT_KIND_MAX_PARAMS];
  size_t n = 0;
  for (size_t i = 0; i < sf->n_args && n < FAULT_KIND_MAX_PARAMS; i++)
    kv[n++] = (struct fault_kv){sf->args[i].spec->name, sf->args[i].text};
  struct exercise_inject ex = {.pick = pick};
  struct json_object *reply =
      inject_for(faults_of(lab), sf, sf->kind_id, kv, n, 0, API_FAULT_BY_EXERCISE, &ex, status);
  if (*status != 201) {
    lab_error_set(err, 0, "fault %s: %s", sf->name,
                  json_get_str(reply, "error") ?: "inject failed");
    json_object_put(reply);
    free(ex.before);
    return -1;
  }
  json_object_put(reply);
  *out = ex.created;
  *before = ex.before;
  return 0;
}

const struct fault *lab_fault_engine(const struct lab_fault *lf)
{
  return lf->f;
}

int lab_fault_present(struct lab_fault *lf, bool *present, struct lab_error **err)
{
  if (fault_present(lf->f, exercise_backend(lf->owner), present, err) < 0)
    return -1;
  evaluate(lf->owner); /* and fault ls says repaired-by-hand at once */
  return 0;
}

int lab_fault_repair(struct lab_fault *lf, const char *why, struct lab_error **err)
{
  return lf->done ? 0 : repair_one(lf, why, err);
}

void lab_fault_settle(struct lab_fault *lf)
{
  lf->done = true;
  if (lf->timer != NULL) {
    event_free(lf->timer);
    lf->timer = NULL;
  }
}

int lab_fault_capture(const struct lab_fault *lf, char **text, struct lab_error **err)
{
  return fault_capture_touched(lf->f, lf->owner->be, text, err);
}
