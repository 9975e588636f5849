/* nodelab service NODE status|start|stop|restart [DAEMON]: a node's daemons
 * as services, systemctl-like, through nodelabd (proto/api-service.h). */
#include "cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "api-service.h"
#include "cleanup.h"
#include "error.h"
#include "http-client.h"

#define SERVICE_TIMEOUT_MS 15000

static void print_table(const struct api_services *m, const char *only)
{
  printf("%-14s %-8s %-8s %-8s %s\n", "DAEMON", "STATE", "PID", "RESTARTS", "SINCE");
  for (size_t i = 0; i < m->n_services; i++) {
    const struct api_service *s = &m->services[i];
    if (only != NULL && strcmp(s->name, only) != 0)
      continue;
    char pid[24] = "-";
    if (s->pid > 0)
      snprintf(pid, sizeof pid, "%" PRId64, s->pid);
    printf("%-14s %-8s %-8s %-8" PRId64 " %s%s\n", s->name, api_daemon_state_name(s->state), pid,
           s->restarts, s->since && s->since[0] ? s->since : "-",
           s->supervised || s->oneshot ? "" : "  (supervision paused)");
  }
}

/* m as the API sends it; with only, the same message with that service alone. */
static void print_json(const struct api_services *m, const char *only)
{
  struct api_services one = *m;
  for (size_t i = 0; only != NULL && i < m->n_services; i++)
    if (strcmp(m->services[i].name, only) == 0)
      one = (struct api_services){m->node, &m->services[i], 1};
  struct json_object *o = api_services_encode(&one);
  printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
  json_object_put(o);
}

/* The daemon named, when it is one of m's; else prints the valid ones. */
static bool known(const struct cli_invocation *inv, const struct api_services *m,
                  const char *daemon)
{
  char list[512] = "";
  size_t len = 0;
  for (size_t i = 0; i < m->n_services; i++) {
    if (strcmp(m->services[i].name, daemon) == 0)
      return true;
    if (!m->services[i].oneshot && len < sizeof list)
      len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "",
                              m->services[i].name);
  }
  cli_errorf(inv, "node %s has no service %s (its services: %s)", m->node, daemon, list);
  return false;
}

int cli_service(const struct cli_invocation *inv)
{
  const char *node = inv->argv[0], *action = inv->argv[1];
  const char *daemon = inv->argc > 2 ? inv->argv[2] : NULL;
  bool status = strcmp(action, "status") == 0;
  cleanup_error struct lab_error *err = NULL;
  enum api_service_action a;
  if (!status && api_service_action_parse(action, &a, &err) < 0) {
    cli_errorf(inv, "unknown action %s (use status, start, stop or restart)", action);
    return CLI_EXIT_USAGE;
  }
  if (!status && daemon == NULL) {
    cli_errorf(inv, "%s: which daemon? (nodelab service %s status lists them)", action, node);
    return CLI_EXIT_USAGE;
  }
  cleanup_free char *lab = NULL;
  if (cli_resolve_lab(cli_opt(inv, "lab"), &lab, &err) < 0) {
    cli_errorf(inv, "%s", err->msg);
    return CLI_EXIT_FAIL;
  }
  char target[1024];
  if (status)
    snprintf(target, sizeof target, "/v1/labs/%s/nodes/%s/services", lab, node);
  else
    snprintf(target, sizeof target, "/v1/labs/%s/nodes/%s/services/%s/%s", lab, node, daemon,
             action);
  struct json_object *reply = NULL;
  if (cli_lab_call(inv, lab, status ? "GET" : "POST", target, NULL, SERVICE_TIMEOUT_MS, 200,
                   &reply) < 0)
    return CLI_EXIT_FAIL;
  int rc = CLI_EXIT_OK;
  struct api_services m;
  if (api_services_decode(reply, &m, &err) < 0) {
    cli_errorf(inv, "lab %s: %s", lab, err->msg);
    rc = CLI_EXIT_FAIL;
  } else {
    if (daemon != NULL && !known(inv, &m, daemon))
      rc = CLI_EXIT_FAIL;
    else if (cli_flag(inv, "json"))
      print_json(&m, daemon);
    else
      print_table(&m, daemon);
    api_services_release(&m);
  }
  json_object_put(reply);
  return rc;
}
