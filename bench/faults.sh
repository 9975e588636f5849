#!/usr/bin/env bash
# How long `nodelab fault inject KIND` and `nodelab fault repair KIND` take,
# per kind, on the default lab: the median of RUNS (default 10) of the whole
# CLI call (wall clock, date +%s%N), and the median of the engine's own time
# as nodelabd reports it (inject_us / repair_us in the reply).  Prints a
# table.  As root, after a build; brings the lab up and down itself.
#
#   bench/faults.sh [-r RUNS] [-b BUILD_DIR] [KIND...]
set -euo pipefail
RUNS=10
BUILD=${NODELAB_BUILD_DIR:-build}
while getopts r:b: o; do
  case $o in
  r) RUNS=$OPTARG ;;
  b) BUILD=$OPTARG ;;
  *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
KINDS=("$@")
N=$BUILD/tools/nodelab
LAB=bench-faults
command -v jq >/dev/null || { echo "jq is missing" >&2; exit 1; }

"$N" up --name "$LAB" >/dev/null
trap '"$N" down "$LAB" >/dev/null 2>&1 || "$N" down --force "$LAB" >/dev/null 2>&1' EXIT
# Without KIND arguments: every kind the engine implements (the catalogue says).
((${#KINDS[@]})) ||
  mapfile -t KINDS < <("$N" fault --lab "$LAB" ls --json | jq -r '.catalogue[] | select(.implemented) | .name')

median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "-"; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
ms() { awk '{printf "%.2f", $1/1000}'; }
now_us() { echo $(($(date +%s%N) / 1000)); }

printf '%-20s %12s %12s %12s %12s\n' KIND "inject ms" "engine ms" "repair ms" "engine ms"
for kind in "${KINDS[@]}"; do
  : >/tmp/bench-faults.inject
  : >/tmp/bench-faults.repair
  : >/tmp/bench-faults.einject
  : >/tmp/bench-faults.erepair
  for ((i = 0; i < RUNS; i++)); do
    t0=$(now_us)
    "$N" fault --lab "$LAB" inject "$kind" --json >/tmp/bench-faults.json
    t1=$(now_us)
    "$N" fault --lab "$LAB" repair "$kind" --json >/tmp/bench-faults.rjson
    t2=$(now_us)
    echo $((t1 - t0)) >>/tmp/bench-faults.inject
    echo $((t2 - t1)) >>/tmp/bench-faults.repair
    jq -r .inject_us /tmp/bench-faults.json >>/tmp/bench-faults.einject
    jq -r '.repaired[0].repair_us' /tmp/bench-faults.rjson >>/tmp/bench-faults.erepair
  done
  printf '%-20s %12s %12s %12s %12s\n' "$kind" \
    "$(median </tmp/bench-faults.inject | ms)" "$(median </tmp/bench-faults.einject | ms)" \
    "$(median </tmp/bench-faults.repair | ms)" "$(median </tmp/bench-faults.erepair | ms)"
done
rm -f /tmp/bench-faults.*
