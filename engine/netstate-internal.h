/* netstate.c's pieces that unit tests look at without a kernel. */
#ifndef NODELAB_NETSTATE_INTERNAL_H
#define NODELAB_NETSTATE_INTERNAL_H

#include <stdint.h>

#include <linux/netlink.h>

/* Reads a qdisc dump message: when it is a netem, sets *ifindex, *handle and
 * *rate_bytes (its TCA_NETEM_RATE64, else TCA_NETEM_RATE; 0 when neither)
 * and returns 1; returns 0 for anything else. */
int netstate_netem_rate_parse(const struct nlmsghdr *h, int *ifindex, uint32_t *handle,
                              uint64_t *rate_bytes);

#endif
