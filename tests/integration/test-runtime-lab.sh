#!/usr/bin/env bash
# The lab's chapters 1, 2, 3, 6 and 7 (pod namespaces) with nodelab-runtime,
# run directly on this host as root in a private state root and cgroup parent.
source "$(dirname "$0")/runtime-lib.sh"
build_images

# --- chapter 1: three top containers are plain host processes
for i in 1 2 3; do rt run -d --name top$i ubi top -b >/dev/null; done
for i in 1 2 3; do
  pid=$(rt inspect top$i | sed -n 's/.*"Pid":\([0-9]*\).*/\1/p')
  [ -n "$pid" ] && [ "$pid" -gt 0 ] || fail "top$i has no pid"
  ps -ef | awk -v p="$pid" '$2 == p' | grep -q "top -b" || fail "top$i (pid $pid) not in host ps -ef"
done
[ "$(rt ps -q | wc -l)" -eq 3 ] || fail "ps -q does not list 3 containers"
ok "chapter 1: three top containers visible in host ps -ef"

# --- chapter 3: a different MCS pair per container, shown by ps -Z
pairs=$(rt ps -Z | grep -o 'container_t:s0:c[0-9]*,c[0-9]*' | sort)
[ "$(echo "$pairs" | wc -l)" -eq 3 ] || fail "expected 3 labels, got: $pairs"
[ "$(echo "$pairs" | sort -u | wc -l)" -eq 3 ] || fail "MCS pairs not unique: $pairs"
rt ps -Z | grep -q "container_t:s0:c[0-9]*,c[0-9]* (not enforced)" || fail "label not shown as not enforced"
ok "chapter 3: distinct MCS pairs $(echo $pairs)"
rt rm -f top1 top2 top3 >/dev/null

# --- chapter 2: create -> mount -> start (exit 0) -> /mnt/on -> start (Up) -> exec -> kill -> rm
id=$(rt create --name on-off on-off)
[ ${#id} -eq 64 ] || fail "id is not 64 hex: $id"
dir=$T/state/containers/$id
grep -q " $dir/merged " /proc/self/mounts && fail "merged mounted before mount"
[ -e "$dir/config.json" ] && fail "config.json before the first start"
rt ps -a | grep on-off | grep -q Created || fail "not Created"
merged=$(rt mount on-off)
[ "$merged" = "$dir/merged" ] || fail "mount printed $merged"
grep -q " $dir/merged overlay " /proc/self/mounts || fail "merged not an overlay mount after mount"
[ -x "$merged/entrypoint.sh" ] || fail "merged does not show the image"
rt start on-off >/dev/null
for _ in $(seq 50); do rt ps -a | grep -q "Exited (0)" && break; sleep 0.1; done
rt ps -a | grep on-off | grep -q "Exited (0)" || fail "on-off did not exit 0: $(rt ps -a)"
[ -e "$dir/config.json" ] || fail "config.json not written at first start"
grep -q '"noNewPrivileges":true' "$dir/config.json" || fail "config.json lacks noNewPrivileges"
touch "$merged/mnt/on"
[ -e "$dir/upper/mnt/on" ] || fail "touch did not land in upper"
rt start on-off >/dev/null
# With /mnt/on the entrypoint stays up: it runs top.
runs_top() { rt exec on-off ps | grep -q "top -b"; }
wait_for 10 "on-off to run top" runs_top || fail "on-off does not run top after /mnt/on: $(rt ps -a)"
rt ps | grep on-off | grep -q " Up " || fail "on-off not Up after /mnt/on: $(rt ps -a)"
out=$(rt exec on-off ps)
echo "$out" | grep -q "top -b" || fail "exec ps does not show top: $out"
echo "$out" | awk 'NR==2 {exit !($1 == 1)}' || fail "top is not PID 1 in the container: $out"
[ "$(rt exec on-off hostname)" = "${id:0:12}" ] || fail "hostname is not the short id"
set +e
rt exec on-off sh -c 'exit 7'
code=$?
set -e
[ $code -eq 7 ] || fail "exec exit code $code, expected 7"
cgdirs=$(find /sys/fs/cgroup -maxdepth 3 -type d | grep -c "${id:0:12}" || true)
[ "$cgdirs" -ge 1 ] || fail "cgroup not found by short id"
rt kill on-off >/dev/null
rt ps -a | grep on-off | grep -q "Exited (137)" || fail "kill not recorded: $(rt ps -a)"
rt rm on-off >/dev/null
[ -e "$dir" ] && fail "state dir left after rm"
grep -q "$id" /proc/self/mounts && fail "mount left after rm"
[ -z "$(find /sys/fs/cgroup -maxdepth 3 -type d | grep "${id:0:12}")" ] || fail "cgroup left after rm"
ok "chapter 2: create/mount/start/exit/restart/exec/kill/rm"

# --- chapter 6: copy-on-write storage
c1=$(rt run -d --name cow1 ubi sleep 1000)
c2=$(rt run -d --name cow2 ubi sleep 1000)
rt exec cow1 sh -c 'echo written > /etc/nodelab-cow; echo more >> /etc/hosts'
[ "$(cat "$T/state/containers/$c1/upper/etc/nodelab-cow")" = written ] || fail "write not in upper"
[ -e "$T/images/ubi/rootfs/etc/nodelab-cow" ] && fail "image modified"
grep -q more "$T/images/ubi/rootfs/etc/hosts" && fail "image /etc/hosts modified"
[ -e "$T/state/containers/$c2/upper/etc/nodelab-cow" ] && fail "write leaked to cow2's upper"
rt exec cow2 test -e /etc/nodelab-cow && fail "cow2 sees cow1's write"
rt exec cow2 grep -q more /etc/hosts && fail "cow2 sees cow1's /etc/hosts change"
rt rm -f cow1 cow2 >/dev/null
ok "chapter 6: writes go to the container's upper only"

# --- chapter 7 (namespaces part): containers of a pod share net/ipc/uts
rt pod create web --hostname web >/dev/null
rt run -d --pod web --name web-a ubi sleep 1000 >/dev/null
rt run -d --pod web --name web-b ubi sleep 1000 >/dev/null
pid_of() { rt inspect "$1" | sed -n 's/.*"Pid":\([0-9]*\).*/\1/p'; }
for ns in net ipc uts; do
  a=$(readlink /proc/$(pid_of web)/ns/$ns)
  b=$(readlink /proc/$(pid_of web-a)/ns/$ns)
  c=$(readlink /proc/$(pid_of web-b)/ns/$ns)
  [ "$a" = "$b" ] && [ "$b" = "$c" ] || fail "$ns namespace not shared: $a $b $c"
done
[ "$(readlink /proc/$(pid_of web-a)/ns/mnt)" != "$(readlink /proc/$(pid_of web-b)/ns/mnt)" ] ||
  fail "containers of a pod share a mount namespace"
[ "$(rt exec web-a ip addr)" = "$(rt exec web-b ip addr)" ] || fail "ip addr differs in the pod"
[ "$(rt exec web-b hostname)" = web ] || fail "pod hostname not web"
rt rm -f web >/dev/null 2>&1 && fail "a pod in use was removed"
rt rm -f web-a web-b >/dev/null
rt rm -f web >/dev/null
ok "chapter 7: pod containers share the infra's net/ipc/uts namespaces"

# --- --privileged (a scenario's securityContext.privileged): every capability
# the runtime has and no seccomp filter; without it, podman's default set
status_of() { rt run --rm "$@" ubi grep -E '^(CapEff|Seccomp):' /proc/self/status | tr -s '\t\n' '  '; }
plain=$(status_of)
priv=$(status_of --privileged)
mine=$(grep -E '^CapEff:' /proc/self/status | tr -s '\t' ' ')
echo "$plain" | grep -q 'Seccomp: 2' || fail "a plain container has no seccomp filter: $plain"
echo "$priv" | grep -q 'Seccomp: 0' || fail "a privileged container has a seccomp filter: $priv"
echo "$priv" | grep -q "$mine" || fail "privileged capabilities ($priv) are not the runtime's ($mine)"
[ "$plain" != "$priv" ] || fail "--privileged changed nothing: $plain"
ok "--privileged: the runtime's capabilities, no seccomp filter"
