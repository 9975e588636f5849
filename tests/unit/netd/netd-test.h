/* What the netd/ unit tests share (include after <cmocka.h> and flows.h). */
#ifndef NODELAB_TESTS_NETD_TEST_H
#define NODELAB_TESTS_NETD_TEST_H

#include <stdint.h>

/* An IPv4 address a.b.c.d in host byte order. */
#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))

/* The flow model of node1 of the default lab, with node2 and node3 as
 * remotes and no pods. */
static inline struct flows_model *lab_model(void)
{
  struct lab_error *err = NULL;
  struct flows_model *m = flows_model_new("node1", IP(10, 1, 0, 0), 16, IP(10, 1, 1, 0), 24,
                                          IP(192, 168, 122, 202), &err);
  assert_non_null(m);
  assert_int_equal(
      flows_model_add_remote(m, "node2", IP(10, 1, 2, 0), 24, IP(192, 168, 122, 203), &err), 0);
  assert_int_equal(
      flows_model_add_remote(m, "node3", IP(10, 1, 3, 0), 24, IP(192, 168, 122, 204), &err), 0);
  assert_null(err);
  return m;
}

/* Adds pod (ip, OpenFlow port ofport) to m; fails the test when refused. */
static inline void add_pod(struct flows_model *m, const char *pod, uint32_t ip, int ofport)
{
  struct lab_error *err = NULL;
  if (flows_model_add_pod(m, pod, ip, ofport, &err) < 0)
    fail_msg("%s", err->msg);
}

/* m's flow table into *l; fails the test when it cannot be generated. */
static inline void generate(const struct flows_model *m, struct flows_list *l)
{
  struct lab_error *err = NULL;
  if (flows_generate(m, l, &err) < 0)
    fail_msg("%s", err->msg);
}

#endif
