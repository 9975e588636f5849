#!/usr/bin/env bash
# 50 nodes: all come up and run, the first and the last reach each other over
# the underlay, and `nodelab down` leaves the host as it was.
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"

LAB=e2e-scale
NODES=50
e2e_init_nodes "$LAB" "$NODES"

snapshot "$E2E_TMP/before"
net_state >"$E2E_TMP/net-before"

start=$(date +%s%N)
nodelab up "$SCENARIO" >/dev/null || fail "nodelab up ($NODES nodes) exited $?"
say "up of $NODES nodes took $((($(date +%s%N) - start) / 1000000)) ms"

lab_status "$LAB" >"$E2E_TMP/status.json"
jq -e --argjson n "$NODES" '.nodes | length == $n' "$E2E_TMP/status.json" >/dev/null ||
  fail "status lists $(jq '.nodes | length' "$E2E_TMP/status.json") nodes, expected $NODES"
jq -e '[.nodes[].state] | all(. == "running")' "$E2E_TMP/status.json" >/dev/null ||
  { jq -c '[.nodes[] | {name, state}]' "$E2E_TMP/status.json" >&2; fail "not every node runs"; }
# Every node's PID 1 exists on the host, each in a network namespace of its own.
nets=$(jq -r '.nodes[].pid' "$E2E_TMP/status.json" |
  while read -r p; do readlink "/proc/$p/ns/net"; done | sort -u | wc -l)
((nets == NODES)) || fail "$nets distinct network namespaces for $NODES nodes"
# Addresses .201 up to .250, in order.
jq -e --argjson n "$NODES" \
  '[.nodes[].underlay] == [range(0; $n) | "192.168.122.\(201 + .)/24"]' "$E2E_TMP/status.json" \
  >/dev/null || fail "underlay addresses are not .201-.$((200 + NODES)) in order"

first=$(jq -r '.nodes[0].name' "$E2E_TMP/status.json")
last=$(jq -r '.nodes[-1].name' "$E2E_TMP/status.json")
[ "$(nodelab exec "$last" -- hostname)" = "$last" ] || fail "$last: wrong hostname"
# Just up, 50 nodes' OVS are still resolving one another's underlay
# addresses: a first echo may meet a full neighbour queue (ENOBUFS), so each
# direction gets up to 30 s to answer (on a loaded 2-core machine 10 s was
# seen to fall short).  `up` returning only once the network really answers
# is issue 10's.
wait_for 30 "$first to ping $last" nodelab exec "$first" -- ping -c1 -W1 "192.168.122.$((200 + NODES))" ||
  fail "$first cannot ping $last"
wait_for 30 "$last to ping $first" nodelab exec "$last" -- ping -c1 -W1 192.168.122.201 ||
  fail "$last cannot ping $first"

net_state >"$E2E_TMP/net-during"
assert_same_snapshot "$E2E_TMP/net-before" "$E2E_TMP/net-during" "while $NODES nodes are up"

start=$(date +%s%N)
nodelab down "$LAB" || fail "nodelab down exited $?"
say "down of $NODES nodes took $((($(date +%s%N) - start) / 1000000)) ms"
assert_clean "$E2E_TMP/before" "after nodelab down"
