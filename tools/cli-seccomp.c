/* nodelab seccomp: what a container's runtime denies it on top of its
 * seccomp profile, and changing that (--deny, --clear), which restarts the
 * container: a running process's filters cannot change (runtime/
 * serve-seccomp.c).  How a learner sees and repairs a seccomp-deny fault. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cleanup.h"
#include "runtime-rpc.h"
#include "strv.h"
#include "xalloc.h"

/* "a,b,c" as a NULL-terminated vector (empty words dropped). */
static char **split_commas(const char *list)
{
  cleanup_free char *copy = xstrdup(list);
  size_t n = 0;
  char **v = xcalloc(strlen(list) + 2, sizeof *v);
  char *save = NULL;
  for (char *w = strtok_r(copy, ", ", &save); w != NULL; w = strtok_r(NULL, ", ", &save))
    v[n++] = xstrdup(w);
  return v;
}

int cli_seccomp(const struct cli_invocation *inv)
{
  const char *deny = cli_opt(inv, "deny");
  bool clear = cli_flag(inv, "clear");
  if (deny != NULL && clear) {
    cli_errorf(inv, "--deny and --clear exclude each other");
    return CLI_EXIT_USAGE;
  }
  struct rt_rpc_seccomp_req r = {.container = inv->argv[0]};
  char **words = deny != NULL ? split_commas(deny) : clear ? xcalloc(1, sizeof *words) : NULL;
  r.deny = words;
  enum rt_rpc_op op = words != NULL ? RT_OP_SECCOMP_SET : RT_OP_SECCOMP_GET;
  struct json_object *req = rt_rpc_seccomp_req_to_json(op, &r), *reply = NULL;
  int rc = cli_runtime_call(inv, req, &reply);
  json_object_put(req);
  strv_free(words);
  if (rc < 0)
    return CLI_EXIT_FAIL;
  struct rt_rpc_seccomp_state st;
  cleanup_error struct lab_error *err = NULL;
  if (rt_rpc_seccomp_state_from_json(reply, &st, &err) < 0) {
    cli_errorf(inv, "the runtime's reply: %s", err->msg);
    json_object_put(reply);
    return CLI_EXIT_FAIL;
  }
  if (cli_flag(inv, "json")) {
    json_object_object_del(reply, "ok");
    printf("%s\n", json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PRETTY |
                                                             JSON_C_TO_STRING_NOSLASHESCAPE));
  } else {
    printf("%s%s: ", st.name, op == RT_OP_SECCOMP_SET ? " (restarted)" : "");
    if (st.deny == NULL || st.deny[0] == NULL)
      printf("no system call denied beyond its profile");
    else
      for (size_t i = 0; st.deny[i] != NULL; i++)
        printf("%s%s", i ? " " : "denies (EPERM) ", st.deny[i]);
    if (st.pid > 0)
      printf("; pid %d, %d seccomp filter%s\n", st.pid, st.filters, st.filters == 1 ? "" : "s");
    else
      printf("; not running\n");
  }
  rt_rpc_seccomp_state_clear(&st);
  json_object_put(reply);
  return 0;
}
