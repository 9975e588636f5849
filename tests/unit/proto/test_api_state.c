/* proto/api-state: the lab state round-trips (encode, decode, encode again
 * gives the same text), the wire text is pinned, and malformed replies are
 * refused with their messages. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "api-state.h"
#include "error.h"
#include "proto-test.h"

static void test_round_trip(void **state)
{
  (void)state;
  const char *n1[] = {"daemon netd running", "net link lo up"};
  struct api_state_node nodes[] = {{"node1", n1, 2}, {"fabric", NULL, 0}};
  struct api_state m = {.lab = "default", .nodes = nodes, .n_nodes = 2};
  struct json_object *o = api_state_encode(&m);
  assert_string_equal(text(o), "{\"lab\":\"default\",\"nodes\":[{\"name\":\"node1\",\"lines\":"
                               "[\"daemon netd running\",\"net link lo up\"]},{\"name\":"
                               "\"fabric\",\"lines\":[]}]}");
  struct api_state back;
  assert_decodes(api_state_decode, o, &back);
  assert_int_equal(back.n_nodes, 2);
  assert_string_equal(back.nodes[0].lines[1], "net link lo up");
  assert_int_equal(back.nodes[1].n_lines, 0);
  assert_reencodes(api_state_encode, &back, o);
  api_state_release(&back);
  json_object_put(o);
}

static void test_refusals(void **state)
{
  (void)state;
  struct api_state back;
  assert_decode_error(api_state_decode, &back, "[1]",
                      "malformed reply: the state is not an object: Protocol error", EPROTO);
  assert_decode_error(api_state_decode, &back, "{\"nodes\":{}}",
                      "malformed reply: nodes is not an array: Protocol error", EPROTO);
  assert_decode_error(api_state_decode, &back, "{\"nodes\":[{\"lines\":[]}]}",
                      "malformed reply: a node's state needs a name and an array of lines: "
                      "Protocol error",
                      EPROTO);
  assert_decode_error(api_state_decode, &back, "{\"nodes\":[{\"name\":\"n\",\"lines\":[3]}]}",
                      "malformed reply: a state line is not a string: Protocol error", EPROTO);
  struct json_object *o = json_tokener_parse("{\"lab\":\"x\"}");
  assert_decodes(api_state_decode, o, &back);
  assert_int_equal(back.n_nodes, 0);
  api_state_release(&back);
  json_object_put(o);
}

int main(void)
{
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_round_trip),
                                     cmocka_unit_test(test_refusals)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
