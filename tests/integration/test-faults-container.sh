#!/usr/bin/env bash
# The container fault kinds end to end on the default lab (issue 8):
# cgroup-memory, cgroup-pids, cgroup-cpu and seccomp-deny, each injected
# without parameters (the defaults aim at web/httpd):
#   - the default lab's check made for the kind turns red (web-memory,
#     web-forks, web-cpu, web-chmod) with the reason the kernel gives;
#   - `fault repair` turns every check green again, and the container's
#     state is back exactly: its cgroup limit files (memory, pids, cpu, read
#     on the host as a learner would) and, for seccomp, the Seccomp lines of
#     /proc/PID/status of its (restarted) process and the runtime's deny list;
#   - injected again, then repaired by hand (echo the old value into the
#     cgroup file; `nodelab seccomp --clear`), `fault ls --json` shows it
#     repaired-by-hand, and repair puts back what is back already;
#   - a container down under its limit keeps the fault present, and repair
#     starts it again;
#   - `down` with all four active leaves nothing.
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"

LAB=cfaults-lab
e2e_init "$LAB"

wait_for 20 "a previous nodelabd to exit" no_run_dir || say "note: $NODELAB_RUN stays"
snapshot "$E2E_TMP/before"
nodelab up --name "$LAB" >/dev/null || fail "nodelab up --name $LAB"

f() { nodelab fault --lab "$LAB" "$@"; }
all_green() { nodelab check --lab "$LAB" >"$E2E_TMP/check.out" 2>&1; }
assert_all_green() { # WHAT: every default check passes (retried: pings' RTT on a loaded host)
  if ! wait_for 30 "every check to pass after $1" all_green; then
    grep -v ' passed ' "$E2E_TMP/check.out" >&2 || true
    fail "$1: checks fail (above)"
  fi
}
check_red() { ! nodelab check --lab "$LAB" "$1" >"$E2E_TMP/one.out" 2>&1; }
assert_all_green "up"

# ---- what the container's state is, seen from the host ----
CTR=web-httpd
CG=$(nodelab inspect --lab "$LAB" --node node1 "$CTR" | jq -r '.[0].HostConfig.CgroupPath')
if [ -z "$CG" ] || [ "$CG" = null ]; then fail "inspect shows no CgroupPath for $CTR"; fi
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then # v2
  MEM_FILE=/sys/fs/cgroup/$CG/memory.max
  PIDS_FILE=/sys/fs/cgroup/$CG/pids.max
  CPU_FILE=/sys/fs/cgroup/$CG/cpu.max
else # v1 or hybrid: the v1 controllers limit
  MEM_FILE=/sys/fs/cgroup/memory/$CG/memory.limit_in_bytes
  PIDS_FILE=/sys/fs/cgroup/pids/$CG/pids.max
  CPU_FILE=/sys/fs/cgroup/cpu/$CG/cpu.cfs_quota_us
  PERIOD_FILE=/sys/fs/cgroup/cpu/$CG/cpu.cfs_period_us
fi
for file in "$MEM_FILE" "$PIDS_FILE" "$CPU_FILE"; do
  [ -f "$file" ] || fail "no limit file $file"
done
PERIOD_FILE=${PERIOD_FILE:-}
MEM0=$(cat "$MEM_FILE") PIDS0=$(cat "$PIDS_FILE") CPU0=$(cat "$CPU_FILE")
say "$CTR's cgroup $CG: memory $MEM0, pids $PIDS0, cpu $CPU0"

seccomp_json() { nodelab seccomp --lab "$LAB" --node node1 "$CTR" --json; }
ctr_state() {
  local pid
  echo "memory $(cat "$MEM_FILE")"
  echo "pids $(cat "$PIDS_FILE")"
  echo "cpu $(cat "$CPU_FILE")${PERIOD_FILE:+ period $(cat "$PERIOD_FILE")}"
  seccomp_json >"$E2E_TMP/seccomp.json"
  echo "deny $(jq -c .deny "$E2E_TMP/seccomp.json")"
  pid=$(jq -r .pid "$E2E_TMP/seccomp.json")
  nodelab exec node1 -- grep '^Seccomp' "/proc/$pid/status"
}
ctr_state >"$E2E_TMP/state-0"
grep -q '^Seccomp_filters:' "$E2E_TMP/state-0" || fail "no Seccomp lines: $(cat "$E2E_TMP/state-0")"
same_state() { ctr_state >"$E2E_TMP/state-now" && cmp -s "$E2E_TMP/state-0" "$E2E_TMP/state-now"; }
assert_state_back() {
  if ! same_state; then
    diff -u "$E2E_TMP/state-0" "$E2E_TMP/state-now" >&2 || true
    fail "$1: the container's state differs from before inject (diff above)"
  fi
}

state_of() { f ls --json | jq -r --arg k "$1" '[.active[] | select(.kind == $k)] | last | .state'; }
is_state() { [ "$(state_of "$1")" = "$2" ]; }
timing() { f ls --json | jq -r --arg k "$1" '[.active[] | select(.kind == $k)] | last |
  "inject \(.inject_us) us, repair \(.repair_us) us"'; }

# check_kind KIND CHECK REASON HAND_REPAIR_CMD...: inject (no parameters),
# CHECK red with REASON, repair, all green and the state back; inject,
# repair by hand, repaired-by-hand seen, repair, all green, state back.
check_kind() {
  local kind=$1 check=$2 reason=$3
  shift 3
  f inject "$kind" --json >"$E2E_TMP/inject.json" || fail "$kind: inject failed"
  [ "$(jq -r .state "$E2E_TMP/inject.json")" = active ] || fail "$kind: not active after inject"
  say "$kind: injected on $(jq -r .target "$E2E_TMP/inject.json")"
  wait_for 10 "$check to fail under $kind" check_red "$check" || fail "$kind: $check still passes"
  grep -q "$reason" "$E2E_TMP/one.out" || fail "$kind: $check failed, but not with '$reason': $(cat "$E2E_TMP/one.out")"
  say "$kind: $check fails: $(grep "^$check " "$E2E_TMP/one.out" | sed -E 's/ +/ /g')"
  is_state "$kind" active || fail "$kind: ls says $(state_of "$kind"), not active"
  f repair "$kind" >/dev/null || fail "$kind: repair failed"
  is_state "$kind" repaired || fail "$kind: ls says $(state_of "$kind") after repair"
  say "$kind: $(timing "$kind")"
  assert_state_back "$kind repair"
  assert_all_green "$kind repair"

  f inject "$kind" >/dev/null || fail "$kind: second inject failed"
  wait_for 10 "$check to fail again" check_red "$check" || fail "$kind: $check passes (second inject)"
  "$@" || fail "$kind: the repair by hand ($*) failed"
  wait_for 10 "$kind to show repaired-by-hand" is_state "$kind" repaired-by-hand ||
    fail "$kind: a repair by hand ($*) is not seen: $(state_of "$kind")"
  f repair "$kind" >/dev/null || fail "$kind: repair after the repair by hand failed"
  assert_state_back "$kind repair by hand"
  assert_all_green "$kind repair by hand"
  say "$kind: ok (inject, $check red, exact repair, repair by hand seen)"
}

put() { echo "$2" >"$1"; }
check_kind cgroup-memory web-memory "killed by signal 9" put "$MEM_FILE" "$MEM0"
check_kind cgroup-pids web-forks "can't fork" put "$PIDS_FILE" "$PIDS0"
check_kind cgroup-cpu web-cpu "did not finish" put "$CPU_FILE" "$CPU0"
seccomp_clear() { nodelab seccomp --lab "$LAB" --node node1 "$CTR" --clear >&2; }
check_kind seccomp-deny web-chmod "Operation not permitted" seccomp_clear

# A container that died under its limit (v2 OOM-kills it when the limit is
# below what it holds; here killed by hand): the cgroup is gone, the fault is
# still there while the container is down, and repair starts it again.
f inject cgroup-memory >/dev/null || fail "cgroup-memory: inject before the kill"
nodelab kill --lab "$LAB" --node node1 "$CTR" >/dev/null || fail "nodelab kill $CTR"
ctr_down() { [ "$(seccomp_json | jq -r .pid)" = 0 ]; }
wait_for 10 "$CTR to be down" ctr_down || fail "$CTR still runs after kill"
is_state cgroup-memory active || fail "cgroup-memory with its container down: $(state_of cgroup-memory)"
f repair cgroup-memory >/dev/null || fail "cgroup-memory: repair of a dead container"
ctr_down && fail "repair did not start $CTR again"
assert_state_back "cgroup-memory repair of a dead container"
assert_all_green "cgroup-memory repair of a dead container"
say "cgroup-memory: its container down, still active; repair started it again, all green"

# What a learner sees of seccomp-deny: inspect's SeccompDeny, and one more
# seccomp filter on the (restarted) process than before.
FILTERS0=$(sed -n 's/^Seccomp_filters:[[:space:]]*//p' "$E2E_TMP/state-0")
f inject seccomp-deny >/dev/null || fail "seccomp-deny: inject for inspect"
deny=$(nodelab inspect --lab "$LAB" --node node1 "$CTR" | jq -c '.[0].HostConfig.SeccompDeny')
[ "$deny" = '["chmod","fchmod","fchmodat","fchmodat2"]' ] || fail "inspect's SeccompDeny: $deny"
ctr_state >"$E2E_TMP/state-deny"
filters=$(sed -n 's/^Seccomp_filters:[[:space:]]*//p' "$E2E_TMP/state-deny")
((filters == FILTERS0 + 1)) || fail "Seccomp_filters $filters under the deny, $FILTERS0 before"
f repair seccomp-deny >/dev/null || fail "seccomp-deny: repair after inspect"
assert_state_back "seccomp-deny (inspect)"
say "seccomp-deny: inspect shows SeccompDeny $deny; Seccomp_filters $FILTERS0 -> $filters -> $FILTERS0"

# A memory below what the container holds: v2 OOM-kills its main process,
# v1 refuses the limit and says why.
if [ ! -f /sys/fs/cgroup/cgroup.controllers ]; then
  out=$(f inject cgroup-memory memory=4Ki 2>&1) && {
    f repair cgroup-memory >/dev/null
    say "note: v1 took memory=4Ki (the container holds less)"
  }
  if [ -n "${out:-}" ]; then
    grep -q "cgroup v1 cannot reclaim it" <<<"$out" || fail "memory=4Ki: $out"
    say "memory=4Ki on v1: refused: ${out##*: injecting }"
  fi
  assert_state_back "a refused memory limit"
fi

# ---- errors ----
out=$(f inject cgroup-pids container=nope 2>&1) && fail "an unknown container was accepted"
grep -q "kind cgroup-pids: pod web has no container nope" <<<"$out" || fail "unknown container: $out"
out=$(f inject seccomp-deny pod=nowhere 2>&1) && fail "an unknown pod was accepted"
grep -q "no pod named nowhere" <<<"$out" || fail "unknown pod: $out"
say "errors: ok"

# ---- down with the four active ----
for kind in cgroup-memory cgroup-pids cgroup-cpu seccomp-deny; do
  f inject "$kind" >/dev/null || fail "inject $kind before down"
done
nodelab down "$LAB" >/dev/null || fail "down with active container faults"
assert_clean "$E2E_TMP/before" "down with active container faults"
say "down with the four active: nothing left"
