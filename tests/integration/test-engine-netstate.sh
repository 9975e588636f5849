#!/bin/bash
# engine/netstate and engine/netfault on real namespaces, through the
# nodelab-netstate debug tool.  Two private network namespaces (A, node-like:
# eth0, a bridge br0 with pod veths, addresses, routes, a permanent
# neighbour; B, pod-like: eth0 and a default route), joined by a veth, in
# 10.250.0.0/16.  The host's namespace is never touched: each namespace is
# held by an `unshare -n sleep` whose namespace is checked to differ from the
# host's before anything is created in it, and the host's `ip link/addr/route`
# is compared before and after.
#
# For each primitive: capture; apply (in a session of the tool, which keeps
# the undo record in memory as nodelabd will); the capture differs exactly
# where expected and ip/tc/ethtool agree; repair; the capture equals the
# first byte for byte.  Then the same faults repaired by hand with the real
# tools (what a learner does), after which the capture equals the first too.
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"

TOOL=$NODELAB_BUILD_DIR/engine/nodelab-netstate
if [ "$(id -u)" -ne 0 ]; then
  say "SKIP: must run as root"
  exit 77
fi
for t in ip tc ethtool nsenter unshare; do
  command -v "$t" >/dev/null || {
    say "SKIP: $t is missing"
    exit 77
  }
done
[ -x "$TOOL" ] || fail "no $TOOL (set NODELAB_BUILD_DIR)"

E2E_TMP=$(mktemp -d /tmp/nodelab-test-engine-netstate.XXXXXX)
HOLDERS=()
SESSIONS=()
cleanup() {
  local rc=$? p
  trap - EXIT
  set +e
  # The sessions end at the end of their input, freeing their undo records
  # (under ASan, a leak would fail them here).
  exec 3>&- 5>&-
  for p in "${SESSIONS[@]}"; do
    wait_for 5 "session $p to exit" pid_gone "$p" || kill "$p" 2>/dev/null
    wait "$p" || {
      say "FAIL: session $p exited with status $?"
      rc=1
    }
  done
  exec 4<&- 6<&-
  for p in "${HOLDERS[@]}"; do
    kill "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  if [ -n "${HOST_BEFORE:-}" ]; then
    net_state >"$E2E_TMP/host.after" 2>&1
    if ! diff -u "$E2E_TMP/host.before" "$E2E_TMP/host.after" >&2; then
      say "FAIL: the host's network state changed (diff above)"
      rc=1
    fi
  fi
  rm -rf "$E2E_TMP"
  if ((rc != 0)); then say "FAILED"; else say "ok"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

net_state >"$E2E_TMP/host.before" 2>&1
HOST_BEFORE=1
HOST_NS=$(readlink /proc/self/ns/net)

# Each namespace is held by a sleeping process; ns_private PID: that process
# exists and is in a network namespace other than the host's.
ns_private() {
  local ns
  ns=$(readlink "/proc/$1/ns/net" 2>/dev/null) || return 1
  [ -n "$ns" ] && [ "$ns" != "$HOST_NS" ]
}
unshare -n -- sleep infinity &
PA=$!
HOLDERS+=("$PA")
unshare -n -- sleep infinity &
PB=$!
HOLDERS+=("$PB")
wait_for 5 "namespace A to be created" ns_private "$PA" || fail "A is not a namespace of its own"
wait_for 5 "namespace B to be created" ns_private "$PB" || fail "B is not a namespace of its own"
NSA=/proc/$PA/ns/net
NSB=/proc/$PB/ns/net
[ "$(readlink "$NSA")" != "$(readlink "$NSB")" ] || fail "A and B are the same namespace"
na() { nsenter --net="$NSA" -- "$@"; }
nb() { nsenter --net="$NSB" -- "$@"; }
[ "$(na readlink /proc/self/ns/net)" != "$HOST_NS" ] || fail "nsenter A lands in the host's namespace"
[ "$(nb readlink /proc/self/ns/net)" != "$HOST_NS" ] || fail "nsenter B lands in the host's namespace"

# ---- the two namespaces ----
na ip link set lo up
nb ip link set lo up
na ip link add eth0 type veth peer name eth0 netns "$PB"
na ip link add br0 type bridge
for i in 1 2 3 4; do
  na ip link add "veth$i" type veth peer name "pod$i"
  na ip link set "veth$i" master br0
  na ip link set "veth$i" up
  na ip link set "pod$i" up
  na ip addr add "10.250.1.$((10 + i))/24" dev "pod$i"
done
na ip link set br0 up
na ip link set eth0 up
nb ip link set eth0 up
na ip addr add 10.250.0.1/24 dev eth0
na ip addr add 10.250.1.1/24 dev br0
nb ip addr add 10.250.0.2/24 dev eth0
na ip route add 10.250.9.0/24 via 10.250.0.2
na ip route add 10.250.8.0/24 dev eth0 table 100 metric 5
nb ip route add default via 10.250.0.1
na ip neigh replace 10.250.0.9 lladdr 02:00:00:00:00:09 dev eth0 nud permanent

# ---- helpers ----
# (After a pipe, `grep >/dev/null`, not `grep -q`: grep -q stops reading at
# its first match, the writer can die of SIGPIPE, and pipefail fails it.)
capture() { "$TOOL" capture --permanent-neigh "$1"; }
# same_as FILE NS: the namespace's capture equals FILE.
same_as() { capture "$2" | cmp -s - "$1"; }
# Operstate follows a link change asynchronously (linkwatch batches events
# up to a second, longer when the host's rtnl lock is busy): waits on the
# state allow for it.
SETTLE=15
# expect_equal FILE NS WHAT: waits for the capture to equal FILE, else shows
# the diff and fails.
expect_equal() {
  if ! wait_for "$SETTLE" "$3" same_as "$1" "$2"; then
    capture "$2" >"$E2E_TMP/now"
    "$TOOL" diff "$1" "$E2E_TMP/now" >&2 || true
    fail "$3: the state differs from the first capture (diff above)"
  fi
}
# diff_is FILE NS EXPECTED: the diff from FILE to the namespace's capture is
# exactly EXPECTED (lines "- ..." / "+ ...", sorted as the tool prints them).
diff_is() {
  capture "$2" >"$E2E_TMP/now"
  [ "$("$TOOL" diff "$1" "$E2E_TMP/now")" = "$3" ]
}
expect_diff() {
  if ! wait_for "$SETTLE" "$4" diff_is "$1" "$2" "$3"; then
    say "expected diff:"
    printf '%s\n' "$3" >&2
    say "actual diff:"
    "$TOOL" diff "$1" "$E2E_TMP/now" >&2 || true
    fail "$4: the state does not differ as expected"
  fi
}
# A diff of lines "- X" and "+ Y" sorted as the tool sorts them (by X and Y).
sorted_diff() { printf '%s\n' "$@" | LC_ALL=C sort -t' ' -k2; }
# The diff as sed would make it from the first capture: the line of FILE
# matching REGEX, before and after SED.
changed_line() {
  local old new
  old=$(grep -E -- "$2" "$1") || fail "no line matching $2 in the first capture"
  new=$(sed -E "$3" <<<"$old")
  sorted_diff "- $old" "+ $new"
}

mkfifo "$E2E_TMP/a.in" "$E2E_TMP/a.out" "$E2E_TMP/b.in" "$E2E_TMP/b.out"
"$TOOL" session "$NSA" <"$E2E_TMP/a.in" >"$E2E_TMP/a.out" &
SESSIONS+=("$!")
exec 3>"$E2E_TMP/a.in" 4<"$E2E_TMP/a.out"
"$TOOL" session "$NSB" <"$E2E_TMP/b.in" >"$E2E_TMP/b.out" &
SESSIONS+=("$!")
exec 5>"$E2E_TMP/b.in" 6<"$E2E_TMP/b.out"

# ask A|B COMMAND...: runs a session command; fails the test on "error:".
ask() {
  local in=3 out=4 line reply=
  if [ "$1" = B ]; then in=5 out=6; fi
  shift
  echo "$*" >&"$in"
  while IFS= read -r -t 30 line <&"$out"; do
    [ "$line" = . ] && break
    reply+="$line"$'\n'
  done
  [ "$line" = . ] || fail "$*: no reply from the session"
  [[ $reply != error:* ]] || fail "$*: $reply"
}

# Let operstates settle (they follow link changes asynchronously): two equal captures.
settled() { capture "$1" >"$E2E_TMP/s1" && capture "$1" | cmp -s - "$E2E_TMP/s1"; }
wait_for "$SETTLE" "A's state to settle" settled "$NSA"
wait_for "$SETTLE" "B's state to settle" settled "$NSB"
wait_for "$SETTLE" "A's links to be up" sh -c "! grep -q 'state lowerlayerdown' '$E2E_TMP/s1'"
capture "$NSA" >"$E2E_TMP/A0"
capture "$NSB" >"$E2E_TMP/B0"
grep -q '^route table main default .*via 10.250.0.1 dev eth0' "$E2E_TMP/B0" ||
  fail "B's default route is not in its capture"
grep -q '^neigh eth0 10.250.0.9 lladdr 02:00:00:00:00:09 state permanent' "$E2E_TMP/A0" ||
  fail "A's permanent neighbour is not in its capture"
PASSED=0
ok() {
  say "ok: $*"
  PASSED=$((PASSED + 1))
}

# ---- link MTU ----
ask A mtu eth0 1300
expect_diff "$E2E_TMP/A0" "$NSA" "$(changed_line "$E2E_TMP/A0" '^link eth0 ' 's/ mtu 1500 / mtu 1300 /')" \
  "mtu 1300 on A's eth0"
na ip link show eth0 | grep >/dev/null 'mtu 1300' || fail "ip link does not show mtu 1300"
ask A repair
expect_equal "$E2E_TMP/A0" "$NSA" "A after repairing the MTU"
ok "link MTU: inject, ip agrees, repair exact"

# ---- tx checksum offload ----
# The link line says tx-csum off; the offload line loses the checksum
# features and, as with `ethtool -K tx off`, the segmentation that needs them.
ask A txcsum eth0 off
capture "$NSA" >"$E2E_TMP/A1"
"$TOOL" diff "$E2E_TMP/A0" "$E2E_TMP/A1" >"$E2E_TMP/d" || true
grep -v '^[-+] \(link\|offload\) eth0 ' "$E2E_TMP/d" && fail "tx checksum off changed more than eth0"
grep -q '^+ link eth0 .* tx-csum off$' "$E2E_TMP/d" || fail "tx checksum off: $(cat "$E2E_TMP/d")"
off_line=$(grep '^+ offload eth0 ' "$E2E_TMP/d") || fail "tx checksum off: no new offload line"
for feature in tx-checksum-ip-generic tx-tcp-segmentation; do
  grep -q "^- offload eth0 .*\b$feature\b" "$E2E_TMP/d" || fail "$feature was not on before"
  [[ ",${off_line#+ offload eth0 }," != *",$feature,"* ]] || fail "$feature still on: $off_line"
done
na ethtool -k eth0 | grep >/dev/null '^tx-checksumming: off' || fail "ethtool does not show tx off"
na ethtool -k eth0 | grep >/dev/null 'tx-checksum-ip-generic: off' || fail "ethtool: tx-checksum-ip-generic on"
na ethtool -k eth0 | grep >/dev/null 'tx-tcp-segmentation: off' || fail "ethtool: tx-tcp-segmentation on"
ask A repair
expect_equal "$E2E_TMP/A0" "$NSA" "A after repairing tx checksum"
ok "tx checksum offload: inject, ethtool agrees, repair exact"

# ---- link admin down (the kernel flushes the link's routes and neighbours) ----
ask A down eth0
capture "$NSA" >"$E2E_TMP/A1"
"$TOOL" diff "$E2E_TMP/A0" "$E2E_TMP/A1" >"$E2E_TMP/d" || true
for want in '^- link eth0 .*flags up,' '^\+ link eth0 .*flags broadcast,multicast state down' \
  '^- route table main 10.250.9.0/24 .*via 10.250.0.2 dev eth0' \
  '^- route table main 10.250.0.0/24 ' '^- neigh eth0 10.250.0.9 '; do
  grep -qE -- "$want" "$E2E_TMP/d" || {
    cat "$E2E_TMP/d" >&2
    fail "link down: no diff line matching $want"
  }
done
na ip link show eth0 | grep >/dev/null 'state DOWN' || fail "ip link does not show eth0 DOWN"
ask A repair
expect_equal "$E2E_TMP/A0" "$NSA" "A after repairing link down (routes and neighbour put back)"
expect_equal "$E2E_TMP/B0" "$NSB" "B after A's eth0 came back"
ok "link down: inject, ip agrees, repair exact (flushed routes and neighbour reconciled)"

# ---- qdisc: a rate limit alone (root tbf) ----
noqueue_line=$(grep '^qdisc eth0 ' "$E2E_TMP/A0")
[ "$noqueue_line" = "qdisc eth0 noqueue handle 0: parent root" ] ||
  fail "A's eth0 root qdisc is not the default noqueue: $noqueue_line"
ask A netem eth0 rate=8000000
expect_diff "$E2E_TMP/A0" "$NSA" "$(sorted_diff "- $noqueue_line" \
  "+ qdisc eth0 tbf handle 1: parent root rate 8000000bit burst 10000b limit 110000b")" \
  "a rate limit on A's eth0"
na tc qdisc show dev eth0 | grep -E >/dev/null '^qdisc tbf 1: root .*rate 8Mbit' ||
  fail "tc does not show the tbf: $(na tc qdisc show dev eth0)"
ask A repair
expect_equal "$E2E_TMP/A0" "$NSA" "A after removing the rate limit"
ok "rate limit (root tbf): inject, tc agrees, repair exact"

# ---- qdisc: netem (when the kernel has it) ----
if na tc qdisc add dev pod4 root netem delay 1ms 2>/dev/null; then
  na tc qdisc del dev pod4 root
  HAVE_NETEM=1
  ask A netem eth0 delay=100000 jitter=10000 loss=100000 duplicate=5000 corrupt=1000 rate=1000000
  capture "$NSA" >"$E2E_TMP/A1"
  "$TOOL" diff "$E2E_TMP/A0" "$E2E_TMP/A1" >"$E2E_TMP/d" || true
  for want in "^- $noqueue_line\$" \
    '^\+ qdisc eth0 netem handle 1: parent root limit 1000 delay 100000us jitter 10000us .*loss 10% .*duplicate 0.5% .*corrupt 0.1% ' \
    '^\+ qdisc eth0 tbf handle 10: parent 1:1 rate 1000000bit '; do
    grep -qE -- "$want" "$E2E_TMP/d" || {
      cat "$E2E_TMP/d" >&2
      fail "netem: no diff line matching $want"
    }
  done
  [ "$(wc -l <"$E2E_TMP/d")" -eq 3 ] || fail "netem: more than the qdisc lines changed: $(cat "$E2E_TMP/d")"
  na tc qdisc show dev eth0 | grep -E >/dev/null '^qdisc netem 1: root .*delay 100ms +10ms' ||
    fail "tc does not show netem: $(na tc qdisc show dev eth0)"
  ask A repair
  expect_equal "$E2E_TMP/A0" "$NSA" "A after removing netem"
  ok "netem with a tbf child: inject, tc agrees, repair exact"
else
  HAVE_NETEM=0
  say "note: this kernel has no netem qdisc (CONFIG_NET_SCH_NETEM): netem cases not run"
fi

# ---- route delete (a pod's default route) ----
default_line=$(grep '^route table main default ' "$E2E_TMP/B0")
ask B route-del default
expect_diff "$E2E_TMP/B0" "$NSB" "- $default_line" "B's default route deleted"
[ -z "$(nb ip route show default)" ] || fail "ip route still shows B's default route"
ask B repair
expect_equal "$E2E_TMP/B0" "$NSB" "B after repairing its default route"
ask A route-del 100 10.250.8.0/24
expect_diff "$E2E_TMP/A0" "$NSA" "- $(grep '^route table 100 10.250.8.0/24 ' "$E2E_TMP/A0")" \
  "A's route in table 100 deleted"
ask A repair
expect_equal "$E2E_TMP/A0" "$NSA" "A after repairing its table-100 route"
ask A route-add 10.250.7.0/24 via 10.250.0.2 dev eth0 metric 7
expect_diff "$E2E_TMP/A0" "$NSA" \
  "+ route table main 10.250.7.0/24 type unicast proto static scope global metric 7 nexthop via 10.250.0.2 dev eth0" \
  "a route added in A"
na ip route show 10.250.7.0/24 | grep >/dev/null '^10.250.7.0/24 via 10.250.0.2 dev eth0 proto static metric 7' ||
  fail "ip route does not show the added route: $(na ip route show 10.250.7.0/24)"
ask A repair
expect_equal "$E2E_TMP/A0" "$NSA" "A after removing the added route"
ok "route delete (main and table 100) and add: inject, ip agrees, repair exact"

# ---- neighbour replace / delete ----
perm_line=$(grep '^neigh eth0 10.250.0.9 ' "$E2E_TMP/A0")
ask A neigh eth0 10.250.0.9 02:00:00:00:00:66
expect_diff "$E2E_TMP/A0" "$NSA" "$(changed_line "$E2E_TMP/A0" '^neigh eth0 10.250.0.9 ' 's/lladdr 02:00:00:00:00:09/lladdr 02:00:00:00:00:66/')" \
  "A's permanent neighbour poisoned"
na ip neigh show 10.250.0.9 dev eth0 | grep >/dev/null 'lladdr 02:00:00:00:00:66 PERMANENT' ||
  fail "ip neigh does not show the poisoned entry"
ask A repair
expect_equal "$E2E_TMP/A0" "$NSA" "A after repairing the poisoned neighbour"
ask A neigh eth0 10.250.0.2 02:00:00:00:00:77
expect_diff "$E2E_TMP/A0" "$NSA" \
  "+ neigh eth0 10.250.0.2 lladdr 02:00:00:00:00:77 state permanent flags none" \
  "A's neighbour 10.250.0.2 poisoned (none before)"
ask A repair
expect_equal "$E2E_TMP/A0" "$NSA" "A after removing the poisoned neighbour"
ask A neigh-del eth0 10.250.0.9
expect_diff "$E2E_TMP/A0" "$NSA" "- $perm_line" "A's permanent neighbour deleted"
ask A repair
expect_equal "$E2E_TMP/A0" "$NSA" "A after restoring the deleted neighbour"
# Over a dynamic entry (stale: it stays so while unused): repair puts it back
# stale with its lladdr; compared on the whole capture, dynamic entries too.
na ip neigh replace 10.250.0.5 lladdr 02:00:00:00:00:05 dev eth0 nud stale
"$TOOL" capture "$NSA" >"$E2E_TMP/A2"
grep -q '^neigh eth0 10.250.0.5 lladdr 02:00:00:00:00:05 state stale ' "$E2E_TMP/A2" ||
  fail "the stale neighbour is not in the capture"
ask A neigh eth0 10.250.0.5 02:00:00:00:00:55
full_same_as() { "$TOOL" capture "$NSA" | cmp -s - "$1"; }
if full_same_as "$E2E_TMP/A2"; then fail "poisoning the stale neighbour changed nothing"; fi
ask A repair
wait_for "$SETTLE" "A's stale neighbour back" full_same_as "$E2E_TMP/A2" || {
  "$TOOL" capture "$NSA" >"$E2E_TMP/now"
  "$TOOL" diff "$E2E_TMP/A2" "$E2E_TMP/now" >&2 || true
  fail "the stale neighbour did not come back as it was"
}
na ip neigh del 10.250.0.5 dev eth0
expect_equal "$E2E_TMP/A0" "$NSA" "A after removing the stale neighbour"
ok "neighbour replace (over a permanent entry, a stale one and none) and delete: inject, ip agrees, repair exact"

# ---- address add (duplicate-ip) and delete ----
ask B addr-add eth0 10.250.0.1/24
capture "$NSB" >"$E2E_TMP/B1"
"$TOOL" diff "$E2E_TMP/B0" "$E2E_TMP/B1" >"$E2E_TMP/d" || true
grep -qE '^\+ addr eth0 10.250.0.1/24 scope global label eth0 flags secondary,permanent$' "$E2E_TMP/d" ||
  fail "addr add: $(cat "$E2E_TMP/d")"
grep -qE '^\+ route table local 10.250.0.1/32 type local ' "$E2E_TMP/d" ||
  fail "addr add: no local route: $(cat "$E2E_TMP/d")"
[ "$(grep -c '^-' "$E2E_TMP/d")" -eq 0 ] || fail "addr add removed something: $(cat "$E2E_TMP/d")"
nb ip -4 addr show dev eth0 | grep >/dev/null 'inet 10.250.0.1/24' || fail "ip addr does not show it"
ask B repair
expect_equal "$E2E_TMP/B0" "$NSB" "B after removing the duplicate address"
ask A addr-del eth0 10.250.0.1/24
capture "$NSA" >"$E2E_TMP/A1"
"$TOOL" diff "$E2E_TMP/A0" "$E2E_TMP/A1" >"$E2E_TMP/d" || true
for want in '^- addr eth0 10.250.0.1/24 ' '^- route table main 10.250.0.0/24 ' \
  '^- route table main 10.250.9.0/24 .*via 10.250.0.2'; do
  grep -qE -- "$want" "$E2E_TMP/d" || fail "addr del: no line matching $want: $(cat "$E2E_TMP/d")"
done
ask A repair
expect_equal "$E2E_TMP/A0" "$NSA" "A after restoring its address (and the routes through it)"
ok "address add (secondary) and delete (routes through it reconciled): inject, ip agrees, repair exact"

# ---- repairs by hand, with the real tools ----
ask A mtu eth0 1300
na ip link set eth0 mtu 1500
ask A forget
expect_equal "$E2E_TMP/A0" "$NSA" "A after 'ip link set eth0 mtu 1500'"
ask A txcsum eth0 off
na ethtool -K eth0 tx on >/dev/null
ask A forget
expect_equal "$E2E_TMP/A0" "$NSA" "A after 'ethtool -K eth0 tx on'"
ask A netem eth0 rate=8000000
na tc qdisc del dev eth0 root
ask A forget
expect_equal "$E2E_TMP/A0" "$NSA" "A after 'tc qdisc del dev eth0 root' (tbf)"
if ((HAVE_NETEM)); then
  ask A netem eth0 delay=100000 rate=1000000
  na tc qdisc del dev eth0 root
  ask A forget
  expect_equal "$E2E_TMP/A0" "$NSA" "A after 'tc qdisc del dev eth0 root' (netem)"
fi
ask B route-del default
nb ip route add default via 10.250.0.1
ask B forget
expect_equal "$E2E_TMP/B0" "$NSB" "B after 'ip route add default via 10.250.0.1'"
ask A neigh eth0 10.250.0.9 02:00:00:00:00:66
na ip neigh replace 10.250.0.9 lladdr 02:00:00:00:00:09 dev eth0 nud permanent
ask A forget
expect_equal "$E2E_TMP/A0" "$NSA" "A after 'ip neigh replace ... nud permanent'"
ask B addr-add eth0 10.250.0.1/24
nb ip addr del 10.250.0.1/24 dev eth0
ask B forget
expect_equal "$E2E_TMP/B0" "$NSB" "B after 'ip addr del 10.250.0.1/24 dev eth0'"
# A link set down loses its routes and permanent neighbours: `ip link set up`
# alone is not the whole repair, and the capture says so.
ask A down eth0
na ip link set eth0 up
ask A forget
link_up() { capture "$NSA" | grep >/dev/null '^link eth0 .* state up '; }
wait_for "$SETTLE" "A's eth0 to be up again" link_up ||
  fail "A's eth0 does not come up: $("$TOOL" capture "$NSA" 2>&1 | grep -E 'eth0 |rror')"
wait_for "$SETTLE" "B's eth0 to be up again" same_as "$E2E_TMP/B0" "$NSB" || fail "B does not recover"
if same_as "$E2E_TMP/A0" "$NSA"; then
  fail "A equals its first capture after 'ip link set up' alone: the flushed routes went unseen"
fi
na ip route add 10.250.9.0/24 via 10.250.0.2
na ip route add 10.250.8.0/24 dev eth0 table 100 metric 5
na ip neigh replace 10.250.0.9 lladdr 02:00:00:00:00:09 dev eth0 nud permanent
expect_equal "$E2E_TMP/A0" "$NSA" "A after 'ip link set eth0 up' and re-adding its routes and neighbour"
expect_equal "$E2E_TMP/B0" "$NSB" "B after A's eth0 came back by hand"
ok "repairs by hand (ip link mtu, ethtool -K, tc qdisc del, ip route add, ip neigh replace, ip addr del, ip link up + route + neigh) give the first capture"

# ---- refusals: a root qdisc that is not the default is left alone ----
na tc qdisc add dev pod4 root handle 5: tbf rate 1mbit burst 1600 limit 3000
echo "netem pod4 rate=1000" >&3
reply=
while IFS= read -r -t 30 line <&4; do
  [ "$line" = . ] && break
  reply+=$line
done
[[ $reply == *"not the default"* ]] || fail "netem over a non-default root qdisc: $reply"
na tc qdisc del dev pod4 root
expect_equal "$E2E_TMP/A0" "$NSA" "A after the refused netem"
ok "netem over a non-default root qdisc refused, nothing changed"

# ---- the time of one capture of the node-like namespace ----
say "$("$TOOL" bench "$NSA" 20) [$(wc -l <"$E2E_TMP/A0") lines with permanent neighbours only]"

say "$PASSED groups of checks passed"
