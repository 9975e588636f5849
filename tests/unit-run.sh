#!/bin/sh
# unit-run.sh TEST-BINARY: runs one cmocka test binary for CTest.  cmocka's
# skip() marks a test "[  SKIPPED ]" but still exits 0, which CTest would
# count as passed: when the binary passed and skipped something, exit 77
# (SKIP_RETURN_CODE in tests/CMakeLists.txt), so that CTest says "Skipped".
# A failure stays a failure.
out=$(mktemp) || exit 1
"$@" >"$out" 2>&1
rc=$?
cat "$out"
if [ "$rc" -eq 0 ] && grep -q '^\[  SKIPPED \]' "$out"; then
  echo "unit-run: $1 skipped tests (above): reported as skipped"
  rc=77
fi
rm -f "$out"
exit "$rc"
