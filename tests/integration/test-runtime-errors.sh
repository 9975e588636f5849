#!/usr/bin/env bash
# Bad input: a clear error, a non-zero exit, and nothing left behind.
source "$(dirname "$0")/runtime-lib.sh"
build_images

nothing_left() {
  [ -z "$(ls "$T/state/containers")" ] || fail "$1: state left: $(ls "$T/state/containers")"
  [ -z "$(ls "$T/state/names")" ] || fail "$1: name left: $(ls "$T/state/names")"
  ! grep -q " $T/state" /proc/self/mounts || fail "$1: mount left"
  [ -z "$(find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -path "*$CG_PARENT/*" -type d)" ] ||
    fail "$1: cgroup left"
}
expect_error() { # WHAT PATTERN CMD...
  local what=$1 pat=$2
  shift 2
  set +e
  out=$("$@" 2>&1)
  code=$?
  set -e
  [ $code -ne 0 ] || fail "$what: succeeded"
  echo "$out" | grep -q -- "$pat" || fail "$what: error '$out' lacks '$pat'"
  ok "$what: $out"
}

expect_error "unknown image" "nope: image not known" rt create nope
nothing_left "unknown image"
expect_error "unknown image (run)" "image not known" rt run --rm quay.io/x/nope:1 true
nothing_left "unknown image (run)"

printf '{\n  "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": [\n    {"names": ["chmod"], "action": "SCMP_ACT_FOO"}\n  ]\n}\n' >"$T/bad.json"
expect_error "malformed profile" "$T/bad.json: syscalls\[0\].action: unknown action \"SCMP_ACT_FOO\"" \
  rt run --rm --security-opt seccomp="$T/bad.json" ubi true
printf '{\n  "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": [\n' >"$T/trunc.json"
expect_error "truncated profile" "$T/trunc.json:4:" rt create --security-opt seccomp="$T/trunc.json" ubi true
expect_error "missing profile" "$T/none.json" rt create --security-opt seccomp="$T/none.json" ubi true
nothing_left "profiles"

expect_error "limit too small" "too small" rt run --rm --memory 1m ubi true
expect_error "bad limit" "expected a size" rt run --rm --memory lots ubi true
nothing_left "limits"

expect_error "missing volume path" "/nonexistent-nodelab-vol" rt run --rm -v /nonexistent-nodelab-vol:/data ubi true
nothing_left "volume"

rt create --name dup ubi true >/dev/null
expect_error "name in use" 'name "dup" is already in use' rt create --name dup ubi true
[ "$(ls "$T/state/containers" | wc -l)" -eq 1 ] || fail "name in use: a second container was left"
expect_error "bad name" "must match" rt create --name -x ubi true
expect_error "unknown container" "zzz: no such container" rt start zzz
expect_error "exec in a stopped container" "not running" rt exec dup true
expect_error "command not found" "exec nosuchcmd" rt run --rm ubi nosuchcmd
rt rm dup >/dev/null
nothing_left "end"

# a volume works, and :ro is read-only
mkdir "$T/vol"
echo from-host >"$T/vol/f"
[ "$(rt run --rm -v "$T/vol:/data:Z" ubi cat /data/f)" = from-host ] || fail "volume not visible"
rt run --rm -v "$T/vol:/data" ubi sh -c 'echo from-ctr > /data/g'
[ "$(cat "$T/vol/g")" = from-ctr ] || fail "volume write not on the host"
rt run --rm -v "$T/vol:/data:ro" ubi sh -c 'echo x > /data/h' 2>/dev/null && fail ":ro volume writable"
nothing_left "volumes"
ok "volumes: bind, :Z, :ro"
