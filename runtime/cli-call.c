/* nodelab-runtime call: a raw RPC client, for tests and debugging. */
#include "cli-runtime.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "json.h"
#include "paths.h"
#include "rpc.h"
#include "runtime-rpc.h"

/* A raw client for tests and debugging: one request as given (not checked
 * here: the runtime's refusals are what a test may want), its reply on stdout;
 * an attached process (exec, run without detach or tty) gets our stdio and
 * we exit with its status. */
int rtcli_call(int argc, char **argv)
{
  const char *sock = NODE_RUNTIME_SOCKET;
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
  enum rt_rpc_op op = RT_OP_N;
  struct lab_error *err = NULL;
  if (rt_rpc_op_from_json(req, &op, &err) < 0)
    lab_error_clear(&err); /* sent anyway: the runtime says what is wrong */
  bool tty = json_get_bool(req, "tty", false), detach = json_get_bool(req, "detach", false);
  bool attached = !tty && (op == RT_OP_EXEC || (op == RT_OP_RUN && !detach));
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
  bool ok = json_get_bool(reply, "ok", false);
  if (!attached || !ok) {
    printf("%s\n", json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN |
                                                             JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(reply);
    close(fd);
    return ok ? 0 : 1;
  }
  json_object_put(reply);
  struct json_object *ev = NULL;
  struct rt_rpc_exit ex = {.status = 1};
  if (rpc_recv(fd, &ev, NULL, 0, NULL) <= 0 || rt_rpc_exit_from_json(ev, &ex, &err) != 1) {
    lab_error_clear(&err);
    ex.status = 1;
  }
  json_object_put(ev);
  int rc = ex.status;
  close(fd);
  return rc;
}
