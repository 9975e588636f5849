#!/usr/bin/env bash
# The web view on a big lab's graph (issue 9): time to the first full render
# and the median cost of one event's redraw, in headless chromium, for the
# graphs of 3 x 1, 20 x 20 and 50 x 20 (1,000 pods) nodes x pods.  No lab
# runs: the graph is the scenario's plan (`nodelab graph FILE --format json`,
# the same model a running lab gives) and the page's API answers are made up
# by bench/web-view.mjs.  As root or not, after a build with its web target:
#   bench/web-view.sh [BUILD_DIR] [RUNS]
set -euo pipefail
BUILD=${1:-${NODELAB_BUILD_DIR:-build}}
RUNS=${2:-10}
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$BUILD" && pwd)
[ -d "$BUILD/web/node_modules/puppeteer-core" ] || { echo "no puppeteer-core: build the web target" >&2; exit 1; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
cp "$SRC/bench/web-view.mjs" "$BUILD/web/bench-web-view.mjs" # beside its node_modules
printf '%-12s %9s %7s %16s %15s %13s\n' LAB VERTICES EDGES "FIRST RENDER ms" "REDRAW ms (med)" "REDRAW max"
for size in 3x1 20x20 50x20; do
  nodes=${size%x*} pods=${size#*x}
  {
    echo "name: web-bench"
    echo "cluster:"
    echo "  nodes: {count: $nodes, prefix: n}"
    echo "  underlay: 192.168.0.0/16"
    echo "pods:"
    for ((n = 1; n <= nodes; n++)); do
      for ((p = 1; p <= pods; p++)); do
        echo "  - {name: p$n-$p, node: n$n, containers: [{name: c, image: ubi}]}"
      done
    done
  } >"$OUT/$size.yaml"
  "$BUILD/tools/nodelab" graph "$OUT/$size.yaml" --format json >"$OUT/$size.json"
  r=$(node "$BUILD/web/bench-web-view.mjs" "$BUILD/web/static" "$OUT/$size.json" "$RUNS")
  printf '%-12s %9s %7s %16s %15s %13s\n' "$size" "$(jq .vertices <<<"$r")" "$(jq .edges <<<"$r")" \
    "$(jq .first_render_ms <<<"$r")" "$(jq .redraw_median_ms <<<"$r")" "$(jq .redraw_max_ms <<<"$r")"
done
rm -f "$BUILD/web/bench-web-view.mjs"
