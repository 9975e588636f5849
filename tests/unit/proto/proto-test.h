/* What the proto/ unit tests share (include after <cmocka.h>). */
#ifndef NODELAB_TESTS_PROTO_TEST_H
#define NODELAB_TESTS_PROTO_TEST_H

#include <json-c/json.h>

/* A string literal as a struct's char * (the struct is only read). */
#define S(lit) ((char *)(lit))

/* o as compact JSON text (owned by o). */
static inline const char *text(struct json_object *o)
{
  return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
}

/* Equal strings, or both NULL. */
static inline void assert_str_eq(const char *a, const char *b)
{
  if (a == NULL || b == NULL)
    assert_ptr_equal(a, b);
  else
    assert_string_equal(a, b);
}

#endif
