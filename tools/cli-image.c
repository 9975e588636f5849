/* nodelab image ls|build|import: the offline image store of a node's runtime. */
#include "cli.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

static const char *jstr(struct json_object *o, const char *key)
{
  struct json_object *v;
  return o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
             ? json_object_get_string(v)
             : "";
}

static void join(struct json_object *arr, char *buf, size_t len)
{
  for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
    size_t l = strlen(buf);
    snprintf(buf + l, len - l, "%s%s", l ? " " : "",
             json_object_get_string(json_object_array_get_idx(arr, i)));
  }
}

int cli_image(const struct cli_invocation *inv)
{
  const char *sub = inv->argv[0];
  struct json_object *req = json_object_new_object(), *reply = NULL;
  int want;
  if (strcmp(sub, "ls") == 0 || strcmp(sub, "list") == 0) {
    json_object_object_add(req, "op", json_object_new_string("image-ls"));
    want = 1;
  } else if (strcmp(sub, "build") == 0) {
    json_object_object_add(req, "op", json_object_new_string("image-build"));
    if (inv->argc >= 2)
      json_object_object_add(req, "kind", json_object_new_string(inv->argv[1]));
    if (cli_opt(inv, "name"))
      json_object_object_add(req, "name", json_object_new_string(cli_opt(inv, "name")));
    want = 2;
  } else if (strcmp(sub, "import") == 0) {
    json_object_object_add(req, "op", json_object_new_string("image-import"));
    if (inv->argc >= 2) {
      char path[PATH_MAX] = "";
      if (inv->argv[1][0] != '/' && getcwd(path, sizeof path - 2) != NULL)
        strcat(path, "/");
      strncat(path, inv->argv[1], sizeof path - strlen(path) - 1);
      json_object_object_add(req, "path", json_object_new_string(path));
    }
    const char *name = cli_opt(inv, "name") ? cli_opt(inv, "name")
                       : inv->argc >= 3     ? inv->argv[2]
                                            : NULL;
    if (name)
      json_object_object_add(req, "name", json_object_new_string(name));
    want = inv->argc >= 3 ? 3 : 2;
  } else {
    cli_errorf(inv, "unknown subcommand '%s' (expected ls, build or import)", sub);
    json_object_put(req);
    return CLI_EXIT_USAGE;
  }
  if (inv->argc != want) {
    cli_errorf(inv, "usage: nodelab image ls | build ubi|on-off [--name N] | import PATH [NAME]");
    json_object_put(req);
    return CLI_EXIT_USAGE;
  }
  int rc = cli_runtime_call(inv, req, &reply);
  json_object_put(req);
  if (rc < 0)
    return 125;
  if (want > 1) {
    printf("%s\n", jstr(reply, "name"));
  } else if (cli_flag(inv, "json")) {
    struct json_object *imgs;
    json_object_object_get_ex(reply, "images", &imgs);
    printf("%s\n", json_object_to_json_string_ext(imgs, JSON_C_TO_STRING_PRETTY |
                                                            JSON_C_TO_STRING_NOSLASHESCAPE));
  } else {
    struct json_object *imgs, *v;
    printf("%-20s  %-22s  %s\n", "IMAGE", "CREATED", "COMMAND");
    if (json_object_object_get_ex(reply, "images", &imgs)) {
      for (size_t i = 0; i < json_object_array_length(imgs); i++) {
        struct json_object *im = json_object_array_get_idx(imgs, i);
        char cmd[512] = "";
        if (json_object_object_get_ex(im, "entrypoint", &v))
          join(v, cmd, sizeof cmd);
        if (json_object_object_get_ex(im, "cmd", &v))
          join(v, cmd, sizeof cmd);
        printf("%-20s  %-22s  %s\n", jstr(im, "name"), jstr(im, "created"), cmd);
      }
    }
  }
  json_object_put(reply);
  return 0;
}
