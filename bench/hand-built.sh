# shellcheck shell=bash
# The hand-built side of the netd benchmarks (sourced, after
# tests/integration/netd-lib.sh): the same OVS path as netd's, built with the
# OVS tools and ip, with the fewest flows that work.

underlay_pair() { # NODE_A IP_A NODE_B IP_B
  ip link add eth0 netns "${NODE_PID[$1]}" type veth peer name eth0 netns "${NODE_PID[$3]}"
  in_node "$1" ip addr add "$2/24" dev eth0
  in_node "$3" ip addr add "$4/24" dev eth0
  in_node "$1" ip link set eth0 up
  in_node "$3" ip link set eth0 up
}

hand_node() { # NODE SUBNET_PREFIX (e.g. 10.1.3) UNDERLAY REMOTE_UNDERLAY POD
  local n=$1 net=$2 u=$3 ru=$4 p=$5
  in_node "$n" ovs-vsctl -- add-br br0 -- set Bridge br0 datapath_type=netdev fail_mode=secure \
    protocols=OpenFlow13 \
    -- add-port br0 vxlan0 -- set Interface vxlan0 type=vxlan ofport_request=1 \
       options:remote_ip=flow options:key=flow options:dst_port=4789 \
    -- add-br br-phy -- set Bridge br-phy datapath_type=netdev -- add-port br-phy eth0
  in_node "$n" ip addr del "$u/24" dev eth0
  in_node "$n" ip addr add "$u/24" dev br-phy
  in_node "$n" ip link set br-phy up
  ip link add "veth$p" netns "${NODE_PID[$n]}" type veth peer name eth0 netns "${POD_PID[$p]}"
  in_node "$n" ip link set "veth$p" mtu 1450 up
  in_node "$n" ovs-vsctl add-port br0 "veth$p" -- set Interface "veth$p" ofport_request=3
  in_pod "$p" ip link set lo up
  in_pod "$p" ip link set eth0 mtu 1450 up
  in_pod "$p" ip addr add "$net.2/16" dev eth0
  in_pod "$p" ethtool -K eth0 tx off >/dev/null
  in_node "$n" ovs-ofctl -O OpenFlow13 add-flow br0 "in_port=1,actions=output:3"
  in_node "$n" ovs-ofctl -O OpenFlow13 add-flow br0 "in_port=3,actions=set_field:$ru->tun_dst,output:1"
}
