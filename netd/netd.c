#include <config.h>

#include "netd.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "ethtool.h"
#include "flows.h"
#include "link.h"
#include "log.h"
#include "netd-ctl.h"
#include "netlink.h"
#include "ofp.h"

#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "timeval.h"
#include "unixctl.h"
#include "vswitch-idl.h"

LOG_MODULE(netd);

#define BR_INT "br0"
#define BR_PHY "br-phy"
#define VXLAN_PORT "vxlan0"
#define TUN_PORT "tun0"

/* external_ids keys on a pod's Interface and Port. */
#define EXT_POD "nodelab-pod"
#define EXT_IP "nodelab-ip"
#define EXT_NETNS "nodelab-netns"
#define EXT_MAC "attached-mac"
/* Set only when ADD brought the pod's lo up (it was down): the identity
 * "DEV:INODE" of the pod's network namespace, so that DEL puts lo down again
 * in that namespace and no other (a PID in nodelab-netns may be reused). */
#define EXT_LO "nodelab-lo-up"

/* How long netd waits for ovsdb-server and ovs-vswitchd. */
#define DB_TIMEOUT_MS 30000
#define OF_TIMEOUT_MS 10000

struct netd {
  struct netd_config cfg; /* strings borrowed from copies below */
  char *node, *phys_if, *db, *ovs_rundir, *ctl_path;
  struct flows_model *model;
  struct ovsdb_idl *idl;
  struct nl_sock *nl; /* the node's network namespace */
  struct netd_ofconn *of;
  struct flows_list installed; /* what br0 holds, as far as netd knows */
  int have_installed;
  struct unixctl_server *unixctl;
  int exiting;
  int need_resync;     /* the OpenFlow connection broke: ovs-vswitchd restarted? */
  long long resync_at; /* next attempt, time_msec() */
  long long prime_at;  /* next priming of the tunnels' neighbours */
  int n_primes;
};

static void ip_str(uint32_t ip, char buf[16])
{
  snprintf(buf, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
}

/* Host end of a pod's veth: named after the pod's address ("veth0a010102"),
 * so a name is unique whenever addresses are. */
static void veth_name(uint32_t ip, char buf[16])
{
  snprintf(buf, 16, "veth%08x", ip);
}

int netd_create(const struct netd_config *cfg, struct netd **out, struct lab_error **err)
{
  struct netd *n = calloc(1, sizeof *n);
  if (n == NULL)
    return lab_error_set(err, ENOMEM, "netd");
  n->cfg = *cfg;
  n->cfg.remotes = NULL;
  n->cfg.n_remotes = 0;
  n->node = strdup(cfg->node);
  n->phys_if = strdup(cfg->phys_if);
  n->db = strdup(cfg->db);
  n->ovs_rundir = strdup(cfg->ovs_rundir);
  n->ctl_path = strdup(cfg->ctl_path);
  if (!n->node || !n->phys_if || !n->db || !n->ovs_rundir || !n->ctl_path) {
    netd_destroy(n);
    return lab_error_set(err, ENOMEM, "netd");
  }
  n->cfg.node = n->node;
  n->cfg.phys_if = n->phys_if;
  n->cfg.db = n->db;
  n->cfg.ovs_rundir = n->ovs_rundir;
  n->cfg.ctl_path = n->ctl_path;
  n->model = flows_model_new(cfg->node, cfg->cluster, cfg->cluster_prefix, cfg->subnet, cfg->prefix,
                             cfg->underlay, err);
  if (n->model == NULL) {
    netd_destroy(n);
    return -1;
  }
  for (size_t i = 0; i < cfg->n_remotes; i++) {
    const struct netd_remote_cfg *r = &cfg->remotes[i];
    if (flows_model_add_remote(n->model, r->name, r->subnet, r->prefix, r->underlay, err) < 0) {
      netd_destroy(n);
      return -1;
    }
  }
  *out = n;
  return 0;
}

void netd_destroy(struct netd *n)
{
  if (n == NULL)
    return;
  if (n->unixctl != NULL)
    unixctl_server_destroy(n->unixctl);
  netd_ofconn_close(n->of);
  if (n->idl != NULL)
    ovsdb_idl_destroy(n->idl);
  netlink_close(n->nl);
  flows_list_free(&n->installed);
  flows_model_free(n->model);
  free(n->node);
  free(n->phys_if);
  free(n->db);
  free(n->ovs_rundir);
  free(n->ctl_path);
  free(n);
}

/* ---- OVSDB ---- */

static const struct ovsrec_bridge *find_bridge(const struct ovsrec_open_vswitch *ovs,
                                               const char *name)
{
  for (size_t i = 0; ovs != NULL && i < ovs->n_bridges; i++)
    if (strcmp(ovs->bridges[i]->name, name) == 0)
      return ovs->bridges[i];
  return NULL;
}

static const struct ovsrec_port *find_port(const struct ovsrec_bridge *br, const char *name)
{
  for (size_t i = 0; br != NULL && i < br->n_ports; i++)
    if (strcmp(br->ports[i]->name, name) == 0)
      return br->ports[i];
  return NULL;
}

static const struct ovsrec_interface *find_iface(struct netd *n, const char *name)
{
  const struct ovsrec_interface *iface;
  OVSREC_INTERFACE_FOR_EACH(iface, n->idl)
  {
    if (strcmp(iface->name, name) == 0)
      return iface;
  }
  return NULL;
}

/* Builds one transaction's content; `ovs` is the Open_vSwitch row. */
typedef int db_build_fn(struct netd *n, struct ovsdb_idl_txn *txn,
                        const struct ovsrec_open_vswitch *ovs, void *aux, struct lab_error **err);

static int db_wait_timeout(long long deadline, const char *what, struct lab_error **err)
{
  if (time_msec() >= deadline)
    return lab_error_set(err, ETIMEDOUT, "%s", what);
  return 0;
}

/* Runs build() in a transaction until it commits (retrying when the database
 * changed under it), then waits until ovs-vswitchd has applied it. */
static int db_commit(struct netd *n, db_build_fn *build, void *aux, struct lab_error **err)
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
  const struct ovsrec_bridge *br = find_bridge(ovs, name);
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

struct port_spec {
  const char *name;
  const char *type;                /* "" for a system device */
  const struct smap *options;      /* NULL: none */
  int64_t ofport_request;          /* 0: none */
  int64_t mtu_request;             /* 0: none */
  const char *mac;                 /* NULL: default */
  const struct smap *external_ids; /* NULL: none */
};

static const struct ovsrec_interface *
ensure_port(struct ovsdb_idl_txn *txn, const struct ovsrec_bridge *br, const struct port_spec *s)
{
  const struct ovsrec_port *port = find_port(br, s->name);
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

static void remove_port(const struct ovsrec_bridge *br, const struct ovsrec_port *port)
{
  ovsrec_bridge_update_ports_delvalue(br, port);
  for (size_t i = 0; i < port->n_interfaces; i++)
    ovsrec_interface_delete(port->interfaces[i]);
  ovsrec_port_delete(port);
}

/* br0 (vxlan0, tun0) and br-phy (the underlay NIC). */
static int build_topology(struct netd *n, struct ovsdb_idl_txn *txn,
                          const struct ovsrec_open_vswitch *ovs, void *aux, struct lab_error **err)
{
  char gw_mac[FLOWS_MAC_STRLEN];
  flows_mac_for_ip(flows_model_gateway(n->model), gw_mac);

  const struct ovsrec_bridge *br0 = ensure_bridge(txn, ovs, BR_INT, "secure", "OpenFlow13");
  ensure_port(txn, br0, &(struct port_spec){.name = BR_INT, .type = "internal"});
  struct smap vx = SMAP_INITIALIZER(&vx);
  smap_add(&vx, "remote_ip", "flow");
  smap_add(&vx, "key", "flow");
  smap_add(&vx, "dst_port", "4789");
  ensure_port(
      txn, br0,
      &(struct port_spec){
          .name = VXLAN_PORT, .type = "vxlan", .options = &vx, .ofport_request = FLOWS_PORT_VXLAN});
  smap_destroy(&vx);
  ensure_port(txn, br0,
              &(struct port_spec){.name = TUN_PORT,
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
  ensure_port(txn, phy, &(struct port_spec){.name = BR_PHY, .type = "internal"});
  ensure_port(txn, phy, &(struct port_spec){.name = n->phys_if, .type = ""});
  (void)aux;
  return 0;
}

/* ---- kernel side of the node ---- */

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
    snprintf(key, sizeof key, "net/ipv4/conf/%s/rp_filter", rp[i].link ? rp[i].link : n->phys_if);
    if (netd_sysctl_set(key, rp[i].value, err) < 0)
      return -1;
  }
  return netd_sysctl_set("net/ipv4/ip_forward", "1", err);
}

/* tun0 gets the gateway address and the route to the whole cluster network;
 * br-phy takes the underlay address from the NIC, so that ovs-vswitchd's
 * native tunnelling finds a route and a neighbour for remote nodes. */
static int configure_node_links(struct netd *n, struct lab_error **err)
{
  struct lab_error *e = NULL;
  uint32_t gw = flows_model_gateway(n->model);
  if (ignore_eexist(netlink_addr_add(n->nl, TUN_PORT, gw, n->cfg.prefix, &e), &e) < 0 ||
      netlink_link_set_mtu(n->nl, TUN_PORT, n->cfg.mtu, &e) < 0 ||
      netlink_link_set_up(n->nl, TUN_PORT, 1, &e) < 0 ||
      ignore_eexist(
          netlink_route_add(n->nl, n->cfg.cluster, n->cfg.cluster_prefix, 0, TUN_PORT, &e), &e) < 0)
    goto fail;
  if (netd_link_addr_del(n->nl, n->phys_if, n->cfg.underlay, n->cfg.underlay_prefix, &e) < 0 ||
      netlink_link_set_up(n->nl, n->phys_if, 1, &e) < 0 ||
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

/* ---- flows ---- */

/* Brings br0's flow table to what the model says: a diff in one bundle when
 * netd knows what is installed, else a full replacement in one bundle. */
static int sync_flows(struct netd *n, struct lab_error **err)
{
  struct flows_list want;
  if (flows_generate(n->model, &want, err) < 0)
    return -1;
  for (int attempt = 0; attempt < 2; attempt++) {
    if (n->of == NULL) {
      char target[4200];
      snprintf(target, sizeof target, "unix:%s/%s.mgmt", n->ovs_rundir, BR_INT);
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
    veth_name(ip, veth);
    const struct ovsrec_interface *iface = find_iface(n, veth);
    if (iface != NULL && iface->n_ofport && iface->ofport[0] > 0 && iface->ofport[0] != ofport) {
      struct lab_error *e = NULL;
      if (flows_model_set_pod_ofport(n->model, pod, (int)iface->ofport[0], &e) < 0)
        log_warn("%s", e->msg);
      lab_error_clear(&e);
    }
  }
}

static int build_topology(struct netd *n, struct ovsdb_idl_txn *txn,
                          const struct ovsrec_open_vswitch *ovs, void *aux, struct lab_error **err);

/* Makes OVS and the node's links match the desired state again: bridges and
 * ports, tun0 and br-phy addresses (a restarted ovs-vswitchd recreates its
 * internal devices bare), pod ports, the whole flow table. */
static int reconcile(struct netd *n, struct lab_error **err)
{
  if (db_commit(n, build_topology, NULL, err) < 0)
    return lab_error_wrap(err, "setting up %s and %s", BR_INT, BR_PHY);
  const struct ovsrec_interface *vx = find_iface(n, VXLAN_PORT);
  const struct ovsrec_interface *tun = find_iface(n, TUN_PORT);
  if (!vx || !tun || !vx->n_ofport || vx->ofport[0] != FLOWS_PORT_VXLAN || !tun->n_ofport ||
      tun->ofport[0] != FLOWS_PORT_TUN0)
    return lab_error_set(err, EIO, "%s/%s did not get OpenFlow ports %d/%d", VXLAN_PORT, TUN_PORT,
                         FLOWS_PORT_VXLAN, FLOWS_PORT_TUN0);
  if (configure_node_links(n, err) < 0)
    return lab_error_wrap(err, "configuring %s and %s", TUN_PORT, BR_PHY);
  refresh_pod_ofports(n);
  n->have_installed = 0; /* replace the whole table */
  return sync_flows(n, err);
}

/* ---- pods ---- */

struct pod_port_aux {
  const char *veth;
  const char *pod;
  const char *ip;
  const char *mac;
  const char *netns;
  const char *lo; /* EXT_LO's value, NULL when ADD did not bring lo up */
};

static int build_pod_port(struct netd *n, struct ovsdb_idl_txn *txn,
                          const struct ovsrec_open_vswitch *ovs, void *aux_, struct lab_error **err)
{
  const struct pod_port_aux *aux = aux_;
  const struct ovsrec_bridge *br0 = find_bridge(ovs, BR_INT);
  if (br0 == NULL)
    return lab_error_set(err, ENOENT, "bridge %s is gone", BR_INT);
  struct smap ids = SMAP_INITIALIZER(&ids);
  smap_add(&ids, EXT_POD, aux->pod);
  smap_add(&ids, EXT_IP, aux->ip);
  smap_add(&ids, EXT_MAC, aux->mac);
  smap_add(&ids, EXT_NETNS, aux->netns);
  if (aux->lo != NULL)
    smap_add(&ids, EXT_LO, aux->lo);
  ensure_port(txn, br0, &(struct port_spec){.name = aux->veth, .type = "", .external_ids = &ids});
  smap_destroy(&ids);
  return 0;
}

static int build_del_ports(struct netd *n, struct ovsdb_idl_txn *txn,
                           const struct ovsrec_open_vswitch *ovs, void *aux, struct lab_error **err)
{
  const char *const *names = aux;
  const struct ovsrec_bridge *br0 = find_bridge(ovs, BR_INT);
  for (size_t i = 0; names[i] != NULL; i++) {
    const struct ovsrec_port *port = find_port(br0, names[i]);
    if (port != NULL)
      remove_port(br0, port);
  }
  return 0;
}

static int open_netns(const char *netns, struct lab_error **err)
{
  char path[64];
  const char *p = netns;
  int numeric = netns[0] != '\0';
  for (const char *c = netns; *c; c++)
    numeric &= isdigit((unsigned char)*c) != 0;
  if (numeric) {
    snprintf(path, sizeof path, "/proc/%s/ns/net", netns);
    p = path;
  }
  int fd = open(p, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return lab_error_errno(err, "network namespace %s", p);
  return fd;
}

/* The node's end of a pod's veth: the kernel must leave what arrives there
 * to OVS (see configure_forwarding(); the default already says so, unless
 * the namespace was set up otherwise before netd). */
static int veth_rp_filter(const char *veth, struct lab_error **err)
{
  char key[64];
  snprintf(key, sizeof key, "net/ipv4/conf/%s/rp_filter", veth);
  return netd_sysctl_set(key, "1", err);
}

/* The identity of the network namespace nsfd refers to, "DEV:INODE". */
static int netns_id(int nsfd, char buf[48], struct lab_error **err)
{
  struct stat st;
  if (fstat(nsfd, &st) < 0)
    return lab_error_errno(err, "network namespace");
  snprintf(buf, 48, "%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
  return 0;
}

/* Puts lo down again in the pod's namespace when netd brought it up: DEL and
 * a failed ADD undo what ADD did.  `netns` is the namespace as ADD was given
 * it, `id` its identity then: a namespace that is gone took lo with it, and a
 * path that now names another namespace (a reused PID) is left alone. */
static int pod_lo_down(const char *pod, const char *netns, const char *id, struct lab_error **err)
{
  struct lab_error *e = NULL;
  cleanup_close int nsfd = open_netns(netns, &e);
  if (nsfd < 0) {
    lab_error_clear(&e); /* gone, and lo with it */
    return 0;
  }
  char now[48];
  if (netns_id(nsfd, now, err) < 0)
    return -1;
  if (strcmp(now, id) != 0) {
    log_info("pod %s: %s is another network namespace now; lo left as it is", pod, netns);
    return 0;
  }
  struct nl_sock *sk = NULL;
  if (netlink_open(nsfd, &sk, err) < 0)
    return -1;
  int rc = netlink_link_set_up(sk, "lo", 0, err);
  netlink_close(sk);
  return rc < 0 ? lab_error_wrap(err, "putting lo down again") : 0;
}

/* Configures the pod end, eth0, inside the pod's namespace, and lo.  The
 * runtime brings lo up itself before ADD (so does any CNI runtime); netd does
 * it only when lo is still down, and then says so in *lo_raised, so that DEL
 * undoes exactly that and never takes lo from a pod whose runtime set it up. */
static int configure_pod_side(struct netd *n, int nsfd, uint32_t ip, const char *mac,
                              int *lo_raised, struct lab_error **err)
{
  struct nl_sock *sk = NULL;
  *lo_raised = 0;
  if (netlink_open(nsfd, &sk, err) < 0)
    return -1;
  int rc = 0;
  int lo_up = netd_link_is_up(sk, "lo", err);
  if (lo_up < 0 || netd_link_set_mac(sk, "eth0", mac, err) < 0 ||
      netlink_addr_add(sk, "eth0", ip, n->cfg.prefix, err) < 0 ||
      netlink_link_set_up(sk, "eth0", 1, err) < 0)
    goto out;
  if (!lo_up) {
    if (netlink_link_set_up(sk, "lo", 1, err) < 0)
      goto out;
    *lo_raised = 1;
  }
  if (netlink_route_add(sk, 0, 0, flows_model_gateway(n->model), "eth0", err) < 0 ||
      /* The userspace datapath does not complete checksums a veth left to
       * offload: TCP would hang (see DESIGN.md). */
      ethtool_set_tx_csum(nsfd, "eth0", 0, err) < 0)
    goto out;
  netlink_close(sk);
  return 0;
out:
  rc = -1;
  if (*lo_raised)
    netlink_link_set_up(sk, "lo", 0, NULL);
  *lo_raised = 0;
  netlink_close(sk);
  return rc;
}

int netd_pod_add(struct netd *n, const char *pod, const char *netns, const char *ip_text,
                 int *ofport_out, struct lab_error **err)
{
  uint32_t ip;
  if (netd_ctl_pod_name_check(pod, err) < 0)
    return -1;
  if (netd_parse_cidr(ip_text, 0, &ip, NULL, err) < 0)
    return lab_error_wrap(err, "pod %s", pod);
  if (flows_model_check_pod(n->model, pod, ip, err) < 0)
    return -1;
  cleanup_close int nsfd = open_netns(netns, err);
  if (nsfd < 0)
    return lab_error_wrap(err, "pod %s", pod);

  char veth[16], mac[FLOWS_MAC_STRLEN], a[16];
  veth_name(ip, veth);
  flows_mac_for_ip(ip, mac);
  ip_str(ip, a);
  /* Created atomically with its peer already in the pod's namespace: EEXIST
   * (a veth for that address, or an eth0 in the pod) leaves nothing behind. */
  if (netlink_veth_create(n->nl, veth, "eth0", nsfd, n->cfg.mtu, err) < 0)
    return lab_error_wrap(err, "pod %s", pod);
  const char *veth_list[] = {veth, NULL};
  int port_added = 0, lo_raised = 0;
  char ns_id[48];
  if (netns_id(nsfd, ns_id, err) < 0 || veth_rp_filter(veth, err) < 0 ||
      configure_pod_side(n, nsfd, ip, mac, &lo_raised, err) < 0 ||
      netlink_link_set_up(n->nl, veth, 1, err) < 0)
    goto undo;
  struct pod_port_aux aux = {.veth = veth,
                             .pod = pod,
                             .ip = a,
                             .mac = mac,
                             .netns = netns,
                             .lo = lo_raised ? ns_id : NULL};
  port_added = 1;
  if (db_commit(n, build_pod_port, &aux, err) < 0)
    goto undo;
  const struct ovsrec_interface *iface = find_iface(n, veth);
  if (iface == NULL || iface->n_ofport == 0 || iface->ofport[0] <= 0) {
    lab_error_set(err, EIO, "ovs-vswitchd did not attach %s%s%s", veth,
                  iface && iface->error ? ": " : "", iface && iface->error ? iface->error : "");
    goto undo;
  }
  int ofport = (int)iface->ofport[0];
  if (flows_model_add_pod(n->model, pod, ip, ofport, err) < 0)
    goto undo;
  if (sync_flows(n, err) < 0) {
    flows_model_del_pod(n->model, pod, NULL);
    sync_flows(n, NULL);
    goto undo;
  }
  if (ofport_out != NULL)
    *ofport_out = ofport;
  log_info("pod %s attached: %s/%d on %s (ofport %d)", pod, a, n->cfg.prefix, veth, ofport);
  return 0;

undo:
  if (port_added)
    db_commit(n, build_del_ports, veth_list, NULL);
  if (lo_raised)
    pod_lo_down(pod, netns, ns_id, NULL);
  netlink_link_delete(n->nl, veth, NULL);
  return lab_error_wrap(err, "pod %s", pod);
}

int netd_pod_del(struct netd *n, const char *pod, struct lab_error **err)
{
  uint32_t ip;
  if (flows_model_find_pod(n->model, pod, &ip, NULL) < 0)
    return lab_error_set(err, ENOENT, "pod %s: not attached", pod);
  char veth[16];
  veth_name(ip, veth);
  /* Whether ADD brought lo up, and in which namespace: copied, since the
   * port's row goes away with the port. */
  const struct ovsrec_interface *iface = find_iface(n, veth);
  const char *lo = iface ? smap_get(&iface->external_ids, EXT_LO) : NULL;
  const char *ns = iface ? smap_get(&iface->external_ids, EXT_NETNS) : NULL;
  cleanup_free char *lo_id = lo && ns ? strdup(lo) : NULL;
  cleanup_free char *netns = lo && ns ? strdup(ns) : NULL;
  if (lo && ns && (lo_id == NULL || netns == NULL))
    return lab_error_set(err, ENOMEM, "pod %s", pod);
  /* Reverse order of ADD: flows, then the port, then lo (when ADD raised it),
   * then the veth (which takes the pod's eth0, address and route with it). */
  flows_model_del_pod(n->model, pod, NULL);
  if (sync_flows(n, err) < 0)
    return lab_error_wrap(err, "pod %s", pod);
  const char *veth_list[] = {veth, NULL};
  if (db_commit(n, build_del_ports, veth_list, err) < 0)
    return lab_error_wrap(err, "pod %s", pod);
  /* The veth goes even when lo could not be put down: the pod is detached
   * either way, and a retry would find nothing to delete. */
  int rc = lo_id ? pod_lo_down(pod, netns, lo_id, err) : 0;
  if (netlink_link_delete(n->nl, veth, rc < 0 ? NULL : err) < 0 && rc == 0)
    rc = -1;
  if (rc < 0)
    return lab_error_wrap(err, "pod %s", pod);
  log_info("pod %s detached", pod);
  return 0;
}

/* Adopts the pods found on br0 (a restarted netd); a port whose veth is gone
 * (the pod's namespace died meanwhile) is removed instead. */
static int adopt_pods(struct netd *n, struct lab_error **err)
{
  const struct ovsrec_bridge *br0 = find_bridge(ovsrec_open_vswitch_first(n->idl), BR_INT);
  size_t n_stale = 0;
  const char **stale = calloc(br0 ? br0->n_ports + 1 : 1, sizeof *stale);
  if (stale == NULL)
    return lab_error_set(err, ENOMEM, "adopting pods");
  for (size_t i = 0; br0 != NULL && i < br0->n_ports; i++) {
    const struct ovsrec_port *port = br0->ports[i];
    const char *pod = smap_get(&port->external_ids, EXT_POD);
    const char *ip_text = smap_get(&port->external_ids, EXT_IP);
    if (pod == NULL)
      continue;
    uint32_t ip;
    struct lab_error *e = NULL;
    const struct ovsrec_interface *iface = port->n_interfaces ? port->interfaces[0] : NULL;
    int ofport = iface && iface->n_ofport ? (int)iface->ofport[0] : -1;
    if (ip_text == NULL || netd_parse_cidr(ip_text, 0, &ip, NULL, &e) < 0 ||
        netd_link_exists(n->nl, port->name, &e) != 1 || ofport <= 0 ||
        flows_model_add_pod(n->model, pod, ip, ofport, &e) < 0) {
      log_warn("pod %s: port %s is stale, removing it%s%s", pod, port->name, e ? ": " : "",
               e ? e->msg : "");
      lab_error_clear(&e);
      stale[n_stale++] = port->name;
      continue;
    }
    if (veth_rp_filter(port->name, &e) < 0) {
      log_warn("pod %s: %s", pod, e->msg);
      lab_error_clear(&e);
    }
    log_info("pod %s adopted: %s on %s (ofport %d)", pod, ip_text, port->name, ofport);
  }
  int rc = 0;
  if (n_stale > 0) {
    /* Names point into IDL rows that the commit may free: copy them. */
    char **names = calloc(n_stale + 1, sizeof *names);
    for (size_t i = 0; names && i < n_stale; i++)
      names[i] = strdup(stale[i]);
    rc = names ? db_commit(n, build_del_ports, names, err) : lab_error_set(err, ENOMEM, "pods");
    for (size_t i = 0; names && i < n_stale; i++) {
      netlink_link_delete(n->nl, names[i], NULL);
      free(names[i]);
    }
    free(names);
  }
  free(stale);
  return rc;
}

/* ---- remotes ---- */

int netd_remote_add(struct netd *n, const char *node, const char *subnet, const char *underlay,
                    struct lab_error **err)
{
  uint32_t s, u;
  int p;
  if (netd_parse_cidr(subnet, 1, &s, &p, err) < 0 ||
      netd_parse_cidr(underlay, 0, &u, NULL, err) < 0)
    return lab_error_wrap(err, "node %s", node);
  if (flows_model_add_remote(n->model, node, s, p, u, err) < 0)
    return -1;
  if (sync_flows(n, err) < 0) {
    flows_model_del_remote(n->model, node, NULL);
    return -1;
  }
  n->prime_at = 0;
  n->n_primes = 0;
  return 0;
}

int netd_remote_del(struct netd *n, const char *node, struct lab_error **err)
{
  if (flows_model_del_remote(n->model, node, err) < 0)
    return -1;
  return sync_flows(n, err);
}

/* ---- control socket ---- */

char *netd_show(const struct netd *n)
{
  struct ds s = DS_EMPTY_INITIALIZER;
  char a[16], b[16];
  ip_str(n->cfg.subnet, a);
  ip_str(flows_model_gateway(n->model), b);
  ds_put_format(&s, "node %s subnet %s/%d gateway %s", n->node, a, n->cfg.prefix, b);
  ip_str(n->cfg.underlay, a);
  ds_put_format(&s, " underlay %s/%d mtu %d\n", a, n->cfg.underlay_prefix, n->cfg.mtu);
  for (size_t i = 0; i < flows_model_remote_count(n->model); i++) {
    const char *name;
    uint32_t subnet, underlay;
    int prefix;
    flows_model_remote(n->model, i, &name, &subnet, &prefix, &underlay);
    ip_str(subnet, a);
    ip_str(underlay, b);
    ds_put_format(&s, "remote %s subnet %s/%d underlay %s\n", name, a, prefix, b);
  }
  for (size_t i = 0; i < flows_model_pod_count(n->model); i++) {
    const char *name = flows_model_pod_name(n->model, i);
    uint32_t ip;
    int ofport;
    char veth[16], mac[FLOWS_MAC_STRLEN];
    flows_model_find_pod(n->model, name, &ip, &ofport);
    ip_str(ip, a);
    veth_name(ip, veth);
    flows_mac_for_ip(ip, mac);
    ds_put_format(&s, "pod %s ip %s mac %s port %s ofport %d\n", name, a, mac, veth, ofport);
  }
  ds_put_format(&s, "flows %zu\n", n->have_installed ? n->installed.n : (size_t)0);
  return ds_steal_cstr(&s);
}

static void reply_result(struct unixctl_conn *conn, int rc, struct lab_error **err, const char *ok)
{
  if (rc < 0)
    unixctl_command_reply_error(conn, (*err)->msg);
  else
    unixctl_command_reply(conn, ok);
  lab_error_clear(err);
}

char *netd_show_json(const struct netd *n)
{
  char a[24], b[16], mac[FLOWS_MAC_STRLEN], veth[16];
  struct json *o = json_object_create();
  json_object_put_string(o, "node", n->node);
  ip_str(n->cfg.subnet, b);
  snprintf(a, sizeof a, "%s/%d", b, n->cfg.prefix);
  json_object_put_string(o, "subnet", a);
  ip_str(flows_model_gateway(n->model), b);
  json_object_put_string(o, "gateway", b);
  ip_str(n->cfg.underlay, b);
  snprintf(a, sizeof a, "%s/%d", b, n->cfg.underlay_prefix);
  json_object_put_string(o, "underlay", a);
  json_object_put(o, "mtu", json_integer_create(n->cfg.mtu));
  struct json *remotes = json_array_create_empty();
  for (size_t i = 0; i < flows_model_remote_count(n->model); i++) {
    const char *name;
    uint32_t subnet, underlay;
    int prefix;
    flows_model_remote(n->model, i, &name, &subnet, &prefix, &underlay);
    struct json *r = json_object_create();
    json_object_put_string(r, "name", name);
    ip_str(subnet, b);
    snprintf(a, sizeof a, "%s/%d", b, prefix);
    json_object_put_string(r, "subnet", a);
    ip_str(underlay, b);
    json_object_put_string(r, "underlay", b);
    json_array_add(remotes, r);
  }
  json_object_put(o, "remotes", remotes);
  struct json *pods = json_array_create_empty();
  for (size_t i = 0; i < flows_model_pod_count(n->model); i++) {
    const char *name = flows_model_pod_name(n->model, i);
    uint32_t ip;
    int ofport;
    flows_model_find_pod(n->model, name, &ip, &ofport);
    struct json *p = json_object_create();
    json_object_put_string(p, "name", name);
    ip_str(ip, b);
    json_object_put_string(p, "ip", b);
    flows_mac_for_ip(ip, mac);
    json_object_put_string(p, "mac", mac);
    veth_name(ip, veth);
    json_object_put_string(p, "port", veth);
    json_object_put(p, "ofport", json_integer_create(ofport));
    json_array_add(pods, p);
  }
  json_object_put(o, "pods", pods);
  json_object_put(o, "flows",
                  json_integer_create(n->have_installed ? (long long)n->installed.n : 0));
  char *out = json_to_string(o, 0);
  json_destroy(o);
  return out;
}

static void cmd_show(struct unixctl_conn *conn, int argc, const char *argv[], void *aux)
{
  struct netd_show req;
  struct lab_error *err = NULL;
  if (netd_ctl_show_from_argv(argc, argv, &req, &err) < 0) {
    reply_result(conn, -1, &err, NULL);
    return;
  }
  char *s = req.json ? netd_show_json(aux) : netd_show(aux);
  unixctl_command_reply(conn, s);
  free(s);
}

static void cmd_flows(struct unixctl_conn *conn, int argc, const char *argv[], void *aux)
{
  struct netd *n = aux;
  struct flows_list l;
  struct lab_error *err = NULL;
  if (flows_generate(n->model, &l, &err) < 0) {
    reply_result(conn, -1, &err, NULL);
    return;
  }
  struct ds s = DS_EMPTY_INITIALIZER;
  for (size_t i = 0; i < l.n; i++) {
    char *f = flows_entry_format(&l.v[i]);
    ds_put_format(&s, "%s\n", f ? f : "");
    free(f);
  }
  flows_list_free(&l);
  unixctl_command_reply(conn, ds_cstr(&s));
  ds_destroy(&s);
}

static void cmd_pod_add(struct unixctl_conn *conn, int argc, const char *argv[], void *aux)
{
  struct lab_error *err = NULL;
  struct netd_pod_add req;
  struct netd_pod_add_reply reply = {0};
  long long start = time_msec();
  int rc = netd_ctl_pod_add_from_argv(argc, argv, &req, &err);
  if (rc == 0)
    rc = netd_pod_add(aux, req.name, req.netns, req.ip, &reply.ofport, &err);
  char ok[NETD_CTL_POD_ADD_REPLY_MAX] = "";
  if (rc == 0) {
    snprintf(reply.name, sizeof reply.name, "%s", req.name);
    reply.elapsed_ms = time_msec() - start;
    netd_ctl_pod_add_reply_format(&reply, ok);
  }
  reply_result(conn, rc, &err, ok);
}

static void cmd_pod_del(struct unixctl_conn *conn, int argc, const char *argv[], void *aux)
{
  struct lab_error *err = NULL;
  struct netd_pod_del req;
  int rc = netd_ctl_pod_del_from_argv(argc, argv, &req, &err);
  if (rc == 0)
    rc = netd_pod_del(aux, req.name, &err);
  reply_result(conn, rc, &err, NULL);
}

static void cmd_remote_add(struct unixctl_conn *conn, int argc, const char *argv[], void *aux)
{
  struct lab_error *err = NULL;
  int rc = netd_remote_add(aux, argv[1], argv[2], argv[3], &err);
  reply_result(conn, rc, &err, NULL);
}

static void cmd_remote_del(struct unixctl_conn *conn, int argc, const char *argv[], void *aux)
{
  struct lab_error *err = NULL;
  int rc = netd_remote_del(aux, argv[1], &err);
  reply_result(conn, rc, &err, NULL);
}

static void cmd_exit(struct unixctl_conn *conn, int argc, const char *argv[], void *aux)
{
  struct netd *n = aux;
  n->exiting = 1;
  unixctl_command_reply(conn, NULL);
}

int netd_start(struct netd *n, struct lab_error **err)
{
  if (netlink_open(-1, &n->nl, err) < 0)
    return -1;
  /* Everything monitored: netd writes many columns, and writing an
   * unmonitored one aborts. */
  n->idl = ovsdb_idl_create(n->db, &ovsrec_idl_class, true, true);
  long long t0 = time_msec();
  /* Pods first, so that the first flow table already has theirs. */
  if (db_commit(n, build_topology, NULL, err) < 0)
    return lab_error_wrap(err, "setting up %s and %s", BR_INT, BR_PHY);
  if (adopt_pods(n, err) < 0 || reconcile(n, err) < 0)
    return -1;
  log_info("node %s: OVS and flows ready in %lld ms (%zu pods adopted)", n->node, time_msec() - t0,
           flows_model_pod_count(n->model));

  int rc = unixctl_server_create(n->ctl_path, &n->unixctl);
  if (rc != 0)
    return lab_error_set(err, rc, "control socket %s", n->ctl_path);
  unixctl_command_register(NETD_CTL_SHOW, NETD_CTL_SHOW_USAGE, NETD_CTL_SHOW_MIN_ARGS,
                           NETD_CTL_SHOW_MAX_ARGS, cmd_show, n);
  unixctl_command_register("netd/flows", "", 0, 0, cmd_flows, n);
  unixctl_command_register(NETD_CTL_POD_ADD, NETD_CTL_POD_ADD_USAGE, NETD_CTL_POD_ADD_ARGS,
                           NETD_CTL_POD_ADD_ARGS, cmd_pod_add, n);
  unixctl_command_register(NETD_CTL_POD_DEL, NETD_CTL_POD_DEL_USAGE, NETD_CTL_POD_DEL_ARGS,
                           NETD_CTL_POD_DEL_ARGS, cmd_pod_del, n);
  unixctl_command_register("netd/remote-add", "NODE SUBNET/N UNDERLAY", 3, 3, cmd_remote_add, n);
  unixctl_command_register("netd/remote-del", "NODE", 1, 1, cmd_remote_del, n);
  unixctl_command_register("netd/exit", "", 0, 0, cmd_exit, n);
  return 0;
}

/* ovs-vswitchd's native tunnelling learns a remote node's underlay MAC by
 * snooping ARP on br-phy, and drops the packet that made it ask.  One empty
 * UDP datagram per remote node (discard port) from the node's own stack makes
 * the kernel ARP through br-phy first, so the first pod packet to a node is
 * not lost; repeated so that ARP refreshes keep OVS's entries alive, and
 * soon after start since remote nodes come up in any order. */
static void prime_tunnels(struct netd *n)
{
  static const int delays_ms[] = {1000, 2000, 5000, 10000};
  long long now = time_msec();
  if (now < n->prime_at)
    return;
  n->prime_at = now + (n->n_primes < 4 ? delays_ms[n->n_primes] : 30000);
  n->n_primes++;
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return;
  for (size_t i = 0; i < flows_model_remote_count(n->model); i++) {
    uint32_t underlay;
    flows_model_remote(n->model, i, NULL, NULL, NULL, &underlay);
    struct sockaddr_in sin = {
        .sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = htonl(underlay)};
    (void)sendto(fd, "", 0, 0, (struct sockaddr *)&sin, sizeof sin);
  }
  close(fd);
}

/* After the OpenFlow connection broke, probe br0's socket every second;
 * once ovs-vswitchd answers again, reconcile everything. */
static void try_resync(struct netd *n)
{
  if (time_msec() < n->resync_at)
    return;
  n->resync_at = time_msec() + 1000;
  if (n->of == NULL) {
    char target[4200];
    snprintf(target, sizeof target, "unix:%s/%s.mgmt", n->ovs_rundir, BR_INT);
    if (netd_ofconn_open(target, 200, &n->of, NULL) < 0)
      return;
  }
  struct lab_error *e = NULL;
  if (reconcile(n, &e) < 0) {
    log_warn_rl("reconciling after losing %s: %s", BR_INT, e->msg);
    lab_error_clear(&e);
    return;
  }
  n->need_resync = 0;
  log_info("node %s: OVS reconciled after ovs-vswitchd came back", n->node);
}

void netd_run(struct netd *n)
{
  while (!n->exiting) {
    unixctl_server_run(n->unixctl);
    ovsdb_idl_run(n->idl);
    if (n->of != NULL && netd_ofconn_run(n->of) < 0) {
      log_warn("OpenFlow connection to %s lost; reconciling when it is back", BR_INT);
      netd_ofconn_close(n->of);
      n->of = NULL;
      n->have_installed = 0;
      n->need_resync = 1;
      n->resync_at = time_msec() + 200;
    }
    if (n->need_resync)
      try_resync(n);
    prime_tunnels(n);
    if (n->exiting)
      break;
    unixctl_server_wait(n->unixctl);
    ovsdb_idl_wait(n->idl);
    if (n->of != NULL)
      netd_ofconn_wait(n->of);
    if (n->need_resync)
      poll_timer_wait_until(n->resync_at);
    poll_timer_wait_until(n->prime_at);
    poll_block();
  }
}
