#include "rpc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cleanup.h"
#include "unix-socket.h"

int rpc_send(int fd, struct json_object *o, const int *fds, size_t n_fds)
{
  const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
  size_t len = strlen(text);
  if (len > RPC_MAX_MESSAGE || n_fds > RPC_MAX_FDS) {
    errno = EMSGSIZE;
    return -1;
  }
  struct iovec iov = {.iov_base = (void *)text, .iov_len = len};
  union {
    char buf[CMSG_SPACE(sizeof(int) * RPC_MAX_FDS)];
    struct cmsghdr align;
  } control;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
  if (n_fds > 0) {
    memset(&control, 0, sizeof control);
    msg.msg_control = control.buf;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
  }
  ssize_t n;
  do {
    n = sendmsg(fd, &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n == (ssize_t)len ? 0 : -1;
}

int rpc_recv(int fd, struct json_object **out, int *fds, size_t max_fds, size_t *n_fds)
{
  if (n_fds != NULL)
    *n_fds = 0;
  cleanup_free char *buf = malloc(RPC_MAX_MESSAGE + 1);
  if (buf == NULL)
    return -1;
  struct iovec iov = {.iov_base = buf, .iov_len = RPC_MAX_MESSAGE};
  union {
    char buf[CMSG_SPACE(sizeof(int) * RPC_MAX_FDS)];
    struct cmsghdr align;
  } control;
  struct msghdr msg = {.msg_iov = &iov,
                       .msg_iovlen = 1,
                       .msg_control = control.buf,
                       .msg_controllen = sizeof control.buf};
  ssize_t n;
  do {
    n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n <= 0)
    return n == 0 ? 0 : -1;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
      continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    int *received = (int *)CMSG_DATA(c);
    for (size_t i = 0; i < count; i++) {
      if (fds != NULL && n_fds != NULL && *n_fds < max_fds)
        fds[(*n_fds)++] = received[i];
      else
        close(received[i]);
    }
  }
  buf[n] = '\0';
  struct json_object *o = json_tokener_parse(buf);
  if (o == NULL || !json_object_is_type(o, json_type_object)) {
    json_object_put(o);
    for (size_t i = 0; n_fds != NULL && i < *n_fds; i++)
      close(fds[i]);
    if (n_fds != NULL)
      *n_fds = 0;
    errno = EBADMSG;
    return -1;
  }
  *out = o;
  return 1;
}

int rpc_connect(const char *path, struct lab_error **err)
{
  return unix_socket_connect(path, SOCK_SEQPACKET, err);
}

int rpc_listen(const char *path, struct lab_error **err)
{
  return unix_socket_listen(path, SOCK_SEQPACKET, err);
}

int rpc_call(int fd, struct json_object *request, const int *fds, size_t n_fds,
             struct json_object **reply, struct lab_error **err)
{
  struct json_object *op = NULL;
  json_object_object_get_ex(request, "op", &op);
  const char *name = op ? json_object_get_string(op) : "request";
  if (rpc_send(fd, request, fds, n_fds) < 0)
    return lab_error_errno(err, "sending %s", name);
  struct json_object *r = NULL;
  int rc = rpc_recv(fd, &r, NULL, 0, NULL);
  if (rc <= 0)
    return rc == 0 ? lab_error_set(err, ECONNRESET, "%s: connection closed", name)
                   : lab_error_errno(err, "receiving the reply to %s", name);
  struct json_object *ok = NULL, *msg = NULL;
  if (!json_object_object_get_ex(r, "ok", &ok) || !json_object_get_boolean(ok)) {
    json_object_object_get_ex(r, "error", &msg);
    lab_error_set(err, 0, "%s", msg ? json_object_get_string(msg) : "failed");
    json_object_put(r);
    return -1;
  }
  *reply = r;
  return 0;
}

struct json_object *rpc_reply_ok(void)
{
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "ok", json_object_new_boolean(1));
  return o;
}

struct json_object *rpc_reply_error(const char *msg)
{
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "ok", json_object_new_boolean(0));
  json_object_object_add(o, "error", json_object_new_string(msg));
  return o;
}
