# shellcheck shell=bash
# Shared helpers for the integration tests (sourced, not run).
#
# Each test: source this file, call e2e_init, take a host snapshot, do its
# work, and compare a snapshot taken after `nodelab down` with the first one.
# The EXIT trap runs `nodelab down --force` on every lab the test started, so
# the host ends as it began even when an assertion fails half-way.
#
# Environment (set by CTest, see tests/CMakeLists.txt):
#   NODELAB_BUILD_DIR   the build tree holding tools/nodelab and nodes/nodelabd
#   NODELAB_SOURCE_DIR  the source tree (scenarios, this directory)

E2E_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NODELAB_SOURCE_DIR=${NODELAB_SOURCE_DIR:-$(cd "$E2E_LIB_DIR/../.." && pwd)}
NODELAB_BUILD_DIR=${NODELAB_BUILD_DIR:-$NODELAB_SOURCE_DIR/build}
NODELAB=$NODELAB_BUILD_DIR/tools/nodelab
NODELAB_RUN=/run/nodelab

E2E_NAME=$(basename "${0%.sh}")
E2E_TMP=
E2E_LABS=() # labs to remove with `down --force` on exit
E2E_BG=()   # pids of CLI runs started in the background, stopped on exit

say() { printf '%s: %s\n' "$E2E_NAME" "$*" >&2; }

fail() {
  say "FAIL: $*"
  exit 1
}

# Runs the built CLI.  A command that hangs is a bug: never wait forever.
nodelab() { timeout --kill-after=5 "${E2E_TIMEOUT:-120}" "$NODELAB" "$@"; }

# wait_for SECONDS DESCRIPTION CMD... and pid_gone PID.
# shellcheck source=tests/integration/wait-lib.sh
source "$E2E_LIB_DIR/wait-lib.sh"

# Processes of this build's programs (the CLI, nodelabd, nodelab-init...), as
# "pid comm" lines.  comm is at most 15 bytes: "nodelab-init" fits.  A
# process whose executable lies outside $NODELAB_BUILD_DIR belongs to another
# build (a developer's lab beside the test) and is not counted; set
# E2E_ALL_PROCESSES=1 to count every nodelab* process.  A zombie is dead: it
# only waits for its parent (counted itself when it is ours) or init to reap it.
nodelab_processes() {
  local pid comm state exe build i
  build=$(cd "$NODELAB_BUILD_DIR" && pwd -P)
  ps -e -o pid=,stat=,comm= | while read -r pid state comm; do
    [[ $comm == nodelab* ]] || continue
    [[ $state == Z* ]] && continue
    exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || exe=
    # No executable: exiting right now (then it is not left behind), or a
    # kernel-side moment of exec; look again until it is gone or readable.
    for ((i = 0; i < 20 && ${#exe} == 0; i++)); do
      pid_gone "$pid" && break
      sleep 0.05
      exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || exe=
    done
    pid_gone "$pid" && continue
    if [ -z "${E2E_ALL_PROCESSES:-}" ] && [ -n "$exe" ] && [[ $exe != "$build"/* ]]; then
      continue
    fi
    echo "$pid $comm"
  done | sort -n
}

no_nodelab_process() { [ -z "$(nodelab_processes)" ]; }
no_run_dir() { [ ! -e "$NODELAB_RUN" ]; }

# The cgroups of the test's labs (nodelab/LAB/... in every hierarchy), and the
# "nodelab" parents when nothing but the test's labs is under them: another
# lab running beside the test (a developer's) is not the test's business.
nodelab_cgroups() {
  local d c lab ours
  for d in /sys/fs/cgroup/*/nodelab /sys/fs/cgroup/nodelab; do
    [ -d "$d" ] || continue
    ours=1
    for c in "$d"/*/; do
      [ -d "$c" ] || continue
      c=$(basename "$c")
      [[ " ${E2E_LABS[*]} " == *" $c "* ]] || ours=0
    done
    if ((ours)); then echo "$d"; fi
    for lab in "${E2E_LABS[@]}"; do
      if [ -d "$d/$lab" ]; then find "$d/$lab" -type d; fi
    done
  done | sort
}

# The host's own network state, with counters and timers that move by
# themselves taken out.
net_state() {
  echo "## ip -o link"
  ip -o link
  echo "## ip -o addr"
  ip -o addr | sed -E 's/(valid|preferred)_lft [^ ]+//g'
  echo "## ip route"
  ip route show table all | sed -E 's/ expires [0-9]+sec//'
  echo "## ip -6 route"
  ip -6 route show table all | sed -E 's/ expires [0-9]+sec//'
  echo "## ip rule"
  ip rule
  echo "## ip -6 rule"
  ip -6 rule
  echo "## ip netns list"
  ip netns list
}

# snapshot FILE: everything of the host a lab could leave behind.  (A subshell,
# so that a failing command exits it, not the test with its output redirected.)
# On a machine shared with other work, E2E_IGNORE (an extended regex) drops the
# lines of objects that are not nodelab's, e.g. E2E_IGNORE='/tmp/other-test';
# CI leaves it empty.
snapshot() {
  snapshot_raw | { if [ -n "${E2E_IGNORE:-}" ]; then grep -Ev -- "$E2E_IGNORE"; else cat; fi; } >"$1"
}
snapshot_raw() {
  (
    net_state
    echo "## mounts (/proc/self/mountinfo)"
    cat /proc/self/mountinfo
    echo "## cgroups named nodelab"
    nodelab_cgroups
    echo "## $NODELAB_RUN"
    if [ -e "$NODELAB_RUN" ]; then find "$NODELAB_RUN" | sort; fi
    echo "## nodelab processes"
    nodelab_processes
  ) 2>&1
}

# assert_same_snapshot BEFORE AFTER WHAT: fails with the diff when they differ.
assert_same_snapshot() {
  if ! diff -u "$1" "$2" >"$E2E_TMP/snapshot.diff"; then
    cat "$E2E_TMP/snapshot.diff" >&2
    fail "$3: the host differs from before (diff above)"
  fi
}

# assert_clean BEFORE WHAT: waits for the daemon to go, then compares the host
# with the snapshot BEFORE.
assert_clean() {
  wait_for 15 "every nodelab process to exit" no_nodelab_process ||
    { nodelab_processes >&2; fail "$2: nodelab processes remain"; }
  wait_for 5 "$NODELAB_RUN to disappear" no_run_dir ||
    { find "$NODELAB_RUN" >&2; fail "$2: $NODELAB_RUN remains"; }
  [ -z "$(nodelab_cgroups)" ] || { nodelab_cgroups >&2; fail "$2: nodelab cgroups remain"; }
  snapshot "$E2E_TMP/after"
  assert_same_snapshot "$1" "$E2E_TMP/after" "$2"
}

# The JSON status of a lab.
lab_status() { nodelab status "$1" --json; }

e2e_cleanup() {
  local rc=$? lab p log
  trap - EXIT
  set +e
  # Our own background CLI runs first: they could still be creating.
  for p in "${E2E_BG[@]}"; do
    kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null
  done
  if ((rc != 0)); then
    for log in "$NODELAB_RUN/nodelabd.log" /var/log/nodelab/nodelabd.log; do
      [ -r "$log" ] || continue
      say "last lines of $log:"
      tail -n 40 "$log" >&2
    done
  fi
  for lab in "${E2E_LABS[@]}"; do
    if [ -e "$NODELAB_RUN" ]; then # down --force also removes stale daemon files
      E2E_TIMEOUT=60 nodelab down --force "$lab" >&2 || say "cleanup: down --force $lab failed"
    fi
  done
  e2e_last_resort
  [ -n "$E2E_TMP" ] && rm -rf "$E2E_TMP"
  if ((rc != 0)); then say "FAILED"; else say "ok"; fi
  exit "$rc"
}

# When even `down --force` left something (a bug the test has reported), the
# cleanup removes it so that the next test starts from a clean host: processes
# of this build (by pid), the test's labs' cgroups (deepest first), and the
# daemon's files once no daemon and no lab remain.  It says what it removed.
e2e_last_resort() {
  local p d f left=() killed=()
  for p in $(nodelab_processes | awk '{print $1}'); do
    kill -KILL "$p" 2>/dev/null && left+=("process $p") && killed+=("$p")
  done
  for p in "${killed[@]}"; do # a cgroup cannot go before its processes
    wait_for 5 "process $p to die" pid_gone "$p" || true
  done
  for d in $(nodelab_cgroups | sort -r); do
    rmdir "$d" 2>/dev/null && left+=("cgroup $d")
  done
  if [ -d "$NODELAB_RUN" ] && [ -z "$(find "$NODELAB_RUN" -mindepth 1 -maxdepth 1 -type d)" ] &&
    [ -z "$(nodelab_processes)" ]; then
    for f in "$NODELAB_RUN"/*.sock "$NODELAB_RUN"/nodelabd.pid "$NODELAB_RUN"/nodelabd.log; do
      [ -e "$f" ] && rm -f "$f" && left+=("file $f")
    done
    rmdir "$NODELAB_RUN" 2>/dev/null && left+=("dir $NODELAB_RUN")
  fi
  if ((${#left[@]})); then say "cleanup: removed what down --force left: ${left[*]}"; fi
  return 0
}

# e2e_init LAB...: checks the prerequisites and arms the cleanup trap for LABs.
e2e_init() {
  E2E_LABS=("$@")
  [ "$(id -u)" -eq 0 ] || { say "must run as root"; exit 1; }
  [ -x "$NODELAB" ] || { say "no CLI at $NODELAB (set NODELAB_BUILD_DIR)"; exit 1; }
  local tool lab
  for tool in ip jq ps timeout; do
    command -v "$tool" >/dev/null || { say "$tool is missing (tools/setup-deps.sh)"; exit 1; }
  done
  for lab in "$@"; do
    if [ -e "$NODELAB_RUN/$lab" ]; then
      say "a lab named $lab already exists under $NODELAB_RUN: not touching it"
      exit 1
    fi
  done
  if [ -e "$NODELAB_RUN" ]; then
    say "note: $NODELAB_RUN exists before the test: $(find "$NODELAB_RUN" -mindepth 1 | tr '\n' ' ')"
  fi
  E2E_TMP=$(mktemp -d "/tmp/nodelab-$E2E_NAME.XXXXXX")
  trap e2e_cleanup EXIT
  trap 'exit 130' INT TERM
}

# e2e_init_nodes LAB COUNT: e2e_init for one lab of COUNT nodes, whose
# scenario it writes to $SCENARIO.
e2e_init_nodes() {
  e2e_init "$1"
  SCENARIO=$E2E_TMP/$1.yaml
  write_scenario "$SCENARIO" "$1" "$2"
}

# nodelab_bg NAME ARGS...: runs `nodelab ARGS...` in the background (stopped on
# exit), its output in $E2E_TMP/NAME.out; its exit status lands in
# $E2E_TMP/NAME.rc when it returns.
nodelab_bg() {
  local name=$1
  shift
  {
    local rc=0
    nodelab "$@" >"$E2E_TMP/$name.out" 2>&1 || rc=$?
    echo "$rc" >"$E2E_TMP/$name.rc"
  } &
  E2E_BG+=("$!")
}

# write_scenario FILE NAME COUNT: a lab of COUNT nodes named n1..nCOUNT.
write_scenario() {
  cat >"$1" <<EOF
name: $2
description: nodelab integration test ($E2E_NAME), $3 nodes.
cluster:
  nodes: {count: $3, prefix: n}
EOF
}
