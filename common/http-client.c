#include "http-client.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"

/* Bounds that keep a confused or hostile peer from eating memory. */
#define HTTP_MAX_HEADER_BYTES (64 * 1024)
#define HTTP_MAX_HEADERS 100
#define HTTP_MAX_BODY_BYTES (256u * 1024 * 1024)

struct http_header {
  char *name;
  char *value;
};

struct http_response {
  int status;
  struct http_header *headers;
  size_t n_headers;
  char *body;
  size_t body_len;
};

/* Buffered reader over the socket with one deadline for the whole exchange. */
struct http_reader {
  int fd;
  char *buf;
  size_t len, pos, cap;
  bool eof;
  int64_t deadline_ms; /* CLOCK_MONOTONIC; < 0: none */
};

/* A protocol error: errnum EPROTO for callers, but no ": Protocol error"
 * suffix, since the message already says what was wrong. */
static int proto_error(struct lab_error **err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int proto_error(struct lab_error **err, const char *fmt, ...)
{
  if (err == NULL || *err != NULL)
    return -1;
  char *msg = NULL;
  va_list ap;
  va_start(ap, fmt);
  int n = vasprintf(&msg, fmt, ap);
  va_end(ap);
  lab_error_set(err, 0, "%s", n < 0 ? "protocol error" : msg);
  free(msg);
  (*err)->errnum = EPROTO;
  return -1;
}

static int64_t now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until fd is ready for `events` or the deadline passes. */
static int wait_fd(int fd, short events, int64_t deadline_ms, const char *what,
                   struct lab_error **err)
{
  for (;;) {
    int timeout = -1;
    if (deadline_ms >= 0) {
      int64_t left = deadline_ms - now_ms();
      if (left <= 0)
        return lab_error_set(err, ETIMEDOUT, "%s", what);
      timeout = left > INT_MAX ? INT_MAX : (int)left;
    }
    struct pollfd p = {.fd = fd, .events = events};
    int n = poll(&p, 1, timeout);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return lab_error_errno(err, "%s: poll", what);
    }
    if (n > 0)
      return 0;
  }
}

/* Reads more bytes into the buffer.  Returns 1 when bytes arrived, 0 at end
 * of stream, -1 on failure. */
static int reader_fill(struct http_reader *r, struct lab_error **err)
{
  if (r->eof)
    return 0;
  if (r->pos > 0 && r->pos == r->len) {
    r->pos = r->len = 0;
  }
  if (r->cap - r->len < 4096) {
    size_t cap = r->cap ? r->cap * 2 : 16384;
    char *nb = realloc(r->buf, cap);
    if (nb == NULL)
      return lab_error_errno(err, "reading the reply");
    r->buf = nb;
    r->cap = cap;
  }
  for (;;) {
    if (wait_fd(r->fd, POLLIN, r->deadline_ms, "waiting for the reply", err) < 0)
      return -1;
    ssize_t n = recv(r->fd, r->buf + r->len, r->cap - r->len, 0);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
        continue;
      return lab_error_errno(err, "reading the reply");
    }
    if (n == 0) {
      r->eof = true;
      return 0;
    }
    r->len += (size_t)n;
    return 1;
  }
}

/* Returns the next line (without CR LF or LF) as a NUL-terminated string
 * pointing into the buffer, valid until the next reader call.  The whole
 * header section must fit in HTTP_MAX_HEADER_BYTES. */
static int reader_line(struct http_reader *r, char **line, const char *what, struct lab_error **err)
{
  size_t scanned = r->pos;
  for (;;) {
    char *nl = r->len > scanned ? memchr(r->buf + scanned, '\n', r->len - scanned) : NULL;
    if (nl != NULL) {
      char *start = r->buf + r->pos;
      char *end = nl;
      if (end > start && end[-1] == '\r')
        end--;
      *end = '\0';
      r->pos = (size_t)(nl - r->buf) + 1;
      *line = start;
      return 0;
    }
    if (r->len - r->pos > HTTP_MAX_HEADER_BYTES)
      return proto_error(err, "%s: line longer than %d bytes", what, HTTP_MAX_HEADER_BYTES);
    /* Compact so that the line stays contiguous and the buffer bounded. */
    if (r->pos > 0) {
      memmove(r->buf, r->buf + r->pos, r->len - r->pos);
      r->len -= r->pos;
      r->pos = 0;
    }
    scanned = r->len;
    int n = reader_fill(r, err);
    if (n < 0)
      return lab_error_wrap(err, "%s", what);
    if (n == 0)
      return proto_error(err, "%s: connection closed before the end of the line", what);
  }
}

/* Appends exactly n bytes of the stream to the body (or all that remains
 * until end of stream when until_eof). */
static int reader_body(struct http_reader *r, struct http_response *resp, size_t n, bool until_eof,
                       struct lab_error **err)
{
  size_t want = n;
  while (until_eof || want > 0) {
    if (r->pos == r->len) {
      int got = reader_fill(r, err);
      if (got < 0)
        return lab_error_wrap(err, "reading the body");
      if (got == 0) {
        if (until_eof)
          return 0;
        return proto_error(err,
                           "reply body truncated: connection closed with %zu of %zu bytes "
                           "missing",
                           want, n);
      }
    }
    size_t avail = r->len - r->pos;
    size_t take = until_eof ? avail : (avail < want ? avail : want);
    if (resp->body_len + take > HTTP_MAX_BODY_BYTES)
      return proto_error(err, "reply body larger than %u bytes", HTTP_MAX_BODY_BYTES);
    char *nb = realloc(resp->body, resp->body_len + take + 1);
    if (nb == NULL)
      return lab_error_errno(err, "reading the body");
    resp->body = nb;
    memcpy(resp->body + resp->body_len, r->buf + r->pos, take);
    resp->body_len += take;
    resp->body[resp->body_len] = '\0';
    r->pos += take;
    if (!until_eof)
      want -= take;
  }
  return 0;
}

static char *trim(char *s)
{
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
    s[--n] = '\0';
  return s;
}

/* Parses "HTTP/1.x NNN reason". */
static int parse_status_line(const char *line, int *status, struct lab_error **err)
{
  if (strncmp(line, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)line[7]) || line[8] != ' ' ||
      !isdigit((unsigned char)line[9]) || !isdigit((unsigned char)line[10]) ||
      !isdigit((unsigned char)line[11]) || (line[12] != ' ' && line[12] != '\0'))
    return proto_error(err, "malformed status line \"%.80s\"", line);
  int code = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  if (code < 100 || code > 599)
    return proto_error(err, "status code %d out of range in \"%.80s\"", code, line);
  *status = code;
  return 0;
}

static int add_header(struct http_response *resp, char *line, struct lab_error **err)
{
  char *colon = strchr(line, ':');
  if (colon == NULL || colon == line)
    return proto_error(err, "malformed header line \"%.80s\"", line);
  for (char *p = line; p < colon; p++) {
    if (*p == ' ' || *p == '\t')
      return proto_error(err, "malformed header name in \"%.80s\"", line);
  }
  if (resp->n_headers >= HTTP_MAX_HEADERS)
    return proto_error(err, "more than %d headers", HTTP_MAX_HEADERS);
  *colon = '\0';
  struct http_header *nh = realloc(resp->headers, (resp->n_headers + 1) * sizeof *nh);
  if (nh == NULL)
    return lab_error_errno(err, "reading headers");
  resp->headers = nh;
  struct http_header *h = &resp->headers[resp->n_headers];
  h->name = strdup(line);
  h->value = strdup(trim(colon + 1));
  if (h->name == NULL || h->value == NULL) {
    free(h->name);
    free(h->value);
    return lab_error_errno(err, "reading headers");
  }
  resp->n_headers++;
  return 0;
}

static void clear_headers(struct http_response *resp)
{
  for (size_t i = 0; i < resp->n_headers; i++) {
    free(resp->headers[i].name);
    free(resp->headers[i].value);
  }
  free(resp->headers);
  resp->headers = NULL;
  resp->n_headers = 0;
}

/* Parses a chunk-size line: hex digits, optionally followed by ";extension". */
static int parse_chunk_size(const char *line, size_t *size, struct lab_error **err)
{
  const char *p = line;
  while (*p == ' ' || *p == '\t')
    p++;
  if (!isxdigit((unsigned char)*p))
    return proto_error(err, "malformed chunk size \"%.40s\"", line);
  uint64_t v = 0;
  for (; isxdigit((unsigned char)*p); p++) {
    int d = isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10);
    v = v * 16 + (uint64_t)d;
    if (v > HTTP_MAX_BODY_BYTES)
      return proto_error(err, "chunk size \"%.40s\" too large", line);
  }
  while (*p == ' ' || *p == '\t')
    p++;
  if (*p != '\0' && *p != ';')
    return proto_error(err, "malformed chunk size \"%.40s\"", line);
  *size = (size_t)v;
  return 0;
}

static int read_chunked(struct http_reader *r, struct http_response *resp, struct lab_error **err)
{
  for (;;) {
    char *line;
    size_t size = 0;
    if (reader_line(r, &line, "reading a chunk size", err) < 0)
      return -1;
    if (parse_chunk_size(line, &size, err) < 0)
      return -1;
    if (size == 0)
      break;
    if (reader_body(r, resp, size, false, err) < 0)
      return -1;
    if (reader_line(r, &line, "reading the end of a chunk", err) < 0)
      return -1;
    if (*line != '\0')
      return proto_error(err, "chunk longer than its announced size %zu", size);
  }
  /* Trailer fields, ignored, up to the empty line. */
  for (;;) {
    char *line;
    if (reader_line(r, &line, "reading the chunked trailer", err) < 0)
      return -1;
    if (*line == '\0')
      return 0;
  }
}

static int parse_content_length(const char *value, size_t *len, struct lab_error **err)
{
  if (*value == '\0')
    return proto_error(err, "empty Content-Length");
  uint64_t v = 0;
  for (const char *p = value; *p; p++) {
    if (!isdigit((unsigned char)*p))
      return proto_error(err, "malformed Content-Length \"%.40s\"", value);
    v = v * 10 + (uint64_t)(*p - '0');
    if (v > HTTP_MAX_BODY_BYTES)
      return proto_error(err, "Content-Length %.40s too large", value);
  }
  *len = (size_t)v;
  return 0;
}

static bool header_has_token(const char *value, const char *token)
{
  /* "Transfer-Encoding: gzip, chunked": chunked must be the last coding. */
  const char *last = strrchr(value, ',');
  const char *t = last ? last + 1 : value;
  while (*t == ' ' || *t == '\t')
    t++;
  size_t n = strlen(token);
  return strncasecmp(t, token, n) == 0 && (t[n] == '\0' || t[n] == ' ' || t[n] == '\t');
}

static int read_response(struct http_reader *r, const char *method, struct http_response *resp,
                         struct lab_error **err)
{
  for (;;) {
    char *line;
    if (reader_line(r, &line, "reading the status line", err) < 0)
      return -1;
    if (parse_status_line(line, &resp->status, err) < 0)
      return -1;
    for (;;) {
      if (reader_line(r, &line, "reading headers", err) < 0)
        return -1;
      if (*line == '\0')
        break;
      if (add_header(resp, line, err) < 0)
        return -1;
    }
    /* Interim 1xx replies precede the real one. */
    if (resp->status >= 200)
      break;
    clear_headers(resp);
  }

  resp->body = strdup("");
  if (resp->body == NULL)
    return lab_error_errno(err, "reading the reply");
  if (strcmp(method, "HEAD") == 0 || resp->status == 204 || resp->status == 304)
    return 0;
  const char *te = http_response_header(resp, "Transfer-Encoding");
  if (te != NULL && header_has_token(te, "chunked"))
    return read_chunked(r, resp, err);
  const char *cl = http_response_header(resp, "Content-Length");
  if (cl != NULL) {
    size_t len = 0;
    if (parse_content_length(cl, &len, err) < 0)
      return -1;
    return reader_body(r, resp, len, false, err);
  }
  return reader_body(r, resp, 0, true, err);
}

static int send_all(int fd, const char *data, size_t len, int64_t deadline_ms,
                    struct lab_error **err)
{
  while (len > 0) {
    if (wait_fd(fd, POLLOUT, deadline_ms, "sending the request", err) < 0)
      return -1;
    /* MSG_NOSIGNAL: a peer that went away is an error to report, not SIGPIPE. */
    ssize_t n = send(fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
        continue;
      return lab_error_errno(err, "sending the request");
    }
    data += n;
    len -= (size_t)n;
  }
  return 0;
}

static int64_t deadline_from(int timeout_ms)
{
  return timeout_ms > 0 ? now_ms() + timeout_ms : -1;
}

static int exchange(int fd, const char *method, const char *target, const char *body,
                    int64_t deadline_ms, struct http_response **out, struct lab_error **err)
{
  size_t body_len = body ? strlen(body) : 0;
  bool send_length = body != NULL || (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0);
  char length_line[48] = "";
  if (send_length)
    snprintf(length_line, sizeof length_line, "Content-Length: %zu\r\n", body_len);
  cleanup_free char *head = NULL;
  int n = asprintf(&head,
                   "%s %s HTTP/1.1\r\n"
                   "Host: localhost\r\n"
                   "User-Agent: nodelab\r\n"
                   "Accept: application/json\r\n"
                   "Connection: close\r\n"
                   "%s%s"
                   "\r\n",
                   method, target, body ? "Content-Type: application/json\r\n" : "", length_line);
  if (n < 0)
    return lab_error_errno(err, "formatting the request");
  if (send_all(fd, head, (size_t)n, deadline_ms, err) < 0)
    return -1;
  if (body_len > 0 && send_all(fd, body, body_len, deadline_ms, err) < 0)
    return -1;

  struct http_reader r = {.fd = fd, .deadline_ms = deadline_ms};
  struct http_response *resp = calloc(1, sizeof *resp);
  if (resp == NULL) {
    free(r.buf);
    return lab_error_errno(err, "reading the reply");
  }
  int rc = read_response(&r, method, resp, err);
  free(r.buf);
  if (rc < 0) {
    http_response_free(resp);
    return -1;
  }
  *out = resp;
  return 0;
}

int http_request_fd(int fd, const char *method, const char *target, const char *body,
                    int timeout_ms, struct http_response **out, struct lab_error **err)
{
  if (exchange(fd, method, target, body, deadline_from(timeout_ms), out, err) < 0)
    return lab_error_wrap(err, "%s %s", method, target);
  return 0;
}

static int connect_unix(const char *socket_path, int64_t deadline_ms, struct lab_error **err)
{
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(socket_path) >= sizeof addr.sun_path)
    return lab_error_set(err, ENAMETOOLONG, "socket path %s", socket_path);
  strcpy(addr.sun_path, socket_path);
  cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return lab_error_errno(err, "socket");
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    if (errno != EINPROGRESS && errno != EAGAIN)
      return lab_error_errno(err, "connecting to %s", socket_path);
    /* A full listen backlog: wait for the connection to complete. */
    if (wait_fd(fd, POLLOUT, deadline_ms, "connecting", err) < 0)
      return lab_error_wrap(err, "%s", socket_path);
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
      return lab_error_errno(err, "connecting to %s", socket_path);
    if (soerr != 0)
      return lab_error_set(err, soerr, "connecting to %s", socket_path);
  }
  return steal_fd(&fd);
}

int http_request(const char *socket_path, const char *method, const char *target, const char *body,
                 int timeout_ms, struct http_response **out, struct lab_error **err)
{
  int64_t deadline = deadline_from(timeout_ms);
  cleanup_close int fd = connect_unix(socket_path, deadline, err);
  if (fd < 0)
    return -1;
  if (exchange(fd, method, target, body, deadline, out, err) < 0)
    return lab_error_wrap(err, "%s %s on %s", method, target, socket_path);
  return 0;
}

int http_response_status(const struct http_response *r)
{
  return r->status;
}

const char *http_response_body(const struct http_response *r)
{
  return r->body;
}

size_t http_response_body_length(const struct http_response *r)
{
  return r->body_len;
}

const char *http_response_header(const struct http_response *r, const char *name)
{
  for (size_t i = 0; i < r->n_headers; i++) {
    if (strcasecmp(r->headers[i].name, name) == 0)
      return r->headers[i].value;
  }
  return NULL;
}

void http_response_free(struct http_response *r)
{
  if (r == NULL)
    return;
  clear_headers(r);
  free(r->body);
  free(r);
}

bool http_error_is_unreachable(const struct lab_error *err)
{
  return err != NULL && (err->errnum == ENOENT || err->errnum == ECONNREFUSED);
}
