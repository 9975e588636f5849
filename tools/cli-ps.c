/* nodelab ps: the runtime's PS_ENTRY list (proto/runtime-rpc.h) as podman's
 * table (proto/ps-format.h), or as JSON. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cleanup.h"
#include "error.h"
#include "ps-format.h"
#include "runtime-rpc.h"

/* podman's exit code for its own failures */
#define EXIT_RUNTIME 125

int cli_ps(const struct cli_invocation *inv)
{
  cleanup_close int fd = cli_runtime_connect(inv);
  if (fd < 0)
    return EXIT_RUNTIME;
  struct rt_rpc_ps_req q = {.all = cli_flag(inv, "all"), .latest = cli_flag(inv, "latest")};
  struct json_object *req = rt_rpc_ps_req_to_json(&q), *reply = NULL;
  cleanup_error struct lab_error *err = NULL;
  struct rt_rpc_ps_reply list;
  int rc = cli_runtime_request(fd, req, &reply, NULL, &err);
  json_object_put(req);
  if (rc == 0)
    rc = rt_rpc_ps_reply_from_json(reply, &list, &err);
  json_object_put(reply);
  if (rc < 0) {
    cli_errorf(inv, "%s", err->msg);
    return EXIT_RUNTIME;
  }
  if (cli_flag(inv, "json")) {
    struct json_object *arr = rt_rpc_ps_entries_to_json(&list);
    printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
                                                           JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(arr);
  } else {
    unsigned flags = (cli_flag(inv, "quiet") ? PS_FORMAT_QUIET : 0) |
                     (cli_flag(inv, "no-trunc") ? PS_FORMAT_NOTRUNC : 0) |
                     (cli_flag(inv, "context") ? PS_FORMAT_LABELS : 0);
    char *text = ps_format_table(list.entries, list.n, flags, (long long)time(NULL));
    fputs(text, stdout);
    free(text);
  }
  rt_rpc_ps_reply_clear(&list);
  return 0;
}
