/* The web view's terminals (web.h): a WebSocket (RFC 6455) per terminal, on a
 * second loopback port beside the page's, bridged to a real pty whose shell
 * runs in a node or a container, through `nodelab shell` / `nodelab exec -it`.
 *
 * Why a port of its own: libevent 2.1's evhttp cannot hand a connection over
 * after an Upgrade, so the handshake is read here on a plain bufferevent.
 * The same gate holds: Host must be this port's loopback address, Origin the
 * page's, and the token cookie (cookies ignore ports) must be there.
 * GET /terminal/LAB/NODE opens a shell in a node, /terminal/LAB/NODE/POD[/CTR]
 * one in a container.
 *
 * Frames from the page: text or binary, the keyboard's bytes; a text frame
 * "\x01resize COLS ROWS" resizes the pty.  Frames to the page: binary, the
 * pty's output.  The shell's exit closes the socket; the socket's closing
 * hangs the shell up. */
#include "web.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/evp.h>

#include "log.h"
#include "paths.h"
#include "xalloc.h"

LOG_MODULE(web);

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define MAX_HEADER 8192
#define MAX_FRAME (1 << 20)

struct term {
  struct bufferevent *ws;  /* the browser */
  struct bufferevent *pty; /* the pty's master */
  pid_t child;
  bool upgraded;
  struct term *next; /* every open terminal, so that stopping closes them */
};

static struct {
  struct evconnlistener *listener;
  const struct web_terminal_gate *gate;
  int port;
  struct term *terms;
} term_srv;

static void term_free(struct term *t)
{
  for (struct term **p = &term_srv.terms; *p != NULL; p = &(*p)->next)
    if (*p == t) {
      *p = t->next;
      break;
    }
  if (t->child > 0)
    kill(t->child, SIGHUP); /* nodelabd's supervisor reaps it, with any other child */
  if (t->pty != NULL)
    bufferevent_free(t->pty);
  if (t->ws != NULL)
    bufferevent_free(t->ws);
  free(t);
}

static void ws_send(struct term *t, int opcode, const void *data, size_t len)
{
  unsigned char h[10];
  size_t hl = 2;
  h[0] = (unsigned char)(0x80 | opcode);
  if (len < 126) {
    h[1] = (unsigned char)len;
  } else if (len < 65536) {
    h[1] = 126;
    h[2] = (unsigned char)(len >> 8);
    h[3] = (unsigned char)len;
    hl = 4;
  } else {
    h[1] = 127;
    for (int i = 0; i < 8; i++)
      h[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
    hl = 10;
  }
  struct evbuffer *out = bufferevent_get_output(t->ws);
  evbuffer_add(out, h, hl);
  evbuffer_add(out, data, len);
}

/* ---- the pty ---- */

static void on_pty_read(struct bufferevent *bev, void *arg)
{
  struct term *t = arg;
  struct evbuffer *in = bufferevent_get_input(bev);
  unsigned char buf[16384];
  size_t n;
  while ((n = evbuffer_remove(in, buf, sizeof buf)) > 0)
    ws_send(t, 2, buf, n);
}

static void on_pty_event(struct bufferevent *bev, short what, void *arg)
{
  (void)bev;
  struct term *t = arg;
  if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
    /* The shell is gone (EIO on the master): say so, then close. */
    static const unsigned char bye[] = {0x03, 0xe8}; /* 1000: normal closure */
    t->child = 0;
    ws_send(t, 8, bye, sizeof bye);
    bufferevent_free(t->pty);
    t->pty = NULL;
    bufferevent_disable(t->ws, EV_READ);
    bufferevent_setwatermark(t->ws, EV_WRITE, 0, 0);
  }
}

/* Forks a shell on a new pty by the very path a learner's `nodelab shell
 * NODE` (a node: its namespaces and cgroup) or `nodelab exec -it
 * NODE/POD[/CTR] sh` (a container, through the node's runtime, with its own
 * terminal) takes: the CLI itself runs on the pty, talking back to us. */
static int spawn_shell(const char *lab, const char *where, bool in_pod, int cols, int rows,
                       int *master, pid_t *child)
{
  char *cli = paths_find_binary("nodelab", "tools");
  if (cli == NULL)
    return -1;
  struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
  pid_t pid = forkpty(master, NULL, NULL, &ws);
  if (pid < 0) {
    free(cli);
    return -1;
  }
  if (pid == 0) {
    setenv("TERM", "xterm-256color", 1);
    if (in_pod)
      execl(cli, "nodelab", "exec", "-it", "--lab", lab, where, "--", "sh", (char *)NULL);
    else
      execl(cli, "nodelab", "shell", "--lab", lab, where, (char *)NULL);
    _exit(127);
  }
  free(cli);
  *child = pid;
  return 0;
}

/* ---- the WebSocket's frames ---- */

static void on_frame(struct term *t, int opcode, unsigned char *data, size_t len)
{
  if (opcode == 8) { /* close */
    term_free(t);
    return;
  }
  if (opcode == 9) { /* ping */
    ws_send(t, 10, data, len);
    return;
  }
  if (opcode != 1 && opcode != 2)
    return;
  if (opcode == 1 && len > 8 && data[0] == 0x01 && memcmp(data + 1, "resize ", 7) == 0) {
    char text[64];
    snprintf(text, sizeof text, "%.*s", (int)(len - 8), data + 8);
    int cols = 0, rows = 0;
    if (sscanf(text, "%d %d", &cols, &rows) == 2 && cols > 0 && rows > 0 && t->pty != NULL) {
      struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
      ioctl(bufferevent_getfd(t->pty), TIOCSWINSZ, &ws);
    }
    return;
  }
  if (t->pty != NULL)
    bufferevent_write(t->pty, data, len);
}

/* Parses every whole frame in the input; false when t was freed. */
static bool read_frames(struct term *t)
{
  struct evbuffer *in = bufferevent_get_input(t->ws);
  for (;;) {
    size_t avail = evbuffer_get_length(in);
    unsigned char h[14];
    if (avail < 2)
      return true;
    evbuffer_copyout(in, h, avail < sizeof h ? avail : sizeof h);
    int opcode = h[0] & 0x0f;
    bool masked = h[1] & 0x80;
    uint64_t len = h[1] & 0x7f;
    size_t hl = 2;
    if (len == 126) {
      if (avail < 4)
        return true;
      len = (uint64_t)h[2] << 8 | h[3];
      hl = 4;
    } else if (len == 127) {
      if (avail < 10)
        return true;
      len = 0;
      for (int i = 0; i < 8; i++)
        len = len << 8 | h[2 + i];
      hl = 10;
    }
    if (!masked || len > MAX_FRAME) { /* a client must mask (RFC 6455 5.1) */
      term_free(t);
      return false;
    }
    if (avail < hl + 4 + len)
      return true;
    unsigned char mask[4];
    memcpy(mask, h + hl, 4);
    evbuffer_drain(in, hl + 4);
    unsigned char *data = xnonnull(malloc(len + 1));
    evbuffer_remove(in, data, len);
    for (uint64_t i = 0; i < len; i++)
      data[i] ^= mask[i % 4];
    bool closing = opcode == 8;
    on_frame(t, opcode, data, len);
    free(data);
    if (closing)
      return false;
  }
}

/* ---- the handshake ---- */

/* The value of header name in the header block (malloc'd), or NULL. */
static char *header(const char *block, const char *name)
{
  size_t nl = strlen(name);
  for (const char *p = strstr(block, "\r\n"); p != NULL; p = strstr(p + 2, "\r\n")) {
    const char *line = p + 2;
    if (strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
      const char *v = line + nl + 1;
      v += strspn(v, " \t");
      return strndup(v, strcspn(v, "\r\n"));
    }
  }
  return NULL;
}

static void reply_refusal(struct term *t, const char *status, const char *msg)
{
  evbuffer_add_printf(bufferevent_get_output(t->ws),
                      "HTTP/1.1 %s\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                      "Content-Length: %zu\r\n\r\n%s\n",
                      status, strlen(msg) + 1, msg);
  bufferevent_disable(t->ws, EV_READ);
}

/* GET /terminal/LAB/NODE?cols=C&rows=R: the gate, then the shell. */
static bool handshake(struct term *t, char *block)
{
  char method[8], target[512];
  if (sscanf(block, "%7s %511s", method, target) != 2 || strcmp(method, "GET") != 0) {
    reply_refusal(t, "400 Bad Request", "bad request");
    return false;
  }
  char *host = header(block, "Host"), *origin = header(block, "Origin"),
       *cookie = header(block, "Cookie"), *key = header(block, "Sec-WebSocket-Key"),
       *upgrade = header(block, "Upgrade");
  bool ok = false;
  char lab[64] = "", node[64] = "", where[128] = "";
  int cols = 80, rows = 24;
  const char *q = strchr(target, '?');
  if (q != NULL) {
    const char *c = strstr(q, "cols="), *r = strstr(q, "rows=");
    if (c != NULL)
      cols = atoi(c + 5);
    if (r != NULL)
      rows = atoi(r + 5);
  }
  if (!term_srv.gate->allowed(host, origin, cookie, term_srv.port)) {
    reply_refusal(t, "403 Forbidden", "forbidden: Host, Origin or token");
  } else if (upgrade == NULL || strcasecmp(upgrade, "websocket") != 0 || key == NULL) {
    reply_refusal(t, "400 Bad Request", "a WebSocket upgrade is needed");
  } else if (sscanf(target, "/terminal/%63[^/]/%127[^?]", lab, where) != 2 ||
             strspn(where, "abcdefghijklmnopqrstuvwxyz0123456789-/") != strlen(where) ||
             sscanf(where, "%63[^/]", node) != 1) {
    reply_refusal(t, "404 Not Found", "not found: /terminal/LAB/NODE[/POD[/CTR]]");
  } else {
    pid_t pid = term_srv.gate->node_pid(lab, node);
    int master = -1;
    if (pid <= 0) {
      reply_refusal(t, "404 Not Found", "no such node running");
    } else if (spawn_shell(lab, where, strchr(where, '/') != NULL,
                           cols > 0 && cols < 1000 ? cols : 80, rows > 0 && rows < 1000 ? rows : 24,
                           &master, &t->child) < 0) {
      reply_refusal(t, "500 Internal Server Error",
                    "no terminal: forkpty failed or nodelab missing");
    } else {
      char concat[128], accept[64];
      unsigned char sha[EVP_MAX_MD_SIZE];
      unsigned int sha_len = 0;
      snprintf(concat, sizeof concat, "%s%s", key, WS_GUID);
      EVP_Digest(concat, strlen(concat), sha, &sha_len, EVP_sha1(), NULL);
      EVP_EncodeBlock((unsigned char *)accept, sha, (int)sha_len);
      evbuffer_add_printf(bufferevent_get_output(t->ws),
                          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
                          accept);
      fcntl(master, F_SETFD, FD_CLOEXEC);
      evutil_make_socket_nonblocking(master);
      t->pty = bufferevent_socket_new(bufferevent_get_base(t->ws), master, BEV_OPT_CLOSE_ON_FREE);
      bufferevent_setcb(t->pty, on_pty_read, NULL, on_pty_event, t);
      bufferevent_enable(t->pty, EV_READ | EV_WRITE);
      t->upgraded = true;
      ok = true;
      log_info("terminal into %s/%s (pid %d)", lab, where, (int)t->child);
    }
  }
  free(host);
  free(origin);
  free(cookie);
  free(key);
  free(upgrade);
  return ok;
}

static void on_ws_read(struct bufferevent *bev, void *arg)
{
  struct term *t = arg;
  if (t->upgraded) {
    read_frames(t);
    return;
  }
  struct evbuffer *in = bufferevent_get_input(bev);
  struct evbuffer_ptr end = evbuffer_search(in, "\r\n\r\n", 4, NULL);
  if (end.pos < 0) {
    if (evbuffer_get_length(in) > MAX_HEADER)
      term_free(t);
    return;
  }
  size_t n = (size_t)end.pos + 4;
  char *block = xnonnull(malloc(n + 1));
  evbuffer_remove(in, block, n);
  block[n] = '\0';
  bool ok = handshake(t, block);
  free(block);
  if (ok && evbuffer_get_length(in) > 0)
    read_frames(t);
}

static void on_ws_write(struct bufferevent *bev, void *arg)
{
  struct term *t = arg;
  /* A refusal or the closing frame has gone out: done. */
  if (!(bufferevent_get_enabled(bev) & EV_READ))
    term_free(t);
}

static void on_ws_event(struct bufferevent *bev, short what, void *arg)
{
  (void)bev;
  if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
    term_free(arg);
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len,
                      void *arg)
{
  (void)l;
  (void)sa;
  (void)len;
  (void)arg;
  struct term *t = xcalloc(1, sizeof *t);
  t->ws =
      bufferevent_socket_new(evconnlistener_get_base(term_srv.listener), fd, BEV_OPT_CLOSE_ON_FREE);
  bufferevent_setcb(t->ws, on_ws_read, on_ws_write, on_ws_event, t);
  bufferevent_enable(t->ws, EV_READ | EV_WRITE);
}

int web_terminal_start(struct event_base *base, const struct web_terminal_gate *gate, int *port,
                       struct lab_error **err)
{
  web_terminal_stop();
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  term_srv.listener = evconnlistener_new_bind(
      base, on_accept, NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_REUSEABLE, 16,
      (struct sockaddr *)&sa, sizeof sa);
  if (term_srv.listener == NULL)
    return lab_error_errno(err, "listening for terminals on 127.0.0.1");
  socklen_t sl = sizeof sa;
  getsockname(evconnlistener_get_fd(term_srv.listener), (struct sockaddr *)&sa, &sl);
  term_srv.port = ntohs(sa.sin_port);
  term_srv.gate = gate;
  *port = term_srv.port;
  return 0;
}

void web_terminal_stop(void)
{
  while (term_srv.terms != NULL)
    term_free(term_srv.terms); /* hangs each shell up */
  if (term_srv.listener != NULL) {
    evconnlistener_free(term_srv.listener);
    term_srv.listener = NULL;
  }
}
