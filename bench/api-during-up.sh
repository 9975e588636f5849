#!/usr/bin/env bash
# How nodelabd answers while it brings a big lab up: `nodelab ls --json` is
# run back to back during `nodelab up` of an N-node lab (default 50, the
# whole stack in every node), and the median and worst answer times are
# printed beside the same query on an idle daemon (the lab up, nothing
# happening).  nodelabd runs a lab's start as steps of its event loop, so the
# API should answer within milliseconds throughout.
#
#   bench/api-during-up.sh [-b BUILD_DIR] [NODES]
# Run as root; the lab is removed at the end.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${NODELAB_BUILD_DIR:-$here/../build}
while getopts "b:h" opt; do
  case $opt in
    b) build=$OPTARG ;;
    *) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
n=${1:-50}
nodelab=$(cd "$build" && pwd)/tools/nodelab
work=$(mktemp -d "${TMPDIR:-/tmp}/nodelab-api-bench.XXXXXX")
lab=bench-api
cleanup() { "$nodelab" down --force "$lab" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM HUP
printf 'name: %s\ncluster:\n  nodes: {count: %d, prefix: n}\n' "$lab" "$n" >"$work/lab.yaml"

# ms COMMAND...: the wall time of one run, in milliseconds, on stdout.
ms() {
  local t0 t1
  t0=$(date +%s%N)
  "$@" >/dev/null
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000))
}
stats() { sort -n | awk '{v[NR] = $1} END {printf "%d queries, median %d ms, worst %d ms", NR, v[int((NR + 1) / 2)], v[NR]}'; }

"$nodelab" up "$work/lab.yaml" >"$work/up.out" 2>&1 &
up=$!
until "$nodelab" ls --json 2>/dev/null | grep -q "\"$lab\""; do
  kill -0 "$up" 2>/dev/null || { cat "$work/up.out" >&2; exit 1; }
done
while kill -0 "$up" 2>/dev/null; do ms "$nodelab" ls --json >>"$work/during"; done
wait "$up" || { cat "$work/up.out" >&2; exit 1; }
for _ in $(seq 50); do ms "$nodelab" ls --json >>"$work/idle"; done
echo "nodelab ls --json during the up of $n nodes: $(stats <"$work/during")"
echo "nodelab ls --json on the idle lab:          $(stats <"$work/idle")"
