# shellcheck shell=bash
# Waiting on a condition, for every integration test (sourced by lib.sh,
# netd-lib.sh and runtime-lib.sh, and by tests that source none of them).
# A test waits for what it needs to be true, never for a fixed time.

# wait_for SECONDS DESCRIPTION CMD...: polls CMD (its output discarded) every
# 50 ms until it succeeds.  After SECONDS, says what it waited for on stderr
# and returns 1.
wait_for() {
  local secs=$1 what=$2
  shift 2
  local deadline=$((SECONDS + secs))
  while ! "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "$(basename "${0%.sh}"): timed out after ${secs}s waiting for: $what" >&2
      return 1
    fi
    sleep 0.05
  done
}

# pid_gone PID: the process has exited.  A zombie has: it only waits for its
# parent to reap it.
pid_gone() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  stat=${stat##*) } # the state follows "(comm) ", and comm may hold spaces
  [ "${stat%% *}" = Z ]
}
