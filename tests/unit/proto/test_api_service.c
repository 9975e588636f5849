/* proto/api-service: the services message round-trips (encode, decode,
 * encode again gives the same text), its wire text is pinned, actions parse,
 * and malformed messages are refused with their messages pinned. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "api-service.h"
#include "error.h"
#include "proto-test.h"

static void test_services(void **state)
{
  (void)state;
  struct api_service s[] = {
      {"ovsdb-create", API_DAEMON_EXITED, 0, 0, "2026-12-02T01:00:00.100Z", true, true},
      {"ovs-vswitchd", API_DAEMON_STOPPED, 0, 1, "2026-12-02T01:00:03.250Z", false, false},
      {"netd", API_DAEMON_READY, 4242, 0, "", true, false}};
  struct api_services m = {"node1", s, 3};
  struct json_object *o = api_services_encode(&m);
  assert_string_equal(
      text(o),
      "{\"node\":\"node1\",\"services\":[{\"name\":\"ovsdb-create\",\"state\":\"exited\","
      "\"pid\":0,\"restarts\":0,\"since\":\"2026-12-02T01:00:00.100Z\",\"supervised\":true,"
      "\"oneshot\":true},{\"name\":\"ovs-vswitchd\",\"state\":\"stopped\",\"pid\":0,"
      "\"restarts\":1,\"since\":\"2026-12-02T01:00:03.250Z\",\"supervised\":false,"
      "\"oneshot\":false},{\"name\":\"netd\",\"state\":\"ready\",\"pid\":4242,\"restarts\":0,"
      "\"since\":\"\",\"supervised\":true,\"oneshot\":false}]}");
  struct api_services back;
  assert_decodes(api_services_decode, o, &back);
  assert_string_equal(back.node, "node1");
  assert_int_equal(back.n_services, 3);
  assert_int_equal(back.services[1].state, API_DAEMON_STOPPED);
  assert_false(back.services[1].supervised);
  assert_int_equal(back.services[2].pid, 4242);
  assert_reencodes(api_services_encode, &back, o);
  api_services_release(&back);
  json_object_put(o);
}

static void test_refusals(void **state)
{
  (void)state;
  struct api_services back;
  assert_decode_error(api_services_decode, &back, "[]",
                      "malformed reply: services are not an object: Protocol error", EPROTO);
  assert_decode_error(api_services_decode, &back, "{\"node\":\"n\"}",
                      "malformed reply: services need a node and a services array: Protocol error",
                      EPROTO);
  assert_decode_error(api_services_decode, &back,
                      "{\"node\":\"n\",\"services\":[{\"name\":\"netd\",\"state\":\"dozing\"}]}",
                      "malformed reply: service netd: unknown state \"dozing\": Protocol error",
                      EPROTO);
  assert_decode_error(api_services_decode, &back, "{\"node\":\"n\",\"services\":[{\"pid\":1}]}",
                      "malformed reply: a service needs a name and a state: Protocol error",
                      EPROTO);
}

static void test_actions(void **state)
{
  (void)state;
  enum api_service_action a;
  struct lab_error *err = NULL;
  assert_int_equal(api_service_action_parse("restart", &a, &err), 0);
  assert_int_equal(a, API_SERVICE_RESTART);
  assert_string_equal(api_service_action_name(API_SERVICE_STOP), "stop");
  assert_int_equal(api_service_action_parse("reload", &a, &err), -1);
  assert_string_equal(err->msg, "unknown action reload (use start, stop or restart)");
  lab_error_clear(&err);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_services),
      cmocka_unit_test(test_refusals),
      cmocka_unit_test(test_actions),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
