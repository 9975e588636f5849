/* What the scenario/ unit tests share (include after unit-test.h): one
 * table-driven check for the value parsers that read a text into a number. */
#ifndef NODELAB_TESTS_SCENARIO_TEST_H
#define NODELAB_TESTS_SCENARIO_TEST_H

#include <stdint.h>
#include <string.h>

/* The quantity parsers, seen as one shape for the tables. */
typedef int (*parse_fn)(const char *text, uint64_t *out, const char **problem);

struct good_case {
  const char *text;
  uint64_t value;
};

/* An input the parser must refuse, with the problem it must give. */
struct bad_case {
  const char *text, *expect;
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* check_parser() flag: a refused text leaves *out as it was. */
#define CHECK_UNTOUCHED 1u

/* Every good text reads as its value; every bad one is refused with its
 * problem (and, with CHECK_UNTOUCHED, leaves the output alone). */
static inline void check_parser(const char *what, parse_fn parse, const struct good_case *good,
                                size_t n_good, const struct bad_case *bad, size_t n_bad,
                                unsigned flags)
{
  for (size_t i = 0; i < n_good; i++) {
    uint64_t v = 7;
    const char *problem = NULL;
    if (parse(good[i].text, &v, &problem) < 0)
      fail_msg("%s \"%s\" rejected: %s", what, good[i].text, problem);
    if (v != good[i].value)
      fail_msg("%s \"%s\" read as %llu, expected %llu", what, good[i].text, (unsigned long long)v,
               (unsigned long long)good[i].value);
  }
  for (size_t i = 0; i < n_bad; i++) {
    uint64_t v = 7;
    const char *problem = NULL;
    if (parse(bad[i].text, &v, &problem) == 0)
      fail_msg("%s \"%s\" accepted as %llu", what, bad[i].text, (unsigned long long)v);
    if (problem == NULL || strcmp(problem, bad[i].expect) != 0)
      fail_msg("%s \"%s\": problem \"%s\", expected \"%s\"", what, bad[i].text,
               problem ? problem : "(none)", bad[i].expect);
    if ((flags & CHECK_UNTOUCHED) && v != 7)
      fail_msg("%s \"%s\" refused but wrote %llu", what, bad[i].text, (unsigned long long)v);
  }
}

#endif
