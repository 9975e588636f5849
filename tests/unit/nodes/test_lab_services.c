/* nodes/lab-services: a node's daemons as services over a fake lab whose
 * node's init is the other end of a socketpair (proto/node-control.h) and
 * whose daemon is a child process of the test.  A stop sends SIGTERM and
 * pauses supervision: the exit event leaves the daemon stopped and nothing
 * is spawned; a start sends the same spawn request as at up; a restart
 * spawns it again once it has exited; the errors name the node, daemon or
 * action and list the valid ones.  No root. */
#include "lab-services.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "json.h"
#include "lab-internal.h"
#include "node-control.h"
#include "scenario.h"

/* A string literal as a struct's char * (the struct is only read). */
#define S(lit) ((char *)(lit))

static const char yaml[] = "name: t\ncluster:\n  nodes: [n1]\n";

struct fixture {
  struct scenario *sc;
  struct lab lab;
  struct lab_node node;
  struct node_daemon daemons[2];
  int init_fd; /* the node's init's end */
  pid_t child;
};

static pid_t spawn_child(void)
{
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    for (;;)
      pause();
  }
  return pid;
}

static char **argv_of(const char *a, const char *b)
{
  char **v = calloc(3, sizeof *v);
  v[0] = strdup(a);
  v[1] = strdup(b);
  return v;
}

static int setup(void **state)
{
  struct fixture *fx = calloc(1, sizeof *fx);
  struct lab_error *err = NULL;
  if (scenario_parse("t.yaml", yaml, strlen(yaml), &fx->sc, &err) < 0)
    fail_msg("%s", err->msg);
  int sv[2];
  assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  fcntl(sv[1], F_SETFL, O_NONBLOCK);
  fx->init_fd = sv[1];
  fx->lab = (struct lab){.name = S("t"), .sc = fx->sc, .state = LAB_UP, .events = lab_events_new()};
  fx->lab.nodes = &fx->node;
  fx->lab.n_nodes = 1;
  fx->child = spawn_child();
  fx->daemons[0] = (struct node_daemon){.name = S("ovsdb-create"),
                                        .object = S("n1/ovsdb-create"),
                                        .oneshot = true,
                                        .state = DAEMON_EXITED};
  fx->daemons[1] = (struct node_daemon){.name = S("netd"),
                                        .object = S("n1/netd"),
                                        .argv = argv_of("nodelab-netd", "--node=n1"),
                                        .log = S("/run/nodelab/netd.log"),
                                        .state = DAEMON_READY,
                                        .pid = fx->child};
  fx->node = (struct lab_node){.lab = &fx->lab,
                               .spec = &fx->sc->nodes[0],
                               .proc = {.pid = getpid(), .control_fd = sv[0]},
                               .state = NODE_RUNNING,
                               .daemons = fx->daemons,
                               .n_daemons = 2};
  *state = fx;
  return 0;
}

static int teardown(void **state)
{
  struct fixture *fx = *state;
  if (fx->child > 0) {
    kill(fx->child, SIGKILL);
    waitpid(fx->child, NULL, 0);
  }
  for (char **a = fx->daemons[1].argv; *a; a++)
    free(*a);
  free(fx->daemons[1].argv);
  close(fx->node.proc.control_fd);
  close(fx->init_fd);
  lab_events_free(fx->lab.events);
  scenario_free(fx->sc);
  free(fx);
  return 0;
}

/* The child got sig and is reaped; the init reports its exit. */
static void child_exits(struct fixture *fx, int sig)
{
  int status;
  assert_int_equal(waitpid(fx->child, &status, 0), fx->child);
  assert_true(WIFSIGNALED(status));
  assert_int_equal(WTERMSIG(status), sig);
  struct node_control_event ev = {
      .kind = NODE_CONTROL_EXITED, .name = "netd", .pid = fx->child, .status = status};
  assert_int_equal(node_control_send_event(fx->init_fd, &ev), 0);
  fx->child = 0;
  lab_on_node_control(fx->node.proc.control_fd, EV_READ, &fx->node);
}

/* Whether the init was asked to spawn netd, with its argv of up. */
static bool spawn_asked(struct fixture *fx)
{
  struct json_object *o = NULL;
  if (node_control_recv(fx->init_fd, &o) <= 0)
    return false;
  struct node_control_request r;
  struct lab_error *err = NULL;
  assert_int_equal(node_control_request_decode(o, &r, &err), 0);
  assert_int_equal(r.op, NODE_CONTROL_SPAWN);
  assert_string_equal(r.name, "netd");
  assert_string_equal(r.argv[0], "nodelab-netd");
  assert_string_equal(r.argv[1], "--node=n1");
  assert_null(r.argv[2]);
  node_control_request_release(&r);
  json_object_put(o);
  return true;
}

static void expect_reply(struct fixture *fx, const char *node, const char *daemon,
                         const char *action, int want_code, const char *want_error)
{
  int code;
  struct json_object *o = action ? lab_services_act(&fx->lab, node, daemon, action, &code)
                                 : lab_services_get(&fx->lab, node, &code);
  assert_int_equal(code, want_code);
  if (want_error != NULL)
    assert_string_equal(json_get_str(o, "error"), want_error);
  json_object_put(o);
}

static void test_stop_pauses_start_resumes(void **state)
{
  struct fixture *fx = *state;
  struct node_daemon *d = &fx->daemons[1];
  struct lab_error *err = NULL;
  bool running = false;
  assert_int_equal(lab_daemon_running(&fx->lab, "n1", "netd", &running, &err), 0);
  assert_true(running);

  expect_reply(fx, "n1", "netd", "stop", 200, NULL);
  assert_true(d->paused);
  child_exits(fx, SIGTERM);
  assert_int_equal(d->state, DAEMON_STOPPED);
  assert_int_equal(d->pid, 0);
  assert_int_equal(d->restarts, 0);
  assert_false(spawn_asked(fx)); /* supervision paused: nothing restarts it */
  assert_int_equal(lab_daemon_running(&fx->lab, "n1", "netd", &running, &err), 0);
  assert_false(running);
  assert_true(d->since[0] != '\0');

  int code;
  struct json_object *o = lab_services_get(&fx->lab, "n1", &code);
  assert_int_equal(code, 200);
  assert_non_null(strstr(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
                         "\"name\":\"netd\",\"state\":\"stopped\",\"pid\":0,\"restarts\":0"));
  assert_non_null(
      strstr(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), "\"supervised\":false"));
  json_object_put(o);

  expect_reply(fx, "n1", "netd", "start", 200, NULL);
  assert_false(d->paused);
  assert_true(spawn_asked(fx));
  assert_int_equal(d->state, DAEMON_STARTED);
}

static void test_restart(void **state)
{
  struct fixture *fx = *state;
  struct node_daemon *d = &fx->daemons[1];
  expect_reply(fx, "n1", "netd", "restart", 200, NULL);
  assert_false(spawn_asked(fx)); /* not before it has exited */
  child_exits(fx, SIGTERM);
  assert_true(spawn_asked(fx));
  assert_false(d->paused);
  assert_int_equal(d->state, DAEMON_STARTED);
}

/* daemon-kill's steps: SIGKILL, and a start before the exit is reported
 * starts it once the exit comes. */
static void test_kill_then_start(void **state)
{
  struct fixture *fx = *state;
  struct lab_error *err = NULL;
  assert_int_equal(lab_daemon_stop(&fx->lab, "n1", "netd", SIGKILL, &err), 0);
  int status;
  assert_int_equal(waitpid(fx->child, &status, 0), fx->child);
  bool running = true;
  assert_int_equal(lab_daemon_running(&fx->lab, "n1", "netd", &running, &err), 0);
  assert_false(running); /* dead, its exit not reported yet */
  assert_int_equal(lab_daemon_start(&fx->lab, "n1", "netd", &err), 0);
  assert_false(spawn_asked(fx));
  struct node_control_event ev = {
      .kind = NODE_CONTROL_EXITED, .name = "netd", .pid = fx->child, .status = status};
  fx->child = 0;
  assert_int_equal(node_control_send_event(fx->init_fd, &ev), 0);
  lab_on_node_control(fx->node.proc.control_fd, EV_READ, &fx->node);
  assert_true(spawn_asked(fx));
}

static void test_errors(void **state)
{
  struct fixture *fx = *state;
  expect_reply(fx, "nowhere", NULL, NULL, 404, "lab t has no node nowhere (its nodes: n1)");
  expect_reply(fx, "n1", "sshd", "start", 404, "node n1 has no service sshd (its services: netd)");
  expect_reply(fx, "n1", "netd", "reload", 400,
               "unknown action reload (use start, stop or restart)");
  expect_reply(fx, "n1", "ovsdb-create", "stop", 400,
               "ovsdb-create on node n1 is a step of the node's start, not a service");
  fx->lab.state = LAB_STARTING;
  expect_reply(fx, "n1", "netd", "stop", 409, "lab t is not up (it is starting)");
  fx->lab.state = LAB_UP;
  assert_false(fx->daemons[1].paused);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_stop_pauses_start_resumes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_restart, setup, teardown),
      cmocka_unit_test_setup_teardown(test_kill_then_start, setup, teardown),
      cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
