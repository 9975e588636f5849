/* nodelab pod start [NODE/]POD: runs a pod whose processes died again, as
 * the lab started it (same address, containers and commands), through
 * nodelabd, which asks the pod's runtime and follows it. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cleanup.h"
#include "error.h"
#include "http-client.h"
#include "json.h"

#define POD_TIMEOUT_MS 30000

int cli_pod(const struct cli_invocation *inv)
{
  if (strcmp(inv->argv[0], "start") != 0) {
    cli_errorf(inv, "unknown subcommand %s (use start)", inv->argv[0]);
    return CLI_EXIT_USAGE;
  }
  if (inv->argc < 2) {
    cli_errorf(inv, "start: which pod? (nodelab status lists them)");
    return CLI_EXIT_USAGE;
  }
  const char *pod = strrchr(inv->argv[1], '/');
  pod = pod ? pod + 1 : inv->argv[1]; /* NODE/POD, as exec names it */
  cleanup_error struct lab_error *err = NULL;
  cleanup_free char *lab = NULL;
  if (cli_resolve_lab(cli_opt(inv, "lab"), &lab, &err) < 0) {
    cli_errorf(inv, "%s", err->msg);
    return CLI_EXIT_FAIL;
  }
  char target[600];
  snprintf(target, sizeof target, "/v1/labs/%s/pods/%s/start", lab, pod);
  struct json_object *reply = NULL;
  if (cli_lab_call(inv, lab, "POST", target, NULL, POD_TIMEOUT_MS, 200, &reply) < 0)
    return CLI_EXIT_FAIL;
  int rc = CLI_EXIT_OK;
  if (cli_flag(inv, "json")) {
    printf("%s\n", json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PRETTY));
  } else {
    printf("pod %s: %s, ip %s, infra pid %lld\n", pod, json_get_str(reply, "state") ?: "?",
           json_get_str(reply, "ip") ?: "-", (long long)json_get_int(reply, "infra_pid", 0));
  }
  json_object_put(reply);
  return rc;
}
