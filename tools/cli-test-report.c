/* TAP and JUnit XML for `nodelab test` (test-report.h). */
#include "test-report.h"
#include "xalloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct test_case *test_suite_add(struct test_suite *s, char *name, enum test_result result,
                                 char *message, char *detail, double seconds)
{
  s->cases = xnonnull(realloc(s->cases, (s->n_cases + 1) * sizeof *s->cases));
  struct test_case *c = &s->cases[s->n_cases++];
  *c = (struct test_case){name, result, message, detail, seconds};
  return c;
}

void test_suite_release(struct test_suite *s)
{
  for (size_t i = 0; i < s->n_cases; i++) {
    free(s->cases[i].name);
    free(s->cases[i].message);
    free(s->cases[i].detail);
  }
  free(s->cases);
  free(s->name);
  free(s->file);
  *s = (struct test_suite){0};
}

void test_tap_header(FILE *f)
{
  fputs("TAP version 13\n", f);
}

/* A description on one line, '#' escaped (it would start a directive). */
static void tap_text(FILE *f, const char *s)
{
  for (; s != NULL && *s; s++) {
    if (*s == '#')
      fputs("\\#", f);
    else if (*s == '\n' || *s == '\r')
      fputc(' ', f);
    else
      fputc(*s, f);
  }
}

/* Each line of text as a "# " diagnostic. */
static void tap_diag(FILE *f, const char *text)
{
  const char *p = text;
  while (p != NULL && *p) {
    size_t len = strcspn(p, "\n");
    fprintf(f, "#   %.*s\n", (int)len, p);
    p += len;
    if (*p == '\n')
      p++;
  }
}

void test_tap_case(FILE *f, int number, const char *suite, const struct test_case *c)
{
  fprintf(f, "%s %d - ", c->result == TEST_FAIL ? "not ok" : "ok", number);
  tap_text(f, suite);
  fputs(": ", f);
  tap_text(f, c->name);
  if (c->result == TEST_SKIP) {
    fputs(" # SKIP ", f);
    tap_text(f, c->message ? c->message : "skipped");
  }
  fputc('\n', f);
  if (c->result == TEST_FAIL) {
    tap_diag(f, c->message);
    tap_diag(f, c->detail);
  }
  fflush(f);
}

void test_tap_plan(FILE *f, int n)
{
  fprintf(f, "1..%d\n", n);
  fflush(f);
}

/* The length of the UTF-8 sequence at s (1..4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
  size_t n;
  if (s[0] < 0x80)
    return 1;
  if (s[0] >= 0xc2 && s[0] <= 0xdf)
    n = 2;
  else if (s[0] >= 0xe0 && s[0] <= 0xef)
    n = 3;
  else if (s[0] >= 0xf0 && s[0] <= 0xf4)
    n = 4;
  else
    return 0;
  for (size_t i = 1; i < n; i++)
    if ((s[i] & 0xc0) != 0x80)
      return 0;
  return n;
}

char *test_xml_escape(const char *s)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (f == NULL)
    abort();
  const unsigned char *p = (const unsigned char *)(s ? s : "");
  while (*p) {
    switch (*p) {
    case '&':
      fputs("&amp;", f);
      break;
    case '<':
      fputs("&lt;", f);
      break;
    case '>':
      fputs("&gt;", f);
      break;
    case '"':
      fputs("&quot;", f);
      break;
    case '\'':
      fputs("&apos;", f);
      break;
    default: {
      if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') {
        fputc('?', f);
        break;
      }
      size_t n = utf8_len(p);
      if (n == 0) {
        fputc('?', f);
        break;
      }
      fwrite(p, 1, n, f);
      p += n;
      continue;
    }
    }
    p++;
  }
  fclose(f);
  return buf;
}

static void xml_attr(FILE *f, const char *name, const char *value)
{
  char *e = test_xml_escape(value);
  fprintf(f, " %s=\"%s\"", name, e);
  free(e);
}

void test_junit_write(FILE *f, const struct test_suite *suites, size_t n)
{
  size_t tests = 0, failures = 0, skipped = 0;
  double seconds = 0;
  for (size_t i = 0; i < n; i++) {
    seconds += suites[i].seconds;
    for (size_t j = 0; j < suites[i].n_cases; j++) {
      tests++;
      failures += suites[i].cases[j].result == TEST_FAIL;
      skipped += suites[i].cases[j].result == TEST_SKIP;
    }
  }
  fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
  fprintf(f,
          "<testsuites name=\"nodelab test\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\" "
          "time=\"%.3f\">\n",
          tests, failures, skipped, seconds);
  for (size_t i = 0; i < n; i++) {
    const struct test_suite *s = &suites[i];
    size_t sf = 0, ss = 0;
    for (size_t j = 0; j < s->n_cases; j++) {
      sf += s->cases[j].result == TEST_FAIL;
      ss += s->cases[j].result == TEST_SKIP;
    }
    fputs("  <testsuite", f);
    xml_attr(f, "name", s->name);
    xml_attr(f, "file", s->file);
    fprintf(f, " tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"%.3f\">\n",
            s->n_cases, sf, ss, s->seconds);
    for (size_t j = 0; j < s->n_cases; j++) {
      const struct test_case *c = &s->cases[j];
      fputs("    <testcase", f);
      xml_attr(f, "name", c->name);
      xml_attr(f, "classname", s->name);
      fprintf(f, " time=\"%.3f\"", c->seconds);
      if (c->result == TEST_PASS) {
        fputs("/>\n", f);
        continue;
      }
      fputs(">\n", f);
      if (c->result == TEST_SKIP) {
        fputs("      <skipped", f);
        xml_attr(f, "message", c->message ? c->message : "skipped");
        fputs("/>\n", f);
      } else {
        fputs("      <failure", f);
        xml_attr(f, "message", c->message ? c->message : "failed");
        fputs(">", f);
        char *d = test_xml_escape(c->detail ? c->detail : c->message);
        fputs(d, f);
        free(d);
        fputs("</failure>\n", f);
      }
      fputs("    </testcase>\n", f);
    }
    fputs("  </testsuite>\n", f);
  }
  fputs("</testsuites>\n", f);
  fflush(f);
}
