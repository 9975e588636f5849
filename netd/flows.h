/* The OpenFlow table of a node's br0, as a pure function of the cluster model.
 *
 * The model is what netd wants: this node (name, its /24, gateway, underlay
 * address), the remote nodes (their /24 and underlay address) and the pods
 * attached here (name, address, OpenFlow port).  flows_generate() turns it
 * into flows in ovs-ofctl text syntax; nothing here talks to OVS or the
 * kernel, so unit tests run without root.
 *
 * Table layout (after OpenShift SDN's br0, without its network-policy tables):
 *
 *   0   classify by in_port: vxlan0 (port 1) -> 10 when the source or the
 *       destination is in the cluster network (a remote node answers a local
 *       pod from its underlay address), tun0 (port 2) -> 30, any other port
 *       (a pod) -> 20; everything else is dropped.
 *   10  VXLAN ingress: only from a known remote node (tun_src) and on the
 *       cluster's VNI (tun_id=FLOWS_VNI) -> 30.
 *   20  pod ingress, anti-spoofing: a pod's port may send only from its own
 *       MAC and IP (IP and ARP) -> 30; IP leaves its subnet only in frames
 *       addressed to the gateway's MAC, as a router takes only those.
 *   30  routing: to the gateway (.1) -> tun0; ARP for the local subnet -> 40;
 *       IP for the local subnet -> 70; IP for the rest of the cluster network
 *       -> 90; ARP from tun0 for a remote pod is answered here (proxy ARP with
 *       the subnet's router MAC), since pods and nodes reach remote subnets
 *       through the gateway and never ARP across the tunnel; the last rule
 *       before the drop: any other IP (outside the cluster network) -> 100.
 *   40  ARP to a local pod -> its port.
 *   70  IP to a local pod: destination MAC set to the pod's (packets routed
 *       through the gateway carry the gateway's MAC) -> its port.
 *   90  IP to a remote node's subnet: set tun_dst to that node's underlay
 *       address, output to vxlan0 -- exactly one flow per remote node.
 *   100 egress (OpenShift SDN's table 100, without its egress IPs and
 *       policies): IP from the local subnet -- a local pod, as table 20
 *       checked -- to tun0 with the gateway's MAC; the node routes it (netd
 *       turns on IPv4 forwarding in the node).  No NAT: the answer comes back
 *       to the pod's own address, through the node's route to the cluster
 *       network on tun0 (and, from another node, through the tunnel).
 *
 * Every table ends with a priority-0 drop.  MAC addresses are derived from IP
 * addresses (0a:58:<IPv4 bytes>, the OpenShift/OVN-Kubernetes convention), so
 * the flows follow from the model alone: the pod's eth0 and tun0 are given
 * those MACs when netd creates them. */
#ifndef NODELAB_NETD_FLOWS_H
#define NODELAB_NETD_FLOWS_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "ipv4.h"
#include "sdn-layout.h"

/* OpenFlow port numbers fixed by the layout (ofport_request in OVSDB). */
enum { FLOWS_PORT_VXLAN = SDN_OFPORT_VXLAN, FLOWS_PORT_TUN0 = SDN_OFPORT_TUN0 };

#define FLOWS_VNI SDN_VNI

/* Length of a MAC address string "0a:58:0a:01:01:02" with its NUL. */
#define FLOWS_MAC_STRLEN 18

struct flows_model;

/* One flow: its identity for OpenFlow is (table, priority, match). */
struct flows_entry {
  uint8_t table;
  uint16_t priority;
  char *match;   /* ovs-ofctl match fields, "" for match-all; owned */
  char *actions; /* ovs-ofctl actions; owned */
};

/* A list of flows, sorted by table, then priority (high first), then text. */
struct flows_list {
  struct flows_entry *v;
  size_t n;
};

/* Creates a model for the node `node` whose pods live in subnet/prefix
 * (host byte order; the gateway is the subnet's first address) inside the
 * cluster network cluster/cluster_prefix, with underlay address `underlay`.
 * Returns NULL and *err when the subnet is not inside the cluster network or
 * is smaller than a /30.  The caller frees it with flows_model_free(). */
struct flows_model *flows_model_new(const char *node, uint32_t cluster, int cluster_prefix,
                                    uint32_t subnet, int prefix, uint32_t underlay,
                                    struct lab_error **err);
void flows_model_free(struct flows_model *m);

/* Adds remote node `node` with pod subnet subnet/prefix reached at underlay
 * address `underlay`.  Fails with EEXIST when the name or the underlay address
 * is already known, EINVAL when the subnet is outside the cluster network or
 * overlaps another node's; the model is unchanged on failure. */
int flows_model_add_remote(struct flows_model *m, const char *node, uint32_t subnet, int prefix,
                           uint32_t underlay, struct lab_error **err);

/* Removes remote node `node`; ENOENT when unknown. */
int flows_model_del_remote(struct flows_model *m, const char *node, struct lab_error **err);

/* Adds local pod `pod` with address `ip` on OpenFlow port `ofport`.  Fails with
 * EEXIST when the name, the address or the port is in use, EINVAL when the
 * address is not a host address of the node's subnet other than the gateway,
 * or the port is one of the fixed ports; the model is unchanged on failure. */
int flows_model_add_pod(struct flows_model *m, const char *pod, uint32_t ip, int ofport,
                        struct lab_error **err);

/* Checks that pod `pod` with address `ip` could be added (the checks of
 * flows_model_add_pod() except the port's), changing nothing. */
int flows_model_check_pod(const struct flows_model *m, const char *pod, uint32_t ip,
                          struct lab_error **err);

/* Removes local pod `pod`; ENOENT when unknown. */
int flows_model_del_pod(struct flows_model *m, const char *pod, struct lab_error **err);

/* Changes the OpenFlow port of pod `pod` (ports are known only once OVS has
 * attached the interface).  ENOENT when unknown, EEXIST when in use. */
int flows_model_set_pod_ofport(struct flows_model *m, const char *pod, int ofport,
                               struct lab_error **err);

/* Looks up pod `pod`: returns 0 and fills *ip and *ofport (either may be
 * NULL), or -1 when unknown (no error object: a lookup, not a failure). */
int flows_model_find_pod(const struct flows_model *m, const char *pod, uint32_t *ip, int *ofport);

/* Returns the name of the pod using address ip, or NULL.  Borrowed. */
const char *flows_model_pod_by_ip(const struct flows_model *m, uint32_t ip);

size_t flows_model_pod_count(const struct flows_model *m);
/* The i-th pod, by name order (i < flows_model_pod_count()); borrowed. */
const char *flows_model_pod_name(const struct flows_model *m, size_t i);

size_t flows_model_remote_count(const struct flows_model *m);
/* The i-th remote node by name order: name (borrowed), subnet, prefix, underlay. */
void flows_model_remote(const struct flows_model *m, size_t i, const char **node, uint32_t *subnet,
                        int *prefix, uint32_t *underlay);

/* The node's gateway address (the subnet's .1), host byte order. */
uint32_t flows_model_gateway(const struct flows_model *m);

/* Computes the whole flow table of the model into *out (which the caller
 * releases with flows_list_free()).  Returns 0, or -1 and *err on allocation
 * failure. */
int flows_generate(const struct flows_model *m, struct flows_list *out, struct lab_error **err);

/* Computes what turns `from` into `to` (both sorted as flows_generate() sorts): *removed gets the
 * flows of `from` absent from `to`, *added the flows of `to` absent from `from` (copies; the caller
 * frees both).  A flow whose actions changed appears in both. */
int flows_diff(const struct flows_list *from, const struct flows_list *to,
               struct flows_list *removed, struct flows_list *added, struct lab_error **err);

void flows_list_free(struct flows_list *l);

/* Formats one flow for ovs-ofctl / netd_ofp_parse_flow():
 * "table=T,priority=P[,MATCH] actions=ACTIONS".  Returns a malloc'd string
 * (the caller frees it), or NULL when out of memory. */
char *flows_entry_format(const struct flows_entry *f);

/* Formats only the flow's identity, "table=T,priority=P[,MATCH]", as a strict
 * delete needs it.  Malloc'd, or NULL when out of memory. */
char *flows_entry_format_match(const struct flows_entry *f);

/* Writes the MAC derived from IPv4 address ip (host byte order),
 * "0a:58:" followed by its four bytes, into buf. */
void flows_mac_for_ip(uint32_t ip, char buf[FLOWS_MAC_STRLEN]);

#endif
