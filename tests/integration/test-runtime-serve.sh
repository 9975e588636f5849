#!/usr/bin/env bash
# nodelab-runtime serve driven by the real CLI (nodelab run/ps/exec/...),
# pointed straight at the runtime socket ($NODELAB_RUNTIME_SOCKET) in a
# private state root and cgroup parent: attached processes with the caller's
# fds and with a pty, many clients at once, a client gone mid-exec, pods, a
# restarted daemon, and bad input leaving nothing behind.
source "$(dirname "$0")/runtime-lib.sh"
NL=$BUILD/tools/nodelab
[ -x "$NL" ] || fail "missing $NL"
command -v script >/dev/null || { echo "SKIP: needs script(1)"; exit 77; }
export NODELAB_IMAGE_STORE=$T/state/images
export NODELAB_RUNTIME_SOCKET=$T/rt.sock
SERVE_PID=
start_serve() {
  "$RT_BIN" serve --socket "$T/rt.sock" --root "$T/state" --cgroup-parent "$CG_PARENT" \
    --node rtest --subnet 10.1.1.0/24 --gateway 10.1.1.1 >>"$T/serve.log" 2>&1 &
  SERVE_PID=$!
  wait_for 5 "serve to listen" test -S "$T/rt.sock" || fail "serve did not listen: $(cat "$T/serve.log")"
}
serve_cleanup() {
  local rc=$?
  set +e
  [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null
  [ $rc -ne 0 ] && [ -f "$T/serve.log" ] && tail -20 "$T/serve.log" >&2
  (exit $rc)
  rt_cleanup
}
trap serve_cleanup EXIT

# readiness: READY=1 on $NODELAB_NOTIFY_FD once serving, images built
exec {nfd}>"$T/notify"
NODELAB_NOTIFY_FD=$nfd start_serve
exec {nfd}>&-
wait_for 5 "READY=1" grep -qx READY=1 "$T/notify" || fail "no READY=1 on NODELAB_NOTIFY_FD"
$NL image ls | grep -q '^ubi ' || fail "image ubi not built at start: $($NL image ls)"
$NL image ls | grep -q '^on-off ' || fail "image on-off not built at start"
ok "serve: listening, READY=1 notified, images ubi and on-off built"

# --- chapter 1: three top containers, plain processes of the host
for i in 1 2 3; do $NL run -d --name top$i ubi top -b >/dev/null; done
for i in 1 2 3; do
  pid=$($NL inspect top$i | jq -r '.[0].State.Pid')
  ps -ef | awk -v p="$pid" '$2 == p' | grep -q "top -b" || fail "top$i (pid $pid) not in ps -ef"
done
[ "$($NL ps -q | wc -l)" -eq 3 ] || fail "ps -q: $($NL ps -q)"
$NL ps | head -1 | grep -q "^CONTAINER ID  IMAGE  *COMMAND  *CREATED  *STATUS  *NAMES$" ||
  fail "ps header: $($NL ps | head -1)"
$NL ps | grep top1 | grep -Eq "Up (Less than a second|[0-9]+ seconds?)" || fail "ps status: $($NL ps)"
[ "$($NL ps --no-trunc -q | head -1 | wc -c)" -eq 65 ] || fail "ps --no-trunc -q is not 64 hex"
ok "chapter 1: three top containers in host ps -ef; ps columns and statuses"

# --- chapter 3: distinct MCS pairs in ps -Z and inspect
pairs=$($NL ps -Z | grep -o 'container_t:s0:c[0-9]*,c[0-9]*' | sort -u | wc -l)
[ "$pairs" -eq 3 ] || fail "MCS pairs not distinct: $($NL ps -Z)"
$NL inspect top1 | jq -e '.[0].ProcessLabel | test("container_t:s0:c[0-9]+,c[0-9]+")' >/dev/null ||
  fail "inspect ProcessLabel"

# --- many clients at once: a long attached exec does not hold the others
# The slow exec never ends by itself: the others can only finish while it runs
# if serve does not serve it alone (a bound, not a timing: 30 s means stuck).
$NL exec top1 sh -c 'echo started; exec sleep 1001' >"$T/slow.out" &
slow=$!
wait_for 10 "the slow exec to start" grep -q started "$T/slow.out" || fail "the slow exec did not start"
for _ in 1 2 3 4 5; do timeout 30 $NL ps >/dev/null || fail "ps behind an attached exec: status $?"; done
timeout 30 $NL exec top2 true || fail "exec behind an attached exec: status $?"
kill -0 $slow 2>/dev/null || fail "the slow exec ended early"
pkill -TERM -f "^sleep 1001$" || fail "the slow exec's sleep is not running"
set +e; wait $slow; code=$?; set -e
[ $code -eq 143 ] || fail "slow exec status $code, expected 143 (its sleep got SIGTERM)"
ok "a running attached exec does not block other clients (5 ps and an exec done while it ran)"

# --- attached processes: the caller's fds, exit status, stdin with -i
out=$($NL run --rm ubi sh -c 'echo out; echo err >&2; exit 4' 2>"$T/err") && fail "exit 4 reported as 0"
[ "$out" = out ] && [ "$(cat "$T/err")" = err ] || fail "stdout/stderr: '$out' '$(cat "$T/err")'"
set +e; $NL run --rm ubi sh -c 'exit 4' >/dev/null; code=$?; set -e
[ $code -eq 4 ] || fail "run exit status $code, expected 4"
[ "$(echo hello | $NL run -i --rm ubi cat)" = hello ] || fail "run -i did not pass stdin"
[ -z "$(echo hello | $NL run --rm ubi cat)" ] || fail "run without -i passed stdin"
set +e; $NL exec top1 sh -c 'kill -TERM $$'; code=$?; set -e
[ $code -eq 143 ] || fail "exec killed by TERM: status $code, expected 143"
[ "$($NL ps -a -q | wc -l)" -eq 3 ] || fail "run --rm left a container: $($NL ps -a)"
ok "attached run/exec: stdout, stderr, stdin with -i, exit codes 4 and 143, --rm"

# --- TTY through a real pty (script), resize from the caller's size
out=$(script -qc "stty rows 41 cols 101; $NL exec -it top1 sh -c 'tty; stty size; exit 6'" /dev/null </dev/null | tr -d '\r')
echo "$out" | grep -q '/dev/pts/[0-9]*$' || fail "exec -it: no terminal in the container: $out"
echo "$out" | grep -q '41 101$' || fail "exec -it: window size not passed: $out"
set +e; script -eqc "$NL exec -it top1 sh -c 'exit 6'" /dev/null </dev/null >/dev/null; code=$?; set -e
[ $code -eq 6 ] || fail "exec -it exit status $code, expected 6"
out=$(script -eqc "$NL run -it --rm ubi sh -c '[ -t 0 ] && [ -t 1 ] && echo tty-ok'" /dev/null </dev/null | tr -d '\r')
echo "$out" | grep -q tty-ok || fail "run -it: stdio is not a terminal: $out"
# an interactive shell: input typed on the caller's terminal once the shell
# prompts for it
mkfifo "$T/typed"
script -qc "$NL exec -it top1 sh" /dev/null <"$T/typed" >"$T/typed.out" 2>&1 &
typist=$!
exec {typed}>"$T/typed"
wait_for 10 "the shell's prompt" grep -q '[#$] ' "$T/typed.out" || fail "no prompt: $(cat "$T/typed.out")"
printf 'echo typed-$((6*7))\nexit 3\n' >&$typed
exec {typed}>&-
wait $typist || true
out=$(tr -d '\r' <"$T/typed.out")
echo "$out" | grep -q 'typed-42' || fail "typed input not relayed: $out"
ok "exec -it / run -it through a pty: /dev/pts/N in the container, size 41x101, status 6, typed input"

# --- a client that goes away mid-exec leaves nothing running
$NL exec top1 sleep 777 &
c=$!
wait_for 10 "sleep 777 to start" pgrep -f "^sleep 777" || fail "sleep 777 not started"
kill -9 $c; wait $c 2>/dev/null || true
sleep_777_gone() { ! pgrep -f "^sleep 777" >/dev/null; }
wait_for 5 "sleep 777 to be killed" sleep_777_gone || fail "exec'd process outlived its client"
ok "a client killed mid-exec: its process is killed"

# --- chapter 2 through the daemon: create, mount, start, /mnt/on, start, exec, kill, rm
id=$($NL create --name oo on-off)
[ ${#id} -eq 64 ] || fail "create printed $id"
$NL ps -a | grep -w oo | grep -q Created || fail "not Created"
merged=$($NL mount oo)
[ -x "$merged/entrypoint.sh" ] || fail "mount: $merged"
$NL start oo >/dev/null
oo_exited() { $NL ps -a | grep -w oo | grep -q "Exited (0)"; }
wait_for 5 "oo to exit" oo_exited || true
$NL ps -a | grep -w oo | grep -Eq "Exited \(0\) .* ago" || fail "on-off did not exit 0: $($NL ps -a)"
touch "$merged/mnt/on"
$NL start oo >/dev/null
# With /mnt/on the entrypoint stays up: it runs top.
runs_top() { $NL exec oo ps | grep -q "top -b"; }
wait_for 10 "oo to run top" runs_top || fail "oo does not run top after /mnt/on: $($NL ps -a)"
$NL ps | grep -w oo | grep -q " Up " || fail "on-off not Up: $($NL ps -a)"
$NL exec oo ps | grep -q "top -b" || fail "exec ps"
top_drew() { $NL logs oo | grep -q "^Mem:"; }
wait_for 10 "top's first screen in oo's log" top_drew || fail "logs: no top output while running"
$NL kill oo >/dev/null
[ "$($NL inspect oo | jq -r '.[0].State.ExitCode')" = 137 ] || fail "kill: exit code"
$NL logs oo | grep -q "^Mem:" || fail "logs: no top output"
$NL rm oo >/dev/null
[ -e "$T/state/containers/$id" ] && fail "rm left the state"
ok "chapter 2 through serve: create, mount, start/exit 0, /mnt/on, Up, exec, kill (137), logs, rm"

# --- pods: infra + containers sharing net/ipc/uts, lo up, exec NODE/POD[/CTR]
out=$("$RT_BIN" call --socket "$T/rt.sock" '{"op":"pod-run","name":"web","containers":[{"name":"a","image":"ubi","command":["sleep","1000"]},{"name":"b","image":"ubi","command":["sleep","1000"]}]}')
echo "$out" | jq -e '.ok and .pod.state == "running" and (.pod.containers | length) == 2' >/dev/null ||
  fail "pod-run: $out"
ipa=$($NL exec rtest/web/a -- ip addr)
ipb=$($NL exec rtest/web/b -- ip addr)
[ "$ipa" = "$ipb" ] || fail "containers of a pod see different addresses"
echo "$ipa" | grep -q "lo: <LOOPBACK,UP" || fail "lo is not up in the pod: $ipa"
[ "$($NL exec rtest/web -- hostname)" = web ] || fail "pod hostname"
[ "$($NL exec rtest/web/b -- hostname)" = web ] || fail "pod hostname (b)"
$NL exec rtest/web/zz -- true 2>"$T/err" && fail "unknown pod container accepted"
grep -q "pod web has no container zz" "$T/err" || fail "message: $(cat "$T/err")"
out=$("$RT_BIN" call --socket "$T/rt.sock" '{"op":"pod-run","name":"web","containers":[]}') && fail "a second pod web was accepted"
echo "$out" | grep -q "pod web already exists" || fail "second pod web: $out"
ok "pod: two containers share ip addr (lo up), hostname web, exec NODE/POD[/CTR]"

# --- restart: kill -9 the daemon, a new one adopts everything
kill -9 "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
rm -f "$T/rt.sock"
start_serve
[ "$($NL ps -q | wc -l)" -eq 6 ] || fail "after restart ps shows: $($NL ps)"
"$RT_BIN" call --socket "$T/rt.sock" '{"op":"pod-ls"}' | jq -e '.pods[0].name == "web" and .pods[0].state == "running"' >/dev/null ||
  fail "pod-ls after restart"
[ "$($NL exec top3 echo alive)" = alive ] || fail "exec after restart"
ok "restarted serve adopts containers and pods"

# --- names and MCS pairs stay unique across restarts: one reservation file each
# labels/cX,cY holds the id of the container owning the pair (no record scan per create)
pairs_of_records() { jq -r '.label | capture("s0:(?<p>c[0-9]+,c[0-9]+)").p' "$T"/state/containers/*/state.json | sort; }
[ "$(ls "$T/state/labels" | sort)" = "$(pairs_of_records)" ] ||
  fail "labels/ ($(ls "$T/state/labels" | tr '\n' ' ')) is not the records' pairs ($(pairs_of_records | tr '\n' ' '))"
for f in "$T"/state/labels/*; do
  [ -f "$T/state/containers/$(cat "$f")/state.json" ] || fail "$f names no container"
done
expect_fail() { # PATTERN CMD...: CMD fails saying PATTERN
  local pat=$1 out
  shift
  if out=$("$@" 2>&1); then fail "accepted: $*"; fi
  echo "$out" | grep -q -- "$pat" || fail "'$out' lacks '$pat'"
}
expect_fail "already in use" $NL run -d --name top1 ubi true # a name taken before the restart
# a store from before the reservations: indexed once when the next container is made
kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
want=$(ls "$T/state/labels" | sort)
rm -rf "$T/state/labels"
start_serve
$NL create --name fresh ubi true >/dev/null
got=$(ls "$T/state/labels" | sort)
pair=$($NL inspect fresh | jq -r '.[0].ProcessLabel | capture("s0:(?<p>c[0-9]+,c[0-9]+)").p')
[ "$got" = "$(printf '%s\n%s\n' "$want" "$pair" | sort)" ] || fail "re-indexed labels/: $got (wanted $want + $pair)"
[ "$(pairs_of_records | uniq -d)" = "" ] || fail "an MCS pair is used twice: $(pairs_of_records | uniq -d)"
$NL rm fresh >/dev/null
[ ! -e "$T/state/labels/$pair" ] || fail "rm left the reservation of $pair"
# a pod's infra goes only once no container uses it (members/, not a scan)
[ "$(ls "$T/state/containers/$($NL inspect web-infra | jq -r '.[0].Id')/members" | wc -l)" -eq 2 ] ||
  fail "web's infra does not list its two members"
expect_fail "still has container" $NL rm -f web-infra
ok "MCS pairs reserved one file each, kept across restarts, re-indexed from the records, freed by rm; infra kept while used"
out=$("$RT_BIN" call --socket "$T/rt.sock" '{"op":"pod-rm","name":"web","force":true}')
echo "$out" | jq -e .ok >/dev/null || fail "pod-rm: $out"
[ "$($NL ps -a -q | wc -l)" -eq 3 ] || fail "pod-rm left containers: $($NL ps -a)"
[ -z "$(ls "$T/state/pods")" ] || fail "pod record left"

# --- bad input: a clear error, nothing left
before=$(ls "$T/state/containers" | wc -l)
expect() { # NAME PATTERN CMD...
  local name=$1 pat=$2; shift 2
  set +e; out=$("$@" 2>&1); code=$?; set -e
  [ $code -ne 0 ] || fail "$name: accepted"
  echo "$out" | grep -q -- "$pat" || fail "$name: message '$out' lacks '$pat'"
}
expect "unknown image" "nosuch: image not known" $NL run --rm nosuch true
expect "name in use" "top1" $NL run -d --name top1 ubi true
expect "missing volume" "$T/none" $NL run --rm -v "$T/none:/data" ubi true
expect "limit too small" "memory" $NL run --rm --memory 1k ubi true
printf '{\n  "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": [\n    {"names": ["chmod"], "action": "SCMP_ACT_FOO"}\n  ]\n}\n' >"$T/bad.json"
expect "malformed profile" "bad.json: syscalls\[0\].action" $NL run --rm --security-opt seccomp="$T/bad.json" ubi true
printf '{\n  "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": [\n' >"$T/trunc.json"
expect "truncated profile (position)" "trunc.json:4:" $NL create --security-opt seccomp="$T/trunc.json" ubi true
expect "bad memory syntax" "expected a size" $NL run --rm --memory lots ubi true
[ "$(ls "$T/state/containers" | wc -l)" -eq "$before" ] || fail "bad input left containers"
ok "bad input: unknown image, name in use, missing volume, limit too small, malformed profile: errors, nothing left"

# --- chapter 5 through serve: a relative profile path is made absolute by the CLI
cat >"$T/chmod.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["chmod", "fchmod", "fchmodat", "fchmodat2"], "action": "SCMP_ACT_ERRNO"}]}
JSON
out=$(cd "$T" && $NL run --rm --security-opt seccomp=chmod.json ubi chmod 777 /etc/hosts 2>&1) && fail "chmod allowed"
echo "$out" | grep -q "Operation not permitted" || fail "chmod: $out"
$NL run --rm ubi chmod 777 /etc/hosts || fail "chmod without the profile failed"
ok "chapter 5: chmod profile (relative path) gives EPERM, none allows it"

$NL rm -f top1 top2 top3 >/dev/null
[ -z "$($NL ps -a -q)" ] || fail "containers left: $($NL ps -a)"
