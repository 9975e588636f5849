/* OpenFlow helpers over libopenvswitch: flows in ovs-ofctl text syntax turned
 * into protocol-independent flow_mods, as `ovs-ofctl add-flow` does.
 *
 * Callers of these functions include <config.h> first (OVS convention) when
 * they also include OVS headers themselves. */
#ifndef NODELAB_NETD_OFP_H
#define NODELAB_NETD_OFP_H

#include "error.h"
#include "flows.h"

struct ofputil_flow_mod;
struct ofputil_flow_stats;
struct netd_ofconn;

/* Parses `text`, one flow in ovs-ofctl syntax (for example
 * "table=30,priority=100,ip,nw_dst=10.1.1.0/24 actions=goto_table:70"), into
 * *fm as a flow_mod with OpenFlow command `command` (OFPFC_ADD,
 * OFPFC_DELETE_STRICT, ...).  Fails when the text does not parse or when
 * OpenFlow 1.3 cannot express the flow.  On success the caller owns fm's
 * match and actions and releases them with netd_ofp_flow_mod_uninit(); on
 * failure *fm holds nothing to release. */
int netd_ofp_parse_flow(const char *text, int command, struct ofputil_flow_mod *fm,
                        struct lab_error **err);

/* Releases what netd_ofp_parse_flow() allocated in *fm (not fm itself). */
void netd_ofp_flow_mod_uninit(struct ofputil_flow_mod *fm);

/* Connects to a switch's OpenFlow management socket (for example
 * "unix:/run/openvswitch/br0.mgmt") speaking OpenFlow 1.3 only, waiting at
 * most timeout_ms for the socket to appear and the handshake to finish.
 * Returns 0 and *out (closed with netd_ofconn_close()), or -1 and *err. */
int netd_ofconn_open(const char *target, int timeout_ms, struct netd_ofconn **out,
                     struct lab_error **err);
void netd_ofconn_close(struct netd_ofconn *c);

/* Changes the switch's flow table in one OpenFlow 1.3 bundle (ordered,
 * atomic: the switch applies all of it or nothing): when replace_all, every
 * flow of every table is deleted first; then each flow of `removed` is deleted
 * (strict match on table, priority and match) and each of `added` is added.
 * Either list may be NULL.  Returns 0, or -1 and *err with the switch's
 * error; the connection should be reopened after a failure. */
int netd_ofconn_apply(struct netd_ofconn *c, int replace_all, const struct flows_list *removed,
                      const struct flows_list *added, struct lab_error **err);

/* Sends the n flow_mods of fms (any commands, OpenFlow 1.3) in one bundle,
 * in order, ordered and atomic: the switch applies all of them or none.  fms
 * stays the caller's.  n == 0 sends nothing.  Returns 0, or -1 and *err with
 * the switch's first error; then, when failed is not NULL, *failed is the
 * index in fms of the flow_mod the switch refused (SIZE_MAX when the error is
 * not one message's). */
int netd_ofconn_bundle(struct netd_ofconn *c, const struct ofputil_flow_mod *fms, size_t n,
                       size_t *failed, struct lab_error **err);

/* Reads the switch's flows (OpenFlow 1.3 flow statistics) of table `table`,
 * or of every table when table < 0.  Returns 0 and *fses, an array of *n_fses
 * flows in the switch's order that the caller releases with
 * netd_ofp_flow_stats_free(); or -1 and *err. */
int netd_ofconn_dump_flows(struct netd_ofconn *c, int table, struct ofputil_flow_stats **fses,
                           size_t *n_fses, struct lab_error **err);

/* Releases fses, an array of n flows from netd_ofconn_dump_flows().  Accepts NULL. */
void netd_ofp_flow_stats_free(struct ofputil_flow_stats *fses, size_t n);

/* Keeps the connection alive between uses: answers the switch's echo
 * requests and drops what else arrives.  Returns 0, or -1 when the connection
 * is gone (then close it; netd reopens on its next flow change). */
int netd_ofconn_run(struct netd_ofconn *c);
/* Arranges for poll_block() to wake when netd_ofconn_run() has work. */
void netd_ofconn_wait(struct netd_ofconn *c);

#endif
