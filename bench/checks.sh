#!/usr/bin/env bash
# Benchmark: `nodelab check` (every check of the default lab, in parallel) on
# a running default lab, with hyperfine.  Run as root, after a build:
#   bench/checks.sh [BUILD_DIR]            (RUNS=10 by default)
# Brings the default lab up under its own name, runs `nodelab check` RUNS
# times (after 2 warm-up runs; every run must pass), prints the median and
# takes the lab down.  The issue's target: under 300 ms.
set -euo pipefail
BUILD=${1:-${NODELAB_BUILD_DIR:-$(cd "$(dirname "$0")/.." && pwd)/build}}
N=$BUILD/tools/nodelab
LAB=bench-checks
command -v hyperfine >/dev/null || { echo "hyperfine missing (tools/setup-deps.sh)"; exit 1; }
T=$(mktemp -d /tmp/nodelab-bench.XXXXXX)
cleanup() {
  "$N" down "$LAB" >/dev/null 2>&1 || "$N" down --force "$LAB" >/dev/null 2>&1 || true
  rm -rf "$T"
}
trap cleanup EXIT
"$N" up --name "$LAB" >/dev/null
n_checks=$("$N" check --lab "$LAB" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["checks"]))')
hyperfine -N --warmup 2 --runs "${RUNS:-10}" --export-json "$T/result.json" \
  -n "nodelab check" "$N check --lab $LAB"
python3 - "$T/result.json" "$n_checks" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(f"median of {len(r['times'])} runs of nodelab check ({sys.argv[2]} checks): "
      f"{r['median']*1000:.0f} ms (min {r['min']*1000:.0f}, max {r['max']*1000:.0f})")
PY
