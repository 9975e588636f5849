/* nodelab-netd's configuration from its command line (netd/netd-config.c):
 * the flags' syntax is proto/daemon-args.c's, tested in
 * tests/unit/proto/test_daemon_args.c; here, the addresses and defaults. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit-test.h"

#include "daemon-args.h"
#include "netd-config.h"

/* getopt wants char *argv[]; string literals are const under -Wwrite-strings. */
struct args {
  int argc;
  char *argv[32];
};

static struct args *mkargs(const char *const *list)
{
  static struct args a;
  for (int i = 0; i < a.argc; i++)
    free(a.argv[i]);
  a.argc = 0;
  while (list[a.argc] != NULL) {
    a.argv[a.argc] = strdup(list[a.argc]);
    a.argc++;
  }
  a.argv[a.argc] = NULL;
  return &a;
}

/* Parses list with the one parser of netd's flags, then makes the config. */
static int config_parse(const char *const *list, struct netd_config *cfg, struct lab_error **err)
{
  struct args *a = mkargs(list);
  struct netd_args args;
  if (netd_args_parse(a->argc, a->argv, &args, err) < 0) {
    *cfg = (struct netd_config){0};
    return -1;
  }
  int rc = netd_config_from_args(&args, cfg, err);
  netd_args_free(&args);
  return rc;
}

static void test_full_command_line(void **state)
{
  (void)state;
  const char *argv[] = {"nodelab-netd",
                        "--node",
                        "node1",
                        "--subnet",
                        "10.1.1.0/24",
                        "--underlay",
                        "192.168.122.202/24",
                        "--remote",
                        "node2=10.1.2.0/24@192.168.122.203",
                        "--remote",
                        "node3=10.1.3.0/24@192.168.122.204",
                        "--ctl",
                        "/tmp/x.ctl",
                        NULL};
  struct netd_config cfg;
  struct lab_error *err = NULL;
  assert_int_equal(config_parse(argv, &cfg, &err), 0);
  assert_string_equal(cfg.node, "node1");
  assert_int_equal(cfg.subnet, 0x0a010100);
  assert_int_equal(cfg.prefix, 24);
  assert_int_equal(cfg.underlay, 0xc0a87aca);
  assert_int_equal(cfg.underlay_prefix, 24);
  assert_int_equal(cfg.cluster, 0x0a010000);
  assert_int_equal(cfg.cluster_prefix, 16);
  assert_int_equal(cfg.mtu, 1450);
  assert_string_equal(cfg.ctl_path, "/tmp/x.ctl");
  assert_string_equal(cfg.db, "unix:/run/openvswitch/db.sock");
  assert_int_equal(cfg.n_remotes, 2);
  assert_string_equal(cfg.remotes[1].name, "node3");
  assert_int_equal(cfg.remotes[1].subnet, 0x0a010300);
  assert_int_equal(cfg.remotes[1].underlay, 0xc0a87acc);
  netd_config_free(&cfg);
}

static void expect_bad(const char *const *list, const char *needle)
{
  struct netd_config cfg;
  struct lab_error *err = NULL;
  assert_int_equal(config_parse(list, &cfg, &err), -1);
  netd_config_free(&cfg);
  assert_non_null(err);
  if (strstr(err->msg, needle) == NULL)
    fail_msg("\"%s\" lacks \"%s\"", err->msg, needle);
  lab_error_clear(&err);
}

static void test_errors(void **state)
{
  (void)state;
  const char *missing[] = {"nodelab-netd", "--node", "n", NULL};
  expect_bad(missing, "required");
  const char *bad_remote[] = {"nodelab-netd", "--remote", "node2=10.1.2.0/24", NULL};
  expect_bad(bad_remote, "NAME=CIDR@ADDR");
#define REQUIRED "--node", "n", "--underlay", "192.168.122.202/24"
  const char *bad_addr[] = {"nodelab-netd", REQUIRED, "--subnet", "10.1.300.0/24", NULL};
  expect_bad(bad_addr, "--subnet: \"10.1.300.0/24\": not an IPv4 address");
  const char *no_prefix[] = {"nodelab-netd", REQUIRED, "--subnet", "10.1.3.0", NULL};
  expect_bad(no_prefix, "--subnet: \"10.1.3.0\": a prefix length (/N) is needed");
  const char *bad_cluster[] = {"nodelab-netd", REQUIRED,      "--subnet", "10.1.3.0/24",
                               "--cluster",    "10.1.0.0/33", NULL};
  expect_bad(bad_cluster, "--cluster: \"10.1.0.0/33\": bad prefix length");
  const char *bad_remote_ip[] = {
      "nodelab-netd",         REQUIRED, "--subnet", "10.1.3.0/24", "--remote",
      "n2=10.1.2.0/24@1.2.3", NULL};
  expect_bad(bad_remote_ip, "--remote n2=10.1.2.0/24@1.2.3: \"1.2.3\": not an IPv4 address");
#undef REQUIRED
  const char *bad_mtu[] = {"nodelab-netd", "--mtu", "12", NULL};
  expect_bad(bad_mtu, "--mtu");
  const char *unknown[] = {"nodelab-netd", "--frobnicate", NULL};
  expect_bad(unknown, "--frobnicate");
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_full_command_line), cmocka_unit_test(test_errors))
