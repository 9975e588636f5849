/* nodelab events [LAB] [-f] [--json]: what happened to a lab's nodes,
 * daemons and pods, in order; -f follows new ones (long polls on the API). */
#include "cli.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "api.h"
#include "cleanup.h"
#include "error.h"
#include "http-client.h"
#include "json.h"

#define EVENTS_WAIT_S 30

/* --json: each event as it came, one per line; else a line of text each. */
static void print_events(struct json_object *reply, const struct api_events *events, bool json)
{
  struct json_object *raw = json_get_array(reply, "events");
  for (size_t i = 0; i < events->n_events; i++) {
    const struct api_event *e = &events->events[i];
    if (json) {
      printf("%s\n", json_object_to_json_string_ext(json_object_array_get_idx(raw, i),
                                                    JSON_C_TO_STRING_PLAIN));
      continue;
    }
    printf("%s  %-18s %-20s %s\n", e->time ? e->time : "-", e->kind ? e->kind : "-",
           e->object ? e->object : "-", e->message ? e->message : "");
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
    struct json_object *reply = NULL;
    if (cli_api("GET", target, NULL, (EVENTS_WAIT_S + 10) * 1000, &status, &reply, &err) < 0) {
      cli_errorf(inv, "lab %s: %s", lab,
                 http_error_is_unreachable(err) ? "nodelabd is not running" : err->msg);
      return CLI_EXIT_FAIL;
    }
    if (status == 410 && follow) { /* the lab went down while we followed it */
      json_object_put(reply);
      return CLI_EXIT_OK;
    }
    struct api_events events;
    if (status != 200 || api_events_decode(reply, &events, &err) < 0) {
      cli_errorf(inv, "lab %s: %s", lab, status != 200 ? cli_reply_error(reply, status) : err->msg);
      json_object_put(reply);
      return CLI_EXIT_FAIL;
    }
    print_events(reply, &events, json);
    if (events.next > 0)
      since = (uint64_t)events.next;
    api_events_release(&events);
    json_object_put(reply);
    if (!follow)
      return CLI_EXIT_OK;
  }
}
