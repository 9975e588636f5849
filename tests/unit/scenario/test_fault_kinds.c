/* The fault-kind table (fault-kinds.h) and the value types its parameters
 * take: durations, percentages, tc rates, MAC addresses, integers in a range
 * and the rest, each parsed by fault_value_parse() with its pinned problem. */
#include "fault-kinds.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit-test.h"

#include "scenario-test.h"
#include "scenario.h"

/* Every entry sits at its enum's index with a name, a description and
 * well-formed parameters; names are unique and none is a common field. */
static void test_table_shape(void **state)
{
  for (size_t i = 0; i < FAULT_KIND__COUNT; i++) {
    const struct fault_kind_spec *k = fault_kind_spec((enum fault_kind)i);
    assert_int_equal(k->kind, i);
    assert_non_null(k->name);
    assert_non_null(k->breaks);
    assert_ptr_equal(fault_kind_by_name(k->name), k);
    assert_string_equal(fault_kind_name((enum fault_kind)i), k->name);
    size_t n = fault_kind_n_params(k);
    assert_true(n >= 1 && n < FAULT_KIND_MAX_PARAMS);
    size_t one_of = 0;
    for (size_t j = 0; j < n; j++) {
      const struct fault_param_spec *p = &k->params[j];
      assert_false(fault_field_is_common(p->name));
      assert_ptr_equal(fault_kind_param(k, p->name), p);
      assert_true(p->type < FAULT_PARAM_TYPE__COUNT);
      one_of += p->need == FAULT_PARAM_ONE_OF;
      if (p->needs != NULL)
        assert_non_null(fault_kind_param(k, p->needs));
      if (p->type == FAULT_PARAM_INTEGER) {
        assert_non_null(p->what);
        assert_true(p->min <= p->max);
      }
      if (p->dflt != NULL) {
        union fault_value v;
        char problem[128];
        assert_int_equal(p->need, FAULT_PARAM_OPTIONAL);
        assert_int_equal(fault_value_parse(p, p->dflt, &v, problem, sizeof problem), 0);
      }
    }
    assert_true(one_of == 0 || one_of >= 2);
  }
  assert_null(fault_kind_by_name("unplug"));
  assert_null(fault_kind_by_name(""));
  assert_null(fault_kind_by_name(NULL));
  for (size_t i = 0; i < FAULT_DAEMON__COUNT; i++)
    assert_non_null(fault_daemon_name((enum fault_daemon)i));
}

/* The parameters of each kind, by name and in order, as issue 8 names them. */
static void test_kind_parameters(void **state)
{
  static const struct {
    const char *kind, *params;
  } want[] = {
      {"link-mtu", "node, link, mtu"},
      {"link-down", "node, link"},
      {"tx-checksum-on", "node, pod"},
      {"tunnel-dst", "node, remote, ip"},
      {"flow-delete", "node, remote"},
      {"daemon-kill", "node, daemon"},
      {"cgroup-memory", "pod, container, memory"},
      {"seccomp-deny", "pod, container, syscall"},
      {"netem", "node, link, delay, jitter, loss, duplicate, corrupt, reorder, rate"},
      {"partition", "node, remote"},
      {"underlay-down", "node"},
      {"vni-mismatch", "node, remote, vni"},
      {"tunnel-port-delete", "node"},
      {"pod-route-delete", "pod"},
      {"duplicate-ip", "pod, as"},
      {"neighbour-poison", "pod, node, ip, mac"},
      {"pod-kill", "pod"},
      {"cgroup-pids", "pod, container, pids"},
      {"cgroup-cpu", "pod, container, cpu"},
  };
  assert_int_equal(sizeof want / sizeof want[0], FAULT_KIND__COUNT);
  char buf[256];
  for (size_t i = 0; i < FAULT_KIND__COUNT; i++) {
    const struct fault_kind_spec *k = fault_kind_by_name(want[i].kind);
    assert_non_null(k);
    assert_int_equal(k->kind, i);
    assert_string_equal(fault_kind_params_text(k, buf, sizeof buf), want[i].params);
  }
  /* The eight kinds before issue 8 take only required parameters. */
  for (size_t i = 0; i <= FAULT_KIND_SECCOMP_DENY; i++)
    for (const struct fault_param_spec *p = fault_kind_spec((enum fault_kind)i)->params; p->name;
         p++)
      assert_int_equal(p->need, FAULT_PARAM_REQUIRED);
  const struct fault_kind_spec *netem = fault_kind_spec(FAULT_KIND_NETEM);
  assert_string_equal(fault_kind_param(netem, "link")->dflt, "eth0");
  assert_string_equal(fault_kind_param(netem, "jitter")->needs, "delay");
  assert_int_equal(fault_kind_param(netem, "rate")->type, FAULT_PARAM_RATE);
  assert_null(fault_kind_param(netem, "mtu"));
  assert_string_equal(fault_kind_list(buf, 40), "link-mtu, link-down, tx-checksum-on, tu");
}

static int parse_percent64(const char *text, uint64_t *out, const char **problem)
{
  uint32_t ppm = 0;
  int r = scenario_parse_percent(text, &ppm, problem);
  *out = ppm;
  return r;
}

static void test_durations(void **state)
{
  static const char no[] = "is not a duration (use e.g. 500ms, 2s, 1m)";
  static const struct good_case good[] = {
      {"0s", 0},           {"200ms", 200000}, {"1.5s", 1500000},  {"2m", 120000000},
      {"100us", 100},      {"0.25ms", 250},   {"1h", 3600000000}, {"24h", 86400000000},
      {"1.000s", 1000000}, {"007ms", 7000}};
  static const struct bad_case bad[] = {{"", no},
                                        {"s", no},
                                        {"2", no},
                                        {"1.s", no},
                                        {".5s", no},
                                        {"1 s", no},
                                        {"-1s", no},
                                        {"1e3ms", no},
                                        {"2sec", no},
                                        {"1ns", no},
                                        {"1.5", no},
                                        {"5d", no},
                                        {"24.0001h", "is longer than 24h"},
                                        {"99999999999999999999999s", "is longer than 24h"},
                                        {"0.1us", "is finer than a microsecond"}};
  check_parser("duration", scenario_parse_duration_us, good, N(good), bad, N(bad), 0);
}

static void test_percentages(void **state)
{
  static const char no[] = "is not a percentage (use e.g. 30%, 0.5%)";
  static const struct good_case good[] = {{"30%", 300000},    {"0.5%", 5000}, {"100%", 1000000},
                                          {"0%", 0},          {"0.0001%", 1}, {"12.34%", 123400},
                                          {"100.0%", 1000000}};
  static const struct bad_case bad[] = {{"", no},
                                        {"%", no},
                                        {"30", no},
                                        {"0.5", no},
                                        {".5%", no},
                                        {"5.%", no},
                                        {"-1%", no},
                                        {"30 %", no},
                                        {"30%%", no},
                                        {"1e2%", no},
                                        {"100.01%", "is more than 100%"},
                                        {"99999999999999999999999%", "is more than 100%"},
                                        {"0.00001%", "is finer than 0.0001%"}};
  check_parser("percentage", parse_percent64, good, N(good), bad, N(bad), 0);
}

static void test_rates(void **state)
{
  static const char no[] = "is not a rate (use e.g. 1mbit, 100kbit, 500bps)";
  static const struct good_case good[] = {
      {"1mbit", 1000000}, {"100kbit", 100000},  {"1gbit", 1000000000},    {"500bps", 4000},
      {"1bit", 1},        {"1.5mbit", 1500000}, {"2mibit", 2097152},      {"1kibps", 8192},
      {"1Mbit", 1000000}, {"10MBPS", 80000000}, {"1tbit", 1000000000000}, {"0bit", 0}};
  static const struct bad_case bad[] = {{"", no},
                                        {"mbit", no},
                                        {"100", no},
                                        {"1 mbit", no},
                                        {"1mb", no},
                                        {"1.mbit", no},
                                        {"-1bit", no},
                                        {"1kbits", no},
                                        {"1e3bit", no},
                                        {"1Mibitt", no},
                                        {"0.5bit", "is finer than 1bit"},
                                        {"99999999tbps", "is too large"}};
  check_parser("rate", scenario_parse_rate, good, N(good), bad, N(bad), 0);
}

static void test_macs(void **state)
{
  uint8_t mac[6];
  const char *problem = NULL;
  assert_int_equal(scenario_parse_mac("02:00:0a:01:00:02", mac, &problem), 0);
  static const uint8_t want[6] = {0x02, 0x00, 0x0a, 0x01, 0x00, 0x02};
  assert_memory_equal(mac, want, 6);
  assert_int_equal(scenario_parse_mac("FF:ee:Dd:00:99:aB", mac, &problem), 0);
  static const uint8_t want2[6] = {0xff, 0xee, 0xdd, 0x00, 0x99, 0xab};
  assert_memory_equal(mac, want2, 6);
  static const char *const bad[] = {"",
                                    "02:00:0a:01:00",
                                    "02:00:0a:01:00:02:03",
                                    "2:00:0a:01:00:02",
                                    "02-00-0a-01-00-02",
                                    "02:00:0a:01:00:0g",
                                    "02:00:0a:01:00:02 ",
                                    "0200.0a01.0002",
                                    "02:00:0a:01:00:"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    memset(mac, 7, sizeof mac);
    if (scenario_parse_mac(bad[i], mac, &problem) == 0)
      fail_msg("MAC \"%s\" accepted", bad[i]);
    assert_string_equal(problem, "is not a MAC address (use e.g. 02:00:0a:01:00:02)");
    assert_int_equal(mac[0], 7); /* untouched on failure */
  }
}

/* fault_value_parse() by type: the typed value, or a whole sentence. */
static void test_values_by_type(void **state)
{
  char problem[256];
  union fault_value v;
  const struct fault_kind_spec *netem = fault_kind_spec(FAULT_KIND_NETEM);
  assert_int_equal(
      fault_value_parse(fault_kind_param(netem, "delay"), "1.5ms", &v, problem, sizeof problem), 0);
  assert_int_equal(v.duration_us, 1500);
  assert_int_equal(
      fault_value_parse(fault_kind_param(netem, "loss"), "2.5%", &v, problem, sizeof problem), 0);
  assert_int_equal(v.ppm, 25000);
  assert_int_equal(
      fault_value_parse(fault_kind_param(netem, "rate"), "1mbit", &v, problem, sizeof problem), 0);
  assert_int_equal(v.bits_per_sec, 1000000);
  assert_int_equal(
      fault_value_parse(fault_kind_param(netem, "rate"), "0kbit", &v, problem, sizeof problem), -1);
  assert_string_equal(problem, "rate must be greater than 0");
  assert_int_equal(
      fault_value_parse(fault_kind_param(netem, "loss"), "lots", &v, problem, sizeof problem), -1);
  assert_string_equal(problem, "\"lots\" is not a percentage (use e.g. 30%, 0.5%)");

  const struct fault_kind_spec *vni = fault_kind_spec(FAULT_KIND_VNI_MISMATCH);
  assert_int_equal(
      fault_value_parse(fault_kind_param(vni, "vni"), "16777215", &v, problem, sizeof problem), 0);
  assert_int_equal(v.integer, 16777215);
  assert_int_equal(
      fault_value_parse(fault_kind_param(vni, "vni"), "16777216", &v, problem, sizeof problem), -1);
  assert_string_equal(problem, "\"16777216\" is not a VNI (0..16777215)");
  assert_int_equal(
      fault_value_parse(fault_kind_param(vni, "node"), "anything", &v, problem, sizeof problem), 0);

  const struct fault_kind_spec *kill = fault_kind_spec(FAULT_KIND_DAEMON_KILL);
  assert_int_equal(
      fault_value_parse(fault_kind_param(kill, "daemon"), "netd", &v, problem, sizeof problem), 0);
  assert_int_equal(v.daemon, FAULT_DAEMON_NETD);

  const struct fault_kind_spec *cpu = fault_kind_spec(FAULT_KIND_CGROUP_CPU);
  assert_int_equal(
      fault_value_parse(fault_kind_param(cpu, "cpu"), "250m", &v, problem, sizeof problem), 0);
  assert_int_equal(v.cpu_millis, 250);
  assert_int_equal(
      fault_value_parse(fault_kind_param(cpu, "cpu"), "0", &v, problem, sizeof problem), -1);
  assert_string_equal(problem, "cpu must be greater than 0");

  const struct fault_kind_spec *poison = fault_kind_spec(FAULT_KIND_NEIGHBOUR_POISON);
  assert_int_equal(
      fault_value_parse(fault_kind_param(poison, "ip"), "10.1.0.9", &v, problem, sizeof problem),
      0);
  assert_int_equal(v.ipv4, 0x0a010009);
  assert_int_equal(fault_value_parse(fault_kind_param(poison, "mac"), "02:00:00:00:00:01", &v,
                                     problem, sizeof problem),
                   0);
  assert_int_equal(v.mac[5], 1);

  /* A problem cut to the buffer stays a string. */
  char small[8];
  assert_int_equal(fault_value_parse(fault_kind_param(vni, "vni"), "x", &v, small, sizeof small),
                   -1);
  assert_string_equal(small, "\"x\" is ");
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_table_shape),
               cmocka_unit_test(test_kind_parameters), cmocka_unit_test(test_durations),
               cmocka_unit_test(test_percentages), cmocka_unit_test(test_rates),
               cmocka_unit_test(test_macs), cmocka_unit_test(test_values_by_type))
