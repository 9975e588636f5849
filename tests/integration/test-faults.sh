#!/usr/bin/env bash
# The fault engine end to end on the default lab, through `nodelab fault`.
# For every kind built: the whole state of what it touches (the node's links
# with MTU and offloads, addresses, routes, permanent neighbours, qdiscs, its
# OVSDB Interface/Port rows and flows without counters; the pod's and the
# fabric's namespaces alike) is captured; the fault is injected and traffic
# is seen to break with a real tool (ping, nc); `fault repair` puts the state
# back equal to before.  Then the same fault repaired by hand with the real
# tool (ip, ethtool) shows as repaired-by-hand in `fault ls --json`.
# `--for 1s` repairs by itself; `down` with faults active leaves nothing.
# The host's own namespace is only read (ip link/addr/route compared before
# and after): everything runs in the lab's namespaces (nodelab exec, or
# nsenter -n into a pod's or the fabric's namespace by its pid).
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/fault-state-lib.sh
source "$(dirname "$0")/fault-state-lib.sh"

LAB=faults-lab
TLAB=faults-timeline
e2e_init "$LAB" "$TLAB"
for tool in nsenter ethtool; do
  command -v "$tool" >/dev/null || fail "$tool is missing (tools/setup-deps.sh)"
done

# A daemon that just removed its last lab lingers a few seconds, then removes
# its files: start from after that, so that the snapshot is the host's own.
wait_for 20 "a previous nodelabd to exit" no_run_dir || say "note: $NODELAB_RUN stays"
snapshot "$E2E_TMP/before"
net_state >"$E2E_TMP/net-before"

nodelab up --name "$LAB" >/dev/null || fail "nodelab up --name $LAB"
lab_status "$LAB" >"$E2E_TMP/status.json"
WEB_IP=$(jq -r '.pods[] | select(.name=="web") | .ip' "$E2E_TMP/status.json")
WEB_PID=$(jq -r '.pods[] | select(.name=="web") | .infra_host_pid' "$E2E_TMP/status.json")
FABRIC_PID=$(jq -r '.fabric.pid' "$E2E_TMP/status.json")
NODE2_UNDERLAY=$(jq -r '.nodes[] | select(.name=="node2") | .underlay' "$E2E_TMP/status.json")
NODE2_UNDERLAY=${NODE2_UNDERLAY%/*}
[ -n "$WEB_IP" ] && [ "$WEB_PID" -gt 0 ] && [ "$FABRIC_PID" -gt 0 ] || fail "status lacks web or the fabric"

f() { nodelab fault --lab "$LAB" "$@"; }

# ---- the state of a node, a pod, the fabric (fault-state-lib.sh) ----
all_state() { lab_state "$LAB" web="$WEB_PID" fabric="$FABRIC_PID"; }
all_state >"$E2E_TMP/state-0"
same_state() { all_state >"$E2E_TMP/state-now" && cmp -s "$E2E_TMP/state-0" "$E2E_TMP/state-now"; }
assert_state_back() { # WHAT: waits for the lab's whole state to equal the first capture
  if ! wait_for 20 "the state to be back after $1" same_state; then
    diff -u "$E2E_TMP/state-0" "$E2E_TMP/state-now" >&2 || true
    fail "$1: the state differs from before inject (diff above)"
  fi
  net_state >"$E2E_TMP/net-now"
  assert_same_snapshot "$E2E_TMP/net-before" "$E2E_TMP/net-now" "the host's network after $1"
}

# ---- traffic, with the real tools ----
ping_web() { nodelab exec node2/client -- ping -c1 -W1 "$@" "$WEB_IP" >/dev/null 2>&1; }
no_ping_web() { ! ping_web "$@"; }
http_web() {
  nodelab exec node2/client -- sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | timeout 3 nc $WEB_IP 8080" 2>/dev/null |
    grep -q '^HTTP/'
}
no_http_web() { ! http_web; }
web_to_node2() { nodelab exec node1/web -- ping -c1 -W1 "$NODE2_UNDERLAY" >/dev/null 2>&1; }
no_web_to_node2() { ! web_to_node2; }
wait_for 20 "web to answer ping and HTTP" ping_web || fail "no ping to web before any fault"
wait_for 20 "HTTP to web" http_web || fail "no HTTP to web before any fault"
wait_for 20 "web to reach node2" web_to_node2 || fail "web does not reach node2 before any fault"

state_of() { # KIND: the state of the last fault of KIND in fault ls --json
  f ls --json | jq -r --arg k "$1" '[.active[] | select(.kind == $k)] | last | .state'
}
is_state() { [ "$(state_of "$1")" = "$2" ]; }

# check_kind KIND BREAK_CHECK HAND_REPAIR_CMD...: inject, see BREAK_CHECK
# hold, repair, state back; inject, repair by hand, repaired-by-hand seen,
# repair (a no-op now), state back.
check_kind() {
  local kind=$1 broken=$2
  shift 2
  f inject "$kind" --json >"$E2E_TMP/inject.json" || fail "$kind: inject failed"
  [ "$(jq -r .state "$E2E_TMP/inject.json")" = active ] || fail "$kind: not active after inject"
  say "$kind: injected on $(jq -r .target "$E2E_TMP/inject.json")"
  wait_for 10 "$kind to break traffic ($broken)" "$broken" || fail "$kind: traffic still flows"
  is_state "$kind" active || fail "$kind: ls says $(state_of "$kind"), not active"
  f repair "$kind" >/dev/null || fail "$kind: repair failed"
  is_state "$kind" repaired || fail "$kind: ls says $(state_of "$kind") after repair"
  assert_state_back "$kind repair"
  if (($# == 0)); then
    say "$kind: ok (inject, break, exact repair)"
    return 0
  fi
  f inject "$kind" >/dev/null || fail "$kind: second inject failed"
  wait_for 10 "$kind to break traffic again" "$broken" || fail "$kind: traffic flows (second inject)"
  "$@" || fail "$kind: the repair by hand ($*) failed"
  wait_for 10 "$kind to show repaired-by-hand" is_state "$kind" repaired-by-hand ||
    fail "$kind: a repair by hand ($*) is not seen: $(state_of "$kind")"
  f repair "$kind" >/dev/null || fail "$kind: repair after the repair by hand failed"
  assert_state_back "$kind repair by hand"
  say "$kind: ok (inject, break, exact repair, repair by hand seen)"
}

in_web() { nsenter -t "$WEB_PID" -n "$@"; }
in_fabric() { nsenter -t "$FABRIC_PID" -n "$@"; }

# link-mtu: the default target is web's node's eth0, mtu 1300: small pings pass, large vanish.
MTU0=$(nodelab exec node1 -- cat /sys/class/net/eth0/mtu)
mtu_broken() { ping_web && no_ping_web -s 1400; }
check_kind link-mtu mtu_broken nodelab exec node1 -- ip link set dev eth0 mtu "$MTU0"

check_kind link-down no_ping_web nodelab exec node1 -- ip link set dev eth0 up

tx_broken() { ping_web && no_http_web; }
check_kind tx-checksum-on tx_broken in_web ethtool -K eth0 tx off

FABRIC_IF=$(jq -r '.links[] | select(.node=="node1") | .peer' "$E2E_TMP/status.json")
check_kind underlay-down no_ping_web in_fabric ip link set dev "$FABRIC_IF" up

ROUTE0=$(in_web ip route show default)
[ -n "$ROUTE0" ] || fail "web has no default route"
# shellcheck disable=SC2086 # the route's words
check_kind pod-route-delete no_web_to_node2 in_web ip route add $ROUTE0

CLIENT_IP=$(jq -r '.pods[] | select(.name=="client") | .ip' "$E2E_TMP/status.json")
check_kind duplicate-ip no_ping_web in_web ip addr del "$CLIENT_IP/32" dev eth0

NODE1_UNDERLAY=$(jq -r '.nodes[] | select(.name=="node1") | .underlay' "$E2E_TMP/status.json")
NODE1_UNDERLAY=${NODE1_UNDERLAY%/*}
master_pings_web() { nodelab exec master -- ping -c1 -W1 "$WEB_IP" >/dev/null 2>&1; }
master_pings_client() { nodelab exec master -- ping -c1 -W1 "$CLIENT_IP" >/dev/null 2>&1; }
partitioned() { no_ping_web && master_pings_web && master_pings_client; }
unpartition_by_hand() {
  nodelab exec node1 -- ip route del "$NODE2_UNDERLAY/32" && nodelab exec node2 -- ip route del "$NODE1_UNDERLAY/32"
}
check_kind partition partitioned unpartition_by_hand

# netem: a rate alone (a tbf; this kernel may lack sch_netem), seen with tc.
rate_limited() { nodelab exec node1 -- tc qdisc show dev eth0 | grep -q '^qdisc tbf 1: root'; }
check_kind netem rate_limited nodelab exec node1 -- tc qdisc del dev eth0 root

# The OVS kinds, through nodelab-ovs; repaired by hand with ovs-ofctl.
NODE2_SUBNET=$(jq -r '.nodes[] | select(.name=="node2") | .subnet' "$E2E_TMP/status.json")
FLOW="table=90,priority=100,ip,nw_dst=$NODE2_SUBNET,actions=set_field:$NODE2_UNDERLAY->tun_dst,output:1"
check_kind flow-delete no_ping_web nodelab exec node1 -- ovs-ofctl -O OpenFlow13 add-flow br0 "$FLOW"
check_kind tunnel-dst no_ping_web nodelab exec node1 -- ovs-ofctl -O OpenFlow13 mod-flows br0 "$FLOW"
# vni-mismatch: node1 tunnels to node2 with VNI 1; node2's table 10 takes VNI 0 only.
check_kind vni-mismatch no_ping_web nodelab exec node1 -- ovs-ofctl -O OpenFlow13 mod-flows br0 "$FLOW"
# neighbour-poison: web's entry for its gateway points nowhere (the default), then
# node1's for node2's underlay address (the kernel's and OVS's tunnel cache).
GW1=$(in_web ip route show default | awk '{print $3}')
check_kind neighbour-poison no_ping_web in_web ip neigh del "$GW1" dev eth0
node1_to_node2() { nodelab exec node1 -- ping -c1 -W1 "$NODE2_UNDERLAY" >/dev/null 2>&1; }
poisoned_underlay() { ! node1_to_node2 && no_ping_web; }
f inject neighbour-poison node=node1 --json >"$E2E_TMP/inject.json" || fail "neighbour-poison node=node1: inject failed"
jq -r .target "$E2E_TMP/inject.json" | grep -q "node1 br-phy neighbour $NODE2_UNDERLAY .*OVS's tunnel cache" ||
  fail "neighbour-poison node=node1: target $(jq -r .target "$E2E_TMP/inject.json")"
wait_for 10 "node1 to lose node2 and web's pods across" poisoned_underlay || fail "neighbour-poison node=node1: traffic flows"
nodelab exec node1 -- ovs-appctl tnl/neigh/show | grep -q "^$NODE2_UNDERLAY .*02:00:5e:10:00:01" ||
  fail "neighbour-poison node=node1: OVS's tunnel cache is not poisoned"
f repair neighbour-poison >/dev/null || fail "neighbour-poison node=node1: repair failed"
assert_state_back "neighbour-poison node=node1 repair"
wait_for 10 "node1 to reach node2 again" node1_to_node2 || fail "neighbour-poison node=node1: not repaired"
say "neighbour-poison node=node1: ok (kernel and OVS tunnel cache, exact repair)"

# By hand: ovs-vsctl add-port with the settings vxlan0 had (read before).
ovs_map() { # COLUMN: the Interface column's map as ovs-vsctl set arguments
  nodelab exec node1 -- ovs-vsctl get Interface vxlan0 "$1" | tr -d '{} ' | tr ',' '\n' |
    sed -n "s/^\(.\)/$1:\1/p" | tr '\n' ' '
}
VX_SET="$(ovs_map options) $(ovs_map external_ids)"
port_by_hand() {
  # shellcheck disable=SC2086 # the settings' words
  nodelab exec node1 -- ovs-vsctl add-port br0 vxlan0 -- set Interface vxlan0 type=vxlan $VX_SET ofport_request=1
}
check_kind tunnel-port-delete no_ping_web port_by_hand

# ---- errors ----
out=$(f inject link-mtu colour=red 2>&1) && fail "an unknown parameter was accepted"
grep -q "kind link-mtu: unknown parameter colour" <<<"$out" || fail "unknown parameter: $out"
out=$(f inject link-mtu node=nowhere 2>&1) && fail "an unknown node was accepted"
grep -q "no node named nowhere" <<<"$out" || fail "unknown node: $out"
out=$(f repair nothing-here 2>&1) && fail "repairing nothing succeeded"
grep -q "no active fault named nothing-here" <<<"$out" || fail "repair of nothing: $out"
if nodelab exec node1 -- sh -c 'tc qdisc add dev lo root netem delay 1ms 2>/dev/null && tc qdisc del dev lo root'; then
  say "SKIP: this kernel has sch_netem: the refusal of netem delay is not checked"
else
  out=$(f inject netem delay=100ms 2>&1) && fail "netem delay was accepted without sch_netem"
  grep -q "this kernel has no netem qdisc (module sch_netem" <<<"$out" || fail "netem delay: $out"
  say "netem delay: refused, naming sch_netem (this kernel has none)"
fi
f inject link-mtu >/dev/null || fail "inject for the duplicate check"
out=$(f inject link-mtu 2>&1) && fail "the same fault twice was accepted"
grep -q "injected already" <<<"$out" || fail "duplicate: $out"
[ "$(lab_status "$LAB" | jq -r '[.faults[] | select(.kind == "link-mtu")] | .[0].state')" = active ] ||
  fail "status does not show the active fault"
f repair --all >/dev/null || fail "repair --all"
[ "$(lab_status "$LAB" | jq -r '.faults | length')" = 0 ] || fail "status shows repaired faults"
assert_state_back "repair --all"
say "errors: ok"

# ---- a scenario fault by name, --for ----
f inject mtu-black-hole --json >"$E2E_TMP/inject.json" || fail "inject mtu-black-hole"
[ "$(jq -r .name "$E2E_TMP/inject.json")" = mtu-black-hole ] || fail "the scenario fault's name is not kept"
[ "$(jq -r .target "$E2E_TMP/inject.json")" = "node2 eth0 (mtu 1300)" ] || fail "mtu-black-hole's target"
large_client_web_lost() { ! nodelab exec node2/client -- ping -c1 -W1 -s 1400 -M do "$WEB_IP" >/dev/null 2>&1; }
wait_for 10 "mtu-black-hole to swallow large packets" large_client_web_lost || fail "mtu-black-hole does not bite"
f repair mtu-black-hole >/dev/null || fail "repair mtu-black-hole by name"
assert_state_back "repair mtu-black-hole"
f inject link-mtu --for 1s --json >"$E2E_TMP/inject.json" || fail "inject link-mtu --for 1s"
[ "$(jq -r .for_ms "$E2E_TMP/inject.json")" = 1000 ] || fail "--for 1s is not 1000 ms"
wait_for 10 "--for 1s to repair by itself" is_state link-mtu repaired || fail "--for 1s did not repair"
assert_state_back "--for 1s"
say "scenario fault by name, --for: ok"

# ---- down with faults active ----
f inject link-down >/dev/null || fail "inject before down"
f inject tx-checksum-on >/dev/null || fail "inject before down"
nodelab down "$LAB" >/dev/null || fail "down with active faults"
assert_clean "$E2E_TMP/before" "down with active faults"
say "down with active faults: nothing left"

# ---- a scenario fault's timeline: at 300ms, for 500ms, every 1s ----
cat >"$E2E_TMP/timeline.yaml" <<EOF
name: $TLAB
cluster:
  nodes: [n1, n2]
faults:
  - {name: blip, kind: link-mtu, node: n1, link: eth0, mtu: 1300, at: 300ms, for: 500ms, every: 1s}
EOF
wait_for 20 "nodelabd to exit" no_run_dir || say "note: $NODELAB_RUN stays"
snapshot "$E2E_TMP/before-timeline"
nodelab up "$E2E_TMP/timeline.yaml" >/dev/null || fail "up of the timeline lab"
count_events() { nodelab events "$TLAB" --json | jq -r .kind | grep -c "^$1\$" || true; }
cycles_seen() { (($(count_events fault-injected) >= 2 && $(count_events fault-repaired) >= 2)); }
wait_for 15 "two inject/repair cycles of blip" cycles_seen || fail "the timeline did not run twice"
nodelab events "$TLAB" --json | jq -r 'select(.kind | startswith("fault")) | .message' | head -4 >&2
[ "$(nodelab fault --lab "$TLAB" ls --json | jq -r '.active[0].by')" = timer ] || fail "the timeline's faults are not by timer"
nodelab down "$TLAB" >/dev/null || fail "down of the timeline lab"
assert_clean "$E2E_TMP/before-timeline" "the timeline lab"
say "timeline: ok"
