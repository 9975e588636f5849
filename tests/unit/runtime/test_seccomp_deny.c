/* The second filter of seccomp-set (ctr_load_seccomp_deny): none without a
 * deny; with chmod's family, a process that loads it gets EPERM from
 * chmod(2) and fchmodat(2), one more Seccomp_filters in /proc/self/status,
 * and everything else still works.  No root needed (no_new_privs). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit-test.h"

#include "container-internal.h"
#include "proc.h"

#define S(lit) ((char *)(lit))

static void test_no_deny_no_filter(void **state)
{
  (void)state;
  struct container c = {.name = S("t")};
  scmp_filter_ctx ctx = (scmp_filter_ctx)1;
  struct lab_error *err = NULL;
  assert_int_equal(ctr_load_seccomp_deny(&c, &ctx, &err), 0);
  assert_null(ctx);
  char *none[] = {NULL};
  c.seccomp_deny = none;
  assert_int_equal(ctr_load_seccomp_deny(&c, &ctx, &err), 0);
  assert_null(ctx);
}

static void test_deny_chmod(void **state)
{
  (void)state;
  char *deny[] = {S("chmod"), S("fchmod"), S("fchmodat"), S("fchmodat2"), NULL};
  struct container c = {.name = S("t"), .seccomp_deny = deny};
  scmp_filter_ctx ctx = NULL;
  struct lab_error *err = NULL;
  if (ctr_load_seccomp_deny(&c, &ctx, &err) < 0)
    fail_msg("%s", err->msg);
  assert_non_null(ctx);
  char path[] = "/tmp/nodelab-seccomp-deny-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  long before = proc_status_number(getpid(), "Seccomp_filters", -1);
  pid_t pid = fork();
  if (pid == 0) {
    /* exit codes: 0 all as expected, else the step that was not */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_load(ctx) < 0)
      _exit(10);
    if (chmod(path, 0644) == 0 || errno != EPERM)
      _exit(11);
    if (fchmodat(AT_FDCWD, path, 0644, 0) == 0 || errno != EPERM)
      _exit(12);
    if (fchmod(fd, 0644) == 0 || errno != EPERM)
      _exit(13);
    if (access(path, R_OK) < 0 || getpid() <= 0)
      _exit(14);
    if (before >= 0 && proc_status_number(getpid(), "Seccomp_filters", -1) != before + 1)
      _exit(15);
    _exit(0);
  }
  assert_true(pid > 0);
  int st = 0;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  assert_true(WIFEXITED(st));
  assert_int_equal(WEXITSTATUS(st), 0);
  assert_int_equal(chmod(path, 0600), 0); /* the parent is not filtered */
  close(fd);
  unlink(path);
  seccomp_release(ctx);
}

static void test_deny_refuses_bad_name(void **state)
{
  (void)state;
  char *deny[] = {S("no_such_syscall_at_all"), NULL};
  struct container c = {.name = S("t"), .seccomp_deny = deny};
  scmp_filter_ctx ctx = NULL;
  struct lab_error *err = NULL;
  /* Unknown names are skipped as in profiles: an empty deny filter. */
  int rc = ctr_load_seccomp_deny(&c, &ctx, &err);
  if (rc < 0) {
    assert_non_null(strstr(err->msg, "the seccomp deny of t"));
    lab_error_clear(&err);
  } else if (ctx != NULL) {
    seccomp_release(ctx);
  }
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_no_deny_no_filter),
               cmocka_unit_test(test_deny_chmod), cmocka_unit_test(test_deny_refuses_bad_name))
