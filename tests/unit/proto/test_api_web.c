/* proto/api-web: the web view's request and reply, round trip and refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "api-web.h"

static void test_round_trip(void **state)
{
  (void)state;
  struct lab_error *err = NULL;
  struct json_object *o = api_web_start_encode(&(struct api_web_start){.listen = "127.0.0.1:8765"});
  struct api_web_start s;
  assert_int_equal(api_web_start_decode(o, &s, &err), 0);
  assert_string_equal(s.listen, "127.0.0.1:8765");
  json_object_put(o);
  o = api_web_start_encode(&(struct api_web_start){0});
  assert_int_equal(api_web_start_decode(o, &s, &err), 0);
  assert_null(s.listen);
  json_object_put(o);
  o = api_web_started_encode(&(struct api_web_started){.url = "http://127.0.0.1:1/?token=ab"});
  struct api_web_started r;
  assert_int_equal(api_web_started_decode(o, &r, &err), 0);
  assert_string_equal(r.url, "http://127.0.0.1:1/?token=ab");
  json_object_put(o);
}

static void test_refusals(void **state)
{
  (void)state;
  struct lab_error *err = NULL;
  struct api_web_start s;
  struct json_object *o = json_tokener_parse("{\"listen\": 8765}");
  assert_int_equal(api_web_start_decode(o, &s, &err), -1);
  assert_string_equal(err->msg, "listen: not a string (give 127.0.0.1:PORT)");
  lab_error_clear(&err);
  json_object_put(o);
  o = json_tokener_parse("[]");
  assert_int_equal(api_web_start_decode(o, &s, &err), -1);
  assert_string_equal(err->msg, "web request is not a JSON object");
  lab_error_clear(&err);
  json_object_put(o);
  struct api_web_started r;
  o = json_tokener_parse("{}");
  assert_int_equal(api_web_started_decode(o, &r, &err), -1);
  assert_string_equal(err->msg, "web reply: no url");
  lab_error_clear(&err);
  json_object_put(o);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip),
      cmocka_unit_test(test_refusals),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
