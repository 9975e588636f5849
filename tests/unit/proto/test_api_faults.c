/* proto/api-faults: each fault message round-trips (encode, decode, encode
 * again gives the same text), the wire text is pinned, and malformed
 * messages are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "api-faults.h"
#include "error.h"
#include "proto-test.h"

static struct api_fault_param params[] = {{"node", "node1"}, {"link", "eth0"}, {"mtu", "1300"}};

static const struct api_active_fault active = {.id = 3,
                                               .name = NULL,
                                               .kind = "link-mtu",
                                               .target = "node1 eth0 (mtu 1300)",
                                               .injected_at = "2026-12-01T23:16:32.229Z",
                                               .repaired_at = NULL,
                                               .symptom = "Large packets vanish.",
                                               .by = API_FAULT_BY_CLI,
                                               .state = API_FAULT_REPAIRED_BY_HAND,
                                               .for_ms = 1000,
                                               .inject_us = 1377,
                                               .repair_us = 0,
                                               .params = params,
                                               .n_params = 3};

static void test_active(void **state)
{
  (void)state;
  struct json_object *o = api_active_fault_encode(&active);
  assert_string_equal(
      text(o), "{\"id\":3,\"name\":null,\"kind\":\"link-mtu\",\"params\":{\"node\":\"node1\","
               "\"link\":\"eth0\",\"mtu\":\"1300\"},\"target\":\"node1 eth0 (mtu 1300)\","
               "\"injected_at\":\"2026-12-01T23:16:32.229Z\",\"by\":\"cli\",\"state\":"
               "\"repaired-by-hand\",\"repaired_at\":null,\"for_ms\":1000,\"symptom\":"
               "\"Large packets vanish.\",\"inject_us\":1377,\"repair_us\":0}");
  struct api_active_fault back;
  assert_decodes(api_active_fault_decode, o, &back);
  assert_int_equal(back.n_params, 3);
  assert_string_equal(back.params[2].key, "mtu");
  assert_int_equal(back.state, API_FAULT_REPAIRED_BY_HAND);
  assert_null(back.name);
  assert_reencodes(api_active_fault_encode, &back, o);
  api_active_fault_release(&back);
  json_object_put(o);

  assert_decode_error(api_active_fault_decode, &back, "{\"id\":1,\"state\":\"half-broken\"}",
                      "malformed reply: unknown state \"half-broken\": Protocol error", ANY_ERRNUM);
}

static void test_faults(void **state)
{
  (void)state;
  const char *kparams[] = {"node", "link", "mtu"};
  struct api_fault_kind kinds[] = {
      {"link-mtu", "sets the MTU", "Large packets vanish.", true, kparams, 3},
      {"netem", "adds delay", "", false, NULL, 0}};
  struct api_scenario_fault sc[] = {{"mtu-black-hole", "link-mtu", "Big ones vanish.", params, 3}};
  struct api_active_fault act[] = {active};
  struct api_faults m = {kinds, 2, sc, 1, act, 1};
  struct json_object *o = api_faults_encode(&m);
  struct api_faults back;
  assert_decodes(api_faults_decode, o, &back);
  assert_int_equal(back.n_catalogue, 2);
  assert_int_equal(back.catalogue[0].n_params, 3);
  assert_false(back.catalogue[1].implemented);
  assert_string_equal(back.scenario[0].name, "mtu-black-hole");
  assert_int_equal(back.n_active, 1);
  assert_reencodes(api_faults_encode, &back, o);
  api_faults_release(&back);
  json_object_put(o);
}

static void test_inject(void **state)
{
  (void)state;
  struct api_fault_inject m = {NULL, "link-mtu", params, 1, "30s"};
  struct json_object *o = api_fault_inject_encode(&m);
  assert_string_equal(text(o),
                      "{\"kind\":\"link-mtu\",\"params\":{\"node\":\"node1\"},\"for\":\"30s\"}");
  struct api_fault_inject back;
  assert_decodes(api_fault_inject_decode, o, &back);
  assert_reencodes(api_fault_inject_encode, &back, o);
  api_fault_inject_release(&back);
  json_object_put(o);

  assert_decode_error(api_fault_inject_decode, &back, "{\"name\":\"a\",\"kind\":\"link-mtu\"}",
                      "give either \"name\" (a scenario fault) or \"kind\"", ANY_ERRNUM);
  assert_decode_error(api_fault_inject_decode, &back,
                      "{\"kind\":\"link-mtu\",\"params\":{\"mtu\":1300}}",
                      "parameter mtu: not a string", ANY_ERRNUM);
}

static void test_repaired(void **state)
{
  (void)state;
  struct api_active_fault act[] = {active, active};
  act[1].id = 4;
  struct api_faults_repaired m = {act, 2};
  struct json_object *o = api_faults_repaired_encode(&m);
  struct api_faults_repaired back;
  assert_decodes(api_faults_repaired_decode, o, &back);
  assert_int_equal(back.n_repaired, 2);
  assert_int_equal(back.repaired[1].id, 4);
  assert_reencodes(api_faults_repaired_encode, &back, o);
  api_faults_repaired_release(&back);
  json_object_put(o);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_active),
      cmocka_unit_test(test_faults),
      cmocka_unit_test(test_inject),
      cmocka_unit_test(test_repaired),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
