/* OVSDB helpers shared by netd and nodelab-ovs (ovsdb-txn.h). */
#include <config.h>

#include "ovsdb-txn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

static int db_wait_timeout(long long deadline, const char *what, struct lab_error **err)
{
  if (time_msec() >= deadline)
    return lab_error_set(err, ETIMEDOUT, "%s", what);
  return 0;
}

int netd_db_wait_connected(struct ovsdb_idl *idl, const char *db, long long deadline,
                           struct lab_error **err)
{
  for (;;) {
    ovsdb_idl_run(idl);
    if (ovsdb_idl_has_ever_connected(idl))
      return 0;
    if (db_wait_timeout(deadline, "waiting for ovsdb-server", err) < 0)
      return lab_error_wrap(err, "%s", db);
    ovsdb_idl_wait(idl);
    poll_timer_wait_until(deadline);
    poll_block();
  }
}

int netd_db_transact(struct ovsdb_idl *idl, const char *db, const char *comment, long long deadline,
                     netd_db_txn_fn *build, void *aux, struct lab_error **err)
{
  int64_t next_cfg = -1;
  if (netd_db_wait_connected(idl, db, deadline, err) < 0)
    return -1;
  for (;;) {
    ovsdb_idl_run(idl);
    const struct ovsrec_open_vswitch *ovs = ovsrec_open_vswitch_first(idl);
    struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(idl);
    ovsdb_idl_txn_add_comment(txn, "%s", comment);
    if (ovs == NULL) /* a database fresh from ovsdb-tool create: what `ovs-vsctl init` does */
      ovs = ovsrec_open_vswitch_insert(txn);
    if (build(txn, ovs, aux, err) < 0) {
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
      ovsdb_idl_run(idl);
      ovsdb_idl_wait(idl);
      poll_timer_wait_until(deadline);
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
    ovsdb_idl_run(idl);
    const struct ovsrec_open_vswitch *ovs = ovsrec_open_vswitch_first(idl);
    if (ovs != NULL && ovs->cur_cfg >= next_cfg)
      break;
    if (db_wait_timeout(deadline, "waiting for ovs-vswitchd to apply the change (cur_cfg)", err) <
        0)
      return -1;
    ovsdb_idl_wait(idl);
    poll_timer_wait_until(deadline);
    poll_block();
  }
  return 0;
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
  if (s->external_ids != NULL)
    ovsrec_interface_set_external_ids(iface, s->external_ids);
  if (s->port_external_ids != NULL || s->external_ids != NULL)
    ovsrec_port_set_external_ids(port,
                                 s->port_external_ids ? s->port_external_ids : s->external_ids);
  return iface;
}

void netd_db_remove_port(const struct ovsrec_bridge *br, const struct ovsrec_port *port)
{
  ovsrec_bridge_update_ports_delvalue(br, port);
  for (size_t i = 0; i < port->n_interfaces; i++)
    ovsrec_interface_delete(port->interfaces[i]);
  ovsrec_port_delete(port);
}
