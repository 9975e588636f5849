# shellcheck shell=bash
# A list of checks that keeps going after a failure, for the CLI tests
# (test-cli-basic.sh, test-cli-lab.sh): each check says "ok: ..." or
# "not ok: ...", and checks_done exits 1 when any failed.  The test sets T to
# its scratch directory before calling run.

failures=0
fail() { echo "not ok: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

# run EXPECTED_RC CMD... : runs, keeps stdout in $out and stderr in $err (and
# in $T/out, $T/err); a different exit status is a failure.
run() {
  local want=$1; shift
  set +e
  "$@" > "$T/out" 2> "$T/err"
  rc=$?
  set -e
  out=$(cat "$T/out"); err=$(cat "$T/err")
  if [ "$rc" -ne "$want" ]; then
    fail "$* exited $rc, expected $want (stdout: $out) (stderr: $err)"
    return 1
  fi
  return 0
}

# The test's last word: exits 1 after any failure, says "all passed" otherwise.
checks_done() {
  if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)" >&2
    exit 1
  fi
  echo "all passed"
}
