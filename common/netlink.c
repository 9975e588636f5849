#include "netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <stdlib.h>

#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>

#include "cleanup.h"

/* libnl reports its own NLE_* codes; map the ones callers test for back to errno. */
static int nle_to_errno(int nle)
{
  switch (nle < 0 ? -nle : nle) {
  case NLE_EXIST:
    return EEXIST;
  case NLE_OBJ_NOTFOUND:
  case NLE_NODEV:
    return ENODEV;
  case NLE_PERM:
    return EPERM;
  case NLE_INVAL:
    return EINVAL;
  case NLE_BUSY:
    return EBUSY;
  case NLE_NOMEM:
    return ENOMEM;
  default:
    return EIO;
  }
}

int netlink_fail(struct lab_error **err, int nle, const char *what, const char *name)
{
  if (err != NULL && *err == NULL) {
    lab_error_set(err, 0, "%s %s: %s", what, name, nl_geterror(nle));
    (*err)->errnum = nle_to_errno(nle);
  }
  return -1;
}

int netlink_open(int netns_fd, struct nl_sock **out, struct lab_error **err)
{
  cleanup_close int saved = -1;
  if (netns_fd >= 0) {
    saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (saved < 0)
      return lab_error_errno(err, "open /proc/thread-self/ns/net");
    if (setns(netns_fd, CLONE_NEWNET) < 0)
      return lab_error_errno(err, "setns(net)");
  }
  struct nl_sock *sk = nl_socket_alloc();
  int rc = sk ? nl_connect(sk, NETLINK_ROUTE) : -NLE_NOMEM;
  /* Back to our own namespace before anything else: the socket stays bound to the other one. */
  if (saved >= 0 && setns(saved, CLONE_NEWNET) < 0)
    abort(); /* we would be stuck in a foreign namespace: nothing sane can follow */
  if (rc < 0) {
    nl_socket_free(sk);
    return netlink_fail(err, rc, "netlink", "connect");
  }
  *out = sk;
  return 0;
}

void netlink_close(struct nl_sock *sk)
{
  if (sk != NULL)
    nl_socket_free(sk);
}

static int link_lookup(struct nl_sock *sk, const char *ifname, struct rtnl_link **out,
                       struct lab_error **err)
{
  int rc = rtnl_link_get_kernel(sk, 0, ifname, out);
  if (rc < 0)
    return netlink_fail(err, rc, "looking up link", ifname);
  return 0;
}

static int link_change(struct nl_sock *sk, const char *ifname, struct rtnl_link *changes,
                       const char *what, struct lab_error **err)
{
  struct rtnl_link *orig = NULL;
  if (link_lookup(sk, ifname, &orig, err) < 0)
    return -1;
  int rc = rtnl_link_change(sk, orig, changes, 0);
  rtnl_link_put(orig);
  if (rc < 0)
    return netlink_fail(err, rc, what, ifname);
  return 0;
}

int netlink_veth_create(struct nl_sock *sk, const char *name, const char *peer, int peer_netns_fd,
                        int mtu, struct lab_error **err)
{
  struct rtnl_link *link = rtnl_link_veth_alloc();
  if (link == NULL)
    return lab_error_set(err, ENOMEM, "veth %s", name);
  struct rtnl_link *p = rtnl_link_veth_get_peer(link);
  rtnl_link_set_name(link, name);
  rtnl_link_set_name(p, peer);
  if (mtu > 0) {
    rtnl_link_set_mtu(link, mtu);
    rtnl_link_set_mtu(p, mtu);
  }
  if (peer_netns_fd >= 0)
    rtnl_link_set_ns_fd(p, peer_netns_fd);
  int rc = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
  rtnl_link_put(p);
  rtnl_link_put(link);
  if (rc < 0)
    return netlink_fail(err, rc, "creating veth", name);
  return 0;
}

int netlink_bridge_create(struct nl_sock *sk, const char *name, struct lab_error **err)
{
  struct rtnl_link *link = rtnl_link_bridge_alloc();
  if (link == NULL)
    return lab_error_set(err, ENOMEM, "bridge %s", name);
  rtnl_link_set_name(link, name);
  rtnl_link_set_flags(link, IFF_UP);
  int rc = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
  rtnl_link_put(link);
  if (rc < 0)
    return netlink_fail(err, rc, "creating bridge", name);
  return 0;
}

int netlink_link_set_master(struct nl_sock *sk, const char *ifname, const char *master,
                            struct lab_error **err)
{
  struct rtnl_link *m = NULL;
  if (link_lookup(sk, master, &m, err) < 0)
    return -1;
  struct rtnl_link *changes = rtnl_link_alloc();
  rtnl_link_set_master(changes, rtnl_link_get_ifindex(m));
  rtnl_link_put(m);
  int rc = link_change(sk, ifname, changes, "setting master of", err);
  rtnl_link_put(changes);
  return rc;
}

int netlink_link_set_up(struct nl_sock *sk, const char *ifname, int up, struct lab_error **err)
{
  struct rtnl_link *changes = rtnl_link_alloc();
  if (up)
    rtnl_link_set_flags(changes, IFF_UP);
  else
    rtnl_link_unset_flags(changes, IFF_UP);
  int rc = link_change(sk, ifname, changes, up ? "bringing up" : "bringing down", err);
  rtnl_link_put(changes);
  return rc;
}

int netlink_ns_link_set_up(int netns_fd, const char *ifname, int up, struct lab_error **err)
{
  struct nl_sock *sk = NULL;
  if (netlink_open(netns_fd, &sk, err) < 0)
    return -1;
  int rc = netlink_link_set_up(sk, ifname, up, err);
  netlink_close(sk);
  return rc;
}

int netlink_link_set_mtu(struct nl_sock *sk, const char *ifname, int mtu, struct lab_error **err)
{
  struct rtnl_link *changes = rtnl_link_alloc();
  rtnl_link_set_mtu(changes, mtu);
  int rc = link_change(sk, ifname, changes, "setting mtu of", err);
  rtnl_link_put(changes);
  return rc;
}

int netlink_link_set_mac(struct nl_sock *sk, const char *ifname, const char *mac,
                         struct lab_error **err)
{
  struct nl_addr *addr = NULL;
  int rc = nl_addr_parse(mac, AF_LLC, &addr);
  if (rc < 0)
    return lab_error_set(err, EINVAL, "MAC address %s: %s", mac, nl_geterror(rc));
  struct rtnl_link *changes = rtnl_link_alloc();
  rtnl_link_set_addr(changes, addr);
  rc = link_change(sk, ifname, changes, "setting MAC address of", err);
  rtnl_link_put(changes);
  nl_addr_put(addr);
  return rc;
}

int netlink_link_delete(struct nl_sock *sk, const char *ifname, struct lab_error **err)
{
  struct rtnl_link *link = rtnl_link_alloc();
  rtnl_link_set_name(link, ifname);
  int rc = rtnl_link_delete(sk, link);
  rtnl_link_put(link);
  if (rc < 0 && nle_to_errno(rc) != ENODEV)
    return netlink_fail(err, rc, "deleting link", ifname);
  return 0;
}

static struct nl_addr *ipv4_addr(uint32_t addr, int prefix)
{
  uint32_t be = htonl(addr);
  struct nl_addr *a = nl_addr_build(AF_INET, &be, sizeof be);
  if (a != NULL)
    nl_addr_set_prefixlen(a, prefix);
  return a;
}

enum addr_op { ADDR_ADD, ADDR_DELETE, ADDR_DELETE_IF_PRESENT };

/* Adds or deletes addr/prefix on ifname. */
static int addr_change(struct nl_sock *sk, const char *ifname, uint32_t addr, int prefix,
                       enum addr_op op, struct lab_error **err)
{
  struct rtnl_link *link = NULL;
  if (link_lookup(sk, ifname, &link, err) < 0)
    return -1;
  struct rtnl_addr *a = rtnl_addr_alloc();
  struct nl_addr *local = ipv4_addr(addr, prefix);
  rtnl_addr_set_ifindex(a, rtnl_link_get_ifindex(link));
  rtnl_addr_set_local(a, local);
  int rc = op == ADDR_ADD ? rtnl_addr_add(sk, a, 0) : rtnl_addr_delete(sk, a, 0);
  nl_addr_put(local);
  rtnl_addr_put(a);
  rtnl_link_put(link);
  if (op == ADDR_DELETE_IF_PRESENT && (rc == -NLE_NOADDR || rc == -NLE_OBJ_NOTFOUND))
    rc = 0;
  if (rc < 0)
    return netlink_fail(err, rc, op == ADDR_ADD ? "adding address to" : "deleting address from",
                        ifname);
  return 0;
}

int netlink_addr_add(struct nl_sock *sk, const char *ifname, uint32_t addr, int prefix,
                     struct lab_error **err)
{
  return addr_change(sk, ifname, addr, prefix, ADDR_ADD, err);
}

int netlink_route_add(struct nl_sock *sk, uint32_t dst, int prefix, uint32_t gw, const char *ifname,
                      struct lab_error **err)
{
  struct rtnl_link *link = NULL;
  if (link_lookup(sk, ifname, &link, err) < 0)
    return -1;
  struct rtnl_route *r = rtnl_route_alloc();
  struct nl_addr *d = ipv4_addr(dst, prefix);
  rtnl_route_set_family(r, AF_INET);
  rtnl_route_set_dst(r, d);
  struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
  rtnl_route_nh_set_ifindex(nh, rtnl_link_get_ifindex(link));
  struct nl_addr *g = NULL;
  if (gw != 0) {
    g = ipv4_addr(gw, 32);
    rtnl_route_nh_set_gateway(nh, g);
  } else {
    rtnl_route_set_scope(r, RT_SCOPE_LINK);
  }
  rtnl_route_add_nexthop(r, nh);
  int rc = rtnl_route_add(sk, r, NLM_F_CREATE | NLM_F_EXCL);
  if (g != NULL)
    nl_addr_put(g);
  nl_addr_put(d);
  rtnl_route_put(r);
  rtnl_link_put(link);
  if (rc < 0)
    return netlink_fail(err, rc, "adding route via", ifname);
  return 0;
}

int netlink_addr_delete(struct nl_sock *sk, const char *ifname, uint32_t addr, int prefix,
                        struct lab_error **err)
{
  return addr_change(sk, ifname, addr, prefix, ADDR_DELETE, err);
}

int netlink_addr_delete_if_present(struct nl_sock *sk, const char *ifname, uint32_t addr,
                                   int prefix, struct lab_error **err)
{
  return addr_change(sk, ifname, addr, prefix, ADDR_DELETE_IF_PRESENT, err);
}
