#include "netd-client.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cleanup.h"
#include "unix-socket.h"

/* One JSON-RPC call on netd's unixctl socket (a stream).  Returns 0 and the
 * result text in *result (malloc'd, may be NULL), or -1 and *err. */
int netd_call(const char *path, const char *method, const char *const *params, char **result,
              struct lab_error **err)
{
  if (result != NULL)
    *result = NULL;
  cleanup_close int fd = unix_socket_connect(path, SOCK_STREAM, err);
  if (fd < 0)
    return lab_error_wrap(err, "netd");
  struct json_object *req = json_object_new_object();
  struct json_object *arr = json_object_new_array();
  for (size_t i = 0; params[i] != NULL; i++)
    json_object_array_add(arr, json_object_new_string(params[i]));
  json_object_object_add(req, "method", json_object_new_string(method));
  json_object_object_add(req, "params", arr);
  json_object_object_add(req, "id", json_object_new_int(1));
  const char *text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
  size_t len = strlen(text), off = 0;
  while (off < len) {
    ssize_t w = send(fd, text + off, len - off, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0) {
      json_object_put(req);
      return lab_error_errno(err, "writing to netd");
    }
    off += (size_t)w;
  }
  json_object_put(req);
  struct json_tokener *tok = json_tokener_new();
  struct json_object *reply = NULL;
  char buf[4096];
  while (reply == NULL) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int pr = poll(&p, 1, 30000);
    if (pr == 0) {
      json_tokener_free(tok);
      return lab_error_set(err, ETIMEDOUT, "netd %s", method);
    }
    ssize_t n = pr < 0 ? -1 : read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      json_tokener_free(tok);
      return lab_error_set(err, n < 0 ? errno : EPIPE, "netd %s: no reply", method);
    }
    reply = json_tokener_parse_ex(tok, buf, (int)n);
    enum json_tokener_error te = json_tokener_get_error(tok);
    if (reply == NULL && te != json_tokener_continue) {
      json_tokener_free(tok);
      return lab_error_set(err, EPROTO, "netd %s: bad reply: %s", method,
                           json_tokener_error_desc(te));
    }
  }
  json_tokener_free(tok);
  struct json_object *e = NULL, *r = NULL;
  int rc = 0;
  if (json_object_object_get_ex(reply, "error", &e) && !json_object_is_type(e, json_type_null)) {
    const char *m = json_object_get_string(e);
    size_t ml = strlen(m);
    while (ml > 0 && m[ml - 1] == '\n')
      ml--;
    rc = lab_error_set(err, 0, "netd %s: %.*s", method, (int)ml, m);
  } else if (result != NULL && json_object_object_get_ex(reply, "result", &r) &&
             json_object_is_type(r, json_type_string)) {
    *result = strdup(json_object_get_string(r));
  }
  json_object_put(reply);
  return rc;
}
