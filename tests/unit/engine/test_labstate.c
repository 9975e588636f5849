/* labstate.h over a fake backend: every section's lines, sorted; a daemon
 * stopped, a switch that does not answer and a dead pod are differences, not
 * failures; format, parse and diff of the whole state. */
#include "unit-test.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labstate.h"
#include "xalloc.h"

struct fake {
  bool ovs_down;     /* every nodelab-ovs call fails */
  bool vxlan_gone;   /* port-show vxlan0 fails */
  pid_t dead_pid;    /* netns_text of this pid fails */
  const char *limit; /* memory.limit_in_bytes */
  bool tap_up;       /* tun0 reports "up" rather than "unknown" */
};

static int fake_netns_text(void *ctx, pid_t pid, char **text, struct lab_error **err)
{
  struct fake *f = ctx;
  if (pid == f->dead_pid)
    return lab_error_set(err, ENOENT, "opening /proc/%d/ns/net", (int)pid);
  /* A tap says "unknown" until an event says "up": the same with lower_up. */
  *text = xasprintf("link lo up mtu 65536\nlink eth%d up mtu 1450\n"
                    "link tun0 kind tun flags up,lower_up state %s lladdr 0a\n"
                    "link down0 flags up state unknown\n",
                    (int)pid % 10, f->tap_up ? "up" : "unknown");
  return 0;
}

static int fake_ovs(void *ctx, pid_t node_pid, const char *const *args, char **out,
                    struct lab_error **err)
{
  struct fake *f = ctx;
  (void)node_pid;
  if (f->ovs_down)
    return lab_error_set(err, 0, "br0: connecting: Connection refused\nmore");
  if (strcmp(args[0], "dump-flows") == 0) {
    *out = xasprintf("table=0,priority=0 actions=NORMAL\ntable=0,priority=%d actions=drop\n",
                     strcmp(args[1], "br0") == 0 ? 100 : 50);
    return 0;
  }
  if (f->vxlan_gone && strcmp(args[2], "vxlan0") == 0)
    return lab_error_set(err, 0, "no port vxlan0 on br0");
  *out = xasprintf("name=%s\nofport=1\n", args[2]);
  return 0;
}

static int fake_read_file(void *ctx, const char *path, char **text, struct lab_error **err)
{
  struct fake *f = ctx;
  if (strstr(path, "/memory/") && strstr(path, "memory.limit_in_bytes")) {
    *text = xstrdup(f->limit);
    return 0;
  }
  if (strstr(path, "/pids/") && strstr(path, "pids.max")) {
    *text = xstrdup("64\n");
    return 0;
  }
  /* The container's processes: 42 (its main one, whose parent 7 is outside)
   * and 43, its child. */
  if (strstr(path, "/pids/") && strstr(path, "cgroup.procs")) {
    *text = xstrdup("43\n42\n");
    return 0;
  }
  if (strcmp(path, "/proc/43/stat") == 0) {
    *text = xstrdup("43 (sh) S 42 43 1 0");
    return 0;
  }
  if (strcmp(path, "/proc/42/stat") == 0) {
    *text = xstrdup("42 (my (odd) httpd) S 7 42 1 0");
    return 0;
  }
  if (strcmp(path, "/proc/43/status") == 0) {
    *text = xstrdup("Name:\tsh\nSeccomp:\t2\nSeccomp_filters:\t9\n");
    return 0;
  }
  if (strcmp(path, "/proc/42/status") == 0) {
    *text = xstrdup("Name:\thttpd\nSeccomp:\t2\nSeccomp_filters:\t1\nVmRSS:\t100 kB\n");
    return 0;
  }
  return lab_error_set(err, ENOENT, "opening %s: No such file or directory", path);
}

static const struct labstate_backend_ops fake_ops = {fake_netns_text, fake_ovs, fake_read_file};

static const char *const web_dirs[] = {"/cg/memory/nodelab/l/node1/abc",
                                       "/cg/pids/nodelab/l/node1/abc", NULL};
static const struct labstate_daemon node1_daemons[] = {{"ovs-vswitchd", true}, {"netd", false}};
static const struct labstate_pod node1_pods[] = {{"web", 11, "veth0a010102"}};
static const struct labstate_container node1_ctrs[] = {{"web", "httpd", web_dirs}};

static struct labstate_view view(void)
{
  static struct labstate_node nodes[2];
  nodes[0] = (struct labstate_node){.name = "node1",
                                    .pid = 3,
                                    .daemons = node1_daemons,
                                    .n_daemons = 2,
                                    .pods = node1_pods,
                                    .n_pods = 1,
                                    .containers = node1_ctrs,
                                    .n_containers = 1};
  nodes[1] = (struct labstate_node){.name = LABSTATE_FABRIC, .pid = 5, .is_fabric = true};
  return (struct labstate_view){nodes, 2};
}

static char *capture(struct fake *f, const char *only)
{
  struct labstate_backend be = {&fake_ops, f};
  struct labstate_view v = view();
  struct labstate *st = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(labstate_capture(&v, only, &be, &st, &err), 0);
  char *text = labstate_format(st);
  labstate_free(st);
  return text;
}

static void test_sections(void **state)
{
  (void)state;
  struct fake f = {.limit = "67108864\n"};
  char *text = capture(&f, NULL);
  assert_string_equal(text, "#### node1\n"
                            "cgroup web/httpd memory.limit_in_bytes 67108864\n"
                            "cgroup web/httpd pids.max 64\n"
                            "daemon netd stopped\n"
                            "daemon ovs-vswitchd running\n"
                            "net link down0 flags up state unknown\n"
                            "net link eth3 up mtu 1450\n"
                            "net link lo up mtu 65536\n"
                            "net link tun0 kind tun flags up,lower_up state up lladdr 0a\n"
                            "ovs br-phy flow table=0,priority=0 actions=NORMAL\n"
                            "ovs br-phy flow table=0,priority=50 actions=drop\n"
                            "ovs br-phy port eth0 name=eth0\n"
                            "ovs br-phy port eth0 ofport=1\n"
                            "ovs br0 flow table=0,priority=0 actions=NORMAL\n"
                            "ovs br0 flow table=0,priority=100 actions=drop\n"
                            "ovs br0 port tun0 name=tun0\n"
                            "ovs br0 port tun0 ofport=1\n"
                            "ovs br0 port veth0a010102 name=veth0a010102\n"
                            "ovs br0 port veth0a010102 ofport=1\n"
                            "ovs br0 port vxlan0 name=vxlan0\n"
                            "ovs br0 port vxlan0 ofport=1\n"
                            "pod web link down0 flags up state unknown\n"
                            "pod web link eth1 up mtu 1450\n"
                            "pod web link lo up mtu 65536\n"
                            "pod web link tun0 kind tun flags up,lower_up state up lladdr 0a\n"
                            "seccomp web/httpd Seccomp: 2\n"
                            "seccomp web/httpd Seccomp_filters: 1\n"
                            "#### fabric\n"
                            "net link down0 flags up state unknown\n"
                            "net link eth5 up mtu 1450\n"
                            "net link lo up mtu 65536\n"
                            "net link tun0 kind tun flags up,lower_up state up lladdr 0a\n");
  free(text);
}

static void test_only_one_node(void **state)
{
  (void)state;
  struct fake f = {.limit = "1\n"};
  char *text = capture(&f, LABSTATE_FABRIC);
  assert_string_equal(text, "#### fabric\n"
                            "net link down0 flags up state unknown\n"
                            "net link eth5 up mtu 1450\n"
                            "net link lo up mtu 65536\n"
                            "net link tun0 kind tun flags up,lower_up state up lladdr 0a\n");
  free(text);

  struct labstate_backend be = {&fake_ops, &f};
  struct labstate_view v = view();
  struct labstate *st = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(labstate_capture(&v, "node9", &be, &st, &err), -1);
  assert_int_equal(err->errnum, ENOENT);
  assert_error_msg(&err, "no node named \"node9\"");
}

/* What breaks shows as lines, and the diff names them. */
static void test_breaks_are_differences(void **state)
{
  (void)state;
  struct fake f = {.limit = "67108864\n"};
  char *before = capture(&f, NULL);
  f.tap_up = true;
  char *tap_up = capture(&f, NULL);
  assert_string_equal(tap_up, before);
  free(tap_up);
  f = (struct fake){.limit = "16777216\n", .vxlan_gone = true, .dead_pid = 11};
  char *after = capture(&f, NULL);
  assert_non_null(strstr(after, "ovs br0 port vxlan0 absent: no port vxlan0 on br0\n"));
  assert_non_null(strstr(after, "pod web unreadable: opening /proc/11/ns/net"));

  struct labstate *a = NULL, *b = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(labstate_parse(before, &a, &err), 0);
  assert_int_equal(labstate_parse(after, &b, &err), 0);
  char *again = labstate_format(a);
  assert_string_equal(again, before);
  free(again);
  char *d = NULL;
  assert_int_equal(labstate_diff(a, b, &d, &err), 10);
  assert_string_equal(d, "#### node1\n"
                         "+ cgroup web/httpd memory.limit_in_bytes 16777216\n"
                         "- cgroup web/httpd memory.limit_in_bytes 67108864\n"
                         "+ ovs br0 port vxlan0 absent: no port vxlan0 on br0\n"
                         "- ovs br0 port vxlan0 name=vxlan0\n"
                         "- ovs br0 port vxlan0 ofport=1\n"
                         "- pod web link down0 flags up state unknown\n"
                         "- pod web link eth1 up mtu 1450\n"
                         "- pod web link lo up mtu 65536\n"
                         "- pod web link tun0 kind tun flags up,lower_up state up lladdr 0a\n"
                         "+ pod web unreadable: opening /proc/11/ns/net: No such file or "
                         "directory\n");
  free(d);
  assert_int_equal(labstate_diff(a, a, &d, &err), 0);
  assert_string_equal(d, "");
  free(d);
  labstate_free(a);
  labstate_free(b);

  f = (struct fake){.limit = "1\n", .ovs_down = true};
  char *down = capture(&f, "node1");
  assert_non_null(strstr(down, "ovs br0 unreachable: br0: connecting: Connection refused\n"));
  assert_null(strstr(down, "more"));
  free(down);
  free(before);
  free(after);
}

static void test_parse_and_missing_nodes(void **state)
{
  (void)state;
  struct labstate *a = NULL, *b = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(labstate_parse("net link x\n", &a, &err), -1);
  assert_error_msg(&err, "line 1: a state line before any \"#### NODE\" header (not the output "
                         "of nodelab state?)");
  /* Lines come back sorted whatever order a file has. */
  assert_int_equal(labstate_parse("#### n1\nz\na\n\n#### n2\n", &a, &err), 0);
  assert_int_equal(a->n_entries, 2);
  assert_string_equal(a->entries[0].text, "a\nz\n");
  assert_string_equal(a->entries[1].text, "");
  assert_int_equal(labstate_parse("#### n1\na\nz\n#### n3\nq\n", &b, &err), 0);
  char *d = NULL;
  assert_int_equal(labstate_diff(a, b, &d, &err), 2);
  assert_string_equal(d, "#### n2\nnode n2 only before\n#### n3\nnode n3 only after\n");
  free(d);
  labstate_free(a);
  labstate_free(b);
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_sections), cmocka_unit_test(test_only_one_node),
               cmocka_unit_test(test_breaks_are_differences),
               cmocka_unit_test(test_parse_and_missing_nodes))
