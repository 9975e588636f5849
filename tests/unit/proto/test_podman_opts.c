/* proto/podman-opts.h: podman's run/create options, once for the CLI and
 * the runtime; every refusal pinned. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit-test.h"

#include "podman-opts.h"

/* A mutable argv {"run", ..., NULL} of copies (getopt may permute it). */
static char **args_v(int *argc, const char *const *in)
{
  int n = 0;
  while (in[n] != NULL)
    n++;
  char **v = calloc((size_t)n + 2, sizeof *v);
  v[0] = strdup("run");
  for (int i = 0; i < n; i++)
    v[i + 1] = strdup(in[i]);
  *argc = n + 1;
  return v;
}
#define ARGS(argc, ...) args_v(argc, (const char *const[]){__VA_ARGS__, NULL})

static void args_free(char **v)
{
  for (size_t i = 0; v[i] != NULL; i++)
    free(v[i]);
  free(v);
}

static void test_everything(void **state)
{
  (void)state;
  const char *node = NULL, *lab = NULL;
  const struct podman_extra_opt extra[] = {
      {"node", true, &node}, {"lab", true, &lab}, {NULL, false, NULL}};
  int argc;
  char **argv = ARGS(&argc, "-d", "--rm", "-it", "--name", "web", "-e", "A=1", "--env", "B=2", "-v",
                     "/srv:/data:Z,ro", "--volume", "rel:/r", "-m", "32Mi", "--cpus", "500m",
                     "--pids-limit", "64", "--security-opt", "seccomp=/p/chmod.json", "--network",
                     "host", "--hostname", "h", "--pod", "p", "--privileged", "--entrypoint",
                     "/bin/sh", "--node", "node1", "ubi", "top", "-b");
  struct podman_run_opts o;
  struct lab_error *err = NULL;
  assert_int_equal(podman_run_opts_parse(argc, argv, extra, &o, &err), 0);
  const struct rt_rpc_spec *s = &o.run.spec;
  assert_true(o.run.detach && o.run.rm && o.run.tty && o.interactive);
  assert_string_equal(s->name, "web");
  assert_string_equal(s->env[0], "A=1");
  assert_string_equal(s->env[1], "B=2");
  assert_null(s->env[2]);
  assert_int_equal(s->n_volumes, 2);
  assert_string_equal(s->volumes[0].host, "/srv");
  assert_string_equal(s->volumes[0].ctr, "/data");
  assert_true(s->volumes[0].relabel && s->volumes[0].readonly);
  char cwd[4096];
  assert_non_null(getcwd(cwd, sizeof cwd));
  assert_int_equal(strncmp(s->volumes[1].host, cwd, strlen(cwd)), 0); /* made absolute */
  assert_string_equal(s->volumes[1].host + strlen(cwd), "/rel");
  assert_int_equal(s->memory_bytes, 32 * 1024 * 1024);
  assert_int_equal(s->cpu_millis, 500);
  assert_int_equal(s->pids, 64);
  assert_string_equal(s->seccomp_profile, "/p/chmod.json");
  assert_int_equal(s->net, RT_NET_HOST);
  assert_string_equal(s->hostname, "h");
  assert_string_equal(s->pod, "p");
  assert_true(s->privileged);
  assert_string_equal(s->entrypoint[0], "/bin/sh");
  assert_null(s->entrypoint[1]);
  assert_string_equal(node, "node1");
  assert_null(lab);
  assert_string_equal(s->image, "ubi");
  assert_string_equal(s->command[0], "top");
  assert_string_equal(s->command[1], "-b"); /* after the image: the command's own */
  assert_null(s->command[2]);
  podman_run_opts_clear(&o);
  args_free(argv);
}

static void test_cpus(void **state)
{
  (void)state;
  static const struct {
    const char *arg;
    int ok;
    uint64_t millis;
  } cases[] = {{"0.5", 0, 500}, {"500m", 0, 500}, {"2", 0, 2000}, {"1.25", 0, 1250},
               {"0", 0, 0},     {"x", -1, 0},     {"-1", -1, 0},  {"5mm", -1, 0},
               {"m", -1, 0},    {"", -1, 0},      {"-5m", -1, 0}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    uint64_t m = 0;
    int rc = podman_parse_cpus(cases[i].arg, &m);
    if (rc != cases[i].ok || (rc == 0 && m != cases[i].millis))
      fail_msg("--cpus %s: rc %d, %llu", cases[i].arg, rc, (unsigned long long)m);
  }
}

static void expect_bad(char **argv, int argc, const char *msg)
{
  struct podman_run_opts o;
  struct lab_error *err = NULL;
  assert_int_equal(podman_run_opts_parse(argc, argv, NULL, &o, &err), -1);
  if (strcmp(err->msg, msg) != 0)
    fail_msg("got '%s', want '%s'", err->msg, msg);
  lab_error_clear(&err);
  assert_null(o.run.spec.image);
  args_free(argv);
}

static void test_refusals(void **state)
{
  (void)state;
  static const struct {
    const char *args[4];
    const char *msg;
  } cases[] = {
      {{"--cpus", "lots", "ubi", NULL}, "--cpus lots: expected a number such as 0.5 or 500m"},
      {{"--memory", "lots", "ubi", NULL}, "--memory lots: expected a size such as 32Mi, 64m or 1g"},
      {{"--pids-limit", "-3", "ubi", NULL}, "--pids-limit -3: expected a count"},
      {{"--network", "slirp4netns", "ubi", NULL},
       "--network slirp4netns: expected bridge, none or host"},
      {{"--security-opt", "label=disable", "ubi", NULL},
       "--security-opt label=disable: only seccomp=FILE|unconfined is supported"},
      {{"-v", "/srv", "ubi", NULL}, "-v /srv: expected HOST-PATH:CONTAINER-PATH[:Z][:ro]"},
      {{"-v", "/srv:data", "ubi", NULL},
       "-v /srv:data: expected HOST-PATH:CONTAINER-PATH[:Z][:ro]"},
      {{"-v", "/srv:/data:q", "ubi", NULL},
       "-v /srv:/data:q: unknown option q (expected Z, ro or rw)"},
      {{"--colour", "ubi", NULL}, "unknown option --colour"},
      {{"--name", NULL}, "option --name needs a value"},
      {{"-d", NULL}, "missing IMAGE"},
      /* --node is the CLI's, not podman's */
      {{"--node", "n1", "ubi", NULL}, "unknown option --node"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int argc;
    char **v = args_v(&argc, cases[i].args);
    expect_bad(v, argc, cases[i].msg);
  }
}

static void test_network_modes(void **state)
{
  (void)state;
  static const char *const modes[] = {"bridge", "private", "none", "host"};
  for (size_t i = 0; i < 4; i++) {
    int argc;
    char **argv = ARGS(&argc, "--net", modes[i], "ubi");
    struct podman_run_opts o;
    struct lab_error *err = NULL;
    assert_int_equal(podman_run_opts_parse(argc, argv, NULL, &o, &err), 0);
    assert_string_equal(rt_rpc_net_name(o.run.spec.net), modes[i]);
    podman_run_opts_clear(&o);
    args_free(argv);
  }
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_everything), cmocka_unit_test(test_cpus),
               cmocka_unit_test(test_refusals), cmocka_unit_test(test_network_modes))
