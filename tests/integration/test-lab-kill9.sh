#!/usr/bin/env bash
# kill -9 of nodelabd at several points while `nodelab up` brings up a
# 20-node lab, after it is up, and of every nodelab process at once: each
# time `nodelab down --force` must leave the host exactly as it was, and a
# second `down --force` must succeed too (it is idempotent).
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"

LAB=e2e-kill9
NODES=20
DELAYS_MS=(0 5 20 50 100 200)
e2e_init_nodes "$LAB" "$NODES"
PIDFILE=$NODELAB_RUN/nodelabd.pid

snapshot "$E2E_TMP/before"

# The running daemon's pid, from its pid file, once the process exists.
daemon_pid() {
  local p
  p=$(cat "$PIDFILE" 2>/dev/null) || return 1
  [ -n "$p" ] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = nodelabd ] && echo "$p"
}

# The ledger's entries, but for the shared "nodelab" parent cgroups: a lab
# records those only when no other lab made them first.
ledger_lines() {
  if [ -r "$NODELAB_RUN/$LAB/ledger" ]; then
    grep -cvE $'^cgroup\t/sys/fs/cgroup(/[^/]+)?/nodelab$' "$NODELAB_RUN/$LAB/ledger" || true
  else
    echo 0
  fi
}
count_inits() { nodelab_processes | awk '$2 == "nodelab-init"' | wc -l; }

down_force_twice() {
  local what=$1
  nodelab down --force "$LAB" >"$E2E_TMP/down1" 2>&1 ||
    { cat "$E2E_TMP/down1" >&2; fail "$what: nodelab down --force $LAB exited $?"; }
  nodelab down --force "$LAB" >"$E2E_TMP/down2" 2>&1 ||
    { cat "$E2E_TMP/down2" >&2; fail "$what: a second nodelab down --force $LAB exited $?"; }
  assert_clean "$E2E_TMP/before" "$what"
}

# ---- kill -9 of nodelabd after up completed: the nodes live on, orphaned ----
what="kill -9 of nodelabd after up"
E2E_TIMEOUT=60 nodelab up "$SCENARIO" >/dev/null || fail "nodelab up $SCENARIO exited $?"
FULL=$(ledger_lines) # the ledger of a whole lab: kills below land before this
[ "$(count_inits)" -eq $((NODES + 1)) ] || fail "$what: expected $NODES nodes and the fabric running"
pid=$(daemon_pid) || fail "no daemon pid after up"
kill -KILL "$pid"
wait_for 5 "nodelabd $pid to die" test ! -d "/proc/$pid"
[ "$(count_inits)" -eq $((NODES + 1)) ] || fail "$what: the nodes died with the daemon (they should not)"
say "$what: a whole lab's ledger has $FULL entries; $((NODES + 1)) nodelab-init left orphaned"
down_force_twice "$what"

# kill_during_up WHAT WAIT_CMD...: starts `nodelab up` in the background, runs
# WAIT_CMD (which returns when it is time), kill -9s the daemon, and checks
# that up does not claim a lab that never came up whole.
kill_during_up() {
  local what=$1 pid rc entries inits deadline up_pid
  shift
  timeout --kill-after=5 60 "$NODELAB" up "$SCENARIO" >"$E2E_TMP/up.out" 2>"$E2E_TMP/up.err" &
  up_pid=$!
  E2E_BG=("$up_pid")
  # Poll tightly: the first points are only milliseconds apart.
  deadline=$((SECONDS + 10))
  until pid=$(daemon_pid); do
    ((SECONDS < deadline)) || fail "$what: no daemon appeared: $(cat "$E2E_TMP/up.err")"
    sleep 0.001
  done
  "$@"
  kill -KILL "$pid"
  # The ledger cannot grow once the daemon is dead: this is what it had made.
  entries=$(ledger_lines)
  inits=$(count_inits)
  rc=0
  wait "$up_pid" || rc=$?
  E2E_BG=()
  ((rc != 124 && rc != 137)) || fail "$what: nodelab up hung after the daemon died"
  say "$what: the ledger had $entries of $FULL entries, $inits nodelab-init ran; up exited $rc"
  if ((entries < FULL)); then
    ((rc != 0)) || fail "$what: up reported success for a lab killed half-way"
    [ -s "$E2E_TMP/up.err" ] || fail "$what: up failed (exit $rc) without a message"
  fi
  down_force_twice "$what"
}

sleep_ms() { (($1 == 0)) || sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }

# Returns once the ledger file has N lines, reading it without forking: the
# lab grows by an entry in well under a millisecond.  (Shared parents are
# counted here: the point need not be exact, only early and mid-way.)
wait_ledger() {
  local want=$1 deadline=$((SECONDS + 10)) lines
  while ((SECONDS < deadline)); do
    if [ -r "$NODELAB_RUN/$LAB/ledger" ]; then
      mapfile -t lines <"$NODELAB_RUN/$LAB/ledger"
      ((${#lines[@]} < want)) || return 0
    fi
  done
  return 0
}

# ---- kill -9 of nodelabd DELAY ms after it started, while up runs ----
for delay in "${DELAYS_MS[@]}"; do
  kill_during_up "kill -9 of nodelabd ${delay} ms into up" sleep_ms "$delay"
done

# ---- kill -9 of nodelabd once the ledger holds N entries: mid-creation for sure ----
for n in 1 2 5 10 $((FULL / 4)) $((FULL / 2)) $((FULL * 3 / 4)) $((FULL - 10)); do
  kill_during_up "kill -9 of nodelabd at ledger line $n" wait_ledger "$n"
done

# ---- kill -9 of every nodelab process: daemon and every nodelab-init ----
what="kill -9 of every nodelab process"
E2E_TIMEOUT=60 nodelab up "$SCENARIO" >/dev/null || fail "nodelab up $SCENARIO exited $?"
lab_status "$LAB" >"$E2E_TMP/status.json"
mapfile -t victims < <(jq -r '.nodes[].pid, .fabric.pid' "$E2E_TMP/status.json")
((${#victims[@]} == NODES + 1)) || fail "$what: status names ${#victims[@]} node and fabric pids"
victims+=("$(daemon_pid)")
for p in "${victims[@]}"; do
  comm=$(cat "/proc/$p/comm")
  [[ $comm == nodelab* ]] || fail "$what: pid $p is $comm, not a nodelab process"
done
kill -KILL "${victims[@]}"
say "$what: killed ${#victims[@]} processes"
# shellcheck disable=SC2016 # expanded by the inner bash
wait_for 5 "the killed processes to go" bash -c \
  'for p; do [ -d /proc/$p ] && [ "$(cut -d" " -f3 /proc/$p/stat)" != Z ] && exit 1; done; exit 0' \
  _ "${victims[@]}"
down_force_twice "$what"

# ---- down --force with nothing to remove still succeeds ----
nodelab down --force "$LAB" || fail "down --force of an absent lab exited $?"
assert_clean "$E2E_TMP/before" "down --force with nothing to do"
