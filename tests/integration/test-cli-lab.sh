#!/usr/bin/env bash
# nodelab up / ls / status / exec / shell / down / down --force against the
# real nodelabd, end to end.  Runs in a private mount namespace with a tmpfs on
# /run, so its /run/nodelab (socket, pid file, ledger) is its own and a lab
# someone else runs on this host is neither seen nor touched; the lab name is
# unique for the cgroups, which are host-wide.
set -euo pipefail

BUILD=${NODELAB_BUILD_DIR:?set NODELAB_BUILD_DIR to the build directory}
NODELAB=$BUILD/tools/nodelab
# Cannot run here: exit 77, which CTest reports as skipped (SKIP_RETURN_CODE).
if [ ! -x "$BUILD/nodes/nodelabd" ]; then
  echo "skip: $BUILD/nodes/nodelabd is not built"
  exit 77
fi
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 77; }
# shellcheck source=tests/integration/wait-lib.sh
source "$(dirname "$0")/wait-lib.sh"

if [ -z "${NODELAB_CLI_LAB_PRIVATE:-}" ]; then
  exec unshare --mount --propagation private env NODELAB_CLI_LAB_PRIVATE=1 bash "$0" "$@"
fi
mount -t tmpfs -o mode=0755 nodelab-cli-test /run
unset NODELAB_RUNDIR NODELAB_DAEMON

LAB=cli-e2e-$$
T=$(mktemp -d /tmp/nodelab-cli-lab.XXXXXX)
cleanup() {
  "$NODELAB" down --force >/dev/null 2>&1 || true
  for d in /sys/fs/cgroup/*/nodelab/"$LAB" /sys/fs/cgroup/nodelab/"$LAB"; do
    [ -d "$d" ] && echo "LEFT BEHIND: $d" >&2
  done
  rm -rf "$T"
}
trap cleanup EXIT

# fail, ok, run EXPECTED_RC CMD..., checks_done.
# shellcheck source=tests/integration/check-lib.sh
source "$(dirname "$0")/check-lib.sh"
# A live process (a zombie waiting for its reaper does not count).
alive() { [ -e /proc/"$1"/stat ] && ! grep -q '^[0-9]* ([^)]*) [ZX]' /proc/"$1"/stat; }
json() { python3 -c "import json,sys; d=json.load(open('$T/out')); print($1)"; }

cat > "$T/lab.yaml" <<EOF
name: $LAB
description: CLI end-to-end test lab
cluster:
  nodes: [alpha, beta]
EOF

# --- up -----------------------------------------------------------------------
start=$(date +%s%N)
run 0 "$NODELAB" up "$T/lab.yaml" || { cat /run/nodelab/nodelabd.log >&2 || true; exit 1; }
up_ms=$(( ($(date +%s%N) - start) / 1000000 ))
grep -q "^Lab $LAB is up (scenario $LAB, 2 nodes, 0 pods)" <<< "$out" &&
  grep -Eq "^alpha +running +[0-9]+ +192\.168\.122\.201/24 +10\.1\.0\.0/24 +nodelab/$LAB/alpha" <<< "$out" &&
  grep -Eq "^beta +running +[0-9]+ +192\.168\.122\.202/24 +10\.1\.1\.0/24" <<< "$out" &&
  ok "up in ${up_ms} ms, daemon started" || fail "up summary: $out"
[ -S /run/nodelab/nodelab.sock ] && ok "daemon socket" || fail "no daemon socket"
run 1 "$NODELAB" up "$T/lab.yaml" && grep -q "nodelab up: bringing up lab $LAB: " <<< "$err" &&
  ok "up twice: the daemon's error" || fail "up twice: $err"

# --- ls, status ---------------------------------------------------------------
run 0 "$NODELAB" ls && grep -Eq "^$LAB +$LAB +up +2 +0 " <<< "$out" && ok "ls" || fail "ls: $out"
run 0 "$NODELAB" ls --json && [ "$(json 'd["labs"][0]["name"]')" = "$LAB" ] && ok "ls --json" ||
  fail "ls --json: $out"
run 0 "$NODELAB" status && grep -q "^Lab: *$LAB" <<< "$out" && grep -q "^alpha " <<< "$out" &&
  grep -Eq "^alpha +eth0 " <<< "$out" && ok "status (the only lab)" || fail "status: $out"
run 0 "$NODELAB" status "$LAB" --json && [ "$(json 'len(d["nodes"])')" = 2 ] || fail "status --json: $out"
alpha_pid=$(json '[n for n in d["nodes"] if n["name"]=="alpha"][0]["pid"]')
beta_pid=$(json '[n for n in d["nodes"] if n["name"]=="beta"][0]["pid"]')
kill -0 "$alpha_pid" && kill -0 "$beta_pid" && ok "status --json: node pids $alpha_pid $beta_pid alive" ||
  fail "node pids not alive"
run 1 "$NODELAB" status nosuchlab && grep -q "lab nosuchlab: " <<< "$err" && ok "status of an unknown lab fails" ||
  fail "status nosuchlab: $err"

# --- exec ---------------------------------------------------------------------
run 0 "$NODELAB" exec alpha -- hostname && [ "$out" = alpha ] && ok "exec: uts namespace" || fail "hostname: $out"
run 0 "$NODELAB" exec alpha -- readlink /proc/self/ns/net &&
  [ "$out" = "$(readlink /proc/"$alpha_pid"/ns/net)" ] && [ "$out" != "$(readlink /proc/self/ns/net)" ] &&
  ok "exec: the node's network namespace" || fail "netns: $out"
run 0 "$NODELAB" exec alpha -- ip -4 -o addr show && grep -Eq "(eth0|br-phy) +inet 192.168.122.201/24" <<< "$out" &&
  ok "exec: the node has its underlay address" || fail "ip addr: $out"
run 0 "$NODELAB" exec --lab "$LAB" beta ping -c 1 -W 2 192.168.122.201 && ok "exec: beta pings alpha over the fabric" ||
  fail "ping: $out $err"
run 0 "$NODELAB" exec alpha -- sh -c 'echo $NODELAB_NODE $PATH' &&
  [ "$out" = "alpha /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" ] && ok "exec: environment" ||
  fail "env: $out"
run 0 "$NODELAB" exec alpha -- sh -c 'readlink /proc/self/ns/pid; pwd' &&
  [ "$(head -1 <<< "$out")" = "$(readlink /proc/"$alpha_pid"/ns/pid)" ] && [ "$(tail -1 <<< "$out")" = / ] &&
  ok "exec: pid namespace, cwd /" || fail "pid ns: $out"
# The command is in exactly the cgroups of the node's process, in every hierarchy (host view).
"$NODELAB" exec alpha -- sleep 5 & cli=$!
cmd_pid=""
for _ in $(seq 50); do cmd_pid=$(pgrep -P "$cli" || true); [ -n "$cmd_pid" ] && break; sleep 0.05; done
if [ -n "$cmd_pid" ] && diff <(cat /proc/"$alpha_pid"/cgroup) <(cat /proc/"$cmd_pid"/cgroup) >&2 &&
  grep -q ":/nodelab/$LAB/alpha" /proc/"$cmd_pid"/cgroup; then
  ok "exec: in the node's cgroups"
else
  fail "exec cgroups: $(cat /proc/"$cmd_pid"/cgroup 2>&1)"
fi
kill "$cli" 2>/dev/null || true
wait "$cli" 2>/dev/null || true
run 7 "$NODELAB" exec alpha -- sh -c 'exit 7' && ok "exec: exit status passed through" || true
run 143 "$NODELAB" exec alpha -- sh -c 'kill -TERM $$' && ok "exec: killed by SIGTERM -> 143" || true
run 127 "$NODELAB" exec alpha -- no-such-command-here && grep -q "no-such-command-here in node alpha" <<< "$err" &&
  ok "exec: missing command -> 127" || fail "missing command: $err"
# A name that is no node is a container (podman's `exec CTR`), looked up on the first node.
run 125 "$NODELAB" exec gamma -- true && grep -q "gamma: no such container" <<< "$err" &&
  ok "exec: neither node nor container named" || fail "unknown node: $err"
echo hello | "$NODELAB" exec alpha -- cat > "$T/out" && [ "$(cat "$T/out")" = hello ] && ok "exec: stdin passes through" ||
  fail "stdin"

# A signal sent to nodelab reaches the command; nodelab exits with its status.
# The command traps TERM and exits 42: only a forwarded signal gives 42 (a
# nodelab killed by the signal itself would give 143).  It says "ready" once
# the trap is set.
"$NODELAB" exec alpha -- sh -c 'trap "kill \$pid; exit 42" TERM; sleep 31 & pid=$!; echo ready; wait $pid' \
  > "$T/sig.out" & cli=$!
wait_for 10 "the command to set its TERM trap" grep -qx ready "$T/sig.out" ||
  fail "exec: the TERM-trapping command did not start"
kill -TERM "$cli" || fail "nodelab exec died before the signal"
set +e; wait "$cli"; rc=$?; set -e
[ "$rc" -eq 42 ] && ok "exec: SIGTERM forwarded to the command (its trap ran, its status 42 passed back)" ||
  fail "forwarded SIGTERM: rc $rc, expected 42 from the command's trap"
sleep_31_gone() { ! pgrep -f "^sleep 31$" >/dev/null; }
wait_for 5 "the command's sleep 31 to go" sleep_31_gone || fail "sleep 31 survived"

# --- shell (stdin is not a terminal here: the shell reads commands from it) ---
printf 'echo "in $NODELAB_NODE as $(hostname)"\nexit 3\n' | "$NODELAB" shell beta > "$T/out" 2>&1 && rc=0 || rc=$?
[ "$rc" -eq 3 ] && grep -q "in beta as beta" "$T/out" && ok "shell" || fail "shell: rc $rc $(cat "$T/out")"

# --- down ---------------------------------------------------------------------
run 0 "$NODELAB" down && [ "$out" = "Lab $LAB is down." ] && ok "down (the only lab)" || fail "down: $out $err"
for p in $alpha_pid $beta_pid; do alive "$p" && fail "node pid $p survived down" || true; done
run 0 "$NODELAB" ls && [ "$out" = "No labs." ] && ok "ls after down" || fail "ls after down: $out"
[ -z "$(ls /sys/fs/cgroup/*/nodelab/"$LAB" /sys/fs/cgroup/nodelab/"$LAB" 2>/dev/null)" ] && ok "cgroups gone" ||
  fail "cgroups left"

# --- two `up` at once start one daemon; down --force takes both labs down -----
printf 'name: %s-a\ncluster:\n  nodes: [a1]\n' "$LAB" > "$T/a.yaml"
printf 'name: %s-b\ncluster:\n  nodes: [b1]\n' "$LAB" > "$T/b.yaml"
before=$(grep -c "listening on" /run/nodelab/nodelabd.log || true)
"$NODELAB" up "$T/a.yaml" > "$T/a.out" 2>&1 & pa=$!
"$NODELAB" up "$T/b.yaml" > "$T/b.out" 2>&1 & pb=$!
set +e; wait $pa; ra=$?; wait $pb; rb=$?; set -e
after=$(grep -c "listening on" /run/nodelab/nodelabd.log || true)
[ "$ra" -eq 0 ] && [ "$rb" -eq 0 ] && grep -q "^Lab $LAB-a is up (scenario $LAB-a, 1 node, 0 pods)" "$T/a.out" &&
  [ $((after - before)) -eq 1 ] && ok "two concurrent ups, one daemon started" ||
  fail "concurrent ups: $ra $rb $before $after $(cat "$T/a.out" "$T/b.out")"
run 1 "$NODELAB" status && grep -q "2 labs are running ($LAB-[ab], $LAB-[ab]): name one" <<< "$err" &&
  ok "status with two labs asks for a name" || fail "status with two labs: $err"
run 0 "$NODELAB" down --force && grep -q "^Lab $LAB-a is down.$" <<< "$out" && grep -q "^Lab $LAB-b is down.$" <<< "$out" &&
  [ ! -e /run/nodelab ] && ok "down --force with a live daemon: every lab down, run dir removed" ||
  fail "down --force two labs: $out $err"

# --- down --force after kill -9 of the daemon ---------------------------------
run 0 "$NODELAB" up "$T/lab.yaml" --name "$LAB-k" || exit 1
run 0 "$NODELAB" status --json && alpha_pid=$(json 'd["nodes"][0]["pid"]')
daemon=$(cat /run/nodelab/nodelabd.pid)
kill -9 "$daemon"
wait_for 5 "nodelabd to die" pid_gone "$daemon" || fail "nodelabd survived kill -9"
run 0 "$NODELAB" ls && [ "$out" = "No labs." ] && ok "ls with a dead daemon: no labs" || fail "ls dead: $out"
run 0 "$NODELAB" down --force && grep -q "Lab $LAB-k cleaned from its ledger." <<< "$out" &&
  ok "down --force after kill -9" || fail "down --force: $out $err"
alive "$alpha_pid" && { fail "node pid $alpha_pid survived down --force: $(cat /proc/$alpha_pid/status | head -3)"; } || true
[ ! -e /run/nodelab ] && ok "run directory removed" || fail "left: $(ls -A /run/nodelab)"
[ -z "$(ls -d /sys/fs/cgroup/*/nodelab/"$LAB-k" /sys/fs/cgroup/nodelab/"$LAB-k" 2>/dev/null)" ] &&
  ok "cgroups gone after down --force" || fail "cgroups left after --force"
run 0 "$NODELAB" down --force && ok "down --force again: no-op" || true

checks_done
