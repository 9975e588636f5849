/* The HTTP client against a tiny server thread on a unix socket in a temp dir
 * (and on a socketpair): framing by Content-Length, chunked and end of
 * stream, status line and headers, malformed replies, timeouts. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit-test.h"

#include "error.h"
#include "http-client.h"

#define MAX_PIECES 8

/* What the server thread does on its one connection: read the request, then
 * write each piece after piece_delay_ms, then close (or linger for hold_ms). */
struct script {
  const char *pieces[MAX_PIECES];
  int piece_delay_ms;
  int hold_ms; /* before closing: lets a client time out */
  char request[8192];
  size_t request_len;
};

struct server {
  char dir[64];
  char path[128];
  int listen_fd;
  pthread_t thread;
  struct script *script;
};

static void sleep_ms(int ms)
{
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
  nanosleep(&ts, NULL);
}

static long now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads the request head and, when announced, its Content-Length body. */
static void read_request(int fd, struct script *sc)
{
  size_t need = 0;
  char *end = NULL;
  while (sc->request_len < sizeof sc->request - 1) {
    ssize_t n = read(fd, sc->request + sc->request_len, sizeof sc->request - 1 - sc->request_len);
    if (n <= 0)
      break;
    sc->request_len += (size_t)n;
    sc->request[sc->request_len] = '\0';
    if (end == NULL && (end = strstr(sc->request, "\r\n\r\n")) != NULL) {
      const char *cl = strcasestr(sc->request, "Content-Length:");
      need = (size_t)(end + 4 - sc->request) + (cl && cl < end ? strtoul(cl + 15, NULL, 10) : 0);
    }
    if (end != NULL && sc->request_len >= need)
      break;
  }
}

static void serve(int fd, struct script *sc)
{
  read_request(fd, sc);
  for (int i = 0; i < MAX_PIECES && sc->pieces[i]; i++) {
    if (i > 0 && sc->piece_delay_ms)
      sleep_ms(sc->piece_delay_ms);
    size_t len = strlen(sc->pieces[i]);
    if (write(fd, sc->pieces[i], len) != (ssize_t)len)
      break;
  }
  if (sc->hold_ms)
    sleep_ms(sc->hold_ms);
}

static void *server_main(void *arg)
{
  struct server *s = arg;
  int fd = accept(s->listen_fd, NULL, NULL);
  if (fd >= 0) {
    serve(fd, s->script);
    close(fd);
  }
  return NULL;
}

static void server_start(struct server *s, struct script *sc)
{
  memset(s, 0, sizeof *s);
  strcpy(s->dir, "/tmp/nodelab-http-test-XXXXXX");
  assert_non_null(mkdtemp(s->dir));
  snprintf(s->path, sizeof s->path, "%s/api.sock", s->dir);
  s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  assert_true(s->listen_fd >= 0);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  strcpy(addr.sun_path, s->path);
  assert_int_equal(bind(s->listen_fd, (struct sockaddr *)&addr, sizeof addr), 0);
  assert_int_equal(listen(s->listen_fd, 4), 0);
  s->script = sc;
  assert_int_equal(pthread_create(&s->thread, NULL, server_main, s), 0);
}

static void server_stop(struct server *s)
{
  pthread_join(s->thread, NULL);
  close(s->listen_fd);
  unlink(s->path);
  rmdir(s->dir);
}

/* Runs one exchange against a scripted server. */
static int run(struct script *sc, const char *method, const char *target, const char *body,
               int timeout_ms, struct http_response **resp, struct lab_error **err)
{
  struct server s;
  server_start(&s, sc);
  int rc = http_request(s.path, method, target, body, timeout_ms, resp, err);
  server_stop(&s);
  return rc;
}

static void test_content_length(void **state)
{
  struct script sc = {.pieces = {"HTTP/1.1 200 OK\r\n"
                                 "Content-Type: application/json\r\n"
                                 "content-length: 36\r\n"
                                 "X-Spaced:   padded value  \r\n"
                                 "\r\n"
                                 "{\"version\": \"0.1.0\", \"pid\": 4242}\r\n\r\n"}};
  struct http_response *r = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(run(&sc, "GET", "/v1/version", NULL, 2000, &r, &err), 0);
  assert_null(err);
  assert_int_equal(http_response_status(r), 200);
  assert_int_equal(http_response_body_length(r), 36);
  assert_memory_equal(http_response_body(r), "{\"version\": \"0.1.0\", \"pid\": 4242}\r\n\r\n", 36);
  assert_string_equal(http_response_header(r, "Content-Length"), "36");
  assert_string_equal(http_response_header(r, "x-spaced"), "padded value");
  assert_null(http_response_header(r, "Transfer-Encoding"));
  http_response_free(r);

  /* The request the server saw: request line, Host, no body on a GET. */
  assert_true(strncmp(sc.request, "GET /v1/version HTTP/1.1\r\n", 26) == 0);
  assert_non_null(strstr(sc.request, "\r\nHost: localhost\r\n"));
  assert_non_null(strstr(sc.request, "\r\nConnection: close\r\n"));
  assert_null(strstr(sc.request, "Content-Length"));
  assert_int_equal(strcmp(sc.request + sc.request_len - 4, "\r\n\r\n"), 0);
}

/* Sends method path (with body, or none) to the scripted server, which must
 * answer status with the body want. */
static void expect_reply(struct script *sc, const char *method, const char *path, const char *body,
                         int status, const char *want)
{
  struct http_response *r = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(run(sc, method, path, body, 2000, &r, &err), 0);
  assert_int_equal(http_response_status(r), status);
  assert_string_equal(http_response_body(r), want);
  http_response_free(r);
}

static void test_post_body_sent(void **state)
{
  struct script sc = {
      .pieces = {"HTTP/1.1 201 Created\r\nContent-Length: 15\r\n\r\n", "{\"name\": \"lab\"}"},
      .piece_delay_ms = 20};
  const char *body = "{\"file\": \"<default>\", \"yaml\": \"name: x\\n\"}";
  expect_reply(&sc, "POST", "/v1/labs", body, 201, "{\"name\": \"lab\"}");
  char expect[64];
  snprintf(expect, sizeof expect, "\r\nContent-Length: %zu\r\n", strlen(body));
  assert_non_null(strstr(sc.request, expect));
  assert_non_null(strstr(sc.request, "\r\nContent-Type: application/json\r\n"));
  assert_string_equal(strstr(sc.request, "\r\n\r\n") + 4, body);
  assert_true(strncmp(sc.request, "POST /v1/labs HTTP/1.1\r\n", 24) == 0);
}

static void test_delete_without_body_has_zero_length(void **state)
{
  struct script sc = {.pieces = {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"}};
  struct http_response *r = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(run(&sc, "DELETE", "/v1/labs/x", NULL, 2000, &r, &err), 0);
  assert_non_null(strstr(sc.request, "\r\nContent-Length: 0\r\n"));
  assert_true(strncmp(sc.request, "DELETE /v1/labs/x HTTP/1.1\r\n", 28) == 0);
  http_response_free(r);
}

static void test_chunked(void **state)
{
  /* Chunks split across writes, in the middle of sizes and CRLFs, with an
   * extension, upper-case hex and a trailer. */
  struct script sc = {.pieces = {"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n"
                                 "A;ext=1\r\n{\"error\": ",
                                 "\r\n1", "1\r\n\"no such lab: x\"}\r\n",
                                 "0\r\nX-Trailer: yes\r\n\r\n"},
                      .piece_delay_ms = 10};
  struct http_response *r = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(run(&sc, "GET", "/v1/labs/x", NULL, 2000, &r, &err), 0);
  assert_null(err);
  assert_int_equal(http_response_status(r), 404);
  assert_string_equal(http_response_body(r), "{\"error\": \"no such lab: x\"}");
  assert_int_equal(http_response_body_length(r), 10 + 0x11);
  http_response_free(r);
}

static void test_until_eof_and_interim(void **state)
{
  /* A 100 Continue first, then a reply framed by the end of the connection. */
  struct script sc = {.pieces = {"HTTP/1.1 100 Continue\r\n\r\n", "HTTP/1.0 500 Oops\r\n\r\n",
                                 "{\"error\": \"failed\"}"},
                      .piece_delay_ms = 10};
  expect_reply(&sc, "GET", "/", NULL, 500, "{\"error\": \"failed\"}");
}

static void expect_failure(const char *reply, int errnum, const char *fragment)
{
  struct script sc = {.pieces = {reply}};
  struct http_response *r = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(run(&sc, "GET", "/v1/labs", NULL, 2000, &r, &err), -1);
  assert_null(r);
  assert_non_null(err);
  if (strstr(err->msg, fragment) == NULL)
    fail_msg("message \"%s\" lacks \"%s\"", err->msg, fragment);
  assert_int_equal(err->errnum, errnum);
  /* The message says what was wrong; strerror(EPROTO) would add nothing. */
  assert_null(strstr(err->msg, "Protocol error"));
  /* The message names the request and the socket. */
  assert_non_null(strstr(err->msg, "GET /v1/labs on /tmp/nodelab-http-test-"));
  lab_error_clear(&err);
}

static void test_malformed(void **state)
{
  expect_failure("SSH-2.0-OpenSSH\r\n\r\n", EPROTO, "malformed status line \"SSH-2.0-OpenSSH\"");
  expect_failure("HTTP/1.1 2000 OK\r\n\r\n", EPROTO, "malformed status line");
  expect_failure("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", EPROTO, "malformed header line");
  expect_failure("HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n", EPROTO,
                 "malformed Content-Length \"12x\"");
  expect_failure("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{\"a\"", EPROTO,
                 "reply body truncated: connection closed with 6 of 10 bytes missing");
  expect_failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", EPROTO,
                 "malformed chunk size \"zz\"");
  expect_failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
                 EPROTO, "chunk longer than its announced size 2");
  expect_failure("HTTP/1.1 200 OK\r\nContent-Le", EPROTO,
                 "connection closed before the end of the line");
  expect_failure("", EPROTO, "reading the status line");
}

static void test_timeout(void **state)
{
  /* Headers arrive, the body never does: the deadline covers the whole exchange. */
  struct script sc = {.pieces = {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab"},
                      .hold_ms = 1500};
  struct http_response *r = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(run(&sc, "GET", "/slow", NULL, 300, &r, &err), -1);
  assert_non_null(err);
  assert_int_equal(err->errnum, ETIMEDOUT);
  assert_non_null(strstr(err->msg, "waiting for the reply"));
  lab_error_clear(&err);
}

static void test_timeout_bounds_wait(void **state)
{
  /* Measured on a socketpair whose peer never answers: the call returns
   * after about the timeout, not later. */
  int sv[2];
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  struct http_response *r = NULL;
  struct lab_error *err = NULL;
  long start = now_ms();
  assert_int_equal(http_request_fd(sv[0], "GET", "/v1/version", NULL, 250, &r, &err), -1);
  long took = now_ms() - start;
  assert_true(took >= 240);
  assert_true(took < 2000);
  assert_int_equal(err->errnum, ETIMEDOUT);
  assert_non_null(strstr(err->msg, "GET /v1/version: "));
  lab_error_clear(&err);
  close(sv[0]);
  close(sv[1]);
}

static void *pair_server(void *arg)
{
  int fd = *(int *)arg;
  struct script sc = {.pieces = {"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"}};
  serve(fd, &sc);
  return NULL;
}

static void test_socketpair_fd_left_open(void **state)
{
  int sv[2];
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, pair_server, &sv[1]), 0);
  struct http_response *r = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(http_request_fd(sv[0], "GET", "/x", NULL, 2000, &r, &err), 0);
  assert_int_equal(http_response_status(r), 204);
  assert_string_equal(http_response_body(r), "");
  http_response_free(r);
  pthread_join(t, NULL);
  /* The caller's fd is still open. */
  assert_true(write(sv[0], "x", 1) == 1);
  close(sv[0]);
  close(sv[1]);
}

static void test_unreachable(void **state)
{
  char dir[] = "/tmp/nodelab-http-test-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[128];
  snprintf(path, sizeof path, "%s/absent.sock", dir);
  struct http_response *r = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(http_request(path, "GET", "/v1/version", NULL, 1000, &r, &err), -1);
  assert_int_equal(err->errnum, ENOENT);
  assert_true(http_error_is_unreachable(err));
  assert_non_null(strstr(err->msg, path));
  lab_error_clear(&err);

  /* A socket file nobody listens on (a daemon killed with -9). */
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  strcpy(addr.sun_path, path);
  assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
  close(fd);
  assert_int_equal(http_request(path, "GET", "/v1/version", NULL, 1000, &r, &err), -1);
  assert_int_equal(err->errnum, ECONNREFUSED);
  assert_true(http_error_is_unreachable(err));
  lab_error_clear(&err);
  unlink(path);
  rmdir(dir);

  struct lab_error other = {.errnum = ETIMEDOUT, .msg = (char *)"x"};
  assert_false(http_error_is_unreachable(&other));
}

static void test_large_chunked_body(void **state)
{
  /* 200 KiB in 4 KiB chunks: the buffer grows and compacts correctly. */
  enum { CHUNK = 4096, N = 50 };
  char *reply = malloc(CHUNK * N + N * 16 + 256);
  assert_non_null(reply);
  char *p = reply + sprintf(reply, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
  for (int i = 0; i < N; i++) {
    p += sprintf(p, "%x\r\n", CHUNK);
    memset(p, 'a' + i % 26, CHUNK);
    p += CHUNK;
    p += sprintf(p, "\r\n");
  }
  sprintf(p, "0\r\n\r\n");
  struct script sc = {.pieces = {reply}};
  struct http_response *r = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(run(&sc, "GET", "/big", NULL, 5000, &r, &err), 0);
  assert_int_equal(http_response_body_length(r), CHUNK * N);
  const char *b = http_response_body(r);
  for (int i = 0; i < N; i++) {
    assert_int_equal(b[i * CHUNK], 'a' + i % 26);
    assert_int_equal(b[i * CHUNK + CHUNK - 1], 'a' + i % 26);
  }
  http_response_free(r);
  free(reply);
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_content_length),
               cmocka_unit_test(test_post_body_sent),
               cmocka_unit_test(test_delete_without_body_has_zero_length),
               cmocka_unit_test(test_chunked), cmocka_unit_test(test_until_eof_and_interim),
               cmocka_unit_test(test_malformed), cmocka_unit_test(test_timeout),
               cmocka_unit_test(test_timeout_bounds_wait),
               cmocka_unit_test(test_socketpair_fd_left_open), cmocka_unit_test(test_unreachable),
               cmocka_unit_test(test_large_chunked_body))
