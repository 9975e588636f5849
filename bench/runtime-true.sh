#!/usr/bin/env bash
# Benchmark: container create+start+exit of /bin/true, nodelab-runtime beside
# runc on the same rootfs (the ubi image), with hyperfine.  Run as root:
#   bench/runtime-true.sh [BUILD_DIR]        (needs hyperfine and runc)
# Prints hyperfine's table; medians are in the exported JSON.
set -euo pipefail
BUILD=${1:-${NODELAB_BUILD_DIR:-$(cd "$(dirname "$0")/.." && pwd)/build}}
RT=$BUILD/runtime/nodelab-runtime
command -v hyperfine >/dev/null || { echo "hyperfine missing (tools/setup-deps.sh)"; exit 1; }
command -v runc >/dev/null || { echo "runc missing (tools/setup-deps.sh)"; exit 1; }
T=$(mktemp -d /tmp/nodelab-bench.XXXXXX)
CG=nodelab-bench-$$
cleanup() {
  for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do [ -d "$h$CG" ] && rmdir "$h$CG" 2>/dev/null; done
  rm -rf "$T"
}
trap cleanup EXIT
export NODELAB_RUNTIME_ROOT=$T/state NODELAB_IMAGE_STORE=$T/images NODELAB_CGROUP_PARENT=$CG
"$RT" image build ubi >/dev/null
# runc's bundle: the same rootfs, runc's default spec running /bin/true
mkdir -p "$T/bundle"
cp -a "$T/images/ubi/rootfs" "$T/bundle/rootfs"
(cd "$T/bundle" && runc spec && sed -i 's/"terminal": true/"terminal": false/; s/"sh"/"\/bin\/true"/' config.json)
hyperfine -N --warmup 5 --runs ${RUNS:-50} --export-json "$T/result.json" \
  -n nodelab-runtime "$RT run --rm ubi /bin/true" \
  -n runc "runc --root $T/runc run -b $T/bundle nodelab-bench-$$"
python3 - "$T/result.json" <<'PY'
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
n, c = r["nodelab-runtime"], r["runc"]
print(f"median: nodelab-runtime {n*1000:.1f} ms, runc {c*1000:.1f} ms, ratio {n/c:.2f}")
PY
