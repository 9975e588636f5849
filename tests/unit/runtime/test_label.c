#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit-test.h"

#include "label.h"

static void test_alloc_format_and_parse(void **state)
{
  char *l = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(label_mcs_alloc(NULL, 0, NULL, &l, &err), 0);
  assert_non_null(strstr(l, "system_u:system_r:container_t:s0:c"));
  int a, b;
  assert_int_equal(label_mcs_pair(l, &a, &b), 0);
  assert_true(a >= 0 && a < b && b < 1024);
  char *f = label_file_label(l);
  char expect[128];
  snprintf(expect, sizeof expect, "system_u:object_r:container_file_t:s0:c%d,c%d", a, b);
  assert_string_equal(f, expect);
  free(f);
  free(l);
}

static void test_pairs_are_unique(void **state)
{
  /* 2000 labels from one seed: every pair differs from all earlier ones. */
  enum { N = 2000 };
  char **labels = calloc(N, sizeof *labels);
  unsigned long long seed = 7;
  struct lab_error *err = NULL;
  for (size_t i = 0; i < N; i++) {
    assert_int_equal(label_mcs_alloc((const char *const *)labels, i, &seed, &labels[i], &err), 0);
    int a, b;
    assert_int_equal(label_mcs_pair(labels[i], &a, &b), 0);
    for (size_t j = 0; j < i; j++)
      assert_string_not_equal(labels[i], labels[j]);
  }
  for (size_t i = 0; i < N; i++)
    free(labels[i]);
  free(labels);
}

static void test_collision_forces_another_pair(void **state)
{
  /* The same seed gives the same first draw; with that label in use the
   * allocator must pick a different one. */
  unsigned long long s1 = 99, s2 = 99;
  char *first = NULL, *second = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(label_mcs_alloc(NULL, 0, &s1, &first, &err), 0);
  const char *used[] = {first};
  assert_int_equal(label_mcs_alloc(used, 1, &s2, &second, &err), 0);
  assert_string_not_equal(first, second);
  free(first);
  free(second);
}

static void test_bad_labels(void **state)
{
  int a, b;
  assert_int_equal(label_mcs_pair("system_u:system_r:container_t:s0", &a, &b), -1);
  assert_int_equal(label_mcs_pair("x:s0:c5,c5", &a, &b), -1);
  assert_int_equal(label_mcs_pair("x:s0:c5,c2000", &a, &b), -1);
  assert_int_equal(label_mcs_pair("x:s0:c9,c3", &a, &b), 0);
  assert_int_equal(a, 3);
  assert_int_equal(b, 9);
  assert_null(label_file_label("unconfined"));
}

static void test_disabled_selinux_is_a_noop(void **state)
{
  /* This host has SELinux disabled: applying labels must succeed as no-ops. */
  if (label_selinux_enabled())
    skip();
  struct lab_error *err = NULL;
  assert_int_equal(label_set_exec("system_u:system_r:container_t:s0:c1,c2", &err), 0);
  assert_int_equal(label_relabel_tree("/nonexistent-nodelab", "x", &err), 0);
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_alloc_format_and_parse),
               cmocka_unit_test(test_pairs_are_unique),
               cmocka_unit_test(test_collision_forces_another_pair),
               cmocka_unit_test(test_bad_labels), cmocka_unit_test(test_disabled_selinux_is_a_noop))
