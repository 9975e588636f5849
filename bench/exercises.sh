#!/usr/bin/env bash
# Benchmark: `nodelab exercise` on a running default lab.  Run as root, after
# a build:  bench/exercises.sh [BUILD_DIR]   (RUNS=5 by default)
# Each round: start lost-route --seed 3 (a pod fault: start asks the pod's
# runtime for its identity), a failing check (the verify checks run; a ping
# that gets no answer waits its 2 s timeout), the repair by hand, a passing
# check, then start mtu-black-hole --seed 42 and solve (the repair).  Prints the
# median of each step.  History goes to a temporary directory, removed after.
set -euo pipefail
BUILD=${1:-${NODELAB_BUILD_DIR:-$(cd "$(dirname "$0")/.." && pwd)/build}}
N=$BUILD/tools/nodelab
LAB=bench-exercises
T=$(mktemp -d /tmp/nodelab-bench.XXXXXX)
export NODELAB_HISTORY_DIR=$T/history
cleanup() {
  "$N" down "$LAB" >/dev/null 2>&1 || "$N" down --force "$LAB" >/dev/null 2>&1 || true
  rm -rf "$T"
}
trap cleanup EXIT
"$N" up --name "$LAB" >/dev/null
x() { "$N" exercise --lab "$LAB" "$@"; }
ms() { # CMD...: its wall time in ms on stdout (its status ignored: a failing check is timed too)
  local t0
  t0=$(date +%s%N)
  "$@" >/dev/null 2>&1 || true
  echo $((($(date +%s%N) - t0) / 1000000))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for ((i = 0; i < ${RUNS:-5}; i++)); do
  ms x start lost-route --seed 3 >>"$T/start"
  pod=$("$N" fault --lab "$LAB" ls --json | jq -r '[.active[] | select(.by == "exercise")] | last | .params.pod')
  pid=$("$N" status "$LAB" --json | jq -r --arg p "$pod" '.pods[] | select(.name==$p) | .infra_host_pid')
  ip=$("$N" status "$LAB" --json | jq -r --arg p "$pod" '.pods[] | select(.name==$p) | .ip')
  ms x check >>"$T/check-fail"
  nsenter -t "$pid" -n ip route add default via "${ip%.*}.1" dev eth0 proto static
  ms x check >>"$T/check-pass"
  [ "$(x status --json | jq -r .state)" = solved ] || { echo "round $i: not solved"; exit 1; }
  ms x start mtu-black-hole --seed 42 >>"$T/start-node"
  ms x solve >>"$T/solve"
done
echo "median of ${RUNS:-5} rounds (ms): start (pod fault) $(median <"$T/start"), start (node fault)" \
  "$(median <"$T/start-node"), failing check $(median <"$T/check-fail"), passing check" \
  "$(median <"$T/check-pass"), solve $(median <"$T/solve")"
