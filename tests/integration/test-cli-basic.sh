#!/usr/bin/env bash
# The nodelab CLI without a daemon: help texts, exit codes, validate, ls,
# down --force as a no-op.  Runs in a private run directory (NODELAB_RUNDIR),
# so a real lab on this host is neither seen nor touched.
set -euo pipefail

BUILD=${NODELAB_BUILD_DIR:?set NODELAB_BUILD_DIR to the build directory}
NODELAB=$BUILD/tools/nodelab
[ -x "$NODELAB" ] || { echo "no $NODELAB" >&2; exit 1; }

T=$(mktemp -d /tmp/nodelab-cli-basic.XXXXXX)
trap 'rm -rf "$T"' EXIT
export NODELAB_RUNDIR=$T/run
# Should anything try to start a daemon, it would leave this mark instead.
printf '#!/bin/sh\ntouch %s/daemon-started\n' "$T" > "$T/fake-nodelabd"
chmod +x "$T/fake-nodelabd"
export NODELAB_DAEMON=$T/fake-nodelabd

# fail, ok, run EXPECTED_RC CMD..., checks_done.
# shellcheck source=tests/integration/check-lib.sh
source "$(dirname "$0")/check-lib.sh"

# --- help ---------------------------------------------------------------------
run 0 "$NODELAB" --help && ok "nodelab --help" || fail "nodelab --help"
verbs=$(awk '/^Verbs:/{on=1; next} on && /^  [a-z]/{print $1} on && /^$/{on=0}' "$T/out")
for v in validate up down ls status exec shell run ps fault check exercise test graph image; do
  grep -qx "$v" <<< "$verbs" || fail "nodelab --help does not list $v"
done
n=0
for v in $verbs; do
  n=$((n + 1))
  run 0 "$NODELAB" "$v" --help || continue
  grep -q "^Usage: nodelab $v " "$T/out" || fail "nodelab $v --help shows no usage line"
done
[ "$n" -ge 20 ] && ok "$n verbs, each with --help" || fail "only $n verbs listed"
run 0 "$NODELAB" --version && [ "$out" = "nodelab 0.1.0" ] && ok "--version" || fail "--version"

# --- usage errors: exit 2 and say what was wrong ------------------------------
run 2 "$NODELAB" frobnicate && grep -q "unknown verb 'frobnicate'" <<< "$err" && ok "unknown verb exits 2" || fail "unknown verb exits 2"
run 2 "$NODELAB" && grep -q "no verb given" <<< "$err" && ok "no verb exits 2" || fail "no verb exits 2"
run 2 "$NODELAB" up --nmae x && grep -q "nodelab up: unknown option '--nmae'" <<< "$err" &&
  ok "unknown option exits 2" || fail "unknown option exits 2"
run 2 "$NODELAB" ls extra && ok "extra argument exits 2" || fail "extra argument exits 2"
run 2 "$NODELAB" exec node1 && grep -q "no command given" <<< "$err" && ok "exec without a command exits 2" || fail "exec without a command exits 2"
run 2 "$NODELAB" up --name 'Bad_Name' && grep -q "invalid lab name" <<< "$err" && ok "bad --name exits 2" || fail "bad --name exits 2"

# --- validate -------------------------------------------------------------------
cat > "$T/good.yaml" <<'EOF'
name: tiny
cluster:
  nodes: [alpha, beta]
EOF
cat > "$T/bad.yaml" <<'EOF'
name: bad-lab
cluster:
  nodes: [alpha, beta]
pods:
  - name: web
    node: gamma
    containers:
      - {name: c, image: ubi}
EOF
printf 'name: x\ncluster:\n  nodez: [a]\n' > "$T/unknown.yaml"

run 0 "$NODELAB" validate "$T/good.yaml" &&
  [ "$out" = "$T/good.yaml: ok (tiny: 2 nodes, 0 pods, 0 checks, 0 faults)" ] &&
  ok "validate good file" || fail "validate good: '$out'"
run 1 "$NODELAB" validate "$T/bad.yaml" &&
  [ "$err" = "$T/bad.yaml:6:11: pods[0].node: node \"gamma\" does not exist" ] &&
  ok "validate bad file: positioned error" || fail "validate bad: '$err'"
run 1 "$NODELAB" validate "$T/good.yaml" "$T/unknown.yaml" "$T/missing.yaml" &&
  grep -qx "$T/good.yaml: ok (tiny: 2 nodes, 0 pods, 0 checks, 0 faults)" <<< "$out" &&
  grep -qx "$T/unknown.yaml:3:3: cluster.nodez: unknown field \"nodez\"" <<< "$err" &&
  grep -q "$T/missing.yaml" <<< "$err" &&
  ok "validate several files: each reported, exit 1" || fail "validate several: '$out' '$err'"
if [ -n "${NODELAB_SOURCE_DIR:-}" ] && [ -f "$NODELAB_SOURCE_DIR/scenarios/default.yaml" ]; then
  run 0 "$NODELAB" validate "$NODELAB_SOURCE_DIR/scenarios/default.yaml" &&
    grep -q ": ok (default: " <<< "$out" && ok "the default scenario validates" || fail "the default scenario validates"
fi

# --- up refuses an invalid scenario before starting anything --------------------
run 1 "$NODELAB" up "$T/bad.yaml" &&
  [ "$err" = "$T/bad.yaml:6:11: pods[0].node: node \"gamma\" does not exist" ] &&
  [ ! -e "$T/daemon-started" ] && [ ! -e "$NODELAB_RUNDIR" ] &&
  ok "up with an invalid scenario: error, nothing started" || fail "up bad: '$err'"
run 1 "$NODELAB" up "$T/missing.yaml" && [ ! -e "$T/daemon-started" ] && ok "up with a missing file fails" || fail "up with a missing file fails"

# --- no daemon: no labs --------------------------------------------------------
run 0 "$NODELAB" ls && [ "$out" = "No labs." ] && ok "ls without a daemon" || fail "ls: '$out'"
run 0 "$NODELAB" ls --json && [ "$(tr -d ' \n' <<< "$out")" = '{"labs":[]}' ] && ok "ls --json" ||
  fail "ls --json: '$out'"
run 1 "$NODELAB" status && grep -q "no lab is running" <<< "$err" && ok "status without a lab fails" || fail "status without a lab fails"
run 1 "$NODELAB" down && grep -q "no lab is running" <<< "$err" && ok "down without a lab fails" || fail "down without a lab fails"
run 1 "$NODELAB" exec node1 -- true && grep -q "no lab is running" <<< "$err" && ok "exec without a lab fails" || fail "exec without a lab fails"

# --- down --force with nothing: a no-op that succeeds, twice -------------------
run 0 "$NODELAB" down --force && ok "down --force with nothing" || fail "down --force with nothing"
run 0 "$NODELAB" down --force && [ ! -e "$NODELAB_RUNDIR" ] && ok "down --force again, nothing created" || fail "down --force again, nothing created"
run 0 "$NODELAB" down --force somelab && ok "down --force LAB without a ledger" || fail "down --force LAB without a ledger"

# A stale socket (a daemon killed -9) is treated as no daemon and cleaned.
mkdir -m 0700 "$NODELAB_RUNDIR"
python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" "$NODELAB_RUNDIR/nodelab.sock"
echo 999999999 > "$NODELAB_RUNDIR/nodelabd.pid"
run 0 "$NODELAB" ls && [ "$out" = "No labs." ] && ok "ls with a stale socket" || fail "ls with a stale socket"
run 0 "$NODELAB" down --force && [ ! -e "$NODELAB_RUNDIR" ] && ok "down --force removes stale files" ||
  fail "stale run dir left: $(ls -A "$NODELAB_RUNDIR" 2>&1)"

# --- container verbs without a lab say so ------------------------------------
run 125 "$NODELAB" run node1 ubi && grep -q "nodelab run: no lab is running" <<< "$err" &&
  ok "run without a lab: says so" || fail "run without a lab: $err"
run 1 "$NODELAB" fault ls && grep -q "nodelab fault: no lab is running" <<< "$err" &&
  ok "fault ls without a lab: says so" || fail "fault ls without a lab: $err"
run 125 "$NODELAB" exec node1/web -- true && grep -q "nodelab exec: no lab is running" <<< "$err" &&
  ok "exec into a pod without a lab: says so" || fail "exec into a pod without a lab: $err"

[ ! -e "$T/daemon-started" ] || fail "a daemon was started"
checks_done
