/* What every unit test binary shares: cmocka (with the headers it needs
 * before it) and one main(). */
#ifndef NODELAB_TESTS_UNIT_TEST_H
#define NODELAB_TESTS_UNIT_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "error.h"

/* main(): runs the tests listed (cmocka_unit_test(fn), ...) as one group,
 * with setup and teardown for the group (NULL for none). */
#define UNIT_TEST_MAIN(setup, teardown, ...)                                                       \
  int main(void)                                                                                   \
  {                                                                                                \
    const struct CMUnitTest unit_tests_[] = {__VA_ARGS__};                                         \
    return cmocka_run_group_tests(unit_tests_, setup, teardown);                                   \
  }

/* Waits for the child pid and fails the test unless it exited with status 0. */
static inline void assert_child_exited_ok(pid_t pid)
{
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
}

/* *err holds the message want; clears it. */
static inline void assert_error_msg(struct lab_error **err, const char *want)
{
  assert_non_null(*err);
  assert_string_equal((*err)->msg, want);
  lab_error_clear(err);
}

#endif
