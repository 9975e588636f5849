/* nodelab-runtime call: a raw RPC client, for tests and debugging. */
#include "cli-runtime.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "rpc.h"

/* A raw client for tests and debugging: one request, its reply on stdout;
 * an attached process (exec, run without detach or tty) gets our stdio and
 * we exit with its status. */
int rtcli_call(int argc, char **argv)
{
  const char *sock = "/run/nodelab/runtime.sock";
  int i = 1;
  if (i + 1 < argc && strcmp(argv[i], "--socket") == 0) {
    sock = argv[i + 1];
    i += 2;
  }
  if (i + 1 != argc)
    return rtcli_usage_error("usage: call [--socket PATH] REQUEST-JSON");
  struct json_object *req = json_tokener_parse(argv[i]);
  if (req == NULL || !json_object_is_type(req, json_type_object))
    return rtcli_usage_error("call: the request is not a JSON object");
  struct json_object *v;
  const char *op = json_object_object_get_ex(req, "op", &v) ? json_object_get_string(v) : "";
  bool tty = json_object_object_get_ex(req, "tty", &v) && json_object_get_boolean(v);
  bool detach = json_object_object_get_ex(req, "detach", &v) && json_object_get_boolean(v);
  bool attached = !tty && (strcmp(op, "exec") == 0 || (strcmp(op, "run") == 0 && !detach));
  struct lab_error *err = NULL;
  int fd = rpc_connect(sock, &err);
  if (fd < 0)
    return rtcli_fail(&err);
  static const int stdio[3] = {0, 1, 2};
  struct json_object *reply = NULL;
  if (rpc_send(fd, req, stdio, attached ? 3 : 0) < 0 || rpc_recv(fd, &reply, NULL, 0, NULL) <= 0) {
    fprintf(stderr, "nodelab-runtime: call: %s\n", strerror(errno ? errno : EPIPE));
    return 1;
  }
  json_object_put(req);
  bool ok = json_object_object_get_ex(reply, "ok", &v) && json_object_get_boolean(v);
  if (!attached || !ok) {
    printf("%s\n", json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN |
                                                             JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(reply);
    close(fd);
    return ok ? 0 : 1;
  }
  json_object_put(reply);
  struct json_object *ev = NULL;
  int rc = 1;
  if (rpc_recv(fd, &ev, NULL, 0, NULL) > 0 && json_object_object_get_ex(ev, "status", &v))
    rc = json_object_get_int(v);
  json_object_put(ev);
  close(fd);
  return rc;
}
