#include "netfault.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
#include "netfault-internal.h"
#include "netlink.h"

void netfault_undo_clear(struct netfault_undo *undo)
{
  netstate_free(undo->saved);
  memset(undo, 0, sizeof *undo);
  undo->kind = NETFAULT_UNDO_NONE;
}

/* Empties *undo (NONE) and names the link it is about. */
static void undo_begin(struct netfault_undo *undo, const char *ifname)
{
  memset(undo, 0, sizeof *undo);
  undo->kind = NETFAULT_UNDO_NONE;
  if (ifname != NULL)
    snprintf(undo->ifname, sizeof undo->ifname, "%s", ifname);
}

/* undo_begin(), then a capture of the namespace the primitive is about to
 * change (permanent neighbours only): NULL and *err when it cannot be read. */
static struct netstate *undo_begin_capture(int netns_fd, struct netfault_undo *undo,
                                           const char *ifname, struct lab_error **err)
{
  undo_begin(undo, ifname);
  struct netstate *st = NULL;
  if (netstate_capture(netns_fd, NETSTATE_NEIGH_PERMANENT_ONLY, &st, err) < 0)
    return NULL;
  return st;
}

static const char *in4_str(struct in_addr a, char buf[INET_ADDRSTRLEN])
{
  return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* The link ifname of st; NULL and *err (ENODEV) when there is none. */
static const struct netstate_link *find_link(const struct netstate *st, const char *ifname,
                                             struct lab_error **err)
{
  const struct netstate_link *l = netstate_find_link(st, ifname);
  if (l == NULL)
    lab_error_set(err, ENODEV, "no link %s in the namespace", ifname);
  return l;
}

static int ifindex_of(const struct netstate *st, const char *ifname, struct lab_error **err)
{
  const struct netstate_link *l = find_link(st, ifname, err);
  return l != NULL ? l->ifindex : -1;
}

/* Captures the state of netns_fd (netstate_capture() with flags) into *st and
 * returns its link ifname; NULL and *err when either fails. */
static const struct netstate_link *capture_link(int netns_fd, unsigned flags, const char *ifname,
                                                struct netstate **st, struct lab_error **err)
{
  if (netstate_capture(netns_fd, flags, st, err) < 0)
    return NULL;
  return find_link(*st, ifname, err);
}

/* capture_link(), then the link's index (-1 and *err on failure). */
static int capture_ifindex(int netns_fd, unsigned flags, const char *ifname, struct netstate **st,
                           struct lab_error **err)
{
  const struct netstate_link *l = capture_link(netns_fd, flags, ifname, st, err);
  return l != NULL ? l->ifindex : -1;
}

static struct nl_addr *in4_nl(struct in_addr a, uint8_t prefix)
{
  struct nl_addr *n = nl_addr_build(AF_INET, &a, sizeof a);
  if (n != NULL)
    nl_addr_set_prefixlen(n, prefix);
  return n;
}

/* ---- links ---- */

int netfault_link_get_mtu(int netns_fd, const char *ifname, int *mtu, struct lab_error **err)
{
  cleanup_netstate struct netstate *st = NULL;
  const struct netstate_link *l =
      capture_link(netns_fd, NETSTATE_NEIGH_PERMANENT_ONLY, ifname, &st, err);
  if (l == NULL)
    return -1;
  *mtu = (int)l->mtu;
  return 0;
}

int netfault_link_set_mtu(int netns_fd, const char *ifname, int mtu, struct netfault_undo *undo,
                          struct lab_error **err)
{
  undo_begin(undo, ifname);
  int old = 0;
  if (netfault_link_get_mtu(netns_fd, ifname, &old, err) < 0)
    return -1;
  cleanup_netlink struct nl_sock *sk = NULL;
  if (netlink_open(netns_fd, &sk, err) < 0 || netlink_link_set_mtu(sk, ifname, mtu, err) < 0)
    return -1;
  undo->kind = NETFAULT_UNDO_MTU;
  undo->value = old;
  return 0;
}

int netfault_link_set_up(int netns_fd, const char *ifname, int up, struct netfault_undo *undo,
                         struct lab_error **err)
{
  undo_begin(undo, ifname);
  cleanup_netstate struct netstate *st = NULL;
  const struct netstate_link *l =
      capture_link(netns_fd, NETSTATE_NEIGH_PERMANENT_ONLY, ifname, &st, err);
  if (l == NULL)
    return -1;
  int was_up = (l->flags & IFF_UP) != 0;
  cleanup_netlink struct nl_sock *sk = NULL;
  if (netlink_open(netns_fd, &sk, err) < 0 || netlink_link_set_up(sk, ifname, up, err) < 0)
    return -1;
  undo->kind = NETFAULT_UNDO_LINK_STATE;
  undo->value = was_up;
  undo->saved = steal_pointer(&st);
  return 0;
}

int netfault_tx_csum_set(int netns_fd, const char *ifname, int on, struct netfault_undo *undo,
                         struct lab_error **err)
{
  undo_begin(undo, ifname);
  int was = 0;
  if (ethtool_get_tx_csum(netns_fd, ifname, &was, err) < 0 ||
      ethtool_set_tx_csum(netns_fd, ifname, on, err) < 0)
    return -1;
  undo->kind = NETFAULT_UNDO_TX_CSUM;
  undo->value = was;
  return 0;
}

/* ---- qdiscs ---- */

static const struct netstate_qdisc *root_qdisc(const struct netstate *st, const char *ifname)
{
  for (size_t i = 0; i < st->n_qdiscs; i++)
    if (st->qdiscs[i].parent == TC_H_ROOT && strcmp(st->qdiscs[i].ifname, ifname) == 0)
      return &st->qdiscs[i];
  return NULL;
}

static int qdisc_delete_root(struct nl_sock *sk, int ifindex, const char *ifname,
                             struct lab_error **err)
{
  struct rtnl_qdisc *q = rtnl_qdisc_alloc();
  if (q == NULL)
    return lab_error_set(err, ENOMEM, "deleting the root qdisc of %s", ifname);
  rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
  rtnl_tc_set_parent(TC_CAST(q), TC_H_ROOT);
  int rc = rtnl_qdisc_delete(sk, q);
  rtnl_qdisc_put(q);
  if (rc < 0)
    return netlink_fail(err, rc, "deleting the root qdisc of", ifname);
  return 0;
}

int netfault_netem_qdisc(int ifindex, const struct netfault_netem *s, struct rtnl_qdisc **out)
{
  struct rtnl_qdisc *q = rtnl_qdisc_alloc();
  if (q == NULL)
    return -NLE_NOMEM;
  struct rtnl_tc *tc = TC_CAST(q);
  rtnl_tc_set_ifindex(tc, ifindex);
  rtnl_tc_set_parent(tc, TC_H_ROOT);
  rtnl_tc_set_handle(tc, NETFAULT_NETEM_HANDLE);
  int rc = rtnl_tc_set_kind(tc, "netem");
  if (rc < 0) {
    rtnl_qdisc_put(q);
    return rc;
  }
  /* libnl leaves limit 0 (a netem that drops everything) unless told. */
  rtnl_netem_set_limit(q, s->limit ? (int)s->limit : 1000);
  if (s->delay_us)
    rtnl_netem_set_delay(q, (int)s->delay_us);
  if (s->jitter_us)
    rtnl_netem_set_jitter(q, (int)s->jitter_us);
  if (s->loss_ppm)
    rtnl_netem_set_loss(q, (int)netstate_ppm_to_prob(s->loss_ppm));
  if (s->duplicate_ppm)
    rtnl_netem_set_duplicate(q, (int)netstate_ppm_to_prob(s->duplicate_ppm));
  if (s->corrupt_ppm)
    rtnl_netem_set_corruption_probability(q, (int)netstate_ppm_to_prob(s->corrupt_ppm));
  if (s->reorder_ppm)
    rtnl_netem_set_reorder_probability(q, (int)netstate_ppm_to_prob(s->reorder_ppm));
  *out = q;
  return 0;
}

int netfault_netem_request(int ifindex, const struct netfault_netem *spec, struct nl_msg **out)
{
  struct rtnl_qdisc *q = NULL;
  int rc = netfault_netem_qdisc(ifindex, spec, &q);
  if (rc < 0)
    return rc;
  struct nl_msg *msg = NULL;
  rc = rtnl_qdisc_build_add_request(q, NLM_F_CREATE | NLM_F_REPLACE, &msg);
  rtnl_qdisc_put(q);
  if (rc < 0)
    return rc;
  /* libnl 3.7's netem writer stretches TCA_OPTIONS over the attributes after
   * it (as sch_netem wants), then adds that stretch to nlmsg_len a second
   * time: the message ends in as many zero bytes (the kernel parses past
   * them, warning "bytes leftover after parsing attributes").  Cut them. */
  struct nlmsghdr *h = nlmsg_hdr(msg);
  struct nlattr *a;
  int rem;
  size_t end = NLMSG_ALIGN(h->nlmsg_len);
  nlmsg_for_each_attr(a, h, sizeof(struct tcmsg), rem)
  {
    if (nla_type(a) == TCA_OPTIONS)
      end = (size_t)((char *)a - (char *)h) + NLA_ALIGN(a->nla_len);
  }
  if (end < h->nlmsg_len)
    h->nlmsg_len = (uint32_t)end;
  *out = msg;
  return 0;
}

static int netem_add(struct nl_sock *sk, int ifindex, const char *ifname,
                     const struct netfault_netem *s, struct lab_error **err)
{
  struct nl_msg *msg = NULL;
  int rc = netfault_netem_request(ifindex, s, &msg);
  if (rc == 0)
    rc = nl_send_sync(sk, msg); /* frees msg */
  if (rc == -NLE_OBJ_NOTFOUND)  /* the kernel's "Specified qdisc kind is unknown" */
    return lab_error_set(err, EOPNOTSUPP, "adding netem to %s: this kernel has no netem qdisc",
                         ifname);
  if (rc < 0)
    return netlink_fail(err, rc, "adding netem to", ifname);
  return 0;
}

/* A tbf limiting the rate to rate_bits, at parent with handle. */
static int tbf_add(struct nl_sock *sk, int ifindex, const char *ifname, uint32_t parent,
                   uint32_t handle, uint64_t rate_bits, struct lab_error **err)
{
  uint64_t rate = rate_bits / 8;
  if (rate == 0 || rate > INT32_MAX)
    return lab_error_set(err, EINVAL, "rate %llu bit/s: out of range (8 bit/s to 17 Gbit/s)",
                         (unsigned long long)rate_bits);
  /* As tc's documentation advises: a bucket of at least rate/HZ, and one
   * full-size frame; 100 ms worth of queue behind it. */
  uint64_t burst = rate / 100 > 1600 ? rate / 100 : 1600;
  uint64_t limit = burst + rate / 10;
  if (limit > INT32_MAX)
    limit = INT32_MAX;
  struct rtnl_qdisc *q = rtnl_qdisc_alloc();
  if (q == NULL)
    return lab_error_set(err, ENOMEM, "tbf on %s", ifname);
  struct rtnl_tc *tc = TC_CAST(q);
  rtnl_tc_set_ifindex(tc, ifindex);
  rtnl_tc_set_parent(tc, parent);
  rtnl_tc_set_handle(tc, handle);
  int rc = rtnl_tc_set_kind(tc, "tbf");
  if (rc == 0) {
    rtnl_qdisc_tbf_set_rate(q, (int)rate, (int)burst, 0);
    rtnl_qdisc_tbf_set_limit(q, (int)limit);
    rc = rtnl_qdisc_add(sk, q, NLM_F_CREATE | (parent == TC_H_ROOT ? NLM_F_REPLACE : NLM_F_EXCL));
  }
  rtnl_qdisc_put(q);
  if (rc < 0)
    return netlink_fail(err, rc, "adding a tbf rate limit to", ifname);
  return 0;
}

int netfault_netem_set(int netns_fd, const char *ifname, const struct netfault_netem *spec,
                       struct netfault_undo *undo, struct lab_error **err)
{
  undo_begin(undo, ifname);
  if (!spec->delay_us && !spec->loss_ppm && !spec->duplicate_ppm && !spec->corrupt_ppm &&
      !spec->reorder_ppm && !spec->rate_bits)
    return lab_error_set(err, EINVAL, "netem on %s: nothing to emulate", ifname);
  if ((spec->jitter_us || spec->reorder_ppm) && !spec->delay_us)
    return lab_error_set(err, EINVAL, "netem on %s: jitter and reorder need a delay", ifname);
  cleanup_netstate struct netstate *st = NULL;
  int ifindex = capture_ifindex(netns_fd, NETSTATE_NEIGH_PERMANENT_ONLY, ifname, &st, err);
  if (ifindex < 0)
    return -1;
  const struct netstate_qdisc *root = root_qdisc(st, ifname);
  if (root == NULL)
    return lab_error_set(err, ENOENT, "netem on %s: the link has no root qdisc", ifname);
  if (root->handle != 0)
    return lab_error_set(err, EBUSY,
                         "netem on %s: its root qdisc is %s %x:, not the default: it could not be "
                         "restored exactly",
                         ifname, root->kind, root->handle >> 16);
  cleanup_netlink struct nl_sock *sk = NULL;
  if (netlink_open(netns_fd, &sk, err) < 0)
    return -1;
  if (!spec->delay_us && !spec->loss_ppm && !spec->duplicate_ppm && !spec->corrupt_ppm) {
    /* A rate limit alone: tbf as the root, no netem needed. */
    if (tbf_add(sk, ifindex, ifname, TC_H_ROOT, NETFAULT_NETEM_HANDLE, spec->rate_bits, err) < 0)
      return -1;
  } else if (netem_add(sk, ifindex, ifname, spec, err) < 0) {
    return -1;
  } else if (spec->rate_bits && tbf_add(sk, ifindex, ifname, NETFAULT_NETEM_HANDLE | 1,
                                        NETFAULT_TBF_HANDLE, spec->rate_bits, err) < 0) {
    qdisc_delete_root(sk, ifindex, ifname, NULL); /* back to the default */
    return -1;
  }
  undo->kind = NETFAULT_UNDO_QDISC;
  undo->qdisc = *root;
  return 0;
}

static int qdisc_restore(int netns_fd, const struct netfault_undo *undo, struct lab_error **err)
{
  cleanup_netstate struct netstate *st = NULL;
  int ifindex = capture_ifindex(netns_fd, NETSTATE_NEIGH_PERMANENT_ONLY, undo->ifname, &st, err);
  if (ifindex < 0)
    return -1;
  const struct netstate_qdisc *root = root_qdisc(st, undo->ifname);
  cleanup_netlink struct nl_sock *sk = NULL;
  if (root != NULL && root->handle != 0 &&
      (netlink_open(netns_fd, &sk, err) < 0 ||
       qdisc_delete_root(sk, ifindex, undo->ifname, err) < 0))
    return -1;
  /* The kernel attaches the default root qdisc again: check it is the one we replaced. */
  netstate_free(steal_pointer(&st));
  if (netstate_capture(netns_fd, NETSTATE_NEIGH_PERMANENT_ONLY, &st, err) < 0)
    return -1;
  root = root_qdisc(st, undo->ifname);
  cleanup_free char *want = NULL;
  cleanup_free char *got = NULL;
  if (netstate_format_qdisc(&undo->qdisc, &want, err) < 0 ||
      (root != NULL && netstate_format_qdisc(root, &got, err) < 0))
    return -1;
  if (got == NULL || strcmp(want, got) != 0)
    return lab_error_set(err, EIO, "restoring the root qdisc of %s: it is \"%s\", not \"%s\"",
                         undo->ifname, got ?: "none", want);
  return 0;
}

/* ---- routes ---- */

static int route_build(const struct netstate *st, const struct netstate_route *r,
                       struct rtnl_route **out, struct lab_error **err)
{
  struct rtnl_route *rt = rtnl_route_alloc();
  struct nl_addr *dst = in4_nl(r->dst, r->dst_len);
  if (rt == NULL || dst == NULL) {
    rtnl_route_put(rt);
    nl_addr_put(dst);
    return lab_error_set(err, ENOMEM, "building a route");
  }
  rtnl_route_set_family(rt, AF_INET);
  rtnl_route_set_table(rt, r->table);
  rtnl_route_set_type(rt, r->type);
  rtnl_route_set_protocol(rt, r->protocol);
  rtnl_route_set_scope(rt, r->scope);
  rtnl_route_set_tos(rt, r->tos);
  rtnl_route_set_priority(rt, r->priority);
  rtnl_route_set_dst(rt, dst);
  nl_addr_put(dst);
  if (r->has_prefsrc) {
    struct nl_addr *src = in4_nl(r->prefsrc, 32);
    rtnl_route_set_pref_src(rt, src);
    nl_addr_put(src);
  }
  for (int m = 1; m <= NETSTATE_METRIC_MAX; m++)
    if (r->metrics[m] != 0)
      rtnl_route_set_metric(rt, m, r->metrics[m]);
  for (size_t i = 0; i < r->n_nexthops; i++) {
    const struct netstate_nexthop *h = &r->nexthops[i];
    struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
    if (nh == NULL) {
      rtnl_route_put(rt);
      return lab_error_set(err, ENOMEM, "building a route");
    }
    if (h->ifname[0] != '\0') {
      int ifindex = ifindex_of(st, h->ifname, err);
      if (ifindex < 0) {
        rtnl_route_nh_free(nh);
        rtnl_route_put(rt);
        return -1;
      }
      rtnl_route_nh_set_ifindex(nh, ifindex);
    }
    if (h->has_gateway) {
      struct nl_addr *gw = in4_nl(h->gateway, 32);
      rtnl_route_nh_set_gateway(nh, gw);
      nl_addr_put(gw);
    }
    /* Only onlink is ours to set: dead, linkdown... are the kernel's. */
    if (h->flags & RTNH_F_ONLINK) {
      rtnl_route_nh_set_flags(nh, RTNH_F_ONLINK);
      if (r->n_nexthops == 1)
        rtnl_route_set_flags(rt, RTNH_F_ONLINK);
    }
    if (r->n_nexthops > 1)
      rtnl_route_nh_set_weight(nh, h->weight);
    rtnl_route_add_nexthop(rt, nh);
  }
  *out = rt;
  return 0;
}

static int route_same_key(const struct netstate_route *a, const struct netstate_route *b)
{
  return a->table == b->table && a->dst.s_addr == b->dst.s_addr && a->dst_len == b->dst_len &&
         a->tos == b->tos && a->priority == b->priority;
}

static int route_find(const struct netstate *st, const struct netstate_route *key)
{
  for (size_t i = 0; i < st->n_routes; i++)
    if (route_same_key(&st->routes[i], key))
      return 1;
  return 0;
}

/* Adds (add) or deletes r, resolving interface names in st, through sk. */
static int route_change_in(struct nl_sock *sk, const struct netstate *st,
                           const struct netstate_route *r, int add, struct lab_error **err)
{
  struct rtnl_route *rt = NULL;
  if (route_build(st, r, &rt, err) < 0)
    return -1;
  int rc = add ? rtnl_route_add(sk, rt, NLM_F_CREATE | NLM_F_EXCL) : rtnl_route_delete(sk, rt, 0);
  rtnl_route_put(rt);
  if (rc < 0) {
    cleanup_free char *line = NULL;
    netstate_format_route(r, &line, NULL);
    return netlink_fail(err, rc, add ? "adding" : "deleting", line ?: "a route");
  }
  return 0;
}

static int route_add_in(struct nl_sock *sk, const struct netstate *st,
                        const struct netstate_route *r, struct lab_error **err)
{
  return route_change_in(sk, st, r, 1, err);
}

static int route_delete_in(struct nl_sock *sk, const struct netstate *st,
                           const struct netstate_route *r, struct lab_error **err)
{
  return route_change_in(sk, st, r, 0, err);
}

int netfault_route_delete(int netns_fd, uint32_t table, struct in_addr dst, uint8_t dst_len,
                          struct netstate_route *removed, struct netfault_undo *undo,
                          struct lab_error **err)
{
  undo_begin(undo, NULL);
  if (table == 0)
    table = RT_TABLE_MAIN;
  cleanup_netstate struct netstate *st = NULL;
  if (netstate_capture(netns_fd, NETSTATE_NEIGH_PERMANENT_ONLY, &st, err) < 0)
    return -1;
  const struct netstate_route *found = NULL;
  for (size_t i = 0; i < st->n_routes; i++) {
    const struct netstate_route *r = &st->routes[i];
    if (r->table == table && r->dst.s_addr == dst.s_addr && r->dst_len == dst_len &&
        (found == NULL || r->priority < found->priority))
      found = r;
  }
  if (found == NULL) {
    char buf[INET_ADDRSTRLEN];
    return lab_error_set(err, ESRCH, "no route to %s/%u in table %u", in4_str(dst, buf), dst_len,
                         table);
  }
  cleanup_netlink struct nl_sock *sk = NULL;
  if (netlink_open(netns_fd, &sk, err) < 0 || route_delete_in(sk, st, found, err) < 0)
    return -1;
  if (removed != NULL)
    *removed = *found;
  undo->kind = NETFAULT_UNDO_ROUTE_ADD;
  undo->route = *found;
  return 0;
}

int netfault_route_add(int netns_fd, const struct netstate_route *r, struct netfault_undo *undo,
                       struct lab_error **err)
{
  cleanup_netstate struct netstate *st = undo_begin_capture(netns_fd, undo, NULL, err);
  if (st == NULL)
    return -1;
  if (route_find(st, r)) {
    cleanup_free char *line = NULL;
    netstate_format_route(r, &line, NULL);
    return lab_error_set(err, EEXIST, "adding %s: a route with its key is there",
                         line ?: "a route");
  }
  cleanup_netlink struct nl_sock *sk = NULL;
  if (netlink_open(netns_fd, &sk, err) < 0 || route_add_in(sk, st, r, err) < 0)
    return -1;
  undo->kind = NETFAULT_UNDO_ROUTE_DEL;
  undo->route = *r;
  return 0;
}

/* ---- neighbours ---- */

static const struct netstate_neigh *neigh_find(const struct netstate *st, const char *ifname,
                                               struct in_addr ip)
{
  for (size_t i = 0; i < st->n_neighs; i++)
    if (st->neighs[i].dst.s_addr == ip.s_addr && strcmp(st->neighs[i].ifname, ifname) == 0)
      return &st->neighs[i];
  return NULL;
}

static int neigh_put(struct nl_sock *sk, int ifindex, const char *ifname, struct in_addr ip,
                     const uint8_t *lladdr, size_t lladdr_len, int state, int del,
                     struct lab_error **err)
{
  struct rtnl_neigh *n = rtnl_neigh_alloc();
  struct nl_addr *dst = in4_nl(ip, 32);
  int rc = -NLE_NOMEM;
  if (n != NULL && dst != NULL) {
    rtnl_neigh_set_family(n, AF_INET);
    rtnl_neigh_set_ifindex(n, ifindex);
    rc = rtnl_neigh_set_dst(n, dst);
    if (rc == 0 && !del) {
      if (lladdr_len > 0) {
        struct nl_addr *ll = nl_addr_build(AF_LLC, lladdr, lladdr_len);
        rtnl_neigh_set_lladdr(n, ll);
        nl_addr_put(ll);
      }
      rtnl_neigh_set_state(n, state);
      rc = rtnl_neigh_add(sk, n, NLM_F_CREATE | NLM_F_REPLACE);
    } else if (rc == 0) {
      rc = rtnl_neigh_delete(sk, n, 0);
    }
  }
  nl_addr_put(dst);
  rtnl_neigh_put(n);
  if (rc < 0) {
    char buf[INET_ADDRSTRLEN];
    char what[64];
    snprintf(what, sizeof what, "%s neighbour %s on", del ? "deleting" : "setting",
             in4_str(ip, buf));
    return netlink_fail(err, rc, what, ifname);
  }
  return 0;
}

/* What both neighbour primitives start with: undo_begin(), a capture of the
 * namespace (*st, the caller's), ifname's index (returned, or -1 and *err),
 * and the entry for ip on it before the change (*prev, NULL when none). */
static int neigh_begin(int netns_fd, struct netfault_undo *undo, const char *ifname,
                       struct in_addr ip, struct netstate **st, const struct netstate_neigh **prev,
                       struct lab_error **err)
{
  undo_begin(undo, ifname);
  int ifindex = capture_ifindex(netns_fd, 0, ifname, st, err);
  if (ifindex >= 0)
    *prev = neigh_find(*st, ifname, ip);
  return ifindex;
}

int netfault_neigh_replace(int netns_fd, const char *ifname, struct in_addr ip,
                           const uint8_t mac[6], struct netfault_undo *undo, struct lab_error **err)
{
  cleanup_netstate struct netstate *st = NULL;
  const struct netstate_neigh *prev = NULL;
  int ifindex = neigh_begin(netns_fd, undo, ifname, ip, &st, &prev, err);
  if (ifindex < 0)
    return -1;
  cleanup_netlink struct nl_sock *sk = NULL;
  if (netlink_open(netns_fd, &sk, err) < 0 ||
      neigh_put(sk, ifindex, ifname, ip, mac, 6, NUD_PERMANENT, 0, err) < 0)
    return -1;
  undo->kind = NETFAULT_UNDO_NEIGH;
  undo->neigh.dst = ip;
  snprintf(undo->neigh.ifname, sizeof undo->neigh.ifname, "%s", ifname);
  if (prev != NULL) {
    undo->neigh = *prev;
    undo->had_neigh = 1;
  }
  return 0;
}

int netfault_neigh_delete(int netns_fd, const char *ifname, struct in_addr ip,
                          struct netfault_undo *undo, struct lab_error **err)
{
  cleanup_netstate struct netstate *st = NULL;
  const struct netstate_neigh *prev = NULL;
  int ifindex = neigh_begin(netns_fd, undo, ifname, ip, &st, &prev, err);
  if (ifindex < 0)
    return -1;
  if (prev == NULL) {
    char buf[INET_ADDRSTRLEN];
    return lab_error_set(err, ESRCH, "no neighbour %s on %s", in4_str(ip, buf), ifname);
  }
  cleanup_netlink struct nl_sock *sk = NULL;
  if (netlink_open(netns_fd, &sk, err) < 0 ||
      neigh_put(sk, ifindex, ifname, ip, NULL, 0, 0, 1, err) < 0)
    return -1;
  undo->kind = NETFAULT_UNDO_NEIGH;
  undo->neigh = *prev;
  undo->had_neigh = 1;
  return 0;
}

static int neigh_restore(int netns_fd, const struct netfault_undo *undo, struct lab_error **err)
{
  cleanup_netstate struct netstate *st = NULL;
  int ifindex = capture_ifindex(netns_fd, 0, undo->neigh.ifname, &st, err);
  if (ifindex < 0)
    return -1;
  const struct netstate_neigh *n = &undo->neigh;
  cleanup_netlink struct nl_sock *sk = NULL;
  if (netlink_open(netns_fd, &sk, err) < 0)
    return -1;
  if (undo->had_neigh && (n->state & (NUD_PERMANENT | NUD_NOARP)))
    return neigh_put(sk, ifindex, n->ifname, n->dst, n->lladdr, n->lladdr_len, n->state, 0, err);
  if (undo->had_neigh && n->lladdr_len > 0)
    return neigh_put(sk, ifindex, n->ifname, n->dst, n->lladdr, n->lladdr_len, NUD_STALE, 0, err);
  if (neigh_find(st, n->ifname, n->dst) == NULL)
    return 0;
  return neigh_put(sk, ifindex, n->ifname, n->dst, NULL, 0, 0, 1, err);
}

/* ---- addresses ---- */

static const struct netstate_addr *addr_find(const struct netstate *st, const char *ifname,
                                             struct in_addr ip, uint8_t prefix)
{
  for (size_t i = 0; i < st->n_addrs; i++) {
    const struct netstate_addr *a = &st->addrs[i];
    if (a->local.s_addr == ip.s_addr && a->prefix == prefix && strcmp(a->ifname, ifname) == 0)
      return a;
  }
  return NULL;
}

/* Adds a as netstate_capture() read it (label, broadcast, peer, scope). */
static int addr_add_in(struct nl_sock *sk, const struct netstate *st, const struct netstate_addr *a,
                       struct lab_error **err)
{
  int ifindex = ifindex_of(st, a->ifname, err);
  if (ifindex < 0)
    return -1;
  struct rtnl_addr *ra = rtnl_addr_alloc();
  struct nl_addr *local = in4_nl(a->local, a->prefix);
  int rc = -NLE_NOMEM;
  if (ra != NULL && local != NULL) {
    rtnl_addr_set_family(ra, AF_INET);
    rtnl_addr_set_ifindex(ra, ifindex);
    rc = rtnl_addr_set_local(ra, local);
    if (rc == 0 && a->peer.s_addr != a->local.s_addr) {
      struct nl_addr *peer = in4_nl(a->peer, a->prefix);
      rc = rtnl_addr_set_peer(ra, peer);
      nl_addr_put(peer);
    }
    if (rc == 0 && a->has_broadcast) {
      struct nl_addr *brd = in4_nl(a->broadcast, 32);
      rc = rtnl_addr_set_broadcast(ra, brd);
      nl_addr_put(brd);
    }
    if (rc == 0 && a->label[0] != '\0')
      rc = rtnl_addr_set_label(ra, a->label);
    if (rc == 0) {
      rtnl_addr_set_scope(ra, a->scope);
      /* The flags a user sets; secondary, permanent, tentative are the kernel's. */
      rtnl_addr_set_flags(ra, a->flags & (IFA_F_NODAD | IFA_F_NOPREFIXROUTE | IFA_F_HOMEADDRESS));
      rc = rtnl_addr_add(sk, ra, 0);
    }
  }
  nl_addr_put(local);
  rtnl_addr_put(ra);
  if (rc < 0)
    return netlink_fail(err, rc, "adding an address to", a->ifname);
  return 0;
}

int netfault_addr_add(int netns_fd, const char *ifname, struct in_addr ip, uint8_t prefix,
                      struct netfault_undo *undo, struct lab_error **err)
{
  cleanup_netstate struct netstate *st = undo_begin_capture(netns_fd, undo, ifname, err);
  if (st == NULL)
    return -1;
  char buf[INET_ADDRSTRLEN];
  if (addr_find(st, ifname, ip, prefix) != NULL)
    return lab_error_set(err, EEXIST, "%s has %s/%u already", ifname, in4_str(ip, buf), prefix);
  struct netstate_addr a = {.local = ip, .peer = ip, .prefix = prefix};
  snprintf(a.ifname, sizeof a.ifname, "%s", ifname);
  snprintf(a.label, sizeof a.label, "%s", ifname);
  cleanup_netlink struct nl_sock *sk = NULL;
  if (netlink_open(netns_fd, &sk, err) < 0 || addr_add_in(sk, st, &a, err) < 0)
    return -1;
  undo->kind = NETFAULT_UNDO_ADDR_DEL;
  undo->addr = a;
  return 0;
}

static int addr_delete_in(int netns_fd, const struct netstate_addr *a, struct lab_error **err)
{
  cleanup_netlink struct nl_sock *sk = NULL;
  if (netlink_open(netns_fd, &sk, err) < 0)
    return -1;
  return netlink_addr_delete(sk, a->ifname, ntohl(a->local.s_addr), a->prefix, err);
}

int netfault_addr_delete(int netns_fd, const char *ifname, struct in_addr ip, uint8_t prefix,
                         struct netfault_undo *undo, struct lab_error **err)
{
  cleanup_netstate struct netstate *st = undo_begin_capture(netns_fd, undo, ifname, err);
  if (st == NULL)
    return -1;
  const struct netstate_addr *a = addr_find(st, ifname, ip, prefix);
  if (a == NULL) {
    char buf[INET_ADDRSTRLEN];
    return lab_error_set(err, ESRCH, "%s has no address %s/%u", ifname, in4_str(ip, buf), prefix);
  }
  if (addr_delete_in(netns_fd, a, err) < 0)
    return -1;
  undo->kind = NETFAULT_UNDO_RECONCILE;
  undo->saved = steal_pointer(&st);
  return 0;
}

/* ---- reconcile and repair ---- */

static int cmp_route_scope(const void *a, const void *b)
{
  const struct netstate_route *x = *(const struct netstate_route *const *)a;
  const struct netstate_route *y = *(const struct netstate_route *const *)b;
  return (int)y->scope - (int)x->scope; /* host (254), link (253) before global (0) */
}

int netfault_reconcile(int netns_fd, const struct netstate *saved, struct lab_error **err)
{
  cleanup_netstate struct netstate *now = NULL;
  if (netstate_capture(netns_fd, NETSTATE_NEIGH_PERMANENT_ONLY, &now, err) < 0)
    return -1;
  cleanup_netlink struct nl_sock *sk = NULL;
  if (netlink_open(netns_fd, &sk, err) < 0)
    return -1;
  for (int secondary = 0; secondary <= 1; secondary++) {
    for (size_t i = 0; i < saved->n_addrs; i++) {
      const struct netstate_addr *a = &saved->addrs[i];
      if (((a->flags & IFA_F_SECONDARY) != 0) != secondary ||
          addr_find(now, a->ifname, a->local, a->prefix) != NULL)
        continue;
      if (addr_add_in(sk, now, a, err) < 0)
        return lab_error_wrap(err, "reconciling");
    }
  }
  /* The kernel adds prefix and local routes with the addresses: look again. */
  netstate_free(steal_pointer(&now));
  if (netstate_capture(netns_fd, NETSTATE_NEIGH_PERMANENT_ONLY, &now, err) < 0)
    return -1;
  cleanup_free const struct netstate_route **todo = calloc(saved->n_routes + 1, sizeof *todo);
  if (todo == NULL)
    return lab_error_set(err, ENOMEM, "reconciling");
  size_t n = 0;
  for (size_t i = 0; i < saved->n_routes; i++)
    if (!route_find(now, &saved->routes[i]))
      todo[n++] = &saved->routes[i];
  qsort(todo, n, sizeof *todo, cmp_route_scope);
  for (size_t i = 0; i < n; i++)
    if (route_add_in(sk, now, todo[i], err) < 0)
      return lab_error_wrap(err, "reconciling");
  for (size_t i = 0; i < saved->n_neighs; i++) {
    const struct netstate_neigh *nb = &saved->neighs[i];
    if (!(nb->state & NUD_PERMANENT) || neigh_find(now, nb->ifname, nb->dst) != NULL)
      continue;
    int ifindex = ifindex_of(now, nb->ifname, err);
    if (ifindex < 0 || neigh_put(sk, ifindex, nb->ifname, nb->dst, nb->lladdr, nb->lladdr_len,
                                 nb->state, 0, err) < 0)
      return lab_error_wrap(err, "reconciling");
  }
  return 0;
}

int netfault_repair(int netns_fd, struct netfault_undo *undo, struct lab_error **err)
{
  cleanup_netlink struct nl_sock *sk = NULL;
  cleanup_netstate struct netstate *st = NULL;
  int rc = 0;
  switch (undo->kind) {
  case NETFAULT_UNDO_NONE:
    return 0;
  case NETFAULT_UNDO_MTU:
    rc = netlink_open(netns_fd, &sk, err) < 0
             ? -1
             : netlink_link_set_mtu(sk, undo->ifname, undo->value, err);
    break;
  case NETFAULT_UNDO_LINK_STATE:
    rc = netlink_open(netns_fd, &sk, err) < 0
             ? -1
             : netlink_link_set_up(sk, undo->ifname, undo->value, err);
    if (rc == 0 && undo->value && undo->saved != NULL)
      rc = netfault_reconcile(netns_fd, undo->saved, err);
    break;
  case NETFAULT_UNDO_TX_CSUM:
    rc = ethtool_set_tx_csum(netns_fd, undo->ifname, undo->value, err);
    break;
  case NETFAULT_UNDO_QDISC:
    rc = qdisc_restore(netns_fd, undo, err);
    break;
  case NETFAULT_UNDO_ROUTE_ADD:
  case NETFAULT_UNDO_ROUTE_DEL:
    rc = netstate_capture(netns_fd, NETSTATE_NEIGH_PERMANENT_ONLY, &st, err);
    /* Idempotent: a learner may have put it back (or taken it away) by hand. */
    if (rc == 0 && route_find(st, &undo->route) == (undo->kind == NETFAULT_UNDO_ROUTE_ADD))
      break;
    if (rc == 0)
      rc = netlink_open(netns_fd, &sk, err);
    if (rc == 0)
      rc = undo->kind == NETFAULT_UNDO_ROUTE_ADD ? route_add_in(sk, st, &undo->route, err)
                                                 : route_delete_in(sk, st, &undo->route, err);
    break;
  case NETFAULT_UNDO_NEIGH:
    rc = neigh_restore(netns_fd, undo, err);
    break;
  case NETFAULT_UNDO_ADDR_DEL:
    rc = netstate_capture(netns_fd, NETSTATE_NEIGH_PERMANENT_ONLY, &st, err);
    if (rc == 0 && addr_find(st, undo->addr.ifname, undo->addr.local, undo->addr.prefix) != NULL)
      rc = addr_delete_in(netns_fd, &undo->addr, err);
    break;
  case NETFAULT_UNDO_RECONCILE:
    rc = undo->saved != NULL ? netfault_reconcile(netns_fd, undo->saved, err) : 0;
    break;
  }
  if (rc < 0)
    return lab_error_wrap(err, "repairing %s", undo->ifname[0] ? undo->ifname : "the namespace");
  netfault_undo_clear(undo);
  return 0;
}
