#!/usr/bin/env bash
# nodelab-netd on two hand-made nodes: bridges, ports, tunnel flows, pod
# attach/detach, ping both ways, MTU 1450 exactly, a 100 MB TCP transfer,
# node-to-pod ping, pods to the nodes' underlay addresses (egress through
# tun0), ADD errors that change nothing, DEL putting lo down only when ADD
# brought it up, and adoption of pods by a restarted netd after kill -9.
source "$(dirname "$0")/netd-lib.sh"

node_start node1
node_start node2
# The underlay: eth0 of each node, directly connected.
ip link add eth0 netns "${NODE_PID[node1]}" type veth peer name eth0 netns "${NODE_PID[node2]}"
in_node node1 ip addr add 192.168.122.202/24 dev eth0
in_node node2 ip addr add 192.168.122.203/24 dev eth0
in_node node1 ip link set eth0 up
in_node node2 ip link set eth0 up

netd_start node1 --node node1 --subnet 10.1.1.0/24 --underlay 192.168.122.202/24 \
  --remote node2=10.1.2.0/24@192.168.122.203
netd_start node2 --node node2 --subnet 10.1.2.0/24 --underlay 192.168.122.203/24 \
  --remote node1=10.1.1.0/24@192.168.122.202

# --- bridges and ports ---
for n in node1 node2; do
  show=$(in_node $n ovs-vsctl show)
  grep -q 'Bridge br0' <<<"$show" || fail "$n: no br0"
  grep -q 'Port vxlan0' <<<"$show" || fail "$n: no vxlan0"
  grep -q 'Port tun0' <<<"$show" || fail "$n: no tun0"
  [ "$(in_node $n ovs-vsctl get Interface vxlan0 ofport)" = 1 ] || fail "$n: vxlan0 not port 1"
  [ "$(in_node $n ovs-vsctl get Interface tun0 ofport)" = 2 ] || fail "$n: tun0 not port 2"
  [ "$(in_node $n ovs-vsctl get Bridge br0 fail_mode)" = secure ] || fail "$n: fail_mode"
  [ "$(in_node $n ovs-vsctl get Bridge br0 datapath_type)" = netdev ] || fail "$n: datapath"
  in_node $n ovs-vsctl get Interface vxlan0 options | grep -q 'remote_ip=flow' || fail "$n: vxlan opts"
  in_node $n ip -o addr show br-phy | grep -q 192.168.122.20 || fail "$n: underlay not on br-phy"
  ! in_node $n ip -o -4 addr show eth0 | grep -q inet || fail "$n: underlay still on eth0"
  mac=$(in_node $n ip -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
  in_node $n ip -o link show br-phy | grep -q "link/ether $mac " || fail "$n: br-phy MAC is not eth0's ($mac)"
done
in_node node1 ip -o addr show tun0 | grep -q '10.1.1.1/24' || fail "node1: tun0 address"
in_node node2 ip -o addr show tun0 | grep -q '10.1.2.1/24' || fail "node2: tun0 address"
in_node node1 ip -o link show tun0 | grep -q "mtu 1450 " || fail "tun0 mtu"
ok "br0 with vxlan0 (ofport 1) and tun0 (ofport 2, a different .1 per node), br-phy"

# --- tunnel flows: exactly one per remote node ---
f1=$(in_node node1 ovs-ofctl -O OpenFlow13 dump-flows br0)
f2=$(in_node node2 ovs-ofctl -O OpenFlow13 dump-flows br0)
[ "$(grep -c 'tun_dst' <<<"$f1")" = 1 ] || fail "node1: tunnel flows: $(grep tun_dst <<<"$f1")"
grep -q 'nw_dst=10.1.2.0/24 actions=set_field:192.168.122.203->tun_dst' <<<"$f1" || fail "node1 tunnel flow"
[ "$(grep -c 'tun_dst' <<<"$f2")" = 1 ] || fail "node2: tunnel flows"
grep -q 'nw_dst=10.1.1.0/24 actions=set_field:192.168.122.202->tun_dst' <<<"$f2" || fail "node2 tunnel flow"
ok "one tunnel flow per remote node, tun_dst = its underlay address"

# --- pods: one on each node (by nsfs path and by PID) ---
pod_ns a
pod_ns b
netd_ctl node1 netd/pod-add a "/proc/${POD_PID[a]}/ns/net" 10.1.1.2
netd_ctl node2 netd/pod-add b "${POD_PID[b]}" 10.1.2.2
in_pod a ip -o addr show eth0 | grep -q '10.1.1.2/24' || fail "pod a address"
in_pod a ip -o link show eth0 | grep -q "mtu 1450 " || fail "pod a mtu"
in_pod a ip route | grep -q 'default via 10.1.1.1' || fail "pod a route"
in_pod a ethtool -k eth0 | grep -q '^tx-checksumming: off' || fail "pod a tx offload"
in_pod a ip -o link show lo | grep -q '<LOOPBACK,UP' || fail "pod a: lo is not up"
in_node node1 ovs-vsctl get Interface veth0a010102 external_ids:nodelab-lo-up >/dev/null 2>&1 ||
  fail "pod a: ADD brought lo up but did not record it"
in_node node1 ovs-vsctl --bare --columns=external_ids find Interface external_ids:nodelab-pod=a |
  grep -q 'nodelab-ip=10.1.1.2' || fail "external_ids on pod a's interface"
netd_ctl node1 netd/show --json | python3 -c 'import json,sys; d=json.load(sys.stdin); p=d["pods"][0]; assert (d["node"], d["gateway"], p["name"], p["ip"], p["mac"], p["ofport"]) == ("node1", "10.1.1.1", "a", "10.1.1.2", "0a:58:0a:01:01:02", 3), d; assert d["remotes"] == [{"name": "node2", "subnet": "10.1.2.0/24", "underlay": "192.168.122.203"}], d' ||
  fail "netd/show --json"
ok "pods attached: eth0, address, MTU, route, tx checksum off, external_ids; netd/show --json"

in_pod a ping -c 3 -i 0.2 -W 2 10.1.2.2 >/dev/null || fail "ping a -> b"
in_pod b ping -c 3 -i 0.2 -W 2 10.1.1.2 >/dev/null || fail "ping b -> a"
ok "ping both ways across VXLAN"
in_pod a ping -c 2 -i 0.2 -W 2 -M do -s 1422 10.1.2.2 >/dev/null || fail "DF 1422"
! in_pod a ping -c 2 -i 0.2 -W 1 -M do -s 1423 10.1.2.2 >/dev/null 2>&1 || fail "DF 1423 passed"
ok "DF ping of 1422 bytes passes, 1423 does not"
in_node node1 ping -c 2 -i 0.2 -W 2 10.1.1.2 >/dev/null || fail "node1 -> local pod"
in_node node1 ping -c 2 -i 0.2 -W 2 10.1.2.2 >/dev/null || fail "node1 -> remote pod"
in_node node2 ping -c 2 -i 0.2 -W 2 10.1.1.2 >/dev/null || fail "node2 -> remote pod"
ok "nodes reach local and remote pods through tun0"
for n in node1 node2; do
  [ "$(in_node $n cat /proc/sys/net/ipv4/ip_forward)" = 1 ] || fail "$n does not forward"
done
for dst in 192.168.122.202 192.168.122.203; do
  in_pod a ping -c 3 -i 0.2 -W 2 "$dst" >"$NETD_TMP/ping" 2>&1 || { cat "$NETD_TMP/ping" >&2; fail "pod a -> $dst"; }
  ! grep -q DUP "$NETD_TMP/ping" || { cat "$NETD_TMP/ping" >&2; fail "pod a -> $dst: duplicates"; }
done
in_pod b ping -c 2 -i 0.2 -W 2 192.168.122.202 >/dev/null || fail "pod b -> node1's underlay"
ok "pods reach both nodes' underlay addresses through their node (no duplicates)"

in_pod b iperf3 -s -1 -B 10.1.2.2 >/dev/null 2>&1 &
srv=$!
iperf_listening() { in_pod b ss -Hltn "sport = :5201" | grep -q .; }
wait_for 10 "iperf3 to listen in pod b" iperf_listening || fail "iperf3 -s did not listen in pod b"
timeout 60 nsenter -t "${POD_PID[a]}" -n -- iperf3 -c 10.1.2.2 -n 100M -J >"$NETD_TMP/iperf.json" ||
  fail "iperf3 100M"
wait $srv || true
# iperf3's -n 100M is 100 MiB sent; the server's tally stops a little early.
python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["end"]; s=e["sum_sent"]["bytes"]; r=e["sum_received"]["bytes"]; assert s >= 100*2**20 and r >= 100e6, (s, r); print("ok - 100 MB TCP transfer, %.0f Mbit/s" % (e["sum_received"]["bits_per_second"]/1e6))' "$NETD_TMP/iperf.json"

# --- ADD errors change nothing ---
pod_ns c
before=$(in_node node1 ovs-vsctl list-ports br0 | sort | tr '\n' ' ')
flows_before=$(in_node node1 ovs-ofctl -O OpenFlow13 dump-flows br0 --no-stats | sort)
if err=$(netd_ctl node1 netd/pod-add a "${POD_PID[c]}" 10.1.1.9 2>&1); then fail "duplicate name accepted"; fi
grep -q 'already attached' <<<"$err" || fail "duplicate name: $err"
if err=$(netd_ctl node1 netd/pod-add c "${POD_PID[c]}" 10.1.1.2 2>&1); then fail "duplicate ip accepted"; fi
grep -q 'in use by pod a' <<<"$err" || fail "duplicate ip: $err"
if err=$(netd_ctl node1 netd/pod-add c "${POD_PID[c]}" 10.1.2.9 2>&1); then fail "foreign subnet accepted"; fi
[ "$(in_node node1 ovs-vsctl list-ports br0 | sort | tr '\n' ' ')" = "$before" ] || fail "ports changed"
[ "$(in_node node1 ovs-ofctl -O OpenFlow13 dump-flows br0 --no-stats | sort)" = "$flows_before" ] || fail "flows changed"
! in_pod c ip link show eth0 >/dev/null 2>&1 || fail "pod c got an eth0"
ok "ADD with a name or address in use: clear error, nothing changed"

# --- DEL undoes ADD; ADD again works ---
netd_ctl node1 netd/pod-del a
! in_pod a ip link show eth0 >/dev/null 2>&1 || fail "pod a still has eth0"
in_node node1 ovs-vsctl list-ports br0 | grep -q veth && fail "port left on br0"
in_node node1 ovs-vsctl --bare find Interface external_ids:nodelab-pod=a | grep -q . && fail "interface row left"
in_node node1 ovs-ofctl -O OpenFlow13 dump-flows br0 | grep -q '10.1.1.2' && fail "flows of a left"
in_pod a ip -o link show lo | grep -q '<LOOPBACK,UP' && fail "pod a: DEL left lo up, which ADD brought up"
netd_ctl node1 netd/pod-add a "${POD_PID[a]}" 10.1.1.2 >/dev/null
in_pod a ip -o link show lo | grep -q '<LOOPBACK,UP' || fail "pod a: lo not up after re-ADD"
in_pod a ping -c 2 -i 0.2 -W 2 10.1.2.2 >/dev/null || fail "ping after re-ADD"
ok "DEL removes port, interface, flows, eth0 and puts lo down again; ADD again works"

# A pod whose runtime brought lo up itself: ADD does not record it, DEL leaves it.
pod_ns d
in_pod d ip link set lo up
netd_ctl node1 netd/pod-add d "${POD_PID[d]}" 10.1.1.5 >/dev/null
if in_node node1 ovs-vsctl get Interface veth0a010105 external_ids:nodelab-lo-up >/dev/null 2>&1; then
  fail "pod d: ADD recorded lo as its own"
fi
netd_ctl node1 netd/pod-del d
in_pod d ip -o link show lo | grep -q '<LOOPBACK,UP' || fail "pod d: DEL put down the lo its runtime brought up"
ok "DEL leaves lo up when ADD found it up"

# --- kill -9 netd: the restarted one adopts the pods ---
kill -9 "${NETD_PID[node1]}"
wait "${NETD_PID[node1]}" 2>/dev/null || true
in_pod a ping -c 2 -i 0.2 -W 2 10.1.2.2 >/dev/null || fail "ping while netd is down"
netd_start node1 --node node1 --subnet 10.1.1.0/24 --underlay 192.168.122.202/24 \
  --remote node2=10.1.2.0/24@192.168.122.203
netd_ctl node1 netd/show | grep -q '^pod a ip 10.1.1.2' || fail "pod a not adopted"
in_pod a ping -c 2 -i 0.2 -W 2 10.1.2.2 >/dev/null || fail "ping after netd restart"
[ "$(in_node node1 ovs-ofctl -O OpenFlow13 dump-flows br0 | grep -c 'nw_dst=10.1.1.2')" = 1 ] || fail "flows after restart"
ok "after kill -9, a restarted netd adopts existing pods; they keep working"

# --- ovs-vswitchd dies and comes back (its supervisor restarts it) ---
vswitchd2=$(in_node node2 cat /run/openvswitch/ovs-vswitchd.pid)
kill -9 "$vswitchd2"
wait_for 10 "node2's ovs-vswitchd to die" pid_gone "$vswitchd2" || fail "ovs-vswitchd survived kill -9"
nsenter -t "${NODE_PID[node2]}" -n -m -- ovs-vswitchd unix:/run/openvswitch/db.sock --pidfile \
  --log-file=/var/log/openvswitch/ovs-vswitchd.log 2>>"$NETD_TMP/node2-vswitchd.log" &
POD_PID[vswitchd2]=$!
back=no
for i in $(seq 50); do
  if in_pod a ping -c 1 -W 1 10.1.2.2 >/dev/null 2>&1; then back=yes; break; fi
done
[ $back = yes ] || fail "no ping after ovs-vswitchd restart"
in_node node2 ip -o addr show tun0 | grep -q '10.1.2.1/24' || fail "node2: tun0 address after restart"
[ "$(in_node node2 ovs-ofctl -O OpenFlow13 dump-flows br0 | grep -c 'tun_dst')" = 1 ] || fail "node2 flows after restart"
ok "netd reconciles a restarted ovs-vswitchd: tun0 address, br-phy, flows; ping works again"
# DEL by the netd restarted above (which never saw the ADD): the record of lo
# lives in OVSDB, so lo goes down all the same.
netd_ctl node1 netd/pod-del a
in_pod a ip -o link show lo | grep -q '<LOOPBACK,UP' && fail "pod a: DEL by a restarted netd left lo up"
ok "a restarted netd's DEL still puts down the lo that ADD brought up"
echo "PASS"
