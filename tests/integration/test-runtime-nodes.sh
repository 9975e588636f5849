#!/usr/bin/env bash
# The lab's chapters 1-7 with the real CLI against the default lab: every
# node runs nodelab-runtime (started by nodelabd), and `nodelab run|ps|exec|
# ...` reach it through nodelabd's RPC tunnel.  Bad input is refused with a
# clear error and leaves nothing; `exec -it` gets a real terminal; down leaves
# the host as it was.
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
command -v script >/dev/null || { echo "SKIP: needs script(1)"; exit 77; }
LAB=${E2E_LAB:-e2e-rtnodes}            # another name to run it beside another copy
NODELAB_RUN=${NODELAB_RUNDIR:-/run/nodelab} # lib.sh's snapshots follow the CLI's run directory
e2e_init "$LAB"
snapshot "$E2E_TMP/before"
ok() { echo "ok - $*"; }
nl() { nodelab "$@" --lab "$LAB"; }
nlr() { # run-like verbs parse their own options: --lab first
  local verb=$1
  shift
  nodelab "$verb" --lab "$LAB" "$@"
}

nodelab up --name "$LAB" >/dev/null || fail "up"
lab_status "$LAB" | jq -e '[.pods[].state] | all(. == "running")' >/dev/null ||
  fail "scenario pods not running: $(lab_status "$LAB" | jq -c .pods)"

# --- chapter 1: three top containers are plain processes of the host
for i in 1 2 3; do nlr run -d --name top$i ubi top -b >/dev/null; done
for i in 1 2 3; do
  # the node's pid namespace is nested in the host's: the same process, seen from the host
  pid=$(nl inspect top$i | jq -r '.[0].State.Pid')
  [ "$pid" -gt 0 ] || fail "top$i has no pid"
done
[ "$(ps -ef | grep '[t]op -b' | wc -l)" -ge 3 ] || fail "fewer than 3 top -b in host ps -ef"
[ "$(nl ps -q | wc -l)" -ge 3 ] || fail "ps: $(nl ps)"

ok "chapter 1: three top containers in the host's ps -ef"

# --- chapter 3: different MCS pairs
[ "$(nl ps -Z | grep -E ' top[123] ' | grep -o 'c[0-9]*,c[0-9]*' | sort -u | wc -l)" -eq 3 ] ||
  fail "MCS pairs: $(nl ps -Z)"
ok "chapter 3: three distinct MCS pairs"

# --- chapter 2: create -> mount -> start -> exit -> touch /mnt/on -> start -> exec -> kill -> rm
id=$(nlr create --name oo on-off)
[[ $id =~ ^[0-9a-f]{64}$ ]] || fail "create printed $id"
nl ps -a | grep -w oo | grep -q Created || fail "not Created"
merged=$(nl mount oo)
nodelab exec --lab "$LAB" master -- test -x "$merged/entrypoint.sh" || fail "merged dir $merged"
nl start oo >/dev/null
wait_for 10 "oo exited" sh -c "$NODELAB ps -a --lab $LAB | grep -w oo | grep -q 'Exited (0)'" ||
  fail "on-off did not exit 0: $(nl ps -a)"
nodelab exec --lab "$LAB" master -- touch "$merged/mnt/on"
nl start oo >/dev/null
# With /mnt/on the entrypoint stays up: it runs top.
runs_top() { nlr exec oo ps | grep -q "top -b"; }
wait_for 10 "oo to run top" runs_top || fail "oo does not run top after /mnt/on: $(nl ps -a)"
nl ps | grep -w oo | grep -q " Up " || fail "oo not Up"
nlr exec oo ps | grep -q "top -b" || fail "exec ps"
nl kill oo >/dev/null
[ "$(nl inspect oo | jq -r '.[0].State.Status + " " + (.[0].State.ExitCode|tostring)')" = "exited 137" ] ||
  fail "kill: $(nl inspect oo | jq -c .[0].State)"
nl rm oo >/dev/null
nl inspect oo >/dev/null 2>&1 && fail "oo still there"
ok "chapter 2: create, mount, start/exit 0, /mnt/on, Up, exec, kill, rm"

# --- chapter 4: cgroup by short id, OOM at 32Mi, pids limit
id=$(nlr run -d --name lim --memory 32Mi --pids-limit 16 ubi sleep 1000)
[ -n "$(find /sys/fs/cgroup -type d -name "${id:0:12}*" 2>/dev/null)" ] || fail "no cgroup with ${id:0:12}"
set +e
nlr run --name oom --memory 32Mi ubi sh -c 'tail /dev/zero' >/dev/null 2>&1
code=$?
set -e
[ $code -eq 137 ] || fail "OOM run exited $code"
nl ps -a | grep -w oom | grep -q OOMKilled || fail "ps does not say OOMKilled: $(nl ps -a)"
nl inspect oom | jq -e '.[0].State.OOMKilled' >/dev/null || fail "inspect OOMKilled"
set +e
pcg=$(find /sys/fs/cgroup/pids /sys/fs/cgroup -type d -name "${id:0:12}*" -print -quit 2>/dev/null)
[ -n "$pcg" ] && [ -r "$pcg/pids.events" ] || fail "no pids cgroup for ${id:0:12}"
nlr exec lim sh -c 'for i in $(seq 40); do sleep 30 & done; wait' >/dev/null 2>&1 &
bomb=$!
set -e
# The 40 forks run into the limit: the cgroup counts a refused fork in pids.events.
forks_refused() { awk '$1 == "max" && $2 > 0 {found = 1} END {exit !found}' "$pcg/pids.events"; }
wait_for 20 "a fork refused in lim" forks_refused || fail "no fork refused at the pids limit: $(cat "$pcg/pids.events")"
cur=$(cat "$pcg/pids.current")
[ "$cur" -le 16 ] || fail "pids.current $cur above the limit"
kill $bomb 2>/dev/null || true
nl rm -f lim oom >/dev/null
ok "chapter 4: cgroup found by short id, 32Mi OOM reported, pids limit holds ($cur tasks)"

# --- chapter 5: the chmod profile
cat >"$E2E_TMP/chmod.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["chmod", "fchmod", "fchmodat", "fchmodat2"], "action": "SCMP_ACT_ERRNO"}]}
JSON
out=$(nlr run --rm --security-opt seccomp="$E2E_TMP/chmod.json" ubi chmod 777 /etc/hosts 2>&1) &&
  fail "chmod allowed under the profile"
echo "$out" | grep -q "Operation not permitted" || fail "chmod: $out"
nlr run --rm ubi chmod 777 /etc/hosts || fail "chmod without a profile failed"
ok "chapter 5: chmod 777 /etc/hosts: EPERM with the profile, allowed without"

# --- chapter 6: copy-on-write
c1=$(nlr run -d --name cow1 ubi sleep 1000)
nlr run -d --name cow2 ubi sleep 1000 >/dev/null
nlr exec cow1 sh -c 'echo written > /etc/nodelab-cow'
upper=$(nl inspect cow1 | jq -r '.[0].GraphDriver.Data.UpperDir')
lower=$(nl inspect cow1 | jq -r '.[0].GraphDriver.Data.LowerDir')
[ "$(nodelab exec --lab "$LAB" master -- cat "$upper/etc/nodelab-cow")" = written ] || fail "not in upper"
nodelab exec --lab "$LAB" master -- test -e "$lower/etc/nodelab-cow" && fail "image modified"
nlr exec cow2 test -e /etc/nodelab-cow && fail "cow2 sees cow1's write"
nl rm -f cow1 cow2 >/dev/null
ok "chapter 6: a write lands in the container's upper only"

# --- chapter 7: every container of a pod shows the same ip addr
pods=$(lab_status "$LAB" | jq -r '.pods[] | .node + "/" + .name')
for p in $pods; do
  node=${p%/*}
  nodelab exec --lab "$LAB" "$p" -- ip addr >"$E2E_TMP/full" || fail "exec $p"
  grep -q "lo: <LOOPBACK,UP" "$E2E_TMP/full" || fail "$p: lo down"
  # Interface, family and address of each: flags such as an IPv6 link-local
  # address's "tentative" change by themselves while DAD runs.
  nodelab exec --lab "$LAB" "$p" -- sh -c "ip -o addr | awk '{print \$2, \$3, \$4}'" >"$E2E_TMP/a" ||
    fail "exec $p"
  grep -q "^eth0 inet " "$E2E_TMP/a" || fail "$p: no IPv4 address on eth0: $(cat "$E2E_TMP/a")"
  for c in $(nl ps -a --node "$node" --json | jq -r --arg pod "${p#*/}" '.[] | select(.Pod == $pod and (.IsInfra|not)) | .Names[0]'); do
    nodelab exec --lab "$LAB" --node "$node" "$c" sh -c "ip -o addr | awk '{print \$2, \$3, \$4}'" |
      cmp -s - "$E2E_TMP/a" || fail "$c differs from its pod"
  done
done
ok "chapter 7: containers of each pod see the same addresses ($(echo $pods))"

# --- chapter 7 (and 8): pods on two nodes reach each other across VXLAN
# (three echo requests: one lost to a loaded 2-core machine is not a failure of the network)
web_ip=$(lab_status "$LAB" | jq -r '.pods[] | select(.name == "web") | .ip')
client_ip=$(lab_status "$LAB" | jq -r '.pods[] | select(.name == "client") | .ip')
[[ $web_ip == 10.1.1.* && $client_ip == 10.1.2.* ]] || fail "pod IPs: web $web_ip client $client_ip"
# status names the infra by its host pid too: the process that holds web's network namespace.
web_infra=$(lab_status "$LAB" | jq -r '.pods[] | select(.name == "web") | .infra_host_pid')
[ "$(ps -o comm= -p "$web_infra")" = nodelab-infra ] || fail "infra_host_pid $web_infra is not web's infra"
nsenter -t "$web_infra" -n ip -4 -o addr show dev eth0 | grep -q " $web_ip/" ||
  fail "the network namespace of infra_host_pid $web_infra does not hold $web_ip"
[ "$(nl inspect --node node1 web-httpd | jq -r '.[0].NetworkSettings | .IPAddress + "/" + (.IPPrefixLen|tostring) + " " + .Gateway')" = "$web_ip/24 10.1.1.1" ] ||
  fail "inspect web-httpd: $(nl inspect --node node1 web-httpd | jq -c .[0].NetworkSettings)"
nodelab exec --lab "$LAB" node2/client -- ping -c3 -W2 "$web_ip" >/dev/null || fail "client cannot ping web"
nodelab exec --lab "$LAB" node1/web -- ping -c3 -W2 "$client_ip" >/dev/null || fail "web cannot ping client"
reply=$(nodelab exec --lab "$LAB" node2/client -- sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 3 $web_ip 8080" | head -1)
[[ $reply == HTTP/1.* ]] || fail "client -> web:8080 over TCP: '$reply'"
ok "chapter 7: web ($web_ip, node1) and client ($client_ip, node2) reach each other, TCP included"

# --- a standalone container is on the cluster network (its implicit pod)
# veth of netd's port for an address: veth + the address in hex (netd/netd.c)
port_of() { printf 'veth%02x%02x%02x%02x' ${1//./ }; }
ports1() { nodelab exec --lab "$LAB" node1 -- ovs-vsctl list-ports br0; }
ipam1() { nodelab exec --lab "$LAB" node1 -- ls /var/lib/nodelab/ipam; }
n1=$(nl ps -a -q --node node1 | wc -l)
id=$(nlr run -d --node node1 --name extra ubi sleep 1000)
ip=$(nl inspect --node node1 extra | jq -r '.[0].NetworkSettings.IPAddress')
[[ $ip == 10.1.1.* ]] || fail "extra's address '$ip' is not in node1's subnet"
[ "$(nl inspect --node node1 extra | jq -r '.[0].HostConfig.NetworkMode')" = bridge ] ||
  fail "extra's NetworkMode: $(nl inspect --node node1 extra | jq -c .[0].HostConfig)"
nodelab exec --lab "$LAB" --node node1 extra ip -o -4 addr show eth0 | grep -q "inet $ip/24" ||
  fail "extra's eth0: $(nodelab exec --lab "$LAB" --node node1 extra ip -o addr)"
nodelab exec --lab "$LAB" --node node1 extra ping -c3 -W2 "$client_ip" >/dev/null ||
  fail "extra ($ip) cannot ping client ($client_ip) on node2"
port=$(port_of "$ip")
ports1 | grep -qx "$port" || fail "no br0 port $port for extra: $(ports1 | tr '\n' ' ')"
pod=$(nodelab exec --lab "$LAB" node1 -- ovs-vsctl get port "$port" external_ids:nodelab-pod | tr -d '"')
[ "$pod" = "$id" ] || fail "port $port names '$pod', not extra ($id)"
# its own hostname (the short id), as a standalone podman container
[ "$(nodelab exec --lab "$LAB" --node node1 extra hostname)" = "${id:0:12}" ] || fail "extra's hostname"
# ps: the container, not its infra (shown with -a, in no pod)
nl ps --node node1 --json | jq -e '[.[] | select(.IsInfra and .Pod == "")] | length == 0' >/dev/null ||
  fail "ps shows the implicit infra: $(nl ps --node node1)"
nl ps --node node1 | grep -qw extra || fail "ps lacks extra"
nl ps -a --node node1 --json | jq -e --arg n "${id:0:12}-infra" '[.[] | select(.Names[0] == $n and .IsInfra)] | length == 1' >/dev/null ||
  fail "ps -a lacks extra's infra: $(nl ps -a --node node1)"
expect_no() { # expect_no WHAT CMD...: CMD fails
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then fail "$what"; fi
}
expect_no "rm of extra's infra accepted" nl rm -f --node node1 "${id:0:12}-infra"
# stop/start keep the namespace, the address and the port
nl stop --node node1 -t 0 extra >/dev/null
ports1 | grep -qx "$port" || fail "port $port gone while extra is stopped"
nl start --node node1 extra >/dev/null
[ "$(nl inspect --node node1 extra | jq -r '.[0].NetworkSettings.IPAddress')" = "$ip" ] || fail "address changed by stop/start"
nodelab exec --lab "$LAB" --node node1 extra ping -c3 -W2 "$client_ip" >/dev/null || fail "no ping after stop/start"
# rm -f takes the port, the address and the infra with it; the address is free again
nl rm -f --node node1 extra >/dev/null
ports1 | grep -qx "$port" && fail "port $port left after rm"
ipam1 | grep -qx "$ip" && fail "address $ip still allocated after rm"
[ "$(nl ps -a -q --node node1 | wc -l)" -eq "$n1" ] || fail "rm left containers: $(nl ps -a --node node1)"
nlr run -d --node node1 --name extra2 ubi sleep 1000 >/dev/null
[ "$(nl inspect --node node1 extra2 | jq -r '.[0].NetworkSettings.IPAddress')" = "$ip" ] ||
  fail "the freed address $ip was not given again"
nl rm -f --node node1 extra2 >/dev/null
# run --rm: on the network while it runs, nothing left after
out=$(nlr run --rm --node node1 ubi ip -o -4 addr show eth0)
[[ $out == *"inet 10.1.1."* ]] || fail "run --rm: $out"
ports1 | grep -qx "$(port_of "$ip")" && fail "run --rm left port $(port_of "$ip")"
[ "$(nl ps -a -q --node node1 | wc -l)" -eq "$n1" ] || fail "run --rm left containers"
# --network none: lo only, no address taken
[ "$(nlr run --rm --node node1 --network none ubi ip -o link | awk -F': ' '{print $2}' | tr '\n' ' ')" = "lo " ] ||
  fail "--network none: $(nlr run --rm --node node1 --network none ubi ip -o link)"
ipam1 | grep -qx "$ip" && fail "--network none took an address"
expect_no "--network slirp accepted" nlr run --rm --node node1 --network slirp ubi true
ok "standalone container: $ip in node1's subnet, pings client ($client_ip), br0 port $port; stop/start keep it; rm frees port and address; --network none: lo only"

# --- exec -it through a real terminal
out=$(script -qc "stty rows 30 cols 90; $NODELAB exec -it --lab $LAB top1 sh -c 'tty; stty size'" /dev/null </dev/null | tr -d '\r')
echo "$out" | grep -q '/dev/pts/[0-9]*$' || fail "exec -it: $out"
echo "$out" | grep -q '30 90$' || fail "exec -it size: $out"
set +e
script -eqc "$NODELAB exec -it --lab $LAB top1 sh -c 'exit 5'" /dev/null </dev/null >/dev/null
code=$?
set -e
[ $code -eq 5 ] || fail "exec -it status $code"
ok "exec -it: CLI -> nodelabd -> runtime with a pty, size and status"

# --- bad input: clear errors, nothing left (no container, no infra, no port, no address)
n0=$(nl ps -a -q | wc -l)
first=$(lab_status "$LAB" | jq -r '.nodes[0].name')
net0=$(nodelab exec --lab "$LAB" "$first" -- sh -c 'ovs-vsctl list-ports br0; ls /var/lib/nodelab/ipam')
expect() {
  local name=$1 pat=$2
  shift 2
  set +e
  out=$("$@" 2>&1)
  local code=$?
  set -e
  [ $code -ne 0 ] || fail "$name accepted"
  echo "$out" | grep -q -- "$pat" || fail "$name: '$out' lacks '$pat'"
}
expect "unknown image" "image not known" nlr run --rm nosuch true
expect "name in use" "top1" nlr run -d --name top1 ubi true
expect "missing volume" "$E2E_TMP/none" nlr run --rm -v "$E2E_TMP/none:/d" ubi true
expect "limit too small" "memory" nlr run --rm --memory 1k ubi true
printf '{\n  "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": [\n' >"$E2E_TMP/trunc.json"
expect "malformed profile" "trunc.json:4:" nlr run --rm --security-opt seccomp="$E2E_TMP/trunc.json" ubi true
expect "unknown node" "node" nlr run --rm --node nosuch ubi true
expect "command not found" "/nosuch" nlr run -d ubi /nosuch # fails after its network was made
[ "$(nl ps -a -q | wc -l)" -eq "$n0" ] || fail "bad input left containers"
[ "$(nodelab exec --lab "$LAB" "$first" -- sh -c 'ovs-vsctl list-ports br0; ls /var/lib/nodelab/ipam')" = "$net0" ] ||
  fail "bad input left ports or addresses on $first"
ok "bad input: errors named, nothing left"

nl rm -f top1 top2 top3 >/dev/null
nodelab down "$LAB" >/dev/null || fail "down"
assert_clean "$E2E_TMP/before" "after down"
