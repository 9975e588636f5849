/* engine/probe-runner.h through a real event loop and real nodelab-probe
 * helpers.  As root, the test moves into a network namespace of its own
 * (unshare; lo only, so nothing reaches the host's network) and serves the
 * probes' targets from the same event loop the runner uses (evhttp, a UDP
 * echo): a runner that blocked the loop would time its own probes out.
 *
 * Usage: integration-probe-runner PATH/TO/nodelab-probe.  Prints, not
 * asserts, the median time of a ping and an HTTP probe end to end (helper
 * spawn included).  Exit 77 (skipped) when not root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe-runner.h"
#include "probe.h"

#define HANG_ENV "NODELAB_TEST_PROBE_HANG"

static const char *probe_bin;
static char self_exe[PATH_MAX];
static struct event_base *base;
static struct evhttp *http;
static struct event *udp_ev;
static int udp_fd = -1;
static uint16_t http_port, udp_port, closed_port;
static bool starting; /* inside probe_runner_start: no callback may come */

static double now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void on_http(struct evhttp_request *req, void *arg)
{
  if (strcmp(evhttp_request_get_uri(req), "/") != 0) {
    evhttp_send_error(req, 404, NULL);
    return;
  }
  struct evbuffer *b = evbuffer_new();
  evbuffer_add_printf(b, "hello from the loop\n");
  evhttp_send_reply(req, 200, "OK", b);
  evbuffer_free(b);
}

static void on_udp(evutil_socket_t fd, short what, void *arg)
{
  char buf[2048];
  struct sockaddr_in from;
  socklen_t len = sizeof from;
  ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
  if (n >= 0)
    sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, len);
}

static uint16_t bound_port(int fd)
{
  struct sockaddr_in sa;
  socklen_t len = sizeof sa;
  assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
  return ntohs(sa.sin_port);
}

static int loopback_socket(int type)
{
  int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
  assert_true(fd >= 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
  return fd;
}

static int setup(void **state)
{
  if (unshare(CLONE_NEWNET) < 0) {
    fprintf(stderr, "unshare(CLONE_NEWNET): %s\n", strerror(errno));
    return -1;
  }
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq ifr = {0};
  snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
  if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
    return -1;
  ifr.ifr_flags |= IFF_UP;
  if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
    return -1;
  close(s);

  base = event_base_new();
  http = evhttp_new(base);
  struct evhttp_bound_socket *hs = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
  assert_non_null(hs);
  http_port = bound_port(evhttp_bound_socket_get_fd(hs));
  evhttp_set_gencb(http, on_http, NULL);

  udp_fd = loopback_socket(SOCK_DGRAM);
  udp_port = bound_port(udp_fd);
  udp_ev = event_new(base, udp_fd, EV_READ | EV_PERSIST, on_udp, NULL);
  event_add(udp_ev, NULL);

  int closed = loopback_socket(SOCK_STREAM); /* bound, never listening: refused */
  closed_port = bound_port(closed);
  (void)closed; /* kept open for the test's life so the port stays ours */
  return 0;
}

static int teardown(void **state)
{
  event_free(udp_ev);
  close(udp_fd);
  evhttp_free(http);
  event_base_free(base);
  return 0;
}

static struct probe_spec spec_of(enum probe_kind kind, uint16_t port)
{
  struct probe_spec s;
  probe_spec_init(&s, kind);
  s.addr.s_addr = htonl(INADDR_LOOPBACK);
  s.port = port;
  return s;
}

struct slot {
  int calls;
  struct probe_result result;
  double started, done;
};

static void on_done(const struct probe_result *r, void *arg)
{
  assert_false(starting);
  struct slot *slot = arg;
  slot->calls++;
  slot->result = *r;
  slot->done = now_ms();
}

static void start(const char *bin, pid_t netns_pid, const struct probe_spec *s, struct slot *slot)
{
  struct lab_error *err = NULL;
  slot->started = now_ms();
  starting = true;
  int rc = probe_runner_start(base, bin, netns_pid, s, on_done, slot, &err);
  starting = false;
  if (rc < 0)
    fail_msg("probe_runner_start: %s", err->msg);
}

/* Runs the loop until every slot has its callback and every helper is
 * reaped, or limit_ms passes. */
static void run_until_done(struct slot *slots, size_t n, double limit_ms)
{
  double deadline = now_ms() + limit_ms;
  for (;;) {
    size_t done = 0;
    for (size_t i = 0; i < n; i++)
      done += slots[i].calls > 0;
    if (done == n && probe_runner_pending() == 0)
      return;
    if (now_ms() > deadline)
      fail_msg("%zu of %zu probes called back, %zu helpers pending after %.0f ms", done, n,
               probe_runner_pending(), limit_ms);
    event_base_loop(base, EVLOOP_ONCE);
  }
}

static void run_one(const struct probe_spec *s, pid_t netns_pid, struct slot *slot)
{
  *slot = (struct slot){0};
  start(probe_bin, netns_pid, s, slot);
  run_until_done(slot, 1, s->timeout_ms + 5000);
}

static void assert_reason_has(const struct probe_result *r, const char *words)
{
  if (strstr(r->reason, words) == NULL)
    fail_msg("reason \"%s\" lacks \"%s\"", r->reason, words);
}

/* 20 probes of the four kinds at once, all through the same loop. */
static void test_parallel(void **state)
{
  enum { N = 20 };
  struct slot slots[N] = {0};
  struct probe_spec specs[4] = {spec_of(PROBE_PING, 0), spec_of(PROBE_TCP, http_port),
                                spec_of(PROBE_HTTP, http_port), spec_of(PROBE_UDP, udp_port)};
  specs[2].http.body = strdup("hello");
  specs[3].udp.expect = strdup("nodelab-probe");
  double t0 = now_ms();
  for (int i = 0; i < N; i++)
    start(probe_bin, getpid(), &specs[i % 4], &slots[i]);
  assert_int_equal(probe_runner_pending(), N);
  run_until_done(slots, N, 10000);
  double wall = now_ms() - t0;
  for (int i = 0; i < N; i++) {
    assert_int_equal(slots[i].calls, 1);
    if (!slots[i].result.ok)
      fail_msg("probe %d (%s): %s", i, probe_kind_name(specs[i % 4].kind), slots[i].result.reason);
    assert_true(slots[i].result.latency_ms >= 0);
  }
  assert_int_equal(slots[0].result.received, 3);
  assert_int_equal(slots[2].result.http_status, 200);
  assert_reason_has(&slots[0].result, "3 of 3 ICMP echoes answered, RTT ");
  assert_reason_has(&slots[1].result, "TCP connected in ");
  assert_reason_has(&slots[2].result, "HTTP 200 in ");
  assert_reason_has(&slots[3].result, "UDP answer in ");
  print_message("20 probes in parallel (5 each of ping, tcp, http, udp): %.0f ms wall\n", wall);
  for (int k = 0; k < 4; k++)
    probe_spec_clear(&specs[k]);
  assert_int_equal(waitpid(-1, NULL, WNOHANG), -1); /* no child left behind */
  assert_int_equal(errno, ECHILD);
}

/* nodelabd's supervisor reaps every child with waitpid(-1): the runner must
 * still report each probe once, from its JSON line. */
static void reap_all(evutil_socket_t sig, short what, void *arg)
{
  int *reaped = arg;
  while (waitpid(-1, NULL, WNOHANG) > 0)
    (*reaped)++;
}

static void test_beside_a_reaping_supervisor(void **state)
{
  enum { N = 10 };
  int reaped = 0;
  struct event *sigchld = evsignal_new(base, SIGCHLD, reap_all, &reaped);
  evsignal_add(sigchld, NULL);
  struct slot slots[N] = {0};
  struct probe_spec s = spec_of(PROBE_TCP, http_port);
  for (int i = 0; i < N; i++)
    start(probe_bin, getpid(), &s, &slots[i]);
  run_until_done(slots, N, 10000);
  for (int i = 0; i < N; i++) {
    assert_int_equal(slots[i].calls, 1);
    if (!slots[i].result.ok)
      fail_msg("probe %d: %s", i, slots[i].result.reason);
  }
  print_message("beside a waitpid(-1) supervisor: it reaped %d of %d helpers\n", reaped, N);
  event_free(sigchld);
  signal(SIGCHLD, SIG_DFL);

  /* The supervisor surely first: the helpers are reaped before the runner
   * looks.  The verdict comes from the JSON line, or the helper's stderr. */
  struct slot two[2] = {0};
  start(probe_bin, getpid(), &s, &two[0]);
  start(probe_bin, 999999999, &s, &two[1]);
  for (int i = 0; i < 2; i++)
    assert_true(waitpid(-1, NULL, 0) > 0);
  run_until_done(two, 2, 10000);
  assert_true(two[0].result.ok);
  assert_false(two[1].result.ok);
  assert_string_equal(two[1].result.reason,
                      "nodelab-probe: setns /proc/999999999/ns/net: No such process");
  probe_spec_clear(&s);
}

static void test_verdicts_and_helper_errors(void **state)
{
  struct slot slot;
  struct probe_spec s = spec_of(PROBE_HTTP, http_port);
  free(s.http.path);
  s.http.path = strdup("/missing");
  run_one(&s, getpid(), &slot);
  assert_false(slot.result.ok);
  assert_string_equal(slot.result.reason, "HTTP 404");
  assert_int_equal(slot.result.http_status, 404);
  probe_spec_clear(&s);

  s = spec_of(PROBE_TCP, closed_port);
  run_one(&s, 0, &slot); /* 0: the runner's own namespace, which is the test's */
  assert_false(slot.result.ok);
  assert_string_equal(slot.result.reason, "TCP connect refused");

  /* A namespace that is not there: the helper's message is the reason. */
  run_one(&s, 999999999, &slot);
  assert_false(slot.result.ok);
  assert_string_equal(slot.result.reason,
                      "nodelab-probe: setns /proc/999999999/ns/net: No such process");

  /* A helper binary that is not there: refused at once, no callback. */
  struct lab_error *err = NULL;
  slot = (struct slot){0};
  assert_int_equal(
      probe_runner_start(base, "/nonexistent/nodelab-probe", 0, &s, on_done, &slot, &err), -1);
  assert_string_equal(err->msg, "spawning /nonexistent/nodelab-probe: No such file or directory");
  lab_error_clear(&err);
  assert_int_equal(probe_runner_pending(), 0);

  /* An invalid spec never reaches a helper. */
  s.port = 0;
  assert_int_equal(probe_runner_start(base, probe_bin, 0, &s, on_done, &slot, &err), -1);
  assert_string_equal(err->msg, "tcp: no target port");
  lab_error_clear(&err);
  assert_int_equal(slot.calls, 0);
  probe_spec_clear(&s);
}

/* A helper that hangs is killed at timeout + margin and reported so. */
static void test_hung_helper_is_killed(void **state)
{
  struct slot slots[2] = {0};
  struct probe_spec s = spec_of(PROBE_PING, 0);
  s.timeout_ms = 300;
  s.ping.count = 1;
  setenv(HANG_ENV, "1", 1);
  start(self_exe, 0, &s, &slots[0]);
  unsetenv(HANG_ENV);
  start(probe_bin, 0, &s, &slots[1]); /* a good probe beside it is not held up */
  run_until_done(slots, 2, 10000);
  double took = slots[0].done - slots[0].started;
  assert_false(slots[0].result.ok);
  assert_string_equal(slots[0].result.reason, "probe helper did not finish in 1.3 s");
  assert_true(took >= 1300 - 5 && took < 3000);
  assert_true(slots[1].result.ok);
  assert_true(slots[1].done - slots[1].started < 1000);
  print_message("hung helper reported after %.0f ms (deadline 1300 ms), reaped\n", took);
  probe_spec_clear(&s);
}

static void test_shutdown_kills_without_callbacks(void **state)
{
  struct slot slots[3] = {0};
  struct probe_spec s = spec_of(PROBE_PING, 0);
  setenv(HANG_ENV, "1", 1);
  for (int i = 0; i < 3; i++)
    start(self_exe, 0, &s, &slots[i]);
  unsetenv(HANG_ENV);
  assert_int_equal(probe_runner_pending(), 3);
  probe_runner_shutdown();
  assert_int_equal(probe_runner_pending(), 0);
  for (int i = 0; i < 3; i++)
    assert_int_equal(slots[i].calls, 0);
  assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
  probe_spec_clear(&s);
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median_of_20(const struct probe_spec *s, const char *what)
{
  double t[20];
  for (int i = 0; i < 20; i++) {
    struct slot slot;
    run_one(s, getpid(), &slot);
    if (!slot.result.ok)
      fail_msg("%s: %s", what, slot.result.reason);
    t[i] = slot.done - slot.started;
  }
  qsort(t, 20, sizeof t[0], cmp_double);
  return (t[9] + t[10]) / 2;
}

/* Not asserted: the figures of a probe end to end, spawn included. */
static void test_timing(void **state)
{
  struct probe_spec ping = spec_of(PROBE_PING, 0), http1 = spec_of(PROBE_HTTP, http_port);
  ping.ping.count = 1;
  double p1 = median_of_20(&ping, "ping count 1");
  ping.ping.count = 3;
  double p3 = median_of_20(&ping, "ping count 3");
  double h = median_of_20(&http1, "http");
  print_message("end to end through the runner, median of 20: ping (1 echo) %.2f ms, ping (3 "
                "echoes, 100 ms apart) %.2f ms, http GET %.2f ms\n",
                p1, p3, h);
  probe_spec_clear(&ping);
  probe_spec_clear(&http1);
}

int main(int argc, char **argv)
{
  if (getenv(HANG_ENV) != NULL) { /* the hung helper of test_hung_helper_is_killed */
    for (;;)
      pause();
  }
  if (argc != 2) {
    fprintf(stderr, "usage: %s PATH/TO/nodelab-probe\n", argv[0]);
    return 2;
  }
  if (geteuid() != 0) {
    fprintf(stderr, "SKIP: needs root (a network namespace of its own)\n");
    return 77;
  }
  probe_bin = argv[1];
  ssize_t n = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
  if (n <= 0)
    return 2;
  self_exe[n] = '\0';
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parallel),
      cmocka_unit_test(test_beside_a_reaping_supervisor),
      cmocka_unit_test(test_verdicts_and_helper_errors),
      cmocka_unit_test(test_hung_helper_is_killed),
      cmocka_unit_test(test_shutdown_kills_without_callbacks),
      cmocka_unit_test(test_timing),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
