/* Applying the flow model (flows.h, the pure part) to br0 over OpenFlow, and
 * reconciling the whole node after ovs-vswitchd restarted.  See
 * netd-internal.h. */
#include <config.h>

#include "netd-internal.h"

#include <errno.h>
#include <stdio.h>

#include "log.h"
#include "ofp.h"

#include "ovsdb-idl.h"
#include "vswitch-idl.h"

LOG_MODULE(netd);

/* Brings br0's flow table to what the model says: a diff in one bundle when
 * netd knows what is installed, else a full replacement in one bundle. */
int netd_flows_sync(struct netd *n, struct lab_error **err)
{
  struct flows_list want;
  if (flows_generate(n->model, &want, err) < 0)
    return -1;
  for (int attempt = 0; attempt < 2; attempt++) {
    if (n->of == NULL) {
      char target[4200];
      snprintf(target, sizeof target, "unix:%s/%s.mgmt", n->cfg.ovs_rundir, BR_INT);
      if (netd_ofconn_open(target, OF_TIMEOUT_MS, &n->of, err) < 0) {
        flows_list_free(&want);
        return -1;
      }
      n->have_installed = 0;
    }
    int rc;
    struct lab_error *e = NULL;
    if (!n->have_installed) {
      rc = netd_ofconn_apply(n->of, 1, NULL, &want, &e);
    } else {
      struct flows_list removed, added;
      rc = flows_diff(&n->installed, &want, &removed, &added, &e);
      if (rc == 0)
        rc = netd_ofconn_apply(n->of, 0, &removed, &added, &e);
      flows_list_free(&removed);
      flows_list_free(&added);
    }
    if (rc == 0) {
      flows_list_free(&n->installed);
      n->installed = want;
      n->have_installed = 1;
      return 0;
    }
    /* A broken connection (ovs-vswitchd restarted) gets one fresh try with a
     * full replacement; a refused flow does not. */
    netd_ofconn_close(n->of);
    n->of = NULL;
    n->have_installed = 0;
    if (attempt == 1 || e->errnum == EPROTO) {
      lab_error_set(err, e->errnum, "%s", e->msg);
      lab_error_clear(&e);
      flows_list_free(&want);
      return -1;
    }
    log_warn("%s; reconnecting", e->msg);
    lab_error_clear(&e);
  }
  flows_list_free(&want);
  return -1;
}

/* Re-reads the pods' OpenFlow ports (a restarted ovs-vswitchd may number
 * them anew) into the model. */
static void refresh_pod_ofports(struct netd *n)
{
  for (size_t i = 0; i < flows_model_pod_count(n->model); i++) {
    const char *pod = flows_model_pod_name(n->model, i);
    uint32_t ip;
    int ofport;
    char veth[16];
    flows_model_find_pod(n->model, pod, &ip, &ofport);
    netd_veth_name(ip, veth);
    const struct ovsrec_interface *iface = netd_db_find_iface(n, veth);
    if (iface != NULL && iface->n_ofport && iface->ofport[0] > 0 && iface->ofport[0] != ofport) {
      struct lab_error *e = NULL;
      if (flows_model_set_pod_ofport(n->model, pod, (int)iface->ofport[0], &e) < 0)
        log_warn("%s", e->msg);
      lab_error_clear(&e);
    }
  }
}

/* Makes OVS and the node's links match the desired state again: bridges and
 * ports, tun0 and br-phy addresses (a restarted ovs-vswitchd recreates its
 * internal devices bare), pod ports, the whole flow table. */
int netd_reconcile(struct netd *n, struct lab_error **err)
{
  if (netd_db_commit(n, netd_db_build_topology, NULL, err) < 0)
    return lab_error_wrap(err, "setting up %s and %s", BR_INT, BR_PHY);
  const struct ovsrec_interface *vx = netd_db_find_iface(n, VXLAN_PORT);
  const struct ovsrec_interface *tun = netd_db_find_iface(n, TUN_PORT);
  if (!vx || !tun || !vx->n_ofport || vx->ofport[0] != FLOWS_PORT_VXLAN || !tun->n_ofport ||
      tun->ofport[0] != FLOWS_PORT_TUN0)
    return lab_error_set(err, EIO, "%s/%s did not get OpenFlow ports %d/%d", VXLAN_PORT, TUN_PORT,
                         FLOWS_PORT_VXLAN, FLOWS_PORT_TUN0);
  if (netd_node_configure(n, err) < 0)
    return lab_error_wrap(err, "configuring %s and %s", TUN_PORT, BR_PHY);
  refresh_pod_ofports(n);
  n->have_installed = 0; /* replace the whole table */
  return netd_flows_sync(n, err);
}
