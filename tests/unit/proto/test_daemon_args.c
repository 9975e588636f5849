/* proto/daemon-args: parse(to_argv(x)) == x for each daemon's options, and
 * every error message pinned. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "unit-test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon-args.h"
#include "proto-test.h"

static int count(char **v)
{
  int n = 0;
  while (v[n] != NULL)
    n++;
  return n;
}

/* Parses a copy of argv (getopt permutes it). */
#define PARSE(fn, argv, out, err) fn(count(argv), copy_argv(argv), out, err)
/* A NULL-terminated argv of string literals. */
#define A(...) ((char **)(const char *[]){__VA_ARGS__, NULL})
/* A string literal as a struct's char * (the struct is only read). */
static char **copies[16];
static size_t n_copies;

static char **copy_argv(char **argv)
{
  int n = count(argv);
  char **c = calloc((size_t)n + 1, sizeof *c);
  assert_non_null(c);
  memcpy(c, argv, (size_t)n * sizeof *c);
  if (n_copies < sizeof copies / sizeof copies[0])
    copies[n_copies++] = c;
  return c;
}

static int teardown(void **state)
{
  for (size_t i = 0; i < n_copies; i++)
    free(copies[i]);
  n_copies = 0;
  return 0;
}

/* ---- nodelab-init ---- */

static void assert_init_eq(const struct init_args *a, const struct init_args *b)
{
  assert_str_eq(a->name, b->name);
  assert_str_eq(a->address, b->address);
  assert_int_equal(a->fabric, b->fabric);
}

static void init_round_trip(const struct init_args *x)
{
  char **argv = init_args_to_argv(x, "/bin/nodelab-init");
  assert_string_equal(argv[0], "/bin/nodelab-init");
  struct init_args y;
  struct lab_error *err = NULL;
  assert_int_equal(PARSE(init_args_parse, argv, &y, &err), 0);
  assert_init_eq(x, &y);
  init_args_free(&y);
  daemon_argv_free(argv);
}

static void test_init_round_trip(void **state)
{
  init_round_trip(&(struct init_args){.name = S("node1"), .address = S("192.168.122.201/24")});
  init_round_trip(&(struct init_args){.name = S("fabric"), .fabric = true});
  char **argv =
      init_args_to_argv(&(struct init_args){.name = S("n1"), .address = S("1.2.3.4/8")}, "i");
  assert_int_equal(count(argv), 5);
  assert_string_equal(argv[1], "--name");
  assert_string_equal(argv[2], "n1");
  assert_string_equal(argv[3], "--address");
  assert_string_equal(argv[4], "1.2.3.4/8");
  daemon_argv_free(argv);
}

static void init_error(char **argv, const char *msg)
{
  struct init_args y;
  struct lab_error *err = NULL;
  assert_int_equal(PARSE(init_args_parse, argv, &y, &err), -1);
  assert_error_msg(&err, msg);
  assert_null(y.name);
}

static void test_init_errors(void **state)
{
  init_error(A("i"), "nodelab-init: --name is required");
  init_error(A("i", "--fabric"), "nodelab-init: --name is required");
  init_error(A("i", "--name"), "nodelab-init: --name needs a value");
  init_error(A("i", "--nmae", "x"), "nodelab-init: unknown option --nmae");
  init_error(A("i", "--name", "x", "extra"), "nodelab-init: unexpected argument extra");
}

/* ---- nodelab-netd ---- */

static void assert_netd_eq(const struct netd_args *a, const struct netd_args *b)
{
  assert_int_equal(a->mode, b->mode);
  assert_str_eq(a->db_file, b->db_file);
  assert_str_eq(a->schema, b->schema);
  assert_str_eq(a->node, b->node);
  assert_str_eq(a->subnet, b->subnet);
  assert_str_eq(a->underlay, b->underlay);
  assert_str_eq(a->cluster, b->cluster);
  assert_str_eq(a->phys_if, b->phys_if);
  assert_str_eq(a->db, b->db);
  assert_str_eq(a->ovs_rundir, b->ovs_rundir);
  assert_str_eq(a->ctl, b->ctl);
  assert_int_equal(a->mtu, b->mtu);
  assert_int_equal(a->print_flows, b->print_flows);
  assert_int_equal(a->n_remotes, b->n_remotes);
  for (size_t i = 0; i < a->n_remotes; i++) {
    assert_string_equal(a->remotes[i].name, b->remotes[i].name);
    assert_string_equal(a->remotes[i].subnet, b->remotes[i].subnet);
    assert_string_equal(a->remotes[i].underlay, b->remotes[i].underlay);
  }
}

static void netd_round_trip(const struct netd_args *x)
{
  char **argv = netd_args_to_argv(x, "nodelab-netd");
  struct netd_args y;
  struct lab_error *err = NULL;
  int rc = PARSE(netd_args_parse, argv, &y, &err);
  if (rc < 0)
    fprintf(stderr, "%s\n", err->msg);
  assert_int_equal(rc, 0);
  assert_netd_eq(x, &y);
  netd_args_free(&y);
  daemon_argv_free(argv);
}

static void test_netd_round_trip(void **state)
{
  struct netd_args full = {.node = strdup("node1"),
                           .subnet = strdup("10.1.1.0/24"),
                           .underlay = strdup("192.168.122.202/24"),
                           .cluster = strdup("10.1.0.0/16"),
                           .phys_if = strdup("eth1"),
                           .db = strdup("unix:/tmp/db.sock"),
                           .ovs_rundir = strdup("/tmp/ovs"),
                           .ctl = strdup("/run/nodelab-netd.ctl"),
                           .mtu = 1400,
                           .print_flows = true};
  netd_args_add_remote(&full, "node2", "10.1.2.0/24", "192.168.122.203");
  netd_args_add_remote(&full, "node3", "10.1.3.0/24", "192.168.122.204");
  netd_round_trip(&full);
  netd_args_free(&full);
  netd_round_trip(&(struct netd_args){
      .node = S("n"), .subnet = S("10.1.1.0/24"), .underlay = S("192.168.122.201/24")});
  netd_round_trip(&(struct netd_args){.mode = NETD_ARGS_CREATE_DB, .db_file = S("/etc/conf.db")});
  netd_round_trip(&(struct netd_args){.mode = NETD_ARGS_CREATE_DB,
                                      .db_file = S("/etc/conf.db"),
                                      .schema = S("/usr/vswitch.ovsschema")});
  netd_round_trip(&(struct netd_args){.mode = NETD_ARGS_HELP});

  /* The remote's wire form. */
  struct netd_args one = {.node = strdup("a"),
                          .subnet = strdup("10.1.1.0/24"),
                          .underlay = strdup("192.168.122.201/24")};
  netd_args_add_remote(&one, "b", "10.1.2.0/24", "192.168.122.202");
  char **argv = netd_args_to_argv(&one, "netd");
  int n = count(argv);
  assert_string_equal(argv[n - 2], "--remote");
  assert_string_equal(argv[n - 1], "b=10.1.2.0/24@192.168.122.202");
  daemon_argv_free(argv);
  netd_args_free(&one);
}

static void netd_error(char **argv, const char *msg)
{
  struct netd_args y;
  struct lab_error *err = NULL;
  assert_int_equal(PARSE(netd_args_parse, argv, &y, &err), -1);
  assert_error_msg(&err, msg);
  assert_null(y.node);
  assert_int_equal(y.n_remotes, 0);
}

static void test_netd_errors(void **state)
{
  static const char required[] = "nodelab-netd: --node, --subnet and --underlay are required";
  netd_error(A("netd"), required);
  netd_error(A("netd", "--node", "n", "--subnet", "10.1.1.0/24"), required);
  netd_error(A("netd", "--mtu", "100"), "nodelab-netd: --mtu 100: expected 576..9000");
  netd_error(A("netd", "--mtu", "15x"), "nodelab-netd: --mtu 15x: expected 576..9000");
  netd_error(A("netd", "--remote", "n2"), "nodelab-netd: --remote \"n2\": expected NAME=CIDR@ADDR");
  netd_error(A("netd", "--remote", "=10.1.2.0/24@1.2.3.4"),
             "nodelab-netd: --remote \"=10.1.2.0/24@1.2.3.4\": expected NAME=CIDR@ADDR");
  netd_error(A("netd", "--remote", "n2=10.1.2.0/24@"),
             "nodelab-netd: --remote \"n2=10.1.2.0/24@\": expected NAME=CIDR@ADDR");
  netd_error(A("netd", "--node", "a", "--remote", "b=@1.2.3.4"),
             "nodelab-netd: --remote \"b=@1.2.3.4\": expected NAME=CIDR@ADDR");
  netd_error(A("netd", "--bogus"), "nodelab-netd: unknown option --bogus");
  netd_error(A("netd", "--ctl"), "nodelab-netd: --ctl needs a value");
  netd_error(A("netd", "--node", "n", "stray"), "nodelab-netd: unexpected argument stray");
  netd_error(A("netd", "--create-db"), "nodelab-netd: usage: --create-db FILE [SCHEMA]");
  netd_error(A("netd", "--create-db", "a", "b", "c"),
             "nodelab-netd: usage: --create-db FILE [SCHEMA]");
}

/* ---- nodelab-runtime serve ---- */

static void assert_serve_eq(const struct runtime_serve_args *a, const struct runtime_serve_args *b)
{
  assert_str_eq(a->socket, b->socket);
  assert_str_eq(a->root, b->root);
  assert_str_eq(a->cgroup_parent, b->cgroup_parent);
  assert_str_eq(a->cgroup_root, b->cgroup_root);
  assert_str_eq(a->node, b->node);
  assert_str_eq(a->subnet, b->subnet);
  assert_str_eq(a->gateway, b->gateway);
  assert_int_equal(a->mtu, b->mtu);
  assert_str_eq(a->netd, b->netd);
  assert_str_eq(a->busybox, b->busybox);
}

static void serve_round_trip(const struct runtime_serve_args *x)
{
  char **argv = runtime_serve_args_to_argv(x, "/usr/bin/nodelab-runtime");
  assert_string_equal(argv[0], "/usr/bin/nodelab-runtime");
  assert_string_equal(argv[1], "serve");
  struct runtime_serve_args y;
  struct lab_error *err = NULL;
  /* The runtime parses from its verb on. */
  assert_int_equal(PARSE(runtime_serve_args_parse, argv + 1, &y, &err), 0);
  assert_serve_eq(x, &y);
  runtime_serve_args_free(&y);
  daemon_argv_free(argv);
}

static void test_serve_round_trip(void **state)
{
  serve_round_trip(&(struct runtime_serve_args){0});
  serve_round_trip(&(struct runtime_serve_args){.socket = S("/run/nodelab/runtime.sock"),
                                                .root = S("/var/lib/nodelab"),
                                                .cgroup_parent = S("nodelab/lab/node1"),
                                                .cgroup_root = S("/sys/fs/cgroup"),
                                                .node = S("node1"),
                                                .subnet = S("10.1.1.0/24"),
                                                .gateway = S("10.1.1.1"),
                                                .mtu = 1450,
                                                .netd = S("/run/nodelab-netd.ctl"),
                                                .busybox = S("/bin/busybox")});
}

static void serve_error(char **argv, const char *msg)
{
  struct runtime_serve_args y;
  struct lab_error *err = NULL;
  assert_int_equal(PARSE(runtime_serve_args_parse, argv, &y, &err), -1);
  assert_error_msg(&err, msg);
  assert_null(y.socket);
}

static void test_serve_errors(void **state)
{
  serve_error(A("serve", "--socket", "s", "--mtu", "0"),
              "nodelab-runtime serve: --mtu 0: expected 1..65535");
  serve_error(A("serve", "--mtu", ""), "nodelab-runtime serve: --mtu : expected 1..65535");
  serve_error(A("serve", "--root"), "nodelab-runtime serve: --root needs a value");
  serve_error(A("serve", "--sock", "x", "--socket", "y", "--frob"),
              "nodelab-runtime serve: unknown option --frob");
  serve_error(A("serve", "now"), "nodelab-runtime serve: unexpected argument now");
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test_teardown(test_init_round_trip, teardown),
               cmocka_unit_test_teardown(test_init_errors, teardown),
               cmocka_unit_test_teardown(test_netd_round_trip, teardown),
               cmocka_unit_test_teardown(test_netd_errors, teardown),
               cmocka_unit_test_teardown(test_serve_round_trip, teardown),
               cmocka_unit_test_teardown(test_serve_errors, teardown))
