/* netd's OVSDB side: its transactions (netd_db_commit(), over ovsdb-txn.h's
 * netd_db_transact(), which nodelab-ovs shares) and the node's topology (br0,
 * br-phy).  See netd-internal.h. */
#include <config.h>

#include "netd-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link.h"

#include "openvswitch/poll-loop.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "timeval.h"
#include "vswitch-idl.h"

const struct ovsrec_interface *netd_db_find_iface(struct netd *n, const char *name)
{
  const struct ovsrec_interface *iface;
  OVSREC_INTERFACE_FOR_EACH(iface, n->idl)
  {
    if (strcmp(iface->name, name) == 0)
      return iface;
  }
  return NULL;
}

struct commit_aux {
  struct netd *n;
  netd_db_build_fn *build;
  void *aux;
};

static int commit_build(struct ovsdb_idl_txn *txn, const struct ovsrec_open_vswitch *ovs,
                        void *aux_, struct lab_error **err)
{
  struct commit_aux *a = aux_;
  return a->build(a->n, txn, ovs, a->aux, err);
}

int netd_db_commit(struct netd *n, netd_db_build_fn *build, void *aux, struct lab_error **err)
{
  char comment[300];
  snprintf(comment, sizeof comment, "nodelab-netd: node %s", n->cfg.node);
  struct commit_aux a = {.n = n, .build = build, .aux = aux};
  return netd_db_transact(n->idl, n->cfg.db, comment, time_msec() + DB_TIMEOUT_MS, commit_build, &a,
                          err);
}

static const struct ovsrec_bridge *ensure_bridge(struct ovsdb_idl_txn *txn,
                                                 const struct ovsrec_open_vswitch *ovs,
                                                 const char *name, const char *fail_mode,
                                                 const char *protocol)
{
  const struct ovsrec_bridge *br = netd_db_find_bridge(ovs, name);
  if (br == NULL) {
    br = ovsrec_bridge_insert(txn);
    ovsrec_bridge_set_name(br, name);
    ovsrec_open_vswitch_update_bridges_addvalue(ovs, br);
  }
  /* Writing a value equal to the current one is dropped by the IDL, so
   * re-asserting the desired columns on every start costs nothing. */
  ovsrec_bridge_set_datapath_type(br, "netdev");
  ovsrec_bridge_set_fail_mode(br, fail_mode);
  ovsrec_bridge_set_protocols(br, protocol ? &protocol : NULL, protocol ? 1 : 0);
  return br;
}

/* br0 (vxlan0, tun0) and br-phy (the underlay NIC). */
int netd_db_build_topology(struct netd *n, struct ovsdb_idl_txn *txn,
                           const struct ovsrec_open_vswitch *ovs, void *aux, struct lab_error **err)
{
  char gw_mac[FLOWS_MAC_STRLEN];
  flows_mac_for_ip(flows_model_gateway(n->model), gw_mac);

  const struct ovsrec_bridge *br0 = ensure_bridge(txn, ovs, BR_INT, "secure", "OpenFlow13");
  netd_db_ensure_port(txn, br0, &(struct netd_port_spec){.name = BR_INT, .type = "internal"});
  struct smap vx = SMAP_INITIALIZER(&vx);
  smap_add(&vx, "remote_ip", "flow");
  smap_add(&vx, "key", "flow");
  smap_add(&vx, "dst_port", "4789");
  netd_db_ensure_port(
      txn, br0,
      &(struct netd_port_spec){
          .name = VXLAN_PORT, .type = "vxlan", .options = &vx, .ofport_request = FLOWS_PORT_VXLAN});
  smap_destroy(&vx);
  netd_db_ensure_port(txn, br0,
                      &(struct netd_port_spec){.name = TUN_PORT,
                                               .type = "internal",
                                               .ofport_request = FLOWS_PORT_TUN0,
                                               .mtu_request = n->cfg.mtu,
                                               .mac = gw_mac});

  const struct ovsrec_bridge *phy = ensure_bridge(txn, ovs, BR_PHY, "standalone", NULL);
  /* br-phy carries the underlay address, so its MAC is what remote nodes
   * learn: pin it to the NIC's from the start.  Otherwise it begins random
   * and changes when the NIC joins, and a remote ovs-vswitchd that learned
   * the first one tunnels to a MAC nobody has. */
  char phys_mac[18];
  if (netd_link_get_mac(n->nl, n->cfg.phys_if, phys_mac, err) < 0)
    return -1;
  ovsrec_bridge_update_other_config_setkey(phy, "hwaddr", phys_mac);
  netd_db_ensure_port(txn, phy, &(struct netd_port_spec){.name = BR_PHY, .type = "internal"});
  netd_db_ensure_port(txn, phy, &(struct netd_port_spec){.name = n->cfg.phys_if, .type = ""});
  (void)aux;
  return 0;
}
