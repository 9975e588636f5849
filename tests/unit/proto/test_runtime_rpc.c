/* proto/runtime-rpc.h: every message encodes, decodes back equal, and every
 * refusal names its field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit-test.h"
#include <json-c/json.h>

#include "proto-test.h"
#include "runtime-rpc.h"

static char **strv(const char *a, const char *b)
{
  char **v = calloc(3, sizeof *v);
  v[0] = a ? strdup(a) : NULL;
  v[1] = a && b ? strdup(b) : NULL;
  return v;
}

static void assert_json_equal(struct json_object *a, struct json_object *b)
{
  if (!json_object_equal(a, b))
    fail_msg("%s\n!=\n%s", json_object_to_json_string(a), json_object_to_json_string(b));
}

static void fill_spec(struct rt_rpc_spec *s)
{
  s->image = strdup("ubi");
  s->name = strdup("c");
  s->command = strv("top", "-b");
  s->env = strv("A=1", NULL);
  s->entrypoint = strv(NULL, NULL); /* empty: none, not the image's */
  s->hostname = strdup("h");
  s->net = RT_NET_HOST;
  s->memory_bytes = 33554432;
  s->cpu_millis = 500;
  s->pids = 64;
  s->seccomp_profile = strdup("/p/chmod.json");
  s->privileged = true;
  rt_rpc_spec_add_volume(s, "/srv", "/data", true, false);
  rt_rpc_spec_add_volume(s, "/etc/hosts", "/etc/hosts", false, true);
}

static void test_op_names(void **state)
{
  (void)state;
  for (int op = 0; op < RT_OP_N; op++) {
    struct json_object *o = rt_rpc_request_new((enum rt_rpc_op)op);
    enum rt_rpc_op back;
    struct lab_error *err = NULL;
    assert_int_equal(rt_rpc_op_from_json(o, &back, &err), 0);
    assert_int_equal(back, op);
    json_object_put(o);
  }
}

static void test_run_round_trip(void **state)
{
  (void)state;
  struct rt_rpc_run r = {.detach = true,
                         .rm = true,
                         .tty = true,
                         .has_winsize = true,
                         .winsize = {.rows = 40, .cols = 132}};
  fill_spec(&r.spec);
  struct json_object *o = rt_rpc_run_to_json(RT_OP_RUN, &r);
  struct rt_rpc_run back;
  struct lab_error *err = NULL;
  assert_int_equal(rt_rpc_run_from_json(o, &back, &err), 0);
  assert_string_equal(back.spec.image, "ubi");
  assert_string_equal(back.spec.command[1], "-b");
  assert_null(back.spec.command[2]);
  assert_non_null(back.spec.entrypoint);
  assert_null(back.spec.entrypoint[0]);
  assert_int_equal(back.spec.net, RT_NET_HOST);
  assert_int_equal(back.spec.memory_bytes, 33554432);
  assert_true(back.spec.privileged);
  assert_int_equal(back.spec.n_volumes, 2);
  assert_string_equal(back.spec.volumes[1].ctr, "/etc/hosts");
  assert_true(back.spec.volumes[1].readonly);
  assert_false(back.spec.volumes[1].relabel);
  assert_true(back.detach && back.rm && back.tty && back.has_winsize);
  assert_int_equal(back.winsize.cols, 132);
  struct json_object *again = rt_rpc_run_to_json(RT_OP_RUN, &back);
  assert_json_equal(o, again);
  json_object_put(again);
  json_object_put(o);
  rt_rpc_run_clear(&back);
  rt_rpc_run_clear(&r);

  /* the smallest SPEC: only the image; the default network, no limits */
  struct rt_rpc_spec s = {.image = strdup("ubi")};
  o = rt_rpc_spec_to_json(&s);
  assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
                      "{\"image\":\"ubi\"}");
  struct rt_rpc_spec sb;
  assert_int_equal(rt_rpc_spec_from_json(o, &sb, &err), 0);
  assert_int_equal(sb.net, RT_NET_DEFAULT);
  assert_true(rt_rpc_net_is_cluster(sb.net));
  assert_null(sb.command);
  rt_rpc_spec_clear(&sb);
  rt_rpc_spec_clear(&s);
  json_object_put(o);
}

static void test_net_names(void **state)
{
  (void)state;
  static const struct {
    const char *name;
    enum rt_rpc_net net;
    bool cluster;
  } cases[] = {{"bridge", RT_NET_BRIDGE, true},
               {"private", RT_NET_PRIVATE, true},
               {"none", RT_NET_NONE, false},
               {"host", RT_NET_HOST, false}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    enum rt_rpc_net n;
    assert_int_equal(rt_rpc_net_from_name(cases[i].name, &n), 0);
    assert_int_equal(n, cases[i].net);
    assert_int_equal(rt_rpc_net_is_cluster(n), cases[i].cluster);
    assert_string_equal(rt_rpc_net_name(n), cases[i].name);
  }
  enum rt_rpc_net n;
  assert_int_equal(rt_rpc_net_from_name("", &n), -1);
  assert_int_equal(rt_rpc_net_from_name("slirp4netns", &n), -1);
}

static void expect_bad(int (*decode)(struct json_object *, void *, struct lab_error **),
                       const char *json, const char *msg)
{
  struct json_object *o = json_tokener_parse(json);
  assert_non_null(o);
  union {
    struct rt_rpc_run run;
    struct rt_rpc_exec exec;
    struct rt_rpc_pod_run pod_run;
    struct rt_rpc_ps_reply ps;
    struct rt_rpc_ctr_reply ctr;
    struct rt_rpc_exit exit;
    enum rt_rpc_op op;
  } out;
  struct lab_error *err = NULL;
  assert_int_equal(decode(o, &out, &err), -1);
  assert_non_null(err);
  if (strcmp(err->msg, msg) != 0)
    fail_msg("%s: got '%s', want '%s'", json, err->msg, msg);
  lab_error_clear(&err);
  json_object_put(o);
}

/* The decoders under test, as one shape: (object, out, err). */
#define DECODER(name, call)                                                                        \
  static int name(struct json_object *o, void *out, struct lab_error **err)                        \
  {                                                                                                \
    return call;                                                                                   \
  }
DECODER(dec_op, rt_rpc_op_from_json(o, out, err))
DECODER(dec_exit, rt_rpc_exit_from_json(o, out, err))
DECODER(dec_spec, rt_rpc_spec_from_json(o, out, err))
DECODER(dec_run, rt_rpc_run_from_json(o, out, err))
DECODER(dec_exec, rt_rpc_exec_from_json(o, out, err))
DECODER(dec_pod_run, rt_rpc_pod_run_from_json(o, out, err))
DECODER(dec_ps, rt_rpc_ps_reply_from_json(o, out, err))
DECODER(dec_stop, rt_rpc_ctr_req_from_json(RT_OP_STOP, o, out, err))
DECODER(dec_start, rt_rpc_ctr_req_from_json(RT_OP_START, o, out, err))
DECODER(dec_import, rt_rpc_image_req_from_json(RT_OP_IMAGE_IMPORT, o, out, err))
DECODER(dec_build, rt_rpc_image_req_from_json(RT_OP_IMAGE_BUILD, o, out, err))
DECODER(dec_ctr_reply, rt_rpc_ctr_reply_from_json(o, out, err))

/* Each malformed message, its decoder and the message it is refused with. */
static const struct {
  int (*decode)(struct json_object *, void *, struct lab_error **);
  const char *json, *msg;
} refusals[] = {
    {dec_op, "{\"op\":\"dance\"}", "unknown op \"dance\""},
    {dec_op, "{}", "\"op\": missing"},
    {dec_exit, "{\"event\":\"exit\"}", "status: expected an integer"},
    {dec_exit, "{\"event\":\"stop\",\"status\":1}", "event: \"stop\": expected exit"},
    {dec_spec, "[]", "expected an object"},
    {dec_spec, "{\"name\":\"x\"}", "image: missing"},
    {dec_spec, "{\"image\":\"ubi\",\"colour\":1}", "colour: unknown field"},
    {dec_spec, "{\"image\":\"ubi\",\"detach\":true}", "detach: unknown field"},
    {dec_spec, "{\"image\":7}", "image: expected a string"},
    {dec_spec, "{\"image\":\"ubi\",\"memory_bytes\":-1}",
     "memory_bytes: expected a non-negative integer"},
    {dec_spec, "{\"image\":\"ubi\",\"pids\":\"64\"}", "pids: expected a non-negative integer"},
    {dec_spec, "{\"image\":\"ubi\",\"command\":\"top\"}", "command: expected an array of strings"},
    {dec_spec, "{\"image\":\"ubi\",\"command\":[\"a\",1]}", "command[1]: expected a string"},
    {dec_spec, "{\"image\":\"ubi\",\"privileged\":1}", "privileged: expected true or false"},
    {dec_spec, "{\"image\":\"ubi\",\"seccomp_profile\":\"rel.json\"}",
     "seccomp_profile: \"rel.json\" must be an absolute path"},
    {dec_spec, "{\"image\":\"ubi\",\"volumes\":{}}", "volumes: expected an array"},
    {dec_spec, "{\"image\":\"ubi\",\"volumes\":[7]}", "volumes[0]: expected an object"},
    {dec_spec, "{\"image\":\"ubi\",\"volumes\":[{\"host\":\"srv\",\"ctr\":\"/d\"}]}",
     "volumes[0].host: must be an absolute path"},
    {dec_spec, "{\"image\":\"ubi\",\"volumes\":[{\"host\":\"/srv\",\"ctr\":\"d\"}]}",
     "volumes[0].ctr: must be an absolute path"},
    {dec_spec, "{\"image\":\"ubi\",\"volumes\":[{\"ctr\":\"/d\"}]}", "volumes[0]: host: missing"},
    {dec_spec, "{\"image\":\"ubi\",\"volumes\":[{\"host\":\"/a\",\"ctr\":\"/d\",\"z\":1}]}",
     "volumes[0]: z: unknown field"},
    {dec_spec, "{\"image\":\"ubi\",\"net\":\"slirp4netns\"}",
     "net: \"slirp4netns\": expected bridge, private, none or host"},
    {dec_run, "{\"image\":\"ubi\",\"winsize\":{\"rows\":\"x\"}}",
     "winsize: rows: expected an integer"},
    {dec_run, "{\"image\":\"ubi\",\"tty\":\"yes\"}", "tty: expected true or false"},
    {dec_exec, "{\"container\":\"c\"}", "exec: \"command\": expected a non-empty array of strings"},
    {dec_exec, "{\"container\":\"c\",\"command\":[]}",
     "exec: \"command\": expected a non-empty array of strings"},
    {dec_exec, "{\"command\":[\"sh\"]}", "\"container\": missing"},
    {dec_pod_run, "{\"name\":\"p\"}", "containers: missing"},
    {dec_pod_run, "{\"name\":\"p\",\"containers\":[{\"name\":\"a\"}]}",
     "containers[0]: image: missing"},
    {dec_stop, "{\"timeout\":1}", "\"container\": missing"},
    {dec_stop, "{\"container\":\"c\",\"timeout\":\"1\"}", "timeout: expected an integer"},
    {dec_start, "{\"container\":\"c\",\"timeout\":1}", "timeout: unknown field"},
    {dec_import, "{\"path\":\"rel.tar\"}", "\"path\": expected an absolute path"},
    {dec_build, "{\"name\":\"x\"}", "\"kind\": missing (ubi or on-off)"},
    {dec_ps, "{\"ok\":false,\"error\":\"no such thing\"}", "no such thing"},
    {dec_ps, "{\"ok\":true}", "containers: missing"},
    {dec_ps, "{\"ok\":true,\"containers\":[{\"Id\":\"x\",\"State\":\"paused\"}]}",
     "containers[0]: State: \"paused\": expected created, running or exited"},
    {dec_ctr_reply, "{}", "the runtime refused"},
    {dec_ctr_reply, "{\"ok\":true,\"id\":\"x\",\"extra\":1}", "extra: unknown field"},
};

static void test_refusals(void **state)
{
  (void)state;
  for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++)
    expect_bad(refusals[i].decode, refusals[i].json, refusals[i].msg);
}

static void test_ctr_ops(void **state)
{
  (void)state;
  struct rt_rpc_ctr_req r;
  rt_rpc_ctr_req_init(&r);
  r.container = strdup("web");
  r.timeout = 3;
  r.signal = 15;
  r.force = true;
  static const struct {
    enum rt_rpc_op op;
    const char *want;
  } cases[] = {
      {RT_OP_START, "{\"op\":\"start\",\"container\":\"web\"}"},
      {RT_OP_STOP, "{\"op\":\"stop\",\"container\":\"web\",\"timeout\":3}"},
      {RT_OP_KILL, "{\"op\":\"kill\",\"container\":\"web\",\"signal\":15}"},
      {RT_OP_RM, "{\"op\":\"rm\",\"container\":\"web\",\"force\":true}"},
      {RT_OP_INSPECT, "{\"op\":\"inspect\",\"container\":\"web\"}"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct json_object *o = rt_rpc_ctr_req_to_json(cases[i].op, &r);
    assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), cases[i].want);
    struct rt_rpc_ctr_req back;
    struct lab_error *err = NULL;
    assert_int_equal(rt_rpc_ctr_req_from_json(cases[i].op, o, &back, &err), 0);
    assert_string_equal(back.container, "web");
    assert_int_equal(back.timeout, cases[i].op == RT_OP_STOP ? 3 : 10);
    assert_int_equal(back.signal, cases[i].op == RT_OP_KILL ? 15 : 9);
    assert_int_equal(back.force, cases[i].op == RT_OP_RM);
    rt_rpc_ctr_req_clear(&back);
    json_object_put(o);
  }
  rt_rpc_ctr_req_clear(&r);

  struct rt_rpc_ctr_reply rep = {
      .id = strdup("abc"), .name = strdup("web"), .merged = strdup("/m"), .pid = 42};
  struct json_object *o = rt_rpc_ctr_reply_to_json(&rep);
  struct rt_rpc_ctr_reply back;
  struct lab_error *err = NULL;
  assert_int_equal(rt_rpc_ctr_reply_from_json(o, &back, &err), 0);
  assert_string_equal(back.merged, "/m");
  assert_int_equal(back.pid, 42);
  struct json_object *again = rt_rpc_ctr_reply_to_json(&back);
  assert_json_equal(o, again);
  json_object_put(again);
  json_object_put(o);
  rt_rpc_ctr_reply_clear(&back);
  rt_rpc_ctr_reply_clear(&rep);
}

static void test_ps_round_trip(void **state)
{
  (void)state;
  struct rt_rpc_ps_reply r = {.n = 2, .entries = calloc(2, sizeof(struct rt_rpc_ps_entry))};
  r.entries[0] = (struct rt_rpc_ps_entry){.id = strdup("0123"),
                                          .name = strdup("top1"),
                                          .image = strdup("ubi"),
                                          .command = strv("top", "-b"),
                                          .created = strdup("2026-11-29T02:00:00Z"),
                                          .state = RT_STATE_EXITED,
                                          .exit_code = 137,
                                          .oom_killed = true,
                                          .label = strdup("l"),
                                          .is_infra = false,
                                          .pod = strdup("web")};
  r.entries[1] =
      (struct rt_rpc_ps_entry){.id = strdup("4567"), .state = RT_STATE_RUNNING, .pid = 9};
  struct json_object *o = rt_rpc_ps_reply_to_json(&r);
  struct json_object *e1 = json_object_array_get_idx(json_object_object_get(o, "containers"), 1);
  /* every field is there; absent strings are "" */
  assert_string_equal(
      json_object_to_json_string_ext(e1, JSON_C_TO_STRING_PLAIN),
      "{\"Id\":\"4567\",\"Names\":[],\"Image\":\"\",\"Command\":[],\"Created\":\"\","
      "\"StartedAt\":\"\",\"FinishedAt\":\"\",\"State\":\"running\",\"ExitCode\":0,"
      "\"OOMKilled\":false,\"Pid\":9,\"Label\":\"\",\"LabelEnforced\":false,"
      "\"IsInfra\":false,\"Pod\":\"\"}");
  struct rt_rpc_ps_reply back;
  struct lab_error *err = NULL;
  assert_int_equal(rt_rpc_ps_reply_from_json(o, &back, &err), 0);
  assert_int_equal(back.n, 2);
  assert_string_equal(back.entries[0].name, "top1");
  assert_int_equal(back.entries[0].state, RT_STATE_EXITED);
  assert_true(back.entries[0].oom_killed);
  assert_string_equal(back.entries[0].command[1], "-b");
  struct json_object *again = rt_rpc_ps_reply_to_json(&back);
  assert_json_equal(o, again);
  json_object_put(again);
  json_object_put(o);
  rt_rpc_ps_reply_clear(&back);
  rt_rpc_ps_reply_clear(&r);

  struct rt_rpc_ps_req q = {.all = true};
  o = rt_rpc_ps_req_to_json(&q);
  assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
                      "{\"op\":\"ps\",\"all\":true,\"latest\":false}");
  struct rt_rpc_ps_req qb;
  assert_int_equal(rt_rpc_ps_req_from_json(o, &qb, &err), 0);
  assert_true(qb.all);
  assert_false(qb.latest);
  json_object_put(o);
}

static void test_exec_resize_exit(void **state)
{
  (void)state;
  struct rt_rpc_exec x = {.pod = strdup("web"),
                          .container = strdup("httpd"),
                          .command = strv("sh", "-c"),
                          .tty = true,
                          .has_winsize = true,
                          .winsize = {24, 80}};
  struct json_object *o = rt_rpc_exec_to_json(&x);
  struct rt_rpc_exec back;
  struct lab_error *err = NULL;
  assert_int_equal(rt_rpc_exec_from_json(o, &back, &err), 0);
  assert_string_equal(back.pod, "web");
  assert_string_equal(back.command[0], "sh");
  assert_true(back.tty && back.has_winsize);
  struct json_object *again = rt_rpc_exec_to_json(&back);
  assert_json_equal(o, again);
  json_object_put(again);
  json_object_put(o);
  rt_rpc_exec_clear(&back);
  rt_rpc_exec_clear(&x);

  struct rt_rpc_winsize w = {.rows = 50, .cols = 200}, wb;
  o = rt_rpc_resize_to_json(&w);
  assert_int_equal(rt_rpc_resize_from_json(o, &wb, &err), 0);
  assert_int_equal(wb.rows, 50);
  assert_int_equal(wb.cols, 200);
  json_object_put(o);
  o = json_tokener_parse("{\"op\":\"resize\"}");
  assert_int_equal(rt_rpc_resize_from_json(o, &wb, &err), 0);
  assert_int_equal(wb.rows, 24);
  assert_int_equal(wb.cols, 80);
  json_object_put(o);

  struct rt_rpc_exit ev = {.status = 130}, evb = {0};
  o = rt_rpc_exit_to_json(&ev);
  assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
                      "{\"event\":\"exit\",\"status\":130}");
  assert_int_equal(rt_rpc_exit_from_json(o, &evb, &err), 1);
  assert_int_equal(evb.status, 130);
  json_object_put(o);
  o = json_tokener_parse("{\"ok\":true}");
  assert_int_equal(rt_rpc_exit_from_json(o, &evb, &err), 0);
  json_object_put(o);
}

static void test_pods(void **state)
{
  (void)state;
  struct rt_rpc_pod_run r = {.name = strdup("web")};
  struct rt_rpc_spec *c = rt_rpc_pod_run_add(&r);
  fill_spec(c);
  c = rt_rpc_pod_run_add(&r);
  c->name = strdup("side");
  c->image = strdup("ubi");
  struct json_object *o = rt_rpc_pod_run_to_json(&r);
  struct rt_rpc_pod_run back;
  struct lab_error *err = NULL;
  assert_int_equal(rt_rpc_pod_run_from_json(o, &back, &err), 0);
  assert_int_equal(back.n_containers, 2);
  assert_true(back.containers[0].privileged);
  assert_string_equal(back.containers[1].name, "side");
  struct json_object *again = rt_rpc_pod_run_to_json(&back);
  assert_json_equal(o, again);
  json_object_put(again);
  json_object_put(o);
  rt_rpc_pod_run_clear(&back);
  rt_rpc_pod_run_clear(&r);

  struct rt_rpc_pod p = {.name = strdup("web"),
                         .infra_id = strdup("ab"),
                         .infra_pid = 7,
                         .created = strdup("2026-11-29T02:00:00Z"),
                         .state = strdup("degraded")};
  struct rt_rpc_pod_ctr *pc = rt_rpc_pod_add(&p);
  *pc = (struct rt_rpc_pod_ctr){.id = strdup("cd"),
                                .name = strdup("httpd"),
                                .state = strdup("exited"),
                                .known = true,
                                .exit_code = 1,
                                .cgroup = strdup("nodelab/default/node1/cd")};
  pc = rt_rpc_pod_add(&p);
  *pc = (struct rt_rpc_pod_ctr){
      .id = strdup("ef"), .name = strdup("gone"), .state = strdup("missing")};
  o = rt_rpc_pod_to_json(&p);
  assert_string_equal(
      json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
      "{\"name\":\"web\",\"ip\":null,\"infra_id\":\"ab\",\"infra_pid\":7,"
      "\"created\":\"2026-11-29T02:00:00Z\",\"state\":\"degraded\",\"containers\":["
      "{\"id\":\"cd\",\"name\":\"httpd\",\"state\":\"exited\",\"pid\":0,\"exit_code\":1,"
      "\"oom_killed\":false,\"cgroup\":\"nodelab\\/default\\/node1\\/"
      "cd\"},{\"id\":\"ef\",\"name\":\"gone\",\"state\":\"missing\"}]}");
  struct rt_rpc_pod pb;
  assert_int_equal(rt_rpc_pod_from_json(o, &pb, &err), 0);
  assert_true(pb.containers[0].known);
  assert_string_equal(pb.containers[0].cgroup, "nodelab/default/node1/cd");
  assert_false(pb.containers[1].known);
  assert_null(pb.ip);
  again = rt_rpc_pod_to_json(&pb);
  assert_json_equal(o, again);
  json_object_put(again);
  json_object_put(o);
  rt_rpc_pod_clear(&pb);
  rt_rpc_pod_clear(&p);

  struct rt_rpc_pod_rm rm = {.name = strdup("web"), .force = true}, rmb;
  o = rt_rpc_pod_rm_to_json(&rm);
  assert_int_equal(rt_rpc_pod_rm_from_json(o, &rmb, &err), 0);
  assert_string_equal(rmb.name, "web");
  assert_true(rmb.force);
  json_object_put(o);
  rt_rpc_pod_rm_clear(&rmb);
  rt_rpc_pod_rm_clear(&rm);

  /* pod-kill and pod-start: the pod's name alone, required. */
  struct rt_rpc_pod_ref ref = {.name = strdup("web")}, refb;
  o = rt_rpc_pod_ref_to_json(RT_OP_POD_START, &ref);
  assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
                      "{\"op\":\"pod-start\",\"name\":\"web\"}");
  assert_int_equal(rt_rpc_pod_ref_from_json(o, &refb, &err), 0);
  assert_string_equal(refb.name, "web");
  enum rt_rpc_op op;
  assert_int_equal(rt_rpc_op_from_json(o, &op, &err), 0);
  assert_int_equal(op, RT_OP_POD_START);
  json_object_put(o);
  rt_rpc_pod_ref_clear(&refb);
  o = rt_rpc_pod_ref_to_json(RT_OP_POD_KILL, &ref);
  assert_int_equal(rt_rpc_op_from_json(o, &op, &err), 0);
  assert_int_equal(op, RT_OP_POD_KILL);
  json_object_put(o);
  rt_rpc_pod_ref_clear(&ref);
  o = json_tokener_parse("{\"op\":\"pod-kill\"}");
  assert_int_equal(rt_rpc_pod_ref_from_json(o, &refb, &err), -1);
  assert_string_equal(err->msg, "name: missing");
  lab_error_clear(&err);
  json_object_put(o);
}

static void test_images(void **state)
{
  (void)state;
  struct rt_rpc_image_ls_reply r = {0};
  struct rt_rpc_image *im = rt_rpc_image_ls_add(&r);
  im->name = strdup("ubi");
  im->created = strdup("2026-11-29T02:00:00Z");
  im->entrypoint = strv(NULL, NULL);
  im->cmd = strv("/bin/sh", NULL);
  struct json_object *o = rt_rpc_image_ls_reply_to_json(&r);
  struct rt_rpc_image_ls_reply back;
  struct lab_error *err = NULL;
  assert_int_equal(rt_rpc_image_ls_reply_from_json(o, &back, &err), 0);
  assert_int_equal(back.n, 1);
  assert_string_equal(back.images[0].cmd[0], "/bin/sh");
  assert_null(back.images[0].entrypoint[0]);
  json_object_put(o);
  rt_rpc_image_ls_reply_clear(&back);
  rt_rpc_image_ls_reply_clear(&r);

  struct rt_rpc_image_req q = {.path = strdup("/tmp/a.tar"), .name = strdup("alpine")}, qb;
  o = rt_rpc_image_req_to_json(RT_OP_IMAGE_IMPORT, &q);
  assert_string_equal(
      json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
      "{\"op\":\"image-import\",\"path\":\"/tmp/a.tar\",\"name\":\"alpine\"}");
  assert_int_equal(rt_rpc_image_req_from_json(RT_OP_IMAGE_IMPORT, o, &qb, &err), 0);
  assert_string_equal(qb.path, "/tmp/a.tar");
  json_object_put(o);
  rt_rpc_image_req_clear(&qb);
  rt_rpc_image_req_clear(&q);

  char *name = NULL;
  o = rt_rpc_name_reply_to_json("ubi");
  assert_int_equal(rt_rpc_name_reply_from_json(o, &name, &err), 0);
  assert_string_equal(name, "ubi");
  free(name);
  json_object_put(o);
}

static int seccomp_set_decode(struct json_object *o, struct rt_rpc_seccomp_req *r,
                              struct lab_error **err)
{
  return rt_rpc_seccomp_req_from_json(RT_OP_SECCOMP_SET, o, r, err);
}

static struct json_object *seccomp_set_encode(const struct rt_rpc_seccomp_req *r)
{
  return rt_rpc_seccomp_req_to_json(RT_OP_SECCOMP_SET, r);
}

/* seccomp-set and seccomp-get, and their SECCOMP reply: round trips and refusals. */
static void test_seccomp(void **state)
{
  (void)state;
  struct rt_rpc_seccomp_req r = {.pod = strdup("web"),
                                 .container = strdup("httpd"),
                                 .deny = strv("chmod", "fchmodat2")},
                            back;
  struct json_object *o = seccomp_set_encode(&r);
  assert_string_equal(text(o), "{\"op\":\"seccomp-set\",\"container\":\"httpd\",\"pod\":"
                               "\"web\",\"deny\":[\"chmod\",\"fchmodat2\"]}");
  assert_decodes(seccomp_set_decode, o, &back);
  assert_string_equal(back.deny[1], "fchmodat2");
  assert_reencodes(seccomp_set_encode, &back, o);
  json_object_put(o);
  rt_rpc_seccomp_req_clear(&back);
  rt_rpc_seccomp_req_clear(&r);

  /* An empty deny is a request (it clears); get carries none. */
  r = (struct rt_rpc_seccomp_req){.container = strdup("web-httpd"), .deny = strv(NULL, NULL)};
  o = seccomp_set_encode(&r);
  assert_string_equal(text(o), "{\"op\":\"seccomp-set\",\"container\":\"web-httpd\",\"deny\":[]}");
  json_object_put(o);
  o = rt_rpc_seccomp_req_to_json(RT_OP_SECCOMP_GET, &r);
  assert_string_equal(text(o), "{\"op\":\"seccomp-get\",\"container\":\"web-httpd\"}");
  struct lab_error *err = NULL;
  assert_int_equal(rt_rpc_seccomp_req_from_json(RT_OP_SECCOMP_GET, o, &back, &err), 0);
  assert_null(back.deny);
  rt_rpc_seccomp_req_clear(&back);
  json_object_put(o);
  rt_rpc_seccomp_req_clear(&r);

  assert_decode_error(seccomp_set_decode, &back, "{\"op\":\"seccomp-set\",\"pod\":\"web\"}",
                      "\"deny\": missing", ANY_ERRNUM);
  assert_decode_error(seccomp_set_decode, &back, "{\"op\":\"seccomp-set\",\"deny\":[]}",
                      "\"container\": missing", ANY_ERRNUM);
  assert_decode_error(seccomp_set_decode, &back,
                      "{\"op\":\"seccomp-set\",\"pod\":\"web\",\"deny\":[\"chmod\",\"CHMOD\"]}",
                      "deny[1]: \"CHMOD\" is not a system call name", ANY_ERRNUM);
  assert_decode_error(seccomp_set_decode, &back,
                      "{\"op\":\"seccomp-set\",\"pod\":\"web\",\"deny\":[],\"allow\":[]}",
                      "allow: unknown field", ANY_ERRNUM);

  struct rt_rpc_seccomp_state st = {.id = strdup("ab12"),
                                    .name = strdup("web-httpd"),
                                    .pid = 42,
                                    .deny = strv("chmod", NULL),
                                    .filters = 2},
                              sb;
  o = rt_rpc_seccomp_state_to_json(&st);
  assert_string_equal(text(o), "{\"ok\":true,\"id\":\"ab12\",\"name\":\"web-httpd\","
                               "\"pid\":42,\"deny\":[\"chmod\"],\"filters\":2}");
  assert_decodes(rt_rpc_seccomp_state_from_json, o, &sb);
  assert_int_equal(sb.filters, 2);
  assert_reencodes(rt_rpc_seccomp_state_to_json, &sb, o);
  json_object_put(o);
  rt_rpc_seccomp_state_clear(&sb);
  rt_rpc_seccomp_state_clear(&st);
  assert_decode_error(rt_rpc_seccomp_state_from_json, &sb,
                      "{\"ok\":false,\"error\":\"no container named x\"}", "no container named x",
                      ANY_ERRNUM);
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_op_names), cmocka_unit_test(test_run_round_trip),
               cmocka_unit_test(test_net_names), cmocka_unit_test(test_refusals),
               cmocka_unit_test(test_ctr_ops), cmocka_unit_test(test_ps_round_trip),
               cmocka_unit_test(test_exec_resize_exit), cmocka_unit_test(test_pods),
               cmocka_unit_test(test_images), cmocka_unit_test(test_seccomp))
