/* Pure parts of `nodelab-runtime serve`: pod address allocation (lowest free
 * from .2, persisted as files so concurrent and restarted runtimes agree) and
 * a SPEC request decoded (proto/runtime-rpc.h) into a ctr_spec (rpc-ops.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit-test.h"
#include <json-c/json.h>

#include "ipam.h"
#include "rpc-ops.h"

static char dir[64];

static int setup(void **state)
{
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/nodelab-ipam-test.XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  return system(cmd) == 0 ? 0 : -1;
}

static void test_ipam_parse(void **state)
{
  (void)state;
  struct ipam_subnet sn;
  struct lab_error *err = NULL;
  assert_int_equal(ipam_parse("10.1.1.0/24", "10.1.1.1", &sn, &err), 0);
  assert_int_equal(sn.network, 0x0a010100);
  assert_int_equal(sn.prefix, 24);
  assert_int_equal(sn.gateway, 0x0a010101);
  assert_int_equal(ipam_parse("10.1.1.5/24", NULL, &sn, &err), -1);
  assert_non_null(strstr(err->msg, "host bits"));
  lab_error_clear(&err);
  assert_int_equal(ipam_parse("10.1.1.0/24", "10.1.2.1", &sn, &err), -1);
  assert_non_null(strstr(err->msg, "outside"));
  lab_error_clear(&err);
  assert_int_equal(ipam_parse("10.1.1.0", NULL, &sn, &err), -1);
  lab_error_clear(&err);
  assert_int_equal(ipam_parse("300.1.1.0/24", NULL, &sn, &err), -1);
  lab_error_clear(&err);
}

static void test_ipam_lowest_free_and_full(void **state)
{
  (void)state;
  struct ipam_subnet sn;
  struct lab_error *err = NULL;
  uint32_t a, b, c;
  char ip[16];
  assert_int_equal(ipam_parse("10.1.1.0/29", "10.1.1.1", &sn, &err), 0);
  assert_int_equal(ipam_allocate(dir, &sn, "p1", &a, &err), 0);
  ipv4_format(a, ip);
  assert_string_equal(ip, "10.1.1.2");
  assert_int_equal(ipam_allocate(dir, &sn, "p2", &b, &err), 0);
  ipv4_format(b, ip);
  assert_string_equal(ip, "10.1.1.3");
  /* freeing .2 makes it the next one: lowest free first */
  assert_int_equal(ipam_release(dir, a, &err), 0);
  assert_int_equal(ipam_allocate(dir, &sn, "p3", &c, &err), 0);
  assert_int_equal(c, a);
  /* the record names its owner, so a restarted runtime sees it */
  char path[128], owner[16] = "";
  snprintf(path, sizeof path, "%s/10.1.1.2", dir);
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  assert_non_null(fgets(owner, sizeof owner, f));
  fclose(f);
  assert_string_equal(owner, "p3");
  /* /29: .2 .. .6 usable (.7 broadcast) */
  uint32_t x;
  for (int i = 0; i < 3; i++)
    assert_int_equal(ipam_allocate(dir, &sn, "more", &x, &err), 0);
  ipv4_format(x, ip);
  assert_string_equal(ip, "10.1.1.6");
  assert_int_equal(ipam_allocate(dir, &sn, "none", &x, &err), -1);
  assert_non_null(strstr(err->msg, "10.1.1.0/29 is full"));
  lab_error_clear(&err);
  /* releasing a free address is fine */
  assert_int_equal(ipam_release(dir, a, &err), 0);
  assert_int_equal(ipam_release(dir, a, &err), 0);
}

static void test_spec_full(void **state)
{
  (void)state;
  struct json_object *o = json_tokener_parse(
      "{\"op\":\"run\",\"image\":\"ubi\",\"name\":\"c\",\"command\":[\"top\",\"-b\"],"
      "\"env\":[\"A=1\"],\"memory_bytes\":33554432,\"cpu_millis\":500,\"pids\":64,"
      "\"seccomp_profile\":\"/p/chmod.json\",\"detach\":true,"
      "\"volumes\":[{\"host\":\"/srv\",\"ctr\":\"/data\",\"relabel\":true,\"readonly\":true}]}");
  struct rt_spec s;
  struct lab_error *err = NULL;
  assert_int_equal(rt_spec_from_json(o, &s, &err), 0);
  assert_string_equal(s.spec.image, "ubi");
  assert_string_equal(s.spec.name, "c");
  assert_string_equal(s.spec.argv[0], "top");
  assert_string_equal(s.spec.argv[1], "-b");
  assert_null(s.spec.argv[2]);
  assert_string_equal(s.spec.env[0], "A=1");
  assert_int_equal(s.spec.limits.memory_bytes, 33554432);
  assert_int_equal(s.spec.limits.cpu_millis, 500);
  assert_int_equal(s.spec.limits.pids, 64);
  assert_string_equal(s.spec.seccomp_profile, "/p/chmod.json");
  assert_int_equal(s.spec.n_volumes, 1);
  assert_string_equal(s.spec.volumes[0].host, "/srv");
  assert_true(s.spec.volumes[0].relabel);
  assert_true(s.spec.volumes[0].readonly);
  assert_int_equal(s.spec.net, CTR_NET_PRIVATE);
  assert_true(s.cluster_net); /* no "net": podman's default network */
  rt_spec_release(&s);
  json_object_put(o);
}

/* podman's --network: bridge/private (the default) ask for the cluster
 * network, none for lo only, host for the node's namespace. */
static void test_spec_net(void **state)
{
  (void)state;
  static const struct {
    const char *net;
    enum ctr_net want;
    bool cluster;
  } cases[] = {{"bridge", CTR_NET_PRIVATE, true},
               {"private", CTR_NET_PRIVATE, true},
               {"none", CTR_NET_PRIVATE, false},
               {"host", CTR_NET_HOST, false}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char text[96];
    snprintf(text, sizeof text, "{\"image\":\"ubi\",\"net\":\"%s\"}", cases[i].net);
    struct json_object *o = json_tokener_parse(text);
    struct rt_spec s;
    struct lab_error *err = NULL;
    assert_int_equal(rt_spec_from_json(o, &s, &err), 0);
    assert_int_equal(s.spec.net, cases[i].want);
    if (s.cluster_net != cases[i].cluster)
      fail_msg("net %s: cluster_net %d", cases[i].net, s.cluster_net);
    rt_spec_release(&s);
    json_object_put(o);
  }
}

static void expect_bad(const char *json, const char *msg)
{
  struct json_object *o = json_tokener_parse(json);
  assert_non_null(o);
  struct rt_spec s;
  struct lab_error *err = NULL;
  assert_int_equal(rt_spec_from_json(o, &s, &err), -1);
  assert_non_null(err);
  if (strstr(err->msg, msg) == NULL)
    fail_msg("'%s' lacks '%s'", err->msg, msg);
  lab_error_clear(&err);
  json_object_put(o);
}

static void test_spec_errors(void **state)
{
  (void)state;
  expect_bad("{\"name\":\"x\"}", "image: missing");
  expect_bad("{\"image\":\"ubi\",\"colour\":1}", "colour: unknown field");
  expect_bad("{\"image\":\"ubi\",\"memory_bytes\":-1}", "memory_bytes: expected a non-negative");
  expect_bad("{\"image\":\"ubi\",\"command\":\"top\"}", "command: expected an array");
  expect_bad("{\"image\":\"ubi\",\"command\":[\"a\",1]}", "command[1]: expected a string");
  expect_bad("{\"image\":\"ubi\",\"seccomp_profile\":\"rel.json\"}", "must be an absolute path");
  expect_bad("{\"image\":\"ubi\",\"volumes\":[{\"host\":\"srv\",\"ctr\":\"/d\"}]}",
             "volumes[0].host: must be an absolute path");
  expect_bad("{\"image\":\"ubi\",\"volumes\":[{\"ctr\":\"/d\"}]}", "volumes[0]: host: missing");
  expect_bad("{\"image\":\"ubi\",\"net\":\"slirp4netns\"}",
             "expected bridge, private, none or host");
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_ipam_parse),
               cmocka_unit_test_setup_teardown(test_ipam_lowest_free_and_full, setup, teardown),
               cmocka_unit_test(test_spec_full), cmocka_unit_test(test_spec_net),
               cmocka_unit_test(test_spec_errors))
