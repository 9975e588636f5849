/* The kernel side of the node: tun0 and br-phy addresses, the route to the
 * cluster network, forwarding and reverse-path filtering.  See
 * netd-internal.h. */
#include <config.h>

#include "netd-internal.h"

#include <errno.h>
#include <stdio.h>

#include "link.h"
#include "netlink.h"

static int ignore_eexist(int rc, struct lab_error **e)
{
  if (rc < 0 && *e != NULL && (*e)->errnum == EEXIST) {
    lab_error_clear(e);
    return 0;
  }
  return rc;
}

/* The node routes its pods' traffic to addresses outside the cluster network
 * (table 100 hands it to tun0), without NAT.  Reverse-path filtering is made
 * explicit per link, since the kernel applies the larger of conf/all and
 * conf/<link>, and a namespace may inherit either:
 *   - tun0 and br-phy loose (2): a pod's packet arrives on tun0 and leaves on
 *     br-phy; on another node it arrives on br-phy from a pod address that
 *     node routes through tun0 -- strict filtering would drop it there.
 *   - every other link strict (1): the default, for the pods' veths, and the
 *     NIC.  These are OVS ports the kernel also sees, and nothing is routed
 *     through them, so strict filtering makes the kernel ignore what arrives
 *     there, ARP included.  Otherwise it takes a second copy of each packet:
 *     on the NIC (which shares br-phy's MAC) every underlay packet, giving
 *     duplicate ping replies and "port 4789 unreachable"; on a pod's veth it
 *     answers the pod's ARP for the gateway with the veth's MAC, then
 *     answers -- or, forwarding, routes again -- what the pod sends there.
 * Re-applied on every reconcile: a restarted ovs-vswitchd recreates tun0 and
 * br-phy, with the namespace's defaults. */
static int configure_forwarding(struct netd *n, struct lab_error **err)
{
  char key[128];
  static const struct {
    const char *link, *value;
  } rp[] = {{"default", "1"}, {TUN_PORT, "2"}, {BR_PHY, "2"}, {NULL, "1"}};
  if (netd_sysctl_set("net/ipv4/conf/all/rp_filter", "0", err) < 0)
    return -1;
  for (size_t i = 0; i < sizeof rp / sizeof *rp; i++) {
    snprintf(key, sizeof key, "net/ipv4/conf/%s/rp_filter",
             rp[i].link ? rp[i].link : n->cfg.phys_if);
    if (netd_sysctl_set(key, rp[i].value, err) < 0)
      return -1;
  }
  return netd_sysctl_set("net/ipv4/ip_forward", "1", err);
}

/* tun0 gets the gateway address and the route to the whole cluster network;
 * br-phy takes the underlay address from the NIC, so that ovs-vswitchd's
 * native tunnelling finds a route and a neighbour for remote nodes. */
int netd_node_configure(struct netd *n, struct lab_error **err)
{
  struct lab_error *e = NULL;
  uint32_t gw = flows_model_gateway(n->model);
  if (ignore_eexist(netlink_addr_add(n->nl, TUN_PORT, gw, n->cfg.prefix, &e), &e) < 0 ||
      netlink_link_set_mtu(n->nl, TUN_PORT, n->cfg.mtu, &e) < 0 ||
      netlink_link_set_up(n->nl, TUN_PORT, 1, &e) < 0 ||
      ignore_eexist(
          netlink_route_add(n->nl, n->cfg.cluster, n->cfg.cluster_prefix, 0, TUN_PORT, &e), &e) < 0)
    goto fail;
  if (netlink_addr_delete_if_present(n->nl, n->cfg.phys_if, n->cfg.underlay, n->cfg.underlay_prefix,
                                     &e) < 0 ||
      netlink_link_set_up(n->nl, n->cfg.phys_if, 1, &e) < 0 ||
      ignore_eexist(netlink_addr_add(n->nl, BR_PHY, n->cfg.underlay, n->cfg.underlay_prefix, &e),
                    &e) < 0 ||
      netlink_link_set_up(n->nl, BR_PHY, 1, &e) < 0 || configure_forwarding(n, &e) < 0)
    goto fail;
  return 0;
fail:
  lab_error_set(err, e->errnum, "%s", e->msg);
  lab_error_clear(&e);
  return -1;
}
