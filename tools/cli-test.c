/* nodelab test SCENARIO... [--junit FILE]: each scenario end to end, through
 * nodelabd's API as the other verbs do — up (as `nodelab up FILE`, under the
 * scenario's own name), the plan of tools/test-plan.h step by step, down,
 * then a look for anything left: the lab's run directory, its cgroups, its
 * processes, and a change of the host's own network namespace (netstate
 * before and after).  TAP on stdout as each step ends, JUnit XML at the end
 * (tools/test-report.h); a failing scenario is still brought down.  Exit
 * status 0 iff every step of every scenario passed (skips count as passes). */
#include "cli.h"
#include "test-plan.h"
#include "test-report.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "api-faults.h"
#include "api.h"
#include "cleanup.h"
#include "error.h"
#include "http-client.h"
#include "labstate.h"
#include "ledger.h"
#include "netstate.h"
#include "paths.h"
#include "proc.h"
#include "scenario.h"

#define UP_TIMEOUT_MS (10 * 60 * 1000)
#define DOWN_TIMEOUT_MS (5 * 60 * 1000)
#define CHECK_RUN_TIMEOUT_MS 75000
#define FAULT_TIMEOUT_MS 30000
#define QUERY_TIMEOUT_MS 10000
/* How long a step waits for its condition to hold (a check to fail after an
 * inject, every check to pass after a repair, the state to settle, the lab's
 * objects to go): the lab converges (ARP, netd's flows), it is never instant. */
#define SETTLE_MS 10000
#define LEFTOVER_MS 5000
#define RETRY_MS 200

static double now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms)
{
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
    ;
}

/* SIGINT, SIGTERM or SIGHUP: the scenario running stops after its step, is brought
 * down and checked for leftovers, and no other starts. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
  (void)sig;
  interrupted = 1;
}

/* One scenario's run: its lab, what the runner remembers, its report. */
struct run {
  const char *lab;
  struct test_suite *suite;
  int *number; /* the TAP line count, across scenarios */
  bool progress;
  struct api_faults catalogue;
  struct json_object *catalogue_reply;
  struct labstate *captured; /* TEST_OP_CAPTURE's state */
  bool settled;              /* a capture was seen not to move by itself */
  bool not_ours;             /* up found a lab of that name running: leave it be */
  /* Faults this kernel or build cannot inject (the API's 501): the steps that
   * test what they would break are skipped.  n_injected counts the others. */
  char **cannot;
  size_t n_cannot, n_injected;
  struct labstate *at_up; /* the state just after up, and when */
  double at_up_time;
  /* The lab's processes while it ran: none may outlive it. */
  pid_t *pids;
  uint64_t *starttimes;
  size_t n_pids;
};

/* Reports a finished step: a TAP line now, a JUnit case later.  Takes the
 * strings (malloc'd or NULL). */
static bool report(struct run *r, char *name, enum test_result res, char *message, char *detail,
                   double started)
{
  struct test_case *c = test_suite_add(r->suite, name, res, message, detail, now_s() - started);
  test_tap_case(stdout, ++*r->number, r->suite->name, c);
  return res != TEST_FAIL;
}

static void progress(const struct run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void progress(const struct run *r, const char *fmt, ...)
{
  if (!r->progress)
    return;
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "nodelab test: %s: ", r->lab);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

/* ---- the API ---- */

/* `method target body`: 0 and *reply when the status is want; else -1 and
 * *msg (malloc'd) saying why. */
/* The status of the last call's reply (0: there was none). */
static int call_status;

static int call(const char *method, const char *target, const char *body, int timeout_ms, int want,
                struct json_object **reply, char **msg)
{
  int status;
  cleanup_error struct lab_error *err = NULL;
  struct json_object *o = NULL;
  call_status = 0;
  if (cli_api(method, target, body, timeout_ms, &status, &o, &err) < 0) {
    *msg = xasprintf("%s %s: %s", method, target,
                     http_error_is_unreachable(err) ? "nodelabd is not running" : err->msg);
    return -1;
  }
  call_status = status;
  if (status != want) {
    *msg = xasprintf("%s", cli_reply_error(o, status));
    json_object_put(o);
    return -1;
  }
  if (reply != NULL)
    *reply = o;
  else
    json_object_put(o);
  return 0;
}

/* The results of the checks named (NULL: all) into *res (*reply owns its
 * strings); -1 and *msg. */
static int run_checks(struct run *r, const char *name, struct api_check_results *res,
                      struct json_object **reply, char **msg)
{
  const char *names[2] = {name, NULL};
  struct json_object *req =
      api_check_run_encode(&(struct api_check_run){.names = name ? names : NULL});
  char target[160];
  snprintf(target, sizeof target, "/v1/labs/%s/checks", r->lab);
  int rc =
      call("POST", target, json_object_to_json_string(req), CHECK_RUN_TIMEOUT_MS, 200, reply, msg);
  json_object_put(req);
  if (rc < 0)
    return -1;
  cleanup_error struct lab_error *err = NULL;
  if (api_check_results_decode(*reply, res, &err) < 0) {
    *msg = xasprintf("checks of lab %s: %s", r->lab, err->msg);
    json_object_put(*reply);
    return -1;
  }
  return 0;
}

/* The failed checks of res, one "NAME (FROM -> TO): REASON" line each. */
static char *failed_lines(const struct api_check_results *res)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (f == NULL)
    abort();
  for (size_t i = 0; i < res->n_checks; i++) {
    const struct api_check *c = &res->checks[i];
    if (c->result == API_CHECK_FAILED)
      fprintf(f, "%s (%s -> %s): %s\n", c->name, c->from ? c->from : "-", c->to ? c->to : "-",
              c->reason ? c->reason : "failed");
  }
  fclose(f);
  return buf;
}

static const struct api_check *first_failed(const struct api_check_results *res)
{
  for (size_t i = 0; i < res->n_checks; i++)
    if (res->checks[i].result == API_CHECK_FAILED)
      return &res->checks[i];
  return NULL;
}

/* ---- the steps ---- */

/* TEST_OP_CHECK (want_fail false: every check named passes) and
 * TEST_OP_EXPECT_FAIL / TEST_OP_SOME_FAIL (want_fail: one fails), retried
 * until it holds or SETTLE_MS have passed. */
static bool step_checks(struct run *r, const struct test_step *st, const char *name, bool want_fail)
{
  double t0 = now_s();
  char *msg = NULL;
  for (;;) {
    struct api_check_results res;
    struct json_object *reply = NULL;
    free(msg);
    msg = NULL;
    if (run_checks(r, name, &res, &reply, &msg) < 0)
      return report(r, xstrdup(st->title), TEST_FAIL, msg, NULL, t0);
    const struct api_check *bad = first_failed(&res);
    bool holds = want_fail ? bad != NULL : bad == NULL;
    if (holds) {
      char *title = xstrdup(st->title);
      if (st->op == TEST_OP_SOME_FAIL) {
        /* Say which, and why. */
        free(title);
        title = xasprintf("%s: %s (%s)", st->title, bad->name, bad->reason ? bad->reason : "");
      }
      api_check_results_release(&res);
      json_object_put(reply);
      return report(r, title, TEST_PASS, NULL, NULL, t0);
    }
    if (want_fail && res.n_checks == 0) {
      api_check_results_release(&res);
      json_object_put(reply);
      return report(r, xstrdup(st->title), TEST_SKIP,
                    xstrdup("the scenario has no checks: nothing can show the fault"), NULL, t0);
    }
    if ((now_s() - t0) * 1000 >= SETTLE_MS || interrupted) {
      char *detail = NULL;
      if (want_fail) {
        msg = name != NULL ? xasprintf("%s still passes after %d s", name, SETTLE_MS / 1000)
                           : xasprintf("every check still passes after %d s", SETTLE_MS / 1000);
        if (name != NULL && res.n_checks == 1 && res.checks[0].reason != NULL)
          detail = xasprintf("%s: %s", name, res.checks[0].reason);
      } else {
        detail = failed_lines(&res);
        msg = xasprintf("%s failed: %s", bad->name, bad->reason ? bad->reason : "failed");
      }
      api_check_results_release(&res);
      json_object_put(reply);
      return report(r, xstrdup(st->title), TEST_FAIL, msg, detail, t0);
    }
    api_check_results_release(&res);
    json_object_put(reply);
    sleep_ms(RETRY_MS);
  }
}

static bool step_inject(struct run *r, const struct test_step *st)
{
  double t0 = now_s();
  struct json_object *req = api_fault_inject_encode(&(struct api_fault_inject){.name = st->arg});
  char target[160];
  snprintf(target, sizeof target, "/v1/labs/%s/faults", r->lab);
  char *msg = NULL;
  struct json_object *reply = NULL;
  int rc =
      call("POST", target, json_object_to_json_string(req), FAULT_TIMEOUT_MS, 201, &reply, &msg);
  json_object_put(req);
  if (rc < 0 && call_status == 501) {
    /* "not implemented yet", or this kernel lacks what it needs (sch_netem). */
    r->cannot = xnonnull(realloc(r->cannot, (r->n_cannot + 1) * sizeof *r->cannot));
    r->cannot[r->n_cannot++] = xstrdup(st->arg);
    return report(r, xstrdup(st->title), TEST_SKIP, msg, NULL, t0);
  }
  if (rc < 0)
    return report(r, xstrdup(st->title), TEST_FAIL, msg, NULL, t0);
  r->n_injected++;
  struct api_active_fault a;
  char *title = xstrdup(st->title);
  cleanup_error struct lab_error *err = NULL;
  if (api_active_fault_decode(reply, &a, &err) == 0) {
    if (a.target != NULL) {
      free(title);
      title = xasprintf("%s on %s", st->title, a.target);
    }
    api_active_fault_release(&a);
  }
  json_object_put(reply);
  return report(r, title, TEST_PASS, NULL, NULL, t0);
}

static bool step_repair(struct run *r, const struct test_step *st)
{
  double t0 = now_s();
  char target[256];
  snprintf(target, sizeof target, "/v1/labs/%s/faults%s%s", r->lab, st->arg ? "/" : "",
           st->arg ? st->arg : "");
  char *msg = NULL;
  if (call("DELETE", target, NULL, FAULT_TIMEOUT_MS, 200, NULL, &msg) < 0)
    return report(r, xstrdup(st->title), TEST_FAIL, msg, NULL, t0);
  if (st->arg == NULL)
    r->n_injected = 0;
  else if (r->n_injected > 0)
    r->n_injected--;
  return report(r, xstrdup(st->title), TEST_PASS, NULL, NULL, t0);
}

/* The kernel reports some link changes (a bridge's operstate going from
 * unknown to up as its first port comes up) through linkwatch, up to a
 * second late: a lab just up may still be moving.  The first capture of a
 * run is taken once two captures LINKWATCH_MS apart agree; later ones follow
 * a state that was seen equal, settled. */
#define LINKWATCH_MS 1100

static bool step_capture(struct run *r, const struct test_step *st)
{
  double t0 = now_s();
  labstate_free(r->captured);
  r->captured = NULL;
  cleanup_error struct lab_error *err = NULL;
  if (cli_state_fetch(r->lab, NULL, &r->captured, NULL, &err) < 0)
    return report(r, xstrdup(st->title), TEST_FAIL, xstrdup(err->msg), NULL, t0);
  double last = t0;
  if (!r->settled && r->at_up != NULL) {
    /* The capture taken at up, if long enough ago, is the first of the pair. */
    cleanup_free char *diff = NULL;
    r->settled = (t0 - r->at_up_time) * 1000 >= LINKWATCH_MS &&
                 labstate_diff(r->at_up, r->captured, &diff, &err) == 0;
    last = r->at_up_time;
  }
  while (!r->settled && !interrupted && (now_s() - t0) * 1000 < SETTLE_MS) {
    int wait = LINKWATCH_MS - (int)((now_s() - last) * 1000);
    sleep_ms(wait > 0 ? wait : 0);
    last = now_s();
    struct labstate *again = NULL;
    if (cli_state_fetch(r->lab, NULL, &again, NULL, &err) < 0)
      return report(r, xstrdup(st->title), TEST_FAIL, xstrdup(err->msg), NULL, t0);
    cleanup_free char *diff = NULL;
    r->settled = labstate_diff(r->captured, again, &diff, &err) == 0;
    labstate_free(r->captured);
    r->captured = again;
  }
  return true;
}

static bool step_state_equal(struct run *r, const struct test_step *st)
{
  double t0 = now_s();
  if (r->captured == NULL)
    return report(r, xstrdup(st->title), TEST_FAIL,
                  xstrdup("no state was captured before the inject (it failed)"), NULL, t0);
  char *diff = NULL;
  int n = 0;
  for (;;) {
    struct labstate *now = NULL;
    cleanup_error struct lab_error *err = NULL;
    if (cli_state_fetch(r->lab, NULL, &now, NULL, &err) < 0) {
      free(diff);
      return report(r, xstrdup(st->title), TEST_FAIL, xstrdup(err->msg), NULL, t0);
    }
    free(diff);
    diff = NULL;
    n = labstate_diff(r->captured, now, &diff, &err);
    labstate_free(now);
    if (n < 0)
      return report(r, xstrdup(st->title), TEST_FAIL, xstrdup(err->msg), NULL, t0);
    if (n == 0 || interrupted || (now_s() - t0) * 1000 >= SETTLE_MS)
      break;
    sleep_ms(RETRY_MS);
  }
  if (n == 0) {
    free(diff);
    return report(r, xstrdup(st->title), TEST_PASS, NULL, NULL, t0);
  }
  return report(r, xstrdup(st->title), TEST_FAIL,
                xasprintf("%d line%s of the lab's state differ from before the inject "
                          "(\"- \" before, \"+ \" after)",
                          n, n == 1 ? "" : "s"),
                diff, t0);
}

static bool cannot_inject(const struct run *r, const char *fault)
{
  for (size_t i = 0; fault != NULL && i < r->n_cannot; i++)
    if (strcmp(r->cannot[i], fault) == 0)
      return true;
  return false;
}

/* Whether st only makes sense after an inject that could not be done. */
static bool depends_on_skipped(const struct run *r, const struct test_step *st)
{
  switch (st->op) {
  case TEST_OP_SOME_FAIL:
  case TEST_OP_STATE_EQUAL:
  case TEST_OP_REPAIR:
    return cannot_inject(r, st->arg) && r->n_injected == 0;
  case TEST_OP_EXPECT_FAIL:
    return r->n_cannot > 0 && r->n_injected == 0;
  default:
    return false;
  }
}

static bool run_step(struct run *r, const struct test_step *st)
{
  if (test_step_reported(st))
    progress(r, "%s", st->title);
  if (depends_on_skipped(r, st))
    return report(r, xstrdup(st->title), TEST_SKIP, xstrdup("its fault could not be injected here"),
                  NULL, now_s());
  switch (st->op) {
  case TEST_OP_CHECK:
    return step_checks(r, st, st->arg, false);
  case TEST_OP_EXPECT_FAIL:
  case TEST_OP_SOME_FAIL:
    return step_checks(r, st, st->op == TEST_OP_EXPECT_FAIL ? st->arg : NULL, true);
  case TEST_OP_INJECT:
    return step_inject(r, st);
  case TEST_OP_REPAIR:
    return step_repair(r, st);
  case TEST_OP_SLEEP: {
    double t0 = now_s();
    sleep_ms(st->sleep_ms);
    return report(r, xstrdup(st->title), TEST_PASS, NULL, NULL, t0);
  }
  case TEST_OP_CAPTURE:
    return step_capture(r, st);
  case TEST_OP_STATE_EQUAL:
    return step_state_equal(r, st);
  case TEST_OP_SKIP:
    return report(r, xstrdup(st->title), TEST_SKIP, xstrdup(st->reason), NULL, now_s());
  }
  return false;
}

/* ---- up, down, leftovers ---- */

static bool kind_built(const char *kind, void *ctx)
{
  const struct run *r = ctx;
  for (size_t i = 0; i < r->catalogue.n_catalogue; i++)
    if (r->catalogue.catalogue[i].name != NULL && strcmp(r->catalogue.catalogue[i].name, kind) == 0)
      return r->catalogue.catalogue[i].implemented;
  return false;
}

static void remember_pid(struct run *r, int64_t pid)
{
  uint64_t st;
  if (pid <= 0 || proc_starttime((pid_t)pid, &st) < 0)
    return;
  r->pids = xnonnull(realloc(r->pids, (r->n_pids + 1) * sizeof *r->pids));
  r->starttimes = xnonnull(realloc(r->starttimes, (r->n_pids + 1) * sizeof *r->starttimes));
  r->pids[r->n_pids] = (pid_t)pid;
  r->starttimes[r->n_pids++] = st;
}

/* The lab's processes (inits, daemons, pod infras) and the fault catalogue,
 * once it is up. */
static int learn_lab(struct run *r, char **msg)
{
  char target[160];
  snprintf(target, sizeof target, "/v1/labs/%s", r->lab);
  struct json_object *reply = NULL;
  if (call("GET", target, NULL, QUERY_TIMEOUT_MS, 200, &reply, msg) < 0)
    return -1;
  struct api_lab_status st;
  cleanup_error struct lab_error *err = NULL;
  if (api_lab_status_decode(reply, &st, &err) == 0) {
    remember_pid(r, st.fabric.pid);
    for (size_t i = 0; i < st.n_nodes; i++) {
      remember_pid(r, st.nodes[i].pid);
      for (size_t j = 0; j < st.nodes[i].n_daemons; j++)
        remember_pid(r, st.nodes[i].daemons[j].pid);
    }
    for (size_t i = 0; i < st.n_pods; i++)
      if (st.pods[i].has_infra_host_pid)
        remember_pid(r, st.pods[i].infra_host_pid);
    api_lab_status_release(&st);
  }
  json_object_put(reply);
  snprintf(target, sizeof target, "/v1/labs/%s/faults", r->lab);
  if (call("GET", target, NULL, QUERY_TIMEOUT_MS, 200, &r->catalogue_reply, msg) < 0)
    return -1;
  if (api_faults_decode(r->catalogue_reply, &r->catalogue, &err) < 0) {
    *msg = xasprintf("faults of lab %s: %s", r->lab, err->msg);
    return -1;
  }
  r->at_up_time = now_s();
  if (cli_state_fetch(r->lab, NULL, &r->at_up, NULL, &err) < 0) {
    *msg = xasprintf("the state of lab %s: %s", r->lab, err->msg);
    return -1;
  }
  return 0;
}

static bool up(struct run *r, const char *file)
{
  double t0 = now_s();
  progress(r, "up %s", file);
  cleanup_error struct lab_error *err = NULL;
  cleanup_free char *abs = realpath(file, NULL);
  cleanup_free char *yaml = NULL;
  {
    cleanup_fclose FILE *f = abs ? fopen(abs, "re") : NULL;
    size_t len = 0;
    cleanup_fclose FILE *mem = open_memstream(&yaml, &len);
    char chunk[8192];
    size_t n;
    while (f != NULL && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
      fwrite(chunk, 1, n, mem);
    if (f == NULL || ferror(f))
      return report(r, xasprintf("up %s", file), TEST_FAIL,
                    xasprintf("reading %s: %s", file, strerror(errno)), NULL, t0);
  }
  if (cli_ensure_daemon(&err) < 0)
    return report(r, xasprintf("up %s", file), TEST_FAIL, xstrdup(err->msg), NULL, t0);
  struct json_object *req =
      api_lab_create_encode(&(struct api_lab_create){.file = abs, .yaml = yaml, .name = r->lab});
  char *msg = NULL;
  int rc =
      call("POST", "/v1/labs", json_object_to_json_string(req), UP_TIMEOUT_MS, 201, NULL, &msg);
  if (rc < 0 && strstr(msg, "nodelabd is not running") != NULL) {
    /* A daemon that held no lab may have exited meanwhile: once more. */
    free(msg);
    msg = NULL;
    rc = cli_ensure_daemon(&err) < 0 ? -1 : 0;
    if (rc < 0)
      msg = xstrdup(err->msg);
    else
      rc =
          call("POST", "/v1/labs", json_object_to_json_string(req), UP_TIMEOUT_MS, 201, NULL, &msg);
  }
  json_object_put(req);
  /* A lab of that name runs already: someone else's, not to be touched. */
  r->not_ours = rc < 0 && call_status == 409;
  if (rc < 0)
    return report(r, xasprintf("up %s", file), TEST_FAIL, msg, NULL, t0);
  if (learn_lab(r, &msg) < 0)
    return report(r, xasprintf("up %s", file), TEST_FAIL, msg, NULL, t0);
  return report(r, xasprintf("up %s", file), TEST_PASS, NULL, NULL, t0);
}

static bool down(struct run *r)
{
  double t0 = now_s();
  progress(r, "down");
  char target[160];
  snprintf(target, sizeof target, "/v1/labs/%s", r->lab);
  char *msg = NULL;
  if (call("DELETE", target, NULL, DOWN_TIMEOUT_MS, 200, NULL, &msg) == 0)
    return report(r, xstrdup("down"), TEST_PASS, NULL, NULL, t0);
  /* Whatever the daemon did not remove, the ledger names: as `down --force`. */
  cleanup_error struct lab_error *err = NULL;
  char ledger[512];
  snprintf(ledger, sizeof ledger, "%s/%s/ledger", paths_rundir(), r->lab);
  bool had_ledger = access(ledger, F_OK) == 0;
  if (ledger_undo(paths_rundir(), r->lab, &err) < 0) {
    char *m2 = xasprintf("%s; cleaning from its ledger: %s", msg, err->msg);
    free(msg);
    return report(r, xstrdup("down"), TEST_FAIL, m2, NULL, t0);
  }
  if (!had_ledger && r->n_pids == 0) {
    /* It never came up: nothing was there to bring down. */
    free(msg);
    return report(r, xstrdup("down"), TEST_PASS, NULL, NULL, t0);
  }
  char *m2 = xasprintf("%s (cleaned from its ledger instead)", msg);
  free(msg);
  return report(r, xstrdup("down"), TEST_FAIL, m2, NULL, t0);
}

/* What of the lab is still on the host, one line each ("" when nothing). */
static char *leftovers(const struct run *r, const char *net_before)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (f == NULL)
    abort();
  char path[512];
  struct stat sb;
  snprintf(path, sizeof path, "%s/%s", paths_rundir(), r->lab);
  if (stat(path, &sb) == 0)
    fprintf(f, "its run directory %s\n", path);
  /* Its cgroups, in every hierarchy (v1 and hybrid: one per controller; v2: the root). */
  snprintf(path, sizeof path, "/sys/fs/cgroup/nodelab/%s", r->lab);
  if (stat(path, &sb) == 0)
    fprintf(f, "its cgroup %s\n", path);
  cleanup_closedir DIR *d = opendir("/sys/fs/cgroup");
  for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;) {
    if (e->d_name[0] == '.')
      continue;
    snprintf(path, sizeof path, "/sys/fs/cgroup/%s/nodelab/%s", e->d_name, r->lab);
    if (stat(path, &sb) == 0)
      fprintf(f, "its cgroup %s\n", path);
  }
  for (size_t i = 0; i < r->n_pids; i++)
    if (proc_is_same(r->pids[i], r->starttimes[i]))
      fprintf(f, "its process %d\n", (int)r->pids[i]);
  cleanup_netstate struct netstate *st = NULL;
  cleanup_error struct lab_error *err = NULL;
  cleanup_free char *net_after = NULL;
  if (netstate_capture(-1, NETSTATE_NEIGH_PERMANENT_ONLY, &st, &err) < 0 ||
      netstate_format(st, &net_after, &err) < 0) {
    fprintf(f, "the host's network could not be read: %s\n", err->msg);
  } else if (net_before != NULL) {
    cleanup_free char *diff = NULL;
    if (netstate_diff_text(net_before, net_after, &diff, &err) > 0)
      fprintf(f, "a change in the host's network namespace:\n%s", diff);
  }
  fclose(f);
  return buf;
}

static bool nothing_left(struct run *r, const char *net_before)
{
  double t0 = now_s();
  progress(r, "nothing left");
  char *left = NULL;
  for (;;) {
    free(left);
    left = leftovers(r, net_before);
    if (left[0] == '\0' || (now_s() - t0) * 1000 >= LEFTOVER_MS)
      break;
    sleep_ms(RETRY_MS);
  }
  if (left[0] == '\0') {
    free(left);
    return report(r, xstrdup("nothing left"), TEST_PASS, NULL, NULL, t0);
  }
  char *first = xstrndup(left, strcspn(left, "\n"));
  char *msg = xasprintf("left behind: %s", first);
  free(first);
  return report(r, xstrdup("nothing left"), TEST_FAIL, msg, left, t0);
}

static char *host_net_text(void)
{
  cleanup_netstate struct netstate *st = NULL;
  cleanup_error struct lab_error *err = NULL;
  char *text = NULL;
  if (netstate_capture(-1, NETSTATE_NEIGH_PERMANENT_ONLY, &st, &err) < 0 ||
      netstate_format(st, &text, &err) < 0)
    return NULL;
  return text;
}

/* One scenario, start to leftovers.  Returns true when every step passed. */
static bool run_scenario(const char *file, struct test_suite *suite, int *number, bool tty)
{
  double t0 = now_s();
  cleanup_error struct lab_error *err = NULL;
  struct scenario *s = NULL;
  suite->file = xstrdup(file);
  struct run r = {.suite = suite, .number = number, .progress = tty};
  if (scenario_load(file, &s, &err) < 0) {
    suite->name = xstrdup(file);
    r.lab = suite->name;
    report(&r, xstrdup("validate"), TEST_FAIL, xstrdup(err->msg), NULL, t0);
    suite->seconds = now_s() - t0;
    return false;
  }
  suite->name = xstrdup(s->name);
  r.lab = suite->name;
  bool ok = true;
  cleanup_free char *net_before = host_net_text();
  if (up(&r, file)) {
    struct test_plan plan;
    test_plan_build(s, kind_built, &r, &plan);
    for (size_t i = 0; i < plan.n_steps && !interrupted; i++)
      ok &= run_step(&r, &plan.steps[i]);
    if (interrupted)
      ok = report(&r, xstrdup("interrupted"), TEST_FAIL,
                  xstrdup("interrupted by a signal: the remaining steps were not run"), NULL,
                  now_s());
    test_plan_release(&plan);
  } else {
    ok = false;
  }
  if (r.not_ours) {
    const char *why = "a lab of that name was running before: not ours to remove";
    report(&r, xstrdup("down"), TEST_SKIP, xstrdup(why), NULL, now_s());
    report(&r, xstrdup("nothing left"), TEST_SKIP, xstrdup(why), NULL, now_s());
  } else {
    ok &= down(&r);
    ok &= nothing_left(&r, net_before);
  }
  labstate_free(r.captured);
  labstate_free(r.at_up);
  for (size_t i = 0; i < r.n_cannot; i++)
    free(r.cannot[i]);
  free(r.cannot);
  api_faults_release(&r.catalogue);
  json_object_put(r.catalogue_reply);
  free(r.pids);
  free(r.starttimes);
  scenario_free(s);
  suite->seconds = now_s() - t0;
  return ok;
}

int cli_test(const struct cli_invocation *inv)
{
  if (geteuid() != 0) {
    cli_errorf(inv, "must run as root (a lab creates namespaces, cgroups and links)");
    return CLI_EXIT_FAIL;
  }
  const char *junit = cli_opt(inv, "junit");
  cleanup_fclose FILE *jf = NULL;
  if (junit != NULL && (jf = fopen(junit, "we")) == NULL) {
    cli_errorf(inv, "--junit %s: %s", junit, strerror(errno));
    return CLI_EXIT_USAGE;
  }
  bool tty = isatty(STDERR_FILENO);
  struct test_suite *suites = xcalloc((size_t)inv->argc, sizeof *suites);
  int number = 0;
  bool ok = true;
  test_tap_header(stdout);
  struct sigaction sa = {.sa_handler = on_signal};
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  /* A reader that goes away (`nodelab test ... | head`) must not kill the
   * run with its lab up: the writes fail, the run goes on to down. */
  signal(SIGPIPE, SIG_IGN);
  int n_run = 0;
  for (int i = 0; i < inv->argc && !interrupted; i++, n_run++)
    ok &= run_scenario(inv->argv[i], &suites[i], &number, tty);
  test_tap_plan(stdout, number);
  if (jf != NULL) {
    test_junit_write(jf, suites, (size_t)n_run);
    if (ferror(jf)) {
      cli_errorf(inv, "--junit %s: writing failed", junit);
      ok = false;
    }
  }
  size_t failed = 0, skipped = 0;
  for (int i = 0; i < inv->argc; i++) {
    for (size_t j = 0; j < suites[i].n_cases; j++) {
      failed += suites[i].cases[j].result == TEST_FAIL;
      skipped += suites[i].cases[j].result == TEST_SKIP;
    }
    test_suite_release(&suites[i]);
  }
  free(suites);
  if (tty)
    fprintf(stderr, "nodelab test: %d steps, %zu failed, %zu skipped\n", number, failed, skipped);
  return ok ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
