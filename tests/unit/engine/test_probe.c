/* engine/probe.h without a network: the specs' and results' wire format
 * (round trips and every refusal), formatting of targets and durations, the
 * HTTP head parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "unit-test.h"

#define EXEC_TEST_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#include <json-c/json.h>

#include "probe.h"
#include "probe-internal.h"

static void set_addr(struct probe_spec *s, const char *ip)
{
  assert_int_equal(inet_pton(AF_INET, ip, &s->addr), 1);
}

static void assert_str_or_null_equal(const char *a, const char *b)
{
  if (a == NULL || b == NULL)
    assert_ptr_equal(a, b);
  else
    assert_string_equal(a, b);
}

static void assert_spec_equal(const struct probe_spec *a, const struct probe_spec *b)
{
  assert_int_equal(a->kind, b->kind);
  assert_int_equal(a->addr.s_addr, b->addr.s_addr);
  assert_int_equal(a->port, b->port);
  assert_int_equal(a->timeout_ms, b->timeout_ms);
  assert_int_equal(a->ping.count, b->ping.count);
  assert_int_equal(a->ping.interval_ms, b->ping.interval_ms);
  assert_int_equal(a->ping.size, b->ping.size);
  assert_int_equal(a->ping.max_loss_percent, b->ping.max_loss_percent);
  assert_true(a->ping.max_rtt_ms == b->ping.max_rtt_ms);
  assert_str_or_null_equal(a->tcp.send, b->tcp.send);
  assert_str_or_null_equal(a->tcp.expect, b->tcp.expect);
  assert_str_or_null_equal(a->http.path, b->http.path);
  assert_str_or_null_equal(a->http.host, b->http.host);
  assert_int_equal(a->http.status, b->http.status);
  assert_str_or_null_equal(a->http.body, b->http.body);
  assert_str_or_null_equal(a->udp.payload, b->udp.payload);
  assert_str_or_null_equal(a->udp.expect, b->udp.expect);
  assert_str_or_null_equal(a->exec.pod, b->exec.pod);
  assert_str_or_null_equal(a->exec.container, b->exec.container);
  for (size_t i = 0; a->exec.argv != NULL && a->exec.argv[i] != NULL; i++)
    assert_string_equal(a->exec.argv[i], b->exec.argv[i]);
  assert_true((a->exec.argv == NULL) == (b->exec.argv == NULL));
}

/* to_json, to text, back: the same spec. */
static void round_trip(const struct probe_spec *s)
{
  struct json_object *o = probe_spec_to_json(s);
  char *text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
  json_object_put(o);
  struct probe_spec back;
  struct lab_error *err = NULL;
  if (probe_spec_from_text(text, &back, &err) < 0)
    fail_msg("%s: %s", text, err->msg);
  assert_spec_equal(s, &back);
  probe_spec_clear(&back);
  free(text);
}

static void test_spec_round_trips(void **state)
{
  struct probe_spec s;
  probe_spec_init(&s, PROBE_PING);
  set_addr(&s, "10.1.1.2");
  round_trip(&s);
  s.ping.count = 5;
  s.ping.interval_ms = 20;
  s.ping.size = 1400;
  s.ping.max_loss_percent = 20;
  s.ping.max_rtt_ms = 0.25;
  s.timeout_ms = 500;
  round_trip(&s);
  s.ping.max_loss_percent = 0;
  round_trip(&s);
  probe_spec_clear(&s);

  probe_spec_init(&s, PROBE_TCP);
  set_addr(&s, "192.0.2.7");
  s.port = 7000;
  round_trip(&s);
  s.tcp.send = strdup("PING\r\n\"quoted\" \x01\xc3\xa9");
  s.tcp.expect = strdup("PONG");
  round_trip(&s);
  probe_spec_clear(&s);

  probe_spec_init(&s, PROBE_HTTP);
  set_addr(&s, "10.1.1.2");
  s.port = 8080;
  round_trip(&s);
  free(s.http.path);
  s.http.path = strdup("/index.html?a=b");
  s.http.host = strdup("web");
  s.http.status = 404;
  s.http.body = strdup("hello");
  round_trip(&s);
  probe_spec_clear(&s);

  probe_spec_init(&s, PROBE_UDP);
  set_addr(&s, "10.250.0.2");
  s.port = 53;
  round_trip(&s);
  free(s.udp.payload);
  s.udp.payload = strdup("");
  s.udp.expect = strdup("pong");
  round_trip(&s);
  probe_spec_clear(&s);

  probe_spec_init(&s, PROBE_EXEC);
  s.exec.argv = calloc(3, sizeof *s.exec.argv);
  s.exec.argv[0] = strdup("chmod");
  s.exec.argv[1] = strdup("777 /etc/hosts");
  round_trip(&s);
  s.exec.pod = strdup("web");
  round_trip(&s);
  s.exec.container = strdup("httpd");
  s.timeout_ms = 5000;
  round_trip(&s);
  struct probe_spec copy;
  probe_spec_copy(&copy, &s);
  assert_spec_equal(&s, &copy);
  probe_spec_clear(&copy);
  probe_spec_clear(&s);
}

/* exec probes here (pid 0: no namespaces entered): exit status, the first
 * line of output in the reason, the timeout. */
static void exec_case(const char *script, int timeout_ms, bool ok, const char *reason)
{
  struct probe_spec s;
  probe_spec_init(&s, PROBE_EXEC);
  s.timeout_ms = timeout_ms;
  s.exec.argv = calloc(4, sizeof *s.exec.argv);
  s.exec.argv[0] = strdup("sh");
  s.exec.argv[1] = strdup("-c");
  s.exec.argv[2] = strdup(script);
  struct probe_result r;
  struct lab_error *err = NULL;
  if (probe_run(&s, &r, &err) < 0)
    fail_msg("%s: %s", script, err->msg);
  assert_int_equal(r.ok, ok);
  assert_string_equal(r.reason, reason);
  probe_spec_clear(&s);
}

static void test_exec_local(void **state)
{
  exec_case("true", 2000, true, "exit status 0");
  exec_case("echo; echo chmod: /etc/hosts: Operation not permitted >&2; exit 1", 2000, false,
            "exit status 1: chmod: /etc/hosts: Operation not permitted");
  exec_case("exit 3", 2000, false, "exit status 3");
  exec_case("kill -9 $$", 2000, false, "killed by signal 9");
  exec_case("test \"$PATH\" = " EXEC_TEST_PATH " && test \"$(pwd)\" = /", 2000, true,
            "exit status 0");
  exec_case("sleep 5", 200, false, "command did not finish in 200 ms");
}

static void test_spec_defaults(void **state)
{
  struct probe_spec s;
  struct lab_error *err = NULL;
  assert_int_equal(probe_spec_from_text("{\"kind\":\"ping\",\"target\":\"10.1.1.2\"}", &s, &err),
                   0);
  assert_int_equal(s.kind, PROBE_PING);
  assert_int_equal(ntohl(s.addr.s_addr), 0x0a010102);
  assert_int_equal(s.timeout_ms, PROBE_DEFAULT_TIMEOUT_MS);
  assert_int_equal(s.ping.count, PROBE_DEFAULT_PING_COUNT);
  assert_int_equal(s.ping.interval_ms, PROBE_DEFAULT_PING_INTERVAL_MS);
  assert_int_equal(s.ping.size, PROBE_DEFAULT_PING_SIZE);
  assert_int_equal(s.ping.max_loss_percent, PROBE_LOSS_ANY_REPLY);
  assert_true(s.ping.max_rtt_ms == 0);
  probe_spec_clear(&s);

  assert_int_equal(
      probe_spec_from_text(" {\"kind\":\"http\",\"target\":\"10.1.1.2\",\"port\":80}\n", &s, &err),
      0);
  assert_string_equal(s.http.path, "/");
  assert_null(s.http.host);
  assert_int_equal(s.http.status, 0);
  assert_null(s.http.body);
  probe_spec_clear(&s);

  assert_int_equal(
      probe_spec_from_text("{\"kind\":\"udp\",\"target\":\"10.1.1.2\",\"port\":7}", &s, &err), 0);
  assert_string_equal(s.udp.payload, PROBE_DEFAULT_UDP_PAYLOAD);
  assert_null(s.udp.expect);
  probe_spec_clear(&s);
}

/* Every refusal, with its message. */
static void test_spec_refusals(void **state)
{
  static const struct {
    const char *json, *msg;
  } cases[] = {
      {"", "spec: invalid JSON: unexpected end"},
      {"{\"kind\":\"ping\"", "spec: invalid JSON: unexpected end"},
      {"{\"kind\":\"ping\",\"target\":\"10.1.1.2\"} x",
       "spec: trailing bytes after the JSON object"},
      {"[]", "spec: not a JSON object"},
      {"{\"target\":\"10.1.1.2\"}", "spec: no kind"},
      {"{\"kind\":\"exec\",\"target\":\"10.1.1.2\"}",
       "spec: field \"target\" does not apply to an exec probe"},
      {"{\"kind\":\"nope\"}", "spec: unknown kind \"nope\" (ping, tcp, http, udp, exec)"},
      {"{\"kind\":\"exec\"}", "exec: no command"},
      {"{\"kind\":\"exec\",\"argv\":[]}", "exec: no command"},
      {"{\"kind\":\"exec\",\"argv\":[1]}", "spec: argv: must be a list of strings"},
      {"{\"kind\":\"exec\",\"argv\":[\"true\"],\"container\":\"c\"}",
       "exec: a container needs its pod"},
      {"{\"kind\":\"ping\"}", "spec: no target"},
      {"{\"kind\":\"ping\",\"target\":\"web\"}",
       "spec: target \"web\": not an IPv4 address (names are resolved by nodelabd)"},
      {"{\"kind\":\"ping\",\"target\":\"10.1.1.2:80\"}",
       "spec: target \"10.1.1.2:80\": not an IPv4 address (names are resolved by nodelabd)"},
      {"{\"kind\":\"ping\",\"target\":\"0.0.0.0\"}", "ping: no target address"},
      {"{\"kind\":\"ping\",\"target\":\"10.1.1.2\",\"colour\":1}",
       "spec: unknown field \"colour\""},
      {"{\"kind\":\"ping\",\"target\":\"10.1.1.2\",\"port\":80}",
       "spec: field \"port\" does not apply to a ping probe"},
      {"{\"kind\":\"tcp\",\"target\":\"10.1.1.2\",\"port\":80,\"path\":\"/\"}",
       "spec: field \"path\" does not apply to a tcp probe"},
      {"{\"kind\":\"ping\",\"target\":\"10.1.1.2\",\"count\":\"3\"}",
       "spec: count: must be an integer"},
      {"{\"kind\":\"ping\",\"target\":\"10.1.1.2\",\"maxRttMs\":\"5\"}",
       "spec: maxRttMs: must be a number"},
      {"{\"kind\":\"tcp\",\"target\":\"10.1.1.2\",\"port\":80,\"send\":7}",
       "spec: send: must be a string"},
      {"{\"kind\":\"ping\",\"target\":7}", "spec: target: must be a string"},
      {"{\"kind\":\"tcp\",\"target\":\"10.1.1.2\"}", "tcp: no target port"},
      {"{\"kind\":\"tcp\",\"target\":\"10.1.1.2\",\"port\":65536}",
       "spec: port 65536: out of range"},
      {"{\"kind\":\"tcp\",\"target\":\"10.1.1.2\",\"port\":-1}", "spec: port -1: out of range"},
      {"{\"kind\":\"ping\",\"target\":\"10.1.1.2\",\"timeoutMs\":0}",
       "ping: timeout 0 ms: must be 1..60000"},
      {"{\"kind\":\"ping\",\"target\":\"10.1.1.2\",\"timeoutMs\":4294967297}",
       "spec: timeoutMs 4294967297: out of range"},
      {"{\"kind\":\"ping\",\"target\":\"10.1.1.2\",\"count\":0}", "ping: count 0: must be 1..100"},
      {"{\"kind\":\"ping\",\"target\":\"10.1.1.2\",\"count\":101}",
       "ping: count 101: must be 1..100"},
      {"{\"kind\":\"ping\",\"target\":\"10.1.1.2\",\"intervalMs\":5}",
       "ping: interval 5 ms: must be at least 10 ms"},
      {"{\"kind\":\"ping\",\"target\":\"10.1.1.2\",\"count\":10,\"intervalMs\":1000}",
       "ping: 10 echoes 1000 ms apart do not fit in the timeout of 2000 ms"},
      {"{\"kind\":\"ping\",\"target\":\"10.1.1.2\",\"size\":8}", "ping: size 8: must be 16..65000"},
      {"{\"kind\":\"ping\",\"target\":\"10.1.1.2\",\"maxLoss\":101}",
       "ping: maxLoss 101%: must be 0..100"},
      {"{\"kind\":\"ping\",\"target\":\"10.1.1.2\",\"maxLoss\":-1}",
       "ping: maxLoss -1%: must be 0..100"},
      {"{\"kind\":\"ping\",\"target\":\"10.1.1.2\",\"maxRttMs\":-1}",
       "ping: maxRtt -1 ms: must be 0..60000"},
      {"{\"kind\":\"tcp\",\"target\":\"10.1.1.2\",\"port\":7,\"expect\":\"\"}",
       "tcp: expect: empty"},
      {"{\"kind\":\"http\",\"target\":\"10.1.1.2\",\"port\":80,\"path\":\"index.html\"}",
       "http: path \"index.html\": must start with /"},
      {"{\"kind\":\"http\",\"target\":\"10.1.1.2\",\"port\":80,\"path\":\"/a b\"}",
       "http: path: at most 1024 bytes, no spaces or control characters"},
      {"{\"kind\":\"http\",\"target\":\"10.1.1.2\",\"port\":80,\"host\":\"web\\r\\nX-Evil: 1\"}",
       "http: host: 1..255 bytes, no spaces or control characters"},
      {"{\"kind\":\"http\",\"target\":\"10.1.1.2\",\"port\":80,\"status\":99}",
       "http: status 99: must be 100..599"},
      {"{\"kind\":\"http\",\"target\":\"10.1.1.2\",\"port\":80,\"body\":\"\"}",
       "http: body: empty"},
      {"{\"kind\":\"udp\",\"target\":\"10.1.1.2\",\"port\":7,\"expect\":\"\"}",
       "udp: expect: empty"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct probe_spec s;
    struct lab_error *err = NULL;
    if (probe_spec_from_text(cases[i].json, &s, &err) == 0)
      fail_msg("accepted: %s", cases[i].json);
    assert_non_null(err);
    if (strcmp(err->msg, cases[i].msg) != 0)
      fail_msg("%s\n  got:  %s\n  want: %s", cases[i].json, err->msg, cases[i].msg);
    lab_error_clear(&err);
    /* A refused spec is left cleared. */
    assert_null(s.http.path);
    assert_null(s.udp.payload);
  }
}

static void test_spec_validate_and_run_refuse(void **state)
{
  struct probe_spec s;
  probe_spec_init(&s, PROBE_TCP);
  set_addr(&s, "10.1.1.2");
  struct probe_result r;
  struct lab_error *err = NULL;
  assert_int_equal(probe_run(&s, &r, &err), -1); /* no port: nothing sent */
  assert_error_msg(&err, "tcp: no target port");
  s.kind = PROBE_KIND_COUNT;
  assert_int_equal(probe_spec_validate(&s, &err), -1);
  assert_error_msg(&err, "unknown probe kind 5");
  s.kind = PROBE_TCP;
  s.port = 7;
  s.tcp.send = malloc(PROBE_MAX_TEXT + 2);
  memset(s.tcp.send, 'x', PROBE_MAX_TEXT + 1);
  s.tcp.send[PROBE_MAX_TEXT + 1] = '\0';
  assert_int_equal(probe_spec_validate(&s, &err), -1);
  assert_error_msg(&err, "tcp: send: 4097 bytes, at most 4096");

  struct probe_spec copy;
  s.tcp.send[3] = '\0';
  probe_spec_copy(&copy, &s);
  assert_ptr_not_equal(copy.tcp.send, s.tcp.send);
  assert_spec_equal(&copy, &s);
  probe_spec_clear(&copy);
  probe_spec_clear(&s);
  probe_spec_clear(&s); /* twice is fine */
}

static void result_round_trip(const struct probe_result *r)
{
  struct json_object *o = probe_result_to_json(r);
  char *text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
  json_object_put(o);
  struct probe_result back;
  struct lab_error *err = NULL;
  if (probe_result_from_text(text, &back, &err) < 0)
    fail_msg("%s: %s", text, err->msg);
  assert_int_equal(back.ok, r->ok);
  assert_true(back.latency_ms == r->latency_ms);
  assert_int_equal(back.sent, r->sent);
  assert_int_equal(back.received, r->received);
  assert_int_equal(back.http_status, r->http_status);
  assert_string_equal(back.reason, r->reason);
  free(text);
}

static void test_result_round_trips(void **state)
{
  struct probe_result r = {.ok = true, .latency_ms = 0.042, .sent = 3, .received = 3};
  snprintf(r.reason, sizeof r.reason, "3 of 3 ICMP echoes answered, RTT 0.042 ms");
  result_round_trip(&r);
  probe_result_fail(&r, "HTTP body lacks \"%s\"", "hello");
  r.http_status = 200;
  r.latency_ms = 12.5;
  result_round_trip(&r);
  probe_result_fail(&r, "no ICMP reply in 2 s");
  assert_true(r.latency_ms == -1);
  result_round_trip(&r);

  /* The wire carries latencies to the microsecond. */
  r.latency_ms = 0.0667091;
  struct json_object *o = probe_result_to_json(&r);
  assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
                      "{\"ok\":false,\"latencyMs\":0.067,\"sent\":0,\"received\":0,"
                      "\"httpStatus\":0,\"reason\":\"no ICMP reply in 2 s\"}");
  json_object_put(o);

  /* A reason longer than the buffer is cut, not overflowed. */
  char longer[2 * PROBE_REASON_MAX];
  memset(longer, 'r', sizeof longer - 1);
  longer[sizeof longer - 1] = '\0';
  probe_result_fail(&r, "%s", longer);
  assert_int_equal(strlen(r.reason), PROBE_REASON_MAX - 1);
}

static void test_result_refusals(void **state)
{
  static const struct {
    const char *json, *msg;
  } cases[] = {
      {"{\"ok\":true}", "result: ok and reason are required"},
      {"{\"reason\":\"x\"}", "result: ok and reason are required"},
      {"{\"ok\":1,\"reason\":\"x\"}", "result: ok: wrong type"},
      {"{\"ok\":true,\"reason\":\"x\",\"latencyMs\":\"1\"}", "result: latencyMs: wrong type"},
      {"{\"ok\":true,\"reason\":\"x\",\"verdict\":1}", "result: unknown field \"verdict\""},
      {"{\"ok\":true,\"reason\":\"x\",\"sent\":-1}", "result: a count out of range"},
      {"{\"ok\":true,\"reason\":\"x\",\"httpStatus\":1000}", "result: a count out of range"},
      {"oops", "result: invalid JSON: unexpected character"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct probe_result r;
    struct lab_error *err = NULL;
    if (probe_result_from_text(cases[i].json, &r, &err) == 0)
      fail_msg("accepted: %s", cases[i].json);
    if (strcmp(err->msg, cases[i].msg) != 0)
      fail_msg("%s\n  got:  %s\n  want: %s", cases[i].json, err->msg, cases[i].msg);
    lab_error_clear(&err);
  }
  struct probe_result r;
  struct lab_error *err = NULL;
  assert_int_equal(
      probe_result_from_text("{\"ok\":true,\"reason\":\"x\",\"latencyMs\":3}", &r, &err), 0);
  assert_true(r.latency_ms == 3);
}

static void test_formatting(void **state)
{
  struct probe_spec s;
  char t[PROBE_TARGET_LEN], d[PROBE_DURATION_LEN], q[32];
  probe_spec_init(&s, PROBE_PING);
  set_addr(&s, "255.255.255.254");
  assert_string_equal(probe_target_format(&s, t), "255.255.255.254");
  s.kind = PROBE_HTTP;
  s.port = 65535;
  assert_string_equal(probe_target_format(&s, t), "255.255.255.254:65535");
  probe_spec_clear(&s);

  assert_string_equal(probe_duration_format(2000, d), "2 s");
  assert_string_equal(probe_duration_format(1500, d), "1.5 s");
  assert_string_equal(probe_duration_format(1250, d), "1.250 s");
  assert_string_equal(probe_duration_format(250, d), "250 ms");
  assert_string_equal(probe_duration_format(60000, d), "60 s");
  assert_string_equal(probe_ms_format(0.0421, d), "0.042 ms");
  assert_string_equal(probe_ms_format(12.34, d), "12.3 ms");
  assert_string_equal(probe_ms_format(250.4, d), "250 ms");

  assert_string_equal(probe_kind_name(PROBE_UDP), "udp");
  assert_string_equal(probe_kind_name(PROBE_KIND_COUNT), "?");
  enum probe_kind k;
  assert_int_equal(probe_kind_parse("http", &k), 0);
  assert_int_equal(k, PROBE_HTTP);
  assert_int_equal(probe_kind_parse("HTTP", &k), -1);

  assert_string_equal(probe_quote("hello", q, sizeof q), "\"hello\"");
  assert_string_equal(probe_quote("a\"b\\\r\n\x01", q, sizeof q), "\"a\\\"b\\\\\\r\\n\\x01\"");
  assert_string_equal(probe_quote("0123456789012345678901234567890123456789", q, sizeof q),
                      "\"01234567890123456789012...\"");
  assert_true(strlen(q) < sizeof q);
}

static void test_http_head(void **state)
{
  static const struct {
    const char *text;
    int rc, status;
    long clen;
    const char *body;
  } cases[] = {
      {"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello", 1, 200, 5, "hello"},
      {"HTTP/1.1 404 Not Found\r\ncontent-length:0\r\n\r\n", 1, 404, 0, ""},
      {"HTTP/1.0 204\r\n\r\n", 1, 204, -1, ""},
      {"HTTP/1.0 200 OK\n\nbody", 1, 200, -1, "body"},
      {"HTTP/1.0 200 OK\r\nServer: x\r\n", 0, 0, 0, NULL},
      {"HTTP/", 0, 0, 0, NULL},
      {"HTT", 0, 0, 0, NULL},
      {"SSH-2.0-OpenSSH\r\n\r\n", -1, 0, 0, NULL},
      {"HTTP/1.0 2x0 OK\r\n\r\n", -1, 0, 0, NULL},
      {"HTTP/1.0 20\r\n\r\n", -1, 0, 0, NULL},
      {"HTTP/1.0 2000 OK\r\n\r\n", -1, 0, 0, NULL},
      {"HTTP/1.0 099 OK\r\n\r\n", -1, 0, 0, NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int status = 0;
    size_t off = 0;
    long clen = 0;
    int rc = probe_http_parse_head(cases[i].text, strlen(cases[i].text), &status, &off, &clen);
    if (rc != cases[i].rc)
      fail_msg("%s: rc %d, want %d", cases[i].text, rc, cases[i].rc);
    if (rc != 1)
      continue;
    assert_int_equal(status, cases[i].status);
    assert_int_equal(clen, cases[i].clen);
    assert_string_equal(cases[i].text + off, cases[i].body);
  }
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_spec_round_trips),
               cmocka_unit_test(test_spec_defaults), cmocka_unit_test(test_spec_refusals),
               cmocka_unit_test(test_spec_validate_and_run_refuse),
               cmocka_unit_test(test_result_round_trips), cmocka_unit_test(test_result_refusals),
               cmocka_unit_test(test_formatting), cmocka_unit_test(test_http_head),
               cmocka_unit_test(test_exec_local))
