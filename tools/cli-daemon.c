/* What every verb that talks to nodelabd shares: where the run directory and
 * socket are, one request helper that parses the JSON reply, and finding
 * "the only running lab". */
#include "cli.h"
#include "strv.h"
#include "xalloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "api.h"
#include "cleanup.h"
#include "error.h"
#include "http-client.h"
#include "ledger.h"
#include "paths.h"

#define CLI_GET_TIMEOUT_MS 10000

void cli_errorf(const struct cli_invocation *inv, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "nodelab %s: ", inv->verb->name);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

int cli_api(const char *method, const char *target, const char *body, int timeout_ms, int *status,
            struct json_object **reply, struct lab_error **err)
{
  struct http_response *resp = NULL;
  if (http_request(paths_socket(), method, target, body, timeout_ms, &resp, err) < 0)
    return -1;
  *status = http_response_status(resp);
  const char *text = http_response_body(resp);
  struct json_tokener *tok = json_tokener_new();
  if (tok == NULL)
    abort();
  struct json_object *obj = json_tokener_parse_ex(tok, text, (int)http_response_body_length(resp));
  enum json_tokener_error jerr = json_tokener_get_error(tok);
  json_tokener_free(tok);
  if (obj == NULL || jerr != json_tokener_success) {
    json_object_put(obj);
    lab_error_set(err, 0, "%s %s: reply %d is not JSON (%s): \"%.120s\"", method, target, *status,
                  json_tokener_error_desc(jerr), text);
    if (err != NULL && *err != NULL)
      (*err)->errnum = EPROTO; /* for callers; the message says it already */
    http_response_free(resp);
    return -1;
  }
  http_response_free(resp);
  *reply = obj;
  return 0;
}

int cli_lab_call(const struct cli_invocation *inv, const char *lab, const char *method,
                 const char *target, const char *body, int timeout_ms, int want,
                 struct json_object **reply)
{
  cleanup_error struct lab_error *err = NULL;
  int status;
  *reply = NULL;
  if (cli_api(method, target, body, timeout_ms, &status, reply, &err) < 0) {
    cli_errorf(inv, "lab %s: %s", lab,
               http_error_is_unreachable(err) ? "nodelabd is not running (nodelab up starts it)"
                                              : err->msg);
    return -1;
  }
  if (status != want) {
    cli_errorf(inv, "lab %s: %s", lab, cli_reply_error(*reply, status));
    json_object_put(*reply);
    *reply = NULL;
    return -1;
  }
  return 0;
}

const char *cli_reply_error(struct json_object *reply, int status)
{
  struct api_error e;
  if (api_error_decode(reply, &e, NULL) == 0 && e.error != NULL)
    return e.error;
  static char generic[64];
  snprintf(generic, sizeof generic, "nodelabd replied with status %d", status);
  return generic;
}

int cli_daemon_labs(char ***names, bool *daemon_up, struct lab_error **err)
{
  int status;
  struct json_object *reply = NULL;
  cleanup_error struct lab_error *e = NULL;
  *daemon_up = false;
  if (cli_api("GET", "/v1/labs", NULL, CLI_GET_TIMEOUT_MS, &status, &reply, &e) < 0) {
    if (http_error_is_unreachable(e)) {
      *names = calloc(1, sizeof **names);
      return 0;
    }
    *err = steal_pointer(&e);
    return -1;
  }
  *daemon_up = true;
  struct api_labs labs = {0};
  if (status != 200 || api_labs_decode(reply, &labs, &e) < 0) {
    lab_error_set(err, 0, "GET /v1/labs: %s",
                  status != 200 ? cli_reply_error(reply, status) : e->msg);
    json_object_put(reply);
    return -1;
  }
  char **v = xcalloc(labs.n_labs + 1, sizeof *v);
  size_t k = 0;
  for (size_t i = 0; i < labs.n_labs; i++)
    if (labs.labs[i].name != NULL)
      v[k++] = strdup(labs.labs[i].name);
  api_labs_release(&labs);
  json_object_put(reply);
  *names = v;
  return 0;
}

static bool lab_name_ok(const char *s)
{
  size_t n = strlen(s);
  if (n == 0 || n > 32)
    return false;
  return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

int cli_resolve_lab(const char *given, char **lab, struct lab_error **err)
{
  if (given != NULL) {
    if (!lab_name_ok(given))
      return lab_error_set(err, 0, "invalid lab name \"%s\": use 1 to 32 of [a-z0-9-]", given);
    *lab = strdup(given);
    return 0;
  }
  char **names = NULL;
  bool up;
  if (cli_daemon_labs(&names, &up, err) < 0)
    return -1;
  size_t n = 0;
  while (names[n])
    n++;
  int rc = 0;
  if (n == 1) {
    *lab = strdup(names[0]);
  } else if (n == 0) {
    rc = lab_error_set(err, 0, "no lab is running%s", up ? "" : " (nodelabd is not running)");
  } else {
    char list[512] = "";
    for (size_t i = 0; i < n; i++)
      snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", names[i]);
    rc = lab_error_set(err, 0, "%zu labs are running (%s): name one", n, list);
  }
  strv_free(names);
  return rc;
}
