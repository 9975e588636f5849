#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit-test.h"

#include "id.h"

static void test_generate_is_64_hex_and_unique(void **state)
{
  char a[CTR_ID_LEN + 1], b[CTR_ID_LEN + 1];
  struct lab_error *err = NULL;
  assert_int_equal(ctr_id_generate(a, &err), 0);
  assert_int_equal(ctr_id_generate(b, &err), 0);
  assert_int_equal(strlen(a), 64);
  assert_true(ctr_id_is_valid(a));
  assert_true(ctr_id_is_valid(b));
  assert_string_not_equal(a, b);
  char s[CTR_SHORT_ID_LEN + 1];
  ctr_id_short(a, s);
  assert_int_equal(strlen(s), 12);
  assert_memory_equal(s, a, 12);
}

static void test_id_validity(void **state)
{
  assert_false(ctr_id_is_valid("abc"));
  assert_false(ctr_id_is_valid(NULL));
  char upper[65];
  memset(upper, 'A', 64);
  upper[64] = '\0';
  assert_false(ctr_id_is_valid(upper));
  memset(upper, 'f', 64);
  assert_true(ctr_id_is_valid(upper));
}

static void test_names(void **state)
{
  assert_true(ctr_name_is_valid("web"));
  assert_true(ctr_name_is_valid("a.b_c-1"));
  assert_false(ctr_name_is_valid("-web"));
  assert_false(ctr_name_is_valid("we b"));
  assert_false(ctr_name_is_valid(""));
  assert_false(ctr_name_is_valid("a/b"));
}

static void test_generated_names_avoid_taken(void **state)
{
  /* Generate many names with a seed; each must be valid and new. */
  struct ctr_ref refs[300];
  char *names[300];
  unsigned long long seed = 42;
  struct lab_error *err = NULL;
  for (size_t i = 0; i < 300; i++) {
    assert_int_equal(ctr_name_generate(refs, i, &seed, &names[i], &err), 0);
    assert_true(ctr_name_is_valid(names[i]));
    for (size_t j = 0; j < i; j++)
      assert_string_not_equal(names[i], names[j]);
    refs[i].id = "x";
    refs[i].name = names[i];
  }
  for (size_t i = 0; i < 300; i++)
    free(names[i]);
}

static void test_lookup_rules(void **state)
{
  struct ctr_ref refs[] = {
      {"aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111", "web"},
      {"aaaa2222aaaa2222aaaa2222aaaa2222aaaa2222aaaa2222aaaa2222aaaa2222", "db"},
      {"bbbb1111bbbb1111bbbb1111bbbb1111bbbb1111bbbb1111bbbb1111bbbb1111", "aaaa1"},
  };
  struct lab_error *err = NULL;
  assert_int_equal(ctr_lookup(refs, 3, "web", &err), 0);
  assert_int_equal(ctr_lookup(refs, 3, "aaaa2", &err), 1);
  /* an exact name beats an id prefix (podman's rule) */
  assert_int_equal(ctr_lookup(refs, 3, "aaaa1", &err), 2);
  assert_int_equal(ctr_lookup(refs, 3, "bbbb", &err), 2);
  assert_int_equal(ctr_lookup(refs, 3, refs[1].id, &err), 1);
  assert_int_equal(ctr_lookup(refs, 3, "aaaa", &err), -1);
  assert_non_null(strstr(err->msg, "ambiguous"));
  lab_error_clear(&err);
  assert_int_equal(ctr_lookup(refs, 3, "cccc", &err), -1);
  assert_non_null(strstr(err->msg, "no such container"));
  lab_error_clear(&err);
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_generate_is_64_hex_and_unique),
               cmocka_unit_test(test_id_validity), cmocka_unit_test(test_names),
               cmocka_unit_test(test_generated_names_avoid_taken),
               cmocka_unit_test(test_lookup_rules))
