/* engine/netstate: the canonical text of hand-built snapshots (every field
 * of every kind of record pinned), its independence from the order objects
 * were read in and from ifindexes, the diff, and the probability
 * conversions.  No root, no namespace. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net/if_arp.h>
#include <linux/neighbour.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include <cmocka.h>

#include "netstate.h"

static struct in_addr ip(const char *s)
{
  struct in_addr a;
  assert_int_equal(inet_pton(AF_INET, s, &a), 1);
  return a;
}

/* Adds a neighbour of st: dst on ifname, in state, with lladdr (6 bytes;
 * NULL: none). */
static struct netstate_neigh *add_neigh(struct netstate *st, const char *ifname, const char *dst,
                                        const char *lladdr, uint16_t state)
{
  struct netstate_neigh *n = netstate_add_neigh(st);
  assert_non_null(n);
  snprintf(n->ifname, sizeof n->ifname, "%s", ifname);
  n->dst = ip(dst);
  if (lladdr != NULL) {
    memcpy(n->lladdr, lladdr, 6);
    n->lladdr_len = 6;
  }
  n->state = state;
  return n;
}

static void add_link(struct netstate *st, const char *name, int ifindex, uint8_t mac_last,
                     const char *kind, uint32_t mtu, const char *master, int tx_csum)
{
  struct netstate_link *l = netstate_add_link(st);
  assert_non_null(l);
  snprintf(l->name, sizeof l->name, "%s", name);
  l->ifindex = ifindex;
  snprintf(l->kind, sizeof l->kind, "%s", kind);
  l->arptype = ARPHRD_ETHER;
  l->flags = IFF_UP | IFF_BROADCAST | IFF_MULTICAST | IFF_RUNNING | (1u << 16);
  l->operstate = 6; /* IF_OPER_UP */
  l->mtu = mtu;
  l->txqlen = 1000;
  const uint8_t mac[6] = {0x02, 0, 0, 0, 0, mac_last};
  memcpy(l->lladdr, mac, 6);
  l->lladdr_len = 6;
  snprintf(l->master, sizeof l->master, "%s", master);
  l->tx_csum = tx_csum;
  /* Features read for links with ethtool support; owned by the state. */
  if (tx_csum >= 0)
    l->features = strdup(tx_csum ? "tx-checksum-ip-generic,tx-tcp-segmentation,rx-checksum" : "");
}

/* A small node: eth0 and a pod veth in br0, its addresses, routes, a
 * permanent and a stale neighbour, a netem with a tbf under it.  ifindex_base
 * shifts every ifindex, order_rev reverses the order objects are added in. */
static struct netstate *node_state(int ifindex_base, int order_rev)
{
  struct netstate *st = netstate_new();
  assert_non_null(st);
  const char *names[] = {"eth0", "br0", "veth1"};
  for (int k = 0; k < 3; k++) {
    int i = order_rev ? 2 - k : k;
    add_link(st, names[i], ifindex_base + i, (uint8_t)(10 + i),
             i == 0   ? "veth"
             : i == 1 ? "bridge"
                      : "veth",
             i == 0 ? 1450 : 1500, i == 2 ? "br0" : "", i == 1 ? -1 : 1);
  }

  for (int k = 0; k < 2; k++) {
    struct netstate_addr *a = netstate_add_addr(st);
    int i = order_rev ? 1 - k : k;
    snprintf(a->ifname, sizeof a->ifname, "%s", i == 0 ? "eth0" : "br0");
    a->local = a->peer = ip(i == 0 ? "10.250.0.2" : "10.250.1.1");
    a->prefix = 24;
    if (i == 0) {
      a->broadcast = ip("10.250.0.255");
      a->has_broadcast = 1;
    }
    a->scope = RT_SCOPE_UNIVERSE;
    a->flags = 0x80; /* IFA_F_PERMANENT */
    snprintf(a->label, sizeof a->label, "%s", a->ifname);
  }

  struct netstate_route *r = netstate_add_route(st);
  r->table = RT_TABLE_MAIN;
  r->type = RTN_UNICAST;
  r->protocol = RTPROT_BOOT;
  r->scope = RT_SCOPE_UNIVERSE;
  r->n_nexthops = 1;
  snprintf(r->nexthops[0].ifname, IFNAMSIZ, "eth0");
  r->nexthops[0].gateway = ip("10.250.0.1");
  r->nexthops[0].has_gateway = 1;
  r = netstate_add_route(st);
  r->table = RT_TABLE_LOCAL;
  r->type = RTN_LOCAL;
  r->protocol = RTPROT_KERNEL;
  r->scope = RT_SCOPE_HOST;
  r->dst = ip("10.250.0.2");
  r->dst_len = 32;
  r->prefsrc = ip("10.250.0.2");
  r->has_prefsrc = 1;
  r->n_nexthops = 1;
  snprintf(r->nexthops[0].ifname, IFNAMSIZ, "eth0");
  r = netstate_add_route(st);
  r->table = 100;
  r->type = RTN_UNICAST;
  r->protocol = RTPROT_STATIC;
  r->scope = RT_SCOPE_LINK;
  r->priority = 20;
  r->tos = 0x10;
  r->dst = ip("10.250.9.0");
  r->dst_len = 24;
  r->metrics[RTAX_MTU] = 1400;
  r->n_nexthops = 2;
  snprintf(r->nexthops[0].ifname, IFNAMSIZ, "eth0");
  r->nexthops[0].flags = RTNH_F_ONLINK | RTNH_F_LINKDOWN;
  r->nexthops[0].weight = 1;
  snprintf(r->nexthops[1].ifname, IFNAMSIZ, "br0");
  r->nexthops[1].weight = 2;

  add_neigh(st, "eth0", "10.250.0.1", "\x02\xaa\xbb\xcc\xdd\xee", NUD_PERMANENT);
  add_neigh(st, "br0", "10.250.1.7", NULL, NUD_FAILED)->flags = NTF_ROUTER;

  struct netstate_qdisc *q = netstate_add_qdisc(st);
  snprintf(q->ifname, sizeof q->ifname, "eth0");
  snprintf(q->kind, sizeof q->kind, "netem");
  q->handle = 0x10000;
  q->parent = TC_H_ROOT;
  q->params = NETSTATE_QDISC_NETEM;
  q->u.netem = (struct netstate_netem){.limit = 1000,
                                       .delay_us = 100000,
                                       .jitter_us = 10000,
                                       .loss_ppm = 300000,
                                       .duplicate_ppm = 5000,
                                       .corrupt_ppm = 1,
                                       .reorder_ppm = 250000,
                                       .gap = 1,
                                       .rate_bytes = 250000};
  q = netstate_add_qdisc(st);
  snprintf(q->ifname, sizeof q->ifname, "eth0");
  snprintf(q->kind, sizeof q->kind, "tbf");
  q->handle = 0x100000;
  q->parent = 0x10001;
  q->params = NETSTATE_QDISC_TBF;
  q->u.tbf = (struct netstate_tbf){.rate_bytes = 125000, .burst = 1600, .limit = 14100};
  q = netstate_add_qdisc(st);
  snprintf(q->ifname, sizeof q->ifname, "veth1");
  snprintf(q->kind, sizeof q->kind, "noqueue");
  q->parent = TC_H_ROOT;
  return st;
}

static const char node_text[] =
    "addr br0 10.250.1.1/24 scope global label br0 flags permanent\n"
    "addr eth0 10.250.0.2/24 brd 10.250.0.255 scope global label eth0 flags permanent\n"
    "link br0 kind bridge type ether mtu 1500 txqlen 1000 flags "
    "up,broadcast,running,multicast,lower_up state up lladdr 02:00:00:00:00:0b master none "
    "tx-csum n/a\n"
    "link eth0 kind veth type ether mtu 1450 txqlen 1000 flags "
    "up,broadcast,running,multicast,lower_up state up lladdr 02:00:00:00:00:0a master none "
    "tx-csum on\n"
    "link veth1 kind veth type ether mtu 1500 txqlen 1000 flags "
    "up,broadcast,running,multicast,lower_up state up lladdr 02:00:00:00:00:0c master br0 "
    "tx-csum on\n"
    "neigh br0 10.250.1.7 lladdr none state failed flags router\n"
    "neigh eth0 10.250.0.1 lladdr 02:aa:bb:cc:dd:ee state permanent flags none\n"
    "offload eth0 tx-checksum-ip-generic,tx-tcp-segmentation,rx-checksum\n"
    "offload veth1 tx-checksum-ip-generic,tx-tcp-segmentation,rx-checksum\n"
    "qdisc eth0 netem handle 1: parent root limit 1000 delay 100000us jitter 10000us "
    "delay-corr 0% loss 30% loss-corr 0% duplicate 0.5% duplicate-corr 0% corrupt 0.0001% "
    "corrupt-corr 0% reorder 25% reorder-corr 0% gap 1 rate 2000000bit\n"
    "qdisc eth0 tbf handle 10: parent 1:1 rate 1000000bit burst 1600b limit 14100b\n"
    "qdisc veth1 noqueue handle 0: parent root\n"
    "route table 100 10.250.9.0/24 type unicast proto static scope link metric 20 tos 0x10 "
    "mtu 1400 nexthop dev eth0 flags onlink,linkdown weight 1 nexthop dev br0 weight 2\n"
    "route table local 10.250.0.2/32 type local proto kernel scope host metric 0 src "
    "10.250.0.2 nexthop dev eth0\n"
    "route table main default type unicast proto boot scope global metric 0 nexthop via "
    "10.250.0.1 dev eth0\n";

static void test_format_pinned(void **state)
{
  (void)state;
  struct netstate *st = node_state(10, 0);
  struct lab_error *err = NULL;
  char *text = NULL;
  assert_int_equal(netstate_format(st, &text, &err), 0);
  assert_string_equal(text, node_text);
  free(text);
  netstate_free(st);
}

/* The same objects read in another order, with other ifindexes: same text. */
static void test_format_canonical(void **state)
{
  (void)state;
  struct netstate *a = node_state(10, 0), *b = node_state(300, 1);
  struct lab_error *err = NULL;
  char *ta = NULL, *tb = NULL, *diff = NULL;
  assert_int_equal(netstate_format(a, &ta, &err), 0);
  assert_int_equal(netstate_format(b, &tb, &err), 0);
  assert_string_equal(ta, tb);
  assert_int_equal(netstate_diff(a, b, &diff, &err), 0);
  assert_string_equal(diff, "");
  free(ta);
  free(tb);
  free(diff);
  netstate_free(a);
  netstate_free(b);
}

/* One changed MTU, one removed route, one added neighbour: exactly those lines, in
 * the sorted order of the lines (a changed object: its old and new lines side by side). */
static void test_diff(void **state)
{
  (void)state;
  struct netstate *a = node_state(10, 0), *b = node_state(10, 1);
  b->links[2].mtu = 1300;                                       /* eth0 (added last in reverse) */
  memmove(&b->routes[0], &b->routes[1], 2 * sizeof *b->routes); /* the default route goes */
  b->n_routes--;
  add_neigh(b, "eth0", "10.250.0.3", "\x02\x00\x00\x00\x00\x03", NUD_PERMANENT);
  struct lab_error *err = NULL;
  char *diff = NULL;
  assert_int_equal(netstate_diff(a, b, &diff, &err), 4);
  assert_string_equal(
      diff, "+ link eth0 kind veth type ether mtu 1300 txqlen 1000 flags "
            "up,broadcast,running,multicast,lower_up state up lladdr 02:00:00:00:00:0a master "
            "none tx-csum on\n"
            "- link eth0 kind veth type ether mtu 1450 txqlen 1000 flags "
            "up,broadcast,running,multicast,lower_up state up lladdr 02:00:00:00:00:0a master "
            "none tx-csum on\n"
            "+ neigh eth0 10.250.0.3 lladdr 02:00:00:00:00:03 state permanent flags none\n"
            "- route table main default type unicast proto boot scope global metric 0 nexthop "
            "via 10.250.0.1 dev eth0\n");
  free(diff);
  netstate_free(a);
  netstate_free(b);
}

/* The text diff takes lines in any order, keeps duplicates apart, and reads
 * a last line without '\n'. */
static void test_diff_text(void **state)
{
  (void)state;
  struct lab_error *err = NULL;
  char *diff = NULL;
  assert_int_equal(netstate_diff_text("b\na\na\n", "a\nc\nb", &diff, &err), 2);
  assert_string_equal(diff, "- a\n+ c\n");
  free(diff);
  assert_int_equal(netstate_diff_text("", "", &diff, &err), 0);
  assert_string_equal(diff, "");
  free(diff);
}

static void test_empty_and_unknowns(void **state)
{
  (void)state;
  struct netstate *st = netstate_new();
  struct lab_error *err = NULL;
  char *text = NULL;
  assert_int_equal(netstate_format(st, &text, &err), 0);
  assert_string_equal(text, "");
  free(text);
  /* Values without a name print as numbers, never as a wrong name (libnl
   * names ARPHRD_NONE "nohdr"). */
  struct netstate_route *r = netstate_add_route(st);
  r->table = 7;
  r->type = 200;
  r->protocol = 99;
  r->scope = 17;
  r->dst = ip("192.0.2.0");
  r->dst_len = 25;
  struct netstate_link *l = netstate_add_link(st);
  snprintf(l->name, sizeof l->name, "tun0");
  l->arptype = ARPHRD_NONE;
  l->flags = IFF_UP | (1u << 30);
  l->operstate = 42;
  l->tx_csum = 0;
  l->features = strdup("");
  assert_int_equal(netstate_format(st, &text, &err), 0);
  assert_string_equal(text, "link tun0 kind none type nohdr mtu 0 txqlen 0 flags up,0x40000000 "
                            "state ? lladdr none master none tx-csum off\n"
                            "offload tun0 none\n"
                            "route table 7 192.0.2.0/25 type 200 proto 99 scope 17 metric 0\n");
  free(text);
  assert_ptr_equal(netstate_find_link(st, "tun0"), &st->links[0]);
  assert_null(netstate_find_link(st, "eth0"));
  netstate_free(st);
}

static void test_probabilities(void **state)
{
  (void)state;
  assert_int_equal(netstate_ppm_to_prob(0), 0);
  assert_int_equal(netstate_ppm_to_prob(1000000), UINT32_MAX);
  assert_int_equal(netstate_prob_to_ppm(UINT32_MAX), 1000000);
  /* tc's "30%" is rint(0.30 * UINT32_MAX). */
  assert_int_equal(netstate_ppm_to_prob(300000), 1288490188u);
  for (uint32_t ppm = 0; ppm <= 1000000; ppm += 997)
    assert_int_equal(netstate_prob_to_ppm(netstate_ppm_to_prob(ppm)), ppm);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_format_pinned),
      cmocka_unit_test(test_format_canonical),
      cmocka_unit_test(test_diff),
      cmocka_unit_test(test_diff_text),
      cmocka_unit_test(test_empty_and_unknowns),
      cmocka_unit_test(test_probabilities),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
