#!/usr/bin/env bash
# Every exercise of the default lab holds together: started with a seed, it
# prints a symptom; `exercise check` fails while the fault is there (the fault
# bites on the exercise's own verify checks); `solve` repairs it, after which
# every check of the lab is green again.  History goes to a temporary
# directory ($NODELAB_HISTORY_DIR), removed at the end.
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"

LAB=exercises-all
e2e_init "$LAB"
export NODELAB_HISTORY_DIR=$E2E_TMP/history
SRC=$(cd "$(dirname "$0")/../.." && pwd)
nodelab up --name "$LAB" >/dev/null || fail "nodelab up --name $LAB"
ex() { nodelab exercise --lab "$LAB" "$@"; }
all_green() { nodelab check --lab "$LAB" >/dev/null; }
wait_for 30 "every check to pass before the exercises" all_green || fail "the lab is not green"

mapfile -t names < <(awk '/^exercises:/{on=1; next} /^[a-z]/{on=0} on && /name:/ {
  sub(/.*name: */, ""); sub(/[,}].*/, ""); print }' "$SRC/scenarios/default.yaml")
((${#names[@]} >= 10)) || fail "the default lab has ${#names[@]} exercises, not at least 10"
for name in "${names[@]}"; do
  out=$(ex start "$name" --seed 7) || fail "$name: start failed: $out"
  [ -n "$out" ] || fail "$name: start printed no symptom"
  broken() { ! ex check >/dev/null 2>&1; }
  wait_for 15 "$name's check to fail while its fault is there" broken ||
    fail "$name: exercise check passes with the fault injected"
  ex solve >"$E2E_TMP/solve.out" || fail "$name: solve failed: $(cat "$E2E_TMP/solve.out")"
  wait_for 30 "every check to pass after solving $name" all_green ||
    fail "$name: after solve, still failing: $(nodelab check --lab "$LAB" | grep failed)"
  say "$name: symptom \"$(head -1 <<<"$out")\"; check fails; solved, all green"
done
nodelab down "$LAB" >/dev/null || fail "nodelab down"
say "${#names[@]} exercises: ok"
