/* proto/node-control: every request and event round-trips (and reads as the
 * wire format documented in node-control.h), malformed ones are refused, and
 * messages cross a real SOCK_SEQPACKET pair. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "unit-test.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <json-c/json.h>

#include "node-control.h"
#include "proto-test.h"

static void assert_strv_eq(char **a, char **b)
{
  if (a == NULL || b == NULL) {
    assert_ptr_equal(a, b);
    return;
  }
  size_t i = 0;
  for (; a[i] != NULL && b[i] != NULL; i++)
    assert_string_equal(a[i], b[i]);
  assert_null(a[i]);
  assert_null(b[i]);
}

static void request_round_trip(const struct node_control_request *r, const char *wire)
{
  struct json_object *o = node_control_request_encode(r);
  assert_string_equal(text(o), wire);
  struct node_control_request back;
  struct lab_error *err = NULL;
  assert_int_equal(node_control_request_decode(o, &back, &err), 0);
  assert_int_equal(back.op, r->op);
  assert_str_eq(back.name, r->name);
  assert_str_eq(back.log, r->log);
  assert_strv_eq(back.argv, r->argv);
  assert_strv_eq(back.env, r->env);
  if (r->op == NODE_CONTROL_SIGNAL)
    assert_int_equal(back.signal, r->signal);
  node_control_request_release(&back);
  json_object_put(o);
}

static void test_requests(void **state)
{
  request_round_trip(&(struct node_control_request){.op = NODE_CONTROL_GO}, "{\"op\":\"go\"}");
  char *argv[] = {S("ovsdb-server"), S("--pidfile"), NULL};
  char *env[] = {S("A=1"), NULL};
  request_round_trip(
      &(struct node_control_request){
          .op = NODE_CONTROL_SPAWN, .name = "ovsdb-server", .argv = argv, .log = "/var/log/x.log"},
      "{\"op\":\"spawn\",\"name\":\"ovsdb-server\",\"log\":\"\\/var\\/log\\/x.log\","
      "\"argv\":[\"ovsdb-server\",\"--pidfile\"]}");
  request_round_trip(
      &(struct node_control_request){
          .op = NODE_CONTROL_SPAWN, .name = "d", .argv = argv, .env = env},
      "{\"op\":\"spawn\",\"name\":\"d\",\"argv\":[\"ovsdb-server\",\"--pidfile\"],\"env\":[\"A=1\"]"
      "}");
  request_round_trip(
      &(struct node_control_request){.op = NODE_CONTROL_SIGNAL, .name = "netd", .signal = SIGKILL},
      "{\"op\":\"signal\",\"name\":\"netd\",\"signal\":9}");
}

static void request_error(const char *json, const char *msg)
{
  struct json_object *o = json_tokener_parse(json);
  struct node_control_request r;
  struct lab_error *err = NULL;
  assert_int_equal(node_control_request_decode(o, &r, &err), -1);
  assert_string_equal(err->msg, msg);
  assert_int_equal(err->errnum, EPROTO);
  assert_null(r.argv);
  lab_error_clear(&err);
  json_object_put(o);
}

static void test_request_errors(void **state)
{
  request_error("[]", "node control request: not a JSON object");
  request_error("{}", "node control request: no \"op\"");
  request_error("{\"op\": \"dance\"}", "node control request: dance");
  static const char spawn[] = "node control spawn: needs a name and a non-empty argv of strings";
  request_error("{\"op\": \"spawn\", \"argv\": [\"x\"]}", spawn);
  request_error("{\"op\": \"spawn\", \"name\": \"d\"}", spawn);
  request_error("{\"op\": \"spawn\", \"name\": \"d\", \"argv\": []}", spawn);
  request_error("{\"op\": \"spawn\", \"name\": \"d\", \"argv\": [1]}", spawn);
  request_error("{\"op\": \"spawn\", \"name\": \"d\", \"argv\": [\"x\"], \"env\": 3}", spawn);
  request_error("{\"op\": \"signal\"}", "node control signal: needs a name");
}

static void event_round_trip(const struct node_control_event *e, const char *wire)
{
  struct json_object *o = node_control_event_encode(e);
  assert_string_equal(text(o), wire);
  struct node_control_event back;
  struct lab_error *err = NULL;
  assert_int_equal(node_control_event_decode(o, &back, &err), 0);
  assert_int_equal(back.kind, e->kind);
  assert_str_eq(back.name, e->name);
  assert_str_eq(back.message, e->message);
  assert_int_equal(back.pid, e->pid);
  if (e->kind == NODE_CONTROL_EXITED)
    assert_int_equal(back.status, e->status);
  json_object_put(o);
}

static void test_events(void **state)
{
  event_round_trip(&(struct node_control_event){.kind = NODE_CONTROL_READY},
                   "{\"event\":\"ready\"}");
  event_round_trip(&(struct node_control_event){.kind = NODE_CONTROL_ERROR, .message = "mount"},
                   "{\"event\":\"error\",\"message\":\"mount\"}");
  event_round_trip(
      &(struct node_control_event){.kind = NODE_CONTROL_STARTED, .name = "netd", .pid = 12},
      "{\"event\":\"started\",\"name\":\"netd\",\"pid\":12}");
  event_round_trip(&(struct node_control_event){.kind = NODE_CONTROL_NOTIFY,
                                                .name = "netd",
                                                .message = "READY=1"},
                   "{\"event\":\"notify\",\"name\":\"netd\",\"message\":\"READY=1\"}");
  event_round_trip(&(struct node_control_event){.kind = NODE_CONTROL_SPAWN_FAILED,
                                                .name = "x",
                                                .message = "fork failed"},
                   "{\"event\":\"spawn-failed\",\"name\":\"x\",\"message\":\"fork failed\"}");
  event_round_trip(
      &(struct node_control_event){
          .kind = NODE_CONTROL_EXITED, .name = "netd", .pid = 12, .status = 9},
      "{\"event\":\"exited\",\"name\":\"netd\",\"pid\":12,\"status\":9}");

  struct node_control_event e;
  assert_decode_error(node_control_event_decode, &e, "{\"event\": \"started\", \"pid\": 3}",
                      "node control started: no daemon name", ANY_ERRNUM);
  assert_decode_error(node_control_event_decode, &e, "{\"event\": \"exploded\"}",
                      "node control event: exploded", ANY_ERRNUM);
}

static void test_socket(void **state)
{
  int sv[2];
  assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  char *argv[] = {S("/bin/true"), NULL};
  assert_int_equal(
      node_control_send_request(
          sv[0],
          &(struct node_control_request){.op = NODE_CONTROL_SPAWN, .name = "t", .argv = argv}),
      0);
  assert_int_equal(
      node_control_send_event(
          sv[1], &(struct node_control_event){.kind = NODE_CONTROL_STARTED, .name = "t", .pid = 5}),
      0);
  struct json_object *msg = NULL;
  assert_int_equal(node_control_recv(sv[1], &msg), 1);
  struct node_control_request r;
  struct lab_error *err = NULL;
  assert_int_equal(node_control_request_decode(msg, &r, &err), 0);
  assert_int_equal(r.op, NODE_CONTROL_SPAWN);
  assert_string_equal(r.argv[0], "/bin/true");
  node_control_request_release(&r);
  json_object_put(msg);
  assert_int_equal(node_control_recv(sv[0], &msg), 1);
  struct node_control_event e;
  assert_int_equal(node_control_event_decode(msg, &e, &err), 0);
  assert_int_equal(e.kind, NODE_CONTROL_STARTED);
  assert_int_equal(e.pid, 5);
  json_object_put(msg);
  close(sv[1]);
  assert_int_equal(node_control_recv(sv[0], &msg), 0); /* EOF */
  close(sv[0]);
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_requests), cmocka_unit_test(test_request_errors),
               cmocka_unit_test(test_events), cmocka_unit_test(test_socket))
