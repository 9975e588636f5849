/* nodelab-netd: one node's Open vSwitch bridges, tunnels, flows and pod
 * network attachment, kept equal to a desired state.
 *
 * netd runs OVS's own poll loop (OVSDB IDL, OpenFlow vconn, unixctl server),
 * like ovn-controller: OVS's poll loop is per thread and cannot be handed to
 * another event library.  Every OVSDB change is a transaction that waits for
 * ovs-vswitchd to apply it (cur_cfg reaching next_cfg, as ovs-vsctl does). */
#ifndef NODELAB_NETD_H
#define NODELAB_NETD_H

#include "netd-config.h"
#include "error.h"

struct netd;

/* Creates a netd for cfg (copied where needed; cfg may be freed after).
 * Validates the cluster model (subnets, remotes); touches nothing.
 * Returns 0 and *out (freed with netd_destroy()), or -1 and *err. */
int netd_create(const struct netd_config *cfg, struct netd **out, struct lab_error **err);

/* Connects to OVSDB and makes OVS match the desired state: br0 with vxlan0
 * (port 1) and tun0 (port 2, the gateway address, MTU), br-phy holding the
 * underlay NIC with the underlay address, pods found on br0 adopted (those
 * whose veth is gone are removed), the whole flow table replaced atomically;
 * then opens the control socket.  Blocks up to about 30 s waiting for
 * ovsdb-server and ovs-vswitchd.  Returns 0, or -1 and *err. */
int netd_start(struct netd *n, struct lab_error **err);

/* Serves the control socket until netd/exit (or a fatal signal, which OVS's
 * fatal-signal module turns into exit after removing the socket). */
void netd_run(struct netd *n);

void netd_destroy(struct netd *n);

/* Attaches pod `pod` (CNI ADD): a veth whose pod end is eth0 inside the
 * network namespace `netns` (a path to a nsfs file, or a PID), with address
 * ip (dotted quad; the prefix is the node subnet's), the MTU, a MAC derived
 * from the address, a default route via the gateway and transmit checksum
 * offload off; the host end joins br0 with external_ids naming the pod; the
 * pod's flows are added.  Fails with EEXIST (name or address in use) or
 * EINVAL (bad address) before changing anything; a later failure undoes what
 * was done.  On success fills *ofport (may be NULL). */
int netd_pod_add(struct netd *n, const char *pod, const char *netns, const char *ip, int *ofport,
                 struct lab_error **err);

/* Detaches pod `pod` (CNI DEL): removes its flows, its br0 port and its veth
 * (which takes eth0 and its address and route out of the pod's namespace).
 * ENOENT when the pod is not attached. */
int netd_pod_del(struct netd *n, const char *pod, struct lab_error **err);

/* Adds or removes a remote node, updating the tunnel flows. */
int netd_remote_add(struct netd *n, const char *node, const char *subnet, const char *underlay,
                    struct lab_error **err);
int netd_remote_del(struct netd *n, const char *node, struct lab_error **err);

/* Describes the node, remote nodes and pods as text (malloc'd; caller frees). */
char *netd_show(const struct netd *n);

/* The same as one JSON object: {"node", "subnet", "gateway", "underlay",
 * "mtu", "remotes": [{"name", "subnet", "underlay"}], "pods": [{"name", "ip",
 * "mac", "port", "ofport"}], "flows"}.  Malloc'd; the caller frees it. */
char *netd_show_json(const struct netd *n);

#endif
