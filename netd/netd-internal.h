/* What netd's files share: struct netd and the helpers one concern offers
 * another.  Not a public API (netd.h is).
 *
 *   netd.c          creation, start-up and the poll loop
 *   netd-ovsdb.c    OVSDB: netd's transactions, br0/br-phy (shared helpers: ovsdb-txn.h)
 *   netd-node.c     the kernel side of the node: tun0, br-phy, forwarding
 *   netd-flows.c    applying the flow model (flows.c) to br0; reconciling
 *   netd-pods.c     pods: CNI ADD/DEL, adoption after a restart
 *   netd-remotes.c  remote nodes, priming their tunnels
 *   netd-ctl.c      the unixctl server (messages: proto/netd-ctl.h) */
#ifndef NODELAB_NETD_INTERNAL_H
#define NODELAB_NETD_INTERNAL_H

#include <stdint.h>

#include "error.h"
#include "flows.h"
#include "netd-config.h"
#include "netd.h"
#include "ovsdb-txn.h"

/* The OVSDB types (struct ovsdb_idl, ovsrec_*, smap) are declared by ovsdb-txn.h. */
struct nl_sock;
struct netd_ofconn;
struct unixctl_server;

#define BR_INT SDN_BRIDGE
#define BR_PHY SDN_UNDERLAY_BRIDGE
#define VXLAN_PORT SDN_VXLAN_PORT
#define TUN_PORT SDN_TUN_PORT

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
  struct netd_config cfg; /* netd's own copy, without the remotes (the model has them) */
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

/* ---- netd-ovsdb.c ---- */

/* The interface called name, in any bridge; NULL when absent.  Borrowed:
 * valid until the next ovsdb_idl_run().  (Bridges and ports: ovsdb-txn.h.) */
const struct ovsrec_interface *netd_db_find_iface(struct netd *n, const char *name);

/* Builds one transaction's content; `ovs` is the Open_vSwitch row. */
typedef int netd_db_build_fn(struct netd *n, struct ovsdb_idl_txn *txn,
                             const struct ovsrec_open_vswitch *ovs, void *aux,
                             struct lab_error **err);

/* Runs build() in a transaction until it commits (retrying when the database
 * changed under it), then waits until ovs-vswitchd has applied it, up to
 * DB_TIMEOUT_MS in all.  Returns 0, or -1 and *err (build's own, a refused
 * transaction, or ETIMEDOUT). */
int netd_db_commit(struct netd *n, netd_db_build_fn *build, void *aux, struct lab_error **err);

/* A netd_db_build_fn (aux unused): br0 with vxlan0 and tun0, br-phy with the
 * underlay NIC, as netd.h's netd_start() describes them. */
int netd_db_build_topology(struct netd *n, struct ovsdb_idl_txn *txn,
                           const struct ovsrec_open_vswitch *ovs, void *aux,
                           struct lab_error **err);

/* ---- netd-node.c ---- */

/* Gives tun0 the gateway address and the route to the cluster network,
 * br-phy the underlay address, and sets forwarding and reverse-path
 * filtering.  Idempotent.  Returns 0, or -1 and *err. */
int netd_node_configure(struct netd *n, struct lab_error **err);

/* ---- netd-flows.c ---- */

/* Brings br0's flow table to what the model says (a diff when netd knows what
 * is installed, else a full replacement), reconnecting once when the OpenFlow
 * connection broke.  Returns 0, or -1 and *err. */
int netd_flows_sync(struct netd *n, struct lab_error **err);

/* Makes OVS and the node's links match the desired state again: bridges and
 * ports, tun0 and br-phy, pod ports' OpenFlow numbers, the whole flow table.
 * Returns 0, or -1 and *err. */
int netd_reconcile(struct netd *n, struct lab_error **err);

/* ---- netd-pods.c ---- */

/* The host end of a pod's veth, named after the pod's address
 * ("veth0a010102"), so that a name is unique whenever addresses are. */
void netd_veth_name(uint32_t ip, char buf[16]);

/* Adopts the pods found on br0 (a restarted netd) into the model; a port
 * whose veth is gone is removed instead.  Returns 0, or -1 and *err. */
int netd_pods_adopt(struct netd *n, struct lab_error **err);

/* ---- netd-remotes.c ---- */

/* When due (n->prime_at), makes the node's kernel ARP for each remote node's
 * underlay address through br-phy, and schedules the next time. */
void netd_remotes_prime(struct netd *n);

/* ---- netd-ctl.c ---- */

/* Opens the control socket n->ctl_path and registers netd's commands.
 * Returns 0, or -1 and *err. */
int netd_unixctl_start(struct netd *n, struct lab_error **err);

#endif
