#!/usr/bin/env bash
# Times `nodelab up FILE` and `nodelab down LAB` separately for labs of 3, 20
# and 50 nodes, with hyperfine, and prints the medians as a table.
# Run as root from anywhere; see bench/README.md.
#
#   bench/up-down.sh [-r RUNS] [-b BUILD_DIR] [-o OUT_DIR] [-n] [-v] [SIZES...]
#
# -n times the nodes alone: nodelabd is pointed (NODELAB_BINDIR) at a folder
# holding only nodelab-init (and nodelabd), so nodes start no Open vSwitch,
# netd or runtime.
# Without it every node runs its whole stack, as `nodelab up` normally does.
# -v shows every command's output (hyperfine --show-output), to see why one failed.
#
# Each `up` is timed from nothing: no daemon running, so the time includes
# starting nodelabd, as a user's first `nodelab up` does.  Each `down` is
# timed on a lab that has just come up.
set -euo pipefail
shopt -s inherit_errexit # a failed run inside $(...) stops the script

here=$(cd "$(dirname "$0")" && pwd)
runs=5
build=${NODELAB_BUILD_DIR:-$here/../build}
out=${TMPDIR:-/tmp}/nodelab-bench
style=(--style basic)
nodes_only=0
while getopts "r:b:o:nvh" opt; do
  case $opt in
    n) nodes_only=1 ;;
    v) style=(--show-output) ;;
    r) runs=$OPTARG ;;
    b) build=$OPTARG ;;
    o) out=$OPTARG ;;
    *) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
sizes=("$@")
((${#sizes[@]})) || sizes=(3 20 50)

nodelab=$(cd "$build" && pwd)/tools/nodelab
[ -x "$nodelab" ] || { echo "up-down.sh: no $nodelab (use -b BUILD_DIR)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "up-down.sh: run as root" >&2; exit 1; }
command -v jq >/dev/null || { echo "up-down.sh: jq is missing" >&2; exit 1; }
mkdir -p "$out"
mode="whole stack per node (OVS, netd, runtime)"
if ((nodes_only)); then
  mkdir -p "$out/bin-nodes-only"
  ln -sf "$(cd "$build" && pwd)/nodes/nodelab-init" "$out/bin-nodes-only/nodelab-init"
  ln -sf "$(cd "$build" && pwd)/nodes/nodelabd" "$out/bin-nodes-only/nodelabd" # the CLI looks there too
  export NODELAB_BINDIR=$out/bin-nodes-only # inherited by the nodelabd each `up` starts
  mode="nodes alone (no daemons in them)"
fi

labs=()
cleanup() {
  local lab
  for lab in "${labs[@]}"; do
    [ -e "/run/nodelab/$lab" ] && "$nodelab" down --force "$lab" >/dev/null 2>&1
  done
  return 0
}
trap cleanup EXIT

# Waits until no nodelabd runs, so that the next `up` starts one.
cat >"$out/no-daemon.sh" <<'EOF'
#!/bin/sh
i=0
while [ -e /run/nodelab/nodelabd.pid ] && [ $i -lt 300 ]; do sleep 0.02; i=$((i + 1)); done
EOF
chmod +x "$out/no-daemon.sh"

median() { # median of the numbers on stdin
  sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# time_runs NAME PREPARE COMMAND: without hyperfine, the same protocol by hand.
time_runs() {
  local name=$1 prepare=$2 command=$3 i t0 t1
  for ((i = 0; i < runs; i++)); do
    sh -c "$prepare" >/dev/null 2>&1 || true
    t0=$(date +%s%N)
    sh -c "$command" >/dev/null || return 1
    t1=$(date +%s%N)
    echo "$(((t1 - t0) / 1000))e-6"
  done | awk '{printf "%.6f\n", $1}' >"$out/$name.times"
  jq -n --arg name "$name" --rawfile t "$out/$name.times" \
    '{results: [{command: $name, times: ($t | split("\n") | map(select(length > 0) | tonumber))}]}' \
    >"$out/$name.json"
}

bench() { # NAME PREPARE COMMAND CLEANUP
  rm -f "$out/$1.json"
  if command -v hyperfine >/dev/null; then
    hyperfine --runs "$runs" "${style[@]}" -N -n "$1" --prepare "$2" --cleanup "$4" \
      --export-json "$out/$1.json" "$3" >&2 || { echo "up-down.sh: $1 failed (run with -v to see why)" >&2; return 1; }
  else
    time_runs "$1" "$2" "$3" || { echo "up-down.sh: $1 failed" >&2; return 1; }
    sh -c "$4" >/dev/null 2>&1 || true
  fi
  local n
  n=$(jq '.results[0].times | length' "$out/$1.json")
  ((n == runs)) || { echo "up-down.sh: $1: $n of $runs runs timed" >&2; return 1; }
  jq -r '.results[0].times[]' "$out/$1.json" | median
}

rows=()
for n in "${sizes[@]}"; do
  lab=bench-$n
  labs+=("$lab")
  file=$out/$lab.yaml
  printf 'name: %s\ndescription: benchmark, %s nodes\ncluster:\n  nodes: {count: %s, prefix: n}\n' \
    "$lab" "$n" "$n" >"$file"
  [ ! -e "/run/nodelab/$lab" ] || { echo "up-down.sh: lab $lab exists already" >&2; exit 1; }

  up=$(bench "up-$n" "sh -c '$nodelab down $lab >/dev/null 2>&1; $out/no-daemon.sh'" \
    "$nodelab up $file" "$nodelab down $lab")
  "$out/no-daemon.sh"
  down=$(bench "down-$n" "$nodelab up $file" "$nodelab down $lab" "true")
  "$out/no-daemon.sh"
  rows+=("$(awk -v n="$n" -v u="$up" -v d="$down" 'BEGIN {printf "| %5s | %8.0f | %9.0f |", n, u * 1000, d * 1000}')")
done

{
  echo
  echo "nodelab up/down, $mode, median of $runs runs ($(nproc) CPUs, $(uname -r))"
  echo
  echo "| nodes | up (ms)  | down (ms) |"
  echo "|-------|----------|-----------|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "raw results: $out/{up,down}-N.json"
} | tee "$out/summary.md"
