#!/usr/bin/env bash
# nodelabd never blocks its loop on a node: while a 30-node `nodelab up`
# runs, `nodelab ls --json`, `nodelab status --json` and `nodelab events`
# each answer within 2 s, and the events show nodes coming up before `up`
# returns; `ls` answers during `down` too, and `down` leaves the host as it was.
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"

LAB=e2e-async
NODES=30
e2e_init_nodes "$LAB" "$NODES"

snapshot "$E2E_TMP/before"

# `up` in the background; its exit status lands in up.rc when it returns.
nodelab_bg up up "$SCENARIO"
up_running() { [ ! -e "$E2E_TMP/up.rc" ]; }
up_returned() { [ -e "$E2E_TMP/up.rc" ]; }

# q WHAT ARGS...: one CLI query that must answer within 2 s, its output in
# $E2E_TMP/WHAT.json; a query that does not is written down as a problem.
q() {
  local what=$1
  shift
  if ! timeout 2 "$NODELAB" "$@" >"$E2E_TMP/$what.json" 2>"$E2E_TMP/$what.err"; then
    echo "nodelab $* did not answer within 2 s (or failed): $(cat "$E2E_TMP/$what.err")" \
      >>"$E2E_TMP/problems"
    return 1
  fi
}

lab_listed() { q ls ls --json && jq -e --arg l "$LAB" '.labs[] | select(.name == $l)' "$E2E_TMP/ls.json"; }
wait_for 30 "$LAB to be listed by nodelab ls" lab_listed || fail "$LAB never showed in nodelab ls"
up_running || fail "nodelab up returned before its lab was ever listed: nothing to observe"

# Polled (by wait_for) while `up` runs: ls, status and events answer, and at
# last the events name a ready node while `up` still has not returned.
during_up() {
  up_running || return 0 # it returned: stop polling, the result is checked below
  q ls ls --json || return 0
  jq -e --arg l "$LAB" '.labs[] | select(.name == $l)' "$E2E_TMP/ls.json" >/dev/null ||
    { echo "ls --json does not list $LAB during up" >>"$E2E_TMP/problems"; return 0; }
  q status status "$LAB" --json || return 0
  q events events "$LAB" --json || return 0
  grep -q '"kind":"node-ready"' "$E2E_TMP/events.json" || return 1
  up_running || return 0 # the node came up, but maybe only once up had returned
  cp "$E2E_TMP/status.json" "$E2E_TMP/status-during.json"
  cp "$E2E_TMP/events.json" "$E2E_TMP/events-during.json"
}
wait_for 120 "a node-ready event while nodelab up runs" during_up || fail "timed out"
[ ! -s "$E2E_TMP/problems" ] || fail "during up: $(cat "$E2E_TMP/problems")"
[ -e "$E2E_TMP/events-during.json" ] ||
  fail "no node-ready event was seen before nodelab up returned ($(cat "$E2E_TMP/up.out"))"
state=$(jq -r .state "$E2E_TMP/status-during.json")
[ "$state" = starting ] || fail "status during up says the lab is $state, not starting"
ready=$(grep -c '"kind":"node-ready"' "$E2E_TMP/events-during.json")
say "during up: ls, status and events answered within 2 s; $ready of $NODES nodes ready"

wait_for 120 "nodelab up to return" up_returned || fail "nodelab up did not return"
[ "$(cat "$E2E_TMP/up.rc")" = 0 ] || fail "nodelab up exited $(cat "$E2E_TMP/up.rc"): $(cat "$E2E_TMP/up.out")"
lab_status "$LAB" >"$E2E_TMP/status.json"
jq -e '.state == "up" and ([.nodes[].state] | all(. == "running"))' "$E2E_TMP/status.json" \
  >/dev/null || fail "after up, not every node runs"
# The events of the start, in order: every node ready before the lab is up.
q events events "$LAB" --json || fail "$(cat "$E2E_TMP/problems")"
[ "$(grep -c '"kind":"node-ready"' "$E2E_TMP/events.json")" -eq "$NODES" ] ||
  fail "$(grep -c '"kind":"node-ready"' "$E2E_TMP/events.json") node-ready events, expected $NODES"
last_ready=$(grep -n '"kind":"node-ready"' "$E2E_TMP/events.json" | tail -n1 | cut -d: -f1)
lab_up=$(grep -n '"kind":"lab-up"' "$E2E_TMP/events.json" | head -n1 | cut -d: -f1)
if [ -z "$lab_up" ] || ((last_ready > lab_up)); then
  fail "no lab-up event after every node-ready one"
fi

# `down` in the background: the API still answers while the lab is removed.
nodelab_bg down down "$LAB"
down_returned() { [ -e "$E2E_TMP/down.rc" ]; }
q ls ls --json || fail "during down: $(cat "$E2E_TMP/problems")"
wait_for 120 "nodelab down to return" down_returned || fail "nodelab down did not return"
[ "$(cat "$E2E_TMP/down.rc")" = 0 ] || fail "nodelab down exited $(cat "$E2E_TMP/down.rc")"
assert_clean "$E2E_TMP/before" "after nodelab down"
