/* nodelab check [NAME...] [--lab LAB] [--json] [--watch [--interval 2s]]:
 * runs the lab's checks through nodelabd (POST /v1/labs/LAB/checks) and
 * prints their table; exit 0 iff every check passed. */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "api.h"
#include "cleanup.h"
#include "error.h"
#include "http-client.h"
#include "scenario.h"

/* A run takes at most the longest check's timeout (60 s) and the helper's margin. */
#define CHECK_RUN_TIMEOUT_MS 75000

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
  (void)sig;
  interrupted = 1;
}

static const char *dash(const char *s)
{
  return s != NULL && s[0] != '\0' ? s : "-";
}

static void latency_text(double ms, char *buf, size_t size)
{
  if (ms < 0)
    snprintf(buf, size, "-");
  else if (ms < 10)
    snprintf(buf, size, "%.2fms", ms);
  else
    snprintf(buf, size, "%.0fms", ms);
}

static int width(int w, const char *s)
{
  int n = (int)strlen(dash(s));
  return n > w ? n : w;
}

void cli_check_print_table(const struct api_check *checks, size_t n, const char *indent)
{
  if (n == 0)
    return;
  int wn = 4, wf = 4, wt = 2, wr = 6, wl = 7;
  char lat[32];
  for (size_t i = 0; i < n; i++) {
    const struct api_check *c = &checks[i];
    wn = width(wn, c->name);
    wf = width(wf, c->from);
    wt = width(wt, c->to);
    wr = width(wr, api_check_result_name(c->result));
    latency_text(c->latency_ms, lat, sizeof lat);
    wl = width(wl, lat);
  }
  printf("%s%-*s  %-*s  %-*s  %-*s  %-*s  %s\n", indent, wn, "NAME", wf, "FROM", wt, "TO", wr,
         "RESULT", wl, "LATENCY", "REASON");
  for (size_t i = 0; i < n; i++) {
    const struct api_check *c = &checks[i];
    latency_text(c->latency_ms, lat, sizeof lat);
    printf("%s%-*s  %-*s  %-*s  %-*s  %-*s  %s\n", indent, wn, dash(c->name), wf, dash(c->from), wt,
           dash(c->to), wr, api_check_result_name(c->result), wl, lat, dash(c->reason));
  }
}

/* One round: 0 when every check passed, 1 when one failed, -1 when the
 * round could not run (printed); usage errors are 2. */
static int run_once(const struct cli_invocation *inv, const char *lab, const char *body)
{
  char target[160];
  snprintf(target, sizeof target, "/v1/labs/%s/checks", lab);
  int status;
  struct json_object *reply = NULL;
  cleanup_error struct lab_error *err = NULL;
  if (cli_api("POST", target, body, CHECK_RUN_TIMEOUT_MS, &status, &reply, &err) < 0) {
    if (http_error_is_unreachable(err))
      cli_errorf(inv, "no lab is running: start one with nodelab up");
    else
      cli_errorf(inv, "lab %s: %s", lab, err->msg);
    return -1;
  }
  if (status != 200) {
    const char *why = cli_reply_error(reply, status);
    if (status == 400)
      cli_errorf(inv, "%s (nodelab status %s lists the lab's checks)", why, lab);
    else if (status == 404)
      cli_errorf(inv, "lab %s: %s (nodelab ls lists the running labs)", lab, why);
    else
      cli_errorf(inv, "lab %s: %s", lab, why);
    json_object_put(reply);
    return status == 400 ? 2 : -1;
  }
  struct api_check_results res;
  if (api_check_results_decode(reply, &res, &err) < 0) {
    cli_errorf(inv, "lab %s: %s", lab, err->msg);
    json_object_put(reply);
    return -1;
  }
  if (cli_flag(inv, "json")) {
    puts(json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                   JSON_C_TO_STRING_NOSLASHESCAPE));
  } else if (res.n_checks == 0) {
    printf("lab %s has no checks\n", lab);
  } else {
    cli_check_print_table(res.checks, res.n_checks, "");
    printf("%lld passed, %lld failed\n", (long long)res.passed, (long long)res.failed);
  }
  fflush(stdout);
  int rc = res.failed == 0 ? 0 : 1;
  api_check_results_release(&res);
  json_object_put(reply);
  return rc;
}

int cli_check(const struct cli_invocation *inv)
{
  uint64_t interval_us = 2000000;
  const char *iv = cli_opt(inv, "interval");
  if (iv != NULL) {
    const char *problem;
    if (!cli_flag(inv, "watch")) {
      cli_errorf(inv, "--interval goes with --watch");
      return CLI_EXIT_USAGE;
    }
    if (scenario_parse_duration_us(iv, &interval_us, &problem) < 0) {
      cli_errorf(inv, "--interval %s %s", iv, problem);
      return CLI_EXIT_USAGE;
    }
    if (interval_us == 0) {
      cli_errorf(inv, "--interval %s: must be greater than 0", iv);
      return CLI_EXIT_USAGE;
    }
  }
  cleanup_error struct lab_error *err = NULL;
  cleanup_free char *lab = NULL;
  if (cli_resolve_lab(cli_opt(inv, "lab"), &lab, &err) < 0) {
    if (strncmp(err->msg, "no lab is running", 17) == 0)
      cli_errorf(inv, "no lab is running: start one with nodelab up");
    else
      cli_errorf(inv, "%s", err->msg);
    return CLI_EXIT_FAIL;
  }
  const char **names = calloc((size_t)inv->argc + 1, sizeof *names);
  if (names == NULL)
    abort();
  for (int i = 0; i < inv->argc; i++)
    names[i] = inv->argv[i];
  struct json_object *req = api_check_run_encode(&(struct api_check_run){.names = names});
  cleanup_free char *body = strdup(json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN));
  json_object_put(req);
  free(names);

  if (!cli_flag(inv, "watch")) {
    int rc = run_once(inv, lab, body);
    return rc == 0 ? CLI_EXIT_OK : rc == 2 ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
  }
  struct sigaction sa = {.sa_handler = on_sigint};
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  int last = -1;
  while (!interrupted) {
    int rc = run_once(inv, lab, body);
    if (interrupted)
      break;
    if (rc == 2)
      return CLI_EXIT_USAGE;
    if (rc < 0)
      return CLI_EXIT_FAIL; /* the lab or the daemon went away: said why */
    last = rc;
    struct timespec ts = {(time_t)(interval_us / 1000000), (long)(interval_us % 1000000) * 1000};
    while (!interrupted && nanosleep(&ts, &ts) < 0 && errno == EINTR)
      ;
    if (!interrupted && !cli_flag(inv, "json"))
      putchar('\n');
  }
  return last == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
