/* engine/fault-explain.c: the commands fault_hand_repair() shows carry the
 * snapshot's values (the MTU before, the route as it was, the flow line as
 * dumped), and fault_capture_touched() gives equal texts for equal states
 * and different ones once something differs.  Over a minimal fake backend:
 * every namespace has eth0 (mtu 1500, up, tx off) and a default route via
 * .1 proto static; node1's table 90 holds one flow. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <net/if.h>

#include "fault-internal.h"
#include "engine/fault-test-nodes.h"
#include "strv.h"

#define FLOW                                                                                       \
  "table=90, priority=100,ip,nw_dst=10.1.2.0/24 "                                                  \
  "actions=set_field:192.168.122.203->tun_dst,output:1"

static int mtu_now = 1500;
static bool flow_there = true;

static int f_open(void *ctx, pid_t pid, int *fd, struct lab_error **err)
{
  (void)ctx, (void)pid, (void)err;
  *fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  return 0;
}

static int f_mtu(void *ctx, int fd, const char *ifname, int mtu, struct netfault_undo *undo,
                 struct lab_error **err)
{
  (void)ctx, (void)fd, (void)err;
  *undo = (struct netfault_undo){.kind = NETFAULT_UNDO_MTU, .value = mtu_now};
  snprintf(undo->ifname, sizeof undo->ifname, "%s", ifname);
  mtu_now = mtu;
  return 0;
}

static void default_route(struct netstate_route *r)
{
  *r = (struct netstate_route){.table = 254, .type = 1, .protocol = 4, .n_nexthops = 1};
  inet_pton(AF_INET, "10.1.1.1", &r->nexthops[0].gateway);
  r->nexthops[0].has_gateway = 1;
  snprintf(r->nexthops[0].ifname, sizeof r->nexthops[0].ifname, "eth0");
}

static int f_route_delete(void *ctx, int fd, uint32_t table, struct in_addr dst, uint8_t dst_len,
                          struct netfault_undo *undo, struct lab_error **err)
{
  (void)ctx, (void)fd, (void)table, (void)dst, (void)dst_len, (void)err;
  *undo = (struct netfault_undo){.kind = NETFAULT_UNDO_ROUTE_ADD};
  default_route(&undo->route);
  return 0;
}

static int f_capture(void *ctx, int fd, struct netstate **out, struct lab_error **err)
{
  (void)ctx, (void)fd, (void)err;
  struct netstate *st = netstate_new();
  struct netstate_link *l = netstate_add_link(st);
  snprintf(l->name, sizeof l->name, "eth0");
  l->mtu = (uint32_t)mtu_now;
  l->flags = IFF_UP;
  default_route(netstate_add_route(st));
  *out = st;
  return 0;
}

static int f_ovs(void *ctx, pid_t pid, const char *const *args, char **out, struct lab_error **err)
{
  (void)ctx, (void)pid, (void)err;
  if (strcmp(args[0], "dump-flows") == 0) {
    *out = strdup(flow_there ? FLOW "\n" : "");
  } else if (strcmp(args[0], "del-flows") == 0) {
    flow_there = false;
  }
  return 0;
}

static const struct fault_backend_ops ops = {.netns_open = f_open,
                                             .link_set_mtu = f_mtu,
                                             .route_delete = f_route_delete,
                                             .capture = f_capture,
                                             .ovs = f_ovs};
static const struct fault_backend be = {.ops = &ops, .ctx = NULL};

static const struct fault_view_pod pods[] = {
    {.name = "web", .node = "node1", .ip = "10.1.1.2", .infra_pid = 201},
    {.name = "client", .node = "node2", .ip = "10.1.2.2", .infra_pid = 202},
};
static const struct fault_view view = {
    .nodes = nodes, .n_nodes = 3, .pods = pods, .n_pods = 2, .fabric_pid = 99};

static struct fault *injected(enum fault_kind kind, const struct fault_kv *kv, size_t n)
{
  struct fault *f = NULL;
  struct lab_error *err = NULL;
  if (fault_prepare(kind, kv, n, &view, &f, &err) < 0 || fault_inject(f, &view, &be, &err) < 0)
    fail_msg("%s", err->msg);
  return f;
}

static void test_link_mtu(void **state)
{
  (void)state;
  mtu_now = 1500;
  const struct fault_kv kv[] = {{"node", "node2"}, {"link", "eth0"}, {"mtu", "1300"}};
  struct fault *f = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(fault_prepare(FAULT_KIND_LINK_MTU, kv, 3, &view, &f, &err), 0);
  assert_null(fault_hand_repair(f)); /* not injected: nothing to repair */
  char *before = NULL, *after = NULL;
  assert_int_equal(fault_capture_touched(f, &be, &before, &err), 0);
  assert_int_equal(fault_inject(f, &view, &be, &err), 0);
  char **cmds = fault_hand_repair(f);
  assert_int_equal(strv_len((const char *const *)cmds), 1);
  assert_string_equal(cmds[0], "nodelab exec node2 -- ip link set dev eth0 mtu 1500");
  strv_free(cmds);
  assert_int_equal(fault_capture_touched(f, &be, &after, &err), 0);
  assert_string_not_equal(before, after); /* mtu 1300 now */
  free(after);
  mtu_now = 1500; /* repaired by hand */
  assert_int_equal(fault_capture_touched(f, &be, &after, &err), 0);
  assert_string_equal(before, after);
  free(before);
  free(after);
  fault_free(f);
}

static void test_pod_route(void **state)
{
  (void)state;
  const struct fault_kv kv[] = {{"pod", "web"}};
  struct fault *f = injected(FAULT_KIND_POD_ROUTE_DELETE, kv, 1);
  char **cmds = fault_hand_repair(f);
  assert_string_equal(cmds[0], "nsenter -t 201 -n ip route add default via 10.1.1.1 dev eth0 "
                               "proto static");
  strv_free(cmds);
  fault_free(f);
}

static void test_flow(void **state)
{
  (void)state;
  flow_there = true;
  const struct fault_kv kv[] = {{"node", "node1"}, {"remote", "node2"}};
  struct fault *f = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(fault_prepare(FAULT_KIND_FLOW_DELETE, kv, 2, &view, &f, &err), 0);
  char *before = NULL, *after = NULL;
  assert_int_equal(fault_capture_touched(f, &be, &before, &err), 0);
  assert_non_null(strstr(before, FLOW));
  assert_int_equal(fault_inject(f, &view, &be, &err), 0);
  char **cmds = fault_hand_repair(f);
  assert_string_equal(cmds[0],
                      "nodelab exec node1 -- ovs-ofctl -O OpenFlow13 add-flow br0 '" FLOW "'");
  strv_free(cmds);
  assert_int_equal(fault_capture_touched(f, &be, &after, &err), 0);
  assert_null(strstr(after, FLOW));
  free(before);
  free(after);
  fault_free(f);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_link_mtu),
      cmocka_unit_test(test_pod_route),
      cmocka_unit_test(test_flow),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
