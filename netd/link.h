/* rtnetlink operations netd needs beyond common/netlink.h (libnl-3). */
#ifndef NODELAB_NETD_LINK_H
#define NODELAB_NETD_LINK_H

#include <stdint.h>

#include "error.h"

struct nl_sock;

/* Reads the Ethernet address of ifname into mac ("aa:bb:cc:dd:ee:ff"). */
int netd_link_get_mac(struct nl_sock *sk, const char *ifname, char mac[18], struct lab_error **err);

/* Returns 1 when ifname exists in sk's namespace, 0 when not, -1 and *err on
 * other failures. */
int netd_link_exists(struct nl_sock *sk, const char *ifname, struct lab_error **err);

/* Returns 1 when ifname is administratively up (IFF_UP), 0 when down, -1 and
 * *err when it cannot be looked up (ENODEV when it does not exist). */
int netd_link_is_up(struct nl_sock *sk, const char *ifname, struct lab_error **err);

/* Writes value to /proc/sys/<key> ("net/ipv4/ip_forward").  The net/ tree
 * belongs to the network namespace of the calling thread, so a daemon inside
 * a node changes only the node's settings.  Returns 0, or -1 and *err. */
int netd_sysctl_set(const char *key, const char *value, struct lab_error **err);

#endif
