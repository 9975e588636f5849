/* proto/netd-ctl.h: netd's control messages, to_argv -> from_argv round
 * trips, the reply's format -> parse, and every refusal message pinned. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unit-test.h"

#include "netd-ctl.h"

static int argc_of(const char *const argv[])
{
  int n = 0;
  while (argv[n] != NULL)
    n++;
  return n;
}

/* Decoding fails with exactly message `want`. */
#define assert_refused(call, want)                                                                 \
  do {                                                                                             \
    struct lab_error *err_ = NULL;                                                                 \
    assert_int_equal((call), -1);                                                                  \
    assert_non_null(err_);                                                                         \
    assert_string_equal(err_->msg, (want));                                                        \
    lab_error_clear(&err_);                                                                        \
  } while (0)

static void test_pod_add_round_trip(void **state)
{
  (void)state;
  struct netd_pod_add in = {.name = "web", .netns = "/proc/42/ns/net", .ip = "10.1.1.2"}, out;
  const char *argv[NETD_CTL_ARGV_MAX];
  int argc = netd_ctl_pod_add_to_argv(&in, argv);
  assert_int_equal(argc, 1 + NETD_CTL_POD_ADD_ARGS);
  assert_int_equal(argc_of(argv), argc);
  assert_string_equal(argv[0], NETD_CTL_POD_ADD);
  assert_string_equal(argv[0], "netd/pod-add");
  struct lab_error *err = NULL;
  assert_int_equal(netd_ctl_pod_add_from_argv(argc, argv, &out, &err), 0);
  assert_null(err);
  assert_string_equal(out.name, in.name);
  assert_string_equal(out.netns, in.netns);
  assert_string_equal(out.ip, in.ip);

  /* A PID as the namespace, a name of the longest length. */
  char longest[NETD_CTL_POD_NAME_MAX + 1];
  memset(longest, 'n', NETD_CTL_POD_NAME_MAX);
  longest[NETD_CTL_POD_NAME_MAX] = '\0';
  in = (struct netd_pod_add){.name = longest, .netns = "42", .ip = "10.1.1.3"};
  argc = netd_ctl_pod_add_to_argv(&in, argv);
  assert_int_equal(netd_ctl_pod_add_from_argv(argc, argv, &out, &err), 0);
  assert_string_equal(out.name, longest);
  assert_string_equal(out.netns, "42");
}

static void test_pod_add_refused(void **state)
{
  (void)state;
  struct netd_pod_add out;
  char toolong[NETD_CTL_POD_NAME_MAX + 2];
  memset(toolong, 'n', sizeof toolong - 1);
  toolong[sizeof toolong - 1] = '\0';
  char want[512];
  snprintf(want, sizeof want, "pod name \"%s\": expected 1 to 253 characters: Invalid argument",
           toolong);
  assert_refused(
      netd_ctl_pod_add_from_argv(
          4, (const char *[]){"netd/pod-add", toolong, "1", "10.1.1.2", NULL}, &out, &err_),
      want);
  assert_refused(netd_ctl_pod_add_from_argv(
                     4, (const char *[]){"netd/pod-add", "", "1", "10.1.1.2", NULL}, &out, &err_),
                 "pod name \"\": expected 1 to 253 characters: Invalid argument");
  assert_refused(netd_ctl_pod_add_from_argv(
                     4, (const char *[]){"netd/pod-add", "web", "", "10.1.1.2", NULL}, &out, &err_),
                 "pod web: no network namespace given: Invalid argument");
  assert_refused(netd_ctl_pod_add_from_argv(
                     4, (const char *[]){"netd/pod-add", "web", "1", "", NULL}, &out, &err_),
                 "pod web: no address given: Invalid argument");
  assert_refused(netd_ctl_pod_add_from_argv(3, (const char *[]){"netd/pod-add", "web", "1", NULL},
                                            &out, &err_),
                 "netd/pod-add: expected 3 arguments, got 2: Invalid argument");
  assert_refused(
      netd_ctl_pod_add_from_argv(
          5, (const char *[]){"netd/pod-add", "web", "1", "10.1.1.2", "x", NULL}, &out, &err_),
      "netd/pod-add: expected 3 arguments, got 4: Invalid argument");
  assert_refused(
      netd_ctl_pod_add_from_argv(2, (const char *[]){"netd/pod-del", "web", NULL}, &out, &err_),
      "not a netd/pod-add request: Invalid argument");
  assert_refused(netd_ctl_pod_add_from_argv(0, (const char *[]){NULL}, &out, &err_),
                 "not a netd/pod-add request: Invalid argument");
  assert_refused(netd_ctl_pod_add_from_argv(
                     4, (const char *[]){"netd/pod-add", "web", NULL, "ip", NULL}, &out, &err_),
                 "netd/pod-add: argument 2 is missing: Invalid argument");
}

static void test_pod_del(void **state)
{
  (void)state;
  struct netd_pod_del in = {.name = "web"}, out;
  const char *argv[NETD_CTL_ARGV_MAX];
  int argc = netd_ctl_pod_del_to_argv(&in, argv);
  assert_int_equal(argc, 1 + NETD_CTL_POD_DEL_ARGS);
  assert_int_equal(argc_of(argv), argc);
  assert_string_equal(argv[0], "netd/pod-del");
  struct lab_error *err = NULL;
  assert_int_equal(netd_ctl_pod_del_from_argv(argc, argv, &out, &err), 0);
  assert_string_equal(out.name, "web");

  assert_refused(
      netd_ctl_pod_del_from_argv(2, (const char *[]){"netd/pod-del", "", NULL}, &out, &err_),
      "pod name \"\": expected 1 to 253 characters: Invalid argument");
  assert_refused(netd_ctl_pod_del_from_argv(1, (const char *[]){"netd/pod-del", NULL}, &out, &err_),
                 "netd/pod-del: expected 1 argument, got 0: Invalid argument");
  assert_refused(
      netd_ctl_pod_del_from_argv(3, (const char *[]){"netd/pod-del", "a", "b", NULL}, &out, &err_),
      "netd/pod-del: expected 1 argument, got 2: Invalid argument");
  assert_refused(
      netd_ctl_pod_del_from_argv(2, (const char *[]){"netd/show", "a", NULL}, &out, &err_),
      "not a netd/pod-del request: Invalid argument");
}

static void test_show(void **state)
{
  (void)state;
  const char *argv[NETD_CTL_ARGV_MAX];
  struct netd_show out;
  struct lab_error *err = NULL;
  for (int json = 0; json <= 1; json++) {
    int argc = netd_ctl_show_to_argv(&(struct netd_show){.json = json}, argv);
    assert_int_equal(argc, 1 + json);
    assert_int_equal(argc_of(argv), argc);
    assert_string_equal(argv[0], "netd/show");
    assert_int_equal(netd_ctl_show_from_argv(argc, argv, &out, &err), 0);
    assert_int_equal(out.json, json);
  }
  assert_string_equal(argv[1], "--json");
  assert_refused(
      netd_ctl_show_from_argv(2, (const char *[]){"netd/show", "--yaml", NULL}, &out, &err_),
      "usage: netd/show [--json]: Invalid argument");
  assert_refused(
      netd_ctl_show_from_argv(3, (const char *[]){"netd/show", "--json", "x", NULL}, &out, &err_),
      "netd/show: expected 0 to 1 arguments, got 2: Invalid argument");
}

static void test_pod_add_reply(void **state)
{
  (void)state;
  struct netd_pod_add_reply in = {.name = "web", .ofport = 3, .elapsed_ms = 41}, out;
  char buf[NETD_CTL_POD_ADD_REPLY_MAX];
  netd_ctl_pod_add_reply_format(&in, buf);
  /* What netd has always answered, and humans read from ovs-appctl. */
  assert_string_equal(buf, "pod web attached, ofport 3, 41 ms");
  struct lab_error *err = NULL;
  assert_int_equal(netd_ctl_pod_add_reply_parse(buf, &out, &err), 0);
  assert_string_equal(out.name, "web");
  assert_int_equal(out.ofport, 3);
  assert_int_equal(out.elapsed_ms, 41);
  /* ovs-appctl prints it with a newline; a name may hold spaces, even the separator. */
  assert_int_equal(netd_ctl_pod_add_reply_parse("pod a b attached, ofport 7, 0 ms\n", &out, &err),
                   0);
  assert_string_equal(out.name, "a b");
  assert_int_equal(netd_ctl_pod_add_reply_parse(
                       "pod x attached, ofport 1, 2 ms attached, ofport 9, 5 ms", &out, &err),
                   0);
  assert_string_equal(out.name, "x attached, ofport 1, 2 ms");
  assert_int_equal(out.ofport, 9);

  char longest[NETD_CTL_POD_NAME_MAX + 1];
  memset(longest, 'n', NETD_CTL_POD_NAME_MAX);
  longest[NETD_CTL_POD_NAME_MAX] = '\0';
  snprintf(in.name, sizeof in.name, "%s", longest);
  in.ofport = 65279;
  in.elapsed_ms = 123456789;
  netd_ctl_pod_add_reply_format(&in, buf);
  assert_int_equal(netd_ctl_pod_add_reply_parse(buf, &out, &err), 0);
  assert_string_equal(out.name, longest);
  assert_int_equal(out.ofport, 65279);
  assert_int_equal(out.elapsed_ms, 123456789);

  static const char *const bad[] = {
      "",
      "\n",
      "ok",
      "pod  attached, ofport 3, 1 ms",
      "pod web attached, ofport 3",
      "pod web attached, ofport 3, 1 ms trailing",
      "pod web attached, ofport x, 1 ms",
      "pod web attached, ofport -1, 1 ms",
      "pod web detached, ofport 3, 1 ms",
      "web attached, ofport 3, 1 ms",
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    char want[128];
    size_t len = strlen(bad[i]);
    while (len > 0 && bad[i][len - 1] == '\n')
      len--;
    snprintf(want, sizeof want, "netd/pod-add: unexpected reply \"%.*s\": Protocol error", (int)len,
             bad[i]);
    assert_refused(netd_ctl_pod_add_reply_parse(bad[i], &out, &err_), want);
  }
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_pod_add_round_trip),
               cmocka_unit_test(test_pod_add_refused), cmocka_unit_test(test_pod_del),
               cmocka_unit_test(test_show), cmocka_unit_test(test_pod_add_reply))
