/* The table of kind implementations, indexed by enum fault_kind: a kind
 * whose entry is NULL is refused with "not implemented yet". */
#include <assert.h>

#include "fault-internal.h"

const struct fault_kind_ops *const fault_kind_ops[FAULT_KIND__COUNT] = {
    [FAULT_KIND_LINK_MTU] = &fault_ops_link_mtu,
    [FAULT_KIND_LINK_DOWN] = &fault_ops_link_down,
    [FAULT_KIND_TX_CHECKSUM_ON] = &fault_ops_tx_checksum_on,
    [FAULT_KIND_TUNNEL_DST] = &fault_ops_tunnel_dst,
    [FAULT_KIND_FLOW_DELETE] = &fault_ops_flow_delete,
    [FAULT_KIND_DAEMON_KILL] = &fault_ops_daemon_kill,
    [FAULT_KIND_CGROUP_MEMORY] = &fault_ops_cgroup_memory,
    [FAULT_KIND_SECCOMP_DENY] = &fault_ops_seccomp_deny,
    [FAULT_KIND_NETEM] = &fault_ops_netem,
    [FAULT_KIND_PARTITION] = &fault_ops_partition,
    [FAULT_KIND_UNDERLAY_DOWN] = &fault_ops_underlay_down,
    [FAULT_KIND_VNI_MISMATCH] = &fault_ops_vni_mismatch,
    [FAULT_KIND_TUNNEL_PORT_DELETE] = &fault_ops_tunnel_port_delete,
    [FAULT_KIND_POD_ROUTE_DELETE] = &fault_ops_pod_route_delete,
    [FAULT_KIND_DUPLICATE_IP] = &fault_ops_duplicate_ip,
    [FAULT_KIND_NEIGHBOUR_POISON] = &fault_ops_neighbour_poison,
    [FAULT_KIND_POD_KILL] = &fault_ops_pod_kill,
    [FAULT_KIND_CGROUP_PIDS] = &fault_ops_cgroup_pids,
    [FAULT_KIND_CGROUP_CPU] = &fault_ops_cgroup_cpu,
};
static_assert(sizeof fault_kind_ops / sizeof fault_kind_ops[0] == FAULT_KIND__COUNT,
              "fault_kind_ops[] has one entry per enum fault_kind");
