/* The verb table and the command-line parser (pure: no daemon, no output). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit-test.h"

#include "cli.h"

/* Parses "nodelab" and the words of ap (up to a NULL). */
static enum cli_parse_result vparse(struct cli_invocation *inv, char **message, va_list ap)
{
  static char *argv[64];
  int argc = 0;
  argv[argc++] = (char *)"nodelab";
  for (char *w; (w = va_arg(ap, char *)) != NULL;)
    argv[argc++] = w;
  argv[argc] = NULL;
  return cli_parse(cli_verbs, cli_n_verbs, argc, argv, inv, message);
}

/* Parses a command line given as a NULL-terminated list of words. */
static enum cli_parse_result parse(struct cli_invocation *inv, char **message, ...)
{
  va_list ap;
  va_start(ap, message);
  enum cli_parse_result r = vparse(inv, message, ap);
  va_end(ap);
  return r;
}

static void test_table_complete(void **state)
{
  /* Every verb nodelab promises (the README's tour and the issues that added
   * them) is in the one table. */
  static const char *const contract[] = {
      "validate", "up",    "down",     "ls",   "status", "exec",    "shell",   "ps",   "run",
      "create",   "start", "stop",     "kill", "rm",     "mount",   "inspect", "logs", "image",
      "fault",    "check", "exercise", "test", "graph",  "service", "pod",     NULL};
  for (size_t i = 0; contract[i]; i++) {
    const struct cli_verb *v = cli_find_verb(cli_verbs, cli_n_verbs, contract[i]);
    if (v == NULL)
      fail_msg("verb %s missing from the table", contract[i]);
  }
  char *global = cli_global_help(cli_verbs, cli_n_verbs);
  for (size_t i = 0; i < cli_n_verbs; i++) {
    const struct cli_verb *v = &cli_verbs[i];
    assert_non_null(v->handler);
    assert_non_null(v->usage);
    assert_true(v->summary != NULL && strlen(v->summary) > 10);
    assert_true(v->max_args < 0 || v->max_args >= v->min_args);
    /* Names are unique, and the global help lists each with its summary. */
    assert_ptr_equal(cli_find_verb(cli_verbs, cli_n_verbs, v->name), v);
    char line[160];
    snprintf(line, sizeof line, "  %-10s %s\n", v->name, v->summary);
    if (strstr(global, line) == NULL)
      fail_msg("global help lacks the line for %s", v->name);
    /* Each verb's help shows its usage and every option. */
    char *help = cli_verb_help(v);
    char usage[256];
    snprintf(usage, sizeof usage, "Usage: nodelab %s %s\n", v->name, v->usage);
    assert_non_null(strstr(help, usage));
    for (int o = 0; o < CLI_MAX_OPTIONS && v->options[o].name; o++) {
      char opt[64];
      snprintf(opt, sizeof opt, "--%s", v->options[o].name);
      assert_non_null(strstr(help, opt));
      assert_non_null(v->options[o].help);
    }
    assert_non_null(strstr(help, "-h, --help"));
    free(help);

    /* `nodelab VERB --help` parses to the verb's help whatever else is missing. */
    struct cli_invocation inv;
    char *msg;
    assert_int_equal(parse(&inv, &msg, v->name, "--help", NULL), CLI_PARSE_HELP);
    assert_ptr_equal(inv.verb, v);
    assert_null(msg);
    cli_invocation_release(&inv);
  }
  free(global);
}

static void test_global(void **state)
{
  struct cli_invocation inv;
  char *msg;
  assert_int_equal(parse(&inv, &msg, "--help", NULL), CLI_PARSE_HELP);
  assert_null(inv.verb);
  assert_int_equal(parse(&inv, &msg, "--version", NULL), CLI_PARSE_VERSION);
  assert_int_equal(parse(&inv, &msg, "help", "status", NULL), CLI_PARSE_HELP);
  assert_string_equal(inv.verb->name, "status");

  assert_int_equal(parse(&inv, &msg, NULL), CLI_PARSE_USAGE);
  assert_non_null(strstr(msg, "nodelab: no verb given"));
  free(msg);
  assert_int_equal(parse(&inv, &msg, "frobnicate", NULL), CLI_PARSE_USAGE);
  assert_non_null(strstr(msg, "nodelab: unknown verb 'frobnicate'"));
  free(msg);
  assert_int_equal(parse(&inv, &msg, "--frob", "ls", NULL), CLI_PARSE_USAGE);
  assert_non_null(strstr(msg, "unknown global option '--frob'"));
  free(msg);
}

static void test_service_args(void **state)
{
  struct cli_invocation inv;
  char *msg;
  assert_int_equal(parse(&inv, &msg, "service", "node1", "restart", "netd", "--json", NULL),
                   CLI_PARSE_RUN);
  assert_string_equal(inv.verb->name, "service");
  assert_int_equal(inv.argc, 3);
  assert_string_equal(inv.argv[2], "netd");
  assert_true(cli_flag(&inv, "json"));
  cli_invocation_release(&inv);
  assert_int_equal(parse(&inv, &msg, "service", "node1", NULL), CLI_PARSE_USAGE);
  free(msg);
  cli_invocation_release(&inv); /* a usage error leaves the verb's arrays to release */
  assert_int_equal(parse(&inv, &msg, "pod", "start", "node1/web", "--lab", "l", NULL),
                   CLI_PARSE_RUN);
  assert_string_equal(cli_opt(&inv, "lab"), "l");
  cli_invocation_release(&inv);
}

static void test_exec_command(void **state)
{
  struct cli_invocation inv;
  char *msg;
  assert_int_equal(parse(&inv, &msg, "exec", "node1", "--", "ip", "-br", "addr", NULL),
                   CLI_PARSE_RUN);
  assert_string_equal(inv.verb->name, "exec");
  assert_int_equal(inv.argc, 1);
  assert_string_equal(inv.argv[0], "node1");
  assert_int_equal(inv.cmd_argc, 3);
  assert_string_equal(inv.cmd_argv[0], "ip");
  assert_string_equal(inv.cmd_argv[1], "-br");
  assert_string_equal(inv.cmd_argv[2], "addr");
  assert_null(inv.cmd_argv[3]);
  assert_null(cli_opt(&inv, "lab"));
  cli_invocation_release(&inv);

  /* Options before the node; the command's own options are not ours. */
  assert_int_equal(
      parse(&inv, &msg, "exec", "--lab", "lab2", "node2", "ovs-ofctl", "-O", "OpenFlow13", NULL),
      CLI_PARSE_RUN);
  assert_string_equal(cli_opt(&inv, "lab"), "lab2");
  assert_string_equal(inv.argv[0], "node2");
  assert_int_equal(inv.cmd_argc, 3);
  assert_string_equal(inv.cmd_argv[1], "-O");
  cli_invocation_release(&inv);

  /* "--" inside the command is the command's. */
  assert_int_equal(parse(&inv, &msg, "exec", "-l", "x", "n", "--", "sh", "--", "-c", NULL),
                   CLI_PARSE_RUN);
  assert_int_equal(inv.cmd_argc, 3);
  assert_string_equal(inv.cmd_argv[1], "--");
  cli_invocation_release(&inv);

  /* No command: parsed, and the handler reports it (exit 2). */
  assert_int_equal(parse(&inv, &msg, "exec", "node1", NULL), CLI_PARSE_RUN);
  assert_int_equal(inv.cmd_argc, 0);
  assert_null(inv.cmd_argv);
  cli_invocation_release(&inv);

  assert_int_equal(parse(&inv, &msg, "exec", NULL), CLI_PARSE_USAGE);
  assert_non_null(strstr(msg, "nodelab exec: missing argument: expected at least 1, got 0"));
  free(msg);
  cli_invocation_release(&inv);
}

static void test_options(void **state)
{
  struct cli_invocation inv;
  char *msg;
  assert_int_equal(parse(&inv, &msg, "up", "lab.yaml", "--name", "mine", NULL), CLI_PARSE_RUN);
  assert_string_equal(inv.argv[0], "lab.yaml");
  assert_string_equal(cli_opt(&inv, "name"), "mine");
  assert_false(cli_flag(&inv, "json"));
  cli_invocation_release(&inv);

  assert_int_equal(parse(&inv, &msg, "up", "--name=other", "--json", NULL), CLI_PARSE_RUN);
  assert_int_equal(inv.argc, 0);
  assert_string_equal(cli_opt(&inv, "name"), "other");
  assert_true(cli_flag(&inv, "json"));
  cli_invocation_release(&inv);

  assert_int_equal(parse(&inv, &msg, "up", "-nshort", NULL), CLI_PARSE_RUN);
  assert_string_equal(cli_opt(&inv, "name"), "short");
  cli_invocation_release(&inv);

  assert_int_equal(parse(&inv, &msg, "ps", "-aZ", "--json", NULL), CLI_PARSE_RUN);
  assert_true(cli_flag(&inv, "all"));
  assert_true(cli_flag(&inv, "context"));
  assert_true(cli_flag(&inv, "json"));
  cli_invocation_release(&inv);

  assert_int_equal(parse(&inv, &msg, "down", "--force", NULL), CLI_PARSE_RUN);
  assert_true(cli_flag(&inv, "force"));
  assert_int_equal(inv.argc, 0);
  cli_invocation_release(&inv);

  /* "--" ends options: a file may start with a dash. */
  assert_int_equal(parse(&inv, &msg, "validate", "--", "-odd.yaml", NULL), CLI_PARSE_RUN);
  assert_string_equal(inv.argv[0], "-odd.yaml");
  cli_invocation_release(&inv);
}

static void expect_usage(const char *fragment, ...)
{
  va_list ap;
  va_start(ap, fragment);
  struct cli_invocation inv;
  char *msg = NULL;
  enum cli_parse_result r = vparse(&inv, &msg, ap);
  va_end(ap);
  assert_int_equal(r, CLI_PARSE_USAGE);
  assert_non_null(msg);
  if (strstr(msg, fragment) == NULL)
    fail_msg("\"%s\" lacks \"%s\"", msg, fragment);
  /* Every usage message shows the verb's usage line. */
  if (inv.verb != NULL) {
    char usage[256];
    snprintf(usage, sizeof usage, "Usage: nodelab %s %s", inv.verb->name, inv.verb->usage);
    assert_non_null(strstr(msg, usage));
  }
  free(msg);
  cli_invocation_release(&inv);
}

static void test_usage_errors(void **state)
{
  expect_usage("nodelab up: unknown option '--nmae'", "up", "--nmae", "x", NULL);
  expect_usage("nodelab up: option '--name' needs a value (LAB)", "up", "--name", NULL);
  expect_usage("nodelab up: unexpected argument 'b.yaml' (takes at most 1)", "up", "a.yaml",
               "b.yaml", NULL);
  expect_usage("nodelab down: option '--force' takes no value", "down", "--force=yes", NULL);
  expect_usage("nodelab ls: unknown option '-x'", "ls", "-x", NULL);
  expect_usage("nodelab ls: unexpected argument 'extra'", "ls", "extra", NULL);
  expect_usage("nodelab validate: missing argument", "validate", NULL);
  expect_usage("nodelab shell: missing argument", "shell", NULL);
  expect_usage("nodelab exec: option '-l' needs a value (LAB)", "exec", "-l", NULL);
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_table_complete), cmocka_unit_test(test_global),
               cmocka_unit_test(test_service_args), cmocka_unit_test(test_exec_command),
               cmocka_unit_test(test_options), cmocka_unit_test(test_usage_errors))
