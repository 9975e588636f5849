/* common/error: lab_error_set appends strerror, lab_error_refuse keeps the
 * message whole with its errnum, wrap prefixes, and the first error wins. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "error.h"

static void test_error(void **state)
{
  (void)state;
  struct lab_error *err = NULL;
  assert_int_equal(lab_error_set(&err, ENOENT, "opening %s", "x"), -1);
  assert_string_equal(err->msg, "opening x: No such file or directory");
  lab_error_clear(&err);
  assert_int_equal(lab_error_refuse(&err, ENOENT, "lab %s has no node %s", "l", "n"), -1);
  assert_string_equal(err->msg, "lab l has no node n");
  assert_int_equal(err->errnum, ENOENT);
  lab_error_refuse(&err, EINVAL, "second"); /* the first error stays */
  assert_int_equal(err->errnum, ENOENT);
  lab_error_wrap(&err, "service %s", "netd");
  assert_string_equal(err->msg, "service netd: lab l has no node n");
  lab_error_clear(&err);
  assert_null(err);
  assert_int_equal(lab_error_refuse(NULL, EINVAL, "nobody listens"), -1);
}

int main(void)
{
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_error)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
