#!/usr/bin/env bash
# The process kinds on the default lab: daemon-kill and pod-kill, and
# `nodelab service` and `nodelab pod start`, the verbs a learner repairs
# them with.  For each kind: inject breaks a check of the default lab
# (`nodelab check NAME` fails), nothing in nodelab undoes it (the killed
# daemon is still dead 3 s later: its supervision is paused), `fault repair`
# makes every check green and the lab's state (fault-state-lib.sh) equal to
# before; a repair by hand with the learner's verb shows as repaired-by-hand.
# A killed pod comes back in new namespaces (as a Kubernetes sandbox does)
# with the same name, address, MAC, containers and commands: its state is
# compared with the kernel's and OVS's numbering of the new objects (ifindex,
# the infra's pid in the port's external_ids) taken out.  `nodelab service`
# itself: status (table and --json), stop stays stopped, start and restart,
# errors that list the valid nodes and daemons.  `down` with both faults
# active leaves nothing; so does `down --force` after kill -9 of nodelabd.
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/fault-state-lib.sh
source "$(dirname "$0")/fault-state-lib.sh"

LAB=faults-proc
e2e_init "$LAB"
command -v nsenter >/dev/null || fail "nsenter is missing (tools/setup-deps.sh)"
command -v ethtool >/dev/null || fail "ethtool is missing (tools/setup-deps.sh)"

wait_for 20 "a previous nodelabd to exit" no_run_dir || say "note: $NODELAB_RUN stays"
# The verbs under test exist only in this build's nodelabd: another build's,
# still serving a lab, would answer "not found".
daemon_exe=$(readlink "/proc/$(cat "$NODELAB_RUN/nodelabd.pid" 2>/dev/null || echo 0)/exe" 2>/dev/null || true)
[ -z "$daemon_exe" ] || [ "$daemon_exe" = "$NODELAB_BUILD_DIR/nodes/nodelabd" ] ||
  fail "another build's nodelabd ($daemon_exe) serves labs here ($(find "$NODELAB_RUN" -mindepth 1 -maxdepth 1 -type d -printf '%f ')): bring them down first"
snapshot "$E2E_TMP/before"

nodelab up --name "$LAB" >/dev/null || fail "nodelab up --name $LAB"
f() { nodelab fault --lab "$LAB" "$@"; }
svc() { nodelab service --lab "$LAB" "$@"; }
pod_field() { lab_status "$LAB" | jq -r --arg p "$1" --arg f "$2" '.pods[] | select(.name == $p) | .[$f]'; }
FABRIC_PID=$(lab_status "$LAB" | jq -r .fabric.pid)
# The state as a restart leaves it, with what the kernel numbers anew taken
# out: a new sandbox's ifindexes, netns ids, infra pid (in its port's
# external_ids) and the random MAC of the node's end of its veth (the pod's
# end has the address's MAC, which OVSDB and the flows show too); and the operstate of ovs-vswitchd's tap ports (tun0, br0,
# br-phy), which the kernel reports UNKNOWN until their carrier first
# toggles and UP once a restarted ovs-vswitchd has attached them again (as
# after any restart by its supervision).  The pods' namespaces are captured
# by their current infra.
sandbox_norm() {
  sed -E 's/^[0-9]+: /N: /; s/@if[0-9]+/@ifN/; s/link-netnsid [0-9]+/link-netnsid N/g;
          s#/proc/[0-9]+/ns/net#/proc/PID/ns/net#g;
          /link-netnsid/s#link/ether [0-9a-f:]+#link/ether MAC#;
          /^N: (tun0|br0|br-phy)[:@]/s/ state (UNKNOWN|UP) / state UP-OR-UNKNOWN /'
}
state() {
  lab_state "$LAB" "web=$(pod_field web infra_host_pid)" "client=$(pod_field client infra_host_pid)" \
    "fabric=$FABRIC_PID"
}
all_checks_pass() { nodelab check --lab "$LAB" >"$E2E_TMP/checks" 2>&1; }
check_fails() { ! nodelab check --lab "$LAB" "$1" >/dev/null 2>&1; }
wait_for 30 "every check of the default lab to pass" all_checks_pass ||
  { cat "$E2E_TMP/checks" >&2; fail "the default lab's checks fail before any fault"; }
state >"$E2E_TMP/state-0"
sandbox_norm <"$E2E_TMP/state-0" >"$E2E_TMP/state-0n"

# assert_back WHAT [norm]: every check passes again, and the state is the
# first capture's (with norm: as sandbox_norm sees it).
same_state() {
  state >"$E2E_TMP/state-now" || return 1
  if [ "${1:-}" = norm ]; then
    sandbox_norm <"$E2E_TMP/state-now" >"$E2E_TMP/state-nown"
    cmp -s "$E2E_TMP/state-0n" "$E2E_TMP/state-nown"
  else
    cmp -s "$E2E_TMP/state-0" "$E2E_TMP/state-now"
  fi
}
assert_back() {
  wait_for 30 "every check to pass after $1" all_checks_pass ||
    { cat "$E2E_TMP/checks" >&2; fail "$1: checks still fail"; }
  if ! wait_for 20 "the state to be back after $1" same_state "${2:-}"; then
    if [ "${2:-}" = norm ]; then diff -u "$E2E_TMP/state-0n" "$E2E_TMP/state-nown" >&2 || true
    else diff -u "$E2E_TMP/state-0" "$E2E_TMP/state-now" >&2 || true; fi
    fail "$1: the state differs from before inject (diff above)"
  fi
}
fault_state() { # KIND: the state of the last fault of KIND in fault ls --json
  f ls --json | jq -r --arg k "$1" '[.active[] | select(.kind == $k)] | last | .state'
}
is_fault_state() { [ "$(fault_state "$1")" = "$2" ]; }
svc_field() { # NODE DAEMON FIELD
  svc "$1" status --json | jq -r --arg d "$2" --arg f "$3" '.services[] | select(.name == $d) | .[$f]'
}
svc_is() { [ "$(svc_field "$1" "$2" state)" = "$3" ]; } # NODE DAEMON STATE
pod_is() { [ "$(pod_field "$1" state)" = "$2" ]; }     # POD STATE
daemon_runs() { [ "$(svc_field "$1" "$2" state)" != stopped ] && [ "$(svc_field "$1" "$2" pid)" != 0 ]; }

# ---- nodelab service ----
svc node1 status >"$E2E_TMP/svc" || fail "service node1 status exited $?"
head -1 "$E2E_TMP/svc" | grep -Eq '^DAEMON +STATE +PID +RESTARTS +SINCE' || { cat "$E2E_TMP/svc" >&2; fail "service status: no header"; }
for d in ovsdb-server ovs-vswitchd netd runtime; do
  grep -Eq "^$d +(running|ready) +[0-9]+ +0 " "$E2E_TMP/svc" || { cat "$E2E_TMP/svc" >&2; fail "service status: $d is not running"; }
done
svc node1 status netd --json >"$E2E_TMP/svc.json" || fail "service node1 status netd --json"
jq -e '.node == "node1" and (.services | length) == 1 and .services[0].name == "netd" and
  .services[0].supervised' "$E2E_TMP/svc.json" >/dev/null || { cat "$E2E_TMP/svc.json" >&2; fail "service status netd --json"; }
out=$(svc nowhere status 2>&1) && fail "a service of an unknown node was listed"
grep -q "has no node nowhere (its nodes: master, node1, node2)" <<<"$out" || fail "unknown node: $out"
out=$(svc node1 start sshd 2>&1) && fail "an unknown daemon was started"
grep -q "node node1 has no service sshd (its services: ovsdb-server, ovs-vswitchd, netd, runtime)" <<<"$out" ||
  fail "unknown daemon: $out"
out=$(svc node1 reload netd 2>&1) && fail "an unknown action was accepted"
grep -q "unknown action reload" <<<"$out" || fail "unknown action: $out"
out=$(svc node1 stop 2>&1) && fail "stop without a daemon was accepted"
grep -q "which daemon" <<<"$out" || fail "stop without a daemon: $out"
# stop: stays stopped (nothing restarts it within 3 s), start brings it back.
NETD_PID=$(svc_field node2 netd pid)
svc node2 stop netd >/dev/null || fail "service node2 stop netd"
wait_for 10 "netd of node2 to be stopped" pid_gone "$NETD_PID" || fail "service stop: netd still runs"
[ "$(svc_field node2 netd state)" = stopped ] || fail "service stop: netd is $(svc_field node2 netd state)"
[ "$(svc_field node2 netd supervised)" = false ] || fail "service stop: netd is still supervised"
if wait_for 3 "(expected to time out) a restart of the stopped netd" daemon_runs node2 netd 2>/dev/null; then
  fail "service stop: something restarted netd"
fi
svc node2 start netd >/dev/null || fail "service node2 start netd"
wait_for 10 "netd of node2 to be ready" svc_is node2 netd ready ||
  fail "service start: netd is $(svc_field node2 netd state)"
NETD_PID=$(svc_field node2 netd pid)
svc node2 restart netd >/dev/null || fail "service node2 restart netd"
netd_restarted() { [ "$(svc_field node2 netd state)" = ready ] && [ "$(svc_field node2 netd pid)" != "$NETD_PID" ]; }
wait_for 10 "netd of node2 to run again with a new pid" netd_restarted || fail "service restart: netd did not come back"
[ "$(svc_field node2 netd supervised)" = true ] || fail "service restart: netd is not supervised"
assert_back "service stop, start, restart"
say "service: status, errors, stop stays stopped, start, restart: ok"

# ---- daemon-kill: the default target is ovs-vswitchd of web's node ----
f inject daemon-kill --json >"$E2E_TMP/inject.json" || fail "daemon-kill: inject failed"
[ "$(jq -r .target "$E2E_TMP/inject.json")" = "node1 daemon ovs-vswitchd" ] ||
  fail "daemon-kill: the default target is $(jq -r .target "$E2E_TMP/inject.json")"
wait_for 10 "client-to-web to fail" check_fails client-to-web || fail "daemon-kill: client-to-web still passes"
wait_for 5 "ovs-vswitchd to show stopped" svc_is node1 ovs-vswitchd stopped ||
  fail "daemon-kill: service status shows ovs-vswitchd $(svc_field node1 ovs-vswitchd state)"
[ "$(lab_status "$LAB" | jq -r '.nodes[] | select(.name=="node1") | .daemons[] | select(.name=="ovs-vswitchd") | .state')" = stopped ] ||
  fail "daemon-kill: nodelab status does not show ovs-vswitchd stopped"
nodelab events "$LAB" --json | jq -r .kind | grep -qx daemon-stopped || fail "daemon-kill: no daemon-stopped event"
if wait_for 3 "(expected to time out) a restart of the killed ovs-vswitchd" daemon_runs node1 ovs-vswitchd 2>/dev/null; then
  fail "daemon-kill: ovs-vswitchd was restarted by something in nodelab"
fi
is_fault_state daemon-kill active || fail "daemon-kill: ls says $(fault_state daemon-kill)"
f repair daemon-kill >/dev/null || fail "daemon-kill: repair failed"
is_fault_state daemon-kill repaired || fail "daemon-kill: ls says $(fault_state daemon-kill) after repair"
assert_back "daemon-kill repair" norm
say "daemon-kill: inject breaks client-to-web, supervision paused, repair: checks green, state equal"
# By hand: nodelab service start.
f inject daemon-kill >/dev/null || fail "daemon-kill: second inject failed"
wait_for 10 "client-to-web to fail again" check_fails client-to-web || fail "daemon-kill: second inject does not bite"
svc node1 start ovs-vswitchd >/dev/null || fail "daemon-kill: service node1 start ovs-vswitchd failed"
wait_for 10 "daemon-kill to show repaired-by-hand" is_fault_state daemon-kill repaired-by-hand ||
  fail "daemon-kill: the start by hand is not seen: $(fault_state daemon-kill)"
f repair daemon-kill >/dev/null || fail "daemon-kill: repair after the repair by hand failed"
assert_back "daemon-kill repaired by hand" norm
say "daemon-kill: repaired by hand with nodelab service start: seen, state equal"

# ---- pod-kill: the default target is web ----
WEB_IP=$(pod_field web ip)
f inject pod-kill --json >"$E2E_TMP/inject.json" || fail "pod-kill: inject failed"
[ "$(jq -r .target "$E2E_TMP/inject.json")" = "node1/web (its infra and containers)" ] ||
  fail "pod-kill: the default target is $(jq -r .target "$E2E_TMP/inject.json")"
wait_for 10 "client-to-web to fail" check_fails client-to-web || fail "pod-kill: client-to-web still passes"
nodelab ps -a --node node1 --lab "$LAB" >"$E2E_TMP/ps"
if ! grep -q "web-httpd" "$E2E_TMP/ps" || grep "web-httpd" "$E2E_TMP/ps" | grep -q " Up "; then
  cat "$E2E_TMP/ps" >&2
  fail "pod-kill: web-httpd is not listed as exited"
fi
[ "$(lab_status "$LAB" | jq -r '.faults[] | select(.kind == "pod-kill") | "\(.node) \(.state)"')" = "node1 active" ] ||
  fail "pod-kill: status does not show it active on node1"
[ "$(pod_field web state)" = failed ] || fail "pod-kill: status shows web $(pod_field web state)"
if wait_for 3 "(expected to time out) web to run again" pod_is web running 2>/dev/null; then
  fail "pod-kill: something in nodelab restarted web"
fi
f repair pod-kill >/dev/null || fail "pod-kill: repair failed"
is_fault_state pod-kill repaired || fail "pod-kill: ls says $(fault_state pod-kill) after repair"
[ "$(pod_field web ip)" = "$WEB_IP" ] || fail "pod-kill: web came back with $(pod_field web ip), not $WEB_IP"
assert_back "pod-kill repair" norm
say "pod-kill: inject breaks client-to-web, nothing restarts it, repair: same address, checks green, state equal"
f inject pod-kill >/dev/null || fail "pod-kill: second inject failed"
wait_for 10 "client-to-web to fail again" check_fails client-to-web || fail "pod-kill: second inject does not bite"
nodelab pod --lab "$LAB" start node1/web >/dev/null || fail "pod-kill: nodelab pod start node1/web failed"
wait_for 10 "pod-kill to show repaired-by-hand" is_fault_state pod-kill repaired-by-hand ||
  fail "pod-kill: the start by hand is not seen: $(fault_state pod-kill)"
f repair pod-kill >/dev/null || fail "pod-kill: repair after the repair by hand failed"
assert_back "pod-kill repaired by hand" norm
say "pod-kill: repaired by hand with nodelab pod start: seen, state equal"

# ---- down with both active ----
f inject daemon-kill node=node2 >/dev/null || fail "inject daemon-kill before down"
f inject pod-kill pod=client >/dev/null || fail "inject pod-kill before down"
nodelab down "$LAB" >/dev/null || fail "down with active faults"
assert_clean "$E2E_TMP/before" "down with daemon-kill and pod-kill active"
say "down with daemon-kill and pod-kill active: nothing left"

# ---- kill -9 of nodelabd with both active: down --force leaves nothing ----
# (Labs do not outlive nodelabd: its ledger is what down --force removes;
# the killed daemon and pod were in the lab's namespaces and go with them.)
nodelab up --name "$LAB" >/dev/null || fail "second nodelab up --name $LAB"
f inject daemon-kill >/dev/null || fail "inject daemon-kill before kill -9"
f inject pod-kill >/dev/null || fail "inject pod-kill before kill -9"
DAEMON_PID=$(cat "$NODELAB_RUN/nodelabd.pid")
kill -9 "$DAEMON_PID" || fail "kill -9 of nodelabd"
wait_for 10 "nodelabd to die" pid_gone "$DAEMON_PID" || fail "nodelabd survived kill -9"
nodelab down --force "$LAB" >/dev/null || fail "down --force after kill -9 of nodelabd"
assert_clean "$E2E_TMP/before" "kill -9 of nodelabd with daemon-kill and pod-kill active, then down --force"
say "kill -9 of nodelabd with daemon-kill and pod-kill active, down --force: nothing left"
