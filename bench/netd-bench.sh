#!/usr/bin/env bash
# netd benchmarks (issue 3), run as root on an otherwise idle machine:
#   1. cross-node TCP throughput (iperf3, 5 x 5 s each, interleaved) between pods attached by
#      nodelab-netd, against the same OVS path (userspace datapath, br0 +
#      vxlan0 with flow-chosen tun_dst, br-phy) built by hand with ovs-vsctl,
#      ovs-ofctl and ip, with the fewest flows that work;
#   2. attach latency: N pod ADDs on one node (netd's own measure, and the
#      wall time of `ovs-appctl netd/pod-add` including ovs-appctl's start);
#   3. bring-up of OVS and flows on NODES nodes in parallel (ovsdb-server +
#      ovs-vswitchd, then nodelab-netd with NODES-1 remotes each).
# Prints medians.  Usage: bench/netd-bench.sh [PODS=20] [NODES=20]
# NODELAB_BUILD_DIR selects the build (default ./build).
PODS=${1:-20}
NODES=${2:-20}
source "$(dirname "$0")/../tests/integration/netd-lib.sh"
# shellcheck source=bench/hand-built.sh
source "$(dirname "$0")/hand-built.sh"

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

iperf_runs() { # CLIENT_POD SERVER_POD SERVER_IP -> Mbit/s of one 5 s run
  local c=$1 s=$2 ip=$3 i
  for i in 1; do
    in_pod "$s" iperf3 -s -1 -B "$ip" >/dev/null 2>&1 &
    local srv=$!
    sleep 0.3
    timeout 30 nsenter -t "${POD_PID[$c]}" -n -- iperf3 -c "$ip" -t 5 -J >"$NETD_TMP/ip.json"
    wait $srv || true
    python3 -c 'import json,sys; print("%.0f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]/1e6))' "$NETD_TMP/ip.json"
  done
}


# ---- 1a. throughput through netd ----
node_start node1
node_start node2
underlay_pair node1 192.168.122.202 node2 192.168.122.203
netd_start node1 --node node1 --subnet 10.1.1.0/24 --underlay 192.168.122.202/24 \
  --remote node2=10.1.2.0/24@192.168.122.203
netd_start node2 --node node2 --subnet 10.1.2.0/24 --underlay 192.168.122.203/24 \
  --remote node1=10.1.1.0/24@192.168.122.202
pod_ns a
pod_ns b
netd_ctl node1 netd/pod-add a "${POD_PID[a]}" 10.1.1.2 >/dev/null
netd_ctl node2 netd/pod-add b "${POD_PID[b]}" 10.1.2.2 >/dev/null
in_pod a ping -c 3 -i 0.2 -W 2 10.1.2.2 >/dev/null  # the first packet may go while OVS resolves the remote underlay MAC

# ---- 2. attach latency on node1 ----
internal=() wall=()
for i in $(seq "$PODS"); do
  pod_ns "p$i"
  t0=$(now_ms)
  out=$(netd_ctl node1 netd/pod-add "p$i" "${POD_PID[p$i]}" "10.1.1.$((10 + i))")
  t1=$(now_ms)
  internal+=("$(sed -n 's/.*, \([0-9]*\) ms$/\1/p' <<<"$out")")
  wall+=("$((t1 - t0))")
done
for i in $(seq "$PODS"); do netd_ctl node1 netd/pod-del "p$i"; kill -9 "${POD_PID[p$i]}"; unset "POD_PID[p$i]"; done

# ---- 1b. the same path by hand ----
node_start node3
node_start node4
underlay_pair node3 192.168.122.204 node4 192.168.122.205
pod_ns c
pod_ns d
hand_node node3 10.1.3 192.168.122.204 192.168.122.205 c
hand_node node4 10.1.4 192.168.122.205 192.168.122.204 d
in_pod c ping -c 3 -i 0.2 -W 2 10.1.4.2 >/dev/null
# Interleaved, so that load from elsewhere on the machine hits both alike.
netd_runs="" hand_runs=""
for r in 1 2 3 4 5; do
  netd_runs+="$(iperf_runs a b 10.1.2.2) "
  hand_runs+="$(iperf_runs c d 10.1.4.2) "
done
for n in node1 node2 node3 node4; do kill -9 -- "-${NODE_PID[$n]}"; unset "NODE_PID[$n]"; done
for n in node1 node2; do kill -9 "${NETD_PID[$n]}"; unset "NETD_PID[$n]"; done

# ---- 3. NODES nodes in parallel ----
unshare --net sleep infinity </dev/null >/dev/null 2>&1 &
POD_PID[fabric]=$!
sleep 0.05
in_pod fabric ip link add fab type bridge
in_pod fabric ip link set fab up
t0=$(now_ms)
for i in $(seq "$NODES"); do node_spawn "n$i"; done
for i in $(seq "$NODES"); do node_wait "n$i"; done
t_ovs=$(now_ms)
for i in $(seq "$NODES"); do
  ip link add eth0 netns "${NODE_PID[n$i]}" type veth peer name "n$i" netns "${POD_PID[fabric]}"
  in_pod fabric ip link set "n$i" master fab up
  in_node "n$i" ip addr add "192.168.122.$((200 + i))/24" dev eth0
  in_node "n$i" ip link set eth0 up
done
t_links=$(now_ms)
for i in $(seq "$NODES"); do
  args=(--node "n$i" --subnet "10.1.$i.0/24" --underlay "192.168.122.$((200 + i))/24")
  for j in $(seq "$NODES"); do
    [ "$j" = "$i" ] || args+=(--remote "n$j=10.1.$j.0/24@192.168.122.$((200 + j))")
  done
  nsenter -t "${NODE_PID[n$i]}" -n -m -- "$NETD" "${args[@]}" >>"$NETD_TMP/n$i-netd.log" 2>&1 &
  NETD_PID[n$i]=$!
done
for i in $(seq "$NODES"); do
  for k in $(seq 600); do
    in_node "n$i" ovs-appctl -t $CTL netd/show >/dev/null 2>&1 && break
    kill -0 "${NETD_PID[n$i]}" || { echo "netd on n$i exited" >&2; exit 1; }
    sleep 0.05
  done
done
t_netd=$(now_ms)
tunnels=$(in_node n1 ovs-ofctl -O OpenFlow13 dump-flows br0 | grep -c tun_dst)
ready=$(grep -ho 'ready in [0-9]* ms' "$NETD_TMP"/n*-netd.log | awk '{print $3}' | median)
in_node n1 ping -c 3 -i 0.2 -W 2 10.1.$NODES.1 >/dev/null && reach=yes || reach=no

echo "throughput netd (Mbit/s, 5 runs):    $netd_runs -> median $(tr ' ' '\n' <<<"$netd_runs" | grep . | median)"
echo "throughput by hand (Mbit/s, 5 runs): $hand_runs -> median $(tr ' ' '\n' <<<"$hand_runs" | grep . | median)"
echo "attach latency, $PODS pods: median $(printf '%s\n' "${internal[@]}" | median) ms in netd, $(printf '%s\n' "${wall[@]}" | median) ms wall (ovs-appctl included)"
echo "$NODES nodes in parallel: OVS daemons up $((t_ovs - t0)) ms; underlay $((t_links - t_ovs)) ms; netd bridges+flows on all $((t_netd - t_links)) ms (median per node $ready ms); $tunnels tunnel flows on n1; n1 -> n$NODES tun0 ping: $reach"
