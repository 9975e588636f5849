/* The network kinds done through netfault.h in a namespace: link-mtu,
 * link-down, tx-checksum-on, underlay-down, pod-route-delete; and the table
 * of every kind's implementation (the others are NULL: not implemented). */
#include "fault-internal.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>

#include <linux/pkt_sched.h>
#include <string.h>

#include "cleanup.h"
#include "ipv4.h"
#include "sdn-layout.h"

#define DEFAULT_LINK "eth0"
#define DEFAULT_MTU "1300"
#define POD_LINK "eth0"

/* The pod where a fault bites by default: among the running pods with an
 * address, the view's pick-th (pick 0: the first; in the default lab, web on
 * node1, which the others talk to). */
static const struct fault_view_pod *default_pod(const struct fault_view *v)
{
  size_t n = 0;
  for (size_t i = 0; i < v->n_pods; i++)
    n += v->pods[i].infra_pid > 0 && v->pods[i].ip != NULL;
  size_t want = n > 0 ? v->pick % n : 0;
  for (size_t i = 0; i < v->n_pods; i++)
    if (v->pods[i].infra_pid > 0 && v->pods[i].ip != NULL && want-- == 0)
      return &v->pods[i];
  return NULL;
}

/* The node of the pick-th running pod not on node (pick 0: the first), or NULL. */
static const char *remote_pod_node(const struct fault_view *v, const char *node)
{
  size_t n = 0;
  for (size_t i = 0; i < v->n_pods; i++)
    n += v->pods[i].infra_pid > 0 && strcmp(v->pods[i].node, node) != 0;
  /* Another slice of pick than default_pod's, so that node and remote vary apart. */
  size_t want = n > 0 ? (v->pick / 7) % n : 0;
  for (size_t i = 0; i < v->n_pods; i++)
    if (v->pods[i].infra_pid > 0 && strcmp(v->pods[i].node, node) != 0 && want-- == 0)
      return v->pods[i].node;
  return NULL;
}

/* Fills parameter key ("node", "remote") when absent and finds its node:
 * "node" defaults to the default pod's node; "remote" to the node of another
 * running pod (else any other node), so that traffic between pods crosses
 * between the two. */
int fault_resolve_node(struct fault *f, const struct fault_view *v, const char *key,
                       const struct fault_view_node **out, struct lab_error **err)
{
  const struct fault_view_pod *pod = default_pod(v);
  const char *dflt = pod ? pod->node : (v->n_nodes > 0 ? v->nodes[0].name : NULL);
  if (strcmp(key, "remote") == 0) {
    const char *node = fault_param(f, "node");
    dflt = node != NULL ? remote_pod_node(v, node) : NULL;
    for (size_t i = 0; dflt == NULL && i < v->n_nodes; i++)
      if (node != NULL && strcmp(v->nodes[i].name, node) != 0)
        dflt = v->nodes[i].name;
  }
  if (dflt != NULL && fault_default_param(f, key, dflt, err) < 0)
    return -1;
  const char *name = fault_param(f, key);
  if (name == NULL)
    return fault_refuse(err, ENOENT, "kind %s: the lab has no node to break", f->spec->name);
  *out = fault_view_node(v, name);
  if (*out == NULL)
    return fault_refuse(err, ENOENT, "kind %s: no node named %s in the lab", f->spec->name, name);
  if ((*out)->pid <= 0)
    return fault_refuse(err, ESRCH, "kind %s: node %s is not running", f->spec->name, name);
  return 0;
}

int fault_resolve_pod(struct fault *f, const struct fault_view *v,
                      const struct fault_view_pod **out, struct lab_error **err)
{
  const struct fault_view_pod *dflt = default_pod(v);
  if (dflt != NULL && fault_default_param(f, "pod", dflt->name, err) < 0)
    return -1;
  const char *name = fault_param(f, "pod");
  if (name == NULL)
    return fault_refuse(err, ENOENT, "kind %s: the lab has no running pod", f->spec->name);
  *out = fault_view_pod(v, name);
  if (*out == NULL)
    return fault_refuse(err, ENOENT, "kind %s: no pod named %s in the lab", f->spec->name, name);
  if ((*out)->infra_pid <= 0)
    return fault_refuse(err, ESRCH, "kind %s: pod %s is not running", f->spec->name, name);
  return 0;
}

void fault_set_target(struct fault *f, pid_t pid, const char *ifname, const char *fmt, ...)
{
  f->pid = pid;
  snprintf(f->ifname, sizeof f->ifname, "%s", ifname);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(f->target, sizeof f->target, fmt, ap);
  va_end(ap);
}

/* *present from what pred says of f's link (false when the link is gone). */
static int link_present(struct fault *f, const struct fault_backend *be, bool *present,
                        bool (*pred)(const struct fault *f, const struct netstate_link *l),
                        struct lab_error **err)
{
  cleanup_netstate struct netstate *st = NULL;
  const struct netstate_link *l;
  if (fault_capture_link(be, f->pid, f->ifname, &st, &l, err) < 0)
    return -1;
  *present = l != NULL && pred(f, l);
  return 0;
}

/* Sets "node" (resolved into *node) and "link" to their defaults. */
static int resolve_node_link(struct fault *f, const struct fault_view *v,
                             const struct fault_view_node **node, struct lab_error **err)
{
  if (fault_resolve_node(f, v, "node", node, err) < 0)
    return -1;
  return fault_default_param(f, "link", DEFAULT_LINK, err);
}

/* ---- link-mtu {node, link, mtu} ---- */

static int link_mtu_resolve(struct fault *f, const struct fault_view *v, struct lab_error **err)
{
  const struct fault_view_node *node;
  if (resolve_node_link(f, v, &node, err) < 0 ||
      fault_default_param(f, "mtu", DEFAULT_MTU, err) < 0)
    return -1;
  fault_set_target(f, node->pid, fault_param(f, "link"), "%s %s (mtu %s)", node->name,
                   fault_param(f, "link"), fault_param(f, "mtu"));
  return 0;
}

static int link_mtu_inject(struct fault *f, const struct fault_backend *be, struct lab_error **err)
{
  return FAULT_ACT(f, be, link_set_mtu, f->ifname, (int)fault_value(f, "mtu")->integer);
}

static bool mtu_changed(const struct fault *f, const struct netstate_link *l)
{
  return (int)l->mtu != f->undo[0].nf.value;
}

/* Present while the link's MTU differs from the one before inject. */
static int link_mtu_present(struct fault *f, const struct fault_backend *be, bool *present,
                            struct lab_error **err)
{
  return link_present(f, be, present, mtu_changed, err);
}

/* ---- link-down {node, link}, underlay-down {node} ---- */

static int link_down_resolve(struct fault *f, const struct fault_view *v, struct lab_error **err)
{
  const struct fault_view_node *node;
  if (resolve_node_link(f, v, &node, err) < 0)
    return -1;
  fault_set_target(f, node->pid, fault_param(f, "link"), "%s %s", node->name,
                   fault_param(f, "link"));
  return 0;
}

static int link_down_inject(struct fault *f, const struct fault_backend *be, struct lab_error **err)
{
  return FAULT_ACT(f, be, link_set_up, f->ifname, 0);
}

static bool link_is_down(const struct fault *f, const struct netstate_link *l)
{
  (void)f;
  return !(l->flags & IFF_UP);
}

/* Present while the link is administratively down. */
static int link_down_present(struct fault *f, const struct fault_backend *be, bool *present,
                             struct lab_error **err)
{
  return link_present(f, be, present, link_is_down, err);
}

static int underlay_down_resolve(struct fault *f, const struct fault_view *v,
                                 struct lab_error **err)
{
  const struct fault_view_node *node;
  if (fault_resolve_node(f, v, "node", &node, err) < 0)
    return -1;
  if (v->fabric_pid <= 0 || node->fabric_ifname == NULL || node->fabric_ifname[0] == '\0')
    return fault_refuse(err, ESRCH, "kind underlay-down: the fabric is not running");
  fault_set_target(f, v->fabric_pid, node->fabric_ifname, "fabric %s (the port of %s)",
                   node->fabric_ifname, node->name);
  return 0;
}

/* ---- tx-checksum-on {node, pod} ---- */

static int tx_csum_resolve(struct fault *f, const struct fault_view *v, struct lab_error **err)
{
  const struct fault_view_pod *pod;
  if (fault_resolve_pod(f, v, &pod, err) < 0 || fault_default_param(f, "node", pod->node, err) < 0)
    return -1;
  if (strcmp(fault_param(f, "node"), pod->node) != 0)
    return fault_refuse(err, EINVAL, "kind tx-checksum-on: pod %s is on %s, not on %s", pod->name,
                        pod->node, fault_param(f, "node"));
  fault_set_target(f, pod->infra_pid, POD_LINK, "%s/%s %s", pod->node, pod->name, POD_LINK);
  return 0;
}

static int tx_csum_inject(struct fault *f, const struct fault_backend *be, struct lab_error **err)
{
  return FAULT_ACT(f, be, tx_csum_set, f->ifname, 1);
}

static bool tx_csum_changed(const struct fault *f, const struct netstate_link *l)
{
  return l->tx_csum >= 0 && l->tx_csum != f->undo[0].nf.value;
}

/* Present while tx checksum offload differs from what it was (off). */
static int tx_csum_present(struct fault *f, const struct fault_backend *be, bool *present,
                           struct lab_error **err)
{
  return link_present(f, be, present, tx_csum_changed, err);
}

/* ---- pod-route-delete {pod} ---- */

static int pod_route_resolve(struct fault *f, const struct fault_view *v, struct lab_error **err)
{
  const struct fault_view_pod *pod;
  if (fault_resolve_pod(f, v, &pod, err) < 0)
    return -1;
  fault_set_target(f, pod->infra_pid, POD_LINK, "%s/%s default route", pod->node, pod->name);
  return 0;
}

static int pod_route_inject(struct fault *f, const struct fault_backend *be, struct lab_error **err)
{
  struct in_addr any = {0};
  return FAULT_ACT(f, be, route_delete, 254 /* main */, any, 0);
}

/* Present while the pod's main table has no default route. */
static int pod_route_present(struct fault *f, const struct fault_backend *be, bool *present,
                             struct lab_error **err)
{
  cleanup_netstate struct netstate *st = NULL;
  if (fault_capture(be, f->pid, &st, err) < 0)
    return -1;
  *present = true;
  for (size_t i = 0; i < st->n_routes; i++)
    if (st->routes[i].table == 254 && st->routes[i].dst_len == 0)
      *present = false;
  return 0;
}

/* ---- duplicate-ip {pod, as} ---- */

static int dup_ip_resolve(struct fault *f, const struct fault_view *v, struct lab_error **err)
{
  const struct fault_view_pod *pod;
  if (fault_resolve_pod(f, v, &pod, err) < 0)
    return -1;
  const struct fault_view_pod *as = NULL;
  for (size_t i = 0; i < v->n_pods && fault_param(f, "as") == NULL; i++)
    if (&v->pods[i] != pod && v->pods[i].ip != NULL &&
        fault_default_param(f, "as", v->pods[i].name, err) < 0)
      return -1;
  as = fault_view_pod(v, fault_param(f, "as"));
  if (as == NULL)
    return fault_refuse(err, ENOENT, "kind duplicate-ip: no pod named %s in the lab",
                        fault_param(f, "as") ?: "(none)");
  if (as == pod)
    return fault_refuse(err, EINVAL, "kind duplicate-ip: as must be another pod than %s",
                        pod->name);
  if (as->ip == NULL || inet_pton(AF_INET, as->ip, &f->addr) != 1)
    return fault_refuse(err, ESRCH, "kind duplicate-ip: pod %s has no address", as->name);
  fault_set_target(f, pod->infra_pid, POD_LINK, "%s/%s %s += %s/32 (the address of %s)", pod->node,
                   pod->name, POD_LINK, as->ip, as->name);
  return 0;
}

static int dup_ip_inject(struct fault *f, const struct fault_backend *be, struct lab_error **err)
{
  return FAULT_ACT(f, be, addr_add, f->ifname, f->addr, 32);
}

/* Present while the pod's link still has the other pod's address. */
static int dup_ip_present(struct fault *f, const struct fault_backend *be, bool *present,
                          struct lab_error **err)
{
  cleanup_netstate struct netstate *st = NULL;
  if (fault_capture(be, f->pid, &st, err) < 0)
    return -1;
  *present = false;
  for (size_t i = 0; i < st->n_addrs; i++)
    if (strcmp(st->addrs[i].ifname, f->ifname) == 0 && st->addrs[i].local.s_addr == f->addr.s_addr)
      *present = true;
  return 0;
}

const struct fault_kind_ops fault_ops_duplicate_ip = {
    .resolve = dup_ip_resolve,
    .inject = dup_ip_inject,
    .present = dup_ip_present,
    .symptom = "The other pod gets no answer from this one any more; ping between them fails.",
    .hints = {"Look at every pod's addresses: ip addr",
              "An address that two pods hold: the replies go to the wrong one (or never leave).",
              "ip addr del ADDRESS/32 dev eth0 in the pod that should not have it."},
};

/* ---- partition {node, remote} ---- */

#define UNDERLAY_LINK SDN_UNDERLAY_BRIDGE /* holds a node's underlay address */
#define PARTITION_GW_HOST 254             /* the dead next hop: .254 of the underlay */

/* The address of a node's underlay CIDR, and .254 of its network. */
static int underlay_addrs(const struct fault_view_node *n, struct in_addr *ip, struct in_addr *gw)
{
  uint32_t a;
  if (ipv4_parse(n->underlay, &a, NULL) < 0)
    return -1;
  ip->s_addr = htonl(a);
  gw->s_addr = htonl((a & ~0xffu) | PARTITION_GW_HOST);
  return 0;
}

static int partition_resolve(struct fault *f, const struct fault_view *v, struct lab_error **err)
{
  const struct fault_view_node *node, *remote;
  if (fault_resolve_node(f, v, "node", &node, err) < 0 ||
      fault_resolve_node(f, v, "remote", &remote, err) < 0)
    return -1;
  if (node == remote)
    return fault_refuse(err, EINVAL, "kind partition: remote must be another node than %s",
                        node->name);
  struct in_addr ip[2], gw[2];
  if (underlay_addrs(node, &ip[0], &gw[0]) < 0 || underlay_addrs(remote, &ip[1], &gw[1]) < 0)
    return fault_refuse(err, ENOENT, "kind partition: no underlay address for %s or %s", node->name,
                        remote->name);
  /* Each side routes the other's address to a next hop nobody answers. */
  f->side_pid[0] = node->pid;
  f->side_dst[0] = ip[1];
  f->side_gw[0] = gw[0];
  f->side_pid[1] = remote->pid;
  f->side_dst[1] = ip[0];
  f->side_gw[1] = gw[1];
  char gws[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &gw[0], gws, sizeof gws);
  fault_set_target(f, node->pid, UNDERLAY_LINK, "%s <-> %s (each routes the other via %s)",
                   node->name, remote->name, gws);
  return 0;
}

static void partition_route(const struct fault *f, int side, struct netstate_route *r)
{
  memset(r, 0, sizeof *r);
  r->table = 254;
  r->type = 1;     /* unicast */
  r->protocol = 4; /* static */
  r->scope = 0;    /* global */
  r->dst = f->side_dst[side];
  r->dst_len = 32;
  r->n_nexthops = 1;
  snprintf(r->nexthops[0].ifname, sizeof r->nexthops[0].ifname, "%s", UNDERLAY_LINK);
  r->nexthops[0].gateway = f->side_gw[side];
  r->nexthops[0].has_gateway = 1;
}

static int partition_inject(struct fault *f, const struct fault_backend *be, struct lab_error **err)
{
  for (int side = 0; side < 2; side++) {
    struct netstate_route r;
    partition_route(f, side, &r);
    f->pid = f->side_pid[side];
    if (FAULT_ACT(f, be, route_add, &r) < 0)
      return -1;
  }
  f->pid = f->side_pid[0];
  return 0;
}

/* Present while either side still has its /32 route to the other. */
static int partition_present(struct fault *f, const struct fault_backend *be, bool *present,
                             struct lab_error **err)
{
  *present = false;
  for (int side = 0; side < 2; side++) {
    cleanup_netstate struct netstate *st = NULL;
    if (fault_capture(be, f->side_pid[side], &st, err) < 0)
      return -1;
    for (size_t i = 0; i < st->n_routes; i++)
      if (st->routes[i].table == 254 && st->routes[i].dst_len == 32 &&
          st->routes[i].dst.s_addr == f->side_dst[side].s_addr)
        *present = true;
  }
  return 0;
}

const struct fault_kind_ops fault_ops_partition = {
    .resolve = partition_resolve,
    .inject = partition_inject,
    .present = partition_present,
    .symptom = "The two nodes (and their pods) no longer reach each other; each still reaches "
               "the other nodes.",
    .hints = {"From each node, ping the other's underlay address; then a third node.",
              "ip route get THE_OTHER_NODE: which next hop does the node use?",
              "ip route del THE_OTHER_NODE/32 on both nodes."},
};

/* ---- netem {node, link, delay, jitter, loss, duplicate, corrupt, reorder, rate} ---- */

#define NETEM_DEFAULT_RATE                                                                         \
  "256kbit" /* alone: a tbf, which every kernel has; the default                                   \
             * lab's steady checks need ~1 Mbit/s */

static int netem_resolve(struct fault *f, const struct fault_view *v, struct lab_error **err)
{
  const struct fault_view_node *node;
  if (resolve_node_link(f, v, &node, err) < 0)
    return -1;
  static const char *const effects[] = {"delay", "loss", "duplicate", "corrupt", "reorder", "rate"};
  bool any = false;
  for (size_t i = 0; i < sizeof effects / sizeof effects[0]; i++)
    any = any || fault_param(f, effects[i]) != NULL;
  if (!any && fault_default_param(f, "rate", NETEM_DEFAULT_RATE, err) < 0)
    return -1;
  if ((fault_param(f, "jitter") || fault_param(f, "reorder")) && !fault_param(f, "delay"))
    return fault_refuse(err, EINVAL, "kind netem: jitter and reorder need a delay");
  char what[96] = "";
  size_t len = 0;
  for (size_t i = 0; i < f->n_params && len < sizeof what; i++) {
    const char *k = f->keys[i];
    if (f->values[i] != NULL && strcmp(k, "node") != 0 && strcmp(k, "link") != 0)
      len += (size_t)snprintf(what + len, sizeof what - len, " %s %s", k, f->values[i]);
  }
  fault_set_target(f, node->pid, fault_param(f, "link"), "%s %s (%s)", node->name,
                   fault_param(f, "link"), what + (what[0] == ' '));
  return 0;
}

static int netem_inject(struct fault *f, const struct fault_backend *be, struct lab_error **err)
{
  struct netfault_netem spec = {
      .delay_us = (uint32_t)fault_value(f, "delay")->duration_us,
      .jitter_us = (uint32_t)fault_value(f, "jitter")->duration_us,
      .loss_ppm = fault_value(f, "loss")->ppm,
      .duplicate_ppm = fault_value(f, "duplicate")->ppm,
      .corrupt_ppm = fault_value(f, "corrupt")->ppm,
      .reorder_ppm = fault_value(f, "reorder")->ppm,
      .rate_bits = fault_value(f, "rate")->bits_per_sec,
  };
  if (FAULT_ACT(f, be, netem_set, f->ifname, &spec) == 0)
    return 0;
  if ((*err)->errnum == EOPNOTSUPP) {
    lab_error_clear(err);
    return fault_refuse(err, ENOTSUP,
                        "kind netem: this kernel has no netem qdisc (module sch_netem, "
                        "CONFIG_NET_SCH_NETEM): delay, jitter, loss, duplicate, corrupt and "
                        "reorder cannot be injected here; rate alone works (a tbf)");
  }
  return -1;
}

/* Present while the link's root qdisc is still ours (handle 1:). */
static int netem_present(struct fault *f, const struct fault_backend *be, bool *present,
                         struct lab_error **err)
{
  cleanup_netstate struct netstate *st = NULL;
  if (fault_capture(be, f->pid, &st, err) < 0)
    return -1;
  *present = false;
  for (size_t i = 0; i < st->n_qdiscs; i++)
    if (strcmp(st->qdiscs[i].ifname, f->ifname) == 0 && st->qdiscs[i].parent == TC_H_ROOT &&
        st->qdiscs[i].handle == NETFAULT_NETEM_HANDLE)
      *present = true;
  return 0;
}

const struct fault_kind_ops fault_ops_netem = {
    .resolve = netem_resolve,
    .inject = netem_inject,
    .present = netem_present,
    .symptom = "Traffic through the node's link is slow (or delayed, or lossy).",
    .hints = {"Measure: ping, and a large transfer with nc.",
              "Look at the queueing disciplines: tc qdisc show", "tc qdisc del dev LINK root"},
};

const struct fault_kind_ops fault_ops_link_mtu = {
    .resolve = link_mtu_resolve,
    .inject = link_mtu_inject,
    .present = link_mtu_present,
    .symptom = "Small pings still work, large packets (and large HTTP responses) "
               "vanish.",
    .hints = {"Compare `ip link` MTUs along the path, node by node.",
              "The userspace datapath neither fragments nor sends ICMP \"too "
              "big\": try ping -s 1400.",
              "ip link set dev LINK mtu 1500 (or the MTU the other nodes have)."},
};

const struct fault_kind_ops fault_ops_link_down = {
    .resolve = link_down_resolve,
    .inject = link_down_inject,
    .present = link_down_present,
    .symptom = "Nothing crosses the link any more.",
    .hints = {"Look at `ip link`: is every link UP?", "ip link set dev LINK up"},
};

const struct fault_kind_ops fault_ops_tx_checksum_on = {
    .resolve = tx_csum_resolve,
    .inject = tx_csum_inject,
    .present = tx_csum_present,
    .symptom = "Ping works, but TCP (HTTP) to or from the pod hangs.",
    .hints = {"Ping works and TCP does not: what differs for TCP?",
              "Look at the pod's offloads: ethtool -k eth0 | grep "
              "checksum",
              "ethtool -K eth0 tx off, inside the pod."},
};

const struct fault_kind_ops fault_ops_underlay_down = {
    .resolve = underlay_down_resolve,
    .inject = link_down_inject,
    .present = link_down_present,
    .symptom = "The node reaches no other node, though inside it everything "
               "looks fine.",
    .hints = {"From the node, ping the other nodes' underlay addresses.",
              "The node's eth0 is a veth: where is its other end, and is it "
              "up?",
              "The fabric's side of the link is down: bring it up there."},
};

const struct fault_kind_ops fault_ops_pod_route_delete = {
    .resolve = pod_route_resolve,
    .inject = pod_route_inject,
    .present = pod_route_present,
    .symptom = "The pod reaches its own subnet only.",
    .hints = {"Look at the pod's routes: ip route",
              "ip route add default via GATEWAY (the node's tun0 "
              "address)."},
};
