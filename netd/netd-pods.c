/* Pods: CNI ADD and DEL (netd.h), and adopting the pods found on br0 when
 * netd restarts.  See netd-internal.h. */
#include <config.h>

#include "netd-internal.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "cleanup.h"
#include "ethtool.h"
#include "link.h"
#include "log.h"
#include "netd-ctl.h"
#include "netlink.h"

#include "ovsdb-idl.h"
#include "smap.h"
#include "vswitch-idl.h"

LOG_MODULE(netd);

void netd_veth_name(uint32_t ip, char buf[16])
{
  snprintf(buf, 16, "veth%08x", ip);
}

struct pod_port_aux {
  int64_t ofport; /* asked for: netd_pod_ofport() */
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
  const struct ovsrec_bridge *br0 = netd_db_find_bridge(ovs, BR_INT);
  if (br0 == NULL)
    return lab_error_set(err, ENOENT, "bridge %s is gone", BR_INT);
  struct smap ids = SMAP_INITIALIZER(&ids);
  smap_add(&ids, EXT_POD, aux->pod);
  smap_add(&ids, EXT_IP, aux->ip);
  smap_add(&ids, EXT_MAC, aux->mac);
  smap_add(&ids, EXT_NETNS, aux->netns);
  if (aux->lo != NULL)
    smap_add(&ids, EXT_LO, aux->lo);
  netd_db_ensure_port(
      txn, br0,
      &(struct netd_port_spec){
          .name = aux->veth, .type = "", .ofport_request = aux->ofport, .external_ids = &ids});
  smap_destroy(&ids);
  return 0;
}

static int build_del_ports(struct netd *n, struct ovsdb_idl_txn *txn,
                           const struct ovsrec_open_vswitch *ovs, void *aux, struct lab_error **err)
{
  const char *const *names = aux;
  const struct ovsrec_bridge *br0 = netd_db_find_bridge(ovs, BR_INT);
  for (size_t i = 0; names[i] != NULL; i++) {
    const struct ovsrec_port *port = netd_db_find_port(br0, names[i]);
    if (port != NULL)
      netd_db_remove_port(br0, port);
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
 * to OVS (see configure_forwarding() in netd-node.c; the default already
 * says so, unless the namespace was set up otherwise before netd). */
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
  if (netlink_ns_link_set_up(nsfd, "lo", 0, err) < 0)
    return lab_error_wrap(err, "putting lo down again");
  return 0;
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
  if (lo_up < 0 || netlink_link_set_mac(sk, "eth0", mac, err) < 0 ||
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
       * offload: TCP would hang (netd/README.md, netd/pod-add). */
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

/* The OpenFlow port a pod's veth asks for: a function of its address (the
 * gateway .1 is tun0's 2, so the first pod, .2, gets 3 as OVS would number
 * it), so that a pod attached again (its sandbox recreated, a pod-kill
 * repaired) gets its number, and flows, back; OVS would not reuse a number
 * at once.  0 (none: OVS picks) when it would not be a pod port. */
static int64_t pod_ofport(const struct netd *n, uint32_t ip)
{
  int64_t port = (int64_t)ip - (int64_t)flows_model_gateway(n->model) + FLOWS_PORT_TUN0;
  return port > FLOWS_PORT_TUN0 && port < 0xff00 ? port : 0;
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
  netd_veth_name(ip, veth);
  flows_mac_for_ip(ip, mac);
  ipv4_format(ip, a);
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
  struct pod_port_aux aux = {.ofport = pod_ofport(n, ip),
                             .veth = veth,
                             .pod = pod,
                             .ip = a,
                             .mac = mac,
                             .netns = netns,
                             .lo = lo_raised ? ns_id : NULL};
  port_added = 1;
  if (netd_db_commit(n, build_pod_port, &aux, err) < 0)
    goto undo;
  const struct ovsrec_interface *iface = netd_db_find_iface(n, veth);
  if (iface == NULL || iface->n_ofport == 0 || iface->ofport[0] <= 0) {
    lab_error_set(err, EIO, "ovs-vswitchd did not attach %s%s%s", veth,
                  iface && iface->error ? ": " : "", iface && iface->error ? iface->error : "");
    goto undo;
  }
  int ofport = (int)iface->ofport[0];
  if (flows_model_add_pod(n->model, pod, ip, ofport, err) < 0)
    goto undo;
  if (netd_flows_sync(n, err) < 0) {
    flows_model_del_pod(n->model, pod, NULL);
    netd_flows_sync(n, NULL);
    goto undo;
  }
  if (ofport_out != NULL)
    *ofport_out = ofport;
  log_info("pod %s attached: %s/%d on %s (ofport %d)", pod, a, n->cfg.prefix, veth, ofport);
  return 0;

undo:
  if (port_added)
    netd_db_commit(n, build_del_ports, veth_list, NULL);
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
  netd_veth_name(ip, veth);
  /* Whether ADD brought lo up, and in which namespace: copied, since the
   * port's row goes away with the port. */
  const struct ovsrec_interface *iface = netd_db_find_iface(n, veth);
  const char *lo = iface ? smap_get(&iface->external_ids, EXT_LO) : NULL;
  const char *ns = iface ? smap_get(&iface->external_ids, EXT_NETNS) : NULL;
  cleanup_free char *lo_id = lo && ns ? strdup(lo) : NULL;
  cleanup_free char *netns = lo && ns ? strdup(ns) : NULL;
  if (lo && ns && (lo_id == NULL || netns == NULL))
    return lab_error_set(err, ENOMEM, "pod %s", pod);
  /* Reverse order of ADD: flows, then the port, then lo (when ADD raised it),
   * then the veth (which takes the pod's eth0, address and route with it). */
  flows_model_del_pod(n->model, pod, NULL);
  if (netd_flows_sync(n, err) < 0)
    return lab_error_wrap(err, "pod %s", pod);
  const char *veth_list[] = {veth, NULL};
  if (netd_db_commit(n, build_del_ports, veth_list, err) < 0)
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
int netd_pods_adopt(struct netd *n, struct lab_error **err)
{
  const struct ovsrec_bridge *br0 = netd_db_find_bridge(ovsrec_open_vswitch_first(n->idl), BR_INT);
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
    rc =
        names ? netd_db_commit(n, build_del_ports, names, err) : lab_error_set(err, ENOMEM, "pods");
    for (size_t i = 0; names && i < n_stale; i++) {
      netlink_link_delete(n->nl, names[i], NULL);
      free(names[i]);
    }
    free(names);
  }
  free(stale);
  return rc;
}
