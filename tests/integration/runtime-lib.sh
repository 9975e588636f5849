# Shared setup for tests/integration/test-runtime-*.sh: a private state root,
# image store and cgroup parent, and a trap that removes everything.
set -euo pipefail

# shellcheck source=tests/integration/wait-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/wait-lib.sh"
BUILD=${NODELAB_BUILD_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/build}
RT_BIN=$BUILD/runtime/nodelab-runtime
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root"; exit 77; fi
[ -x "$RT_BIN" ] || { echo "missing $RT_BIN"; exit 1; }

T=$(mktemp -d /tmp/nodelab-rtest.XXXXXX)
CG_PARENT=nodelab-rtest-$$
export NODELAB_RUNTIME_ROOT=$T/state NODELAB_IMAGE_STORE=$T/images NODELAB_CGROUP_PARENT=$CG_PARENT

rt() { "$RT_BIN" "$@"; }

rt_cleanup() {
  local rc=$?
  set +e
  # every container of this test, running or not (pods last: rm refuses a pod in use)
  if [ -d "$T/state/containers" ]; then
    for pass in 1 2; do
      for d in "$T"/state/containers/*/; do
        [ -d "$d" ] && "$RT_BIN" rm -f "$(basename "$d")" >/dev/null 2>&1
      done
    done
  fi
  # anything still mounted under T (deepest first)
  grep " $T" /proc/self/mounts | awk '{print $2}' | sort -r | while read -r m; do umount -l "$m"; done
  for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    [ -d "$h$CG_PARENT" ] || continue
    find "$h$CG_PARENT" -depth -type d | while read -r d; do
      for p in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
      rmdir "$d" 2>/dev/null
    done
  done
  rm -rf "$T"
  if [ $rc -eq 0 ]; then echo "PASS"; else echo "FAIL (rc=$rc)"; fi
  exit $rc
}
trap rt_cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }

build_images() {
  rt image build ubi >/dev/null
  rt image build on-off >/dev/null
}
