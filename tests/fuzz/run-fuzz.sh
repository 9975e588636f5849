#!/usr/bin/env bash
# Fuzzes the scenario parser with libFuzzer for SECONDS seconds (default 30):
#   tests/fuzz/run-fuzz.sh [SECONDS]
# Builds tests/fuzz standalone with clang in its own build directory
# ($NODELAB_FUZZ_BUILD_DIR, default <source>/build-fuzz), runs the fuzzer over
# a temporary copy of the seed corpus (tests/fuzz/corpus plus scenarios/*.yaml)
# and exits non-zero when it finds a crash, a leak or a contract violation;
# the reproducer is kept in <build>/fuzz-artifacts/.
set -euo pipefail
secs=${1:-30}
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${NODELAB_FUZZ_BUILD_DIR:-$src/build-fuzz}

if ! command -v clang >/dev/null; then
  echo "run-fuzz.sh: clang is required" >&2
  exit 2
fi
CC=clang cmake -S "$src/tests/fuzz" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DNODELAB_FUZZ=ON >/dev/null
cmake --build "$build" --target fuzz_scenario -j2 >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/nodelab-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$build/fuzz-artifacts"
cp "$src"/tests/fuzz/corpus/* "$work/corpus/"
for f in "$src"/scenarios/*.yaml; do # the current scenarios, beside the corpus' copies
  cp "$f" "$work/corpus/current-$(basename "$f")"
done

rc=0
"$build/fuzz_scenario" "$work/corpus" \
  -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
  -dict="$src/tests/fuzz/scenario.dict" \
  -artifact_prefix="$build/fuzz-artifacts/" -print_final_stats=1 || rc=$?
if [ "$rc" -ne 0 ]; then
  echo "run-fuzz.sh: the fuzzer failed (exit $rc); reproducers in $build/fuzz-artifacts/:" >&2
  ls -1 "$build/fuzz-artifacts/" >&2 || true
  exit 1
fi
echo "run-fuzz.sh: ${secs}s of fuzzing, no crash"
