/* Interface offload settings through the SIOCETHTOOL ioctl (what
 * `ethtool -K IF tx on|off` does), in any network namespace. */
#ifndef NODELAB_ETHTOOL_H
#define NODELAB_ETHTOOL_H

#include "error.h"

/* Turns transmit checksum offload of ifname on (on != 0) or off, in the
 * network namespace of netns_fd (an fd on /proc/PID/ns/net or a nsfs bind
 * mount), or the caller's when netns_fd < 0.  Like `ethtool -K IF tx off`,
 * the kernel also drops features that need it (TSO).  The calling thread is
 * back in its own namespace on return.  Returns 0, or -1 and *err. */
int ethtool_set_tx_csum(int netns_fd, const char *ifname, int on, struct lab_error **err);

/* Reads the transmit checksum offload state of ifname into *on (1 or 0). */
int ethtool_get_tx_csum(int netns_fd, const char *ifname, int *on, struct lab_error **err);

/* Reads the names of ifname's active features (the ones `ethtool -k IF`
 * shows "on": "tx-checksum-ip-generic", "tx-tcp-segmentation"...), in the
 * kernel's order, joined by ',' ("" when none), into *names (malloc'd, owned
 * by the caller). */
int ethtool_get_features(int netns_fd, const char *ifname, char **names, struct lab_error **err);

#endif
