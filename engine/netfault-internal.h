/* netfault.c's pieces that unit tests look at without a kernel. */
#ifndef NODELAB_NETFAULT_INTERNAL_H
#define NODELAB_NETFAULT_INTERNAL_H

#include "netfault.h"

struct nl_msg;
struct rtnl_qdisc;

/* Builds the libnl netem qdisc netfault_netem_set() adds as the root of
 * ifindex (handle 1:, limit 1000 unless spec->limit; spec->rate_bits is not
 * netem's: a tbf child carries it).  Returns 0 and *out (the caller puts it
 * with rtnl_qdisc_put), or a negative NLE_* code. */
int netfault_netem_qdisc(int ifindex, const struct netfault_netem *spec, struct rtnl_qdisc **out);

/* The RTM_NEWQDISC request (create or replace) for that netem, as
 * netfault_netem_set() sends it: libnl's, with nlmsg_len corrected to end
 * where TCA_OPTIONS ends.  Returns 0 and *out (nlmsg_free), or an NLE_* < 0. */
int netfault_netem_request(int ifindex, const struct netfault_netem *spec, struct nl_msg **out);

#endif
