#include "netstate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net/if_arp.h>
#include <linux/neighbour.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/netem.h>
#include <netlink/route/qdisc/tbf.h>
#include <netlink/route/route.h>
#include <netlink/route/tc.h>

#include "cleanup.h"
#include "ethtool.h"
#include "names.h"
#include "netlink.h"
#include "netstate-internal.h"
#include "xalloc.h"

_Static_assert(RTAX_MAX <= NETSTATE_METRIC_MAX, "netstate_route.metrics holds every RTAX_*");

/* ---- records ---- */

struct netstate *netstate_new(void)
{
  return calloc(1, sizeof(struct netstate));
}

void netstate_free(struct netstate *st)
{
  if (st == NULL)
    return;
  XFREE_ARRAY(st->links, st->n_links, features);
  free(st->addrs);
  free(st->routes);
  free(st->neighs);
  free(st->qdiscs);
  free(st);
}

struct netstate_link *netstate_add_link(struct netstate *st)
{
  return XAPPEND(st->links, st->n_links);
}
struct netstate_addr *netstate_add_addr(struct netstate *st)
{
  return XAPPEND(st->addrs, st->n_addrs);
}
struct netstate_route *netstate_add_route(struct netstate *st)
{
  return XAPPEND(st->routes, st->n_routes);
}
struct netstate_neigh *netstate_add_neigh(struct netstate *st)
{
  return XAPPEND(st->neighs, st->n_neighs);
}
struct netstate_qdisc *netstate_add_qdisc(struct netstate *st)
{
  return XAPPEND(st->qdiscs, st->n_qdiscs);
}

const struct netstate_link *netstate_find_link(const struct netstate *st, const char *ifname)
{
  for (size_t i = 0; i < st->n_links; i++)
    if (strcmp(st->links[i].name, ifname) == 0)
      return &st->links[i];
  return NULL;
}

uint32_t netstate_ppm_to_prob(uint32_t ppm)
{
  if (ppm >= 1000000)
    return UINT32_MAX;
  return (uint32_t)rint((double)ppm / 1e6 * (double)UINT32_MAX);
}

uint32_t netstate_prob_to_ppm(uint32_t prob)
{
  return (uint32_t)rint((double)prob * 1e6 / (double)UINT32_MAX);
}

/* ---- capture ---- */

static void set_name(char dst[IFNAMSIZ], const char *src)
{
  snprintf(dst, IFNAMSIZ, "%s", src != NULL ? src : "");
}

static const char *ifname_of(const struct netstate *st, int ifindex, char buf[IFNAMSIZ])
{
  for (size_t i = 0; i < st->n_links; i++)
    if (st->links[i].ifindex == ifindex)
      return st->links[i].name;
  snprintf(buf, IFNAMSIZ, "#%d", ifindex); /* not in the namespace: shown, never equal */
  return buf;
}

/* Names the interface ifindex of st into dst (ifname_of()). */
static void set_ifname(char dst[IFNAMSIZ], const struct netstate *st, int ifindex)
{
  char buf[IFNAMSIZ];
  set_name(dst, ifname_of(st, ifindex, buf));
}

static void copy_in4(struct in_addr *dst, struct nl_addr *a, int *has)
{
  if (a != NULL && nl_addr_get_family(a) == AF_INET && nl_addr_get_len(a) == sizeof *dst) {
    memcpy(dst, nl_addr_get_binary_addr(a), sizeof *dst);
    if (has != NULL)
      *has = 1;
  }
}

static void copy_lladdr(uint8_t *dst, size_t *len, struct nl_addr *a)
{
  *len = 0;
  if (a == NULL)
    return;
  size_t n = nl_addr_get_len(a);
  if (n > NETSTATE_LLADDR_MAX)
    n = NETSTATE_LLADDR_MAX;
  memcpy(dst, nl_addr_get_binary_addr(a), n);
  *len = n;
}

static int nl_error(struct lab_error **err, int nle, const char *what)
{
  return lab_error_set(err, EIO, "%s: %s", what, nl_geterror(nle));
}

/* Adds the record of one cache object to st (or nothing, when o is not one
 * netstate keeps: not IPv4, or filtered out by flags). */
typedef void capture_one_fn(struct nl_object *o, struct netstate *st, unsigned flags);

static void link_one(struct nl_object *o, struct netstate *st, unsigned flags)
{
  (void)flags;
  struct rtnl_link *l = (struct rtnl_link *)o;
  struct netstate_link *r = netstate_add_link(st);
  set_name(r->name, rtnl_link_get_name(l));
  r->ifindex = rtnl_link_get_ifindex(l);
  snprintf(r->kind, sizeof r->kind, "%s", rtnl_link_get_type(l) ?: "");
  r->arptype = (uint16_t)rtnl_link_get_arptype(l);
  r->flags = rtnl_link_get_flags(l);
  r->operstate = rtnl_link_get_operstate(l);
  r->mtu = rtnl_link_get_mtu(l);
  r->txqlen = rtnl_link_get_txqlen(l);
  copy_lladdr(r->lladdr, &r->lladdr_len, rtnl_link_get_addr(l));
  r->master_ifindex =
      rtnl_link_get_master(l); /* named by link_details(), once every link is known */
}

/* What netlink's link dump does not say: each link's master by name, and its
 * checksum offload and features (ethtool, in the namespace netns_fd). */
static int link_details(int netns_fd, struct netstate *st, struct lab_error **err)
{
  for (size_t i = 0; i < st->n_links; i++) {
    struct netstate_link *r = &st->links[i];
    if (r->master_ifindex > 0) {
      set_ifname(r->master, st, r->master_ifindex);
    }
    cleanup_error struct lab_error *e = NULL;
    int on = -1;
    if (ethtool_get_tx_csum(netns_fd, r->name, &on, &e) < 0) {
      if (e->errnum != EOPNOTSUPP && e->errnum != ENODEV && e->errnum != EINVAL) {
        *err = steal_pointer(&e);
        return lab_error_wrap(err, "reading tx checksum offload");
      }
      on = -1;
    }
    r->tx_csum = on;
    if (on >= 0 && ethtool_get_features(netns_fd, r->name, &r->features, &e) < 0) {
      if (e->errnum != EOPNOTSUPP && e->errnum != ENODEV && e->errnum != EINVAL) {
        *err = steal_pointer(&e);
        return lab_error_wrap(err, "reading offload features");
      }
      r->features = NULL;
    }
  }
  return 0;
}

static void addr_one(struct nl_object *o, struct netstate *st, unsigned flags)
{
  (void)flags;
  struct rtnl_addr *a = (struct rtnl_addr *)o;
  if (rtnl_addr_get_family(a) != AF_INET)
    return;
  struct netstate_addr *r = netstate_add_addr(st);
  set_ifname(r->ifname, st, rtnl_addr_get_ifindex(a));
  copy_in4(&r->local, rtnl_addr_get_local(a), NULL);
  r->prefix = (uint8_t)rtnl_addr_get_prefixlen(a);
  r->peer = r->local;
  copy_in4(&r->peer, rtnl_addr_get_peer(a), NULL);
  copy_in4(&r->broadcast, rtnl_addr_get_broadcast(a), &r->has_broadcast);
  r->scope = (uint8_t)rtnl_addr_get_scope(a);
  r->flags = rtnl_addr_get_flags(a);
  set_name(r->label, rtnl_addr_get_label(a));
}

static void route_one(struct nl_object *o, struct netstate *st, unsigned flags)
{
  (void)flags;
  struct rtnl_route *rt = (struct rtnl_route *)o;
  if (rtnl_route_get_family(rt) != AF_INET)
    return;
  struct netstate_route *r = netstate_add_route(st);
  r->table = rtnl_route_get_table(rt);
  r->type = rtnl_route_get_type(rt);
  r->protocol = rtnl_route_get_protocol(rt);
  r->scope = rtnl_route_get_scope(rt);
  r->tos = rtnl_route_get_tos(rt);
  r->priority = rtnl_route_get_priority(rt);
  struct nl_addr *dst = rtnl_route_get_dst(rt);
  copy_in4(&r->dst, dst, NULL);
  r->dst_len = dst != NULL ? (uint8_t)nl_addr_get_prefixlen(dst) : 0;
  copy_in4(&r->prefsrc, rtnl_route_get_pref_src(rt), &r->has_prefsrc);
  for (int m = 1; m <= RTAX_MAX; m++) {
    uint32_t v = 0;
    if (rtnl_route_get_metric(rt, m, &v) == 0)
      r->metrics[m] = v;
  }
  int n = rtnl_route_get_nnexthops(rt);
  for (int i = 0; i < n && r->n_nexthops < NETSTATE_NEXTHOP_MAX; i++) {
    struct rtnl_nexthop *nh = rtnl_route_nexthop_n(rt, i);
    struct netstate_nexthop *h = &r->nexthops[r->n_nexthops++];
    int oif = rtnl_route_nh_get_ifindex(nh);
    if (oif > 0)
      set_ifname(h->ifname, st, oif);
    copy_in4(&h->gateway, rtnl_route_nh_get_gateway(nh), &h->has_gateway);
    h->flags = (uint8_t)rtnl_route_nh_get_flags(nh);
    h->weight = rtnl_route_nh_get_weight(nh);
  }
}

static void neigh_one(struct nl_object *o, struct netstate *st, unsigned flags)
{
  struct rtnl_neigh *n = (struct rtnl_neigh *)o;
  if (rtnl_neigh_get_family(n) != AF_INET)
    return;
  int state = rtnl_neigh_get_state(n);
  if ((flags & NETSTATE_NEIGH_PERMANENT_ONLY) && !(state & NUD_PERMANENT))
    return;
  struct netstate_neigh *r = netstate_add_neigh(st);
  set_ifname(r->ifname, st, rtnl_neigh_get_ifindex(n));
  copy_in4(&r->dst, rtnl_neigh_get_dst(n), NULL);
  copy_lladdr(r->lladdr, &r->lladdr_len, rtnl_neigh_get_lladdr(n));
  r->state = (uint16_t)state;
  r->flags = (uint8_t)rtnl_neigh_get_flags(n);
}

/* libnl's netem getters return an int that is a u32 probability, or a
 * negative NLE_* when the attribute was not dumped (then: 0). */
static uint32_t prob_ppm(int v)
{
  return v == -NLE_NOATTR ? 0 : netstate_prob_to_ppm((uint32_t)v);
}

static uint32_t nonneg(int v)
{
  return v < 0 ? 0 : (uint32_t)v;
}

static void capture_netem(struct rtnl_qdisc *q, struct netstate_netem *n)
{
  n->limit = nonneg(rtnl_netem_get_limit(q));
  n->delay_us = nonneg(rtnl_netem_get_delay(q));
  n->jitter_us = nonneg(rtnl_netem_get_jitter(q));
  n->gap = nonneg(rtnl_netem_get_gap(q));
  /* loss and duplicate come from the fixed tc_netem_qopt: always present, and
   * 100% is UINT32_MAX, which reads as -1 through the int getter. */
  n->loss_ppm = netstate_prob_to_ppm((uint32_t)rtnl_netem_get_loss(q));
  n->duplicate_ppm = netstate_prob_to_ppm((uint32_t)rtnl_netem_get_duplicate(q));
  n->corrupt_ppm = prob_ppm(rtnl_netem_get_corruption_probability(q));
  n->reorder_ppm = prob_ppm(rtnl_netem_get_reorder_probability(q));
  n->delay_corr_ppm = prob_ppm(rtnl_netem_get_delay_correlation(q));
  n->loss_corr_ppm = prob_ppm(rtnl_netem_get_loss_correlation(q));
  n->duplicate_corr_ppm = prob_ppm(rtnl_netem_get_duplicate_correlation(q));
  n->reorder_corr_ppm = prob_ppm(rtnl_netem_get_reorder_correlation(q));
  n->corrupt_corr_ppm = prob_ppm(rtnl_netem_get_corruption_correlation(q));
}

static void qdisc_one(struct nl_object *o, struct netstate *st, unsigned flags)
{
  (void)flags;
  struct rtnl_qdisc *q = (struct rtnl_qdisc *)o;
  struct rtnl_tc *tc = TC_CAST(q);
  struct netstate_qdisc *r = netstate_add_qdisc(st);
  set_ifname(r->ifname, st, rtnl_tc_get_ifindex(tc));
  snprintf(r->kind, sizeof r->kind, "%s", rtnl_tc_get_kind(tc) ?: "");
  r->handle = rtnl_tc_get_handle(tc);
  r->parent = rtnl_tc_get_parent(tc);
  if (strcmp(r->kind, "netem") == 0) {
    r->params = NETSTATE_QDISC_NETEM;
    capture_netem(q, &r->u.netem);
  } else if (strcmp(r->kind, "tbf") == 0) {
    r->params = NETSTATE_QDISC_TBF;
    r->u.tbf.rate_bytes = nonneg(rtnl_qdisc_tbf_get_rate(q));
    r->u.tbf.burst = nonneg(rtnl_qdisc_tbf_get_rate_bucket(q));
    r->u.tbf.limit = nonneg(rtnl_qdisc_tbf_get_limit(q));
  }
}

static int alloc_link_cache(struct nl_sock *sk, struct nl_cache **cache)
{
  return rtnl_link_alloc_cache(sk, AF_UNSPEC, cache);
}

static int alloc_route_cache(struct nl_sock *sk, struct nl_cache **cache)
{
  return rtnl_route_alloc_cache(sk, AF_INET, 0, cache);
}

/* One libnl dump: how to fill the cache, and what one of its objects adds. */
struct capture {
  const char *what;
  int (*alloc_cache)(struct nl_sock *sk, struct nl_cache **cache);
  capture_one_fn *one;
};

/* Links first: the other records name their interfaces through st->links. */
static const struct capture captures[] = {
    {"reading links", alloc_link_cache, link_one},
    {"reading addresses", rtnl_addr_alloc_cache, addr_one},
    {"reading routes", alloc_route_cache, route_one},
    {"reading neighbours", rtnl_neigh_alloc_cache, neigh_one},
    {"reading qdiscs", rtnl_qdisc_alloc_cache, qdisc_one},
};

/* Dumps c's objects through sk and adds their records to st. */
static int capture_cache(struct nl_sock *sk, const struct capture *c, unsigned flags,
                         struct netstate *st, struct lab_error **err)
{
  struct nl_cache *cache = NULL;
  int rc = c->alloc_cache(sk, &cache);
  if (rc < 0)
    return nl_error(err, rc, c->what);
  for (struct nl_object *o = nl_cache_get_first(cache); o != NULL; o = nl_cache_get_next(o))
    c->one(o, st, flags);
  nl_cache_free(cache);
  return 0;
}

int netstate_netem_rate_parse(const struct nlmsghdr *h, int *ifindex, uint32_t *handle,
                              uint64_t *rate_bytes)
{
  if (h->nlmsg_type != RTM_NEWQDISC || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct tcmsg)))
    return 0;
  const struct tcmsg *t = NLMSG_DATA(h);
  struct nlattr *tb[TCA_MAX + 1];
  if (nlmsg_parse((struct nlmsghdr *)h, sizeof *t, tb, TCA_MAX, NULL) < 0 || tb[TCA_KIND] == NULL ||
      tb[TCA_OPTIONS] == NULL || strcmp(nla_get_string(tb[TCA_KIND]), "netem") != 0)
    return 0;
  /* TCA_OPTIONS: struct tc_netem_qopt, then TCA_NETEM_* attributes. */
  int head = NLA_ALIGN(sizeof(struct tc_netem_qopt));
  int len = nla_len(tb[TCA_OPTIONS]) - head;
  struct nlattr *nt[TCA_NETEM_MAX + 1];
  if (len <= 0 ||
      nla_parse(nt, TCA_NETEM_MAX, (struct nlattr *)((char *)nla_data(tb[TCA_OPTIONS]) + head), len,
                NULL) < 0)
    return 0;
  uint64_t rate = 0;
  if (nt[TCA_NETEM_RATE64] != NULL && nla_len(nt[TCA_NETEM_RATE64]) >= (int)sizeof(uint64_t))
    rate = nla_get_u64(nt[TCA_NETEM_RATE64]);
  else if (nt[TCA_NETEM_RATE] != NULL &&
           nla_len(nt[TCA_NETEM_RATE]) >= (int)sizeof(struct tc_netem_rate))
    rate = ((const struct tc_netem_rate *)nla_data(nt[TCA_NETEM_RATE]))->rate;
  *ifindex = t->tcm_ifindex;
  *handle = t->tcm_handle;
  *rate_bytes = rate;
  return 1;
}

static int netem_rate_cb(struct nl_msg *msg, void *arg)
{
  struct netstate *st = arg;
  int ifindex;
  uint32_t handle;
  uint64_t rate;
  if (netstate_netem_rate_parse(nlmsg_hdr(msg), &ifindex, &handle, &rate) != 1)
    return NL_OK;
  char buf[IFNAMSIZ];
  const char *ifname = ifname_of(st, ifindex, buf);
  for (size_t i = 0; i < st->n_qdiscs; i++) {
    struct netstate_qdisc *q = &st->qdiscs[i];
    if (q->params == NETSTATE_QDISC_NETEM && q->handle == handle && strcmp(q->ifname, ifname) == 0)
      q->u.netem.rate_bytes = rate;
  }
  return NL_OK;
}

/* libnl 3.7 does not read netem's rate (TCA_NETEM_RATE, RATE64): when the
 * namespace has a netem, a second dump of the qdiscs reads it from the raw
 * messages. */
static int capture_netem_rates(struct nl_sock *sk, struct netstate *st, struct lab_error **err)
{
  size_t n = 0;
  for (size_t i = 0; i < st->n_qdiscs; i++)
    n += st->qdiscs[i].params == NETSTATE_QDISC_NETEM;
  if (n == 0)
    return 0;
  struct tcmsg t = {.tcm_family = AF_UNSPEC};
  int rc = nl_send_simple(sk, RTM_GETQDISC, NLM_F_DUMP, &t, sizeof t);
  if (rc < 0)
    return nl_error(err, rc, "reading netem rates");
  struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
  if (cb == NULL)
    return lab_error_set(err, ENOMEM, "reading netem rates");
  nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, netem_rate_cb, st);
  rc = nl_recvmsgs(sk, cb);
  nl_cb_put(cb);
  if (rc < 0)
    return nl_error(err, rc, "reading netem rates");
  return 0;
}

int netstate_capture(int netns_fd, unsigned flags, struct netstate **out, struct lab_error **err)
{
  cleanup_netlink struct nl_sock *sk = NULL;
  if (netlink_open(netns_fd, &sk, err) < 0)
    return lab_error_wrap(err, "capturing network state");
  cleanup_netstate struct netstate *st = netstate_new();
  if (st == NULL)
    return lab_error_set(err, ENOMEM, "capturing network state");
  for (size_t i = 0; i < sizeof captures / sizeof captures[0]; i++)
    if (capture_cache(sk, &captures[i], flags, st, err) < 0)
      return lab_error_wrap(err, "capturing network state");
  if (link_details(netns_fd, st, err) < 0 || capture_netem_rates(sk, st, err) < 0)
    return lab_error_wrap(err, "capturing network state");
  *out = steal_pointer(&st);
  return 0;
}

/* ---- names of kernel values ---- */

struct bit_name {
  uint32_t bit;
  const char *name;
};

static const struct bit_name link_flag_names[] = {
    {IFF_UP, "up"},
    {IFF_BROADCAST, "broadcast"},
    {IFF_DEBUG, "debug"},
    {IFF_LOOPBACK, "loopback"},
    {IFF_POINTOPOINT, "pointopoint"},
    {IFF_NOTRAILERS, "notrailers"},
    {IFF_RUNNING, "running"},
    {IFF_NOARP, "noarp"},
    {IFF_PROMISC, "promisc"},
    {IFF_ALLMULTI, "allmulti"},
    {IFF_MASTER, "master"},
    {IFF_SLAVE, "slave"},
    {IFF_MULTICAST, "multicast"},
    {IFF_PORTSEL, "portsel"},
    {IFF_AUTOMEDIA, "automedia"},
    {IFF_DYNAMIC, "dynamic"},
    {1u << 16, "lower_up"}, /* IFF_LOWER_UP, IFF_DORMANT, IFF_ECHO: linux/if.h only */
    {1u << 17, "dormant"},
    {1u << 18, "echo"},
};

static const struct bit_name addr_flag_names[] = {
    {0x01, "secondary"},      {0x02, "nodad"},       {0x04, "optimistic"},
    {0x08, "dadfailed"},      {0x10, "homeaddress"}, {0x20, "deprecated"},
    {0x40, "tentative"},      {0x80, "permanent"},   {0x100, "mngtmpaddr"},
    {0x200, "noprefixroute"}, {0x400, "autojoin"},   {0x800, "stable-privacy"},
};

static const struct bit_name nh_flag_names[] = {
    {RTNH_F_DEAD, "dead"},       {RTNH_F_PERVASIVE, "pervasive"}, {RTNH_F_ONLINK, "onlink"},
    {RTNH_F_OFFLOAD, "offload"}, {RTNH_F_LINKDOWN, "linkdown"},   {RTNH_F_UNRESOLVED, "unresolved"},
};

static const struct bit_name nud_names[] = {
    {NUD_INCOMPLETE, "incomplete"}, {NUD_REACHABLE, "reachable"}, {NUD_STALE, "stale"},
    {NUD_DELAY, "delay"},           {NUD_PROBE, "probe"},         {NUD_FAILED, "failed"},
    {NUD_NOARP, "noarp"},           {NUD_PERMANENT, "permanent"},
};

static const struct bit_name ntf_names[] = {
    {NTF_USE, "use"},     {NTF_SELF, "self"},     {NTF_MASTER, "master"},
    {NTF_PROXY, "proxy"}, {NTF_ROUTER, "router"},
};

/* Writes the names of the bits of v joined by ',' ("none" for 0; an unnamed
 * bit as 0xN). */
static void put_bits(FILE *f, uint32_t v, const struct bit_name *names, size_t n)
{
  if (v == 0) {
    fputs("none", f);
    return;
  }
  const char *sep = "";
  for (size_t i = 0; i < n; i++) {
    if (v & names[i].bit) {
      fprintf(f, "%s%s", sep, names[i].name);
      sep = ",";
      v &= ~names[i].bit;
    }
  }
  if (v != 0)
    fprintf(f, "%s0x%" PRIx32, sep, v);
}
#define PUT_BITS(f, v, table) put_bits(f, v, table, sizeof table / sizeof table[0])

static const char *operstate_name(uint8_t s)
{
  static const char *const names[] = {"unknown", "notpresent", "down", "lowerlayerdown",
                                      "testing", "dormant",    "up"};
  return names_get(names, NAMES_N(names), s, "?");
}

/* Names of kernel enum values, indexed by the value. */
static const char *const scope_names[] = {
    [RT_SCOPE_UNIVERSE] = "global", [RT_SCOPE_SITE] = "site",       [RT_SCOPE_LINK] = "link",
    [RT_SCOPE_HOST] = "host",       [RT_SCOPE_NOWHERE] = "nowhere",
};

static const char *const table_names[] = {
    [RT_TABLE_DEFAULT] = "default",
    [RT_TABLE_MAIN] = "main",
    [RT_TABLE_LOCAL] = "local",
};

static const char *const proto_names[] = {
    [RTPROT_UNSPEC] = "unspec", [RTPROT_REDIRECT] = "redirect", [RTPROT_KERNEL] = "kernel",
    [RTPROT_BOOT] = "boot",     [RTPROT_STATIC] = "static",     [RTPROT_RA] = "ra",
    [RTPROT_DHCP] = "dhcp",
};

static const char *const rtype_names[] = {
    [RTN_UNSPEC] = "unspec",
    [RTN_UNICAST] = "unicast",
    [RTN_LOCAL] = "local",
    [RTN_BROADCAST] = "broadcast",
    [RTN_ANYCAST] = "anycast",
    [RTN_MULTICAST] = "multicast",
    [RTN_BLACKHOLE] = "blackhole",
    [RTN_UNREACHABLE] = "unreachable",
    [RTN_PROHIBIT] = "prohibit",
    [RTN_THROW] = "throw",
    [RTN_NAT] = "nat",
};

/* Writes names[v] (of n), or v in decimal when the table has no name for it. */
static void put_name(FILE *f, uint32_t v, const char *const *names, size_t n)
{
  const char *name = names_get(names, n, v, NULL);
  if (name != NULL)
    fputs(name, f);
  else
    fprintf(f, "%" PRIu32, v);
}
#define PUT_NAME(f, v, table) put_name(f, v, table, NAMES_N(table))

static void put_in4(FILE *f, struct in_addr a)
{
  char buf[INET_ADDRSTRLEN];
  fputs(inet_ntop(AF_INET, &a, buf, sizeof buf), f);
}

static void put_lladdr(FILE *f, const uint8_t *a, size_t n)
{
  for (size_t i = 0; i < n; i++)
    fprintf(f, "%s%02x", i ? ":" : "", a[i]);
}

static void put_tc_handle(FILE *f, uint32_t h)
{
  if (h == TC_H_ROOT)
    fputs("root", f);
  else if (h == TC_H_INGRESS)
    fputs("ingress", f);
  else if (TC_H_MIN(h) == 0)
    fprintf(f, "%" PRIx32 ":", TC_H_MAJ(h) >> 16);
  else
    fprintf(f, "%" PRIx32 ":%" PRIx32, TC_H_MAJ(h) >> 16, TC_H_MIN(h));
}

/* 300000 -> "30%", 5000 -> "0.5%", 1 -> "0.0001%". */
static void put_ppm(FILE *f, uint32_t ppm)
{
  char buf[32];
  snprintf(buf, sizeof buf, "%" PRIu32 ".%04" PRIu32, ppm / 10000, ppm % 10000);
  char *end = buf + strlen(buf);
  while (end[-1] == '0')
    *--end = '\0';
  if (end[-1] == '.')
    *--end = '\0';
  fprintf(f, "%s%%", buf);
}

/* ---- formatting ---- */

/* Runs put(f, rec) into a fresh string. */
static int format_with(void (*put)(FILE *, const void *), const void *rec, char **line,
                       struct lab_error **err)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (f == NULL)
    return lab_error_errno(err, "formatting network state");
  put(f, rec);
  if (fclose(f) != 0) {
    free(buf);
    return lab_error_set(err, ENOMEM, "formatting network state");
  }
  *line = buf;
  return 0;
}

static void put_link(FILE *f, const void *rec)
{
  const struct netstate_link *l = rec;
  char type[32];
  fprintf(f, "link %s kind %s type %s mtu %" PRIu32 " txqlen %" PRIu32 " flags ", l->name,
          l->kind[0] ? l->kind : "none", nl_llproto2str(l->arptype, type, sizeof type), l->mtu,
          l->txqlen);
  PUT_BITS(f, l->flags, link_flag_names);
  fprintf(f, " state %s lladdr ", operstate_name(l->operstate));
  if (l->lladdr_len > 0)
    put_lladdr(f, l->lladdr, l->lladdr_len);
  else
    fputs("none", f);
  fprintf(f, " master %s tx-csum %s", l->master[0] ? l->master : "none",
          l->tx_csum < 0 ? "n/a"
          : l->tx_csum   ? "on"
                         : "off");
}

static void put_offload(FILE *f, const void *rec)
{
  const struct netstate_link *l = rec;
  fprintf(f, "offload %s %s", l->name, l->features[0] ? l->features : "none");
}

static void put_addr(FILE *f, const void *rec)
{
  const struct netstate_addr *a = rec;
  fprintf(f, "addr %s ", a->ifname);
  put_in4(f, a->local);
  fprintf(f, "/%u", a->prefix);
  if (a->peer.s_addr != a->local.s_addr) {
    fputs(" peer ", f);
    put_in4(f, a->peer);
  }
  if (a->has_broadcast) {
    fputs(" brd ", f);
    put_in4(f, a->broadcast);
  }
  fputs(" scope ", f);
  PUT_NAME(f, a->scope, scope_names);
  fprintf(f, " label %s flags ", a->label[0] ? a->label : "none");
  PUT_BITS(f, a->flags, addr_flag_names);
}

static const char *const metric_names[NETSTATE_METRIC_MAX + 1] = {
    [RTAX_LOCK] = "lock",
    [RTAX_MTU] = "mtu",
    [RTAX_WINDOW] = "window",
    [RTAX_RTT] = "rtt",
    [RTAX_RTTVAR] = "rttvar",
    [RTAX_SSTHRESH] = "ssthresh",
    [RTAX_CWND] = "cwnd",
    [RTAX_ADVMSS] = "advmss",
    [RTAX_REORDERING] = "reordering",
    [RTAX_HOPLIMIT] = "hoplimit",
    [RTAX_INITCWND] = "initcwnd",
    [RTAX_FEATURES] = "features",
    [RTAX_RTO_MIN] = "rto_min",
    [RTAX_INITRWND] = "initrwnd",
    [RTAX_QUICKACK] = "quickack",
    [RTAX_CC_ALGO] = "congctl",
    [RTAX_FASTOPEN_NO_COOKIE] = "fastopen_no_cookie",
};

static void put_route(FILE *f, const void *rec)
{
  const struct netstate_route *r = rec;
  fputs("route table ", f);
  PUT_NAME(f, r->table, table_names);
  fputc(' ', f);
  if (r->dst_len == 0 && r->dst.s_addr == 0) {
    fputs("default", f);
  } else {
    put_in4(f, r->dst);
    fprintf(f, "/%u", r->dst_len);
  }
  fputs(" type ", f);
  PUT_NAME(f, r->type, rtype_names);
  fputs(" proto ", f);
  PUT_NAME(f, r->protocol, proto_names);
  fputs(" scope ", f);
  PUT_NAME(f, r->scope, scope_names);
  fprintf(f, " metric %" PRIu32, r->priority);
  if (r->tos != 0)
    fprintf(f, " tos 0x%02x", r->tos);
  if (r->has_prefsrc) {
    fputs(" src ", f);
    put_in4(f, r->prefsrc);
  }
  for (int m = 1; m <= NETSTATE_METRIC_MAX; m++)
    if (r->metrics[m] != 0)
      fprintf(f, " %s %" PRIu32, metric_names[m] ? metric_names[m] : "metric", r->metrics[m]);
  for (size_t i = 0; i < r->n_nexthops; i++) {
    const struct netstate_nexthop *h = &r->nexthops[i];
    fputs(" nexthop", f);
    if (h->has_gateway) {
      fputs(" via ", f);
      put_in4(f, h->gateway);
    }
    fprintf(f, " dev %s", h->ifname[0] ? h->ifname : "none");
    if (h->flags != 0) {
      fputs(" flags ", f);
      PUT_BITS(f, h->flags, nh_flag_names);
    }
    if (h->weight != 0)
      fprintf(f, " weight %u", h->weight);
  }
}

static void put_neigh(FILE *f, const void *rec)
{
  const struct netstate_neigh *n = rec;
  fprintf(f, "neigh %s ", n->ifname);
  put_in4(f, n->dst);
  fputs(" lladdr ", f);
  if (n->lladdr_len > 0)
    put_lladdr(f, n->lladdr, n->lladdr_len);
  else
    fputs("none", f);
  fputs(" state ", f);
  PUT_BITS(f, n->state, nud_names);
  fputs(" flags ", f);
  PUT_BITS(f, n->flags, ntf_names);
}

static void put_qdisc(FILE *f, const void *rec)
{
  const struct netstate_qdisc *q = rec;
  fprintf(f, "qdisc %s %s handle ", q->ifname, q->kind[0] ? q->kind : "none");
  put_tc_handle(f, q->handle);
  fputs(" parent ", f);
  put_tc_handle(f, q->parent);
  if (q->params == NETSTATE_QDISC_NETEM) {
    const struct netstate_netem *n = &q->u.netem;
    fprintf(f, " limit %" PRIu32 " delay %" PRIu32 "us jitter %" PRIu32 "us", n->limit, n->delay_us,
            n->jitter_us);
    const struct {
      const char *name;
      uint32_t v;
    } p[] = {
        {"delay-corr", n->delay_corr_ppm},         {"loss", n->loss_ppm},
        {"loss-corr", n->loss_corr_ppm},           {"duplicate", n->duplicate_ppm},
        {"duplicate-corr", n->duplicate_corr_ppm}, {"corrupt", n->corrupt_ppm},
        {"corrupt-corr", n->corrupt_corr_ppm},     {"reorder", n->reorder_ppm},
        {"reorder-corr", n->reorder_corr_ppm},
    };
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) {
      fprintf(f, " %s ", p[i].name);
      put_ppm(f, p[i].v);
    }
    fprintf(f, " gap %" PRIu32 " rate %" PRIu64 "bit", n->gap, n->rate_bytes * 8);
  } else if (q->params == NETSTATE_QDISC_TBF) {
    fprintf(f, " rate %" PRIu64 "bit burst %" PRIu32 "b limit %" PRIu32 "b",
            q->u.tbf.rate_bytes * 8, q->u.tbf.burst, q->u.tbf.limit);
  }
}

int netstate_format_link(const struct netstate_link *l, char **line, struct lab_error **err)
{
  return format_with(put_link, l, line, err);
}
int netstate_format_addr(const struct netstate_addr *a, char **line, struct lab_error **err)
{
  return format_with(put_addr, a, line, err);
}
int netstate_format_route(const struct netstate_route *r, char **line, struct lab_error **err)
{
  return format_with(put_route, r, line, err);
}
int netstate_format_neigh(const struct netstate_neigh *n, char **line, struct lab_error **err)
{
  return format_with(put_neigh, n, line, err);
}
int netstate_format_qdisc(const struct netstate_qdisc *q, char **line, struct lab_error **err)
{
  return format_with(put_qdisc, q, line, err);
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

struct lines {
  char **v;
  size_t n;
};

static void lines_free(struct lines *l)
{
  for (size_t i = 0; i < l->n; i++)
    free(l->v[i]);
  free(l->v);
  l->v = NULL;
  l->n = 0;
}

static int lines_add_all(struct lines *out, void (*put)(FILE *, const void *), const void *recs,
                         size_t n, size_t sz, struct lab_error **err)
{
  for (size_t i = 0; i < n; i++) {
    char *line = NULL;
    if (format_with(put, (const char *)recs + i * sz, &line, err) < 0)
      return -1;
    char **v = realloc(out->v, (out->n + 1) * sizeof *v);
    if (v == NULL) {
      free(line);
      return lab_error_set(err, ENOMEM, "formatting network state");
    }
    out->v = v;
    out->v[out->n++] = line;
  }
  return 0;
}

/* Joins sorted lines, each followed by '\n'. */
static int lines_join(const struct lines *l, const char *prefix, char **text,
                      struct lab_error **err)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (f == NULL)
    return lab_error_errno(err, "formatting network state");
  for (size_t i = 0; i < l->n; i++)
    fprintf(f, "%s%s\n", prefix, l->v[i]);
  if (fclose(f) != 0) {
    free(buf);
    return lab_error_set(err, ENOMEM, "formatting network state");
  }
  *text = buf;
  return 0;
}

int netstate_format(const struct netstate *st, char **text, struct lab_error **err)
{
  struct lines l = {0};
  int rc = -1;
  int ok = lines_add_all(&l, put_link, st->links, st->n_links, sizeof *st->links, err) == 0;
  for (size_t i = 0; ok && i < st->n_links; i++)
    if (st->links[i].features != NULL)
      ok = lines_add_all(&l, put_offload, &st->links[i], 1, sizeof *st->links, err) == 0;
  if (ok && lines_add_all(&l, put_addr, st->addrs, st->n_addrs, sizeof *st->addrs, err) == 0 &&
      lines_add_all(&l, put_route, st->routes, st->n_routes, sizeof *st->routes, err) == 0 &&
      lines_add_all(&l, put_neigh, st->neighs, st->n_neighs, sizeof *st->neighs, err) == 0 &&
      lines_add_all(&l, put_qdisc, st->qdiscs, st->n_qdiscs, sizeof *st->qdiscs, err) == 0) {
    if (l.n > 0)
      qsort(l.v, l.n, sizeof *l.v, cmp_str);
    rc = lines_join(&l, "", text, err);
  }
  lines_free(&l);
  return rc;
}

/* Splits text into its lines (without '\n'), sorted. */
static int lines_split(const char *text, struct lines *out, struct lab_error **err)
{
  const char *p = text;
  while (*p != '\0') {
    const char *nl = strchr(p, '\n');
    size_t n = nl != NULL ? (size_t)(nl - p) : strlen(p);
    char **v = realloc(out->v, (out->n + 1) * sizeof *v);
    char *line = v != NULL ? strndup(p, n) : NULL;
    if (line == NULL) {
      if (v != NULL)
        out->v = v;
      return lab_error_set(err, ENOMEM, "comparing network states");
    }
    out->v = v;
    out->v[out->n++] = line;
    p += n + (nl != NULL);
  }
  if (out->n > 0)
    qsort(out->v, out->n, sizeof *out->v, cmp_str);
  return 0;
}

int netstate_diff_text(const char *a, const char *b, char **text, struct lab_error **err)
{
  struct lines la = {0}, lb = {0};
  char *buf = NULL;
  size_t len = 0;
  int count = -1;
  FILE *f = NULL;
  if (lines_split(a, &la, err) < 0 || lines_split(b, &lb, err) < 0)
    goto out;
  f = open_memstream(&buf, &len);
  if (f == NULL) {
    lab_error_errno(err, "comparing network states");
    goto out;
  }
  count = 0;
  size_t i = 0, j = 0;
  while (i < la.n || j < lb.n) {
    int c = i == la.n ? 1 : j == lb.n ? -1 : strcmp(la.v[i], lb.v[j]);
    if (c == 0) {
      i++, j++;
    } else if (c < 0) {
      fprintf(f, "- %s\n", la.v[i++]);
      count++;
    } else {
      fprintf(f, "+ %s\n", lb.v[j++]);
      count++;
    }
  }
  if (fclose(f) != 0) {
    free(buf);
    count = lab_error_set(err, ENOMEM, "comparing network states");
  } else {
    *text = buf;
  }
out:
  lines_free(&la);
  lines_free(&lb);
  return count;
}

int netstate_diff(const struct netstate *a, const struct netstate *b, char **text,
                  struct lab_error **err)
{
  cleanup_free char *ta = NULL;
  cleanup_free char *tb = NULL;
  if (netstate_format(a, &ta, err) < 0 || netstate_format(b, &tb, err) < 0)
    return -1;
  return netstate_diff_text(ta, tb, text, err);
}
