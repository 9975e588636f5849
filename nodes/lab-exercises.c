/* A lab's exercise: one of the scenario's faults, picked by a seed, injected
 * by "exercise" through lab-faults.c, graded by its own predicate and the
 * exercise's `verify` checks (lab-checks.c, asynchronous), and recorded when
 * it ends.
 *
 * Replacing is not repairing: at start the identities of what the fault
 * touches are taken — the target pod's infra pid and container ids as its
 * node's runtime reports them (pod-ls, asked without blocking, never the
 * cached pod info), the target node's init pid, the lab's creation time —
 * and check compares them first. */
#include "lab-exercises.h"
#include "lab-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "api-exercises.h"
#include "api.h"
#include "cleanup.h"
#include "exercise-pick.h"
#include "fault.h"
#include "json.h"
#include "lab-faults.h"
#include "log.h"
#include "netstate.h"
#include "paths.h"
#include "rpc.h"
#include "runtime-rpc.h"
#include "scenario.h"
#include "strv.h"
#include "tunnel.h"
#include "xalloc.h"

LOG_MODULE(exercises);

#define RUNTIME_QUERY_TIMEOUT_S 5

/* A pod as its node's runtime reports it. */
struct pod_identity {
  bool found;
  int infra_pid;
  char *infra_id;
  char **container_ids; /* "name=id" each, in the runtime's order */
};

struct pending_op;

struct lab_exercise {
  struct lab *lab;
  const struct scenario_exercise *ex;
  const struct scenario_fault *sf;
  struct lab_fault *lf;
  uint64_t seed;
  enum api_exercise_state state;
  char started[TIMEFMT_ISO_LEN], ended[TIMEFMT_ISO_LEN];
  struct timespec t0;
  int64_t seconds; /* once ended */
  int64_t hints_used, checks_tried;
  char *before; /* the state of what the fault touches, before inject */
  char *reason; /* why it ended so (what was replaced), or NULL */
  /* Identities at start. */
  const char *pod, *node; /* the fault's parameters (its strings), or NULL */
  struct pod_identity pod_id;
  pid_t node_pid;
  time_t lab_created;
  struct pending_op *op; /* the start or check waiting on the runtime or the checks */
};

/* A start or check that waits: for the runtime's pod-ls, then (check) the
 * verify checks.  x is NULL once the exercise is freed. */
struct pending_op {
  struct lab_exercise *x;
  bool is_check;
  lab_exercise_reply_cb *cb;
  void *arg;
  int fd;
  struct event *ev;
  /* check: the findings so far */
  char *replaced;
  bool fault_present;
  char *fault_problem;
};

static int64_t elapsed_s(const struct timespec *t0)
{
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (int64_t)(now.tv_sec - t0->tv_sec);
}

static void now_iso(char buf[TIMEFMT_ISO_LEN])
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  timefmt_iso(buf, &ts, 0);
}

static void reply_error(lab_exercise_reply_cb *cb, void *arg, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void reply_error(lab_exercise_reply_cb *cb, void *arg, int code, const char *fmt, ...)
{
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  struct json_object *o = api_error_encode(&(struct api_error){.error = msg});
  cb(code, o, arg);
  json_object_put(o);
}

static struct json_object *error_json(int *code, int status, const char *msg)
{
  *code = status;
  return api_error_encode(&(struct api_error){.error = msg});
}

static void pod_identity_clear(struct pod_identity *p)
{
  free(p->infra_id);
  strv_free(p->container_ids);
  *p = (struct pod_identity){0};
}

static size_t n_hints(const struct lab_exercise *x)
{
  return strv_len((const char *const *)x->sf->hints) + strv_len(fault_kind_hints(x->sf->kind_id));
}

static const char *symptom_of(const struct lab_exercise *x)
{
  return x->sf->symptom ? x->sf->symptom : fault_kind_symptom(x->sf->kind_id);
}

/* ---- history ---- */

/* Appends x's record to paths_history_dir()/LAB.jsonl (made when missing). */
static void record_history(const struct lab_exercise *x)
{
  const struct fault *f = lab_fault_engine(x->lf);
  struct api_exercise_record r = {.lab = x->lab->name,
                                  .exercise = x->ex->name,
                                  .fault = x->sf->name,
                                  .kind = fault_kind_name(fault_get_kind(f)),
                                  .target = fault_target(f),
                                  .started = x->started,
                                  .ended = x->ended,
                                  .reason = x->reason,
                                  .seed = x->seed,
                                  .seconds = x->seconds,
                                  .hints_used = x->hints_used,
                                  .checks_tried = x->checks_tried,
                                  .result = x->state};
  cleanup_free char *line = api_exercise_record_line(&r);
  const char *dir = paths_history_dir();
  char parent[4096];
  snprintf(parent, sizeof parent, "%s", dir);
  char *slash = strrchr(parent, '/');
  if (slash != NULL && slash != parent) {
    *slash = '\0';
    mkdir(parent, 0755);
  }
  if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
    log_warn("exercise %s: history: mkdir %s: %s", x->ex->name, dir, strerror(errno));
    return;
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/%s.jsonl", dir, x->lab->name);
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0 || write(fd, line, strlen(line)) != (ssize_t)strlen(line))
    log_warn("exercise %s: history: writing %s: %s", x->ex->name, path, strerror(errno));
  if (fd >= 0)
    close(fd);
}

/* Ends the running exercise x as state, for reason (NULL: none). */
static void finish(struct lab_exercise *x, enum api_exercise_state state, const char *reason)
{
  x->state = state;
  now_iso(x->ended);
  x->seconds = elapsed_s(&x->t0);
  free(x->reason);
  x->reason = reason ? xstrdup(reason) : NULL;
  record_history(x);
  lab_events_add(x->lab->events, "exercise-ended", x->ex->name, "%s after %" PRId64 " s%s%s",
                 api_exercise_state_name(state), x->seconds, reason ? ": " : "",
                 reason ? reason : "");
}

/* ---- the runtime's pod-ls, without blocking ---- */

static void op_free(struct pending_op *op)
{
  if (op->ev != NULL)
    event_free(op->ev);
  if (op->fd >= 0)
    close(op->fd);
  if (op->x != NULL)
    op->x->op = NULL;
  free(op->replaced);
  free(op->fault_problem);
  free(op);
}

/* The pod called name in a pod-ls reply, into *out. */
static int find_pod(struct json_object *reply, const char *name, struct pod_identity *out,
                    struct lab_error **err)
{
  *out = (struct pod_identity){0};
  if (rt_rpc_reply_check(reply, err) < 0)
    return -1;
  struct json_object *pods = json_get_array(reply, "pods");
  for (size_t i = 0; pods != NULL && i < json_object_array_length(pods); i++) {
    struct rt_rpc_pod p = {0};
    if (rt_rpc_pod_from_json(json_object_array_get_idx(pods, i), &p, err) < 0)
      return -1;
    if (p.name != NULL && strcmp(p.name, name) == 0 && !out->found) {
      out->found = true;
      out->infra_pid = p.infra_pid;
      out->infra_id = p.infra_id ? xstrdup(p.infra_id) : NULL;
      out->container_ids = xcalloc(p.n_containers + 1, sizeof *out->container_ids);
      for (size_t j = 0; j < p.n_containers; j++)
        out->container_ids[j] =
            xasprintf("%s=%s", p.containers[j].name ?: "?", p.containers[j].id ?: "missing");
    }
    rt_rpc_pod_clear(&p);
  }
  return 0;
}

static void after_pods(struct pending_op *op, const struct pod_identity *now, const char *error);

static void on_pods_reply(evutil_socket_t fd, short what, void *arg)
{
  struct pending_op *op = arg;
  struct json_object *reply = NULL;
  cleanup_error struct lab_error *err = NULL;
  struct pod_identity now = {0};
  const char *error = NULL;
  if (what & EV_TIMEOUT) {
    error = "the runtime did not answer pod-ls in time";
  } else {
    int rc = rpc_recv(fd, &reply, NULL, 0, NULL);
    if (rc < 0 && errno == EAGAIN)
      return;
    if (rc <= 0)
      error = "the runtime closed the connection";
    else if (find_pod(reply, op->x ? op->x->pod : "", &now, &err) < 0)
      error = err->msg;
  }
  event_free(op->ev);
  op->ev = NULL;
  close(op->fd);
  op->fd = -1;
  after_pods(op, &now, error);
  pod_identity_clear(&now);
  json_object_put(reply);
}

/* Asks the runtime of x's pod's node for its pods; after_pods() follows
 * (from within this call when the request cannot even be sent). */
static void query_pods(struct pending_op *op)
{
  struct lab_exercise *x = op->x;
  const struct scenario_pod *sp = scenario_find_pod(x->lab->sc, x->pod);
  pid_t node_pid = sp ? lab_node_pid(x->lab, sp->node) : 0;
  cleanup_error struct lab_error *err = NULL;
  char why[512];
  if (node_pid <= 0) {
    snprintf(why, sizeof why, "node %s is not running", sp ? sp->node : "?");
    after_pods(op, &(struct pod_identity){0}, why);
    return;
  }
  op->fd = tunnel_connect_in_node(node_pid, NODE_RUNTIME_SOCKET, SOCK_SEQPACKET, &err);
  if (op->fd < 0) {
    snprintf(why, sizeof why, "the runtime of node %s: %s", sp->node, err->msg);
    after_pods(op, &(struct pod_identity){0}, why);
    return;
  }
  fcntl(op->fd, F_SETFL, fcntl(op->fd, F_GETFL) | O_NONBLOCK);
  struct json_object *req = rt_rpc_request_new(RT_OP_POD_LS);
  int rc = rpc_send(op->fd, req, NULL, 0);
  json_object_put(req);
  if (rc < 0) {
    snprintf(why, sizeof why, "the runtime of node %s: %s", sp->node, strerror(errno));
    close(op->fd);
    op->fd = -1;
    after_pods(op, &(struct pod_identity){0}, why);
    return;
  }
  op->ev = event_new(x->lab->base, op->fd, EV_READ | EV_PERSIST, on_pods_reply, op);
  struct timeval tv = {RUNTIME_QUERY_TIMEOUT_S, 0};
  event_add(op->ev, &tv);
}

/* ---- start ---- */

static struct lab_exercise *running(struct lab *lab)
{
  struct lab_exercise *x = lab->exercise;
  return x != NULL && x->state == API_EXERCISE_RUNNING ? x : NULL;
}

static void exercise_free(struct lab_exercise *x)
{
  if (x == NULL)
    return;
  if (x->op != NULL)
    x->op->x = NULL;
  free(x->before);
  free(x->reason);
  pod_identity_clear(&x->pod_id);
  free(x);
}

static void started_reply(struct lab_exercise *x, lab_exercise_reply_cb *cb, void *arg)
{
  struct json_object *o = api_exercise_started_encode(&(struct api_exercise_started){
      .exercise = x->ex->name, .symptom = symptom_of(x), .seed = x->seed});
  cb(201, o, arg);
  json_object_put(o);
}

/* start: the runtime said what the target pod is now. */
static void start_after_pods(struct pending_op *op, const struct pod_identity *now,
                             const char *error)
{
  struct lab_exercise *x = op->x;
  lab_exercise_reply_cb *cb = op->cb;
  void *arg = op->arg;
  op_free(op);
  if (x == NULL) {
    reply_error(cb, arg, 410, "the lab is gone");
    return;
  }
  if (error != NULL || !now->found) {
    cleanup_error struct lab_error *err = NULL;
    if (lab_fault_repair(x->lf, "the exercise could not start", &err) < 0)
      log_warn("exercise %s: repair: %s", x->ex->name, err->msg);
    lab_fault_settle(x->lf);
    reply_error(cb, arg, 500,
                "exercise %s: cannot learn pod %s's identity from its runtime (%s); the fault "
                "was repaired, nothing is running: try nodelab exercise start again",
                x->ex->name, x->pod, error ? error : "it does not list the pod");
    x->lab->exercise = NULL;
    exercise_free(x);
    return;
  }
  x->pod_id = (struct pod_identity){.found = true,
                                    .infra_pid = now->infra_pid,
                                    .infra_id = now->infra_id ? xstrdup(now->infra_id) : NULL,
                                    .container_ids = strv_dup(now->container_ids)};
  started_reply(x, cb, arg);
}

void lab_exercise_start(struct lab *lab, struct json_object *body, lab_exercise_reply_cb *cb,
                        void *arg)
{
  cleanup_error struct lab_error *err = NULL;
  struct api_exercise_start req;
  if (body == NULL || api_exercise_start_decode(body, &req, &err) < 0) {
    reply_error(cb, arg, 400, "%s", err ? err->msg : "request body is not a JSON object");
    return;
  }
  struct lab_exercise *x = running(lab);
  if (x != NULL) {
    reply_error(cb, arg, 409,
                "exercise %s is running in lab %s (since %s): end it with nodelab exercise "
                "check (once repaired) or nodelab exercise solve (giving up)",
                x->ex->name, lab->name, x->started);
    return;
  }
  if (lab->state != LAB_UP) {
    reply_error(cb, arg, 409, "lab %s is not up", lab->name);
    return;
  }
  uint64_t seed = req.has_seed ? req.seed : exercise_draw_seed();
  struct exercise_pick pick;
  if (exercise_pick(lab->sc, req.name, seed, &pick, &err) < 0) {
    reply_error(cb, arg, 404, "%s", err->msg);
    return;
  }
  const struct scenario_exercise *ex = &lab->sc->exercises[pick.exercise];
  const struct scenario_fault *sf = scenario_find_fault(lab->sc, ex->faults[pick.fault]);
  if (sf == NULL) { /* the validator makes sure it exists */
    reply_error(cb, arg, 500, "exercise %s: no fault %s", ex->name, ex->faults[pick.fault]);
    return;
  }
  struct lab_fault *lf = NULL;
  char *before = NULL;
  int status = 500;
  if (lab_faults_inject_exercise(lab, sf, pick.target, &lf, &before, &status, &err) < 0) {
    reply_error(cb, arg, status == 409 ? 409 : status, "exercise %s: %s", ex->name, err->msg);
    return;
  }
  exercise_free(lab->exercise); /* the last one, finished */
  x = xcalloc(1, sizeof *x);
  const struct fault *f = lab_fault_engine(lf);
  *x = (struct lab_exercise){
      .lab = lab,
      .ex = ex,
      .sf = sf,
      .lf = lf,
      .seed = seed,
      .state = API_EXERCISE_RUNNING,
      .before = before,
      /* pod-kill's repair runs the pod anew: a new infra is
       * the repair there, not a replacement */
      .pod = fault_get_kind(f) == FAULT_KIND_POD_KILL ? NULL : fault_param(f, "pod"),
      .node = fault_param(f, "node"),
      .lab_created = lab->created};
  clock_gettime(CLOCK_MONOTONIC, &x->t0);
  now_iso(x->started);
  x->node_pid = x->node ? lab_node_pid(lab, x->node) : 0;
  lab->exercise = x;
  lab_events_add(lab->events, "exercise-started", ex->name, "seed %" PRIu64, seed);
  log_info("lab %s: exercise %s (seed %" PRIu64 "): %s on %s", lab->name, ex->name, seed,
           fault_kind_name(fault_get_kind(f)), fault_target(f));
  if (x->pod == NULL) {
    started_reply(x, cb, arg);
    return;
  }
  struct pending_op *op = xcalloc(1, sizeof *op);
  *op = (struct pending_op){.x = x, .cb = cb, .arg = arg, .fd = -1};
  x->op = op;
  query_pods(op);
}

/* ---- check ---- */

/* What differs between the identities at start and now, in words (NULL:
 * nothing); malloc'd. */
static char *replaced_what(const struct lab_exercise *x, const struct pod_identity *now,
                           const char *error)
{
  if (x->lab->created != x->lab_created)
    return xasprintf("lab %s was recreated", x->lab->name);
  pid_t node_pid = x->node != NULL ? lab_node_pid(x->lab, x->node) : 0;
  if (x->node != NULL && node_pid <= 0)
    return xasprintf("node %s is not running any more (its init was pid %d)", x->node,
                     (int)x->node_pid);
  if (x->node != NULL && node_pid != x->node_pid)
    return xasprintf("node %s was restarted (its init was pid %d, now %d)", x->node,
                     (int)x->node_pid, (int)node_pid);
  if (x->pod == NULL)
    return NULL;
  if (error != NULL)
    return NULL; /* not known: said as a problem instead */
  if (!now->found)
    return xasprintf("pod %s was deleted", x->pod);
  if (now->infra_pid != x->pod_id.infra_pid ||
      (now->infra_id && x->pod_id.infra_id && strcmp(now->infra_id, x->pod_id.infra_id) != 0))
    return xasprintf("pod %s was deleted and recreated (its infra process was pid %d, now %d)",
                     x->pod, x->pod_id.infra_pid, now->infra_pid);
  for (size_t i = 0; x->pod_id.container_ids && x->pod_id.container_ids[i]; i++) {
    bool same = false;
    for (size_t j = 0; now->container_ids && now->container_ids[j]; j++)
      same = same || strcmp(now->container_ids[j], x->pod_id.container_ids[i]) == 0;
    if (!same) {
      char name[128];
      snprintf(name, sizeof name, "%.*s", (int)strcspn(x->pod_id.container_ids[i], "="),
               x->pod_id.container_ids[i]);
      return xasprintf("container %s of pod %s was replaced", name, x->pod);
    }
  }
  return NULL;
}

static void check_reply(struct lab_exercise *x, struct pending_op *op, bool passed,
                        const char **problems, size_t n_problems, const char *residue)
{
  struct api_exercise_check m = {.passed = passed,
                                 .fault_present = op->fault_present,
                                 .state = x->state,
                                 .problems = problems,
                                 .n_problems = n_problems,
                                 .residue = residue,
                                 .replaced = op->replaced,
                                 .checks_tried = x->checks_tried};
  struct json_object *o = api_exercise_check_encode(&m);
  op->cb(200, o, op->arg);
  json_object_put(o);
}

/* The verify checks are back (reply NULL: the lab went away). */
static void on_verify_done(struct json_object *reply, void *arg)
{
  struct pending_op *op = arg;
  struct lab_exercise *x = op->x;
  if (x == NULL || reply == NULL) {
    reply_error(op->cb, op->arg, 410, "the lab is gone");
    op_free(op);
    return;
  }
  if (x->state != API_EXERCISE_RUNNING) { /* ended meanwhile (the lab goes down) */
    const char *problem = x->reason ? x->reason : "the exercise ended meanwhile";
    check_reply(x, op, false, &problem, 1, NULL);
    op_free(op);
    return;
  }
  cleanup_error struct lab_error *err = NULL;
  struct api_check_results res;
  bool decoded = api_check_results_decode(reply, &res, &err) == 0;
  char **problems = xcalloc((decoded ? res.n_checks : 0) + 3, sizeof *problems);
  size_t n = 0;
  if (op->fault_problem != NULL)
    problems[n++] = xstrdup(op->fault_problem);
  else if (op->fault_present)
    problems[n++] = xstrdup("the fault is still present");
  if (!decoded) {
    problems[n++] = xasprintf("the checks' results: %s", err->msg);
  } else {
    for (size_t i = 0; i < res.n_checks; i++)
      if (res.checks[i].result != API_CHECK_PASSED)
        problems[n++] = xasprintf("check %s fails: %s", res.checks[i].name,
                                  res.checks[i].reason ? res.checks[i].reason : "no reason");
    api_check_results_release(&res);
  }
  bool passed = n == 0;
  cleanup_free char *residue = NULL;
  if (passed) {
    cleanup_free char *now = NULL, *diff = NULL;
    cleanup_error struct lab_error *cerr = NULL;
    if (lab_fault_capture(x->lf, &now, &cerr) < 0)
      residue = xasprintf("the state after the repair cannot be read: %s", cerr->msg);
    else if (x->before != NULL && netstate_diff_text(x->before, now, &diff, &cerr) > 0)
      residue = xasprintf("the repair works but left the state different from before the fault "
                          "(- before, + now):\n%s",
                          diff);
    lab_fault_settle(x->lf); /* the learner repaired it: nodelab repairs nothing more */
    finish(x, API_EXERCISE_SOLVED, residue);
  }
  check_reply(x, op, passed, (const char **)problems, n, residue);
  strv_free(problems);
  op_free(op);
}

/* check: the runtime said what the target pod is now (or x has no pod). */
static void check_after_pods(struct pending_op *op, const struct pod_identity *now,
                             const char *error)
{
  struct lab_exercise *x = op->x;
  if (x == NULL) {
    reply_error(op->cb, op->arg, 410, "the lab is gone");
    op_free(op);
    return;
  }
  op->replaced = replaced_what(x, now, error);
  if (op->replaced != NULL) {
    cleanup_error struct lab_error *err = NULL;
    /* What the snapshot names may be gone with what was replaced: best effort. */
    if (lab_fault_repair(x->lf, "the exercise ended as replaced", &err) < 0)
      log_info("exercise %s: repair after replacement: %s", x->ex->name, err->msg);
    lab_fault_settle(x->lf);
    finish(x, API_EXERCISE_REPLACED, op->replaced);
    const char *problem = op->replaced;
    check_reply(x, op, false, &problem, 1, NULL);
    op_free(op);
    return;
  }
  cleanup_error struct lab_error *err = NULL;
  bool present = true;
  if (error != NULL)
    op->fault_problem = xasprintf("cannot tell whether pod %s was replaced: %s", x->pod, error);
  else if (lab_fault_present(x->lf, &present, &err) < 0)
    op->fault_problem = xasprintf("cannot tell whether the fault is still present: %s", err->msg);
  op->fault_present = present;
  const char *const *verify = (const char *const *)x->ex->verify;
  if (lab_checks_run(x->lab, verify, on_verify_done, op, &err) < 0) {
    reply_error(op->cb, op->arg, err->errnum == EBUSY ? 409 : 500, "exercise %s: %s", x->ex->name,
                err->msg);
    op_free(op);
  }
}

static void after_pods(struct pending_op *op, const struct pod_identity *now, const char *error)
{
  if (op->is_check)
    check_after_pods(op, now, error);
  else
    start_after_pods(op, now, error);
}

void lab_exercise_check(struct lab *lab, lab_exercise_reply_cb *cb, void *arg)
{
  struct lab_exercise *x = running(lab);
  if (x == NULL) {
    reply_error(cb, arg, 409,
                "no exercise is running in lab %s (nodelab exercise start begins one)", lab->name);
    return;
  }
  if (x->op != NULL) {
    reply_error(cb, arg, 409, "exercise %s: a check is running already", x->ex->name);
    return;
  }
  x->checks_tried++;
  struct pending_op *op = xcalloc(1, sizeof *op);
  *op = (struct pending_op){.x = x, .is_check = true, .cb = cb, .arg = arg, .fd = -1};
  x->op = op;
  if (x->pod != NULL)
    query_pods(op);
  else
    check_after_pods(op, &(struct pod_identity){0}, NULL);
}

/* ---- status, hint, solve ---- */

struct json_object *lab_exercise_status(struct lab *lab, int *code)
{
  struct lab_exercise *x = lab->exercise;
  if (x == NULL) {
    char msg[256];
    snprintf(msg, sizeof msg, "no exercise has run in lab %s (nodelab exercise start begins one)",
             lab->name);
    return error_json(code, 404, msg);
  }
  struct api_exercise_status m = {.exercise = x->ex->name,
                                  .started = x->started,
                                  .symptom = symptom_of(x),
                                  .reason = x->reason,
                                  .seed = x->seed,
                                  .state = x->state,
                                  .seconds = x->state == API_EXERCISE_RUNNING ? elapsed_s(&x->t0)
                                                                              : x->seconds,
                                  .hints_used = x->hints_used,
                                  .hints_total = (int64_t)n_hints(x),
                                  .checks_tried = x->checks_tried};
  *code = 200;
  return api_exercise_status_encode(&m);
}

static struct json_object *no_exercise(struct lab *lab, int *code)
{
  char msg[256];
  snprintf(msg, sizeof msg, "no exercise is running in lab %s (nodelab exercise start begins one)",
           lab->name);
  return error_json(code, 409, msg);
}

struct json_object *lab_exercise_hint(struct lab *lab, int *code)
{
  struct lab_exercise *x = running(lab);
  if (x == NULL)
    return no_exercise(lab, code);
  size_t own = strv_len((const char *const *)x->sf->hints), total = n_hints(x);
  struct api_exercise_hint m = {.number = x->hints_used, .total = (int64_t)total};
  if ((size_t)x->hints_used < total) {
    size_t i = (size_t)x->hints_used++;
    m.number = x->hints_used;
    m.hint = i < own ? x->sf->hints[i] : fault_kind_hints(x->sf->kind_id)[i - own];
  }
  *code = 200;
  return api_exercise_hint_encode(&m);
}

struct json_object *lab_exercise_solve(struct lab *lab, int *code)
{
  struct lab_exercise *x = running(lab);
  if (x == NULL)
    return no_exercise(lab, code);
  if (x->op != NULL)
    return error_json(code, 409, "a check is running: wait for its answer");
  const struct fault *f = lab_fault_engine(x->lf);
  const struct fault_kind_spec *k = fault_kind_spec(fault_get_kind(f));
  char **cmds = fault_hand_repair(f);
  char cause[512];
  snprintf(cause, sizeof cause, "%s (%s): it %s", x->sf->name, k->name, k->breaks);
  struct api_exercise_solution m = {.cause = cause,
                                    .target = fault_target(f),
                                    .commands = (const char **)cmds,
                                    .n_commands = strv_len((const char *const *)cmds)};
  if (m.n_commands == 0) {
    static const char *const none[] = {"(no recipe for this kind: nodelab fault repair does it)"};
    m.commands = (const char **)none;
    m.n_commands = 1;
  }
  cleanup_error struct lab_error *err = NULL;
  if (lab_fault_repair(x->lf, "exercise solve", &err) < 0) {
    strv_free(cmds);
    char msg[1024];
    snprintf(msg, sizeof msg,
             "exercise %s: the repair failed: %s (nodelab fault repair %s retries)", x->ex->name,
             err->msg, x->sf->name);
    return error_json(code, 500, msg);
  }
  finish(x, API_EXERCISE_GIVEN_UP, NULL);
  m.state = x->state;
  struct json_object *o = api_exercise_solution_encode(&m);
  strv_free(cmds);
  *code = 200;
  return o;
}

void lab_exercise_lab_down(struct lab *lab)
{
  struct lab_exercise *x = running(lab);
  if (x == NULL)
    return;
  char why[128];
  snprintf(why, sizeof why, "lab %s was brought down while the exercise ran", lab->name);
  finish(x, API_EXERCISE_REPLACED, why);
}

void lab_exercise_free(struct lab *lab)
{
  exercise_free(lab->exercise);
  lab->exercise = NULL;
}
