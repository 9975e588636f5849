#!/usr/bin/env bash
# `nodelab test` end to end.
#  1. Any valid scenario passes, not only the repository's: scenarios
#     generated here — two nodes from {count, prefix} on a non-default
#     underlay (172.30.5.0/24) with OpenShift's own cluster network
#     (10.128.0.0/14, hostSubnetLength 9) and MTU 1400; a single node with a
#     pod of three containers; three nodes with jumbo pods (MTU 8950) — each
#     run with the default plan (every check
#     green, then each fault: inject, a check fails, repair, green, the lab's
#     state equal to before).
#  2. A scenario whose step fails: exit status 1, a `not ok` line with the
#     failing check's reason, and the lab brought down all the same.
#  3. Every scenario of scenarios/ with --junit: exit 0, the JUnit parses
#     (xmllint), and the TAP is sane (the plan counts the lines, numbered in
#     order).
#  4. The default lab without its steps: the default plan over every fault of
#     the catalogue's default lab, the state compared after each repair.
# `nodelab test` itself checks that nothing is left after each scenario; the
# test checks the host again at its end.
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"

SCENARIOS=$NODELAB_SOURCE_DIR/scenarios
REPO_LABS=()
for f in "$SCENARIOS"/*.yaml; do
  REPO_LABS+=("$(sed -n 's/^name: *\([a-z0-9-]*\).*/\1/p' "$f" | head -1)")
done
e2e_init nt-two nt-solo nt-jumbo nt-failing nt-default-plan "${REPO_LABS[@]}"
command -v xmllint >/dev/null || fail "xmllint is missing (tools/setup-deps.sh: libxml2-utils)"

wait_for 20 "a previous nodelabd to exit" no_run_dir || say "note: $NODELAB_RUN stays"
snapshot "$E2E_TMP/before"

# tap_sane FILE: a TAP version 13 header, "1..N" last, N result lines numbered 1..N.
tap_sane() {
  local file=$1 n
  head -1 "$file" | grep -qx 'TAP version 13' || fail "$file: no TAP version 13 header"
  n=$(tail -1 "$file" | sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p')
  [ -n "$n" ] || fail "$file: the last line is not the plan: $(tail -1 "$file")"
  [ "$(grep -cE '^(not )?ok [0-9]+ - ' "$file")" -eq "$n" ] ||
    fail "$file: the plan says $n but $(grep -cE '^(not )?ok ' "$file") result lines"
  grep -E '^(not )?ok [0-9]+ ' "$file" | sed -E 's/^(not )?ok ([0-9]+) .*/\2/' |
    awk '$1 != NR { exit 1 }' || fail "$file: result lines are not numbered 1..$n in order"
}

run_test() { # OUT ARGS...: nodelab test ARGS, its TAP in OUT; returns its status
  local out=$1
  shift
  local rc=0
  E2E_TIMEOUT=900 nodelab test "$@" >"$out" 2>"$out.err" || rc=$?
  return "$rc"
}

# ---- 1. generated scenarios ----
cat >"$E2E_TMP/two.yaml" <<'EOF'
name: nt-two
cluster:
  nodes: {count: 2, prefix: n}
  underlay: 172.30.5.0/24
  clusterNetwork: 10.128.0.0/14
  hostSubnetLength: 9
  mtu: 1400
pods:
  - name: web
    node: n1
    containers:
      - {name: httpd, image: ubi, command: [httpd, -f, -p, "8080", -h, /etc]}
  - name: client
    node: n2
    containers:
      - {name: shell, image: ubi, command: [sleep, infinity]}
      - {name: helper, image: ubi, command: [sleep, infinity]}
checks:
  - {name: client-web-http, from: n2/client, http: "web:8080", path: /os-release, body: nodelab}
  - {name: client-web-ping, from: n2/client, ping: web}
  - {name: web-client-ping, from: n1/web, ping: client}
  # 1300 bytes of ICMP payload fit the pods' 1400.
  - {name: large-client-web, from: n2/client, ping: web, size: 1300}
  - {name: n1-to-n2, from: n1, ping: n2}
  - {name: n2-to-web, from: n2, tcp: "web:8080"}
  # Each pod's subnet is a /23 (hostSubnetLength 9): n1 10.128.0.0/23, n2 10.128.2.0/23.
  - name: subnet-is-23
    from: n2/client/helper
    exec: [sh, -c, "ip -4 addr show eth0 | grep -q 'inet 10.128.2.2/23'"]
  - {name: mtu-1400, from: n1/web, exec: [sh, -c, "ip link show eth0 | grep -q 'mtu 1400'"]}
faults:
  - {name: lose-flow, kind: flow-delete, node: n2, remote: n1}
  - {name: bad-tunnel, kind: tunnel-dst, node: n1, remote: n2, ip: 172.30.5.250}
  - {name: split, kind: partition, node: n1, remote: n2}
  - {name: no-vxlan, kind: tunnel-port-delete, node: n2}
  - {name: link-squeeze, kind: link-mtu, node: n1, link: eth0, mtu: 1200}
EOF
cat >"$E2E_TMP/solo.yaml" <<'EOF'
name: nt-solo
cluster:
  nodes: [lonely]
pods:
  - name: trio
    node: lonely
    containers:
      - {name: a, image: ubi, command: [httpd, -f, -p, "8080", -h, /etc]}
      - {name: b, image: ubi, command: [sleep, infinity]}
      - {name: c, image: ubi, command: [top, -b, -d, "5"]}
  - name: other
    node: lonely
    containers:
      - {name: shell, image: ubi, command: [sleep, infinity]}
checks:
  - {name: other-to-trio, from: lonely/other, http: "trio:8080", path: /os-release, body: nodelab}
  - {name: trio-to-other, from: lonely/trio, ping: other}
  - {name: trio-to-node, from: lonely/trio, ping: lonely}
  - {name: b-sees-a, from: lonely/trio/b, exec: [sh, -c, "printf 'GET / HTTP/1.0\r\n\r\n' | nc 127.0.0.1 8080 | grep -q HTTP"]}
  - {name: c-is-top, from: lonely/trio/c, exec: [sh, -c, "test \"$(cat /proc/1/comm)\" = top"]}
faults:
  - {name: routeless, kind: pod-route-delete, pod: trio}
  - {name: offload, kind: tx-checksum-on, node: lonely, pod: other}
EOF
# Jumbo pods: the underlay must carry 8950 + VXLAN's 50 bytes (nodelabd sizes it).
cat >"$E2E_TMP/jumbo.yaml" <<'EOF'
name: nt-jumbo
cluster:
  nodes: [edge-a, edge-b, core-1]
  underlay: 10.77.0.0/16
  clusterNetwork: 172.20.0.0/14
  hostSubnetLength: 10
  mtu: 8950
pods:
  - name: pod-with-15chr
    node: core-1
    containers:
      - {name: httpd, image: ubi, command: [httpd, -f, -p, "80", -h, /etc]}
      - {name: side, image: ubi, command: [sleep, infinity], resources: {memory: 16Mi, pids: 8, cpu: 100m}}
  - name: b
    node: edge-b
    containers:
      - {name: c, image: ubi, command: [sleep, infinity]}
checks:
  - {name: b-http, from: edge-b/b, http: "pod-with-15chr:80", path: /os-release, body: nodelab}
  - {name: b-ping-big, from: edge-b/b, ping: pod-with-15chr, size: 8800}
  - {name: a-to-core, from: edge-a, ping: core-1}
  - {name: a-to-pod, from: edge-a, tcp: "pod-with-15chr:80"}
  - {name: side-mtu, from: core-1/pod-with-15chr/side, exec: [sh, -c, "ip link show eth0 | grep -q 'mtu 8950'"]}
faults:
  - {name: f1, kind: flow-delete, node: edge-b, remote: core-1}
  - {name: f2, kind: link-down, node: edge-a, link: eth0}
EOF
for s in two solo jumbo; do
  run_test "$E2E_TMP/$s.tap" "$E2E_TMP/$s.yaml" || {
    cat "$E2E_TMP/$s.tap" >&2
    fail "nodelab test $s.yaml failed (TAP above)"
  }
  tap_sane "$E2E_TMP/$s.tap"
  grep -q '^ok [0-9]* - nt-[a-z]*: nothing left$' "$E2E_TMP/$s.tap" || fail "$s: no 'nothing left' line"
  say "$s.yaml: $(grep -c '^ok' "$E2E_TMP/$s.tap") steps ok ($(grep -c '# SKIP' "$E2E_TMP/$s.tap") skipped)"
done
grep -q 'lose-flow breaks a check: ' "$E2E_TMP/two.tap" || fail "two: the default plan did not say which check broke"
grep -q 'the state after repairing split equals the state before' "$E2E_TMP/two.tap" ||
  fail "two: no state comparison after the partition's repair"

# ---- 2. a failing step ----
cat >"$E2E_TMP/failing.yaml" <<'EOF'
name: nt-failing
cluster:
  nodes: [n1]
pods:
  - name: p
    node: n1
    containers:
      - {name: c, image: ubi, command: [sleep, infinity]}
checks:
  - {name: there, from: n1/p, exec: [ls, /bin/busybox]}
  - {name: not-there, from: n1/p, exec: [ls, /no/such/file]}
steps:
  - check: there
  - check: not-there
  - expect-fail: there
EOF
rc=0
run_test "$E2E_TMP/failing.tap" "$E2E_TMP/failing.yaml" --junit "$E2E_TMP/failing.xml" || rc=$?
[ "$rc" -eq 1 ] || { cat "$E2E_TMP/failing.tap" >&2; fail "a failing step exited $rc, not 1"; }
tap_sane "$E2E_TMP/failing.tap"
grep -q '^not ok [0-9]* - nt-failing: check not-there$' "$E2E_TMP/failing.tap" ||
  fail "no 'not ok' line for check not-there"
grep -A2 '^not ok [0-9]* - nt-failing: check not-there$' "$E2E_TMP/failing.tap" |
  grep -q '^#   not-there failed: exit status 1' || fail "the not ok line does not give the check's reason"
grep -q '^not ok [0-9]* - nt-failing: expect-fail there$' "$E2E_TMP/failing.tap" ||
  fail "no 'not ok' line for expect-fail there"
grep -q '^ok [0-9]* - nt-failing: down$' "$E2E_TMP/failing.tap" || fail "the failing lab was not brought down"
grep -q '^ok [0-9]* - nt-failing: nothing left$' "$E2E_TMP/failing.tap" || fail "the failing lab left something"
[ ! -e "$NODELAB_RUN/nt-failing" ] || fail "$NODELAB_RUN/nt-failing remains"
xmllint --noout "$E2E_TMP/failing.xml" || fail "the failing run's JUnit does not parse"
[ "$(xmllint --xpath 'string(/testsuites/@failures)' "$E2E_TMP/failing.xml")" = 2 ] ||
  fail "the JUnit does not count 2 failures"
xmllint --xpath '//testcase[@name="check not-there"]/failure/@message' "$E2E_TMP/failing.xml" |
  grep -q 'not-there failed: exit status 1' || fail "the JUnit failure lacks the reason"
say "a failing step: exit 1, not ok with the reason, brought down"

# ---- 3. every scenario of the repository ----
start=$SECONDS
rc=0
run_test "$E2E_TMP/all.tap" "$SCENARIOS"/*.yaml --junit "$E2E_TMP/all.xml" || rc=$?
tap_sane "$E2E_TMP/all.tap"
xmllint --noout "$E2E_TMP/all.xml" || fail "the JUnit of scenarios/*.yaml does not parse"
suites=$(xmllint --xpath 'count(/testsuites/testsuite)' "$E2E_TMP/all.xml")
[ "$suites" -eq "${#REPO_LABS[@]}" ] || fail "the JUnit has $suites testsuites for ${#REPO_LABS[@]} scenarios"
if [ "$rc" -ne 0 ]; then
  grep -A3 '^not ok' "$E2E_TMP/all.tap" >&2
  fail "nodelab test scenarios/*.yaml exited $rc (failed steps above)"
fi
say "scenarios/*.yaml: ${#REPO_LABS[@]} scenarios, $(grep -c '^ok' "$E2E_TMP/all.tap") steps ok" \
  "($(grep -c '# SKIP' "$E2E_TMP/all.tap") skipped) in $((SECONDS - start)) s"

# ---- 4. the default lab's every fault, by the default plan ----
# Its steps taken out: each fault injected, a check broken, repaired, every
# check green and the whole state (links, flows, daemons, cgroup limits,
# seccomp...) equal to before.
sed -e '/^steps:/,$d' -e 's/^name: default$/name: nt-default-plan/' "$SCENARIOS/default.yaml" \
  >"$E2E_TMP/default-plan.yaml"
start=$SECONDS
run_test "$E2E_TMP/default-plan.tap" "$E2E_TMP/default-plan.yaml" || {
  grep -A6 '^not ok' "$E2E_TMP/default-plan.tap" >&2
  fail "the default plan of the default lab failed (steps above)"
}
tap_sane "$E2E_TMP/default-plan.tap"
say "the default lab's default plan: $(grep -c 'breaks a check' "$E2E_TMP/default-plan.tap") faults" \
  "each broke a check and was repaired to the same state ($(grep -c '# SKIP' "$E2E_TMP/default-plan.tap") skipped) in $((SECONDS - start)) s"

assert_clean "$E2E_TMP/before" "after nodelab test"
