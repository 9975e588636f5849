#!/usr/bin/env bash
# The default lab's checks cover the whole catalogue: every kind the engine
# implements, injected without parameters (the engine picks a target where it
# bites), turns at least one of the default lab's checks red; repaired, every
# check is green again.  A kind that is not implemented yet shows as SKIP.
# Then kill -9 of nodelabd with faults of several families active: the lab is
# orphaned (nodelabd does not adopt it again yet), and `down --force` leaves
# the host exactly as before the lab.
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"

LAB=coverage-lab
e2e_init "$LAB"
wait_for 20 "a previous nodelabd to exit" no_run_dir || say "note: $NODELAB_RUN stays"
snapshot "$E2E_TMP/before"
nodelab up --name "$LAB" >/dev/null || fail "nodelab up --name $LAB"
f() { nodelab fault --lab "$LAB" "$@"; }
checks_json() { nodelab check --lab "$LAB" --json >"$E2E_TMP/checks.json" || true; }
all_green() { nodelab check --lab "$LAB" >/dev/null; }
wait_for 30 "every check of the default lab to pass" all_green ||
  fail "the default lab's checks are not green before any fault: $(nodelab check --lab "$LAB" | grep failed)"

f ls --json >"$E2E_TMP/ls.json" || fail "fault ls --json"
mapfile -t kinds < <(jq -r '.catalogue[] | select(.implemented) | .name' "$E2E_TMP/ls.json")
mapfile -t missing < <(jq -r '.catalogue[] | select(.implemented | not) | .name' "$E2E_TMP/ls.json")
((${#kinds[@]} > 0)) || fail "the catalogue has no implemented kind"
for kind in "${missing[@]}"; do
  say "SKIP $kind: not implemented yet"
done

for kind in "${kinds[@]}"; do
  f inject "$kind" --json >"$E2E_TMP/inject.json" || fail "$kind: inject without parameters failed"
  target=$(jq -r .target "$E2E_TMP/inject.json")
  # The failure may take a moment to show (a daemon's state, a filter): poll.
  red() { checks_json && jq -e '[.checks[] | select(.result == "failed")] | length > 0' "$E2E_TMP/checks.json"; }
  wait_for 15 "$kind ($target) to turn a default check red" red ||
    fail "$kind on $target: every default check still passes"
  failed=$(jq -r '[.checks[] | select(.result == "failed") | .name] | join(" ")' "$E2E_TMP/checks.json")
  f repair "$kind" >/dev/null || fail "$kind: repair failed"
  wait_for 30 "every check to pass after repairing $kind" all_green ||
    fail "$kind: after repair, still failing: $(nodelab check --lab "$LAB" | grep failed)"
  say "$kind on $target: breaks $failed; repaired, all green"
done
say "${#kinds[@]} kinds each break a default check, ${#missing[@]} skipped"

injected=0
for kind in link-mtu flow-delete partition neighbour-poison tx-checksum-on; do
  if f inject "$kind" >/dev/null 2>&1; then injected=$((injected + 1)); fi
done
((injected >= 4)) || fail "could not inject the faults before kill -9 ($injected)"
pid=$(cat "$NODELAB_RUN/nodelabd.pid")
kill -KILL "$pid"
wait_for 5 "nodelabd $pid to die" test ! -d "/proc/$pid"
nodelab down --force "$LAB" >/dev/null || fail "down --force after kill -9 with $injected faults active"
nodelab down --force "$LAB" >/dev/null || fail "a second down --force"
assert_clean "$E2E_TMP/before" "kill -9 of nodelabd with $injected faults active, then down --force"
say "kill -9 of nodelabd with $injected faults active, down --force: nothing left"
