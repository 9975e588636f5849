/* Faults of every kind that must parse, and what the model holds afterwards:
 * each parameter typed (struct scenario_fault_arg), defaults filled in, the
 * timeline (at, for, every) in milliseconds. */
#include "scenario.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit-test.h"

static const char yaml[] =
    "name: t\n"
    "cluster:\n"
    "  nodes: [n1, n2, n3]\n"
    "pods:\n"
    "  - {name: p1, node: n1, containers: [{name: c, image: ubi}]}\n"
    "  - {name: p2, node: n2, containers: [{name: d, image: ubi}, {name: e, image: ubi}]}\n"
    "faults:\n"
    "  - {name: slow, kind: netem, node: n1, delay: 200ms, jitter: 1.5ms, loss: 30%,\n"
    "     duplicate: 0.5%, corrupt: 1%, reorder: 25%, rate: 1mbit}\n"
    "  - {name: lossy, kind: netem, node: n2, link: tun0, loss: 100%}\n"
    "  - {name: split, kind: partition, node: n1, remote: n3, at: 0s, for: 1.5s, every: 1m}\n"
    "  - {name: cut, kind: underlay-down, node: n2, at: 500ms}\n"
    "  - {name: vni, kind: vni-mismatch, node: n1, remote: n2, vni: 16777215}\n"
    "  - {name: noport, kind: tunnel-port-delete, node: n3, for: 2m}\n"
    "  - {name: noroute, kind: pod-route-delete, pod: p2}\n"
    "  - {name: twin, kind: duplicate-ip, pod: p1, as: p2}\n"
    "  - {name: arp-pod, kind: neighbour-poison, pod: p1, ip: 10.1.0.1, mac: "
    "\"02:00:0A:01:00:99\"}\n"
    "  - {name: arp-node, kind: neighbour-poison, node: n2, ip: 192.168.122.201,\n"
    "     mac: \"de:ad:be:ef:00:01\"}\n"
    "  - {name: gone, kind: pod-kill, pod: p1}\n"
    "  - {name: forks, kind: cgroup-pids, pod: p2, container: e, pids: 8}\n"
    "  - {name: crawl, kind: cgroup-cpu, pod: p2, container: d, cpu: 100m}\n"
    "  - {name: old, kind: daemon-kill, node: n3, daemon: ovsdb-server}\n"
    "  - {name: small, kind: link-mtu, node: n1, link: tun0, mtu: 1300}\n"
    "  - {name: mem, kind: cgroup-memory, pod: p1, container: c, memory: 64Mi}\n"
    "steps:\n"
    "  - inject: slow\n"
    "  - repair: all\n";

static struct scenario *load(void)
{
  struct scenario *s = NULL;
  struct lab_error *err = NULL;
  if (scenario_parse("t.yaml", yaml, strlen(yaml), &s, &err) < 0) {
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", err->msg);
    lab_error_clear(&err);
    fail_msg("did not parse: %s", msg);
  }
  return s;
}

static const struct scenario_fault *fault(const struct scenario *s, const char *name,
                                          enum fault_kind kind)
{
  const struct scenario_fault *f = scenario_find_fault(s, name);
  assert_non_null(f);
  assert_int_equal(f->kind_id, kind);
  assert_string_equal(f->kind, fault_kind_name(kind));
  return f;
}

static const struct scenario_fault_arg *arg(const struct scenario_fault *f, const char *key)
{
  const struct scenario_fault_arg *a = scenario_fault_arg(f, key);
  if (a == NULL)
    fail_msg("fault %s has no %s", f->name, key);
  assert_string_equal(a->spec->name, key);
  return a;
}

static void test_netem(void **state)
{
  struct scenario *s = load();
  const struct scenario_fault *f = fault(s, "slow", FAULT_KIND_NETEM);
  assert_string_equal(f->node, "n1");
  assert_int_equal(f->n_args, 9);
  assert_string_equal(arg(f, "link")->text, "eth0"); /* the default */
  assert_true(arg(f, "link")->is_default);
  assert_false(arg(f, "delay")->is_default);
  assert_int_equal(arg(f, "delay")->value.duration_us, 200000);
  assert_string_equal(arg(f, "delay")->text, "200ms");
  assert_int_equal(arg(f, "jitter")->value.duration_us, 1500);
  assert_int_equal(arg(f, "loss")->value.ppm, 300000);
  assert_int_equal(arg(f, "duplicate")->value.ppm, 5000);
  assert_int_equal(arg(f, "corrupt")->value.ppm, 10000);
  assert_int_equal(arg(f, "reorder")->value.ppm, 250000);
  assert_int_equal(arg(f, "rate")->value.bits_per_sec, 1000000);
  assert_string_equal(scenario_fault_param(f, "rate"), "1mbit");
  assert_null(scenario_fault_param(f, "node"));
  assert_string_equal(arg(f, "node")->text, "n1");
  assert_int_equal(f->at_ms, -1);
  assert_int_equal(f->for_ms, -1);
  assert_int_equal(f->every_ms, -1);

  f = fault(s, "lossy", FAULT_KIND_NETEM);
  assert_int_equal(f->n_args, 3); /* node, link, loss */
  assert_string_equal(arg(f, "link")->text, "tun0");
  assert_false(arg(f, "link")->is_default);
  assert_int_equal(arg(f, "loss")->value.ppm, 1000000);
  assert_null(scenario_fault_arg(f, "delay"));
  scenario_free(s);
}

static void test_network_kinds(void **state)
{
  struct scenario *s = load();
  const struct scenario_fault *f = fault(s, "split", FAULT_KIND_PARTITION);
  assert_string_equal(scenario_fault_param(f, "remote"), "n3");
  assert_int_equal(f->at_ms, 0);
  assert_int_equal(f->for_ms, 1500);
  assert_int_equal(f->every_ms, 60000);

  f = fault(s, "cut", FAULT_KIND_UNDERLAY_DOWN);
  assert_string_equal(f->node, "n2");
  assert_int_equal(f->n_args, 1);
  assert_int_equal(f->at_ms, 500);
  assert_int_equal(f->for_ms, -1);

  f = fault(s, "vni", FAULT_KIND_VNI_MISMATCH);
  assert_int_equal(arg(f, "vni")->value.integer, 16777215);
  assert_string_equal(arg(f, "remote")->text, "n2");

  f = fault(s, "noport", FAULT_KIND_TUNNEL_PORT_DELETE);
  assert_string_equal(f->node, "n3");
  assert_int_equal(f->for_ms, 120000);

  f = fault(s, "noroute", FAULT_KIND_POD_ROUTE_DELETE);
  assert_null(f->node);
  assert_string_equal(scenario_fault_param(f, "pod"), "p2");

  f = fault(s, "twin", FAULT_KIND_DUPLICATE_IP);
  assert_string_equal(scenario_fault_param(f, "pod"), "p1");
  assert_string_equal(scenario_fault_param(f, "as"), "p2");

  f = fault(s, "arp-pod", FAULT_KIND_NEIGHBOUR_POISON);
  assert_null(f->node);
  assert_null(scenario_fault_arg(f, "node"));
  assert_string_equal(scenario_fault_param(f, "pod"), "p1");
  assert_int_equal(arg(f, "ip")->value.ipv4, 0x0a010001);
  static const uint8_t mac[6] = {0x02, 0x00, 0x0a, 0x01, 0x00, 0x99};
  assert_memory_equal(arg(f, "mac")->value.mac, mac, 6);
  assert_string_equal(arg(f, "mac")->text, "02:00:0A:01:00:99");

  f = fault(s, "arp-node", FAULT_KIND_NEIGHBOUR_POISON);
  assert_string_equal(f->node, "n2");
  assert_null(scenario_fault_arg(f, "pod"));
  assert_int_equal(arg(f, "ip")->value.ipv4, 0xc0a87ac9);
  scenario_free(s);
}

static void test_pod_kinds(void **state)
{
  struct scenario *s = load();
  const struct scenario_fault *f = fault(s, "gone", FAULT_KIND_POD_KILL);
  assert_string_equal(scenario_fault_param(f, "pod"), "p1");

  f = fault(s, "forks", FAULT_KIND_CGROUP_PIDS);
  assert_string_equal(scenario_fault_param(f, "container"), "e");
  assert_int_equal(arg(f, "pids")->value.integer, 8);

  f = fault(s, "crawl", FAULT_KIND_CGROUP_CPU);
  assert_int_equal(arg(f, "cpu")->value.cpu_millis, 100);
  scenario_free(s);
}

/* The eight kinds from before the table was public keep their parameters,
 * now typed as well. */
static void test_older_kinds_typed(void **state)
{
  struct scenario *s = load();
  const struct scenario_fault *f = fault(s, "old", FAULT_KIND_DAEMON_KILL);
  assert_int_equal(arg(f, "daemon")->value.daemon, FAULT_DAEMON_OVSDB_SERVER);
  assert_string_equal(fault_daemon_name(arg(f, "daemon")->value.daemon), "ovsdb-server");
  f = fault(s, "small", FAULT_KIND_LINK_MTU);
  assert_int_equal(arg(f, "mtu")->value.integer, 1300);
  assert_string_equal(scenario_fault_param(f, "link"), "tun0");
  f = fault(s, "mem", FAULT_KIND_CGROUP_MEMORY);
  assert_int_equal(arg(f, "memory")->value.bytes, 64ULL << 20);
  assert_string_equal(scenario_fault_param(f, "memory"), "64Mi");
  scenario_free(s);
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_netem), cmocka_unit_test(test_network_kinds),
               cmocka_unit_test(test_pod_kinds), cmocka_unit_test(test_older_kinds_typed))
