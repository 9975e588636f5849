#!/usr/bin/env bash
# Pods per second and memory per idle pod: `nodelab-runtime serve` in a
# private root and cgroup parent creates N pods (infra + one `sleep`
# container each, as the lead sends them at `up`), one pod-run at a time
# (sequential: the figure per pod) and then with 8 clients at once.  Memory
# per idle pod: the summed PSS of every process of the pods (infra, container,
# monitors) divided by N.  Usage: bench/runtime-pods.sh [N=200] [BUILD_DIR]
# The state root is under /tmp (the host's disk); STATE_TMPFS=1 puts it on a
# tmpfs, as a node's runtime storage (/var/lib/nodelab) is.
set -euo pipefail
N=${1:-200}
BUILD=${2:-${NODELAB_BUILD_DIR:-$(cd "$(dirname "$0")/.." && pwd)/build}}
RT=$BUILD/runtime/nodelab-runtime
T=$(mktemp -d /tmp/nodelab-bench-pods.XXXXXX)
CG=nodelab-bench-pods-$$
if [ -n "${STATE_TMPFS:-}" ]; then mkdir -p "$T/state" && mount -t tmpfs -o mode=0700 tmpfs "$T/state"; fi
"$RT" serve --socket "$T/rt.sock" --root "$T/state" --cgroup-parent "$CG" --node bench >"$T/log" 2>&1 &
SERVE=$!
cleanup() {
  set +e
  for p in $(seq "$N"); do
    "$RT" call --socket "$T/rt.sock" "{\"op\":\"pod-rm\",\"name\":\"p$p\",\"force\":true}" >/dev/null 2>&1
    "$RT" call --socket "$T/rt.sock" "{\"op\":\"pod-rm\",\"name\":\"q$p\",\"force\":true}" >/dev/null 2>&1
  done
  kill $SERVE; wait $SERVE
  grep " $T" /proc/self/mounts | awk '{print $2}' | sort -r | while read -r m; do umount -l "$m"; done
  for h in /sys/fs/cgroup/*/"$CG" /sys/fs/cgroup/"$CG"; do [ -d "$h" ] && find "$h" -depth -type d -exec rmdir {} \; 2>/dev/null; done
  rm -rf "$T"
}
trap cleanup EXIT
for _ in $(seq 100); do [ -S "$T/rt.sock" ] && break; sleep 0.05; done
pod() { "$RT" call --socket "$T/rt.sock" "{\"op\":\"pod-run\",\"name\":\"$1\",\"containers\":[{\"name\":\"c\",\"image\":\"ubi\",\"command\":[\"sleep\",\"100000\"]}]}" >/dev/null; }
t0=$(date +%s%N)
for p in $(seq "$N"); do pod "p$p"; done
t1=$(date +%s%N)
seq "$N" | xargs -P 8 -I{} "$RT" call --socket "$T/rt.sock" "{\"op\":\"pod-run\",\"name\":\"q{}\",\"containers\":[{\"name\":\"c\",\"image\":\"ubi\",\"command\":[\"sleep\",\"100000\"]}]}" >/dev/null
t2=$(date +%s%N)
sleep 1
pss=0
# only this run's processes: sleeps in its cgroups, infra and monitors of its binary
# (other labs on the machine have their own)
rt_exe=$(readlink -f "$RT")
for pid in $(pgrep -f '^sleep 100000') $(pgrep -x nodelab-infra) $(pgrep -x nodelab-mon); do
  grep -q "$CG" /proc/"$pid"/cgroup 2>/dev/null || [ "$(readlink /proc/"$pid"/exe 2>/dev/null)" = "$rt_exe" ] || continue
  v=$(awk '/^Pss:/ {print $2}' /proc/"$pid"/smaps_rollup 2>/dev/null || echo 0)
  pss=$((pss + ${v:-0}))
done
seq_ms=$(( (t1 - t0) / 1000000 ))
par_ms=$(( (t2 - t1) / 1000000 ))
echo "pods: $N sequential in ${seq_ms} ms = $(awk -v n="$N" -v t="$seq_ms" 'BEGIN{printf "%.0f", n*1000/t}') pods/s; $N with 8 clients in ${par_ms} ms = $(awk -v n="$N" -v t="$par_ms" 'BEGIN{printf "%.0f", n*1000/t}') pods/s"
echo "memory per idle pod (PSS of infra + container + monitors, $((2 * N)) pods): $((pss / (2 * N))) KiB"
