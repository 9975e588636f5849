#!/usr/bin/env bash
# Checks end to end (issue 8): `nodelab check` on the default lab, through
# nodelabd and the nodelab-probe helpers inside the pods' and nodes' namespaces:
#   - every default check passes, exit 0; --json's shape; one check by name;
#     an unknown name exits non-zero and names it; --watch until SIGINT;
#   - a path broken by hand as a learner would (node2's eth0 MTU below what
#     VXLAN needs) turns the large-packet check red with a reason in words, and
#     small pings stay green; the repair by hand turns it green again;
#   - the results are in `nodelab status --json` and the event stream;
#   - a small lab of its own: `expect: fail` passes with "failed as expected:",
#     and while a slow check runs (3 s to an unused address) `nodelab ls`
#     answers within 1 s: the loop never blocks on a probe;
#   - everything down, the host as before.
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"

LAB=ck-default
SMALL=ck-small
e2e_init "$LAB" "$SMALL"
snapshot "$E2E_TMP/before"

nodelab up --name "$LAB" >"$E2E_TMP/up.out" || fail "nodelab up --name $LAB exited $?"
say "up: $(head -n1 "$E2E_TMP/up.out")"
n_checks=$(nodelab status "$LAB" --json | jq '.checks | length')
[ "$n_checks" -eq 0 ] || fail "status has $n_checks check results before any ran"
nodelab status "$LAB" | grep -q '^Checks: none run' || fail "status does not say no check ran"

# ---- all checks green ----
nodelab check --lab "$LAB" >"$E2E_TMP/check.out" 2>&1 ||
  { cat "$E2E_TMP/check.out" >&2; fail "nodelab check exited $? on a healthy lab"; }
head -n1 "$E2E_TMP/check.out" | grep -Eq '^NAME +FROM +TO +RESULT +LATENCY +REASON$' ||
  fail "no table header: $(head -n1 "$E2E_TMP/check.out")"
expected=$(nodelab validate "$NODELAB_SOURCE_DIR/scenarios/default.yaml" | sed -E 's/.* ([0-9]+) checks.*/\1/')
passed=$(grep -Ec '^[a-z0-9-]+ +[a-z0-9/-]+ +[^ ]+ +passed ' "$E2E_TMP/check.out" || true)
[ "$passed" -eq "$expected" ] || { cat "$E2E_TMP/check.out" >&2; fail "$passed of $expected checks passed"; }
tail -n1 "$E2E_TMP/check.out" | grep -qx "$expected passed, 0 failed" ||
  fail "summary: $(tail -n1 "$E2E_TMP/check.out")"
say "nodelab check: all $expected default checks passed"

# ---- --json ----
nodelab check --lab "$LAB" --json >"$E2E_TMP/check.json" || fail "nodelab check --json exited $?"
jq -e --argjson n "$expected" '(.checks | length) == $n and .passed == $n and .failed == 0 and
    all(.checks[]; (.name | type) == "string" and (.kind | IN("ping","tcp","http","udp","exec"))
        and (.from | type) == "string" and (.to | type) == "string" and .result == "passed"
        and (.latencyMs | type) == "number" and (.reason | length) > 0 and (.time | test("Z$")))' \
  "$E2E_TMP/check.json" >/dev/null || { cat "$E2E_TMP/check.json" >&2; fail "--json shape"; }
jq -e '.checks[] | select(.name == "client-to-web") | .kind == "http" and .to == "web:8080"
    and (.reason | startswith("HTTP 200"))' "$E2E_TMP/check.json" >/dev/null ||
  fail "client-to-web: $(jq -c '.checks[0]' "$E2E_TMP/check.json")"
say "--json: $expected results, passed/failed counts, every field typed"

# ---- one by name; an unknown name ----
nodelab check --lab "$LAB" ping-web web-chmod >"$E2E_TMP/two.out" || fail "check ping-web web-chmod exited $?"
[ "$(grep -c passed "$E2E_TMP/two.out")" -eq 3 ] || { cat "$E2E_TMP/two.out" >&2; fail "two named checks"; }
grep -q '^web-chmod .*exit status 0' "$E2E_TMP/two.out" || fail "web-chmod: $(cat "$E2E_TMP/two.out")"
rc=0
nodelab check --lab "$LAB" ping-web no-such-check >"$E2E_TMP/bad.out" 2>&1 || rc=$?
((rc != 0)) || fail "an unknown check name exited 0"
grep -q 'no check "no-such-check" in lab' "$E2E_TMP/bad.out" || fail "unknown name: $(cat "$E2E_TMP/bad.out")"
say "named checks run alone; an unknown name exits $rc: $(head -c 60 "$E2E_TMP/bad.out")..."

# ---- --watch: rounds until Ctrl-C, exit 0 when the last round passed ----
"$NODELAB" check --lab "$LAB" --watch --interval 100ms ping-web >"$E2E_TMP/watch.out" 2>&1 &
watch_pid=$!
E2E_BG+=("$watch_pid")
three_rounds() { [ "$(grep -c '^1 passed, 0 failed$' "$E2E_TMP/watch.out")" -ge 3 ]; }
wait_for 20 "three rounds of check --watch" three_rounds || { cat "$E2E_TMP/watch.out" >&2; fail "--watch"; }
kill -INT "$watch_pid"
rc=0
wait "$watch_pid" || rc=$?
((rc == 0)) || { cat "$E2E_TMP/watch.out" >&2; fail "check --watch exited $rc on SIGINT after green rounds"; }
say "--watch: $(grep -c '^1 passed' "$E2E_TMP/watch.out") rounds, SIGINT exits 0"

# ---- broken by hand, repaired by hand ----
# VXLAN adds 50 bytes: with node2's underlay link at 1300, a 1400-byte echo
# between client (node2) and web (node1) never arrives, a small one does.
nodelab exec node2 -- ip link set eth0 mtu 1300 || fail "ip link set eth0 mtu 1300 in node2"
rc=0
nodelab check --lab "$LAB" large-client-web ping-web >"$E2E_TMP/broken.out" || rc=$?
((rc == 1)) || { cat "$E2E_TMP/broken.out" >&2; fail "check after the MTU break exited $rc, not 1"; }
grep -Eq '^large-client-web .* failed .*no ICMP reply in 1 s' "$E2E_TMP/broken.out" ||
  { cat "$E2E_TMP/broken.out" >&2; fail "large-client-web did not fail in words"; }
grep -Eq '^ping-web .* passed ' "$E2E_TMP/broken.out" ||
  { cat "$E2E_TMP/broken.out" >&2; fail "ping-web failed though small packets fit"; }
say "node2 eth0 mtu 1300: $(grep '^large-client-web' "$E2E_TMP/broken.out" | tr -s ' ')"
nodelab exec node2 -- ip link set eth0 mtu 1500 || fail "ip link set eth0 mtu 1500 in node2"
nodelab check --lab "$LAB" >"$E2E_TMP/repaired.out" ||
  { cat "$E2E_TMP/repaired.out" >&2; fail "checks after the repair exited $?"; }
say "repaired: $(tail -n1 "$E2E_TMP/repaired.out")"

# ---- status and events ----
lab_status "$LAB" >"$E2E_TMP/status.json"
jq -e --argjson n "$expected" '(.checks | length) == $n and all(.checks[]; .result == "passed")' \
  "$E2E_TMP/status.json" >/dev/null || fail "status --json checks: $(jq -c .checks "$E2E_TMP/status.json")"
nodelab status "$LAB" >"$E2E_TMP/status.txt"
grep -Eq '^  large-client-web +node2/client +web +passed ' "$E2E_TMP/status.txt" ||
  { cat "$E2E_TMP/status.txt" >&2; fail "status shows no CHECKS table"; }
nodelab events "$LAB" >"$E2E_TMP/events.txt" || fail "nodelab events exited $?"
grep -Eq 'check-failed +large-client-web +no ICMP reply' "$E2E_TMP/events.txt" ||
  fail "no check-failed event for large-client-web"
grep -Eq 'check-passed +client-to-web +HTTP 200' "$E2E_TMP/events.txt" ||
  fail "no check-passed event for client-to-web"
say "status --json holds the last results; events: $(grep -c 'check-' "$E2E_TMP/events.txt") check events"

nodelab down "$LAB" >/dev/null || fail "nodelab down $LAB exited $?"

# ---- expect: fail, and a slow check beside the API ----
cat >"$E2E_TMP/small.yaml" <<EOF
name: $SMALL
description: nodelab integration test ($E2E_NAME), expect fail and a slow check.
cluster:
  nodes: [n1]
pods:
  - name: p
    node: n1
    containers:
      - {name: c, image: ubi, command: [sleep, infinity]}
checks:
  - {name: reach-p, from: n1, ping: p}
  - {name: p-port-closed, from: n1, tcp: "p:9", expect: fail}
  - {name: p-sees-n1, from: n1/p/c, exec: [ping, -c, "1", -W, "2", 10.1.0.1]}
  - {name: p-no-such-file, from: n1/p, exec: [cat, /nonexistent], expect: fail}
  - {name: slow, from: n1, tcp: "10.1.0.200:80", timeout: 3s}
EOF
nodelab up "$E2E_TMP/small.yaml" >/dev/null || fail "nodelab up of the small lab exited $?"
nodelab check --lab "$SMALL" reach-p p-port-closed p-sees-n1 p-no-such-file >"$E2E_TMP/small.out" ||
  { cat "$E2E_TMP/small.out" >&2; fail "the small lab's checks exited $?"; }
grep -Eq '^p-port-closed .* passed .*failed as expected: TCP connect refused' "$E2E_TMP/small.out" ||
  { cat "$E2E_TMP/small.out" >&2; fail "expect: fail did not pass in words"; }
grep -Eq '^p-no-such-file .* passed .*failed as expected: exit status 1: cat: .*nonexistent' \
  "$E2E_TMP/small.out" || { cat "$E2E_TMP/small.out" >&2; fail "exec expect: fail"; }
nodelab check --lab "$SMALL" --json p-port-closed | jq -e '.checks[0].expectFail == true' >/dev/null ||
  fail "--json lacks expectFail"
say "expect: fail: $(grep '^p-port-closed' "$E2E_TMP/small.out" | tr -s ' ')"

nodelab check --lab "$SMALL" slow >"$E2E_TMP/slow.out" 2>&1 &
slow_pid=$!
E2E_BG+=("$slow_pid")
probe_running() { pgrep -x nodelab-probe >/dev/null; }
wait_for 5 "the slow check's probe helper" probe_running || fail "no probe helper for the slow check"
t0=$(date +%s%N)
nodelab ls >"$E2E_TMP/ls.out" || fail "nodelab ls exited $? while a check ran"
ls_ms=$((($(date +%s%N) - t0) / 1000000))
probe_running || fail "the slow check was over before ls answered: no proof the loop stayed free"
((ls_ms < 1000)) || fail "nodelab ls took $ls_ms ms while a slow check ran"
rc=0
wait "$slow_pid" || rc=$?
((rc == 1)) || { cat "$E2E_TMP/slow.out" >&2; fail "the slow check exited $rc, not 1"; }
grep -Eq '^slow .* failed .*(TCP connect timed out|no route to host)' "$E2E_TMP/slow.out" ||
  { cat "$E2E_TMP/slow.out" >&2; fail "slow check's reason"; }
say "ls answered in $ls_ms ms during a 3 s check: $(grep '^slow' "$E2E_TMP/slow.out" | tr -s ' ')"

nodelab down "$SMALL" >/dev/null || fail "nodelab down $SMALL exited $?"
rc=0
nodelab check >"$E2E_TMP/none.out" 2>&1 || rc=$?
((rc != 0)) || fail "check without a lab exited 0"
grep -q 'no lab is running: start one with nodelab up' "$E2E_TMP/none.out" ||
  fail "check without a lab: $(cat "$E2E_TMP/none.out")"
for bad in "--interval 1s:--interval goes with --watch" \
  "--watch --interval 2:--interval 2 is not a duration" "--watch --interval 0s:must be greater than 0"; do
  rc=0
  # shellcheck disable=SC2086 # the options are words
  nodelab check ${bad%%:*} >"$E2E_TMP/usage.out" 2>&1 || rc=$?
  ((rc == 2)) && grep -qe "${bad#*:}" "$E2E_TMP/usage.out" ||
    fail "check ${bad%%:*}: exit $rc, $(cat "$E2E_TMP/usage.out")"
done
assert_clean "$E2E_TMP/before" "after down"
say "down: nothing left"
