/* nodelab state [NODE] [--lab LAB] [--json] [--diff FILE]: the lab's whole
 * state (GET /v1/labs/LAB/state, proto/api-state.h; engine/labstate.h says
 * what it holds), printed as "#### NODE" and its sorted lines, or compared
 * with a file an earlier `nodelab state` wrote. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "api-state.h"
#include "cleanup.h"
#include "error.h"
#include "fileio.h"
#include "http-client.h"
#include "labstate.h"

/* A capture reads every namespace and switch of the lab: a few ms each. */
#define STATE_TIMEOUT_MS 30000

static struct labstate *state_from_reply(const struct api_state *m)
{
  struct labstate *st = labstate_new();
  for (size_t i = 0; i < m->n_nodes; i++) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
      abort();
    for (size_t j = 0; j < m->nodes[i].n_lines; j++)
      fprintf(f, "%s\n", m->nodes[i].lines[j]);
    fclose(f);
    labstate_add(st, m->nodes[i].name, buf);
    free(buf);
  }
  return st;
}

int cli_state_fetch(const char *lab, const char *node, struct labstate **out,
                    struct json_object **raw, struct lab_error **err)
{
  char target[256];
  snprintf(target, sizeof target, "/v1/labs/%s/state%s%s", lab, node ? "?node=" : "",
           node ? node : "");
  int status;
  struct json_object *reply = NULL;
  cleanup_error struct lab_error *e = NULL;
  if (cli_api("GET", target, NULL, STATE_TIMEOUT_MS, &status, &reply, &e) < 0)
    return lab_error_set(err, 0, "lab %s: %s", lab,
                         http_error_is_unreachable(e) ? "nodelabd is not running" : e->msg);
  struct api_state m;
  if (status != 200 || api_state_decode(reply, &m, &e) < 0) {
    lab_error_set(err, 0, "lab %s: %s", lab,
                  status != 200 ? cli_reply_error(reply, status) : e->msg);
    json_object_put(reply);
    return -1;
  }
  *out = state_from_reply(&m);
  api_state_release(&m);
  if (raw != NULL)
    *raw = reply;
  else
    json_object_put(reply);
  return 0;
}

static int read_file(const char *path, char **text, struct lab_error **err)
{
  cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || fileio_read_fd(fd, text, NULL) < 0)
    return lab_error_errno(err, "%s", path);
  return 0;
}

int cli_state(const struct cli_invocation *inv)
{
  cleanup_error struct lab_error *err = NULL;
  cleanup_free char *lab = NULL;
  const char *node = inv->argc > 0 ? inv->argv[0] : NULL;
  const char *diff_file = cli_opt(inv, "diff");
  if (diff_file != NULL && cli_flag(inv, "json")) {
    cli_errorf(inv, "--diff prints the differences as text: give --json or --diff, not both");
    return CLI_EXIT_USAGE;
  }
  struct labstate *before = NULL;
  if (diff_file != NULL) {
    cleanup_free char *text = NULL;
    if (read_file(diff_file, &text, &err) < 0 || labstate_parse(text, &before, &err) < 0) {
      cli_errorf(inv, "--diff %s: %s", diff_file, err->msg);
      return CLI_EXIT_FAIL;
    }
  }
  if (cli_resolve_lab(cli_opt(inv, "lab"), &lab, &err) < 0) {
    cli_errorf(inv, "%s", err->msg);
    labstate_free(before);
    return CLI_EXIT_FAIL;
  }
  struct labstate *now = NULL;
  struct json_object *raw = NULL;
  if (cli_state_fetch(lab, node, &now, &raw, &err) < 0) {
    cli_errorf(inv, "%s%s", err->msg,
               node != NULL && strstr(err->msg, "no node") ? " (nodelab status lists them)" : "");
    labstate_free(before);
    return CLI_EXIT_FAIL;
  }
  int rc = CLI_EXIT_OK;
  if (cli_flag(inv, "json")) {
    printf("%s\n", json_object_to_json_string_ext(raw, JSON_C_TO_STRING_PRETTY |
                                                           JSON_C_TO_STRING_NOSLASHESCAPE));
  } else if (before != NULL) {
    /* Only the nodes asked for: a file of the whole lab compares with one node. */
    if (node != NULL) {
      const struct labstate_entry *e = labstate_find(before, node);
      struct labstate *one = labstate_new();
      if (e != NULL)
        labstate_add(one, e->name, e->text);
      labstate_free(before);
      before = one;
    }
    cleanup_free char *d = NULL;
    int n = labstate_diff(before, now, &d, &err);
    if (n < 0) {
      cli_errorf(inv, "%s", err->msg);
      rc = CLI_EXIT_FAIL;
    } else if (n == 0) {
      printf("the state of lab %s equals %s\n", lab, diff_file);
    } else {
      fputs(d, stdout);
      printf("%d line%s differ%s from %s\n", n, n == 1 ? "" : "s", n == 1 ? "s" : "", diff_file);
      rc = CLI_EXIT_FAIL;
    }
  } else {
    cleanup_free char *text = labstate_format(now);
    fputs(text, stdout);
  }
  json_object_put(raw);
  labstate_free(now);
  labstate_free(before);
  return rc;
}
