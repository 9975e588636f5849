#!/usr/bin/env bash
# The default lab, end to end: `nodelab up` gives three nodes, each with its
# own hostname, pid/net/uts/mnt/ipc namespaces, cgroup and underlay address;
# they ping each other; exec passes stdin, stdout, stderr and the exit status;
# the host's network is untouched while the lab runs; `nodelab down` leaves
# the host exactly as it was.
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"

LAB=e2e-up # the embedded default scenario under a name of our own
NODES=(master node1 node2)
e2e_init "$LAB"

snapshot "$E2E_TMP/before"
net_state >"$E2E_TMP/net-before"

# ---- up ----
# With a descriptor left open, as a script's pipe or make's jobserver would be:
# nothing nodelab starts may keep it (a reader waiting for EOF would hang).
nodelab up --name "$LAB" >"$E2E_TMP/up.out" 7>"$E2E_TMP/fd-marker" ||
  fail "nodelab up --name $LAB exited $?"
say "up: $(head -n1 "$E2E_TMP/up.out")"
for p in $(nodelab_processes | awk '{print $1}'); do
  if find "/proc/$p/fd" -lname "$E2E_TMP/fd-marker" 2>/dev/null | grep -q .; then
    fail "$(cat "/proc/$p/comm") (pid $p) holds a descriptor inherited from the shell that ran up"
  fi
done

nodelab ls | grep -qw -- "$LAB" || { nodelab ls >&2; fail "nodelab ls does not show $LAB"; }
nodelab ls --json | jq -e --arg l "$LAB" '[.. | objects | select(.name? == $l)] | length == 1' \
  >/dev/null || fail "nodelab ls --json does not show $LAB"

lab_status "$LAB" >"$E2E_TMP/status.json" || fail "nodelab status $LAB --json exited $?"
jq -e '.nodes | length == 3' "$E2E_TMP/status.json" >/dev/null ||
  { cat "$E2E_TMP/status.json" >&2; fail "status does not list 3 nodes"; }
jq -e '[.nodes[].state] | all(. == "running")' "$E2E_TMP/status.json" >/dev/null ||
  { jq '.nodes' "$E2E_TMP/status.json" >&2; fail "not every node is running"; }
[ "$(jq -r '[.nodes[].name] | join(" ")' "$E2E_TMP/status.json")" = "${NODES[*]}" ] ||
  fail "node names are $(jq -c '[.nodes[].name]' "$E2E_TMP/status.json"), expected ${NODES[*]}"

declare -A PID ADDR
for i in "${!NODES[@]}"; do
  n=${NODES[$i]}
  ADDR[$n]=192.168.122.$((201 + i))
  PID[$n]=$(jq -r --arg n "$n" '.nodes[] | select(.name == $n) | .pid' "$E2E_TMP/status.json")
  u=$(jq -r --arg n "$n" '.nodes[] | select(.name == $n) | .underlay' "$E2E_TMP/status.json")
  [ "$u" = "${ADDR[$n]}/24" ] || fail "$n: status says underlay $u, expected ${ADDR[$n]}/24"
  if ! [ "${PID[$n]}" -gt 1 ] || ! [ -d "/proc/${PID[$n]}" ]; then
    fail "$n: pid ${PID[$n]} is not running"
  fi
done
FABRIC_PID=$(jq -r '.fabric.pid' "$E2E_TMP/status.json")

# ---- the host is untouched while the lab is up ----
net_state >"$E2E_TMP/net-during"
assert_same_snapshot "$E2E_TMP/net-before" "$E2E_TMP/net-during" "while the lab is up"

# ---- each node: hostname, eth0 address, its own namespaces, its cgroup ----

# The hierarchies that must hold a node: the unified one ("0::") and, on v1
# or hybrid hosts, those of cpu, memory, pids and name=systemd; there the
# process is in nodelab/LAB/NODE or a cgroup below it (v2 keeps processes in
# leaves, so nodelabd puts node processes in an "init" leaf).  Prints
# "checked N" or the lines that are wrong.
cgroup_check() { # FILE (a /proc/PID/cgroup)
  awk -F: -v w="$want" '
    { n = split($2, c, ","); keep = ($1 == 0 && $2 == "")
      for (i = 1; i <= n; i++) if (c[i] ~ /^(cpu|memory|pids|name=systemd)$/) keep = 1
      if (keep) { checked++; if ($3 != w && index($3, w "/") != 1) { bad = 1; print } } }
    END { if (!bad) print "checked " checked + 0 }' "$1"
}
check_cgroups() { # NODE WHAT FILE
  local r
  r=$(cgroup_check "$3")
  [[ $r == checked\ [1-9]* ]] || { cat "$3" >&2; fail "$1: $2 is not in cgroup ${want#/}: $r"; }
}

host_ns=()
for ns in pid net uts mnt ipc; do host_ns+=("$(readlink "/proc/$$/ns/$ns")"); done
all_ns=("${host_ns[@]}")
for n in "${NODES[@]}"; do
  h=$(nodelab exec "$n" -- hostname) || fail "exec $n -- hostname exited $?"
  [ "$h" = "$n" ] || fail "$n: hostname is \"$h\""

  # The underlay address is eth0's, or br-phy's once the node's Open vSwitch
  # holds eth0 (native userspace VXLAN needs it there).
  nodelab exec "$n" -- ip -o -4 addr show | grep -Eq "^[0-9]+: (eth0|br-phy) +inet ${ADDR[$n]}/24 " ||
    { nodelab exec "$n" -- ip -o addr >&2 || true; fail "$n: neither eth0 nor br-phy has ${ADDR[$n]}/24"; }
  nodelab exec "$n" -- ip -o link show dev eth0 | grep -q "eth0@" ||
    fail "$n: eth0 is not the veth into the fabric"

  pid=${PID[$n]}
  for ns in pid net uts mnt ipc; do
    id=$(readlink "/proc/$pid/ns/$ns")
    # exec must run its command in exactly these namespaces.
    inside=$(nodelab exec "$n" -- readlink "/proc/self/ns/$ns")
    [ "$inside" = "$id" ] || fail "$n: exec runs in $ns namespace $inside, the node's is $id"
    for seen in "${all_ns[@]}"; do
      [ "$seen" != "$id" ] || fail "$n: $ns namespace $id is shared (host or another node)"
    done
    all_ns+=("$id")
  done

  # The node's cgroup: nodelab/LAB/NODE (or below) in the unified hierarchy
  # and in the v1 hierarchies that limit (cpu, memory, pids) or name
  # (name=systemd) it; and wherever that directory exists, the node's PID 1 is
  # in its tree.
  want="/nodelab/$LAB/$n"
  cat "/proc/$pid/cgroup" >"$E2E_TMP/cg" || fail "$n: cannot read /proc/$pid/cgroup"
  check_cgroups "$n" "node process $pid" "$E2E_TMP/cg"
  for d in /sys/fs/cgroup/*/nodelab/"$LAB/$n" /sys/fs/cgroup/nodelab/"$LAB/$n"; do
    [ -d "$d" ] || continue
    # grep reads everything (no -q): an early exit would SIGPIPE find's cat, and pipefail
    # would turn a match into a failure.
    find "$d" -name cgroup.procs -exec cat {} + | grep -x "$pid" >/dev/null ||
      fail "$n: pid $pid is in no cgroup.procs under $d"
  done
  # What exec runs is accounted to the node too.
  nodelab exec "$n" -- cat /proc/self/cgroup >"$E2E_TMP/exec-cg"
  check_cgroups "$n" "a command run by exec" "$E2E_TMP/exec-cg"
done

# ---- node1's pid namespace shows only node1's processes ----
pgrep -x bash >/dev/null || fail "expected bash processes on the host (this test runs in bash)"
nodelab exec node1 -- ps -e -o pid=,comm= >"$E2E_TMP/ps"
say "node1 ps -e: $(tr -s ' \n' ' ' <"$E2E_TMP/ps")"
awk '$1 == 1 {print $2}' "$E2E_TMP/ps" | grep -qx nodelab-init ||
  { cat "$E2E_TMP/ps" >&2; fail "PID 1 of node1 is not nodelab-init"; }
# Exactly node1's init and its descendants, as the host counts them (zombies
# included); ps itself is one more, gone by the time the host counts.
nlines=$(wc -l <"$E2E_TMP/ps")
node1_pid=$(nodelab status --json | jq -r '.nodes[] | select(.name == "node1") | .pid')
in_ns=$(ps -e -o pid=,ppid= | awk -v root="$node1_pid" '
  { parent[$1] = $2 }
  END { n = 0; for (p in parent) { q = p; while (q != "" && q != root && q != 0) q = parent[q]; if (q == root) n++ }; print n }')
host_procs=$(ps -e --no-headers | wc -l)
((nlines == in_ns + 1 && host_procs > nlines)) ||
  { cat "$E2E_TMP/ps" >&2; fail "node1 sees $nlines processes, its pid namespace holds $in_ns (host: $host_procs)"; }
if grep -Eqw 'bash|systemd|nodelabd|sshd' "$E2E_TMP/ps"; then
  cat "$E2E_TMP/ps" >&2
  fail "node1's ps -e shows host processes"
fi

# ---- the underlay: every node reaches every other ----
for a in "${NODES[@]}"; do
  for b in "${NODES[@]}"; do
    [ "$a" != "$b" ] || continue
    nodelab exec "$a" -- ping -c1 -W2 "${ADDR[$b]}" >"$E2E_TMP/ping" 2>&1 ||
      { cat "$E2E_TMP/ping" >&2; fail "$a cannot ping $b (${ADDR[$b]})"; }
  done
done
say "all 6 pings between the 3 nodes answered"

# ---- exec passes the exit status, stdin, stdout and stderr ----
rc=0
nodelab exec node1 -- sh -c 'exit 7' || rc=$?
((rc == 7)) || fail "exec node1 -- sh -c 'exit 7' exited $rc"
rc=0
nodelab exec node1 -- false || rc=$?
((rc == 1)) || fail "exec node1 -- false exited $rc"
out=$(echo hi | nodelab exec node1 -- cat)
[ "$out" = hi ] || fail "stdin did not pass through exec: got \"$out\""
out=$(printf 'a\nb\nc\n' | nodelab exec master -- wc -l)
[ "$out" = 3 ] || fail "exec master -- wc -l read \"$out\" lines, expected 3"
nodelab exec node2 -- sh -c 'echo to-out; echo to-err >&2' >"$E2E_TMP/o" 2>"$E2E_TMP/e"
[ "$(cat "$E2E_TMP/o")" = to-out ] || fail "stdout of exec: \"$(cat "$E2E_TMP/o")\""
grep -qx to-err "$E2E_TMP/e" || fail "stderr of exec: \"$(cat "$E2E_TMP/e")\""

net_state >"$E2E_TMP/net-during"
assert_same_snapshot "$E2E_TMP/net-before" "$E2E_TMP/net-during" "after the pings and execs"

# ---- down ----
nodelab down "$LAB" || fail "nodelab down $LAB exited $?"
for p in "${PID[@]}" "$FABRIC_PID"; do
  [ ! -d "/proc/$p" ] || [ "$(cat "/proc/$p/comm" 2>/dev/null)" != nodelab-init ] ||
    fail "nodelab-init $p still runs after down returned"
done
! nodelab ls 2>/dev/null | grep -qw -- "$LAB" || fail "nodelab ls still shows $LAB"
# ls must not have started a daemon either: assert_clean waits for none to be left.
assert_clean "$E2E_TMP/before" "after nodelab down"
