/* Network-namespace and rtnetlink helpers over libnl-3 (no `ip` commands).
 *
 * The handle is a libnl socket bound to one network namespace: it is opened
 * while the calling thread is briefly inside that namespace (setns), and stays
 * bound to it afterwards, so one daemon can drive many namespaces without
 * moving itself. */
#ifndef NODELAB_NETLINK_H
#define NODELAB_NETLINK_H

#include <stdint.h>
#include <sys/types.h>

#include "error.h"

struct nl_sock;

/* Opens a NETLINK_ROUTE socket in the network namespace referred to by
 * netns_fd (an fd on /proc/PID/ns/net or a bind-mounted nsfs file), or in the
 * caller's namespace when netns_fd < 0.  Returns 0 and *out, or -1 and *err. */
int netlink_open(int netns_fd, struct nl_sock **out, struct lab_error **err);
void netlink_close(struct nl_sock *sk);

/* Scope guard: `cleanup_netlink struct nl_sock *sk = NULL;` */
static inline void netlink_closep(struct nl_sock **sk)
{
  netlink_close(*sk);
}
#define cleanup_netlink __attribute__((cleanup(netlink_closep)))

/* Fills *err with "WHAT NAME: libnl's message for nle" (nle: a libnl NLE_*
 * code, negative or not) and an errno near it (EEXIST, ENODEV, ESRCH...).
 * Returns -1, for `return netlink_fail(...)`. */
int netlink_fail(struct lab_error **err, int nle, const char *what, const char *name);

/* Creates a veth pair: `name` stays in sk's namespace; `peer` is created
 * directly in the namespace of peer_netns_fd (or sk's when < 0).  mtu 0 keeps
 * the default.  Fails with EEXIST, creating nothing, when a name is in use. */
int netlink_veth_create(struct nl_sock *sk, const char *name, const char *peer, int peer_netns_fd,
                        int mtu, struct lab_error **err);

/* Creates a Linux bridge `name` (up). */
int netlink_bridge_create(struct nl_sock *sk, const char *name, struct lab_error **err);

/* Enslaves ifname to bridge master. */
int netlink_link_set_master(struct nl_sock *sk, const char *ifname, const char *master,
                            struct lab_error **err);

/* Sets ifname administratively up (up != 0) or down. */
int netlink_link_set_up(struct nl_sock *sk, const char *ifname, int up, struct lab_error **err);

/* netlink_link_set_up() in the network namespace netns_fd, through a socket
 * of its own opened and closed here. */
int netlink_ns_link_set_up(int netns_fd, const char *ifname, int up, struct lab_error **err);

/* Sets the MTU of ifname. */
int netlink_link_set_mtu(struct nl_sock *sk, const char *ifname, int mtu, struct lab_error **err);

/* Sets the Ethernet address of ifname to mac ("0a:58:0a:01:01:02"). */
int netlink_link_set_mac(struct nl_sock *sk, const char *ifname, const char *mac,
                         struct lab_error **err);

/* Deletes ifname; ENODEV is not an error. */
int netlink_link_delete(struct nl_sock *sk, const char *ifname, struct lab_error **err);

/* Adds IPv4 address addr/prefix (host byte order) to ifname. */
int netlink_addr_add(struct nl_sock *sk, const char *ifname, uint32_t addr, int prefix,
                     struct lab_error **err);

/* Deletes IPv4 address addr/prefix (host byte order) from ifname. */
int netlink_addr_delete(struct nl_sock *sk, const char *ifname, uint32_t addr, int prefix,
                        struct lab_error **err);

/* The same, but an address that is not there is not an error. */
int netlink_addr_delete_if_present(struct nl_sock *sk, const char *ifname, uint32_t addr,
                                   int prefix, struct lab_error **err);

/* Adds an IPv4 route dst/prefix via gateway gw (0: on-link through ifname). */
int netlink_route_add(struct nl_sock *sk, uint32_t dst, int prefix, uint32_t gw, const char *ifname,
                      struct lab_error **err);

#endif
