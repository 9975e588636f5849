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

/* Decoding the JSON text with decode(o, out, &err) fails with the message
 * want_msg and, unless want_errnum is ANY_ERRNUM, errno value want_errnum. */
#define ANY_ERRNUM (-1)
#define assert_decode_error(decode, out, text, want_msg, want_errnum)                              \
  do {                                                                                             \
    struct json_object *o_ = json_tokener_parse(text);                                             \
    struct lab_error *e_ = NULL;                                                                   \
    assert_int_equal(decode(o_, out, &e_), -1);                                                    \
    assert_non_null(e_);                                                                           \
    assert_string_equal(e_->msg, want_msg);                                                        \
    if ((want_errnum) != ANY_ERRNUM)                                                               \
      assert_int_equal(e_->errnum, (want_errnum));                                                 \
    lab_error_clear(&e_);                                                                          \
    json_object_put(o_);                                                                           \
  } while (0)

/* decode(o, back, &err) works. */
#define assert_decodes(decode, o, back)                                                            \
  do {                                                                                             \
    struct lab_error *e_ = NULL;                                                                   \
    assert_int_equal(decode(o, back, &e_), 0);                                                     \
  } while (0)

/* Encoding back with encode(back) again gives o's text. */
#define assert_reencodes(encode, back, o)                                                          \
  do {                                                                                             \
    struct json_object *again_ = encode(back);                                                     \
    assert_string_equal(text(again_), text(o));                                                    \
    json_object_put(again_);                                                                       \
  } while (0)

#endif
