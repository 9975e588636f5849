#!/usr/bin/env bash
# Two labs side by side share the "nodelab" parent cgroups, which the first
# one creates (and records in its ledger).  Taking the first down, gently or
# with --force after kill -9, must leave the second whole and working; taking
# the second down then leaves the host as it was.
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"

A=e2e-two-a
B=e2e-two-b
e2e_init "$A" "$B"
printf 'name: %s\ncluster:\n  nodes: [a1, a2]\n' "$A" >"$E2E_TMP/a.yaml"
printf 'name: %s\ncluster:\n  nodes: [b1, b2]\n' "$B" >"$E2E_TMP/b.yaml"

snapshot "$E2E_TMP/before"

# b_works: both of B's nodes run, with the pids they had, and reach each other.
b_works() {
  local what=$1 now
  now=$(lab_status "$B" | jq -c '[.nodes[] | {name, state, pid}]') || fail "$what: no status for $B"
  [ "$now" = "$B_NODES" ] || fail "$what: lab $B changed: $now, was $B_NODES"
  for p in $(jq -r '.[].pid' <<<"$B_NODES"); do
    [ "$(cat "/proc/$p/comm" 2>/dev/null)" = nodelab-init ] || fail "$what: $B's node $p is gone"
  done
  nodelab exec --lab "$B" b1 -- ping -c1 -W2 192.168.122.202 >/dev/null ||
    fail "$what: b1 cannot ping b2"
}

for how in down force; do
  nodelab up "$E2E_TMP/a.yaml" >/dev/null || fail "up $A exited $?"
  nodelab up "$E2E_TMP/b.yaml" >/dev/null || fail "up $B exited $?"
  B_NODES=$(lab_status "$B" | jq -c '[.nodes[] | {name, state, pid}]')
  [ "$(jq '[.[] | select(.state == "running")] | length' <<<"$B_NODES")" = 2 ] ||
    fail "$B: nodes not running: $B_NODES"
  b_works "with both labs up"

  if [ "$how" = down ]; then
    nodelab down "$A" >/dev/null || fail "down $A exited $?"
    b_works "after nodelab down $A"
  else
    # kill -9 of A's nodes only, then down --force of A: B's daemon is the same
    # daemon, so it must survive that too.
    mapfile -t victims < <(lab_status "$A" | jq -r '.nodes[].pid, .fabric.pid')
    kill -KILL "${victims[@]}"
    nodelab down --force "$A" >/dev/null || fail "down --force $A exited $?"
    b_works "after kill -9 of $A's nodes and nodelab down --force $A"
  fi
  [ -z "$(find /sys/fs/cgroup/*/nodelab/"$A" /sys/fs/cgroup/nodelab/"$A" -maxdepth 0 2>/dev/null)" ] ||
    fail "$how: cgroups of $A remain"

  nodelab down "$B" >/dev/null || fail "down $B exited $?"
  assert_clean "$E2E_TMP/before" "after $how $A, then down $B"
  say "$how $A: $B unharmed; after down $B the host is as before"
done
