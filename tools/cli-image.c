/* nodelab image ls|build|import: the offline image store of a node's runtime
 * (proto/runtime-rpc.h). */
#include "cli.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "error.h"
#include "runtime-rpc.h"

static void join(char *const *v, char *buf, size_t len)
{
  for (size_t i = 0; v != NULL && v[i] != NULL; i++) {
    size_t l = strlen(buf);
    snprintf(buf + l, len - l, "%s%s", l ? " " : "", v[i]);
  }
}

/* Sends req (consumed) to the runtime: its reply, or NULL (printed). */
static struct json_object *ask(const struct cli_invocation *inv, struct json_object *req)
{
  struct json_object *reply = NULL;
  int rc = cli_runtime_call(inv, req, &reply);
  json_object_put(req);
  return rc < 0 ? NULL : reply;
}

/* A reply that does not decode: says why, drops it, returns podman's 125. */
static int bad_reply(const struct cli_invocation *inv, struct lab_error **err,
                     struct json_object *reply)
{
  cli_errorf(inv, "%s", (*err)->msg);
  lab_error_clear(err);
  json_object_put(reply);
  return 125;
}

static int image_ls(const struct cli_invocation *inv)
{
  struct json_object *reply = ask(inv, rt_rpc_request_new(RT_OP_IMAGE_LS));
  if (reply == NULL)
    return 125;
  struct rt_rpc_image_ls_reply r;
  struct lab_error *err = NULL;
  if (rt_rpc_image_ls_reply_from_json(reply, &r, &err) < 0)
    return bad_reply(inv, &err, reply);
  if (cli_flag(inv, "json")) {
    printf("%s\n", json_object_to_json_string_ext(json_object_object_get(reply, "images"),
                                                  JSON_C_TO_STRING_PRETTY |
                                                      JSON_C_TO_STRING_NOSLASHESCAPE));
  } else {
    printf("%-20s  %-22s  %s\n", "IMAGE", "CREATED", "COMMAND");
    for (size_t i = 0; i < r.n; i++) {
      char cmd[512] = "";
      join(r.images[i].entrypoint, cmd, sizeof cmd);
      join(r.images[i].cmd, cmd, sizeof cmd);
      printf("%-20s  %-22s  %s\n", r.images[i].name ? r.images[i].name : "",
             r.images[i].created ? r.images[i].created : "", cmd);
    }
  }
  rt_rpc_image_ls_reply_clear(&r);
  json_object_put(reply);
  return 0;
}

int cli_image(const struct cli_invocation *inv)
{
  const char *sub = inv->argv[0];
  if (strcmp(sub, "ls") == 0 || strcmp(sub, "list") == 0) {
    if (inv->argc != 1) {
      cli_errorf(inv, "usage: nodelab image ls | build ubi|on-off [--name N] | import PATH [NAME]");
      return CLI_EXIT_USAGE;
    }
    return image_ls(inv);
  }
  enum rt_rpc_op op;
  struct rt_rpc_image_req q = {0};
  int want;
  char path[PATH_MAX] = "";
  if (strcmp(sub, "build") == 0) {
    op = RT_OP_IMAGE_BUILD;
    q.kind = inv->argc >= 2 ? inv->argv[1] : NULL;
    q.name = (char *)cli_opt(inv, "name");
    want = 2;
  } else if (strcmp(sub, "import") == 0) {
    op = RT_OP_IMAGE_IMPORT;
    if (inv->argc >= 2) {
      if (inv->argv[1][0] != '/' && getcwd(path, sizeof path - 2) != NULL)
        strcat(path, "/");
      strncat(path, inv->argv[1], sizeof path - strlen(path) - 1);
      q.path = path;
    }
    q.name = (char *)(cli_opt(inv, "name") ? cli_opt(inv, "name")
                      : inv->argc >= 3     ? inv->argv[2]
                                           : NULL);
    want = inv->argc >= 3 ? 3 : 2;
  } else {
    cli_errorf(inv, "unknown subcommand '%s' (expected ls, build or import)", sub);
    return CLI_EXIT_USAGE;
  }
  if (inv->argc != want) {
    cli_errorf(inv, "usage: nodelab image ls | build ubi|on-off [--name N] | import PATH [NAME]");
    return CLI_EXIT_USAGE;
  }
  struct json_object *reply = ask(inv, rt_rpc_image_req_to_json(op, &q));
  if (reply == NULL)
    return 125;
  char *name = NULL;
  struct lab_error *err = NULL;
  if (rt_rpc_name_reply_from_json(reply, &name, &err) < 0)
    return bad_reply(inv, &err, reply);
  printf("%s\n", name);
  free(name);
  json_object_put(reply);
  return 0;
}
