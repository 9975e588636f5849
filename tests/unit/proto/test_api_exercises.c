/* proto/api-exercises: each exercise message round-trips (encode, decode,
 * encode again gives the same text), the wire text of the status and of a
 * history line is pinned, and malformed ones are refused in words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "api-exercises.h"
#include "error.h"
#include "proto-test.h"

static void test_start(void **state)
{
  (void)state;
  struct api_exercise_start m = {.name = "broken-tunnel", .has_seed = true, .seed = 42};
  struct json_object *o = api_exercise_start_encode(&m);
  assert_string_equal(text(o), "{\"name\":\"broken-tunnel\",\"seed\":42}");
  struct api_exercise_start back;
  assert_decodes(api_exercise_start_decode, o, &back);
  assert_true(back.has_seed);
  assert_int_equal(back.seed, 42);
  assert_reencodes(api_exercise_start_encode, &back, o);
  json_object_put(o);

  /* No name, no seed: any exercise, a seed drawn. */
  o = api_exercise_start_encode(&(struct api_exercise_start){0});
  assert_string_equal(text(o), "{\"name\":null}");
  assert_decodes(api_exercise_start_decode, o, &back);
  assert_null(back.name);
  assert_false(back.has_seed);
  json_object_put(o);

  assert_decode_error(api_exercise_start_decode, &back, "{\"seed\":-1}",
                      "seed: not a number from 0 up", 0);
  assert_decode_error(api_exercise_start_decode, &back, "{\"seed\":\"7\"}",
                      "seed: not a number from 0 up", 0);
  assert_decode_error(api_exercise_start_decode, &back, "[1]", "the request is not a JSON object",
                      0);
}

static void test_started(void **state)
{
  (void)state;
  struct api_exercise_started m = {
      .exercise = "black-hole", .symptom = "Big ones vanish.", .seed = 7};
  struct json_object *o = api_exercise_started_encode(&m);
  /* Only the symptom: never the kind or the target. */
  assert_string_equal(text(o),
                      "{\"exercise\":\"black-hole\",\"seed\":7,\"symptom\":\"Big ones vanish.\"}");
  struct api_exercise_started back;
  assert_decodes(api_exercise_started_decode, o, &back);
  assert_reencodes(api_exercise_started_encode, &back, o);
  json_object_put(o);
  assert_decode_error(api_exercise_started_decode, &back, "{\"seed\":7}",
                      "malformed reply: lacks \"exercise\": Protocol error", ANY_ERRNUM);
}

static void test_status(void **state)
{
  (void)state;
  struct api_exercise_status m = {.exercise = "black-hole",
                                  .started = "2026-12-02T01:00:00Z",
                                  .symptom = "Big ones vanish.",
                                  .reason = NULL,
                                  .seed = 7,
                                  .state = API_EXERCISE_RUNNING,
                                  .seconds = 12,
                                  .hints_used = 1,
                                  .hints_total = 5,
                                  .checks_tried = 2};
  struct json_object *o = api_exercise_status_encode(&m);
  assert_string_equal(text(o), "{\"exercise\":\"black-hole\",\"seed\":7,\"state\":\"running\","
                               "\"started\":\"2026-12-02T01:00:00Z\",\"seconds\":12,"
                               "\"hints_used\":1,\"hints_total\":5,\"checks_tried\":2,"
                               "\"symptom\":\"Big ones vanish.\",\"reason\":null}");
  struct api_exercise_status back;
  assert_decodes(api_exercise_status_decode, o, &back);
  assert_int_equal(back.state, API_EXERCISE_RUNNING);
  assert_int_equal(back.hints_total, 5);
  assert_reencodes(api_exercise_status_encode, &back, o);
  json_object_put(o);
  assert_decode_error(api_exercise_status_decode, &back, "{\"state\":\"half-done\"}",
                      "malformed reply: state \"half-done\" is not one of running, solved, "
                      "given-up, replaced: Protocol error",
                      ANY_ERRNUM);
}

static void test_hint(void **state)
{
  (void)state;
  struct api_exercise_hint m = {.number = 2, .total = 4, .hint = "Look at ip link."};
  struct json_object *o = api_exercise_hint_encode(&m);
  assert_string_equal(text(o), "{\"number\":2,\"total\":4,\"hint\":\"Look at ip link.\"}");
  struct api_exercise_hint back;
  assert_decodes(api_exercise_hint_decode, o, &back);
  assert_reencodes(api_exercise_hint_encode, &back, o);
  json_object_put(o);
  o = api_exercise_hint_encode(&(struct api_exercise_hint){.number = 4, .total = 4});
  assert_decodes(api_exercise_hint_decode, o, &back);
  assert_null(back.hint); /* none left */
  json_object_put(o);
}

static void test_check(void **state)
{
  (void)state;
  const char *problems[] = {"the fault is still present", "check ping-web fails: no ICMP reply"};
  struct api_exercise_check m = {.passed = false,
                                 .fault_present = true,
                                 .state = API_EXERCISE_RUNNING,
                                 .problems = problems,
                                 .n_problems = 2,
                                 .checks_tried = 3};
  struct json_object *o = api_exercise_check_encode(&m);
  struct api_exercise_check back;
  assert_decodes(api_exercise_check_decode, o, &back);
  assert_int_equal(back.n_problems, 2);
  assert_string_equal(back.problems[1], problems[1]);
  assert_null(back.replaced);
  assert_reencodes(api_exercise_check_encode, &back, o);
  api_exercise_check_release(&back);
  json_object_put(o);

  struct api_exercise_check replaced = {.state = API_EXERCISE_REPLACED,
                                        .replaced = "pod web was deleted and recreated"};
  o = api_exercise_check_encode(&replaced);
  assert_decodes(api_exercise_check_decode, o, &back);
  assert_string_equal(back.replaced, "pod web was deleted and recreated");
  assert_int_equal(back.state, API_EXERCISE_REPLACED);
  api_exercise_check_release(&back);
  json_object_put(o);
  assert_decode_error(api_exercise_check_decode, &back, "{\"state\":\"solved\",\"problems\":[1]}",
                      "malformed reply: problems[0] is not a string: Protocol error", ANY_ERRNUM);
}

static void test_solution(void **state)
{
  (void)state;
  const char *cmds[] = {"nodelab exec node2 -- ip link set dev eth0 mtu 1500"};
  struct api_exercise_solution m = {.cause = "eth0-mtu (link-mtu): it sets the MTU",
                                    .target = "node2 eth0 (mtu 1300)",
                                    .commands = cmds,
                                    .n_commands = 1,
                                    .state = API_EXERCISE_GIVEN_UP};
  struct json_object *o = api_exercise_solution_encode(&m);
  struct api_exercise_solution back;
  assert_decodes(api_exercise_solution_decode, o, &back);
  assert_int_equal(back.n_commands, 1);
  assert_string_equal(back.commands[0], cmds[0]);
  assert_int_equal(back.state, API_EXERCISE_GIVEN_UP);
  assert_reencodes(api_exercise_solution_encode, &back, o);
  api_exercise_solution_release(&back);
  json_object_put(o);
}

static const struct api_exercise_record record = {.lab = "default",
                                                  .exercise = "black-hole",
                                                  .fault = "eth0-mtu",
                                                  .kind = "link-mtu",
                                                  .target = "node2 eth0 (mtu 1300)",
                                                  .started = "2026-12-02T01:00:00Z",
                                                  .ended = "2026-12-02T01:03:20Z",
                                                  .reason = NULL,
                                                  .seed = 7,
                                                  .seconds = 200,
                                                  .hints_used = 2,
                                                  .checks_tried = 3,
                                                  .result = API_EXERCISE_SOLVED};

/* The history line codec: one line of compact JSON, read back the same. */
static void test_record_line(void **state)
{
  (void)state;
  char *line = api_exercise_record_line(&record);
  assert_string_equal(line, "{\"lab\":\"default\",\"exercise\":\"black-hole\",\"fault\":"
                            "\"eth0-mtu\",\"kind\":\"link-mtu\",\"target\":\"node2 eth0 (mtu "
                            "1300)\",\"seed\":7,\"started\":\"2026-12-02T01:00:00Z\",\"ended\":"
                            "\"2026-12-02T01:03:20Z\",\"seconds\":200,\"hints_used\":2,"
                            "\"checks_tried\":3,\"result\":\"solved\",\"reason\":null}\n");
  struct api_exercise_record back;
  struct json_object *holder = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(api_exercise_record_parse(line, &back, &holder, &err), 0);
  char *again = api_exercise_record_line(&back);
  assert_string_equal(again, line);
  assert_int_equal(back.result, API_EXERCISE_SOLVED);
  assert_int_equal(back.seconds, 200);
  free(again);
  json_object_put(holder);
  free(line);

  /* given-up and replaced, with a reason. */
  struct api_exercise_record r = record;
  r.result = API_EXERCISE_REPLACED;
  r.reason = "pod web was deleted and recreated";
  line = api_exercise_record_line(&r);
  assert_int_equal(api_exercise_record_parse(line, &back, &holder, &err), 0);
  assert_int_equal(back.result, API_EXERCISE_REPLACED);
  assert_string_equal(back.reason, r.reason);
  json_object_put(holder);
  free(line);
}

static void assert_parse_error(const char *line, const char *want)
{
  struct api_exercise_record back;
  struct json_object *holder = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(api_exercise_record_parse(line, &back, &holder, &err), -1);
  assert_null(holder);
  assert_non_null(err);
  assert_string_equal(err->msg, want);
  lab_error_clear(&err);
}

static void test_record_refused(void **state)
{
  (void)state;
  assert_parse_error("{\"lab\":\"d\"",
                     "malformed history line: not JSON (it ends too soon): Protocol error");
  assert_parse_error("@nonsense\n", "malformed history line: not JSON (unexpected character): "
                                    "Protocol error");
  assert_parse_error("[]", "malformed history line: not a JSON object: Protocol error");
  assert_parse_error("{\"lab\":\"d\",\"exercise\":\"e\",\"fault\":\"f\",\"kind\":\"k\"}",
                     "malformed history line: lacks \"started\": Protocol error");
  assert_parse_error("{\"lab\":\"d\",\"exercise\":\"e\",\"fault\":\"f\",\"kind\":\"k\","
                     "\"started\":\"s\",\"ended\":\"e\",\"result\":\"running\"}",
                     "malformed history line: result \"running\" is not a finished one: "
                     "Protocol error");
  assert_parse_error("{\"lab\":\"d\",\"exercise\":\"e\",\"fault\":\"f\",\"kind\":\"k\","
                     "\"started\":\"s\",\"ended\":\"e\",\"result\":\"won\"}",
                     "malformed history line: result \"won\" is not one of running, solved, "
                     "given-up, replaced: Protocol error");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_start),       cmocka_unit_test(test_started),
      cmocka_unit_test(test_status),      cmocka_unit_test(test_hint),
      cmocka_unit_test(test_check),       cmocka_unit_test(test_solution),
      cmocka_unit_test(test_record_line), cmocka_unit_test(test_record_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
