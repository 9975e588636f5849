/* neighbour-poison {pod or node, ip, mac}: a wrong permanent neighbour entry
 * for ip.  In a pod (by default: its gateway, so that everything it routes
 * goes to a MAC nobody has; netd's table 20 routes only frames addressed to
 * the gateway, as a router does).  In a node, for an address of the
 * underlay: the kernel's entry on br-phy and, for another node's underlay
 * address (the default), Open vSwitch's own tunnel neighbour
 * cache too, since that is what the node's VXLAN packets use (userspace
 * native tunnelling does not ask the kernel).  The snapshot is the kernel
 * entry before (netfault's undo) and OVS's cached MAC for ip. */
#include "fault-internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "ipv4.h"
#include "sdn-layout.h"

#define POISON_MAC "02:00:5e:10:00:01" /* locally administered: nobody's */
#define POD_LINK "eth0"
#define VSWITCHD "ovs-vswitchd"

static bool in_cidr(struct in_addr ip, const char *cidr)
{
  uint32_t net;
  int len;
  if (ipv4_parse(cidr, &net, &len) < 0 || len < 0)
    return false;
  uint32_t mask = len == 0 ? 0 : ~0u << (32 - len);
  return ((ntohl(ip.s_addr) ^ net) & mask) == 0;
}

/* The first address of cidr plus one ("10.1.1.0/24" -> "10.1.1.1"). */
static int gateway_of(const char *cidr, char out[IPV4_STRLEN])
{
  uint32_t a;
  if (ipv4_parse(cidr, &a, NULL) < 0)
    return -1;
  ipv4_format(a + 1, out);
  return 0;
}

/* The node whose underlay address is ip, or NULL. */
static const struct fault_view_node *node_with_underlay(const struct fault_view *v,
                                                        struct in_addr ip)
{
  for (size_t i = 0; i < v->n_nodes; i++) {
    uint32_t a;
    if (ipv4_parse(v->nodes[i].underlay, &a, NULL) == 0 && htonl(a) == ip.s_addr)
      return &v->nodes[i];
  }
  return NULL;
}

static int poison_resolve(struct fault *f, const struct fault_view *v, struct lab_error **err)
{
  char dflt[IPV4_STRLEN];
  if (fault_param(f, "node") != NULL && fault_param(f, "pod") != NULL)
    return fault_refuse(err, EINVAL, "kind neighbour-poison: give pod or node, not both");
  if (fault_default_param(f, "mac", POISON_MAC, err) < 0)
    return -1;
  if (fault_param(f, "node") == NULL) {
    const struct fault_view_pod *pod;
    if (fault_resolve_pod(f, v, &pod, err) < 0)
      return -1;
    const struct fault_view_node *node = fault_view_node(v, pod->node);
    if (node != NULL && gateway_of(node->subnet, dflt) == 0 &&
        fault_default_param(f, "ip", dflt, err) < 0)
      return -1;
    if (fault_param(f, "ip") == NULL)
      return fault_refuse(err, ENOENT, "kind neighbour-poison: no ip to poison");
    fault_set_target(f, pod->infra_pid, POD_LINK, "%s/%s neighbour %s -> %s", pod->node, pod->name,
                     fault_param(f, "ip"), fault_param(f, "mac"));
  } else {
    const struct fault_view_node *node, *remote;
    if (fault_resolve_node(f, v, "node", &node, err) < 0)
      return -1;
    /* By default the underlay address of the node of another running pod
     * (else of any other node): pod traffic between the two crosses it. */
    remote = NULL;
    for (size_t i = 0; remote == NULL && i < v->n_pods; i++)
      if (v->pods[i].infra_pid > 0 && strcmp(v->pods[i].node, node->name) != 0)
        remote = fault_view_node(v, v->pods[i].node);
    for (size_t i = 0; remote == NULL && i < v->n_nodes; i++)
      if (&v->nodes[i] != node)
        remote = &v->nodes[i];
    if (remote != NULL && remote->underlay != NULL) {
      snprintf(dflt, sizeof dflt, "%.*s", (int)strcspn(remote->underlay, "/"), remote->underlay);
      if (fault_default_param(f, "ip", dflt, err) < 0)
        return -1;
    }
    if (fault_param(f, "ip") == NULL)
      return fault_refuse(err, ENOENT, "kind neighbour-poison: no ip to poison");
    struct in_addr ip = {htonl(fault_value(f, "ip")->ipv4)};
    /* A node reaches the cluster network through tun0 into OVS, whose flows
     * set every MAC themselves: a wrong entry there would break nothing. */
    if (!in_cidr(ip, node->underlay))
      return fault_refuse(err, EINVAL,
                          "kind neighbour-poison: in node %s, ip must be on its underlay (%s); "
                          "for a pod's neighbour give pod=",
                          node->name, node->underlay ? node->underlay : "none");
    fault_set_target(f, node->pid, SDN_UNDERLAY_BRIDGE,
                     "%s " SDN_UNDERLAY_BRIDGE " neighbour %s -> %s", node->name,
                     fault_param(f, "ip"), fault_param(f, "mac"));
    remote = node_with_underlay(v, ip);
    f->ovs_cache = remote != NULL && remote != node;
    if (f->ovs_cache) {
      size_t len = strlen(f->target);
      snprintf(f->target + len, sizeof f->target - len, " (and in OVS's tunnel cache)");
    }
  }
  f->addr.s_addr = htonl(fault_value(f, "ip")->ipv4);
  return 0;
}

/* The MAC OVS's tunnel neighbour cache holds for ip, into mac[18] ("" when none). */
static int ovs_cached_mac(struct fault *f, const struct fault_backend *be, char mac[18],
                          struct lab_error **err)
{
  cleanup_free char *show = NULL;
  const char *args[] = {"appctl", VSWITCHD, "tnl/neigh/show", NULL};
  mac[0] = '\0';
  if (fault_ovs(be, f->pid, args, &show, err) < 0)
    return -1;
  const char *ip = fault_param(f, "ip");
  for (char *save = NULL, *line = strtok_r(show, "\n", &save); line != NULL;
       line = strtok_r(NULL, "\n", &save)) {
    char addr[64], lladdr[18], bridge[32];
    if (sscanf(line, "%63s %17s %31s", addr, lladdr, bridge) == 3 && strcmp(addr, ip) == 0 &&
        strcmp(bridge, SDN_UNDERLAY_BRIDGE) == 0)
      memcpy(mac, lladdr, sizeof lladdr);
  }
  return 0;
}

static int ovs_cache_set(struct fault *f, const struct fault_backend *be, const char *mac,
                         struct lab_error **err)
{
  const char *args[] = {
      "appctl", VSWITCHD, "tnl/neigh/set", SDN_UNDERLAY_BRIDGE, fault_param(f, "ip"), mac, NULL};
  return fault_ovs(be, f->pid, args, NULL, err);
}

static int poison_inject(struct fault *f, const struct fault_backend *be, struct lab_error **err)
{
  if (be->ops->neigh_replace == NULL)
    return fault_refuse(err, ENOTSUP, "this backend has no neighbour tables");
  if (f->ovs_cache && ovs_cached_mac(f, be, f->ovs_mac, err) < 0)
    return -1;
  if (FAULT_ACT(f, be, neigh_replace, f->ifname, f->addr, fault_value(f, "mac")->mac) < 0)
    return -1;
  /* On failure fault_inject() undoes the kernel's entry. */
  return f->ovs_cache ? ovs_cache_set(f, be, fault_param(f, "mac"), err) : 0;
}

/* Present while the kernel's entry still holds the wrong MAC, or OVS's cache does. */
static int poison_present(struct fault *f, const struct fault_backend *be, bool *present,
                          struct lab_error **err)
{
  cleanup_netstate struct netstate *st = NULL;
  if (fault_capture(be, f->pid, &st, err) < 0)
    return -1;
  const uint8_t *bad = fault_value(f, "mac")->mac;
  *present = false;
  for (size_t i = 0; i < st->n_neighs; i++) {
    const struct netstate_neigh *n = &st->neighs[i];
    if (strcmp(n->ifname, f->ifname) == 0 && n->dst.s_addr == f->addr.s_addr &&
        n->lladdr_len == 6 && memcmp(n->lladdr, bad, 6) == 0)
      *present = true;
  }
  if (!*present && f->ovs_cache) {
    char mac[18];
    if (ovs_cached_mac(f, be, mac, err) < 0)
      return -1;
    *present = strcasecmp(mac, fault_param(f, "mac")) == 0;
  }
  return 0;
}

/* The kernel's entry from the undo record; OVS's cached MAC put back (none
 * before: the poisoned entry is overwritten by the next snooped ARP reply
 * anyway, so flushing the cache lets OVS learn the real one again). */
static int poison_repair(struct fault *f, const struct fault_backend *be, struct lab_error **err)
{
  if (f->ovs_cache) {
    if (f->ovs_mac[0] != '\0') {
      if (ovs_cache_set(f, be, f->ovs_mac, err) < 0)
        return -1;
    } else {
      const char *args[] = {"appctl", VSWITCHD, "tnl/neigh/flush", NULL};
      if (fault_ovs(be, f->pid, args, NULL, err) < 0)
        return -1;
    }
  }
  return fault_undo_records(f, be, err);
}

const struct fault_kind_ops fault_ops_neighbour_poison = {
    .resolve = poison_resolve,
    .inject = poison_inject,
    .present = poison_present,
    .repair = poison_repair,
    .symptom = "The pod reaches its own subnet but nothing beyond it; its gateway answers no ping.",
    .hints = {"Which MAC does the sender use for the next hop? ip neigh show",
              "Compare it with the next hop's own MAC: ip link show on the gateway (tun0), "
              "or ovs-appctl tnl/neigh/show for the tunnel's next hop.",
              "A PERMANENT entry never gets corrected by ARP.",
              "ip neigh del IP dev LINK (and ovs-appctl tnl/neigh/flush on a node)."},
};
