#!/usr/bin/env bash
# The lab's chapters 4 (cgroups) and 5 (seccomp), capabilities and
# no_new_privs, with nodelab-runtime.
source "$(dirname "$0")/runtime-lib.sh"
build_images

# --- chapter 4: cgroup per container, found by short id, with its limits
id=$(rt run -d --name lim --memory 32Mi --cpus 0.5 --pids-limit 20 ubi sleep 1000)
short=${id:0:12}
found=$(find /sys/fs/cgroup -maxdepth 3 -type d | grep "$short" || true)
[ -n "$found" ] || fail "no cgroup found by short id $short"
pid=$(rt inspect lim | sed -n 's/.*"Pid":\([0-9]*\).*/\1/p')
if [ -d /sys/fs/cgroup/memory ]; then
  mem=/sys/fs/cgroup/memory/$CG_PARENT/$id
  [ "$(cat $mem/memory.limit_in_bytes)" = 33554432 ] || fail "memory limit not 32Mi"
  [ "$(cat /sys/fs/cgroup/pids/$CG_PARENT/$id/pids.max)" = 20 ] || fail "pids.max not 20"
  [ "$(cat /sys/fs/cgroup/cpu/$CG_PARENT/$id/cpu.cfs_quota_us)" = 50000 ] || fail "cpu quota not 50000"
  grep -qx "$pid" $mem/cgroup.procs || fail "container pid not in its memory cgroup"
else
  [ "$(cat /sys/fs/cgroup/$CG_PARENT/$id/memory.max)" = 33554432 ] || fail "memory.max not 32Mi"
fi
rt rm -f lim >/dev/null
ok "chapter 4: cgroup $short found, limits applied"

# a process exceeding 32Mi is OOM-killed and the state says so
set +e
rt run --name oom --memory 32Mi ubi sh -c 'tail /dev/zero' >/dev/null 2>&1
code=$?
set -e
[ $code -eq 137 ] || fail "OOM run exited $code, expected 137"
rt inspect oom | grep -q '"OOMKilled":true' || fail "OOMKilled not recorded"
rt ps -a | grep oom | grep -q OOMKilled || fail "ps does not say OOMKilled"
rt rm oom >/dev/null
ok "chapter 4: 32Mi memory limit OOM-kills and is reported"

# a pids limit stops a fork bomb
id=$(rt run -d --name bomb --pids-limit 16 ubi sleep 1000)
set +e
rt exec bomb sh -c 'while :; do sleep 100 & done' >/dev/null 2>&1
set -e
if [ -d /sys/fs/cgroup/pids ]; then pcg=/sys/fs/cgroup/pids/$CG_PARENT/$id; else pcg=/sys/fs/cgroup/$CG_PARENT/$id; fi
cur=$(cat $pcg/pids.current)
[ "$cur" -le 16 ] || fail "pids.current $cur over the limit"
grep -Eq '^max [1-9]' $pcg/pids.events || fail "no fork was refused: $(cat $pcg/pids.events)"
rt ps | grep bomb | grep -q Up || fail "the bomb container died instead of being contained"
rt rm -f bomb >/dev/null
ok "chapter 4: pids limit 16 contains a fork bomb ($cur tasks)"

# --- chapter 5: seccomp
cat > "$T/chmod.json" <<'JSON'
{
  "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [
    {"names": ["chmod", "fchmod", "fchmodat", "fchmodat2"], "action": "SCMP_ACT_ERRNO"}
  ]
}
JSON
set +e
out=$(rt run --rm --security-opt seccomp="$T/chmod.json" ubi chmod 777 /etc/hosts 2>&1)
code=$?
set -e
[ $code -ne 0 ] || fail "chmod succeeded under the chmod profile"
echo "$out" | grep -q "Operation not permitted" || fail "chmod error is not EPERM: $out"
rt run --rm ubi chmod 777 /etc/hosts || fail "chmod failed without the profile"
[ "$(rt run --rm ubi sh -c 'chmod 777 /etc/hosts && stat -c %a /etc/hosts')" = 777 ] ||
  fail "chmod did not take effect"
# exec enters the seccomp filter too
rt run -d --name sec --security-opt seccomp="$T/chmod.json" ubi sleep 1000 >/dev/null
set +e
out=$(rt exec sec chmod 777 /etc/hosts 2>&1)
code=$?
set -e
[ $code -ne 0 ] && echo "$out" | grep -q "Operation not permitted" || fail "exec escaped the profile: $out"
rt rm -f sec >/dev/null
# the default profile denies mount even to root in the container
set +e
out=$(rt run --rm ubi mount -t tmpfs none /mnt 2>&1)
code=$?
set -e
[ $code -ne 0 ] || fail "mount allowed inside a container"
ok "chapter 5: chmod profile gives EPERM (run and exec); default allows chmod, denies mount"

# capabilities and no_new_privs
caps=$(rt run --rm ubi sh -c 'grep -E "^(CapEff|CapBnd|NoNewPrivs)" /proc/self/status' | awk '{print $2}' | tr '\n' ' ')
[ "$caps" = "00000000a80425fb 00000000a80425fb 1 " ] || fail "caps/no_new_privs: $caps"
ok "default capabilities and no_new_privs"
