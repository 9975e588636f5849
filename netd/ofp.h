/* OpenFlow helpers over libopenvswitch: flows in ovs-ofctl text syntax turned
 * into protocol-independent flow_mods, as `ovs-ofctl add-flow` does.
 *
 * Callers of these functions include <config.h> first (OVS convention) when
 * they also include OVS headers themselves. */
#ifndef NODELAB_NETD_OFP_H
#define NODELAB_NETD_OFP_H

#include "error.h"

struct ofputil_flow_mod;

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

#endif
