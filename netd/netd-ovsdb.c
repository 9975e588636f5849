/* netd's OVSDB side: transactions that wait for ovs-vswitchd, bridges and
 * ports, and the node's topology (br0, br-phy).  See netd-internal.h. */
#include <config.h>

#include "netd-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "link.h"

#include "openvswitch/poll-loop.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "timeval.h"
#include "vswitch-idl.h"

const struct ovsrec_bridge *netd_db_find_bridge(const struct ovsrec_open_vswitch *ovs,
                                                const char *name)
{
  for (size_t i = 0; ovs != NULL && i < ovs->n_bridges; i++)
    if (strcmp(ovs->bridges[i]->name, name) == 0)
      return ovs->bridges[i];
  return NULL;
}

const struct ovsrec_port *netd_db_find_port(const struct ovsrec_bridge *br, const char *name)
{
  for (size_t i = 0; br != NULL && i < br->n_ports; i++)
    if (strcmp(br->ports[i]->name, name) == 0)
      return br->ports[i];
  return NULL;
}

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

static int db_wait_timeout(long long deadline, const char *what, struct lab_error **err)
{
  if (time_msec() >= deadline)
    return lab_error_set(err, ETIMEDOUT, "%s", what);
  return 0;
}

/* Runs build() in a transaction until it commits (retrying when the database
 * changed under it), then waits until ovs-vswitchd has applied it. */
int netd_db_commit(struct netd *n, netd_db_build_fn *build, void *aux, struct lab_error **err)
{
  long long deadline = time_msec() + DB_TIMEOUT_MS;
  int64_t next_cfg = -1;
  for (;;) {
    ovsdb_idl_run(n->idl);
    if (!ovsdb_idl_has_ever_connected(n->idl)) {
      if (db_wait_timeout(deadline, "waiting for ovsdb-server", err) < 0)
        return lab_error_wrap(err, "%s", n->db);
      ovsdb_idl_wait(n->idl);
      poll_timer_wait_until(deadline);
      poll_block();
      continue;
    }
    const struct ovsrec_open_vswitch *ovs = ovsrec_open_vswitch_first(n->idl);
    struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(n->idl);
    ovsdb_idl_txn_add_comment(txn, "nodelab-netd: node %s", n->node);
    if (ovs == NULL) /* a database fresh from ovsdb-tool create: what `ovs-vsctl init` does */
      ovs = ovsrec_open_vswitch_insert(txn);
    if (build(n, txn, ovs, aux, err) < 0) {
      ovsdb_idl_txn_abort(txn);
      ovsdb_idl_txn_destroy(txn);
      return -1;
    }
    ovsdb_idl_txn_increment(txn, &ovs->header_, &ovsrec_open_vswitch_col_next_cfg, false);
    enum ovsdb_idl_txn_status status = ovsdb_idl_txn_commit_block(txn);
    if (status == TXN_SUCCESS)
      next_cfg = ovsdb_idl_txn_get_increment_new_value(txn);
    char *txn_error = status == TXN_ERROR ? strdup(ovsdb_idl_txn_get_error(txn)) : NULL;
    ovsdb_idl_txn_destroy(txn);
    if (status == TXN_SUCCESS || status == TXN_UNCHANGED)
      break;
    if (status == TXN_TRY_AGAIN) {
      if (db_wait_timeout(deadline, "OVSDB transaction kept conflicting", err) < 0)
        return -1;
      ovsdb_idl_run(n->idl);
      ovsdb_idl_wait(n->idl);
      poll_block();
      continue;
    }
    lab_error_set(err, EIO, "OVSDB transaction: %s%s%s", ovsdb_idl_txn_status_to_string(status),
                  txn_error ? ": " : "", txn_error ? txn_error : "");
    free(txn_error);
    return -1;
  }
  /* Like `ovs-vsctl --wait`: ovs-vswitchd copies next_cfg to cur_cfg once it
   * has reconfigured itself from the database. */
  while (next_cfg >= 0) {
    ovsdb_idl_run(n->idl);
    const struct ovsrec_open_vswitch *ovs = ovsrec_open_vswitch_first(n->idl);
    if (ovs != NULL && ovs->cur_cfg >= next_cfg)
      break;
    if (db_wait_timeout(deadline, "waiting for ovs-vswitchd to apply the change (cur_cfg)", err) <
        0)
      return -1;
    ovsdb_idl_wait(n->idl);
    poll_timer_wait_until(deadline);
    poll_block();
  }
  return 0;
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

const struct ovsrec_interface *netd_db_ensure_port(struct ovsdb_idl_txn *txn,
                                                   const struct ovsrec_bridge *br,
                                                   const struct netd_port_spec *s)
{
  const struct ovsrec_port *port = netd_db_find_port(br, s->name);
  const struct ovsrec_interface *iface = NULL;
  if (port != NULL && port->n_interfaces == 1 && strcmp(port->interfaces[0]->name, s->name) == 0)
    iface = port->interfaces[0];
  if (iface == NULL) {
    iface = ovsrec_interface_insert(txn);
    ovsrec_interface_set_name(iface, s->name);
    if (port == NULL) {
      port = ovsrec_port_insert(txn);
      ovsrec_port_set_name(port, s->name);
      ovsrec_bridge_update_ports_addvalue(br, port);
    }
    ovsrec_port_set_interfaces(port, (struct ovsrec_interface **)&iface, 1);
  }
  ovsrec_interface_set_type(iface, s->type);
  struct smap empty = SMAP_INITIALIZER(&empty);
  ovsrec_interface_set_options(iface, s->options ? s->options : &empty);
  ovsrec_interface_set_ofport_request(iface, &s->ofport_request, s->ofport_request ? 1 : 0);
  ovsrec_interface_set_mtu_request(iface, &s->mtu_request, s->mtu_request ? 1 : 0);
  ovsrec_interface_set_mac(iface, s->mac);
  if (s->external_ids != NULL) {
    ovsrec_interface_set_external_ids(iface, s->external_ids);
    ovsrec_port_set_external_ids(port, s->external_ids);
  }
  return iface;
}

void netd_db_remove_port(const struct ovsrec_bridge *br, const struct ovsrec_port *port)
{
  ovsrec_bridge_update_ports_delvalue(br, port);
  for (size_t i = 0; i < port->n_interfaces; i++)
    ovsrec_interface_delete(port->interfaces[i]);
  ovsrec_port_delete(port);
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
  if (netd_link_get_mac(n->nl, n->phys_if, phys_mac, err) < 0)
    return -1;
  ovsrec_bridge_update_other_config_setkey(phy, "hwaddr", phys_mac);
  netd_db_ensure_port(txn, phy, &(struct netd_port_spec){.name = BR_PHY, .type = "internal"});
  netd_db_ensure_port(txn, phy, &(struct netd_port_spec){.name = n->phys_if, .type = ""});
  (void)aux;
  return 0;
}
