/* Resolving checks into probes (nodes/lab-checks.h) over a fake lab: from to
 * the namespace holder's pid, targets to addresses, every parameter mapped,
 * and the failures in words. */
#include "lab-checks.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "probe.h"
#include "scenario.h"

static const char yaml[] =
    "name: t\n"
    "cluster:\n  nodes: [master, node1, node2]\n"
    "pods:\n"
    "  - {name: web, node: node1, containers: [{name: httpd, image: ubi}]}\n"
    "  - {name: client, node: node2, containers: [{name: c, image: ubi}]}\n"
    "checks:\n"
    "  - {name: ping-web, from: master, ping: web, count: 10, maxLoss: 0%, maxRtt: 50ms,"
    " size: 1400}\n"
    "  - {name: ping-node, from: node1/web, ping: master}\n"
    "  - {name: http, from: node1/web, http: \"10.1.0.9:8080\", path: /x, status: 404,"
    " body: gone, timeout: 3s}\n"
    "  - {name: tcp, from: master, tcp: \"web:7\", send: hi, reply: ho}\n"
    "  - {name: udp, from: master, udp: \"node1:53\", send: q, reply: a}\n"
    "  - {name: exec-ctr, from: node1/web/httpd, exec: [chmod, \"644\", /etc/hosts]}\n"
    "  - {name: exec-node, from: master, exec: [hostname]}\n"
    "  - {name: from-down, from: node2, ping: web}\n"
    "  - {name: to-pending, from: master, ping: client}\n";

/* The fake lab: master 100 and node1 101 run, node2 does not; web runs
 * (infra 201, 10.1.1.2), client is pending. */
static pid_t fake_node_pid(void *ctx, const char *node)
{
  return strcmp(node, "master") == 0 ? 100 : strcmp(node, "node1") == 0 ? 101 : 0;
}
static pid_t fake_pod_pid(void *ctx, const char *pod)
{
  return strcmp(pod, "web") == 0 ? 201 : 0;
}
static const char *fake_pod_ip(void *ctx, const char *pod, const char **why)
{
  if (strcmp(pod, "web") == 0)
    return "10.1.1.2";
  *why = "pending";
  return NULL;
}
static const struct lab_check_env env = {
    .node_pid = fake_node_pid, .pod_pid = fake_pod_pid, .pod_ip = fake_pod_ip};

static struct scenario *sc;

static int setup(void **state)
{
  struct lab_error *err = NULL;
  if (scenario_parse("t.yaml", yaml, strlen(yaml), &sc, &err) < 0)
    fail_msg("%s", err->msg);
  return 0;
}

static int teardown(void **state)
{
  scenario_free(sc);
  return 0;
}

static void resolve(const char *name, struct probe_spec *spec, pid_t *pid)
{
  struct lab_error *err = NULL;
  if (lab_check_resolve(sc, scenario_find_check(sc, name), &env, spec, pid, &err) < 0)
    fail_msg("%s: %s", name, err->msg);
}

static void assert_addr(const struct probe_spec *s, const char *want)
{
  char buf[INET_ADDRSTRLEN];
  assert_string_equal(inet_ntop(AF_INET, &s->addr, buf, sizeof buf), want);
}

static void test_network_checks(void **state)
{
  struct probe_spec s;
  pid_t pid;
  resolve("ping-web", &s, &pid);
  assert_int_equal(pid, 100); /* from a node: its init */
  assert_int_equal(s.kind, PROBE_PING);
  assert_addr(&s, "10.1.1.2"); /* a pod: its IP */
  assert_int_equal(s.ping.count, 10);
  assert_int_equal(s.ping.interval_ms, SCENARIO_CHECK_PING_INTERVAL_MS);
  assert_int_equal(s.ping.size, 1400);
  assert_int_equal(s.ping.max_loss_percent, 0);
  assert_true(s.ping.max_rtt_ms == 50);
  assert_int_equal(s.timeout_ms, 2000);
  probe_spec_clear(&s);

  resolve("ping-node", &s, &pid);
  assert_int_equal(pid, 201);         /* from a pod: its infra */
  assert_addr(&s, "192.168.122.201"); /* a node: its underlay address */
  assert_int_equal(s.ping.count, PROBE_DEFAULT_PING_COUNT);
  assert_int_equal(s.ping.max_loss_percent, PROBE_LOSS_ANY_REPLY);
  probe_spec_clear(&s);

  resolve("http", &s, &pid);
  assert_int_equal(s.kind, PROBE_HTTP);
  assert_addr(&s, "10.1.0.9");
  assert_int_equal(s.port, 8080);
  assert_string_equal(s.http.path, "/x");
  assert_int_equal(s.http.status, 404);
  assert_string_equal(s.http.body, "gone");
  assert_int_equal(s.timeout_ms, 3000);
  probe_spec_clear(&s);

  resolve("tcp", &s, &pid);
  assert_addr(&s, "10.1.1.2");
  assert_int_equal(s.port, 7);
  assert_string_equal(s.tcp.send, "hi");
  assert_string_equal(s.tcp.expect, "ho");
  probe_spec_clear(&s);

  resolve("udp", &s, &pid);
  assert_int_equal(s.kind, PROBE_UDP);
  assert_addr(&s, "192.168.122.202");
  assert_int_equal(s.port, 53);
  assert_string_equal(s.udp.payload, "q");
  assert_string_equal(s.udp.expect, "a");
  probe_spec_clear(&s);
}

static void test_exec_checks(void **state)
{
  struct probe_spec s;
  pid_t pid;
  resolve("exec-ctr", &s, &pid);
  assert_int_equal(pid, 101); /* the node's init: the runtime is found through it */
  assert_int_equal(s.kind, PROBE_EXEC);
  assert_string_equal(s.exec.argv[0], "chmod");
  assert_string_equal(s.exec.argv[2], "/etc/hosts");
  assert_null(s.exec.argv[3]);
  assert_string_equal(s.exec.pod, "web");
  assert_string_equal(s.exec.container, "httpd");
  probe_spec_clear(&s);
  resolve("exec-node", &s, &pid);
  assert_int_equal(pid, 100);
  assert_null(s.exec.pod);
  assert_null(s.exec.container);
  probe_spec_clear(&s);
}

static void test_failures_in_words(void **state)
{
  static const struct {
    const char *check, *msg;
  } cases[] = {
      {"from-down", "node node2 is not running"},
      {"to-pending", "pod client has no address (it is pending)"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct probe_spec s;
    pid_t pid;
    struct lab_error *err = NULL;
    assert_int_equal(
        lab_check_resolve(sc, scenario_find_check(sc, cases[i].check), &env, &s, &pid, &err), -1);
    assert_string_equal(err->msg, cases[i].msg);
    assert_null(s.exec.argv); /* cleared */
    lab_error_clear(&err);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_network_checks),
      cmocka_unit_test(test_exec_checks),
      cmocka_unit_test(test_failures_in_words),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
