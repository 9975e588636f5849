#!/usr/bin/env bash
# Node daemons under nodelabd's supervision: every node runs ovsdb-server,
# ovs-vswitchd, netd and the runtime as children of its nodelab-init (the
# process tree reads nodelabd -> nodelab-init -> daemons); `nodelab events`
# tells what happened; a daemon killed with SIGKILL is reported and restarted;
# `events -f` ends when the lab goes down; SIGTERM to nodelabd takes every
# lab down; the host is left as it was.
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"

LAB=e2e-super
e2e_init_nodes "$LAB" 2
snapshot "$E2E_TMP/before"

nodelab up "$SCENARIO" >/dev/null || fail "nodelab up exited $?"
lab_status "$LAB" >"$E2E_TMP/status.json"

# ---- every node runs its daemons, children of its init, ready ----
for n in n1 n2; do
  init=$(jq -r --arg n "$n" '.nodes[] | select(.name == $n) | .pid' "$E2E_TMP/status.json")
  for d in ovsdb-server ovs-vswitchd netd runtime; do
    pid=$(jq -r --arg n "$n" --arg d "$d" \
      '.nodes[] | select(.name == $n) | .daemons[] | select(.name == $d) | .pid' "$E2E_TMP/status.json")
    [ -n "$pid" ] && [ "$pid" -gt 0 ] || fail "$n: no pid for $d"
    ppid=$(ps -o ppid= -p "$pid" | tr -d ' ')
    [ "$ppid" = "$init" ] || fail "$n: $d (pid $pid) is a child of $ppid, not of the node's init $init"
  done
  jq -e --arg n "$n" '.nodes[] | select(.name == $n) | [.daemons[] | select(.name == "netd" or .name == "runtime") | .state] | all(. == "ready")' \
    "$E2E_TMP/status.json" >/dev/null || fail "$n: netd and runtime are not both ready"
  jq -e --arg n "$n" '.nodes[] | select(.name == $n) | .daemons[] | select(.name == "ovsdb-create") | .state == "exited"' \
    "$E2E_TMP/status.json" >/dev/null || fail "$n: the OVS database was not created"
  init_ppid=$(ps -o ppid= -p "$init" | tr -d ' ')
  [ "$(ps -o comm= -p "$init_ppid")" = nodelabd ] || fail "$n: its init is not a child of nodelabd"
done

# ---- events: in order, numbered, each node and daemon ready ----
nodelab events "$LAB" --json >"$E2E_TMP/events"
jq -se '[.[].seq] == ([.[].seq] | sort) and length > 10' "$E2E_TMP/events" >/dev/null ||
  fail "events are not numbered in order"
for want in "node-ready n1" "node-ready n2" "daemon-ready n1/netd" "daemon-ready n2/runtime" "lab-up null"; do
  set -- $want
  jq -se --arg k "$1" --arg o "$2" 'map(select(.kind == $k and ((.object // "null") == $o))) | length == 1' \
    "$E2E_TMP/events" >/dev/null || fail "no single $1 event for $2"
done

# ---- a killed daemon is reported and restarted, and serves again ----
nodelab events "$LAB" -f >"$E2E_TMP/follow" 2>&1 &
follower=$!
E2E_BG+=("$follower")
rt=$(jq -r '.nodes[] | select(.name == "n1") | .daemons[] | select(.name == "runtime") | .pid' "$E2E_TMP/status.json")
kill -KILL "$rt"
restarted() {
  lab_status "$LAB" | jq -e '.nodes[] | select(.name == "n1") | .daemons[] | select(.name == "runtime") |
    .restarts == 1 and .state == "ready" and .last_status == 9' >/dev/null
}
wait_for 15 "the runtime of n1 to be restarted" restarted || fail "the killed runtime was not restarted"
grep -q "daemon-exited .*n1/runtime .*killed by signal 9" "$E2E_TMP/follow" ||
  { cat "$E2E_TMP/follow" >&2; fail "events -f did not report the runtime's death"; }
grep -q "daemon-restarting .*n1/runtime" "$E2E_TMP/follow" || fail "events -f did not report the restart"
nodelab run --lab "$LAB" --node n1 --rm ubi true || fail "the restarted runtime does not run containers"

# ---- down: the follower ends by itself, nothing is left ----
nodelab down "$LAB" >/dev/null || fail "nodelab down exited $?"
wait_for 10 "events -f to end with the lab" sh -c "! kill -0 $follower 2>/dev/null" ||
  fail "events -f still runs after down"
assert_clean "$E2E_TMP/before" "after down"

# ---- SIGTERM to nodelabd: a clean shutdown takes every lab down with it ----
nodelab up "$SCENARIO" >/dev/null || fail "nodelab up (again) exited $?"
daemon=$(cat "$NODELAB_RUN/nodelabd.pid")
kill -TERM "$daemon"
wait_for 20 "nodelabd to exit on SIGTERM" sh -c "! kill -0 $daemon 2>/dev/null" ||
  fail "nodelabd ignored SIGTERM"
assert_clean "$E2E_TMP/before" "after SIGTERM to nodelabd"
