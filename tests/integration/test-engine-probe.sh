#!/usr/bin/env bash
# nodelab-probe (engine/) across a veth between two network namespaces of the
# test's own, each held by a process: servers (TCP, HTTP, UDP) in B, every
# probe run from A through --netns-pid.  Addresses live in 10.250.0.0/24
# inside those namespaces only; the host's namespace gains nothing (the
# snapshot before and after says so) and no probe leaves them.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

PROBE=$NODELAB_BUILD_DIR/engine/nodelab-probe
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=$(command -v python3)
HOLDERS=()
SERVER=

# shellcheck disable=SC2119 # e2e_init takes lab names; this test starts no lab
e2e_init
for tool in nsenter unshare ss tc "$PYTHON"; do
  command -v "$tool" >/dev/null || { say "$tool is missing"; exit 1; }
done
[ -x "$PROBE" ] || { say "no helper at $PROBE"; exit 1; }

probe_cleanup() {
  local rc=$? p
  set +e
  for p in $SERVER "${HOLDERS[@]}"; do
    kill -KILL "$p" 2>/dev/null && wait "$p" 2>/dev/null
  done
  (exit "$rc")
  e2e_cleanup
}
trap probe_cleanup EXIT

snapshot "$E2E_TMP/before"

in_own_netns() { [ "$(readlink "/proc/$1/ns/net")" != "$(readlink /proc/self/ns/net)" ]; }

# Two namespaces, each held by a process of ours.
unshare --net sleep infinity &
A=$!
HOLDERS+=("$A")
unshare --net sleep infinity &
B=$!
HOLDERS+=("$B")
wait_for 5 "holder A in its own namespace" in_own_netns "$A" || fail "no namespace A"
wait_for 5 "holder B in its own namespace" in_own_netns "$B" || fail "no namespace B"
in_a() { nsenter -t "$A" -n "$@"; }
in_b() { nsenter -t "$B" -n "$@"; }

in_a ip link add pa0 type veth peer name pb0 netns "$B"
in_a ip addr add 10.250.0.1/24 dev pa0
in_b ip addr add 10.250.0.2/24 dev pb0
for ns in in_a in_b; do $ns ip link set lo up; done
in_a ip link set pa0 up
in_b ip link set pb0 up

# The servers, in B: HTTP on 8080 (a directory with index.html), a TCP
# service on 7000 that answers "PONG:" and what it read, then closes; a UDP
# echo on 7001 ("echo:" and the datagram) and a UDP port 7002 that never answers.
mkdir "$E2E_TMP/www"
echo "hello from B" >"$E2E_TMP/www/index.html"
cat >"$E2E_TMP/servers.py" <<'EOF'
import functools, http.server, socket, socketserver, sys, threading

class Pong(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.sendall(b"PONG:" + self.request.recv(1024))

class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

def udp(port, answer):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("10.250.0.2", port))
    while True:
        data, peer = s.recvfrom(2048)
        if answer:
            s.sendto(b"echo:" + data, peer)

socketserver.ThreadingTCPServer.allow_reuse_address = True
tcp = socketserver.ThreadingTCPServer(("10.250.0.2", 7000), Pong)
web = http.server.ThreadingHTTPServer(
    ("10.250.0.2", 8080), functools.partial(Quiet, directory=sys.argv[1]))
for target in (tcp.serve_forever, web.serve_forever, lambda: udp(7001, True), lambda: udp(7002, False)):
    threading.Thread(target=target, daemon=True).start()
threading.Event().wait()
EOF
nsenter -t "$B" -n "$PYTHON" "$E2E_TMP/servers.py" "$E2E_TMP/www" &
SERVER=$!
listening() { in_b ss -Htlnu "sport = :$1" | grep -q .; }
for port in 8080 7000 7001 7002; do
  wait_for 10 "a server on port $port in B" listening "$port" || fail "no server on $port"
done

# probe SPEC: runs the helper from namespace A; its one JSON line on stdout.
probe() { timeout 10 "$PROBE" --netns-pid "$A" "$1"; }

# expect_probe true|false WORDS SPEC: the verdict, and WORDS in its reason.
LAST=
expect_probe() {
  local want=$1 words=$2 spec=$3 out ok
  out=$(probe "$spec") || fail "nodelab-probe failed on $spec"
  [ "$(wc -l <<<"$out")" -eq 1 ] || fail "$spec: more than one line: $out"
  ok=$(jq -r .ok <<<"$out")
  [ "$ok" = "$want" ] || fail "$spec: ok=$ok, want $want: $out"
  jq -r .reason <<<"$out" | grep -qF -- "$words" || fail "$spec: reason lacks '$words': $out"
  say "$spec -> $(jq -r .reason <<<"$out")"
  LAST=$out
}

B_IP=10.250.0.2
# In A's subnet and nobody's: ARP never resolves, packets go nowhere.  One
# address per probe: once ARP has given up on one (3 s), the kernel answers
# "no route to host" at once for it.
UNUSED=10.250.0.99
UNUSED_TCP=10.250.0.98

# ping
expect_probe true "3 of 3 ICMP echoes answered, RTT " "{\"kind\":\"ping\",\"target\":\"$B_IP\"}"
jq -e '.latencyMs > 0 and .sent == 3 and .received == 3' <<<"$LAST" >/dev/null ||
  fail "ping: no latency or counts: $LAST"
expect_probe false "no ICMP reply in 1 s" \
  "{\"kind\":\"ping\",\"target\":\"$UNUSED\",\"timeoutMs\":1000,\"count\":2}"
jq -e '.sent == 2 and .received == 0 and (has("latencyMs") | not)' <<<"$LAST" >/dev/null ||
  fail "ping to nobody: counts: $LAST"
expect_probe false "network unreachable" "{\"kind\":\"ping\",\"target\":\"192.0.2.1\"}"
expect_probe true "1 of 1 ICMP echoes answered" \
  "{\"kind\":\"ping\",\"target\":\"$B_IP\",\"count\":1,\"size\":1400,\"maxLoss\":0}"

# Without root: the unprivileged ICMP datagram socket, which A's own
# net.ipv4.ping_group_range (default "1 0": nobody) must allow.
as_nobody() { in_a setpriv --reuid=nobody --regid=nogroup --clear-groups "$PROBE" "$@"; }
rc=0
as_nobody "{\"kind\":\"ping\",\"target\":\"$B_IP\"}" >/dev/null 2>"$E2E_TMP/err" || rc=$?
{ [ "$rc" -eq 2 ] && grep -qF "ICMP socket" "$E2E_TMP/err"; } ||
  fail "ping as nobody, ping_group_range closed: exit $rc, $(cat "$E2E_TMP/err")"
in_a sysctl -qw net.ipv4.ping_group_range="65534 65534"
out=$(as_nobody "{\"kind\":\"ping\",\"target\":\"$B_IP\"}")
jq -e '.ok and .received == 3' <<<"$out" >/dev/null || fail "ping as nobody: $out"
say "ping as nobody (ICMP datagram socket) -> $(jq -r .reason <<<"$out")"

# maxRtt: over a bound no veth meets; with netem's 50 ms where the kernel has it.
expect_probe false "over maxRtt 0.001 ms" \
  "{\"kind\":\"ping\",\"target\":\"$B_IP\",\"maxRttMs\":0.001}"
if in_b tc qdisc add dev pb0 root netem delay 50ms 2>/dev/null; then
  expect_probe false "over maxRtt 5 ms" "{\"kind\":\"ping\",\"target\":\"$B_IP\",\"maxRttMs\":5}"
  jq -e '.latencyMs >= 50' <<<"$LAST" >/dev/null || fail "netem 50 ms, RTT below: $LAST"
  expect_probe true "3 of 3" "{\"kind\":\"ping\",\"target\":\"$B_IP\",\"maxRttMs\":200}"
  in_b tc qdisc del dev pb0 root
else
  say "note: no netem in this kernel (CONFIG_NET_SCH_NETEM): maxRtt checked against 0.001 ms only"
fi

# tcp
expect_probe true "TCP connected in " "{\"kind\":\"tcp\",\"target\":\"$B_IP\",\"port\":7000}"
expect_probe false "TCP connect refused" "{\"kind\":\"tcp\",\"target\":\"$B_IP\",\"port\":7999}"
expect_probe false "TCP connect timed out after 1 s" \
  "{\"kind\":\"tcp\",\"target\":\"$UNUSED_TCP\",\"port\":80,\"timeoutMs\":1000}"
# Given longer than ARP's 3 s, the connect fails by itself: EHOSTUNREACH.
expect_probe false "no route to host" \
  "{\"kind\":\"tcp\",\"target\":\"$UNUSED\",\"port\":80,\"timeoutMs\":8000}"
expect_probe true 'answer has "PONG:hello"' \
  "{\"kind\":\"tcp\",\"target\":\"$B_IP\",\"port\":7000,\"send\":\"hello\\n\",\"expect\":\"PONG:hello\"}"
expect_probe false 'TCP answer lacks "PANG"' \
  "{\"kind\":\"tcp\",\"target\":\"$B_IP\",\"port\":7000,\"send\":\"hello\\n\",\"expect\":\"PANG\"}"

# http
expect_probe true "HTTP 200 in " "{\"kind\":\"http\",\"target\":\"$B_IP\",\"port\":8080}"
jq -e '.httpStatus == 200 and .latencyMs > 0' <<<"$LAST" >/dev/null || fail "http: $LAST"
expect_probe false "HTTP 404" \
  "{\"kind\":\"http\",\"target\":\"$B_IP\",\"port\":8080,\"path\":\"/missing\"}"
jq -e '.httpStatus == 404' <<<"$LAST" >/dev/null || fail "http 404: $LAST"
expect_probe true "HTTP 200" \
  "{\"kind\":\"http\",\"target\":\"$B_IP\",\"port\":8080,\"body\":\"hello from B\",\"host\":\"web\"}"
expect_probe false 'HTTP body lacks "goodbye"' \
  "{\"kind\":\"http\",\"target\":\"$B_IP\",\"port\":8080,\"body\":\"goodbye\"}"
expect_probe true "HTTP 404" \
  "{\"kind\":\"http\",\"target\":\"$B_IP\",\"port\":8080,\"path\":\"/missing\",\"status\":404}"
expect_probe false "HTTP 200, expected 204" \
  "{\"kind\":\"http\",\"target\":\"$B_IP\",\"port\":8080,\"status\":204}"
expect_probe false "malformed HTTP response" \
  "{\"kind\":\"http\",\"target\":\"$B_IP\",\"port\":7000}"
expect_probe false "TCP connect refused" "{\"kind\":\"http\",\"target\":\"$B_IP\",\"port\":7999}"

# udp
expect_probe true "UDP answer in " \
  "{\"kind\":\"udp\",\"target\":\"$B_IP\",\"port\":7001,\"expect\":\"echo:nodelab-probe\"}"
expect_probe false 'UDP answer lacks "nope"' \
  "{\"kind\":\"udp\",\"target\":\"$B_IP\",\"port\":7001,\"expect\":\"nope\",\"timeoutMs\":500}"
expect_probe false "no UDP answer in 1 s" \
  "{\"kind\":\"udp\",\"target\":\"$B_IP\",\"port\":7002,\"timeoutMs\":1000}"
expect_probe false "ICMP port unreachable" "{\"kind\":\"udp\",\"target\":\"$B_IP\",\"port\":7999}"

# --netns PATH works as --netns-pid does.
out=$(timeout 10 "$PROBE" --netns "/proc/$A/ns/net" "{\"kind\":\"ping\",\"target\":\"$B_IP\"}")
jq -e .ok <<<"$out" >/dev/null || fail "--netns: $out"

# Usage and setup errors: exit 2, a message on stderr, nothing on stdout.
expect_error() {
  local words=$1 rc=0
  shift
  timeout 10 "$PROBE" "$@" >"$E2E_TMP/out" 2>"$E2E_TMP/err" || rc=$?
  [ "$rc" -eq 2 ] || fail "nodelab-probe $*: exit $rc, want 2"
  [ ! -s "$E2E_TMP/out" ] || fail "nodelab-probe $*: wrote on stdout: $(cat "$E2E_TMP/out")"
  grep -qF -- "$words" "$E2E_TMP/err" || fail "nodelab-probe $*: stderr lacks '$words': $(cat "$E2E_TMP/err")"
  say "nodelab-probe $* -> exit 2: $(cat "$E2E_TMP/err")"
}
PING="{\"kind\":\"ping\",\"target\":\"$B_IP\"}"
expect_error "nodelab-probe: setns /proc/999999999/ns/net: No such process" --netns-pid 999999999 "$PING"
expect_error "nodelab-probe: --netns-pid abc: not a process id" --netns-pid abc "$PING"
expect_error "nodelab-probe: setns /nonexistent: No such file or directory" --netns /nonexistent "$PING"
expect_error "not an IPv4 address" --netns-pid "$A" '{"kind":"ping","target":"web"}'
expect_error "usage: nodelab-probe" --netns-pid "$A"

# Everything goes with its holders: no process is left in either namespace.
NS_A=$(readlink "/proc/$A/ns/net")
NS_B=$(readlink "/proc/$B/ns/net")
kill -KILL "$SERVER" "${HOLDERS[@]}"
wait "$SERVER" "${HOLDERS[@]}" 2>/dev/null || true
SERVER=
HOLDERS=()
in_test_netns() {
  local f ns
  for f in /proc/[0-9]*/ns/net; do
    ns=$(readlink "$f" 2>/dev/null) || continue
    if [ "$ns" = "$NS_A" ] || [ "$ns" = "$NS_B" ]; then return 0; fi
  done
  return 1
}
if in_test_netns; then fail "processes remain in the test's namespaces"; fi
snapshot "$E2E_TMP/after"
assert_same_snapshot "$E2E_TMP/before" "$E2E_TMP/after" "after the probes"
