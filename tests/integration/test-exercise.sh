#!/usr/bin/env bash
# `nodelab exercise` end to end on the default lab: start with a seed prints
# only the symptom; the same seed picks the same fault and target (status
# --json, fault ls --json); the hint ladder counts up and says when it is
# done; check fails while the fault is there, saying what is still wrong;
# solve shows the commands and repairs, and those commands, run as shown,
# pass check (partition, duplicate-ip, netem).  Then, for six kinds (link-mtu on
# eth0, link-down, tx-checksum-on, flow-delete, pod-route-delete,
# underlay-down), a repair by hand with the real tool inside the node (ip,
# ethtool, ovs-ofctl; nsenter into a pod's or the fabric's namespace) passes
# `exercise check`, leaving nothing different (and a route put back without
# its protocol passes with the difference said).  Deleting and recreating the
# broken pod (as a learner would, through the node's runtime) does not pass:
# the exercise ends as replaced, naming the pod.  `down` with an exercise
# running records it as replaced; `exercise history --json` lists them all
# without a daemon.  The history file the test makes is removed at the end.
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"

LAB=exercise-lab
HISTORY_DIR=/var/lib/nodelab/history
HISTORY=$HISTORY_DIR/$LAB.jsonl
e2e_init "$LAB"
command -v nsenter >/dev/null || fail "nsenter is missing (tools/setup-deps.sh)"
command -v ethtool >/dev/null || fail "ethtool is missing (tools/setup-deps.sh)"
HISTORY_DIR_WAS=$([ -d "$HISTORY_DIR" ] && echo yes || echo no)
rm -f "$HISTORY"
remove_history() {
  rm -f "$HISTORY"
  if [ "$HISTORY_DIR_WAS" = no ]; then rmdir "$HISTORY_DIR" 2>/dev/null || true; fi
}
exercise_cleanup() {
  local rc=$?
  set +e
  remove_history
  (exit "$rc") # e2e_cleanup reads the test's status from $?
  e2e_cleanup
}
trap exercise_cleanup EXIT

wait_for 20 "a previous nodelabd to exit" no_run_dir || say "note: $NODELAB_RUN stays"
snapshot "$E2E_TMP/before"
nodelab up --name "$LAB" >/dev/null || fail "nodelab up --name $LAB"
lab_status "$LAB" >"$E2E_TMP/status.json"
FABRIC_PID=$(jq -r '.fabric.pid' "$E2E_TMP/status.json")

x() { nodelab exercise --lab "$LAB" "$@"; }
status_field() { x status --json | jq -r ".$1"; }
# The fault the running (or last) exercise injected, from fault ls: .target, .params.node...
ex_fault() { nodelab fault --lab "$LAB" ls --json | jq -r "[.active[] | select(.by == \"exercise\")] | last | $1"; }
checks_pass() { x check >"$E2E_TMP/check.out" 2>&1; }
all_green() { nodelab check --lab "$LAB" >/dev/null 2>&1; }
wait_for 30 "every check of the lab to pass" all_green || fail "the lab's checks fail before any exercise"

# ---- start: only the symptom; one at a time ----
x start mtu-black-hole --seed 42 >"$E2E_TMP/start.out" || fail "exercise start mtu-black-hole --seed 42"
cat "$E2E_TMP/start.out" >&2
[ "$(ex_fault .kind)" = link-mtu ] || fail "mtu-black-hole did not inject a link-mtu fault"
SYMPTOM=$(status_field symptom)
printf 'exercise mtu-black-hole started (seed 42)\n\n  %s\n\n%s\n%s\n' "$SYMPTOM" \
  "nodelab exercise hint gives a hint, nodelab exercise check grades your repair," \
  "nodelab exercise solve gives up and shows the answer." >"$E2E_TMP/start.want"
diff -u "$E2E_TMP/start.want" "$E2E_TMP/start.out" >&2 || fail "start prints more than the symptom"
! grep -Eq "link-mtu|$(ex_fault .target)" "$E2E_TMP/start.out" || fail "start gives away the kind or the target"
[ "$(status_field exercise)/$(status_field seed)/$(status_field state)" = mtu-black-hole/42/running ] ||
  fail "status --json: $(x status --json)"
TARGET0=$(ex_fault .target)
! nodelab events "$LAB" --json | grep -qF "$TARGET0" || fail "the events give the target away"
[ "$(lab_status "$LAB" | jq '.faults | length')" = 0 ] || fail "status lists the exercise's fault"
out=$(x start dead-link 2>&1) && fail "a second exercise was started beside the first"
grep -q "exercise mtu-black-hole is running" <<<"$out" && grep -q "nodelab exercise solve" <<<"$out" ||
  fail "the second start does not say how to end the first: $out"
say "start: only the symptom; a second start refused"

# ---- the hint ladder ----
TOTAL=$(status_field hints_total)
((TOTAL >= 2)) || fail "mtu-black-hole has $TOTAL hints"
for ((i = 1; i <= TOTAL; i++)); do
  out=$(x hint) || fail "hint $i"
  grep -q "^hint $i/$TOTAL: " <<<"$out" || fail "hint $i is not numbered $i/$TOTAL: $out"
done
out=$(x hint) || fail "hint after the last"
grep -q "no more hints ($TOTAL/$TOTAL given)" <<<"$out" || fail "after the last hint: $out"
[ "$(status_field hints_used)" = "$TOTAL" ] || fail "status does not count the hints used"
say "hints: 1/$TOTAL .. $TOTAL/$TOTAL, then none left"

# ---- check fails while broken, in words ----
x check >"$E2E_TMP/check.out" 2>&1 && fail "check passed with the fault in place"
cat "$E2E_TMP/check.out" >&2
grep -q "the fault is still present" "$E2E_TMP/check.out" || fail "check does not say the fault is there"
grep -q "check large-.* fails: " "$E2E_TMP/check.out" || fail "check does not name the failing checks"
! grep -Eq "link-mtu|mtu 1300" "$E2E_TMP/check.out" || fail "check gives the answer away"
[ "$(status_field checks_tried)" = 1 ] || fail "status does not count the checks tried"

# ---- solve: cause, commands, repaired, given up ----
x solve >"$E2E_TMP/solve.out" || fail "exercise solve"
cat "$E2E_TMP/solve.out" >&2
grep -q "root cause: mtu-black-hole (link-mtu)" "$E2E_TMP/solve.out" || fail "solve names no cause"
NODE1=$(ex_fault .params.node)
MTU0=$(nodelab exec "$NODE1" -- cat /sys/class/net/eth0/mtu)
grep -q "nodelab exec $NODE1 -- ip link set dev eth0 mtu $MTU0" "$E2E_TMP/solve.out" ||
  fail "solve does not show the exact repair (mtu $MTU0 on $NODE1)"
[ "$(status_field state)" = given-up ] || fail "solve did not end the exercise as given up"
[ "$(ex_fault .state)" = repaired ] || fail "solve did not repair the fault"
wait_for 30 "every check to pass after solve" all_green || fail "checks fail after solve"
say "check fails in words, solve shows the repair and makes it"

# ---- the same seed: the same fault and target (dead-link has two) ----
x start dead-link --seed 42 >/dev/null || fail "start dead-link --seed 42"
TARGET1=$(ex_fault .target)
x solve >/dev/null || fail "solve dead-link"
x start dead-link --seed 42 >/dev/null || fail "second start with seed 42"
[ "$(status_field seed)" = 42 ] || fail "status does not show seed 42"
[ "$(ex_fault .target)" = "$TARGET1" ] || fail "seed 42 picked $TARGET1, then $(ex_fault .target)"
for seed in 1 2 3 4 5 6 7 8; do # another seed picks the other target: seeds matter
  x solve >/dev/null || fail "solve"
  x start dead-link --seed "$seed" >/dev/null || fail "start --seed $seed"
  [ "$(ex_fault .target)" != "$TARGET1" ] && break
done
[ "$(ex_fault .target)" != "$TARGET1" ] || fail "seeds 1..8 all picked $TARGET1"
say "seed 42 picks $TARGET1 twice; seed $seed picks $(ex_fault .target)"

# by_hand_passes NAME REPAIR...: the running exercise NAME passes check once
# REPAIR (the real tool) ran, and no residue is reported.
by_hand_passes() {
  local name=$1
  shift
  x check >/dev/null 2>&1 && fail "$name: check passed before the repair"
  "$@" || fail "$name: the repair by hand ($*) failed"
  wait_for 30 "$name's check to pass after: $*" checks_pass || {
    cat "$E2E_TMP/check.out" >&2
    fail "$name: check does not pass after the repair by hand: $*"
  }
  grep -q "^passed" "$E2E_TMP/check.out" || fail "$name: check says: $(cat "$E2E_TMP/check.out")"
  if [ -n "${EXPECT_RESIDUE:-}" ]; then # the repair works, but not exactly: said so
    grep -q "^note: the repair works but left the state different" "$E2E_TMP/check.out" &&
      grep -q "$EXPECT_RESIDUE" "$E2E_TMP/check.out" || {
      cat "$E2E_TMP/check.out" >&2
      fail "$name: the residue ($EXPECT_RESIDUE) is not reported"
    }
  elif grep -q "^note:" "$E2E_TMP/check.out"; then
    cat "$E2E_TMP/check.out" >&2
    fail "$name: the repair by hand left residue"
  fi
  [ "$(status_field state)" = solved ] || fail "$name: not solved after check passed"
  [ "$(ex_fault .state)" = repaired-by-hand ] || fail "$name: fault ls says $(ex_fault .state)"
  wait_for 30 "every check to pass after $name" all_green || fail "$name: the lab's checks fail after"
  say "$name: $(ex_fault .kind) on $(ex_fault .target) repaired by hand: $*"
}
node_of() { ex_fault .params.node; }
pod_pid() { jq -r --arg p "$1" '.pods[] | select(.name==$p) | .infra_host_pid' "$E2E_TMP/status.json"; }

by_hand_passes dead-link nodelab exec "$(node_of)" -- ip link set dev eth0 up

x start mtu-black-hole >/dev/null || fail "start mtu-black-hole (a seed drawn)"
[ "$(status_field seed)" -gt 0 ] || fail "no seed drawn: $(status_field seed)"
by_hand_passes mtu-black-hole nodelab exec "$(node_of)" -- ip link set dev eth0 mtu "$MTU0"

x start checksum-offload --seed 3 >/dev/null || fail "start checksum-offload"
POD=$(ex_fault .params.pod)
by_hand_passes checksum-offload nsenter -t "$(pod_pid "$POD")" -n ethtool -K eth0 tx off >/dev/null

x start missing-flow --seed 3 >/dev/null || fail "start missing-flow"
REMOTE=$(ex_fault .params.remote)
R_SUBNET=$(jq -r --arg n "$REMOTE" '.nodes[] | select(.name==$n) | .subnet' "$E2E_TMP/status.json")
R_UNDERLAY=$(jq -r --arg n "$REMOTE" '.nodes[] | select(.name==$n) | .underlay' "$E2E_TMP/status.json")
FLOW="table=90,priority=100,ip,nw_dst=$R_SUBNET,actions=set_field:${R_UNDERLAY%/*}->tun_dst,output:1"
by_hand_passes missing-flow nodelab exec "$(node_of)" -- ovs-ofctl -O OpenFlow13 add-flow br0 "$FLOW"

# The pod's default route goes via its node's tun0 (.1 of the subnet), proto
# static.  Put back without "proto static" it works, and check says what differs.
x start lost-route --seed 3 >/dev/null || fail "start lost-route"
POD=$(ex_fault .params.pod)
GW=$(jq -r --arg p "$POD" '.pods[] | select(.name==$p) | .ip' "$E2E_TMP/status.json")
GW=${GW%.*}.1
EXPECT_RESIDUE="^- route table main default .* proto static" \
  by_hand_passes "lost-route (not quite)" nsenter -t "$(pod_pid "$POD")" -n ip route add default via "$GW" dev eth0
nsenter -t "$(pod_pid "$POD")" -n ip route replace default via "$GW" dev eth0 proto static
x start lost-route --seed 3 >/dev/null || fail "start lost-route again"
by_hand_passes lost-route nsenter -t "$(pod_pid "$POD")" -n ip route add default via "$GW" dev eth0 proto static

x start unplugged-node --seed 3 >/dev/null || fail "start unplugged-node"
PORT=$(jq -r --arg n "$(node_of)" '.links[] | select(.node==$n) | .peer' "$E2E_TMP/status.json")
by_hand_passes unplugged-node nsenter -t "$FABRIC_PID" -n ip link set dev "$PORT" up

# ---- the commands solve shows are the repair: run as shown, they pass check ----
for ex in split-nodes address-clash congested-underlay; do
  x start "$ex" --seed 5 >/dev/null || fail "start $ex"
  x solve >"$E2E_TMP/solve.out" || fail "solve $ex"
  sed -n '/^the repair by hand/,/^$/{/^  /{s/^  //;s/    #.*$//;p}}' "$E2E_TMP/solve.out" >"$E2E_TMP/cmds"
  [ -s "$E2E_TMP/cmds" ] || fail "$ex: solve shows no command: $(cat "$E2E_TMP/solve.out")"
  x start "$ex" --seed 5 >/dev/null || fail "start $ex again"
  while IFS= read -r cmd; do
    eval "$cmd" >/dev/null || fail "$ex: solve's command failed: $cmd"
  done <"$E2E_TMP/cmds"
  wait_for 30 "$ex's check to pass after solve's commands" checks_pass || {
    cat "$E2E_TMP/check.out" >&2
    fail "$ex: check does not pass after the commands solve showed"
  }
  ! grep -q "^note:" "$E2E_TMP/check.out" || fail "$ex: solve's commands left residue: $(cat "$E2E_TMP/check.out")"
  say "$ex: solve's commands repair it exactly: $(tr '\n' ';' <"$E2E_TMP/cmds")"
done

# ---- replacing the broken pod does not pass ----
# A learner deletes the pod and runs it again from the scenario's spec, with
# the node's runtime (its own RPC, as `nodelab-runtime call` sends it).
RUNTIME=$NODELAB_BUILD_DIR/runtime/nodelab-runtime
[ -x "$RUNTIME" ] || fail "no $RUNTIME"
x start lost-route --seed 3 >/dev/null || fail "start lost-route (to replace)"
POD=$(ex_fault .params.pod)
POD_NODE=$(jq -r --arg p "$POD" '.pods[] | select(.name==$p) | .node' "$E2E_TMP/status.json")
case $POD in
web) SPEC='{"name": "httpd", "image": "ubi", "command": ["httpd", "-f", "-p", "8080", "-h", "/etc"], "memory_bytes": 67108864, "cpu_millis": 500, "pids": 64}' ;;
client) SPEC='{"name": "client", "image": "ubi", "command": ["sleep", "infinity"], "memory_bytes": 33554432, "cpu_millis": 250, "pids": 32}' ;;
*) fail "lost-route picked pod $POD, which the test cannot recreate" ;;
esac
nodelab exec "$POD_NODE" -- "$RUNTIME" call "{\"op\": \"pod-rm\", \"name\": \"$POD\", \"force\": true}" >/dev/null ||
  fail "pod-rm $POD"
nodelab exec "$POD_NODE" -- "$RUNTIME" call "{\"op\": \"pod-run\", \"name\": \"$POD\", \"containers\": [$SPEC]}" >/dev/null ||
  fail "pod-run $POD"
x check >"$E2E_TMP/check.out" 2>&1 && fail "check passed after the pod was recreated"
cat "$E2E_TMP/check.out" >&2
grep -q "pod $POD was deleted and recreated" "$E2E_TMP/check.out" || fail "check does not name the replaced pod"
[ "$(status_field state)" = replaced ] || fail "status says $(status_field state), not replaced"
say "recreating pod $POD: replaced, not repaired"

# ---- down with an exercise running; history without a daemon ----
x start mtu-black-hole --seed 42 >/dev/null || fail "start before down"
nodelab down "$LAB" >/dev/null || fail "down with an exercise running"
assert_clean "$E2E_TMP/before" "down with an exercise running"
x history --json >"$E2E_TMP/history.json" || fail "exercise history --json"
nodelab exercise history --lab "$LAB" >&2 || fail "exercise history"
jq -e 'length >= 18' "$E2E_TMP/history.json" >/dev/null || fail "history lists $(jq length "$E2E_TMP/history.json")"
[ "$(jq -r '[.[] | select(.result == "solved")] | length' "$E2E_TMP/history.json")" = 10 ] ||
  fail "history does not hold the 10 exercises solved by hand"
[ "$(jq -r '.[0] | "\(.exercise) \(.kind) \(.seed) \(.result) \(.hints_used) \(.checks_tried)"' "$E2E_TMP/history.json")" = \
  "mtu-black-hole link-mtu 42 given-up $TOTAL 1" ] || fail "the first record: $(jq -c '.[0]' "$E2E_TMP/history.json")"
[ "$(jq -r '.[-2].result' "$E2E_TMP/history.json")" = replaced ] || fail "the replaced pod is not recorded"
[ "$(jq -r '.[-1] | "\(.result): \(.reason)"' "$E2E_TMP/history.json")" = \
  "replaced: lab $LAB was brought down while the exercise ran" ] || fail "down is not recorded"
jq -e 'all(.[]; .lab and .fault and .target and .started and .ended and (.seconds >= 0))' \
  "$E2E_TMP/history.json" >/dev/null || fail "a record lacks a field"
say "history: $(jq length "$E2E_TMP/history.json") records, from $HISTORY"
