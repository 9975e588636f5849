/* How `nodelab test` reports (tools/cli-test-report.c): TAP version 13 on a
 * stream, one line per step as it finishes, and JUnit XML at the end (one
 * testsuite per scenario, one testcase per step).  Pure: streams in, text
 * out. */
#ifndef NODELAB_TEST_REPORT_H
#define NODELAB_TEST_REPORT_H

#include <stdio.h>

enum test_result { TEST_PASS, TEST_FAIL, TEST_SKIP };

struct test_case {
  char *name; /* owned: "inject mtu-black-hole (link-mtu)" */
  enum test_result result;
  char *message; /* owned, or NULL: why it failed or was skipped, one line */
  char *detail;  /* owned, or NULL: more lines (a check table, a state diff) */
  double seconds;
};

struct test_suite {
  char *name; /* owned: the scenario's (lab's) name */
  char *file; /* owned: the scenario file as given */
  struct test_case *cases;
  size_t n_cases;
  double seconds;
};

/* Appends a case (takes the strings: pass malloc'd ones or NULL) and returns it. */
struct test_case *test_suite_add(struct test_suite *s, char *name, enum test_result result,
                                 char *message, char *detail, double seconds);
void test_suite_release(struct test_suite *s);

/* "TAP version 13". */
void test_tap_header(FILE *f);
/* One TAP line for case c, numbered number, its description "SUITE: NAME"
 * ('#' in it escaped as "\#"); a failure's message and detail follow as
 * "# " diagnostic lines, a skip is "ok N - ... # SKIP message". */
void test_tap_case(FILE *f, int number, const char *suite, const struct test_case *c);
/* The plan, "1..N", at the end (TAP allows it last when the count is not
 * known in advance). */
void test_tap_plan(FILE *f, int n);

/* s with XML's specials as entities (& < > " '), characters XML 1.0 cannot
 * hold (control characters but tab, newline and return; bytes that are not
 * UTF-8) as '?'.  Malloc'd. */
char *test_xml_escape(const char *s);

/* The JUnit XML of the suites: <testsuites> with tests/failures/skipped
 * counts, a <testsuite> per suite, a <testcase> per case with <failure
 * message="..."> (its detail as the text) or <skipped message="..."/>. */
void test_junit_write(FILE *f, const struct test_suite *suites, size_t n);

#endif
