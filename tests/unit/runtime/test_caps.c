#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit-test.h"

#include "caps.h"

static void test_names(void **state)
{
  assert_int_equal(caps_from_name("CAP_CHOWN"), 0);
  assert_int_equal(caps_from_name("chown"), 0);
  assert_int_equal(caps_from_name("SYS_ADMIN"), 21);
  assert_int_equal(caps_from_name("CAP_NOPE"), -1);
  assert_string_equal(caps_name(13), "CAP_NET_RAW");
  assert_null(caps_name(200));
}

static void test_default_set(void **state)
{
  uint64_t m = caps_default_mask();
  assert_true(m & (1ULL << caps_from_name("CHOWN")));
  assert_true(m & (1ULL << caps_from_name("NET_BIND_SERVICE")));
  assert_true(m & (1ULL << caps_from_name("NET_RAW")));
  assert_false(m & (1ULL << caps_from_name("SYS_ADMIN")));
  assert_false(m & (1ULL << caps_from_name("SYS_MODULE")));
  assert_false(m & (1ULL << caps_from_name("NET_ADMIN")));
  size_t n = 0;
  char **names = caps_mask_names(m, &n);
  assert_int_equal(n, 14);
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
}

static uint64_t status_field(const char *field)
{
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  uint64_t v = 0;
  while (fgets(line, sizeof line, f))
    if (strncmp(line, field, strlen(field)) == 0)
      v = strtoull(line + strlen(field) + 1, NULL, 16);
  fclose(f);
  return v;
}

static void test_apply_in_child(void **state)
{
  if (geteuid() != 0)
    skip();
  pid_t pid = fork();
  if (pid == 0) {
    struct lab_error *err = NULL;
    uint64_t keep = caps_default_mask();
    if (caps_apply(keep, &err) < 0)
      _exit(10);
    if (status_field("CapEff:") != keep || status_field("CapPrm:") != keep ||
        status_field("CapBnd:") != keep || status_field("CapAmb:") != 0)
      _exit(11);
    _exit(0);
  }
  assert_child_exited_ok(pid);
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_names), cmocka_unit_test(test_default_set),
               cmocka_unit_test(test_apply_in_child))
