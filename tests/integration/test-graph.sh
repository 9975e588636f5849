#!/usr/bin/env bash
# nodelab graph: a scenario's plan with no daemon (and none started), then the
# default lab live: 3 nodes, 3 pods, 6 tunnels (one per ordered pair of nodes,
# labelled with the remote's underlay address), the checks' last results as
# edges, an injected fault marked on what it breaks and gone once repaired;
# valid SVG (xmllint) naming every node and pod; dot and Mermaid text.
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"

LAB=graph-lab
e2e_init "$LAB"
command -v xmllint >/dev/null || fail "xmllint is missing (tools/setup-deps.sh)"
SRC=$(cd "$(dirname "$0")/../.." && pwd)

# ---- the plan: no daemon ----
wait_for 20 "a previous nodelabd to exit" no_run_dir || say "note: $NODELAB_RUN stays"
nodelab graph "$SRC/scenarios/default.yaml" --format json >"$E2E_TMP/plan.json" || fail "graph of a scenario file"
[ ! -e "$NODELAB_RUN/nodelabd.pid" ] || fail "graph of a scenario file started nodelabd"
[ "$(jq -r .live "$E2E_TMP/plan.json")" = false ] || fail "the plan says live"
count() { jq "[.$1[] | select(.kind == \"$2\")] | length" "$3"; }
[ "$(count nodes node "$E2E_TMP/plan.json")" = 3 ] || fail "the plan has not 3 nodes"
[ "$(count edges tunnel "$E2E_TMP/plan.json")" = 6 ] || fail "the plan has not 6 tunnels"
nodelab graph "$SRC/scenarios/default.yaml" -f svg -o "$E2E_TMP/plan.svg" || fail "svg of the plan"
xmllint --noout "$E2E_TMP/plan.svg" || fail "the plan's SVG does not parse"
out=$(nodelab graph "$E2E_TMP/nope.yaml" 2>&1) && fail "a missing scenario file was drawn"
grep -q "nope.yaml" <<<"$out" || fail "a missing file's error does not name it: $out"
out=$(nodelab graph -f png "$SRC/scenarios/default.yaml" 2>&1) && fail "format png was accepted"
grep -q "unknown format png" <<<"$out" || fail "a bad format's error: $out"
say "plan: ok (no daemon)"

# ---- the live lab ----
nodelab up --name "$LAB" >/dev/null || fail "nodelab up --name $LAB"
nodelab check --lab "$LAB" >/dev/null || true # their last results become edges
nodelab graph "$LAB" --format json >"$E2E_TMP/live.json" || fail "graph --format json"
G=$E2E_TMP/live.json
[ "$(jq -r .live "$G")" = true ] || fail "the live graph says plan"
[ "$(count nodes node "$G")" = 3 ] || fail "not 3 nodes: $(count nodes node "$G")"
[ "$(count nodes pod "$G")" = 3 ] || fail "not 3 pods"
[ "$(count edges tunnel "$G")" = 6 ] || fail "not 6 tunnels: $(count edges tunnel "$G")"
[ "$(count nodes daemon "$G")" -ge 12 ] || fail "the nodes' daemons are missing"
NODE2_U=$(lab_status "$LAB" | jq -r '.nodes[] | select(.name=="node2") | .underlay | split("/")[0]')
[ "$(jq -r '.edges[] | select(.id == "tunnel:node1:node2") | .label' "$G")" = "$NODE2_U" ] ||
  fail "the tunnel node1 -> node2 is not labelled $NODE2_U"
WEB_IP=$(lab_status "$LAB" | jq -r '.pods[] | select(.name=="web") | .ip')
[ "$(jq -r '.nodes[] | select(.id == "pod:web") | .detail' "$G")" = "$WEB_IP" ] || fail "web's address"
[ "$(jq -r '.edges[] | select(.id == "check:ping-web") | .state' "$G")" = passed ] ||
  fail "check ping-web is not a passed edge"
[ "$(jq '[.nodes[], .edges[] | select(.faults | length > 0)] | length' "$G")" = 0 ] ||
  fail "something is marked broken with no fault"

nodelab fault --lab "$LAB" inject tunnel-dst node=node1 remote=node2 >/dev/null || fail "inject tunnel-dst"
nodelab check --lab "$LAB" ping-web >/dev/null && fail "ping-web passes with the tunnel broken"
nodelab graph "$LAB" -f json >"$G" || fail "graph with a fault"
[ "$(jq -r '.edges[] | select(.id == "tunnel:node1:node2") | .faults[0]' "$G")" = tunnel-dst ] ||
  fail "the broken tunnel is not marked: $(jq -c '.edges[] | select(.id == "tunnel:node1:node2")' "$G")"
[ "$(jq -r '.edges[] | select(.id == "check:ping-web") | .state' "$G")" = failed ] ||
  fail "check ping-web is not a failed edge"
nodelab graph "$LAB" -f svg -o "$E2E_TMP/live.svg" || fail "graph --format svg"
xmllint --noout "$E2E_TMP/live.svg" || fail "the SVG does not parse"
for name in master node1 node2 web client top; do
  grep -q ">$name<" "$E2E_TMP/live.svg" || fail "the SVG does not name $name"
done
grep -qE "broken: tunnel(-|&#45;)dst" "$E2E_TMP/live.svg" || fail "the SVG does not show the fault"
nodelab graph "$LAB" >"$E2E_TMP/live.dot" || fail "graph (dot)"
grep -q 'subgraph "cluster_node:node1"' "$E2E_TMP/live.dot" || fail "dot: node1 is not a cluster"
nodelab graph "$LAB" -f mermaid | grep -q "^flowchart LR" || fail "mermaid"
nodelab fault --lab "$LAB" repair tunnel-dst >/dev/null || fail "repair"
nodelab graph "$LAB" -f json >"$G" || fail "graph after repair"
[ "$(jq '[.edges[] | select(.faults | length > 0)] | length' "$G")" = 0 ] || fail "still marked after repair"
nodelab down "$LAB" >/dev/null || fail "nodelab down"
out=$(nodelab graph "$LAB" 2>&1) && fail "graph of a lab that is down succeeded"
grep -q "nodelab graph FILE.yaml\|no lab" <<<"$out" || fail "graph with no lab: $out"
say "live: ok"
