#!/usr/bin/env bash
# Benchmark: `nodelab test scenarios/default.yaml` from start to leftovers
# checked (up, its steps, down, nothing left), with hyperfine.  Run as root,
# after a build:
#   bench/test-default.sh [BUILD_DIR] [SCENARIO]    (RUNS=5 by default)
# Every run must pass (exit 0).  Prints the median and, from the last run's
# JUnit, where the time goes step by step.  The issue's target: under 5 s.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-${NODELAB_BUILD_DIR:-$ROOT/build}}
SCENARIO=${2:-$ROOT/scenarios/default.yaml}
N=$BUILD/tools/nodelab
command -v hyperfine >/dev/null || { echo "hyperfine missing (tools/setup-deps.sh)"; exit 1; }
T=$(mktemp -d /tmp/nodelab-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
hyperfine -N --runs "${RUNS:-5}" --export-json "$T/result.json" \
  -n "nodelab test $(basename "$SCENARIO")" "$N test $SCENARIO --junit $T/junit.xml"
python3 - "$T/result.json" "$T/junit.xml" <<'PY'
import json, sys, xml.etree.ElementTree as ET
r = json.load(open(sys.argv[1]))["results"][0]
print(f"median of {len(r['times'])} runs: {r['median']:.2f} s "
      f"(min {r['min']:.2f}, max {r['max']:.2f})")
for case in ET.parse(sys.argv[2]).getroot().iter("testcase"):
    print(f"  {float(case.get('time')):6.3f} s  {case.get('name')}")
PY
