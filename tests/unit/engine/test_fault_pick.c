/* struct fault_view's pick (an exercise's seed): the parameters a fault
 * leaves unset are filled with the pick-th target where its kind bites;
 * pick 0 is today's choice, and a given parameter is never overridden. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fault.h"
#include "engine/fault-test-nodes.h"

/* Three running pods, one per node, and one pending (never picked). */
static const struct fault_view_pod pods[] = {
    {.name = "web", .node = "node1", .ip = "10.1.1.2", .infra_pid = 201},
    {.name = "pending", .node = "node1"},
    {.name = "client", .node = "node2", .ip = "10.1.2.2", .infra_pid = 202},
    {.name = "top", .node = "master", .ip = "10.1.0.2", .infra_pid = 203},
};

static const char *picked(enum fault_kind kind, uint32_t pick, const char *key,
                          const struct fault_kv *kv, size_t n, char *buf, size_t size)
{
  struct fault_view v = {
      .nodes = nodes, .n_nodes = 3, .pods = pods, .n_pods = 4, .fabric_pid = 99, .pick = pick};
  struct fault *f = NULL;
  struct lab_error *err = NULL;
  if (fault_prepare(kind, kv, n, &v, &f, &err) < 0)
    fail_msg("prepare: %s", err->msg);
  snprintf(buf, size, "%s", fault_param(f, key));
  fault_free(f);
  return buf;
}

static void test_pick_node(void **state)
{
  (void)state;
  char b[64];
  assert_string_equal(picked(FAULT_KIND_LINK_MTU, 0, "node", NULL, 0, b, sizeof b), "node1");
  assert_string_equal(picked(FAULT_KIND_LINK_MTU, 1, "node", NULL, 0, b, sizeof b), "node2");
  assert_string_equal(picked(FAULT_KIND_LINK_MTU, 2, "node", NULL, 0, b, sizeof b), "master");
  assert_string_equal(picked(FAULT_KIND_LINK_MTU, 3, "node", NULL, 0, b, sizeof b), "node1");
  /* A pod kind picks the pod. */
  assert_string_equal(picked(FAULT_KIND_POD_ROUTE_DELETE, 2, "pod", NULL, 0, b, sizeof b), "top");
  /* Given: kept, whatever the pick. */
  const struct fault_kv kv[] = {{"node", "master"}};
  assert_string_equal(picked(FAULT_KIND_LINK_MTU, 1, "node", kv, 1, b, sizeof b), "master");
}

static void test_pick_remote(void **state)
{
  (void)state;
  char b[64];
  /* node from pick % 3, remote from (pick / 7) % 2 among the other pods' nodes. */
  assert_string_equal(picked(FAULT_KIND_FLOW_DELETE, 0, "remote", NULL, 0, b, sizeof b), "node2");
  assert_string_equal(picked(FAULT_KIND_FLOW_DELETE, 7, "node", NULL, 0, b, sizeof b), "node2");
  assert_string_equal(picked(FAULT_KIND_FLOW_DELETE, 7, "remote", NULL, 0, b, sizeof b), "master");
  for (uint32_t pick = 0; pick < 50; pick++) {
    char n[64];
    picked(FAULT_KIND_FLOW_DELETE, pick, "node", NULL, 0, n, sizeof n);
    assert_string_not_equal(picked(FAULT_KIND_FLOW_DELETE, pick, "remote", NULL, 0, b, sizeof b),
                            n);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pick_node),
      cmocka_unit_test(test_pick_remote),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
