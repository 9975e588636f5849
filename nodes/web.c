/* The web view's server (web.h): loopback TCP, token, Host/Origin checks,
 * the page's assets, /api, and Server-Sent Events of a lab's events. */
#include "web.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <json-c/json.h>

#include "cleanup.h"
#include "fileio.h"
#include "lab-events.h"
#include "log.h"
#include "xalloc.h"

LOG_MODULE(web);

#define TOKEN_BYTES 16
#define COOKIE "nodelab_token"
#define MAX_ASSET (8 << 20)

static struct {
  struct evhttp *http;
  struct web_hooks hooks;
  char token[TOKEN_BYTES * 2 + 1];
  char host_ip[32], host_name[32]; /* "127.0.0.1:PORT", "localhost:PORT" */
  char assets[PATH_MAX];
  int terminal_port;
} web;

/* ---- where the page's files are ---- */

/* build/web/static beside build/nodes/nodelabd, or PREFIX/share/nodelab/web
 * beside PREFIX/bin/nodelabd; $NODELAB_WEB_DIR first. */
static void find_assets(void)
{
  const char *env = getenv("NODELAB_WEB_DIR");
  if (env != NULL && env[0] != '\0') {
    snprintf(web.assets, sizeof web.assets, "%s", env);
    return;
  }
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  web.assets[0] = '\0';
  if (n <= 0)
    return;
  exe[n] = '\0';
  char *slash = strrchr(exe, '/');
  if (slash == NULL)
    return;
  *slash = '\0';
  static const char *const candidates[] = {"../web/static", "../share/nodelab/web"};
  for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
    int n2 = snprintf(web.assets, sizeof web.assets, "%s/%s", exe, candidates[i]);
    if (n2 > 0 && (size_t)n2 < sizeof web.assets && access(web.assets, R_OK | X_OK) == 0)
      return;
    web.assets[0] = '\0';
  }
}

static const char *content_type(const char *name)
{
  static const struct {
    const char *ext, *type;
  } types[] = {{".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
               {".css", "text/css; charset=utf-8"},   {".svg", "image/svg+xml"},
               {".json", "application/json"},         {".map", "application/json"}};
  const char *dot = strrchr(name, '.');
  for (size_t i = 0; dot != NULL && i < sizeof types / sizeof types[0]; i++)
    if (strcmp(dot, types[i].ext) == 0)
      return types[i].type;
  return "application/octet-stream";
}

static void reply_text(struct evhttp_request *req, int code, const char *reason, const char *msg)
{
  struct evbuffer *b = evbuffer_new();
  evbuffer_add_printf(b, "%s\n", msg);
  evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                    "text/plain; charset=utf-8");
  evhttp_send_reply(req, code, reason, b);
  evbuffer_free(b);
}

/* A file of the page: names of [A-Za-z0-9._-/] without "..", under the assets. */
static void serve_asset(struct evhttp_request *req, const char *name)
{
  if (name[0] == '\0' || strstr(name, "..") != NULL ||
      strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/") !=
          strlen(name)) {
    reply_text(req, 404, "Not Found", "not found");
    return;
  }
  if (web.assets[0] == '\0') {
    reply_text(req, 500, "Error",
               "the web view's files are not installed (build the web target, or set "
               "NODELAB_WEB_DIR)");
    return;
  }
  char path[PATH_MAX * 2];
  snprintf(path, sizeof path, "%s/%s", web.assets, name);
  cleanup_free char *data = NULL;
  size_t len = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  int rc = fd < 0 ? -1 : fileio_read_fd(fd, &data, &len);
  if (fd >= 0)
    close(fd);
  if (rc < 0 || len > MAX_ASSET) {
    reply_text(req, 404, "Not Found", "not found");
    return;
  }
  struct evkeyvalq *h = evhttp_request_get_output_headers(req);
  evhttp_add_header(h, "Content-Type", content_type(name));
  evhttp_add_header(h, "Cache-Control", "no-store");
  /* Everything the page loads is its own: nothing from elsewhere. */
  evhttp_add_header(h, "Content-Security-Policy",
                    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                    "connect-src 'self' ws://127.0.0.1:* ws://localhost:*");
  evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
  struct evbuffer *b = evbuffer_new();
  evbuffer_add(b, data, len);
  evhttp_send_reply(req, 200, "OK", b);
  evbuffer_free(b);
}

/* ---- Server-Sent Events: GET /api/v1/labs/LAB/stream[?since=N] ---- */

struct sse {
  struct evhttp_request *req;
  char lab[64];
  uint64_t next;
  void *handle;
};

static void sse_wait(struct sse *s);

static void sse_end(struct sse *s, bool client_gone)
{
  if (!client_gone) {
    evhttp_connection_set_closecb(evhttp_request_get_connection(s->req), NULL, NULL);
    evhttp_send_reply_end(s->req);
  }
  free(s);
}

static void on_sse_events(struct json_object *events, void *arg)
{
  struct sse *s = arg;
  s->handle = NULL;
  if (events == NULL) { /* the lab went away */
    struct evbuffer *b = evbuffer_new();
    evbuffer_add_printf(b, "event: lab-gone\ndata: {}\n\n");
    evhttp_send_reply_chunk(s->req, b);
    evbuffer_free(b);
    sse_end(s, false);
    return;
  }
  struct json_object *list, *next;
  struct evbuffer *b = evbuffer_new();
  if (json_object_object_get_ex(events, "events", &list))
    for (size_t i = 0; i < json_object_array_length(list); i++)
      evbuffer_add_printf(b, "data: %s\n\n",
                          json_object_to_json_string_ext(json_object_array_get_idx(list, i),
                                                         JSON_C_TO_STRING_PLAIN));
  if (json_object_object_get_ex(events, "next", &next))
    s->next = (uint64_t)json_object_get_int64(next);
  json_object_put(events);
  evhttp_send_reply_chunk(s->req, b);
  evbuffer_free(b);
  sse_wait(s);
}

static void on_sse_gone(struct evhttp_connection *conn, void *arg)
{
  (void)conn;
  struct sse *s = arg;
  struct lab_events *ev = web.hooks.lab_events(s->lab);
  if (s->handle != NULL && ev != NULL)
    lab_events_cancel(ev, s->handle);
  sse_end(s, true);
}

static void sse_wait(struct sse *s)
{
  struct lab_events *ev = web.hooks.lab_events(s->lab);
  if (ev == NULL) {
    sse_end(s, false);
    return;
  }
  s->handle = lab_events_wait(ev, s->next, on_sse_events, s);
}

static void serve_stream(struct evhttp_request *req, const char *lab, const char *query)
{
  if (strlen(lab) >= sizeof((struct sse *)0)->lab || web.hooks.lab_events(lab) == NULL) {
    reply_text(req, 404, "Not Found", "no such lab");
    return;
  }
  struct sse *s = xcalloc(1, sizeof *s);
  s->req = req;
  snprintf(s->lab, sizeof s->lab, "%s", lab);
  struct evkeyvalq q;
  evhttp_parse_query_str(query ? query : "", &q);
  const char *since = evhttp_find_header(&q, "since");
  s->next = since ? strtoull(since, NULL, 10) : lab_events_next(web.hooks.lab_events(lab));
  evhttp_clear_headers(&q);
  struct evkeyvalq *h = evhttp_request_get_output_headers(req);
  evhttp_add_header(h, "Content-Type", "text/event-stream");
  evhttp_add_header(h, "Cache-Control", "no-store");
  evhttp_send_reply_start(req, 200, "OK");
  struct evbuffer *b = evbuffer_new();
  evbuffer_add_printf(b, ": nodelab %s\n\n", lab); /* a comment: the stream is open */
  evhttp_send_reply_chunk(req, b);
  evbuffer_free(b);
  evhttp_connection_set_closecb(evhttp_request_get_connection(req), on_sse_gone, s);
  sse_wait(s);
}

/* ---- the gate: Host, Origin, token ---- */

static bool host_ok(const char *host)
{
  return host != NULL && (strcmp(host, web.host_ip) == 0 || strcmp(host, web.host_name) == 0);
}

static bool origin_ok(const char *origin)
{
  if (origin == NULL)
    return true;
  return strncmp(origin, "http://", 7) == 0 && host_ok(origin + 7);
}

/* The token of a Cookie header's nodelab_token, or NULL. */
static bool cookie_has_token(const char *cookies)
{
  for (const char *p = cookies; p != NULL && *p != '\0';) {
    p += strspn(p, " ;");
    size_t n = strcspn(p, ";");
    if (n == strlen(COOKIE "=") + strlen(web.token) &&
        strncmp(p, COOKIE "=", strlen(COOKIE "=")) == 0 &&
        strncmp(p + strlen(COOKIE "="), web.token, strlen(web.token)) == 0)
      return true;
    p += n;
  }
  return false;
}

static bool terminal_allowed(const char *host, const char *origin, const char *cookie, int port)
{
  char ip[32], name[32];
  snprintf(ip, sizeof ip, "127.0.0.1:%d", port);
  snprintf(name, sizeof name, "localhost:%d", port);
  /* The terminal's own address as Host; the page's as Origin (a WebSocket
   * always sends one); the page's cookie. */
  return host != NULL && (strcmp(host, ip) == 0 || strcmp(host, name) == 0) && origin != NULL &&
         origin_ok(origin) && cookie_has_token(cookie);
}

static pid_t terminal_node_pid(const char *lab, const char *node)
{
  return web.hooks.node_pid ? web.hooks.node_pid(lab, node) : 0;
}

static const struct web_terminal_gate terminal_gate = {.allowed = terminal_allowed,
                                                       .node_pid = terminal_node_pid};

static void on_web_request(struct evhttp_request *req, void *arg)
{
  (void)arg;
  struct evkeyvalq *in = evhttp_request_get_input_headers(req);
  const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
  const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
  const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
  if (path == NULL) {
    reply_text(req, 400, "Bad Request", "bad request URI");
    return;
  }
  if (!host_ok(evhttp_find_header(in, "Host")) || !origin_ok(evhttp_find_header(in, "Origin"))) {
    log_info("refused %s: Host %s, Origin %s", path, evhttp_find_header(in, "Host") ?: "-",
             evhttp_find_header(in, "Origin") ?: "-");
    reply_text(req, 403, "Forbidden", "forbidden: Host or Origin is not the web view's address");
    return;
  }
  struct evkeyvalq q;
  evhttp_parse_query_str(query ? query : "", &q);
  const char *qtoken = evhttp_find_header(&q, "token");
  bool by_query = qtoken != NULL && strcmp(qtoken, web.token) == 0;
  evhttp_clear_headers(&q);
  const char *htoken = evhttp_find_header(in, "X-Nodelab-Token");
  bool ok = by_query || (htoken != NULL && strcmp(htoken, web.token) == 0) ||
            cookie_has_token(evhttp_find_header(in, "Cookie"));
  if (!ok) {
    reply_text(req, 401, "Unauthorized",
               "unauthorized: open the URL `nodelab web` printed (it holds the token)");
    return;
  }
  if (by_query) {
    char cookie[128];
    snprintf(cookie, sizeof cookie, COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict", web.token);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Set-Cookie", cookie);
  }
  if (strcmp(path, "/") == 0) {
    serve_asset(req, "index.html");
  } else if (strcmp(path, "/terminal-port") == 0) {
    struct evbuffer *b = evbuffer_new();
    evbuffer_add_printf(b, "{\"port\": %d}\n", web.terminal_port);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
    evhttp_send_reply(req, 200, "OK", b);
    evbuffer_free(b);
  } else if (strncmp(path, "/static/", 8) == 0) {
    serve_asset(req, path + 8);
  } else if (strncmp(path, "/api/v1/labs/", 13) == 0 && strlen(path) > 20 &&
             strcmp(path + strlen(path) - 7, "/stream") == 0) {
    char lab[128];
    snprintf(lab, sizeof lab, "%.*s", (int)(strlen(path) - 13 - 7), path + 13);
    serve_stream(req, lab, query);
  } else if (strncmp(path, "/api/", 5) == 0) {
    web.hooks.dispatch(req, path + 4);
  } else {
    reply_text(req, 404, "Not Found", "not found");
  }
}

/* ---- start, stop ---- */

/* "127.0.0.1:PORT", "localhost:PORT", ":PORT" or "PORT": the port; -1 when
 * the address is not loopback or the port is not a number. */
static int parse_listen(const char *listen, char *why, size_t why_size)
{
  const char *colon = strrchr(listen, ':');
  const char *port = colon ? colon + 1 : listen;
  if (colon != NULL) {
    size_t hl = (size_t)(colon - listen);
    if (!(hl == 0 || (hl == 9 && strncmp(listen, "127.0.0.1", 9) == 0) ||
          (hl == 9 && strncmp(listen, "localhost", 9) == 0))) {
      snprintf(why, why_size, "the web view listens on loopback only: give 127.0.0.1:PORT, not %s",
               listen);
      return -1;
    }
  }
  char *end;
  long p = strtol(port, &end, 10);
  if (port[0] == '\0' || *end != '\0' || p < 0 || p > 65535) {
    snprintf(why, why_size, "%s: not a port (0..65535)", port);
    return -1;
  }
  return (int)p;
}

void web_stop(void)
{
  web_terminal_stop();
  if (web.http != NULL) {
    evhttp_free(web.http);
    web.http = NULL;
    log_info("web view stopped");
  }
}

int web_start(struct event_base *base, const char *listen, const struct web_hooks *hooks, char *url,
              size_t url_size, struct lab_error **err)
{
  char why[160];
  int port = parse_listen(listen ? listen : "127.0.0.1:0", why, sizeof why);
  if (port < 0)
    return lab_error_refuse(err, EINVAL, "%s", why);
  unsigned char raw[TOKEN_BYTES];
  if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
    return lab_error_errno(err, "getrandom");
  web_stop();
  web.hooks = *hooks;
  for (size_t i = 0; i < sizeof raw; i++)
    snprintf(web.token + 2 * i, 3, "%02x", raw[i]);
  find_assets();
  web.http = evhttp_new(base);
  if (web.http == NULL)
    return lab_error_set(err, 0, "evhttp_new failed");
  evhttp_set_allowed_methods(web.http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_DELETE);
  evhttp_set_gencb(web.http, on_web_request, NULL);
  evhttp_set_max_body_size(web.http, 1 << 20);
  /* Bound to 127.0.0.1 only, whatever name was given. */
  struct evhttp_bound_socket *bound =
      evhttp_bind_socket_with_handle(web.http, "127.0.0.1", (ev_uint16_t)port);
  if (bound == NULL) {
    int e = errno;
    web_stop();
    errno = e;
    return lab_error_errno(err, "listening on 127.0.0.1:%d", port);
  }
  struct sockaddr_in sa;
  socklen_t sl = sizeof sa;
  if (getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&sa, &sl) < 0) {
    web_stop();
    return lab_error_errno(err, "getsockname");
  }
  port = ntohs(sa.sin_port);
  snprintf(web.host_ip, sizeof web.host_ip, "127.0.0.1:%d", port);
  snprintf(web.host_name, sizeof web.host_name, "localhost:%d", port);
  if (web_terminal_start(base, &terminal_gate, &web.terminal_port, err) < 0) {
    web_stop();
    return -1;
  }
  snprintf(url, url_size, "http://127.0.0.1:%d/?token=%s", port, web.token);
  log_info("web view on http://127.0.0.1:%d/ (assets %s)", port,
           web.assets[0] ? web.assets : "not found");
  return 0;
}
