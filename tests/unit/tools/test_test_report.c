/* tools/test-report.h: TAP lines (failures with their reasons as
 * diagnostics, skips as directives, '#' escaped) and JUnit XML (counts,
 * failure messages, XML escaping of specials, control characters and bytes
 * that are not UTF-8). */
#include "unit-test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test-report.h"
#include "xalloc.h"

static struct test_suite suite(void)
{
  struct test_suite s = {.name = xstrdup("lab-a"), .file = xstrdup("dir/a&b.yaml"), .seconds = 2};
  test_suite_add(&s, xstrdup("up"), TEST_PASS, NULL, NULL, 1.25);
  test_suite_add(&s, xstrdup("expect-fail c#1"), TEST_FAIL,
                 xstrdup("c#1 passed: 3 of 3 ICMP echoes answered"),
                 xstrdup("NAME  RESULT\nc#1   passed <ok>"), 0.5);
  test_suite_add(&s, xstrdup("fault k (kind pod-kill)"), TEST_SKIP, xstrdup("not implemented"),
                 NULL, 0);
  return s;
}

static char *tap(const struct test_suite *s)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  test_tap_header(f);
  for (size_t i = 0; i < s->n_cases; i++)
    test_tap_case(f, (int)i + 1, s->name, &s->cases[i]);
  test_tap_plan(f, (int)s->n_cases);
  fclose(f);
  return buf;
}

static void test_tap(void **state)
{
  (void)state;
  struct test_suite s = suite();
  char *t = tap(&s);
  assert_string_equal(t, "TAP version 13\n"
                         "ok 1 - lab-a: up\n"
                         "not ok 2 - lab-a: expect-fail c\\#1\n"
                         "#   c#1 passed: 3 of 3 ICMP echoes answered\n"
                         "#   NAME  RESULT\n"
                         "#   c#1   passed <ok>\n"
                         "ok 3 - lab-a: fault k (kind pod-kill) # SKIP not implemented\n"
                         "1..3\n");
  free(t);
  test_suite_release(&s);
}

static void test_xml_escaping(void **state)
{
  (void)state;
  char *e = test_xml_escape("a<b>&\"'\x01\tok\n");
  assert_string_equal(e, "a&lt;b&gt;&amp;&quot;&apos;?\tok\n");
  free(e);
  e = test_xml_escape("caf\xc3\xa9 \xff \xe2\x82");
  assert_string_equal(e, "caf\xc3\xa9 ? ??");
  free(e);
  e = test_xml_escape(NULL);
  assert_string_equal(e, "");
  free(e);
}

static void test_junit(void **state)
{
  (void)state;
  struct test_suite s[2] = {suite(), {.name = xstrdup("b"), .file = xstrdup("b.yaml")}};
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  test_junit_write(f, s, 2);
  fclose(f);
  assert_string_equal(
      buf, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<testsuites name=\"nodelab test\" tests=\"3\" failures=\"1\" skipped=\"1\" "
           "time=\"2.000\">\n"
           "  <testsuite name=\"lab-a\" file=\"dir/a&amp;b.yaml\" tests=\"3\" failures=\"1\" "
           "errors=\"0\" skipped=\"1\" time=\"2.000\">\n"
           "    <testcase name=\"up\" classname=\"lab-a\" time=\"1.250\"/>\n"
           "    <testcase name=\"expect-fail c#1\" classname=\"lab-a\" time=\"0.500\">\n"
           "      <failure message=\"c#1 passed: 3 of 3 ICMP echoes answered\">NAME  RESULT\n"
           "c#1   passed &lt;ok&gt;</failure>\n"
           "    </testcase>\n"
           "    <testcase name=\"fault k (kind pod-kill)\" classname=\"lab-a\" time=\"0.000\">\n"
           "      <skipped message=\"not implemented\"/>\n"
           "    </testcase>\n"
           "  </testsuite>\n"
           "  <testsuite name=\"b\" file=\"b.yaml\" tests=\"0\" failures=\"0\" errors=\"0\" "
           "skipped=\"0\" time=\"0.000\">\n"
           "  </testsuite>\n"
           "</testsuites>\n");
  free(buf);
  test_suite_release(&s[0]);
  test_suite_release(&s[1]);
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_tap), cmocka_unit_test(test_xml_escaping),
               cmocka_unit_test(test_junit))
