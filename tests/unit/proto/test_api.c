/* proto/api: each REST message round-trips (encode, decode, encode again
 * gives the same JSON text), the bytes are those nodelabd always sent, and
 * malformed replies are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "unit-test.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "api.h"
#include "proto-test.h"

static void test_small_replies(void **state)
{
  struct lab_error *err = NULL;
  struct json_object *o = api_error_encode(&(struct api_error){.error = "no such lab"});
  assert_string_equal(text(o), "{\"error\":\"no such lab\"}");
  struct api_error e;
  assert_int_equal(api_error_decode(o, &e, &err), 0);
  assert_string_equal(e.error, "no such lab");
  json_object_put(o);

  o = api_version_encode(&(struct api_version){.version = "0.1.0", .pid = 1234});
  assert_string_equal(text(o), "{\"version\":\"0.1.0\",\"pid\":1234}");
  struct api_version v;
  assert_int_equal(api_version_decode(o, &v, &err), 0);
  assert_string_equal(v.version, "0.1.0");
  assert_int_equal(v.pid, 1234);
  json_object_put(o);

  o = api_deleted_encode(&(struct api_deleted){.name = "lab", .removed = true});
  assert_string_equal(text(o), "{\"name\":\"lab\",\"removed\":true}");
  struct api_deleted d;
  assert_int_equal(api_deleted_decode(o, &d, &err), 0);
  assert_string_equal(d.name, "lab");
  assert_true(d.removed);
  json_object_put(o);

  o = api_lab_create_encode(
      &(struct api_lab_create){.file = "/s/a.yaml", .yaml = "name: a\n", .name = "b"});
  assert_string_equal(text(o),
                      "{\"file\":\"\\/s\\/a.yaml\",\"yaml\":\"name: a\\n\",\"name\":\"b\"}");
  struct api_lab_create c;
  assert_int_equal(api_lab_create_decode(o, &c, &err), 0);
  assert_string_equal(c.file, "/s/a.yaml");
  assert_string_equal(c.yaml, "name: a\n");
  assert_string_equal(c.name, "b");
  json_object_put(o);
  /* The name is optional: not sent when NULL. */
  o = api_lab_create_encode(&(struct api_lab_create){.file = "<default>", .yaml = "y"});
  assert_string_equal(text(o), "{\"file\":\"<default>\",\"yaml\":\"y\"}");
  assert_int_equal(api_lab_create_decode(o, &c, &err), 0);
  assert_null(c.name);
  json_object_put(o);
}

static void test_labs(void **state)
{
  struct api_lab_summary labs[] = {
      {.name = "one",
       .scenario = "default",
       .state = API_LAB_UP,
       .nodes = 3,
       .pods = 3,
       .created = "2026-12-01T10:00:00Z"},
      {.name = "two", .scenario = "s", .state = API_LAB_STOPPING, .created = "x"},
  };
  struct json_object *o = api_labs_encode(&(struct api_labs){.labs = labs, .n_labs = 2});
  char *first = strdup(text(o));
  assert_string_equal(first, "{\"labs\":[{\"name\":\"one\",\"scenario\":\"default\",\"state\":"
                             "\"up\",\"nodes\":3,\"pods\":3,\"created\":\"2026-12-01T10:00:00Z\"},"
                             "{\"name\":\"two\",\"scenario\":\"s\",\"state\":\"stopping\","
                             "\"nodes\":0,\"pods\":0,\"created\":\"x\"}]}");
  struct api_labs back;
  struct lab_error *err = NULL;
  assert_int_equal(api_labs_decode(o, &back, &err), 0);
  assert_int_equal(back.n_labs, 2);
  assert_int_equal(back.labs[1].state, API_LAB_STOPPING);
  struct json_object *again = api_labs_encode(&back);
  assert_string_equal(text(again), first);
  json_object_put(again);
  api_labs_release(&back);
  json_object_put(o);
  free(first);

  /* No "labs" array; an unknown state. */
  assert_decode_error(api_labs_decode, &back, "{\"lab\": []}", "no \"labs\" array in the reply",
                      EPROTO);
  assert_decode_error(api_labs_decode, &back,
                      "{\"labs\": [{\"name\": \"a\", \"state\": \"dancing\"}]}",
                      "labs: lab: unknown state \"dancing\"", EPROTO);
  assert_decode_error(api_labs_decode, &back, "[1]", "labs reply: not a JSON object", ANY_ERRNUM);
}

/* A status as nodelabd sends it for a small lab. */
static const char status_json[] =
    "{\"name\":\"lab\",\"scenario\":\"default\",\"state\":\"up\","
    "\"nodes\":[{\"name\":\"node1\",\"state\":\"running\",\"pid\":100,\"starttime\":12345,"
    "\"hostname\":\"node1\",\"underlay\":\"192.168.122.201\\/24\",\"subnet\":\"10.1.0.0\\/24\","
    "\"cgroup\":\"nodelab\\/lab\\/node1\",\"daemons\":[{\"name\":\"netd\",\"state\":\"ready\","
    "\"pid\":101,\"restarts\":1,\"last_status\":9,\"log\":\"\\/run\\/nodelab\\/netd.log\"}]}],"
    "\"pods\":[{\"name\":\"web\",\"node\":\"node1\",\"state\":\"running\",\"ip\":\"10.1.0.2\","
    "\"infra_id\":\"abc\",\"infra_pid\":7,\"created\":\"t\",\"containers\":[{\"id\":\"c1\","
    "\"name\":\"httpd\",\"state\":\"running\",\"pid\":8,\"exit_code\":0,\"oom_killed\":false},"
    "{\"id\":\"c2\",\"name\":\"gone\",\"state\":\"missing\"}],\"infra_host_pid\":4242},"
    "{\"name\":\"bad\",\"node\":\"node1\",\"state\":\"failed\",\"error\":\"no image\","
    "\"containers\":[]},"
    "{\"name\":\"odd\",\"node\":\"node1\",\"state\":\"running\",\"ip\":null,\"infra_id\":\"\","
    "\"infra_pid\":0,\"created\":\"\",\"containers\":[]}],"
    "\"created\":\"2026-12-01T10:00:00Z\",\"description\":\"d\",\"file\":\"<default>\","
    "\"cgroup_mode\":\"v2\",\"links\":[{\"node\":\"node1\",\"ifname\":\"eth0\",\"peer\":\"vn1\","
    "\"bridge\":\"underlay\",\"address\":\"192.168.122.201\\/24\"}],\"fabric\":{\"pid\":99,"
    "\"starttime\":1,\"bridge\":\"underlay\"},\"faults\":[{\"name\":\"f\",\"kind\":\"link-down\","
    "\"node\":\"node1\",\"state\":\"active\"}],\"checks\":[{\"name\":\"c\",\"kind\":\"http\","
    "\"from\":\"node2\\/client\",\"to\":\"web:8080\",\"result\":\"passed\",\"latencyMs\":1.234,"
    "\"reason\":\"HTTP 200\",\"time\":\"t\"}]}";

static void test_lab_status(void **state)
{
  struct json_object *o = json_tokener_parse(status_json);
  assert_non_null(o);
  struct api_lab_status st;
  struct lab_error *err = NULL;
  assert_int_equal(api_lab_status_decode(o, &st, &err), 0);
  assert_string_equal(st.name, "lab");
  assert_int_equal(st.state, API_LAB_UP);
  assert_int_equal(st.n_nodes, 1);
  assert_int_equal(st.nodes[0].state, API_NODE_RUNNING);
  assert_int_equal(st.nodes[0].n_daemons, 1);
  assert_int_equal(st.nodes[0].daemons[0].state, API_DAEMON_READY);
  assert_int_equal(st.nodes[0].daemons[0].last_status, 9);
  assert_int_equal(st.n_pods, 3);
  assert_true(st.pods[0].has_info);
  assert_true(st.pods[0].has_infra_host_pid);
  assert_int_equal(st.pods[0].infra_host_pid, 4242);
  assert_int_equal(st.pods[0].n_containers, 2);
  assert_true(st.pods[0].containers[0].has_process);
  assert_false(st.pods[0].containers[1].has_process);
  assert_false(st.pods[1].has_info);
  assert_string_equal(st.pods[1].error, "no image");
  assert_int_equal(st.pods[1].state, API_POD_FAILED);
  assert_true(st.pods[2].has_info);
  assert_null(st.pods[2].ip);
  assert_int_equal(st.fabric.pid, 99);
  assert_int_equal(st.n_links, 1);
  assert_str_eq(st.links[0].peer, "vn1");
  assert_int_equal(st.n_faults, 1);
  assert_string_equal(st.faults[0].kind, "link-down");
  assert_int_equal(st.n_checks, 1);
  assert_int_equal(st.checks[0].result, API_CHECK_PASSED);
  assert_true(st.checks[0].latency_ms == 1.234);
  /* Encoded again: the very bytes it came as. */
  struct json_object *again = api_lab_status_encode(&st);
  assert_string_equal(text(again), status_json);
  json_object_put(again);
  api_lab_status_release(&st);
  json_object_put(o);

  /* Malformed: a state unknown, an array that is not one. */
  assert_decode_error(api_lab_status_decode, &st,
                      "{\"name\":\"x\",\"nodes\":[{\"state\":\"asleep\"}]}",
                      "lab status: unknown state \"asleep\"", EPROTO);
  assert_decode_error(api_lab_status_decode, &st, "{\"name\":\"x\",\"pods\":{}}",
                      "lab status: \"pods\" is not an array", ANY_ERRNUM);
  assert_decode_error(api_lab_status_decode, &st, "{\"name\":\"x\",\"links\":[3]}",
                      "lab status: links: not a JSON object", ANY_ERRNUM);
}

static void test_checks(void **state)
{
  /* The request: names, or none. */
  const char *names[] = {"ping-web", "client-to-web", NULL};
  struct json_object *o = api_check_run_encode(&(struct api_check_run){.names = names});
  assert_string_equal(text(o), "{\"names\":[\"ping-web\",\"client-to-web\"]}");
  struct api_check_run run;
  struct lab_error *err = NULL;
  assert_int_equal(api_check_run_decode(o, &run, &err), 0);
  assert_string_equal(run.names[1], "client-to-web");
  assert_null(run.names[2]);
  api_check_run_release(&run);
  json_object_put(o);
  o = json_tokener_parse("{}");
  assert_int_equal(api_check_run_decode(o, &run, &err), 0);
  assert_null(run.names);
  json_object_put(o);
  o = json_tokener_parse("{\"names\":[\"a\",3]}");
  assert_int_equal(api_check_run_decode(o, &run, &err), -1);
  assert_string_equal(err->msg, "check request: \"names\" is not a list of check names");
  assert_int_equal(err->errnum, EPROTO);
  lab_error_clear(&err);
  json_object_put(o);

  /* The reply: results, an expected failure, a latency unknown. */
  static const char reply[] =
      "{\"checks\":[{\"name\":\"ping-web\",\"kind\":\"ping\",\"from\":\"node2\\/client\","
      "\"to\":\"web\",\"result\":\"passed\",\"latencyMs\":0.067,\"reason\":\"3 of 3 ICMP "
      "echoes answered\",\"time\":\"2026-12-01T10:00:00.000Z\"},{\"name\":\"chmod\",\"kind\":"
      "\"exec\",\"from\":\"node1\\/web\\/httpd\",\"to\":\"chmod\",\"result\":\"passed\","
      "\"expectFail\":true,\"latencyMs\":12.500,\"reason\":\"failed as expected: exit status 1\","
      "\"time\":\"t\"},{\"name\":\"tcp\",\"kind\":\"tcp\",\"from\":\"master\",\"to\":"
      "\"10.1.1.9:80\",\"result\":\"failed\",\"reason\":\"TCP connect timed out\",\"time\":"
      "\"t\"}],\"passed\":2,\"failed\":1}";
  o = json_tokener_parse(reply);
  assert_non_null(o);
  struct api_check_results res;
  assert_int_equal(api_check_results_decode(o, &res, &err), 0);
  assert_int_equal(res.n_checks, 3);
  assert_int_equal(res.passed, 2);
  assert_int_equal(res.failed, 1);
  assert_true(res.checks[1].expect_fail);
  assert_false(res.checks[0].expect_fail);
  assert_int_equal(res.checks[2].result, API_CHECK_FAILED);
  assert_true(res.checks[2].latency_ms == -1);
  assert_string_equal(res.checks[2].reason, "TCP connect timed out");
  struct json_object *again = api_check_results_encode(&res);
  assert_string_equal(text(again), reply);
  json_object_put(again);
  api_check_results_release(&res);
  json_object_put(o);

  o = json_tokener_parse("{\"checks\":[{\"name\":\"x\",\"result\":\"maybe\"}]}");
  assert_int_equal(api_check_results_decode(o, &res, &err), -1);
  assert_string_equal(err->msg, "check reply: unknown result \"maybe\"");
  assert_int_equal(err->errnum, EPROTO);
  lab_error_clear(&err);
  json_object_put(o);
  assert_string_equal(api_check_result_name(API_CHECK_FAILED), "failed");
}

static void test_events(void **state)
{
  struct api_event evs[] = {
      {.seq = 1, .time = "2026-12-01T10:00:00.000Z", .kind = "lab-up", .message = "up"},
      {.seq = 2, .time = "t", .kind = "node-ready", .object = "node1", .message = "pid 3"},
  };
  struct json_object *o =
      api_events_encode(&(struct api_events){.events = evs, .n_events = 2, .next = 3});
  char *first = strdup(text(o));
  assert_string_equal(first, "{\"events\":[{\"seq\":1,\"time\":\"2026-12-01T10:00:00.000Z\","
                             "\"kind\":\"lab-up\",\"object\":null,\"message\":\"up\"},{\"seq\":2,"
                             "\"time\":\"t\",\"kind\":\"node-ready\",\"object\":\"node1\","
                             "\"message\":\"pid 3\"}],\"next\":3}");
  struct api_events back;
  struct lab_error *err = NULL;
  assert_int_equal(api_events_decode(o, &back, &err), 0);
  assert_int_equal(back.n_events, 2);
  assert_null(back.events[0].object);
  assert_string_equal(back.events[1].object, "node1");
  assert_int_equal(back.next, 3);
  struct json_object *again = api_events_encode(&back);
  assert_string_equal(text(again), first);
  json_object_put(again);
  api_events_release(&back);
  json_object_put(o);
  free(first);

  assert_decode_error(api_events_decode, &back, "{\"events\": 5, \"next\": 1}",
                      "events reply: \"events\" is not an array", ANY_ERRNUM);
}

static void test_state_names(void **state)
{
  assert_string_equal(api_lab_state_name(API_LAB_STOPPING), "stopping");
  assert_string_equal(api_node_state_name(API_NODE_EXITED), "exited");
  assert_string_equal(api_daemon_state_name(API_DAEMON_RUNNING), "running");
  assert_string_equal(api_pod_state_name(API_POD_PENDING), "pending");
  assert_string_equal(api_lab_state_name((enum api_lab_state)42), "unknown");
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_small_replies), cmocka_unit_test(test_labs),
               cmocka_unit_test(test_lab_status), cmocka_unit_test(test_checks),
               cmocka_unit_test(test_events), cmocka_unit_test(test_state_names))
