/* nodelab events [LAB] [-f] [--json]: what happened to a lab's nodes,
 * daemons and pods, in order; -f follows new ones (long polls on the API). */
#include "cli.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cleanup.h"
#include "error.h"
#include "http-client.h"

#define EVENTS_WAIT_S 30

static const char *jstring(struct json_object *o, const char *key)
{
  struct json_object *v;
  return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
             ? json_object_get_string(v)
             : NULL;
}

static void print_events(struct json_object *events, bool json)
{
  for (size_t i = 0; i < json_object_array_length(events); i++) {
    struct json_object *e = json_object_array_get_idx(events, i);
    if (json) {
      printf("%s\n", json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN));
      continue;
    }
    const char *object = jstring(e, "object");
    printf("%s  %-18s %-20s %s\n", jstring(e, "time"), jstring(e, "kind"), object ? object : "-",
           jstring(e, "message"));
  }
  fflush(stdout);
}

int cli_events(const struct cli_invocation *inv)
{
  cleanup_error struct lab_error *err = NULL;
  cleanup_free char *lab = NULL;
  if (cli_resolve_lab(inv->argc > 0 ? inv->argv[0] : NULL, &lab, &err) < 0) {
    cli_errorf(inv, "%s", err->msg);
    return CLI_EXIT_FAIL;
  }
  bool follow = cli_flag(inv, "follow"), json = cli_flag(inv, "json");
  uint64_t since = 1;
  for (;;) {
    char target[256];
    snprintf(target, sizeof target, "/v1/labs/%s/events?since=%" PRIu64 "&wait=%d", lab, since,
             follow && since > 1 ? EVENTS_WAIT_S : 0);
    int status;
    struct json_object *reply = NULL, *events = NULL, *next = NULL;
    if (cli_api("GET", target, NULL, (EVENTS_WAIT_S + 10) * 1000, &status, &reply, &err) < 0) {
      cli_errorf(inv, "lab %s: %s", lab,
                 http_error_is_unreachable(err) ? "nodelabd is not running" : err->msg);
      return CLI_EXIT_FAIL;
    }
    if (status == 410 && follow) { /* the lab went down while we followed it */
      json_object_put(reply);
      return CLI_EXIT_OK;
    }
    if (status != 200) {
      cli_errorf(inv, "lab %s: %s", lab, cli_reply_error(reply, status));
      json_object_put(reply);
      return CLI_EXIT_FAIL;
    }
    if (json_object_object_get_ex(reply, "events", &events))
      print_events(events, json);
    if (json_object_object_get_ex(reply, "next", &next))
      since = (uint64_t)json_object_get_int64(next);
    json_object_put(reply);
    if (!follow)
      return CLI_EXIT_OK;
  }
}
