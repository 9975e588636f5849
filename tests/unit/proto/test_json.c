/* proto/json.h getters and common/timefmt.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "unit-test.h"
#include "strv.h"
#include <json-c/json.h>

#include "json.h"
#include "timefmt.h"

static void test_getters_types(void **state)
{
  struct json_object *o = json_tokener_parse(
      "{\"s\": \"x\", \"i\": 7, \"b\": true, \"n\": null, \"a\": [\"p\", \"q\"], "
      "\"o\": {}, \"mixed\": [\"p\", 1]}");
  assert_non_null(o);
  assert_string_equal(json_get_str(o, "s"), "x");
  assert_null(json_get_str(o, "i"));
  assert_null(json_get_str(o, "n"));
  assert_null(json_get_str(o, "missing"));
  assert_null(json_get_str(NULL, "s"));
  assert_int_equal(json_get_int(o, "i", -1), 7);
  assert_int_equal(json_get_int(o, "s", -1), -1);
  assert_true(json_get_bool(o, "b", false));
  assert_false(json_get_bool(o, "i", false));
  assert_non_null(json_get_object(o, "o"));
  assert_null(json_get_object(o, "a"));
  assert_non_null(json_get_array(o, "a"));
  char **v = json_get_strv(o, "a");
  assert_non_null(v);
  assert_string_equal(v[0], "p");
  assert_string_equal(v[1], "q");
  assert_null(v[2]);
  strv_free(v);
  assert_null(json_get_strv(o, "mixed"));
  json_add_str(o, "added", NULL);
  assert_null(json_get_str(o, "added"));
  json_add_str(o, "added", "y");
  assert_string_equal(json_get_str(o, "added"), "y");
  json_object_put(o);
}

static void test_timefmt_digits(void **state)
{
  char buf[TIMEFMT_ISO_LEN];
  struct timespec ts = {.tv_sec = 1796162358, .tv_nsec = 123456789};
  assert_string_equal(timefmt_iso(buf, &ts, 0), "2026-12-01T21:59:18Z");
  assert_string_equal(timefmt_iso(buf, &ts, 3), "2026-12-01T21:59:18.123Z");
  assert_string_equal(timefmt_iso(buf, &ts, 9), "2026-12-01T21:59:18.123456789Z");
  assert_int_equal(strlen(timefmt_iso(buf, NULL, 9)), 30);
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_getters_types),
               cmocka_unit_test(test_timefmt_digits))
