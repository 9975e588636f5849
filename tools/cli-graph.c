/* nodelab graph [LAB | SCENARIO.yaml] [--format dot|svg|mermaid|json] [-o FILE]:
 * the lab's topology (graph/graph.h) from its live state through nodelabd
 * (status and active faults), or a scenario's plan with no daemon. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "api-faults.h"
#include "api.h"
#include "cleanup.h"
#include "error.h"
#include "graph.h"
#include "http-client.h"
#include "scenario.h"

#define GRAPH_QUERY_TIMEOUT_MS 10000

/* Whether arg names a scenario file rather than a lab. */
static bool is_scenario_file(const char *arg)
{
  size_t n = strlen(arg);
  struct stat st;
  return strchr(arg, '/') != NULL || (n > 5 && strcmp(arg + n - 5, ".yaml") == 0) ||
         (n > 4 && strcmp(arg + n - 4, ".yml") == 0) ||
         (stat(arg, &st) == 0 && S_ISREG(st.st_mode));
}

/* GET target into *reply (status 200), or prints why and returns -1. */
static int get(const struct cli_invocation *inv, const char *lab, const char *target,
               struct json_object **reply)
{
  cleanup_error struct lab_error *err = NULL;
  int status;
  if (cli_api("GET", target, NULL, GRAPH_QUERY_TIMEOUT_MS, &status, reply, &err) < 0) {
    if (http_error_is_unreachable(err))
      cli_errorf(inv,
                 "lab %s: no lab is running (nodelabd is not running); "
                 "for a scenario's plan: nodelab graph FILE.yaml",
                 lab);
    else
      cli_errorf(inv, "lab %s: %s", lab, err->msg);
    return -1;
  }
  if (status != 200) {
    cli_errorf(inv, "lab %s: %s", lab, cli_reply_error(*reply, status));
    json_object_put(*reply);
    *reply = NULL;
    return -1;
  }
  return 0;
}

static struct graph *live_graph(const struct cli_invocation *inv, const char *given)
{
  cleanup_error struct lab_error *err = NULL;
  cleanup_free char *lab = NULL;
  if (cli_resolve_lab(given, &lab, &err) < 0) {
    cli_errorf(inv, "%s", err->msg);
    return NULL;
  }
  char target[160];
  struct json_object *status_json = NULL, *faults_json = NULL;
  snprintf(target, sizeof target, "/v1/labs/%s", lab);
  if (get(inv, lab, target, &status_json) < 0)
    return NULL;
  snprintf(target, sizeof target, "/v1/labs/%s/faults", lab);
  if (get(inv, lab, target, &faults_json) < 0) {
    json_object_put(status_json);
    return NULL;
  }
  struct api_lab_status st;
  struct api_faults faults;
  struct graph *g = NULL;
  if (api_lab_status_decode(status_json, &st, &err) < 0) {
    cli_errorf(inv, "lab %s: malformed status: %s", lab, err->msg);
  } else {
    if (api_faults_decode(faults_json, &faults, &err) < 0) {
      cli_errorf(inv, "lab %s: malformed faults: %s", lab, err->msg);
    } else {
      g = graph_from_status(&st, &faults);
      api_faults_release(&faults);
    }
    api_lab_status_release(&st);
  }
  json_object_put(status_json);
  json_object_put(faults_json);
  return g;
}

static struct graph *plan_graph(const struct cli_invocation *inv, const char *file)
{
  cleanup_error struct lab_error *err = NULL;
  struct scenario *sc = NULL;
  if (scenario_load(file, &sc, &err) < 0) {
    cli_errorf(inv, "%s", err->msg);
    return NULL;
  }
  struct graph *g = graph_from_scenario(sc);
  scenario_free(sc);
  return g;
}

/* The graph in format, malloc'd into *text of *len bytes; -1 on a bad format or failure. */
static int render(const struct cli_invocation *inv, const struct graph *g, const char *format,
                  char **text, size_t *len)
{
  cleanup_error struct lab_error *err = NULL;
  if (strcmp(format, "dot") == 0) {
    *text = graph_to_dot(g);
  } else if (strcmp(format, "mermaid") == 0) {
    *text = graph_to_mermaid(g);
  } else if (strcmp(format, "json") == 0) {
    struct json_object *o = graph_to_json(g);
    const char *s = json_object_to_json_string_ext(
        o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
    if (asprintf(text, "%s\n", s) < 0)
      abort();
    json_object_put(o);
  } else if (strcmp(format, "svg") == 0) {
    if (graph_to_svg(g, text, len, &err) < 0) {
      cli_errorf(inv, "%s", err->msg);
      return -1;
    }
    return 0;
  } else {
    cli_errorf(inv, "unknown format %s (use dot, svg, mermaid or json)", format);
    return -1;
  }
  *len = strlen(*text);
  return 0;
}

int cli_graph(const struct cli_invocation *inv)
{
  const char *format = cli_opt(inv, "format") ? cli_opt(inv, "format") : "dot";
  if (strcmp(format, "dot") != 0 && strcmp(format, "svg") != 0 && strcmp(format, "mermaid") != 0 &&
      strcmp(format, "json") != 0) {
    cli_errorf(inv, "unknown format %s (use dot, svg, mermaid or json)", format);
    return CLI_EXIT_USAGE;
  }
  const char *arg = inv->argc > 0 ? inv->argv[0] : NULL;
  struct graph *g =
      arg != NULL && is_scenario_file(arg) ? plan_graph(inv, arg) : live_graph(inv, arg);
  if (g == NULL)
    return CLI_EXIT_FAIL;
  cleanup_free char *text = NULL;
  size_t len = 0;
  int rc = render(inv, g, format, &text, &len);
  graph_free(g);
  if (rc < 0)
    return CLI_EXIT_FAIL;
  const char *path = cli_opt(inv, "output");
  FILE *out = path ? fopen(path, "w") : stdout;
  if (out == NULL) {
    cli_errorf(inv, "%s: %s", path, strerror(errno));
    return CLI_EXIT_FAIL;
  }
  bool ok = fwrite(text, 1, len, out) == len;
  if (path != NULL)
    ok = fclose(out) == 0 && ok;
  else
    ok = fflush(out) == 0 && ok;
  if (!ok) {
    cli_errorf(inv, "writing %s: %s", path ? path : "the output", strerror(errno));
    return CLI_EXIT_FAIL;
  }
  return CLI_EXIT_OK;
}
