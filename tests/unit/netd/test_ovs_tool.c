/* nodelab-ovs's pure parts (netd/ovs-tool.c): the canonical flow text, flows
 * parsed for each change (a dumped line deletes exactly its flow), port
 * settings, and the command line with every error pinned. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "flows.h"
#include "ofp.h"
#include "ovs-tool.h"

#include "byte-order.h"
#include "openflow/openflow.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-flow.h"

#include "netd-test.h"

/* The flow statistics a switch would report for the flow `text` (ovs-ofctl
 * syntax): what ovs_tool_flow_format() is fed.  Release with free_stats(). */
static void stats_of(const char *text, struct ofputil_flow_stats *fs)
{
  struct ofputil_flow_mod fm;
  struct lab_error *err = NULL;
  if (netd_ofp_parse_flow(text, OFPFC_ADD, &fm, &err) < 0)
    fail_msg("%s", err->msg);
  *fs = (struct ofputil_flow_stats){
      .cookie = fm.new_cookie,
      .table_id = fm.table_id == 0xff ? 0 : fm.table_id,
      .priority = fm.priority,
      .idle_timeout = fm.idle_timeout,
      .hard_timeout = fm.hard_timeout,
      .flags = fm.flags,
      .importance = fm.importance,
      .ofpacts = fm.ofpacts,
      .ofpacts_len = fm.ofpacts_len,
      /* counters and ages a switch fills in: never printed */
      .duration_sec = 12,
      .idle_age = 3,
      .hard_age = 12,
      .packet_count = 42,
      .byte_count = 4200,
  };
  minimatch_expand(&fm.match, &fs->match);
  minimatch_destroy(&fm.match);
}

static void free_stats(struct ofputil_flow_stats *fs)
{
  free((void *)fs->ofpacts);
}

static void assert_format(const char *text, const char *want)
{
  struct ofputil_flow_stats fs;
  stats_of(text, &fs);
  char *got = ovs_tool_flow_format(&fs);
  assert_non_null(got);
  assert_string_equal(got, want);
  /* and the canonical text is a fixed point */
  struct ofputil_flow_stats fs2;
  stats_of(got, &fs2);
  char *again = ovs_tool_flow_format(&fs2);
  assert_string_equal(again, want);
  free(again);
  free(got);
  free_stats(&fs);
  free_stats(&fs2);
}

static void test_flow_format(void **state)
{
  (void)state;
  assert_format("table=90,priority=100,ip,nw_dst=10.1.2.0/24 "
                "actions=set_field:192.168.122.203->tun_dst,output:1",
                "cookie=0x0,table=90,priority=100,ip,nw_dst=10.1.2.0/24 "
                "actions=set_field:192.168.122.203->tun_dst,output:1");
  /* match-all, no actions */
  assert_format("table=30,priority=0 actions=drop", "cookie=0x0,table=30,priority=0 actions=drop");
  assert_format("priority=0,table=30 actions=", "cookie=0x0,table=30,priority=0 actions=drop");
  /* the default priority and table are written out */
  assert_format("in_port=1 actions=goto_table:10",
                "cookie=0x0,table=0,priority=32768,in_port=1 actions=goto_table:10");
  /* cookie, timeouts and flags before the match, in a fixed order */
  assert_format("tcp,send_flow_rem,tp_dst=80,hard_timeout=60,idle_timeout=30,cookie=0x2a,"
                "priority=7,table=5 actions=output:2",
                "cookie=0x2a,table=5,priority=7,idle_timeout=30,hard_timeout=60,send_flow_rem,"
                "tcp,tp_dst=80 actions=output:2");
  assert_format("table=0,priority=200,in_port=1,tun_id=0x5,ip actions=load:0x1->NXM_NX_REG0[]",
                "cookie=0x0,table=0,priority=200,ip,tun_id=0x5,in_port=1 "
                "actions=load:0x1->NXM_NX_REG0[]");
}

static void test_flow_format_ignores_counters(void **state)
{
  (void)state;
  struct ofputil_flow_stats a, b;
  stats_of("table=1,priority=5,arp actions=output:3", &a);
  stats_of("table=1,priority=5,arp actions=output:3", &b);
  b.duration_sec = 9999;
  b.packet_count = 1;
  b.byte_count = 1;
  b.idle_age = -1;
  char *sa = ovs_tool_flow_format(&a), *sb = ovs_tool_flow_format(&b);
  assert_string_equal(sa, sb);
  assert_null(strstr(sa, "n_packets"));
  assert_null(strstr(sa, "duration"));
  free(sa);
  free(sb);
  free_stats(&a);
  free_stats(&b);
}

/* netd's whole flow table: every line is a fixed point of parse + format. */
static void test_netd_table_round_trip(void **state)
{
  (void)state;
  struct lab_error *err = NULL;
  struct flows_model *m = lab_model();
  add_pod(m, "web", IP(10, 1, 1, 2), 3);
  struct flows_list l;
  generate(m, &l);
  struct ofputil_flow_stats *fses = calloc(l.n, sizeof *fses);
  for (size_t i = 0; i < l.n; i++) {
    char *text = flows_entry_format(&l.v[i]);
    stats_of(text, &fses[i]);
    char *canon = ovs_tool_flow_format(&fses[i]);
    struct ofputil_flow_stats again;
    stats_of(canon, &again);
    char *canon2 = ovs_tool_flow_format(&again);
    assert_string_equal(canon, canon2);
    free(canon2);
    free_stats(&again);
    free(canon);
    free(text);
  }
  /* The whole dump: sorted by table, then priority high first. */
  char *dump = NULL;
  assert_int_equal(ovs_tool_flows_format(fses, l.n, &dump, &err), 0);
  const char *p = dump;
  int last_table = -1, last_prio = 1 << 17;
  size_t lines = 0;
  while (*p) {
    int table, prio;
    assert_int_equal(sscanf(p, "cookie=0x0,table=%d,priority=%d", &table, &prio), 2);
    assert_true(table > last_table || (table == last_table && prio <= last_prio));
    last_table = table;
    last_prio = prio;
    p = strchr(p, '\n') + 1;
    lines++;
  }
  assert_int_equal(lines, l.n);
  free(dump);
  for (size_t i = 0; i < l.n; i++)
    free_stats(&fses[i]);
  free(fses);
  flows_list_free(&l);
  flows_model_free(m);
}

static void test_flows_format_sorted(void **state)
{
  (void)state;
  const char *in[] = {
      "table=10,priority=5 actions=drop",
      "table=0,priority=1 actions=drop",
      "table=10,priority=50,ip actions=drop",
      "table=10,priority=50,arp actions=drop",
  };
  struct ofputil_flow_stats fses[4];
  for (size_t i = 0; i < 4; i++)
    stats_of(in[i], &fses[i]);
  char *text = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(ovs_tool_flows_format(fses, 4, &text, &err), 0);
  assert_string_equal(text, "cookie=0x0,table=0,priority=1 actions=drop\n"
                            "cookie=0x0,table=10,priority=50,arp actions=drop\n"
                            "cookie=0x0,table=10,priority=50,ip actions=drop\n"
                            "cookie=0x0,table=10,priority=5 actions=drop\n");
  free(text);
  assert_int_equal(ovs_tool_flows_format(NULL, 0, &text, &err), 0);
  assert_string_equal(text, "");
  free(text);
  for (size_t i = 0; i < 4; i++)
    free_stats(&fses[i]);
}

/* A dumped line given to a deletion identifies exactly that flow. */
static void test_delete_a_dumped_line(void **state)
{
  (void)state;
  struct ofputil_flow_mod fm;
  struct lab_error *err = NULL;
  assert_int_equal(
      ovs_tool_flow_parse("cookie=0x2a,table=50,priority=7,idle_timeout=30,send_flow_rem,tcp,"
                          "tp_dst=80 actions=drop",
                          OVS_TOOL_FLOW_DEL_STRICT, &fm, &err),
      0);
  assert_int_equal(fm.command, OFPFC_DELETE_STRICT);
  assert_int_equal(fm.table_id, 50);
  assert_int_equal(fm.priority, 7);
  assert_true(fm.cookie == htonll(0x2a));
  assert_true(fm.cookie_mask == OVS_BE64_MAX);
  assert_int_equal(fm.ofpacts_len, 0);
  assert_int_equal(fm.idle_timeout, 0);
  assert_int_equal(fm.flags, 0);
  struct match m;
  minimatch_expand(&fm.match, &m);
  assert_int_equal(ntohs(m.flow.tp_dst), 80);
  netd_ofp_flow_mod_uninit(&fm);

  /* Without actions it is a match, as ovs-ofctl reads it: any cookie. */
  assert_int_equal(
      ovs_tool_flow_parse("table=50,priority=7,tcp,tp_dst=80", OVS_TOOL_FLOW_DEL_STRICT, &fm, &err),
      0);
  assert_true(fm.cookie_mask == htonll(0));
  netd_ofp_flow_mod_uninit(&fm);
  /* "" deletes everything (non-strict) */
  assert_int_equal(ovs_tool_flow_parse("", OVS_TOOL_FLOW_DEL, &fm, &err), 0);
  assert_int_equal(fm.command, OFPFC_DELETE);
  netd_ofp_flow_mod_uninit(&fm);
  assert_null(err);
}

static void assert_flow_error(const char *text, enum ovs_tool_flow_op op, const char *want)
{
  struct ofputil_flow_mod fm;
  struct lab_error *err = NULL;
  assert_int_equal(ovs_tool_flow_parse(text, op, &fm, &err), -1);
  assert_non_null(err);
  assert_string_equal(err->msg, want);
  lab_error_clear(&err);
}

static void test_flow_errors(void **state)
{
  (void)state;
  assert_flow_error("table=0,bogus=1 actions=drop", OVS_TOOL_FLOW_ADD,
                    "flow \"table=0,bogus=1 actions=drop\": unknown keyword bogus: "
                    "Invalid argument");
  assert_flow_error("table=0,priority=1", OVS_TOOL_FLOW_ADD,
                    "flow \"table=0,priority=1\": must specify an action: Invalid argument");
  assert_flow_error("table=0,priority=1", OVS_TOOL_FLOW_MOD_STRICT,
                    "flow \"table=0,priority=1\": must specify an action: Invalid argument");
  assert_flow_error("table=0,in_port=nope", OVS_TOOL_FLOW_DEL_STRICT,
                    "flow \"table=0,in_port=nope\": nope: invalid or unknown port for in_port: "
                    "Invalid argument");
  assert_flow_error("table=0,bogus=1 actions=drop", OVS_TOOL_FLOW_DEL_STRICT,
                    "flow \"table=0,bogus=1 actions=drop\": unknown keyword bogus: "
                    "Invalid argument");
}

/* ---- port settings ---- */

static void test_port_spec_round_trip(void **state)
{
  (void)state;
  const char *settings[] = {
      "port_external_ids:c=d",
      "ofport_request=1",
      "options:remote_ip=flow",
      "type=vxlan",
      "name=vxlan0",
      "ofport=1",
      "options:key=flow",
      "mtu_request=1450",
      "external_ids:b=x=y",
      "options:dst_port=4789",
  };
  struct ovs_tool_port_spec *s = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(ovs_tool_port_spec_parse("vxlan0", settings, 10, &s, &err), 0);
  char *text = ovs_tool_port_spec_format(s);
  const char *want = "name=vxlan0\n"
                     "type=vxlan\n"
                     "options:dst_port=4789\n"
                     "options:key=flow\n"
                     "options:remote_ip=flow\n"
                     "ofport=1\n"
                     "ofport_request=1\n"
                     "mtu_request=1450\n"
                     "external_ids:b=x=y\n"
                     "port_external_ids:c=d\n";
  assert_string_equal(text, want);
  ovs_tool_port_spec_free(s);

  /* the printed lines parse back into the same spec */
  char *lines[16];
  size_t n = 0;
  for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
    lines[n++] = l;
  assert_int_equal(ovs_tool_port_spec_parse("vxlan0", (const char *const *)lines, n, &s, &err), 0);
  char *again = ovs_tool_port_spec_format(s);
  assert_string_equal(again, want);
  free(again);
  free(text);
  ovs_tool_port_spec_free(s);

  /* a bare port: only its name */
  assert_int_equal(ovs_tool_port_spec_parse("eth0", NULL, 0, &s, &err), 0);
  text = ovs_tool_port_spec_format(s);
  assert_string_equal(text, "name=eth0\n");
  free(text);
  ovs_tool_port_spec_free(s);
  assert_null(err);
}

static void assert_port_error(const char *setting, const char *want)
{
  const char *settings[] = {"type=internal", setting};
  struct ovs_tool_port_spec *s = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(ovs_tool_port_spec_parse("p1", settings, 2, &s, &err), -1);
  assert_null(s);
  assert_non_null(err);
  assert_string_equal(err->msg, want);
  lab_error_clear(&err);
}

static void test_port_spec_errors(void **state)
{
  (void)state;
  assert_port_error("colour=blue",
                    "port p1: unknown key \"colour\" (name, type, options:K, ofport, "
                    "ofport_request, mtu_request, mac, external_ids:K, "
                    "port_external_ids:K)");
  assert_port_error("type=vxlan", "port p1: type: given twice");
  assert_port_error("novalue", "port p1: \"novalue\": expected KEY=VALUE");
  assert_port_error("=x", "port p1: \"=x\": expected KEY=VALUE");
  assert_port_error("name=p2", "port p1: name=p2: this is port p1");
  assert_port_error("ofport_request=0", "port p1: ofport_request=0: not a number in 1-65279");
  assert_port_error("ofport_request=1x", "port p1: ofport_request=1x: not a number in 1-65279");
  assert_port_error("mtu_request=70000", "port p1: mtu_request=70000: not a number in 1-65535");
  assert_port_error("options:=1", "port p1: options:: a key is needed after the colon");
  assert_port_error("external_ids:a=1\n2",
                    "port p1: external_ids:a: a value of one line is needed");
}

/* ---- the command line ---- */

/* The parser takes char *argv[] and borrows from it; literals are const under
 * -Wwrite-strings: held copies, released by the next hold() or release_held(). */
static char *held[32];

static void release_held(void)
{
  for (size_t i = 0; held[i] != NULL; i++) {
    free(held[i]);
    held[i] = NULL;
  }
}

static char **hold(const char *const *list)
{
  release_held();
  for (size_t i = 0; list[i] != NULL; i++)
    held[i] = strdup(list[i]);
  return held;
}

#define ARGV(...) hold((const char *[]){"nodelab-ovs", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((const char *[]){"nodelab-ovs", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(a, err, ...) ovs_tool_parse_args(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (a), (err))

static void test_args(void **state)
{
  (void)state;
  struct ovs_tool_args a;
  struct lab_error *err = NULL;
  assert_int_equal(PARSE(&a, &err, "dump-flows", "br0"), 0);
  assert_int_equal(a.cmd, OVS_TOOL_DUMP_FLOWS);
  assert_string_equal(a.rundir, "/run/openvswitch");
  assert_int_equal(a.timeout_ms, 10000);
  assert_int_equal(a.table, -1);
  assert_int_equal(a.n_words, 1);
  assert_string_equal(a.words[0], "br0");
  ovs_tool_args_free(&a);

  /* options before and after, both spellings */
  assert_int_equal(PARSE(&a, &err, "--rundir=/proc/7/root/run/openvswitch", "dump-flows", "br0",
                         "--table", "90", "--timeout", "0.25"),
                   0);
  assert_string_equal(a.rundir, "/proc/7/root/run/openvswitch");
  assert_int_equal(a.table, 90);
  assert_int_equal(a.timeout_ms, 250);
  ovs_tool_args_free(&a);

  assert_int_equal(PARSE(&a, &err, "del-flows", "br0", "--strict", "table=1,priority=2", "ip"), 0);
  assert_int_equal(a.cmd, OVS_TOOL_DEL_FLOWS);
  assert_true(a.strict);
  assert_int_equal(a.n_words, 3);
  ovs_tool_args_free(&a);

  /* appctl: from COMMAND on, options are the command's */
  assert_int_equal(PARSE(&a, &err, "appctl", "--timeout", "3", "ovs-vswitchd", "dpctl/dump-flows",
                         "--more", "-m"),
                   0);
  assert_int_equal(a.cmd, OVS_TOOL_APPCTL);
  assert_int_equal(a.timeout_ms, 3000);
  assert_int_equal(a.n_words, 4);
  assert_string_equal(a.words[2], "--more");
  assert_string_equal(a.words[3], "-m");
  ovs_tool_args_free(&a);

  /* "--" ends the options */
  assert_int_equal(PARSE(&a, &err, "add-flows", "br0", "--", "--strict"), 0);
  assert_int_equal(a.n_words, 2);
  assert_false(a.strict);
  ovs_tool_args_free(&a);

  assert_int_equal(PARSE(&a, &err, "dump-flows", "--help"), 1);
  assert_int_equal(PARSE(&a, &err, "-h"), 1);
  assert_null(err);
  assert_string_equal(ovs_tool_cmd_name(OVS_TOOL_REPLACE_FLOW), "replace-flow");
  release_held();
}

static void assert_usage_error(int argc, char **argv, const char *want)
{
  struct ovs_tool_args a;
  struct lab_error *err = NULL;
  assert_int_equal(ovs_tool_parse_args(argc, argv, &a, &err), -1);
  assert_non_null(err);
  assert_string_equal(err->msg, want);
  assert_null(a.words);
  lab_error_clear(&err);
}
#define USAGE_ERROR(want, ...) assert_usage_error(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), want)

static void test_args_errors(void **state)
{
  (void)state;
  assert_usage_error(1, hold((const char *[]){"nodelab-ovs", NULL}), "a command is needed");
  USAGE_ERROR("unknown command \"dump-flow\"", "dump-flow", "br0");
  USAGE_ERROR("unknown option --tabel", "dump-flows", "br0", "--tabel", "1");
  USAGE_ERROR("unknown option --strict=1", "del-flows", "br0", "--strict=1", "ip");
  USAGE_ERROR("dump-flows: expected BRIDGE [--table N]", "dump-flows");
  USAGE_ERROR("dump-flows: expected BRIDGE [--table N]", "dump-flows", "br0", "br1");
  USAGE_ERROR("add-flows: expected BRIDGE FLOW...", "add-flows", "br0");
  USAGE_ERROR("replace-flow: expected BRIDGE OLD NEW", "replace-flow", "br0", "ip");
  USAGE_ERROR("port-show: expected BRIDGE PORT", "port-show", "br0");
  USAGE_ERROR("appctl: expected TARGET COMMAND [ARG...]", "appctl", "ovs-vswitchd");
  USAGE_ERROR("add-flows: --strict is not one of its options", "add-flows", "br0", "--strict",
              "ip actions=drop");
  USAGE_ERROR("port-add: --table is not one of its options", "port-add", "br0", "p", "--table=1");
  USAGE_ERROR("--table \"255\": not a table number (0-254)", "dump-flows", "br0", "--table", "255");
  USAGE_ERROR("--table \"x\": not a table number (0-254)", "dump-flows", "br0", "--table=x");
  USAGE_ERROR("--table: a value is needed", "dump-flows", "br0", "--table");
  USAGE_ERROR("--timeout \"0\": not a number of seconds in (0, 86400]", "--timeout", "0",
              "dump-flows", "br0");
  USAGE_ERROR("--timeout \"soon\": not a number of seconds in (0, 86400]", "--timeout=soon",
              "dump-flows", "br0");
  USAGE_ERROR("--rundir: an empty directory", "--rundir=", "dump-flows", "br0");
  release_held();
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_flow_format),
      cmocka_unit_test(test_flow_format_ignores_counters),
      cmocka_unit_test(test_netd_table_round_trip),
      cmocka_unit_test(test_flows_format_sorted),
      cmocka_unit_test(test_delete_a_dumped_line),
      cmocka_unit_test(test_flow_errors),
      cmocka_unit_test(test_port_spec_round_trip),
      cmocka_unit_test(test_port_spec_errors),
      cmocka_unit_test(test_args),
      cmocka_unit_test(test_args_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
