/* nodelab web [--listen 127.0.0.1:PORT] [--json]: has nodelabd (re)start the
 * web view on a loopback port with a fresh token, and prints its URL. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "api-web.h"
#include "cleanup.h"
#include "error.h"
#include "http-client.h"

#define WEB_TIMEOUT_MS 5000

int cli_web(const struct cli_invocation *inv)
{
  cleanup_error struct lab_error *err = NULL;
  struct json_object *req =
      api_web_start_encode(&(struct api_web_start){.listen = cli_opt(inv, "listen")});
  cleanup_free char *body = strdup(json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN));
  json_object_put(req);
  int status;
  struct json_object *reply = NULL;
  if (cli_api("POST", "/v1/web", body, WEB_TIMEOUT_MS, &status, &reply, &err) < 0) {
    if (http_error_is_unreachable(err))
      cli_errorf(inv, "no lab is running (nodelabd is not running): nodelab up first");
    else
      cli_errorf(inv, "%s", err->msg);
    return CLI_EXIT_FAIL;
  }
  struct api_web_started started;
  if (status != 200 || api_web_started_decode(reply, &started, &err) < 0) {
    cli_errorf(inv, "%s", status != 200 ? cli_reply_error(reply, status) : err->msg);
    json_object_put(reply);
    return status == 400 ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
  }
  if (cli_flag(inv, "json"))
    puts(json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                   JSON_C_TO_STRING_NOSLASHESCAPE));
  else
    printf(
        "The web view is at %s\n(on this machine only; the token changes at each `nodelab web`)\n",
        started.url);
  json_object_put(reply);
  return CLI_EXIT_OK;
}
