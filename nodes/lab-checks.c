/* A lab's checks (scenario checks): each resolved to a probe — the from side
 * to the host pid that holds its namespaces (a pod's infra, a node's init),
 * target names to addresses (a pod to its IP, a node to its underlay
 * address) — run in parallel through the probe runner, never blocking the
 * loop; `expect: fail` applied; the last result of each kept on the lab,
 * reported as events and in LAB_STATUS. */
#include "lab-checks.h"
#include "lab-internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "api.h"
#include "cleanup.h"
#include "json.h"
#include "log.h"
#include "paths.h"
#include "probe-runner.h"
#include "probe.h"
#include "proc.h"
#include "scenario.h"

LOG_MODULE(checks);

/* The last result of one check. */
struct lab_check_last {
  bool ran;
  enum api_check_result result;
  double latency_ms;
  char reason[PROBE_REASON_MAX + 48];
  char time[TIMEFMT_ISO_LEN];
};

struct check_job {
  struct lab_check_run *run;
  size_t check; /* index in the scenario */
};

struct lab_check_run {
  struct lab *lab; /* NULL once the lab is gone */
  struct check_job *jobs;
  size_t n_jobs, pending;
  lab_checks_done_cb *cb;
  void *arg;
  struct lab_check_run *next;
};

static void ensure_results(struct lab *lab)
{
  if (lab->check_results == NULL) {
    lab->check_results =
        calloc(lab->sc->n_checks ? lab->sc->n_checks : 1, sizeof *lab->check_results);
    if (lab->check_results == NULL)
      abort();
  }
}

static const struct lab_pod *find_pod(const struct lab *lab, const char *name)
{
  for (size_t i = 0; i < lab->n_pods; i++) {
    if (strcmp(lab->pods[i].spec->name, name) == 0)
      return &lab->pods[i];
  }
  return NULL;
}

/* ---- the lab's side of resolution ---- */

static pid_t env_node_pid(void *ctx, const char *node)
{
  return lab_node_pid(ctx, node);
}

static pid_t env_pod_pid(void *ctx, const char *pod)
{
  const struct lab_pod *p = find_pod(ctx, pod);
  int64_t infra = p != NULL && p->info != NULL ? json_get_int(p->info, "infra_pid", 0) : 0;
  pid_t node = p != NULL ? lab_node_pid(ctx, p->spec->node) : 0;
  return infra > 0 && node > 0 ? proc_host_pid(node, (pid_t)infra) : 0;
}

static const char *env_pod_ip(void *ctx, const char *pod, const char **why)
{
  const struct lab_pod *p = find_pod(ctx, pod);
  const char *ip = p != NULL && p->info != NULL ? json_get_str(p->info, "ip") : NULL;
  if (ip == NULL)
    *why = p != NULL ? api_pod_state_name((enum api_pod_state)p->state) : "unknown";
  return ip;
}

/* ---- resolution, pure ---- */

static char *xstrdup_or_null(const char *s)
{
  if (s == NULL)
    return NULL;
  char *d = strdup(s);
  if (d == NULL)
    abort();
  return d;
}

/* HOST (a node, a pod or an IPv4 literal) to an address. */
static int resolve_host(const struct scenario *sc, const struct lab_check_env *env,
                        const char *host, struct in_addr *addr, struct lab_error **err)
{
  const struct scenario_node *n = scenario_find_node(sc, host);
  if (n != NULL) {
    addr->s_addr = htonl(n->underlay);
    return 0;
  }
  if (scenario_find_pod(sc, host) != NULL) {
    const char *why = "unknown";
    const char *ip = env->pod_ip(env->ctx, host, &why);
    if (ip == NULL || inet_pton(AF_INET, ip, addr) != 1)
      return lab_error_set(err, 0, "pod %s has no address (it is %s)", host, why);
    return 0;
  }
  if (inet_pton(AF_INET, host, addr) == 1)
    return 0;
  return lab_error_set(err, 0, "%s is not a pod, a node or an IPv4 address", host);
}

static int build_spec(const struct scenario *sc, const struct scenario_check *chk,
                      const struct lab_check_env *env, struct probe_spec *spec,
                      struct lab_error **err)
{
  static const enum probe_kind kinds[] = {[CHECK_PING] = PROBE_PING,
                                          [CHECK_HTTP] = PROBE_HTTP,
                                          [CHECK_TCP] = PROBE_TCP,
                                          [CHECK_EXEC] = PROBE_EXEC,
                                          [CHECK_UDP] = PROBE_UDP};
  probe_spec_init(spec, kinds[chk->kind]);
  spec->timeout_ms = chk->timeout_ms;
  if (chk->kind == CHECK_EXEC) {
    size_t n = 0;
    while (chk->argv[n] != NULL)
      n++;
    spec->exec.argv = calloc(n + 1, sizeof *spec->exec.argv);
    if (spec->exec.argv == NULL)
      abort();
    for (size_t i = 0; i < n; i++)
      spec->exec.argv[i] = xstrdup_or_null(chk->argv[i]);
    spec->exec.pod = xstrdup_or_null(chk->from_pod);
    spec->exec.container = xstrdup_or_null(chk->from_container);
    return probe_spec_validate(spec, err);
  }
  cleanup_free char *host = xstrdup_or_null(chk->target);
  if (chk->kind != CHECK_PING) {
    char *colon = strrchr(host, ':'); /* validated: HOST:PORT */
    spec->port = (uint16_t)atoi(colon + 1);
    *colon = '\0';
  }
  if (resolve_host(sc, env, host, &spec->addr, err) < 0)
    return -1;
  switch (chk->kind) {
  case CHECK_PING:
    spec->ping.interval_ms = SCENARIO_CHECK_PING_INTERVAL_MS;
    if (chk->ping.count > 0)
      spec->ping.count = chk->ping.count;
    if (chk->ping.size > 0)
      spec->ping.size = chk->ping.size;
    if (chk->ping.max_loss_percent != SCENARIO_CHECK_LOSS_UNSET)
      spec->ping.max_loss_percent = chk->ping.max_loss_percent;
    spec->ping.max_rtt_ms = chk->ping.max_rtt_ms;
    break;
  case CHECK_TCP:
    spec->tcp.send = xstrdup_or_null(chk->send);
    spec->tcp.expect = xstrdup_or_null(chk->reply);
    break;
  case CHECK_UDP:
    if (chk->send != NULL) {
      free(spec->udp.payload);
      spec->udp.payload = xstrdup_or_null(chk->send);
    }
    spec->udp.expect = xstrdup_or_null(chk->reply);
    break;
  case CHECK_HTTP:
    if (chk->path != NULL) {
      free(spec->http.path);
      spec->http.path = xstrdup_or_null(chk->path);
    }
    spec->http.status = chk->status;
    spec->http.body = xstrdup_or_null(chk->body);
    break;
  case CHECK_EXEC:
    break;
  }
  return probe_spec_validate(spec, err);
}

int lab_check_resolve(const struct scenario *sc, const struct scenario_check *chk,
                      const struct lab_check_env *env, struct probe_spec *spec, pid_t *pid,
                      struct lab_error **err)
{
  *spec = (struct probe_spec){0};
  *pid = env->node_pid(env->ctx, chk->from_node);
  if (*pid <= 0)
    return lab_error_set(err, 0, "node %s is not running", chk->from_node);
  if (chk->from_pod != NULL && chk->kind != CHECK_EXEC) {
    *pid = env->pod_pid(env->ctx, chk->from_pod);
    if (*pid <= 0)
      return lab_error_set(err, 0, "pod %s is not running", chk->from_pod);
  }
  if (build_spec(sc, chk, env, spec, err) < 0) {
    probe_spec_clear(spec);
    return -1;
  }
  return 0;
}

static void fill_api_check(const struct lab *lab, size_t i, struct api_check *out)
{
  const struct scenario_check *chk = &lab->sc->checks[i];
  const struct lab_check_last *last = &lab->check_results[i];
  static const char *const kind_names[] = {[CHECK_PING] = "ping",
                                           [CHECK_HTTP] = "http",
                                           [CHECK_TCP] = "tcp",
                                           [CHECK_EXEC] = "exec",
                                           [CHECK_UDP] = "udp"};
  *out = (struct api_check){.name = chk->name,
                            .kind = kind_names[chk->kind],
                            .from = chk->from,
                            .to = chk->kind == CHECK_EXEC ? chk->argv[0] : chk->target,
                            .result = last->result,
                            .expect_fail = chk->expect_fail,
                            .latency_ms = last->latency_ms,
                            .reason = last->reason,
                            .time = last->time};
}

/* Records the verdict of check i: the probe's, expect: fail applied.  A
 * check whose probe could not even start (its node or pod is not running)
 * tested nothing: it fails, also when it expects failure. */
static void record(struct lab *lab, size_t i, const struct probe_result *r, bool probed)
{
  const struct scenario_check *chk = &lab->sc->checks[i];
  struct lab_check_last *last = &lab->check_results[i];
  bool passed = probed && r->ok != chk->expect_fail;
  last->ran = true;
  last->result = passed ? API_CHECK_PASSED : API_CHECK_FAILED;
  last->latency_ms = r->latency_ms;
  if (!probed)
    snprintf(last->reason, sizeof last->reason, "not run: %s", r->reason);
  else if (!chk->expect_fail)
    snprintf(last->reason, sizeof last->reason, "%s", r->reason);
  else
    snprintf(last->reason, sizeof last->reason, "%s: %s",
             passed ? "failed as expected" : "succeeded, but was expected to fail", r->reason);
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  timefmt_iso(last->time, &ts, 3);
  lab_events_add(lab->events, passed ? "check-passed" : "check-failed", chk->name, "%s",
                 last->reason);
}

static void run_free(struct lab_check_run *run)
{
  if (run->lab != NULL) {
    for (struct lab_check_run **p = &run->lab->check_runs; *p != NULL; p = &(*p)->next) {
      if (*p == run) {
        *p = run->next;
        break;
      }
    }
  }
  free(run->jobs);
  free(run);
}

/* Every probe of the run is back: the reply. */
static void run_finish(struct lab_check_run *run)
{
  struct json_object *reply = NULL;
  if (run->lab != NULL) {
    struct api_check_results res = {.checks = calloc(run->n_jobs + 1, sizeof *res.checks),
                                    .n_checks = run->n_jobs};
    if (res.checks == NULL)
      abort();
    for (size_t i = 0; i < run->n_jobs; i++) {
      fill_api_check(run->lab, run->jobs[i].check, &res.checks[i]);
      if (res.checks[i].result == API_CHECK_PASSED)
        res.passed++;
      else
        res.failed++;
    }
    reply = api_check_results_encode(&res);
    free(res.checks);
  }
  run->cb(reply, run->arg);
  json_object_put(reply);
  run_free(run);
}

static void on_probe_done(const struct probe_result *r, void *arg)
{
  struct check_job *job = arg;
  struct lab_check_run *run = job->run;
  if (run->lab != NULL)
    record(run->lab, job->check, r, true);
  if (--run->pending == 0)
    run_finish(run);
}

/* A zero timeout: a run whose checks all failed to start still replies from the loop. */
static void on_finish_soon(evutil_socket_t fd, short what, void *arg)
{
  run_finish(arg);
}

int lab_checks_run(struct lab *lab, const char *const *names, lab_checks_done_cb *cb, void *arg,
                   struct lab_error **err)
{
  const struct scenario *sc = lab->sc;
  size_t n_names = 0;
  while (names != NULL && names[n_names] != NULL)
    n_names++;
  for (size_t i = 0; i < n_names; i++) {
    if (scenario_find_check(sc, names[i]) == NULL) {
      char list[512] = "";
      size_t used = 0;
      for (size_t j = 0; j < sc->n_checks && used < sizeof list; j++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", j ? ", " : "",
                                 sc->checks[j].name);
      lab_error_set(err, 0, "no check \"%s\" in lab %s (checks: %s)", names[i], lab->name,
                    sc->n_checks ? list : "none");
      if (err != NULL && *err != NULL)
        (*err)->errnum = ENOENT; /* the kind of failure, without strerror in the words */
      return -1;
    }
  }
  if (lab->state != LAB_UP) {
    lab_error_set(err, 0, "lab %s is %s, not up", lab->name,
                  api_lab_state_name((enum api_lab_state)lab->state));
    if (err != NULL && *err != NULL)
      (*err)->errnum = EBUSY;
    return -1;
  }
  cleanup_free char *probe = paths_find_binary("nodelab-probe", "engine");
  if (probe == NULL)
    return lab_error_set(err, 0, "nodelab-probe not found beside nodelabd");
  ensure_results(lab);

  struct lab_check_run *run = calloc(1, sizeof *run);
  if (run == NULL)
    abort();
  *run = (struct lab_check_run){.lab = lab, .cb = cb, .arg = arg};
  run->jobs = calloc(sc->n_checks + 1, sizeof *run->jobs);
  if (run->jobs == NULL)
    abort();
  for (size_t i = 0; i < sc->n_checks; i++) {
    bool wanted = n_names == 0;
    for (size_t j = 0; j < n_names && !wanted; j++)
      wanted = strcmp(names[j], sc->checks[i].name) == 0;
    if (wanted)
      run->jobs[run->n_jobs++] = (struct check_job){.run = run, .check = i};
  }
  run->next = lab->check_runs;
  lab->check_runs = run;
  run->pending = run->n_jobs + 1; /* + this loop, so no callback finishes the run in it */
  const struct lab_check_env env = {
      .node_pid = env_node_pid, .pod_pid = env_pod_pid, .pod_ip = env_pod_ip, .ctx = lab};
  for (size_t k = 0; k < run->n_jobs; k++) {
    struct check_job *job = &run->jobs[k];
    struct probe_spec spec = {0};
    pid_t pid = 0;
    cleanup_error struct lab_error *e = NULL;
    if (lab_check_resolve(sc, &sc->checks[job->check], &env, &spec, &pid, &e) < 0 ||
        probe_runner_start(lab->base, probe, pid, &spec, on_probe_done, job, &e) < 0) {
      struct probe_result r;
      probe_result_fail(&r, "%s", e->msg);
      record(lab, job->check, &r, false);
      run->pending--;
    }
    probe_spec_clear(&spec);
  }
  if (--run->pending == 0) {
    struct timeval now = {0, 0};
    if (event_base_once(lab->base, -1, EV_TIMEOUT, on_finish_soon, run, &now) < 0)
      run_finish(run);
  }
  return 0;
}

void lab_checks_status(const struct lab *lab, struct api_check **out, size_t *n)
{
  *out = calloc(lab->sc->n_checks + 1, sizeof **out);
  if (*out == NULL)
    abort();
  *n = 0;
  for (size_t i = 0; lab->check_results != NULL && i < lab->sc->n_checks; i++) {
    if (lab->check_results[i].ran)
      fill_api_check(lab, i, &(*out)[(*n)++]);
  }
}

void lab_checks_free(struct lab *lab)
{
  /* Runs still waiting on probes reply "gone" when their probes come back. */
  for (struct lab_check_run *run = lab->check_runs; run != NULL; run = run->next)
    run->lab = NULL;
  lab->check_runs = NULL;
  free(lab->check_results);
  lab->check_results = NULL;
}
