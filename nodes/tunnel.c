#include "tunnel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "api.h"
#include "json.h"
#include "log.h"
#include "rpc.h"
#include "unix-socket.h"

LOG_MODULE(tunnel);

struct tunnel {
  int client_fd;
  int service_fd; /* -1 until the first message named a service */
  struct event *client_ev;
  struct event *service_ev;
  struct tunnel *next;
};

static struct {
  struct event_base *base;
  int listen_fd;
  char *path;
  struct event *accept_ev;
  tunnel_node_pid_fn *lookup;
  struct tunnel *tunnels;
} tunnels_state = {.listen_fd = -1};

int tunnel_connect_in_node(pid_t pid, const char *inner_path, int type, struct lab_error **err)
{
  char path[108];
  if ((size_t)snprintf(path, sizeof path, "/proc/%d/root%s", (int)pid, inner_path) >= sizeof path)
    return lab_error_set(err, ENAMETOOLONG, "socket path of %s", inner_path);
  return unix_socket_connect(path, type, err);
}

static void tunnel_close(struct tunnel *t)
{
  for (struct tunnel **p = &tunnels_state.tunnels; *p != NULL; p = &(*p)->next) {
    if (*p == t) {
      *p = t->next;
      break;
    }
  }
  if (t->client_ev != NULL)
    event_free(t->client_ev);
  if (t->service_ev != NULL)
    event_free(t->service_ev);
  close(t->client_fd);
  if (t->service_fd >= 0)
    close(t->service_fd);
  free(t);
}

/* Moves one message (and its fds) from `from` to `to`.  Returns 0, or -1 when
 * the tunnel must close (EOF or error on either side). */
static int relay_one(int from, int to)
{
  struct json_object *msg = NULL;
  int fds[RPC_MAX_FDS];
  size_t n_fds = 0;
  int rc = rpc_recv(from, &msg, fds, RPC_MAX_FDS, &n_fds);
  if (rc < 0 && errno == EAGAIN)
    return 0;
  if (rc <= 0)
    return -1;
  rc = rpc_send(to, msg, fds, n_fds);
  for (size_t i = 0; i < n_fds; i++)
    close(fds[i]);
  json_object_put(msg);
  return rc;
}

static void on_service(evutil_socket_t fd, short what, void *arg)
{
  struct tunnel *t = arg;
  if (relay_one(t->service_fd, t->client_fd) < 0)
    tunnel_close(t);
}

static void reply(int fd, struct json_object *r)
{
  rpc_send(fd, r, NULL, 0);
  json_object_put(r);
}

/* The first message: which service of which node. */
static int open_service(struct tunnel *t)
{
  struct json_object *msg = NULL;
  int rc = rpc_recv(t->client_fd, &msg, NULL, 0, NULL);
  if (rc < 0 && errno == EAGAIN)
    return 0;
  if (rc <= 0)
    return -1;
  const char *op = json_get_str(msg, "op"), *lab = json_get_str(msg, "lab");
  const char *node = json_get_str(msg, "node"), *service = json_get_str(msg, "service");
  char problem[512] = "";
  const char *why = NULL;
  pid_t pid = 0;
  if (op == NULL || strcmp(op, "tunnel") != 0 || lab == NULL || node == NULL || service == NULL)
    snprintf(problem, sizeof problem,
             "the first message must be {\"op\": \"tunnel\", \"lab\", "
             "\"node\", \"service\"}");
  else if (strcmp(service, "runtime") != 0)
    snprintf(problem, sizeof problem, "unknown service \"%s\" (known: runtime)", service);
  else if ((pid = tunnels_state.lookup(lab, node, &why)) <= 0)
    snprintf(problem, sizeof problem, "%s", why ? why : "no such node");
  if (problem[0] == '\0') {
    struct lab_error *err = NULL;
    t->service_fd = tunnel_connect_in_node(pid, NODE_RUNTIME_SOCKET, SOCK_SEQPACKET, &err);
    if (t->service_fd < 0) {
      snprintf(problem, sizeof problem, "node %s: the runtime does not answer: %s", node, err->msg);
      lab_error_clear(&err);
    }
  }
  json_object_put(msg);
  if (problem[0] != '\0') {
    reply(t->client_fd, rpc_reply_error(problem));
    return -1;
  }
  t->service_ev = event_new(tunnels_state.base, t->service_fd, EV_READ | EV_PERSIST, on_service, t);
  event_add(t->service_ev, NULL);
  reply(t->client_fd, rpc_reply_ok());
  return 0;
}

static void on_client(evutil_socket_t fd, short what, void *arg)
{
  struct tunnel *t = arg;
  int rc = t->service_fd < 0 ? open_service(t) : relay_one(t->client_fd, t->service_fd);
  if (rc < 0)
    tunnel_close(t);
}

static void on_accept(evutil_socket_t fd, short what, void *arg)
{
  int client = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
  if (client < 0)
    return;
  struct tunnel *t = calloc(1, sizeof *t);
  t->client_fd = client;
  t->service_fd = -1;
  t->client_ev = event_new(tunnels_state.base, client, EV_READ | EV_PERSIST, on_client, t);
  event_add(t->client_ev, NULL);
  t->next = tunnels_state.tunnels;
  tunnels_state.tunnels = t;
}

int tunnel_start(struct event_base *base, const char *path, tunnel_node_pid_fn *lookup,
                 struct lab_error **err)
{
  int fd = rpc_listen(path, err);
  if (fd < 0)
    return -1;
  tunnels_state.base = base;
  tunnels_state.listen_fd = fd;
  tunnels_state.path = strdup(path);
  tunnels_state.lookup = lookup;
  tunnels_state.accept_ev = event_new(base, fd, EV_READ | EV_PERSIST, on_accept, NULL);
  event_add(tunnels_state.accept_ev, NULL);
  return 0;
}

void tunnel_stop(void)
{
  while (tunnels_state.tunnels != NULL)
    tunnel_close(tunnels_state.tunnels);
  if (tunnels_state.accept_ev != NULL)
    event_free(tunnels_state.accept_ev);
  tunnels_state.accept_ev = NULL;
  if (tunnels_state.listen_fd >= 0) {
    close(tunnels_state.listen_fd);
    unlink(tunnels_state.path);
  }
  tunnels_state.listen_fd = -1;
  free(tunnels_state.path);
  tunnels_state.path = NULL;
}
