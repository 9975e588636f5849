/* nodelab exercise start [NAME] [--seed N] | hint | check | solve | status | history:
 * the lab's troubleshooting exercise through nodelabd's API
 * (proto/api-exercises.h); history reads the record files themselves, so
 * that it works once the lab (and the daemon) are gone. */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "api-exercises.h"
#include "cleanup.h"
#include "error.h"
#include "http-client.h"
#include "json.h"
#include "paths.h"

/* check waits for the verify checks (each at most 60 s) and the runtime. */
#define EXERCISE_TIMEOUT_MS 90000

/* One request to the lab's exercise; prints the error and returns -1 unless
 * the status is want.  With print_json, prints the reply and returns 1. */
static int exercise_call_json(const struct cli_invocation *inv, const char *lab, const char *method,
                              const char *suffix, const char *body, int want, bool print_json,
                              struct json_object **reply)
{
  char target[512];
  snprintf(target, sizeof target, "/v1/labs/%s/exercise%s", lab, suffix);
  if (cli_lab_call(inv, lab, method, target, body, EXERCISE_TIMEOUT_MS, want, reply) < 0)
    return -1;
  if (print_json) {
    printf("%s\n", json_object_to_json_string_ext(*reply, JSON_C_TO_STRING_PRETTY));
    json_object_put(*reply);
    *reply = NULL;
    return 1;
  }
  return 0;
}

/* exercise_call_json() printing with --json. */
static int exercise_call(const struct cli_invocation *inv, const char *lab, const char *method,
                         const char *suffix, const char *body, int want, struct json_object **reply)
{
  return exercise_call_json(inv, lab, method, suffix, body, want, cli_flag(inv, "json"), reply);
}

static int malformed(const struct cli_invocation *inv, const char *lab, struct lab_error *err,
                     struct json_object *reply)
{
  cli_errorf(inv, "lab %s: %s", lab, err->msg);
  json_object_put(reply);
  return CLI_EXIT_FAIL;
}

static int exercise_start(const struct cli_invocation *inv, const char *lab)
{
  struct api_exercise_start req = {.name = inv->argc > 1 ? inv->argv[1] : NULL};
  const char *seed = cli_opt(inv, "seed");
  if (seed != NULL) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(seed, &end, 10);
    if (errno != 0 || end == seed || *end != '\0' || seed[0] == '-' || v > INT64_MAX) {
      cli_errorf(inv, "--seed %s: not a number from 0 up", seed);
      return CLI_EXIT_USAGE;
    }
    req.has_seed = true;
    req.seed = v;
  }
  struct json_object *body = api_exercise_start_encode(&req);
  struct json_object *reply;
  int rc = exercise_call(inv, lab, "POST", "", json_object_to_json_string(body), 201, &reply);
  json_object_put(body);
  if (rc != 0)
    return rc < 0 ? CLI_EXIT_FAIL : CLI_EXIT_OK;
  cleanup_error struct lab_error *err = NULL;
  struct api_exercise_started m;
  if (api_exercise_started_decode(reply, &m, &err) < 0)
    return malformed(inv, lab, err, reply);
  printf("exercise %s started (seed %" PRIu64 ")\n\n  %s\n\n"
         "nodelab exercise hint gives a hint, nodelab exercise check grades your repair,\n"
         "nodelab exercise solve gives up and shows the answer.\n",
         m.exercise, m.seed, m.symptom ? m.symptom : "");
  json_object_put(reply);
  return CLI_EXIT_OK;
}

static int exercise_hint(const struct cli_invocation *inv, const char *lab)
{
  struct json_object *reply;
  int rc = exercise_call(inv, lab, "POST", "/hint", "{}", 200, &reply);
  if (rc != 0)
    return rc < 0 ? CLI_EXIT_FAIL : CLI_EXIT_OK;
  cleanup_error struct lab_error *err = NULL;
  struct api_exercise_hint m;
  if (api_exercise_hint_decode(reply, &m, &err) < 0)
    return malformed(inv, lab, err, reply);
  if (m.hint != NULL)
    printf("hint %" PRId64 "/%" PRId64 ": %s\n", m.number, m.total, m.hint);
  else
    printf("no more hints (%" PRId64 "/%" PRId64 " given): nodelab exercise solve shows the "
           "answer\n",
           m.total, m.total);
  json_object_put(reply);
  return CLI_EXIT_OK;
}

static int exercise_check(const struct cli_invocation *inv, const char *lab)
{
  struct json_object *reply;
  /* Decoded also with --json: the exit status says passed or not. */
  if (exercise_call_json(inv, lab, "POST", "/check", "{}", 200, false, &reply) < 0)
    return CLI_EXIT_FAIL;
  cleanup_error struct lab_error *err = NULL;
  struct api_exercise_check m;
  if (api_exercise_check_decode(reply, &m, &err) < 0)
    return malformed(inv, lab, err, reply);
  if (cli_flag(inv, "json")) {
    printf("%s\n", json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PRETTY));
    int passed = m.passed;
    api_exercise_check_release(&m);
    json_object_put(reply);
    return passed ? CLI_EXIT_OK : CLI_EXIT_FAIL;
  }
  if (m.passed)
    printf("passed: the fault is gone and every check of the exercise is green (solved, "
           "check %" PRId64 ")\n",
           m.checks_tried);
  else if (m.replaced != NULL)
    printf("failed: %s: that replaces, it does not repair; the exercise ended as replaced\n",
           m.replaced);
  else
    printf("not yet (check %" PRId64 "):\n", m.checks_tried);
  for (size_t i = 0; !m.passed && m.replaced == NULL && i < m.n_problems; i++)
    printf("  - %s\n", m.problems[i]);
  if (m.residue != NULL)
    printf("note: %s\n", m.residue);
  int rc = m.passed ? CLI_EXIT_OK : CLI_EXIT_FAIL;
  api_exercise_check_release(&m);
  json_object_put(reply);
  return rc;
}

static int exercise_solve(const struct cli_invocation *inv, const char *lab)
{
  struct json_object *reply;
  int rc = exercise_call(inv, lab, "POST", "/solve", "{}", 200, &reply);
  if (rc != 0)
    return rc < 0 ? CLI_EXIT_FAIL : CLI_EXIT_OK;
  cleanup_error struct lab_error *err = NULL;
  struct api_exercise_solution m;
  if (api_exercise_solution_decode(reply, &m, &err) < 0)
    return malformed(inv, lab, err, reply);
  printf("root cause: %s\n  where: %s\n\nthe repair by hand, from the host:\n", m.cause, m.target);
  for (size_t i = 0; i < m.n_commands; i++)
    printf("  %s\n", m.commands[i]);
  printf("\nnodelab has repaired it; the exercise ended as %s\n", api_exercise_state_name(m.state));
  api_exercise_solution_release(&m);
  json_object_put(reply);
  return CLI_EXIT_OK;
}

static int exercise_status(const struct cli_invocation *inv, const char *lab)
{
  struct json_object *reply;
  int rc = exercise_call(inv, lab, "GET", "", NULL, 200, &reply);
  if (rc != 0)
    return rc < 0 ? CLI_EXIT_FAIL : CLI_EXIT_OK;
  cleanup_error struct lab_error *err = NULL;
  struct api_exercise_status m;
  if (api_exercise_status_decode(reply, &m, &err) < 0)
    return malformed(inv, lab, err, reply);
  printf("exercise  %s\nseed      %" PRIu64 "\nstate     %s%s%s\nstarted   %s\n"
         "%-9s %" PRId64 " s\nhints     %" PRId64 "/%" PRId64 "\nchecks    %" PRId64
         " tried\nsymptom   %s\n",
         m.exercise, m.seed, api_exercise_state_name(m.state), m.reason ? ": " : "",
         m.reason ? m.reason : "", m.started ? m.started : "-",
         m.state == API_EXERCISE_RUNNING ? "running" : "took", m.seconds, m.hints_used,
         m.hints_total, m.checks_tried, m.symptom ? m.symptom : "");
  json_object_put(reply);
  return CLI_EXIT_OK;
}

/* The records of one history file, appended to out (a JSON array); a line
 * that is not a record is said on stderr and skipped. */
static void read_history(const struct cli_invocation *inv, const char *path,
                         struct json_object *out)
{
  cleanup_fclose FILE *f = fopen(path, "re");
  if (f == NULL) {
    if (errno != ENOENT)
      cli_errorf(inv, "%s: %s", path, strerror(errno));
    return;
  }
  cleanup_free char *line = NULL;
  size_t cap = 0;
  for (int n = 1; getline(&line, &cap, f) > 0; n++) {
    struct api_exercise_record r;
    struct json_object *holder = NULL;
    cleanup_error struct lab_error *err = NULL;
    if (api_exercise_record_parse(line, &r, &holder, &err) < 0) {
      cli_errorf(inv, "%s:%d: %s (line skipped)", path, n, err->msg);
      continue;
    }
    json_object_array_add(out, api_exercise_record_encode(&r));
    json_object_put(holder);
  }
}

static int exercise_history(const struct cli_invocation *inv)
{
  const char *dir = paths_history_dir();
  struct json_object *all = json_object_new_array();
  const char *lab = cli_opt(inv, "lab");
  char path[4096];
  if (lab != NULL) {
    snprintf(path, sizeof path, "%s/%s.jsonl", dir, lab);
    read_history(inv, path, all);
  } else {
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort);
    for (int i = 0; i < n; i++) {
      size_t len = strlen(names[i]->d_name);
      if (len > 6 && strcmp(names[i]->d_name + len - 6, ".jsonl") == 0) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        read_history(inv, path, all);
      }
      free(names[i]);
    }
    free(names);
  }
  if (cli_flag(inv, "json")) {
    printf("%s\n", json_object_to_json_string_ext(all, JSON_C_TO_STRING_PRETTY));
    json_object_put(all);
    return CLI_EXIT_OK;
  }
  size_t n = json_object_array_length(all);
  if (n == 0)
    printf("no finished exercise recorded in %s%s%s\n", dir, lab ? " for lab " : "",
           lab ? lab : "");
  else
    printf("%-12s %-16s %-18s %-16s %-8s %-20s %7s %5s %6s %s\n", "LAB", "EXERCISE", "FAULT",
           "KIND", "SEED", "ENDED", "SECONDS", "HINTS", "CHECKS", "RESULT");
  for (size_t i = 0; i < n; i++) {
    struct api_exercise_record r;
    cleanup_error struct lab_error *err = NULL;
    if (api_exercise_record_decode(json_object_array_get_idx(all, i), &r, &err) < 0)
      continue;
    /* A reason's first line (a residue's diff follows on the next ones: --json has it). */
    printf("%-12s %-16s %-18s %-16s %-8" PRIu64 " %-20s %7" PRId64 " %5" PRId64 " %6" PRId64
           " %s%s%.*s\n",
           r.lab, r.exercise, r.fault, r.kind, r.seed, r.ended, r.seconds, r.hints_used,
           r.checks_tried, api_exercise_state_name(r.result), r.reason ? ": " : "",
           r.reason ? (int)strcspn(r.reason, "\n") : 0, r.reason ? r.reason : "");
  }
  json_object_put(all);
  return CLI_EXIT_OK;
}

int cli_exercise(const struct cli_invocation *inv)
{
  static const char *const subs[] = {"start", "hint", "check", "solve", "status", "history"};
  const char *sub = inv->argv[0];
  size_t which = sizeof subs / sizeof subs[0];
  for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
    if (strcmp(sub, subs[i]) == 0)
      which = i;
  if (which == sizeof subs / sizeof subs[0]) {
    cli_errorf(inv, "unknown subcommand %s (use start, hint, check, solve, status or history)",
               sub);
    return CLI_EXIT_USAGE;
  }
  if (inv->argc > 1 && which != 0) {
    cli_errorf(inv, "%s takes no argument (only start takes an exercise's name)", sub);
    return CLI_EXIT_USAGE;
  }
  if (which == 5)
    return exercise_history(inv);
  cleanup_error struct lab_error *err = NULL;
  cleanup_free char *lab = NULL;
  if (cli_resolve_lab(cli_opt(inv, "lab"), &lab, &err) < 0) {
    cli_errorf(inv, "%s", err->msg);
    return CLI_EXIT_FAIL;
  }
  switch (which) {
  case 0:
    return exercise_start(inv, lab);
  case 1:
    return exercise_hint(inv, lab);
  case 2:
    return exercise_check(inv, lab);
  case 3:
    return exercise_solve(inv, lab);
  default:
    return exercise_status(inv, lab);
  }
}
