/* common/ipv4: formatting and parsing addresses, with and without a prefix. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ipv4.h"

static void test_parse(void **state)
{
  (void)state;
  uint32_t a;
  int p;
  assert_int_equal(ipv4_parse("192.168.122.202/24", &a, &p), 0);
  assert_int_equal(a, 0xc0a87acaU);
  assert_int_equal(p, 24);
  assert_int_equal(ipv4_parse("10.1.1.0", &a, &p), 0);
  assert_int_equal(a, 0x0a010100U);
  assert_int_equal(p, -1);
  assert_int_equal(ipv4_parse("10.1.1.0/0", &a, NULL), 0);
  static const char *const bad[] = {
      "",          "10.1.1",      "10.1.1.256",           "10.1.1.0/33",
      "10.1.1.0/", "10.1.1.0/8x", "999.999.999.999.999/8"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_int_equal(ipv4_parse(bad[i], &a, &p), -1);
  assert_int_equal(ipv4_parse(NULL, &a, &p), -1);
}

static void test_format(void **state)
{
  (void)state;
  char buf[IPV4_STRLEN];
  assert_string_equal(ipv4_format(0xffffffffU, buf), "255.255.255.255");
  assert_string_equal(ipv4_format(0x0a010101U, buf), "10.1.1.1");
}

int main(void)
{
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_parse), cmocka_unit_test(test_format)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
