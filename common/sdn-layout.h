/* The fixed layout of a node's switch, OpenShift-SDN style (README
 * "Network layout"): the names and numbers netd builds and the fault engine
 * breaks, spelled once. */
#ifndef NODELAB_SDN_LAYOUT_H
#define NODELAB_SDN_LAYOUT_H

#define SDN_BRIDGE "br0"             /* the pods' bridge */
#define SDN_UNDERLAY_BRIDGE "br-phy" /* holds eth0 and the node's underlay address */
#define SDN_VXLAN_PORT "vxlan0"      /* OpenFlow port SDN_OFPORT_VXLAN of br0 */
#define SDN_TUN_PORT "tun0"          /* OpenFlow port SDN_OFPORT_TUN0: the node's gateway */
#define SDN_OFPORT_VXLAN 1
#define SDN_OFPORT_TUN0 2
/* The VXLAN VNI of the cluster's network (OpenShift SDN's global VNID 0):
 * tunnelled packets carry it, and table 10 accepts no other. */
#define SDN_VNI 0

#endif
