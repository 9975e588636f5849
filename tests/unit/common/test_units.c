/* units_parse_bytes(): sizes as podman's --memory takes them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>

#include <cmocka.h>

#include "unit-test.h"

#include "units.h"

static void test_sizes(void **state)
{
  static const struct {
    const char *text;
    uint64_t bytes;
  } good[] = {
      {"1048576", 1048576},      {"100b", 100},
      {"512k", 512 * 1024},      {"32m", 32 * 1024 * 1024},
      {"32M", 32 * 1024 * 1024}, {"64Mi", 64 * 1024 * 1024},
      {"1g", 1ULL << 30},        {"1GB", 1ULL << 30},
      {"1.5g", 3ULL << 29},
  };
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    uint64_t v = 0;
    assert_int_equal(units_parse_bytes(good[i].text, &v), 0);
    assert_int_equal(v, good[i].bytes);
  }
  static const char *const bad[] = {"", "m", "-1m", "12x", "1mm", "1gib", "ten"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    uint64_t v = 7;
    assert_int_equal(units_parse_bytes(bad[i], &v), -1);
    assert_int_equal(v, 7);
  }
}

static void test_signals(void **state)
{
  assert_int_equal(units_parse_signal("TERM"), SIGTERM);
  assert_int_equal(units_parse_signal("SIGKILL"), SIGKILL);
  assert_int_equal(units_parse_signal("sigint"), SIGINT);
  assert_int_equal(units_parse_signal("9"), 9);
  assert_int_equal(units_parse_signal("NOPE"), -1);
  assert_int_equal(units_parse_signal("0"), -1);
  assert_int_equal(units_parse_signal("99999"), -1);
  assert_int_equal(units_parse_signal(""), -1);
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_sizes), cmocka_unit_test(test_signals))
