/* Scenario files that must parse, and what the model holds afterwards:
 * the default lab, the network layout, quantities, every YAML file in scenarios/. */
#include "scenario.h"

#include <glob.h>
#include <limits.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit-test.h"

#include "scenario-test.h"

static struct scenario *parse_ok(const char *file, const char *yaml)
{
  struct scenario *s = NULL;
  struct lab_error *err = NULL;
  if (scenario_parse(file, yaml, strlen(yaml), &s, &err) < 0) {
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", err->msg);
    lab_error_clear(&err);
    fail_msg("%s did not parse: %s", file, msg);
  }
  assert_null(err);
  assert_non_null(s);
  return s;
}

static void assert_ip(uint32_t addr, const char *expect)
{
  char buf[16];
  assert_string_equal(ipv4_format(addr, buf), expect);
}

static void assert_strv(char *const *v, const char *const *expect)
{
  size_t i = 0;
  assert_non_null(v);
  for (; expect[i] != NULL; i++) {
    assert_non_null(v[i]);
    assert_string_equal(v[i], expect[i]);
  }
  assert_null(v[i]);
}

static void test_default_lab(void **state)
{
  struct scenario *s = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(scenario_load_default(&s, &err), 0);
  assert_null(err);
  assert_string_equal(s->file, "<default>");
  assert_string_equal(s->name, "default");
  assert_non_null(s->description);

  assert_int_equal(s->n_nodes, 3);
  static const char *const names[] = {"master", "node1", "node2"};
  static const char *const underlay[] = {"192.168.122.201", "192.168.122.202", "192.168.122.203"};
  static const char *const subnets[] = {"10.1.0.0", "10.1.1.0", "10.1.2.0"};
  for (size_t i = 0; i < 3; i++) {
    assert_string_equal(s->nodes[i].name, names[i]);
    assert_ip(s->nodes[i].underlay, underlay[i]);
    assert_ip(s->nodes[i].subnet.addr, subnets[i]);
    assert_int_equal(s->nodes[i].subnet.prefix, 24);
  }
  assert_ip(s->underlay.addr, "192.168.122.0");
  assert_int_equal(s->underlay.prefix, 24);
  assert_ip(s->cluster_network.addr, "10.1.0.0");
  assert_int_equal(s->cluster_network.prefix, 16);
  assert_int_equal(s->host_subnet_length, 8);
  assert_int_equal(s->mtu, 1450);

  const struct scenario_pod *web = scenario_find_pod(s, "web");
  assert_non_null(web);
  assert_string_equal(web->node, "node1");
  assert_int_equal(web->n_containers, 1);
  assert_string_equal(web->containers[0].image, "ubi");
  static const char *const httpd[] = {"httpd", "-f", "-p", "8080", "-h", "/etc", NULL};
  assert_strv(web->containers[0].command, httpd);
  assert_int_equal(web->containers[0].resources.memory_bytes, 67108864);
  assert_int_equal(web->containers[0].resources.cpu_millis, 500);
  assert_int_equal(web->containers[0].resources.pids, 64);
  assert_non_null(scenario_find_container(web, "httpd"));
  assert_null(scenario_find_container(web, "nope"));
  const struct scenario_pod *client = scenario_find_pod(s, "client");
  assert_non_null(client);
  assert_string_equal(client->node, "node2");
  const struct scenario_pod *top = scenario_find_pod(s, "top");
  assert_non_null(top);
  assert_string_equal(top->node, "master");
  assert_null(scenario_find_pod(s, "nope"));
  assert_null(scenario_find_node(s, "node3"));

  const struct scenario_check *c = scenario_find_check(s, "client-to-web");
  assert_non_null(c);
  assert_int_equal(c->kind, CHECK_HTTP);
  assert_string_equal(c->from, "node2/client");
  assert_string_equal(c->target, "web:8080");
  assert_int_equal(c->timeout_ms, 2000);
  assert_false(c->expect_fail);
  c = scenario_find_check(s, "ping-web");
  assert_non_null(c);
  assert_int_equal(c->kind, CHECK_PING);
  assert_string_equal(c->target, "web");
  c = scenario_find_check(s, "node-to-pod");
  assert_non_null(c);
  assert_string_equal(c->from, "master");
  assert_string_equal(c->from_node, "master");
  assert_null(c->from_pod);
  c = scenario_find_check(s, "client-to-web");
  assert_string_equal(c->path, "/os-release");
  assert_string_equal(c->body, "nodelab ubi");
  assert_int_equal(c->status, 0);
  c = scenario_find_check(s, "large-client-web");
  assert_non_null(c);
  assert_int_equal(c->ping.size, 1400);
  assert_int_equal(c->ping.count, 0);
  assert_int_equal(c->ping.max_loss_percent, SCENARIO_CHECK_LOSS_UNSET);
  c = scenario_find_check(s, "steady-client-web");
  assert_int_equal(c->ping.count, 10);
  assert_int_equal(c->ping.max_loss_percent, 0);
  assert_int_equal(c->ping.max_rtt_ms, 50);
  c = scenario_find_check(s, "web-chmod");
  assert_int_equal(c->kind, CHECK_EXEC);
  assert_string_equal(c->from_node, "node1");
  assert_string_equal(c->from_pod, "web");
  assert_string_equal(c->from_container, "httpd");
  static const char *const chmod_argv[] = {"chmod", "644", "/etc/hosts", NULL};
  assert_strv(c->argv, chmod_argv);

  const struct scenario_fault *f = scenario_find_fault(s, "mtu-black-hole");
  assert_non_null(f);
  assert_string_equal(f->kind, "link-mtu");
  assert_string_equal(f->node, "node2");
  assert_string_equal(scenario_fault_param(f, "link"), "eth0");
  assert_string_equal(scenario_fault_param(f, "mtu"), "1300");
  assert_null(scenario_fault_param(f, "node"));
  assert_non_null(f->symptom);
  assert_non_null(f->hints);
  assert_non_null(f->hints[0]);
  f = scenario_find_fault(s, "wrong-tunnel-dst");
  assert_non_null(f);
  assert_string_equal(scenario_fault_param(f, "remote"), "node1");
  f = scenario_find_fault(s, "tx-checksum-on");
  assert_non_null(f);
  assert_string_equal(scenario_fault_param(f, "pod"), "web");

  assert_true(s->n_exercises >= 10);
  assert_string_equal(s->exercises[2].name, "broken-tunnel");
  assert_string_equal(s->exercises[2].faults[0], "wrong-tunnel-dst");
  assert_string_equal(s->exercises[2].verify[0], "client-to-web");

  assert_true(s->n_steps >= 5);
  assert_int_equal(s->steps[0].kind, STEP_CHECK);
  assert_string_equal(s->steps[0].arg, "all");
  assert_int_equal(s->steps[1].kind, STEP_INJECT);
  assert_int_equal(s->steps[2].kind, STEP_EXPECT_FAIL);
  assert_int_equal(s->steps[3].kind, STEP_REPAIR);
  assert_int_equal(s->steps[s->n_steps - 1].kind, STEP_CHECK);
  scenario_free(s);

  /* The embedded text is the file in the source tree. */
  assert_non_null(strstr(scenario_default_yaml(), "name: default"));
}

/* Every check parameter, read into the model. */
static void test_check_parameters(void **state)
{
  static const char yaml[] =
      "name: t\ncluster:\n  nodes: [n1, n2]\n"
      "pods:\n  - name: p1\n    node: n1\n    containers:\n      - {name: c, image: ubi}\n"
      "checks:\n"
      "  - {name: u, from: n2, udp: \"p1:53\", send: ping, reply: pong}\n"
      "  - {name: t, from: n2, tcp: \"n1:22\", send: \"HELLO\\r\\n\", reply: SSH}\n"
      "  - {name: h, from: n1/p1, http: \"10.1.1.9:80\", path: /x, status: 404, body: gone}\n"
      "  - {name: e, from: n1/p1, exec: [true], expect: fail, timeout: 5s}\n"
      "  - {name: p, from: n2, ping: p1, count: 20, maxLoss: 10%, maxRtt: 1s, size: 1400,"
      " timeout: 3s}\n";
  struct scenario *s = NULL;
  struct lab_error *err = NULL;
  if (scenario_parse("t.yaml", yaml, strlen(yaml), &s, &err) < 0)
    fail_msg("%s", err->msg);
  const struct scenario_check *c = scenario_find_check(s, "u");
  assert_int_equal(c->kind, CHECK_UDP);
  assert_string_equal(c->target, "p1:53");
  assert_string_equal(c->send, "ping");
  assert_string_equal(c->reply, "pong");
  c = scenario_find_check(s, "t");
  assert_int_equal(c->kind, CHECK_TCP);
  assert_string_equal(c->send, "HELLO\r\n");
  assert_string_equal(c->reply, "SSH");
  c = scenario_find_check(s, "h");
  assert_string_equal(c->path, "/x");
  assert_int_equal(c->status, 404);
  assert_string_equal(c->body, "gone");
  assert_string_equal(c->from_pod, "p1");
  c = scenario_find_check(s, "e");
  assert_true(c->expect_fail);
  assert_int_equal(c->timeout_ms, 5000);
  assert_null(c->from_container);
  c = scenario_find_check(s, "p");
  assert_int_equal(c->ping.count, 20);
  assert_int_equal(c->ping.max_loss_percent, 10);
  assert_int_equal(c->ping.max_rtt_ms, 1000);
  assert_int_equal(c->ping.size, 1400);
  scenario_free(s);
}

static void test_node_count_form(void **state)
{
  struct scenario *s =
      parse_ok("t.yaml", "name: t\ncluster:\n  nodes: {count: 3, prefix: worker}\n");
  assert_int_equal(s->n_nodes, 3);
  assert_string_equal(s->nodes[0].name, "worker1");
  assert_string_equal(s->nodes[2].name, "worker3");
  assert_ip(s->nodes[2].underlay, "192.168.122.203");
  assert_ip(s->nodes[2].subnet.addr, "10.1.2.0");
  scenario_free(s);

  s = parse_ok("t.yaml", "name: t\ncluster:\n  nodes: {count: 54}\n");
  assert_int_equal(s->n_nodes, 54);
  assert_string_equal(s->nodes[53].name, "node54");
  assert_ip(s->nodes[53].underlay, "192.168.122.254"); /* the last address below broadcast */
  assert_ip(s->nodes[53].subnet.addr, "10.1.53.0");
  scenario_free(s);
}

static void test_custom_networks(void **state)
{
  struct scenario *s = parse_ok("t.yaml", "name: t\n"
                                          "cluster:\n"
                                          "  nodes: {count: 200}\n"
                                          "  underlay: 10.99.0.0/16\n"
                                          "  clusterNetwork: 172.16.0.0/12\n"
                                          "  hostSubnetLength: 10\n"
                                          "  mtu: 9000\n");
  assert_int_equal(s->n_nodes, 200);
  assert_ip(s->nodes[0].underlay, "10.99.0.201");
  assert_ip(s->nodes[199].underlay, "10.99.1.144"); /* 201 + 199 = 400 = 1*256 + 144 */
  assert_ip(s->nodes[0].subnet.addr, "172.16.0.0");
  assert_ip(s->nodes[1].subnet.addr, "172.16.4.0");
  assert_ip(s->nodes[199].subnet.addr, "172.19.28.0"); /* 199 * 1024 = 0x31c00 */
  assert_int_equal(s->nodes[1].subnet.prefix, 22);
  assert_int_equal(s->mtu, 9000);
  scenario_free(s);
}

static void test_too_many_nodes_in_list(void **state)
{
  char yaml[4096] = "name: t\ncluster:\n  nodes: [";
  for (int i = 1; i <= 201; i++)
    snprintf(yaml + strlen(yaml), sizeof yaml - strlen(yaml), "%sn%d", i > 1 ? ", " : "", i);
  strcat(yaml, "]\n");
  struct scenario *s = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(scenario_parse("t.yaml", yaml, strlen(yaml), &s, &err), -1);
  assert_string_equal(err->msg,
                      "t.yaml:3:10: cluster.nodes: at most 200 nodes are supported, got 201");
  lab_error_clear(&err);
}

static void test_deep_nesting(void **state)
{
  char yaml[512] = "name: t\ndescription: ";
  for (int i = 0; i < 100; i++)
    strcat(yaml, "[");
  struct scenario *s = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(scenario_parse("t.yaml", yaml, strlen(yaml), &s, &err), -1);
  /* depth 1 is the top mapping, 2 the description's list: the 64th '[' is level 65 */
  assert_error_msg(&err, "t.yaml:2:77: (yaml): nesting deeper than 64 levels");
}

static void test_containers_in_full(void **state)
{
  /* The file name places it in the source tree, so the relative seccomp
   * profile resolves against scenarios/ like a real file would. */
  const char *src = getenv("NODELAB_SOURCE_DIR");
  assert_non_null(src);
  char file[PATH_MAX], profile[PATH_MAX];
  snprintf(file, sizeof file, "%s/scenarios/inline-test.yaml", src);
  snprintf(profile, sizeof profile, "%s/scenarios/profiles/chmod.json", src);
  char *real = realpath(profile, NULL);
  assert_non_null(real);
  struct scenario *s =
      parse_ok(file, "name: full\n"
                     "cluster: {nodes: [a, b]}\n"
                     "pods:\n"
                     "  - name: p\n"
                     "    node: b\n"
                     "    containers:\n"
                     "      - name: one\n"
                     "        image: ubi\n"
                     "        env: {GREETING: hello, EMPTY: , N: 3}\n"
                     "        resources: {memory: 1.5Gi, cpu: \"0.25\", pids: 1}\n"
                     "        securityContext:\n"
                     "          seccompProfile: profiles/chmod.json\n"
                     "          privileged: false\n"
                     "        volumes: [\"/srv/data:/data:Z\", \"/etc/hosts:/h:ro\","
                     " \"/x:/y:Z,ro\", \"/r:/w:ro:rw\"]\n"
                     "      - name: two\n"
                     "        image: on-off\n"
                     "        env: [A=1, B=x=y, C=]\n"
                     "        securityContext: {privileged: true}\n"
                     "checks:\n"
                     "  - {name: e, from: b/p, exec: [true], expect: fail, timeout: 1m}\n"
                     "  - {name: t, from: a, tcp: \"10.1.1.2:22\", timeout: 250ms}\n"
                     "  - {name: pingb, from: a, ping: b}\n"
                     "faults:\n"
                     "  - {name: m, kind: cgroup-memory, pod: p, container: two, memory: 8Mi}\n"
                     "  - {name: d, kind: daemon-kill, node: a, daemon: netd, hints: []}\n"
                     "  - {name: x, kind: seccomp-deny, pod: p, container: one, syscall: mkdir}\n"
                     "steps:\n"
                     "  - sleep: 1500ms\n"
                     "  - inject: m\n"
                     "  - repair: all\n");
  const struct scenario_pod *p = scenario_find_pod(s, "p");
  assert_non_null(p);
  assert_int_equal(p->n_containers, 2);
  const struct scenario_container *one = &p->containers[0], *two = &p->containers[1];
  static const char *const env1[] = {"GREETING=hello", "EMPTY=", "N=3", NULL};
  assert_strv(one->env, env1);
  static const char *const env2[] = {"A=1", "B=x=y", "C=", NULL};
  assert_strv(two->env, env2);
  assert_null(one->command);
  assert_int_equal(one->resources.memory_bytes, 1610612736ULL);
  assert_int_equal(one->resources.cpu_millis, 250);
  assert_int_equal(one->resources.pids, 1);
  assert_int_equal(two->resources.memory_bytes, 0);
  assert_string_equal(one->seccomp_profile, real);
  assert_null(two->seccomp_profile);
  assert_false(one->privileged);
  assert_true(two->privileged);
  assert_int_equal(one->n_volumes, 4);
  assert_string_equal(one->volumes[0].host_path, "/srv/data");
  assert_string_equal(one->volumes[0].container_path, "/data");
  assert_true(one->volumes[0].relabel);
  assert_false(one->volumes[0].readonly);
  assert_false(one->volumes[1].relabel);
  assert_true(one->volumes[1].readonly);
  assert_true(one->volumes[2].relabel);
  assert_true(one->volumes[2].readonly);
  assert_false(one->volumes[3].readonly); /* the last of ro/rw wins */

  const struct scenario_check *c = scenario_find_check(s, "e");
  assert_int_equal(c->kind, CHECK_EXEC);
  static const char *const argv[] = {"true", NULL};
  assert_strv(c->argv, argv);
  assert_null(c->target);
  assert_true(c->expect_fail);
  assert_int_equal(c->timeout_ms, 60000);
  c = scenario_find_check(s, "t");
  assert_int_equal(c->kind, CHECK_TCP);
  assert_int_equal(c->timeout_ms, 250);

  const struct scenario_fault *f = scenario_find_fault(s, "m");
  assert_null(f->node);
  assert_string_equal(scenario_fault_param(f, "pod"), "p");
  assert_string_equal(scenario_fault_param(f, "container"), "two");
  assert_string_equal(scenario_fault_param(f, "memory"), "8Mi");
  assert_null(f->symptom);
  assert_null(f->hints);
  f = scenario_find_fault(s, "d");
  assert_string_equal(f->node, "a");
  assert_non_null(f->hints);
  assert_null(f->hints[0]);

  assert_int_equal(s->n_steps, 3);
  assert_int_equal(s->steps[0].kind, STEP_SLEEP);
  assert_int_equal(s->steps[0].sleep_ms, 1500);
  assert_int_equal(s->steps[2].kind, STEP_REPAIR);
  assert_string_equal(s->steps[2].arg, "all");
  scenario_free(s);
  free(real);
}

static void test_memory_quantities(void **state)
{
  static const struct good_case good[] = {
      {"64Mi", 67108864ULL},
      {"1Gi", 1073741824ULL},
      {"500M", 500000000ULL},
      {"1k", 1000},
      {"1K", 1000},
      {"2Ki", 2048},
      {"128974848", 128974848ULL},
      {"1Ti", 1ULL << 40},
      {"1T", 1000000000000ULL},
      {"1.5Gi", 1610612736ULL},
      {"0.5Ki", 512},
      {"0.0001Ki", 1}, /* rounds up */
      {"0", 0},
      {"16Pi", 16ULL << 50},
      {"18446744073709551615", UINT64_MAX},
  };
  static const char no[] = "is not a memory quantity (use e.g. 64Mi, 1Gi, 500M)";
  static const struct bad_case bad[] = {{"", no},     {"Mi", no},   {"64Mx", no},  {"64 Mi", no},
                                        {"-1", no},   {"1.Gi", no}, {"1e6", no},   {"64mi", no},
                                        {"0x10", no}, {".5Gi", no}, {"64MiB", no}, {"1..2", no},
                                        {" 64Mi", no}};
  static const struct bad_case huge[] = {{"16384Pi", "is too large"},
                                         {"18446744073709551616", "is too large"},
                                         {"99999999999999999999999", "is too large"}};
  check_parser("memory", scenario_parse_memory, good, N(good), bad, N(bad), CHECK_UNTOUCHED);
  check_parser("memory", scenario_parse_memory, NULL, 0, huge, N(huge), 0);
}

static void test_cpu_quantities(void **state)
{
  static const struct good_case good[] = {
      {"500m", 500}, {"1", 1000}, {"0.5", 500}, {"2.25", 2250}, {"1.0000", 1000},
      {"0", 0},      {"1m", 1},   {"0.001", 1}, {"16", 16000},  {"2000m", 2000},
  };
  static const char no[] = "is not a CPU quantity (use e.g. 500m, 1, 0.5)";
  static const struct bad_case bad[] = {{"", no},
                                        {"m", no},
                                        {"abc", no},
                                        {"0.5m", no},
                                        {"1.", no},
                                        {".5", no},
                                        {"1 ", no},
                                        {"-1", no},
                                        {"1e3", no},
                                        {"1Gi", no},
                                        {"0.0005", "is finer than 1m (a thousandth of a CPU)"},
                                        {"99999999999999999999", "is too large"}};
  check_parser("cpu", scenario_parse_cpu, good, N(good), bad, N(bad), 0);
}

static void test_cidrs(void **state)
{
  struct scenario_cidr c;
  const char *problem = NULL;
  assert_int_equal(scenario_parse_cidr("10.1.0.0/16", &c, &problem), 0);
  assert_int_equal(c.addr, 0x0a010000);
  assert_int_equal(c.prefix, 16);
  assert_int_equal(scenario_parse_cidr("0.0.0.0/0", &c, &problem), 0);
  assert_int_equal(c.prefix, 0);
  assert_int_equal(scenario_parse_cidr("192.168.122.7/32", &c, &problem), 0);
  assert_int_equal(c.addr, 0xc0a87a07);
  static const char *const bad[] = {
      "10.1.0.0", "10.1.0.0/",   "10.1.0.0/33",  "300.1.0.0/8", "10.1.0/16", "10.1.0.0/1a",
      "/16",      "10.1.0.0/-1", "10.1.0.0/016", "a.b.c.d/8",   ""};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    if (scenario_parse_cidr(bad[i], &c, &problem) == 0)
      fail_msg("cidr \"%s\" was accepted", bad[i]);
    assert_string_equal(problem, "is not a CIDR (use e.g. 10.1.0.0/16)");
  }
  assert_int_equal(scenario_parse_cidr("10.1.0.1/16", &c, &problem), -1);
  assert_string_equal(problem, "has host bits set");
  char buf[16];
  assert_string_equal(ipv4_format(0xffffffff, buf), "255.255.255.255");
  assert_string_equal(ipv4_format(0, buf), "0.0.0.0");
}

static void test_fault_kinds(void **state)
{
  static const char *const kinds[] = {"link-mtu",      "link-down",   "tx-checksum-on",
                                      "tunnel-dst",    "flow-delete", "daemon-kill",
                                      "cgroup-memory", "seccomp-deny"};
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    assert_true(scenario_fault_kind_known(kinds[i]));
  assert_false(scenario_fault_kind_known("unplug"));
  assert_false(scenario_fault_kind_known(""));
}

/* Every .yaml file in scenarios/ of the source tree parses and validates. */
static void test_all_scenario_files(void **state)
{
  const char *src = getenv("NODELAB_SOURCE_DIR");
  assert_non_null(src);
  char pattern[PATH_MAX];
  snprintf(pattern, sizeof pattern, "%s/scenarios/*.yaml", src);
  glob_t g;
  assert_int_equal(glob(pattern, 0, NULL, &g), 0);
  assert_true(g.gl_pathc >= 2); /* at least default.yaml and cluster-networking.yaml */
  bool saw_default = false;
  for (size_t i = 0; i < g.gl_pathc; i++) {
    struct scenario *s = NULL;
    struct lab_error *err = NULL;
    if (scenario_load(g.gl_pathv[i], &s, &err) < 0) {
      char msg[1024];
      snprintf(msg, sizeof msg, "%s", err->msg);
      lab_error_clear(&err);
      globfree(&g);
      fail_msg("%s", msg);
    }
    assert_true(s->n_nodes >= 1);
    saw_default |= strcmp(s->name, "default") == 0;
    scenario_free(s);
  }
  globfree(&g);
  assert_true(saw_default);
}

static void test_load_errors(void **state)
{
  struct scenario *s = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(scenario_load("/nonexistent/lab.yaml", &s, &err), -1);
  assert_null(s);
  assert_error_msg(&err, "/nonexistent/lab.yaml: No such file or directory");
  assert_int_equal(scenario_load("/", &s, &err), -1);
  assert_error_msg(&err, "/: not a regular file");
}

/* A file saved by a Windows editor (CRLF line ends, a UTF-8 byte order mark)
 * parses the same, and positions still count lines. */
static void test_crlf_and_bom(void **state)
{
  const char *yaml = scenario_default_yaml();
  size_t len = strlen(yaml);
  char *crlf = calloc(1, 3 + 2 * len + 1);
  assert_non_null(crlf);
  size_t n = 0;
  memcpy(crlf, "\xef\xbb\xbf", 3);
  n = 3;
  for (size_t i = 0; i < len; i++) {
    if (yaml[i] == '\n')
      crlf[n++] = '\r';
    crlf[n++] = yaml[i];
  }
  struct scenario *s = parse_ok("w.yaml", crlf);
  assert_string_equal(s->name, "default");
  assert_int_equal(s->n_pods, 3);
  scenario_free(s);
  free(crlf);

  struct lab_error *err = NULL;
  const char *bad = "\xef\xbb\xbfname: t\r\ncluster:\r\n  nodes: [n1]\r\n  mtu: 1\r\n";
  assert_int_equal(scenario_parse("w.yaml", bad, strlen(bad), &s, &err), -1);
  assert_error_msg(&err, "w.yaml:4:8: cluster.mtu: 1 is out of range (576..9000)");
}

/* Every prefix of the default lab either parses or fails with one well-formed
 * message; none crashes or leaks (the sanitizer build checks the latter). */
static void test_every_prefix(void **state)
{
  const char *yaml = scenario_default_yaml();
  size_t len = strlen(yaml);
  regex_t re;
  assert_int_equal(regcomp(&re, "^p\\.yaml:[0-9]+:[0-9]+: [^ ]+: [^\n]+$", REG_EXTENDED), 0);
  size_t ok = 0, failed = 0;
  for (size_t n = 0; n <= len; n++) {
    struct scenario *s = NULL;
    struct lab_error *err = NULL;
    if (scenario_parse("p.yaml", yaml, n, &s, &err) == 0) {
      ok++;
      scenario_free(s);
      continue;
    }
    failed++;
    if (regexec(&re, err->msg, 0, NULL, 0) != 0) {
      char msg[1024];
      snprintf(msg, sizeof msg, "%s", err->msg);
      lab_error_clear(&err);
      regfree(&re);
      fail_msg("prefix %zu: malformed message: %s", n, msg);
    }
    lab_error_clear(&err);
  }
  regfree(&re);
  assert_true(ok >= 1); /* the whole file at least */
  assert_true(failed > len / 2);
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_default_lab),
               cmocka_unit_test(test_check_parameters), cmocka_unit_test(test_node_count_form),
               cmocka_unit_test(test_custom_networks),
               cmocka_unit_test(test_too_many_nodes_in_list), cmocka_unit_test(test_deep_nesting),
               cmocka_unit_test(test_containers_in_full), cmocka_unit_test(test_memory_quantities),
               cmocka_unit_test(test_cpu_quantities), cmocka_unit_test(test_cidrs),
               cmocka_unit_test(test_fault_kinds), cmocka_unit_test(test_all_scenario_files),
               cmocka_unit_test(test_load_errors), cmocka_unit_test(test_crlf_and_bom),
               cmocka_unit_test(test_every_prefix))
