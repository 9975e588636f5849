/* engine/netfault: the netem request nodelab sends, as the kernel's
 * sch_netem reads it (struct tc_netem_qopt at the head of TCA_OPTIONS, the
 * TCA_NETEM_* attributes after it, TCA_OPTIONS spanning to the end of the
 * message, and the message ending there: libnl 3.7 leaves zero bytes after
 * it, which netfault cuts).  Built through libnl without a kernel: this is
 * what says the netem path is right on a machine whose kernel lacks
 * sch_netem. */
#include "netfault-internal.h"
#include "netstate-internal.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <linux/pkt_sched.h>

#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/route/qdisc.h>
#include <netlink/utils.h>

#include <cmocka.h>

struct netem_request {
  struct tcmsg tcm;
  char kind[16];
  struct tc_netem_qopt qopt;
  struct nlattr *attrs[TCA_NETEM_MAX + 1];
  int spans_to_end;
  struct nl_msg *msg;
};

static void build(const struct netfault_netem *spec, struct netem_request *r)
{
  memset(r, 0, sizeof *r);
  assert_int_equal(netfault_netem_request(7, spec, &r->msg), 0);
  struct nlmsghdr *h = nlmsg_hdr(r->msg);
  memcpy(&r->tcm, nlmsg_data(h), sizeof r->tcm);
  struct nlattr *tb[TCA_MAX + 1];
  assert_int_equal(nlmsg_parse(h, sizeof(struct tcmsg), tb, TCA_MAX, NULL), 0);
  assert_non_null(tb[TCA_KIND]);
  snprintf(r->kind, sizeof r->kind, "%s", nla_get_string(tb[TCA_KIND]));
  struct nlattr *o = tb[TCA_OPTIONS];
  assert_non_null(o);
  assert_true(nla_len(o) >= (int)sizeof r->qopt);
  memcpy(&r->qopt, nla_data(o), sizeof r->qopt);
  r->spans_to_end = (char *)o + NLA_ALIGN(o->nla_len) == (char *)h + h->nlmsg_len;
  int head = NLA_ALIGN(sizeof r->qopt);
  assert_int_equal(nla_parse(r->attrs, TCA_NETEM_MAX, (struct nlattr *)((char *)nla_data(o) + head),
                             nla_len(o) - head, NULL),
                   0);
}

static void test_netem_request(void **state)
{
  (void)state;
  struct netfault_netem spec = {.delay_us = 100000,
                                .jitter_us = 10000,
                                .loss_ppm = 300000,
                                .duplicate_ppm = 5000,
                                .corrupt_ppm = 1000,
                                .reorder_ppm = 250000};
  struct netem_request r;
  build(&spec, &r);
  assert_int_equal(r.tcm.tcm_ifindex, 7);
  assert_int_equal(r.tcm.tcm_parent, TC_H_ROOT);
  assert_int_equal(r.tcm.tcm_handle, NETFAULT_NETEM_HANDLE);
  assert_string_equal(r.kind, "netem");
  /* sch_netem reads its attributes after the qopt, inside TCA_OPTIONS; nothing follows. */
  assert_true(r.spans_to_end);
  assert_int_equal(r.qopt.limit, 1000);
  assert_int_equal(r.qopt.latency, nl_us2ticks(100000));
  assert_int_equal(r.qopt.jitter, nl_us2ticks(10000));
  assert_int_equal(r.qopt.loss, netstate_ppm_to_prob(300000));
  assert_int_equal(r.qopt.duplicate, netstate_ppm_to_prob(5000));
  assert_int_equal(r.qopt.gap, 1); /* reordering needs a gap, as tc sets it */
  assert_non_null(r.attrs[TCA_NETEM_CORRUPT]);
  struct tc_netem_corrupt c;
  memcpy(&c, nla_data(r.attrs[TCA_NETEM_CORRUPT]), sizeof c);
  assert_int_equal(c.probability, netstate_ppm_to_prob(1000));
  assert_non_null(r.attrs[TCA_NETEM_REORDER]);
  struct tc_netem_reorder ro;
  memcpy(&ro, nla_data(r.attrs[TCA_NETEM_REORDER]), sizeof ro);
  assert_int_equal(ro.probability, netstate_ppm_to_prob(250000));
  nlmsg_free(r.msg);
}

/* Only what is asked: a loss alone has no delay, no corrupt or reorder
 * attribute; a limit given is kept. */
static void test_netem_request_minimal(void **state)
{
  (void)state;
  struct netfault_netem spec = {.loss_ppm = 1000000, .limit = 50};
  struct netem_request r;
  build(&spec, &r);
  assert_int_equal(r.qopt.limit, 50);
  assert_int_equal(r.qopt.latency, 0);
  assert_int_equal(r.qopt.loss, UINT32_MAX);
  assert_int_equal(r.qopt.gap, 0);
  assert_null(r.attrs[TCA_NETEM_CORRUPT]);
  assert_null(r.attrs[TCA_NETEM_REORDER]);
  assert_true(r.spans_to_end);
  nlmsg_free(r.msg);
}

/* Appends attribute type (len bytes of data) inside the request's TCA_OPTIONS,
 * which ends the message. */
static void options_append(struct nl_msg *msg, int type, const void *data, int len)
{
  struct nlmsghdr *h = nlmsg_hdr(msg);
  struct nlattr *tb[TCA_MAX + 1];
  assert_int_equal(nlmsg_parse(h, sizeof(struct tcmsg), tb, TCA_MAX, NULL), 0);
  size_t opts = (size_t)((char *)tb[TCA_OPTIONS] - (char *)h);
  assert_int_equal(nla_put(msg, type, len, data), 0);
  h = nlmsg_hdr(msg); /* nla_put may have moved it */
  struct nlattr *o = (struct nlattr *)((char *)h + opts);
  o->nla_len = (uint16_t)(h->nlmsg_len - opts);
}

/* netem's own rate, which libnl 3.7 does not read, from a dump message. */
static void test_netem_rate_parse(void **state)
{
  (void)state;
  struct netfault_netem spec = {.delay_us = 1000, .corrupt_ppm = 10};
  struct nl_msg *msg = NULL;
  int ifindex = 0;
  uint32_t handle = 0;
  uint64_t rate = 1;
  assert_int_equal(netfault_netem_request(9, &spec, &msg), 0);
  assert_int_equal(netstate_netem_rate_parse(nlmsg_hdr(msg), &ifindex, &handle, &rate), 1);
  assert_int_equal(ifindex, 9);
  assert_int_equal(handle, NETFAULT_NETEM_HANDLE);
  assert_int_equal(rate, 0);
  struct tc_netem_rate r = {.rate = 125000};
  options_append(msg, TCA_NETEM_RATE, &r, sizeof r);
  assert_int_equal(netstate_netem_rate_parse(nlmsg_hdr(msg), &ifindex, &handle, &rate), 1);
  assert_int_equal(rate, 125000);
  uint64_t r64 = 10000000000ull; /* 80 Gbit/s: past the u32 */
  options_append(msg, TCA_NETEM_RATE64, &r64, sizeof r64);
  assert_int_equal(netstate_netem_rate_parse(nlmsg_hdr(msg), &ifindex, &handle, &rate), 1);
  assert_int_equal(rate, 10000000000ull);
  nlmsg_free(msg);
  /* Not a netem: 0. */
  struct nl_msg *other = nlmsg_alloc_simple(RTM_NEWQDISC, 0);
  struct tcmsg t = {.tcm_ifindex = 3};
  assert_int_equal(nlmsg_append(other, &t, sizeof t, NLMSG_ALIGNTO), 0);
  assert_int_equal(nla_put_string(other, TCA_KIND, "tbf"), 0);
  assert_int_equal(netstate_netem_rate_parse(nlmsg_hdr(other), &ifindex, &handle, &rate), 0);
  nlmsg_free(other);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_netem_request),
      cmocka_unit_test(test_netem_request_minimal),
      cmocka_unit_test(test_netem_rate_parse),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
