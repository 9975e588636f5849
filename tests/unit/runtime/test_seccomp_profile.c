#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit-test.h"

#include "seccomp-profile.h"

/* The lab's chmod.json (chapter 5), with the newer fchmodat2 added. */
static const char chmod_profile[] =
    "{\n"
    "  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
    "  \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\"],\n"
    "  \"syscalls\": [\n"
    "    {\"names\": [\"chmod\", \"fchmod\", \"fchmodat\", \"fchmodat2\"],\n"
    "     \"action\": \"SCMP_ACT_ERRNO\"}\n"
    "  ]\n"
    "}\n";

static char *parse_error(const char *text)
{
  struct sec_profile *p = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(sec_profile_parse(text, "profiles/x.json", &p, &err), -1);
  assert_null(p);
  char *msg = strdup(err->msg);
  lab_error_clear(&err);
  return msg;
}

static void test_parse_chmod_profile(void **state)
{
  struct sec_profile *p = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(sec_profile_parse(chmod_profile, "chmod.json", &p, &err), 0);
  assert_int_equal(sec_profile_default_action(p), SCMP_ACT_ALLOW);
  assert_int_equal(sec_profile_rule_count(p), 1);
  /* errnoRet defaults to EPERM, like Docker */
  assert_int_equal(sec_profile_rule_action(p, 0), SCMP_ACT_ERRNO(EPERM));
  size_t n;
  const char *const *names = sec_profile_rule_names(p, 0, &n);
  assert_int_equal(n, 4);
  assert_string_equal(names[2], "fchmodat");
  struct json_object *o = sec_profile_to_oci_json(p);
  assert_string_equal(json_object_get_string(json_object_object_get(o, "defaultAction")),
                      "SCMP_ACT_ALLOW");
  json_object_put(o);
  sec_profile_free(p);
}

static void test_errno_ret_and_old_name_field(void **state)
{
  struct sec_profile *p = NULL;
  struct lab_error *err = NULL;
  const char *text = "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,"
                     " \"syscalls\": [{\"name\": \"read\", \"action\": \"SCMP_ACT_ALLOW\"},"
                     " {\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13,"
                     "  \"args\": [{\"index\": 1, \"value\": 511, \"op\": \"SCMP_CMP_EQ\"}]}]}";
  assert_int_equal(sec_profile_parse(text, "x", &p, &err), 0);
  assert_int_equal(sec_profile_default_action(p), SCMP_ACT_ERRNO(38));
  assert_int_equal(sec_profile_rule_action(p, 1), SCMP_ACT_ERRNO(13));
  scmp_filter_ctx ctx = NULL;
  assert_int_equal(sec_profile_build(p, &ctx, &err), 0);
  seccomp_release(ctx);
  sec_profile_free(p);
}

static void test_positioned_errors(void **state)
{
  char *m;
  m = parse_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], "
                  "\"action\": \"SCMP_ACT_ALLOW\"}, {\"names\": [\"b\"], \"action\": "
                  "\"SCMP_ACT_ERRNO\"}, {\"names\": [\"c\"], \"action\": \"SCMP_ACT_FOO\"}]}");
  assert_string_equal(m, "profiles/x.json: syscalls[2].action: unknown action \"SCMP_ACT_FOO\"");
  free(m);
  m = parse_error("{\"syscalls\": []}");
  assert_string_equal(m, "profiles/x.json: missing \"defaultAction\"");
  free(m);
  m = parse_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": \"chmod\", "
                  "\"action\": \"SCMP_ACT_ERRNO\"}]}");
  assert_string_equal(m, "profiles/x.json: syscalls[0].names: expected an array of syscall names");
  free(m);
  m = parse_error(
      "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_Z80\"]}");
  assert_string_equal(m,
                      "profiles/x.json: architectures[0]: unknown architecture \"SCMP_ARCH_Z80\"");
  free(m);
  m = parse_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"x\"], "
                  "\"action\": \"SCMP_ACT_KILL\", \"errnoRet\": 1}]}");
  assert_non_null(strstr(m, "syscalls[0]: errnoRet is only valid"));
  free(m);
  m = parse_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"bogus\": 1}");
  assert_string_equal(m, "profiles/x.json: bogus: unknown field");
  free(m);
  m = parse_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"x\"], "
                  "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 9, \"op\": "
                  "\"SCMP_CMP_EQ\"}]}]}");
  assert_string_equal(m,
                      "profiles/x.json: syscalls[0].args[0].index: 9 is out of range (at most 5)");
  free(m);
  /* JSON syntax errors carry line:column */
  m = parse_error("{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n  \"syscalls\": [,]\n}\n");
  assert_non_null(strstr(m, "profiles/x.json:3:"));
  assert_non_null(strstr(m, "invalid JSON"));
  free(m);
  m = parse_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\"");
  assert_non_null(strstr(m, "profiles/x.json:1:"));
  free(m);
  m = parse_error("[1, 2]");
  assert_non_null(strstr(m, "must be a JSON object"));
  free(m);
}

static int run_chmod_under(struct sec_profile *p, const char *file)
{
  pid_t pid = fork();
  if (pid == 0) {
    scmp_filter_ctx ctx = NULL;
    struct lab_error *err = NULL;
    if (sec_profile_build(p, &ctx, &err) < 0 || seccomp_load(ctx) < 0)
      _exit(100);
    if (chmod(file, 0777) == 0)
      _exit(0);
    _exit(errno == EPERM ? 1 : 2);
  }
  int st;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_filter_denies_chmod(void **state)
{
  char file[] = "/tmp/nodelab-seccomp-test-XXXXXX";
  int fd = mkstemp(file);
  assert_true(fd >= 0);
  close(fd);
  struct sec_profile *p = NULL, *d = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(sec_profile_parse(chmod_profile, "chmod.json", &p, &err), 0);
  assert_int_equal(run_chmod_under(p, file), 1); /* EPERM */
  assert_int_equal(sec_profile_default(&d, &err), 0);
  assert_int_equal(run_chmod_under(d, file), 0); /* the default allows chmod */
  struct stat st;
  assert_int_equal(stat(file, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0777);
  sec_profile_free(p);
  sec_profile_free(d);
  unlink(file);
}

static void test_default_denies_dangerous(void **state)
{
  struct sec_profile *d = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(sec_profile_default(&d, &err), 0);
  int found_mount = 0, found_kexec = 0;
  for (size_t i = 0; i < sec_profile_rule_count(d); i++) {
    size_t n;
    const char *const *names = sec_profile_rule_names(d, i, &n);
    for (size_t j = 0; j < n; j++) {
      found_mount |= strcmp(names[j], "mount") == 0;
      found_kexec |= strcmp(names[j], "kexec_load") == 0;
    }
    assert_int_equal(sec_profile_rule_action(d, i), SCMP_ACT_ERRNO(EPERM));
  }
  assert_true(found_mount && found_kexec);
  sec_profile_free(d);
}

static void test_load_file_errors_name_the_file(void **state)
{
  struct sec_profile *p = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(sec_profile_load_file("/nonexistent/chmod.json", &p, &err), -1);
  assert_non_null(strstr(err->msg, "/nonexistent/chmod.json"));
  lab_error_clear(&err);
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_parse_chmod_profile),
               cmocka_unit_test(test_errno_ret_and_old_name_field),
               cmocka_unit_test(test_positioned_errors), cmocka_unit_test(test_filter_denies_chmod),
               cmocka_unit_test(test_default_denies_dangerous),
               cmocka_unit_test(test_load_file_errors_name_the_file))
