/* The default lab's three nodes as the fault engine's view gives them
 * (master pid 100, node1 101, node2 102; the fabric is pid 99), for unit
 * tests of the engine that need no daemons. */
#ifndef NODELAB_FAULT_TEST_NODES_H
#define NODELAB_FAULT_TEST_NODES_H

#include "fault.h"

static const struct fault_view_node nodes[] = {
    {.name = "master",
     .pid = 100,
     .underlay = "192.168.122.201/24",
     .subnet = "10.1.0.0/24",
     .fabric_ifname = "vn1"},
    {.name = "node1",
     .pid = 101,
     .underlay = "192.168.122.202/24",
     .subnet = "10.1.1.0/24",
     .fabric_ifname = "vn2"},
    {.name = "node2",
     .pid = 102,
     .underlay = "192.168.122.203/24",
     .subnet = "10.1.2.0/24",
     .fabric_ifname = "vn3"},
};

#endif
