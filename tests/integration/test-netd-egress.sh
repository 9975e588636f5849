#!/usr/bin/env bash
# Pods reach addresses outside the cluster network through their node, as in
# OpenShift SDN: br0's table 100 hands such packets to tun0 and the node
# routes them (IPv4 forwarding on in the node), without NAT.  Through the
# real product (`nodelab up` of the default lab):
#   - every node forwards, with loose reverse-path filtering on tun0/br-phy
#     and strict on the other links; the host's own settings do not change;
#   - br0 has exactly one egress flow; the trace that used to end in
#     "table 30, priority 0, drop" now leaves through tun0;
#   - web pings every node's underlay address (its own node's too), client
#     pings web's node's, without duplicates; TCP from web to a listener on
#     node2's underlay address arrives from web's own address (no NAT);
#   - pings between nodes and between pods carry no duplicates either (the
#     kernel of a node no longer takes the copies it sees on OVS's ports);
#   - an address outside every lab network (TEST-NET-2) fails cleanly: the
#     node answers "Net Unreachable", nothing leaves node1, and the host's
#     namespace sees nothing;
#   - after kill -9 of ovs-vswitchd (tun0 and br-phy come back bare), netd
#     re-applies the settings and egress works again;
#   - after `down` the host is exactly as before.
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
# A run directory of its own, so that the test does not meet another lab's daemon.
export NODELAB_RUNDIR=${NODELAB_RUNDIR:-/run/nodelab-egress}
NODELAB_RUN=$NODELAB_RUNDIR

LAB=${E2E_EGRESS_LAB:-egress-e2e}
NODES=(master node1 node2)
OUTSIDE=198.51.100.1 # TEST-NET-2: no lab network, no route in any node
e2e_init "$LAB"
for tool in tcpdump nsenter; do
  command -v "$tool" >/dev/null || fail "$tool is missing (tools/setup-deps.sh)"
done

snapshot "$E2E_TMP/before"
net_state >"$E2E_TMP/net-before"
host_sysctls() { # the host's own forwarding and filtering settings
  for k in ip_forward conf/all/rp_filter conf/default/rp_filter conf/all/forwarding; do
    printf '%s=%s\n' "$k" "$(cat "/proc/sys/net/ipv4/$k")"
  done
}
host_sysctls >"$E2E_TMP/sysctl-before"
host_unchanged() { # WHAT
  net_state >"$E2E_TMP/net-now"
  assert_same_snapshot "$E2E_TMP/net-before" "$E2E_TMP/net-now" "the host's network namespace $1"
  host_sysctls >"$E2E_TMP/sysctl-now"
  assert_same_snapshot "$E2E_TMP/sysctl-before" "$E2E_TMP/sysctl-now" "the host's sysctls $1"
}

nodelab up --name "$LAB" >"$E2E_TMP/up.out" || fail "nodelab up --name $LAB exited $?"
lab_status "$LAB" >"$E2E_TMP/status.json" || fail "nodelab status --json exited $?"
declare -A UNDERLAY SUBNET
for n in "${NODES[@]}"; do
  UNDERLAY[$n]=$(jq -r --arg n "$n" '.nodes[] | select(.name == $n) | .underlay | sub("/.*"; "")' "$E2E_TMP/status.json")
  SUBNET[$n]=$(jq -r --arg n "$n" '.nodes[] | select(.name == $n) | .subnet' "$E2E_TMP/status.json")
  [[ ${UNDERLAY[$n]} =~ ^192\.168\.122\.[0-9]+$ && ${SUBNET[$n]} =~ ^10\.1\.[0-9]+\.0/24$ ]] ||
    fail "$n: status gives underlay ${UNDERLAY[$n]} and subnet ${SUBNET[$n]}"
done
pod_field() { jq -r --arg p "$1" --arg f "$2" '.pods[] | select(.name == $p) | (.[$f] // .runtime[$f])' "$E2E_TMP/status.json"; }
WEB_IP=$(pod_field web ip)
CLIENT_IP=$(pod_field client ip)
WEB_INFRA=$(pod_field web infra_pid) # a pid in node1's pid namespace
[[ $WEB_IP == "${SUBNET[node1]%.0/24}".* && $CLIENT_IP == "${SUBNET[node2]%.0/24}".* ]] ||
  fail "pod addresses web=$WEB_IP client=$CLIENT_IP are not in node1's and node2's subnets"
[[ $WEB_INFRA =~ ^[0-9]+$ ]] || fail "no infra pid for web: $WEB_INFRA"
host_unchanged "after up"

# ---- the nodes forward, and filter as documented ----
sysctl_in() { nodelab exec "$1" -- cat "/proc/sys/net/ipv4/$2"; }
check_node_sysctls() { # NODE WHAT
  local k want got
  for kv in ip_forward=1 conf/all/rp_filter=0 conf/tun0/rp_filter=2 conf/br-phy/rp_filter=2 \
    conf/eth0/rp_filter=1 conf/default/rp_filter=1; do
    k=${kv%=*} want=${kv##*=}
    got=$(sysctl_in "$1" "$k") || fail "$1: reading $k"
    [ "$got" = "$want" ] || fail "$2: $1: net.ipv4.$k is $got, expected $want"
  done
}
for n in "${NODES[@]}"; do check_node_sysctls "$n" "after up"; done
port=$(nodelab exec node1 -- ovs-vsctl --bare --columns=name find Interface external_ids:nodelab-pod=web)
[ "$(sysctl_in node1 "conf/$port/rp_filter")" = 1 ] || fail "node1: web's veth $port is not strictly filtered"
say "every node: ip_forward=1, rp_filter loose on tun0 and br-phy, strict on eth0 and the pods' veths"

# ---- flows: exactly one egress flow per node ----
for n in "${NODES[@]}"; do
  nodelab exec "$n" -- ovs-ofctl -O OpenFlow13 --no-stats dump-flows br0 >"$E2E_TMP/flows-$n" ||
    fail "$n: dump-flows exited $?"
  [ "$(grep -c 'output:2' "$E2E_TMP/flows-$n" | tr -d ' ')" -ge 1 ] || fail "$n: nothing outputs to tun0"
  egress=$(grep -c "table=100, priority=100,ip,nw_src=${SUBNET[$n]} actions=set_field:.*->eth_dst,output:2" \
    "$E2E_TMP/flows-$n" || true)
  [ "$egress" = 1 ] || { cat "$E2E_TMP/flows-$n" >&2; fail "$n: $egress egress flows from ${SUBNET[$n]}, expected 1"; }
  [ "$(grep -c 'goto_table:100' "$E2E_TMP/flows-$n" || true)" = 1 ] ||
    { cat "$E2E_TMP/flows-$n" >&2; fail "$n: table 100 is not reached by exactly one flow"; }
done
web_mac=$(nodelab exec node1/web -- cat /sys/class/net/eth0/address)
gw_mac=$(nodelab exec node1 -- cat /sys/class/net/tun0/address)
web_ofport=$(nodelab exec node1 -- ovs-vsctl get Interface "$port" ofport)
nodelab exec node1 -- ovs-appctl ofproto/trace br0 \
  "in_port=$web_ofport,ip,dl_src=$web_mac,dl_dst=$gw_mac,nw_src=$WEB_IP,nw_dst=${UNDERLAY[node2]}" >"$E2E_TMP/trace" ||
  fail "ofproto/trace exited $?"
grep -q '^100\. ip,nw_src=.*priority 100' "$E2E_TMP/trace" && grep -q 'output:2' "$E2E_TMP/trace" &&
  ! grep -q 'Datapath actions: drop' "$E2E_TMP/trace" ||
  { cat "$E2E_TMP/trace" >&2; fail "the trace web -> ${UNDERLAY[node2]} does not leave through tun0"; }
say "one egress flow per node (table 100 -> tun0); web -> ${UNDERLAY[node2]} traces to output:2"

# ---- pods reach the nodes' underlay addresses ----
ping_clean() { # FROM TARGET WHAT: replies, and no duplicate
  nodelab exec "$1" -- ping -c 3 -i 0.2 -W 2 "$2" >"$E2E_TMP/ping" 2>&1 ||
    { cat "$E2E_TMP/ping" >&2; fail "$3: ping from $1 to $2 failed"; }
  ! grep -qi 'dup' "$E2E_TMP/ping" || { cat "$E2E_TMP/ping" >&2; fail "$3: duplicate replies from $1 to $2"; }
}
for n in "${NODES[@]}"; do ping_clean node1/web "${UNDERLAY[$n]}" "pod to $n's underlay"; done
ping_clean node2/client "${UNDERLAY[node1]}" "pod to web's node's underlay"
ping_clean node2/client "${UNDERLAY[node2]}" "pod to its own node's underlay"
ping_clean node1 "${UNDERLAY[node2]}" "node to node"
ping_clean node1/web "$CLIENT_IP" "pod to pod"
ping_clean node1/web "${SUBNET[node1]%.0/24}.1" "pod to its gateway"
say "web pings every node's underlay (${UNDERLAY[*]}), client pings ${UNDERLAY[node1]}; no duplicates anywhere"

# TCP from web to a listener on node2's underlay address.  The listener's
# stdin is a FIFO that never ends: busybox nc half-closes at EOF on stdin.
TOKEN="egress-$$-$RANDOM"
nodelab exec node2 -- sh -c "mkfifo /tmp/egress-in; exec 3<>/tmp/egress-in; rm /tmp/egress-in;
  busybox nc -l -p 7000 <&3" >"$E2E_TMP/rx" 2>&1 &
rx=$!
E2E_BG+=("$rx")
listening() { nodelab exec node2 -- ss -Hltn "sport = :7000" | grep -q .; }
wait_for 10 "node2 to listen on port 7000" listening || { cat "$E2E_TMP/rx" >&2; fail "no listener in node2"; }
# The sender keeps the connection open until the test has looked at it: its
# stdin ends when the test writes to the FIFO /tmp/egress-hold in web.
nodelab exec node1/web -- sh -c "rm -f /tmp/egress-hold; mkfifo /tmp/egress-hold &&
  (echo $TOKEN; cat /tmp/egress-hold) | nc ${UNDERLAY[node2]} 7000" &
tx=$!
E2E_BG+=("$tx")
peer_is_web() {
  # busybox nc listens on IPv6: addresses read "[::ffff:192.168.122.203]:7000".
  nodelab exec node2 -- ss -Htn state established "sport = :7000" |
    grep -Eq "(\[::ffff:)?${UNDERLAY[node2]//./\\.}\]?:7000 +(\[::ffff:)?${WEB_IP//./\\.}\]?:"
}
wait_for 5 "node2 to see a connection from $WEB_IP" peer_is_web ||
  { nodelab exec node2 -- ss -tn >&2; fail "node2's connection on :7000 is not from $WEB_IP (NAT?)"; }
nodelab exec node1/web -- sh -c "echo >/tmp/egress-hold; rm -f /tmp/egress-hold" ||
  fail "could not let the sender in web finish"
wait "$tx" || fail "the sender in web exited $?"
wait "$rx" || fail "the listener in node2 exited $?"
E2E_BG=()
[ "$(tr -d '\r\n' <"$E2E_TMP/rx")" = "$TOKEN" ] || fail "node2 received \"$(cat "$E2E_TMP/rx")\", expected $TOKEN"
say "TCP web -> ${UNDERLAY[node2]}:7000: data intact, the node sees the pod's own address $WEB_IP (no NAT)"

# ---- outside every lab network: fails cleanly, nothing leaves ----
tcpdump -i any -n -p -l "net ${OUTSIDE%.*}.0/24" >"$E2E_TMP/host-cap" 2>"$E2E_TMP/host-cap.err" &
hostcap=$!
E2E_BG+=("$hostcap")
nodelab exec node1 -- timeout 6 tcpdump -i br-phy -n -p -l "net ${OUTSIDE%.*}.0/24" >"$E2E_TMP/node-cap" \
  2>"$E2E_TMP/node-cap.err" &
nodecap=$!
E2E_BG+=("$nodecap")
wait_for 5 "tcpdump in the host" grep -q listening "$E2E_TMP/host-cap.err" || fail "tcpdump in the host did not start"
wait_for 5 "tcpdump in node1" grep -q listening "$E2E_TMP/node-cap.err" || fail "tcpdump in node1 did not start"
# The host's iputils ping in web's namespace (busybox's does not print ICMP errors).
if nodelab exec node1 -- nsenter -t "$WEB_INFRA" -n ping -c 2 -i 0.3 -W 1 "$OUTSIDE" >"$E2E_TMP/ping" 2>&1; then
  cat "$E2E_TMP/ping" >&2
  fail "ping to $OUTSIDE succeeded"
fi
grep -q "From ${SUBNET[node1]%.0/24}.1 .*Net Unreachable" "$E2E_TMP/ping" ||
  { cat "$E2E_TMP/ping" >&2; fail "ping to $OUTSIDE: no \"Net Unreachable\" from node1's gateway"; }
wait "$nodecap" || true
kill -INT "$hostcap" 2>/dev/null
wait "$hostcap" || true
E2E_BG=()
# (tcpdump ends its output with an empty line when it is stopped.)
! grep -q "${OUTSIDE%.*}" "$E2E_TMP/node-cap" && grep -q '^0 packets captured' "$E2E_TMP/node-cap.err" ||
  { cat "$E2E_TMP/node-cap" "$E2E_TMP/node-cap.err" >&2; fail "packets for $OUTSIDE left node1 on br-phy"; }
! grep -q "${OUTSIDE%.*}" "$E2E_TMP/host-cap" && grep -q '^0 packets captured' "$E2E_TMP/host-cap.err" ||
  { cat "$E2E_TMP/host-cap" "$E2E_TMP/host-cap.err" >&2; fail "the host's namespace saw packets for $OUTSIDE"; }
say "ping $OUTSIDE: $(grep -m1 Unreachable "$E2E_TMP/ping"); nothing on node1's br-phy, nothing in the host"
host_unchanged "after the traffic"

# ---- ovs-vswitchd restarts: tun0 and br-phy come back bare, netd re-applies ----
daemon() {
  lab_status "$LAB" | jq -r --arg n "$1" --arg d "$2" --arg f "$3" \
    '.nodes[] | select(.name == $n) | .daemons[] | select(.name == $d) | .[$f]'
}
old=$(daemon node1 ovs-vswitchd pid)
[ "$old" -gt 1 ] && [ "$(cat "/proc/$old/comm")" = ovs-vswitchd ] || fail "ovs-vswitchd's pid $old"
kill -9 "$old"
egress_back() {
  [ "$(sysctl_in node1 conf/tun0/rp_filter)" = 2 ] && [ "$(sysctl_in node1 conf/br-phy/rp_filter)" = 2 ] &&
    nodelab exec node1/web -- ping -c 1 -W 1 "${UNDERLAY[node2]}"
}
wait_for 30 "egress after ovs-vswitchd's restart" egress_back ||
  fail "after kill -9 of ovs-vswitchd: tun0 rp_filter $(sysctl_in node1 conf/tun0/rp_filter), br-phy $(sysctl_in node1 conf/br-phy/rp_filter), or no ping"
check_node_sysctls node1 "after ovs-vswitchd's restart"
ping_clean node1/web "${UNDERLAY[master]}" "after ovs-vswitchd's restart: pod to master's underlay"
say "kill -9 ovs-vswitchd on node1: netd re-applied the settings, egress works again"

nodelab down "$LAB" || fail "nodelab down $LAB exited $?"
assert_clean "$E2E_TMP/before" "after nodelab down"
