#!/usr/bin/env bash
# Malformed scenarios given to `nodelab up FILE`: each exits non-zero with its
# exact `file:line:column: field: problem` line on stderr, and nothing is
# created: no daemon starts, no lab directory, cgroup, process, link or mount.
# `nodelab validate FILE` reports the same line.
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"

# Every case's scenario name, so that the cleanup would remove any lab made by mistake.
LABS=(bad-unknown bad-dup bad-pod bad-overlap bad-mem bad-cpu bad-long bad-check bad-fault
  bad-type bad-syntax bad-many e2e-invalid)
e2e_init "${LABS[@]}"
snapshot "$E2E_TMP/before"
# No case may start a daemon: nodelabd is a stub that records being started.
printf '#!/bin/sh\necho "started: $*" >>"%s"\nexit 1\n' "$E2E_TMP/daemon-started" >"$E2E_TMP/nodelabd-stub"
chmod +x "$E2E_TMP/nodelabd-stub"
export NODELAB_DAEMON=$E2E_TMP/nodelabd-stub
cd "$E2E_TMP" # relative file names: the message names the file as it was given

# expect FILE MESSAGE: writes FILE from stdin, then checks up and validate.
n_cases=0
expect() {
  local file=$1 message=$2 rc
  cat >"$file"
  n_cases=$((n_cases + 1))
  rc=0
  nodelab up "$file" >"$E2E_TMP/out" 2>"$E2E_TMP/err" || rc=$?
  ((rc != 0)) || fail "$file: nodelab up exited 0 for an invalid scenario"
  ((rc != 124 && rc != 137)) || fail "$file: nodelab up hung"
  if ! grep -Fxq -- "$message" "$E2E_TMP/err"; then
    say "$file: expected on stderr: $message"
    say "$file: got: $(cat "$E2E_TMP/err")"
    fail "$file: not the expected message"
  fi
  [ ! -s "$E2E_TMP/out" ] || fail "$file: up printed on stdout: $(cat "$E2E_TMP/out")"
  # Nothing created, not even for a moment: up validates before it starts a daemon.
  [ ! -e "$NODELAB_RUN" ] || { find "$NODELAB_RUN" >&2; fail "$file: up created $NODELAB_RUN"; }
  [ -z "$(nodelab_processes)" ] || { nodelab_processes >&2; fail "$file: a nodelab process runs"; }
  [ ! -e "$E2E_TMP/daemon-started" ] || fail "$file: up started nodelabd: $(cat "$E2E_TMP/daemon-started")"

  rc=0
  nodelab validate "$file" >"$E2E_TMP/out" 2>"$E2E_TMP/err" || rc=$?
  ((rc == 1)) || fail "$file: nodelab validate exited $rc, expected 1"
  grep -Fxq -- "$message" "$E2E_TMP/err" ||
    fail "$file: validate said \"$(cat "$E2E_TMP/err")\", expected \"$message\""
}

expect unknown.yaml 'unknown.yaml:4:3: cluster.colour: unknown field "colour"' <<'EOF'
name: bad-unknown
cluster:
  nodes: [a, b]
  colour: blue
EOF

expect dup.yaml 'dup.yaml:3:17: cluster.nodes[2]: duplicate node name "a" (first at 3:11)' <<'EOF'
name: bad-dup
cluster:
  nodes: [a, b, a]
EOF

expect pod.yaml 'pod.yaml:6:11: pods[0].node: node "c" does not exist' <<'EOF'
name: bad-pod
cluster:
  nodes: [a, b]
pods:
  - name: web
    node: c
    containers:
      - {name: httpd, image: ubi}
EOF

expect overlap.yaml \
  'overlap.yaml:5:19: cluster.clusterNetwork: clusterNetwork 10.1.0.0/16 overlaps underlay 10.1.0.0/24' <<'EOF'
name: bad-overlap
cluster:
  nodes: [a, b]
  underlay: 10.1.0.0/24
  clusterNetwork: 10.1.0.0/16
EOF

expect mem.yaml \
  'mem.yaml:10:29: pods[0].containers[0].resources.memory: "64Mb" is not a memory quantity (use e.g. 64Mi, 1Gi, 500M)' <<'EOF'
name: bad-mem
cluster:
  nodes: [a]
pods:
  - name: web
    node: a
    containers:
      - name: httpd
        image: ubi
        resources: {memory: 64Mb}
EOF

expect cpu.yaml \
  'cpu.yaml:8:48: pods[0].containers[0].resources.cpu: "500x" is not a CPU quantity (use e.g. 500m, 1, 0.5)' <<'EOF'
name: bad-cpu
cluster:
  nodes: [a]
pods:
  - name: web
    node: a
    containers:
      - {name: c, image: ubi, resources: {cpu: 500x}}
EOF

expect long.yaml \
  'long.yaml:5:11: pods[0].name: name "a-very-long-pod-name" is longer than 15 bytes (it names a network interface)' <<'EOF'
name: bad-long
cluster:
  nodes: [a]
pods:
  - name: a-very-long-pod-name
    node: a
    containers:
      - {name: c, image: ubi}
EOF

expect check.yaml 'check.yaml:5:22: checks[0].from: pod "client" does not exist' <<'EOF'
name: bad-check
cluster:
  nodes: [a, b]
checks:
  - {name: c1, from: b/client, ping: a}
EOF

expect fault.yaml \
  'fault.yaml:5:22: faults[0].kind: unknown fault kind "melt-cpu" (known: link-mtu, link-down, tx-checksum-on, tunnel-dst, flow-delete, daemon-kill, cgroup-memory, seccomp-deny, netem, partition, underlay-down, vni-mismatch, tunnel-port-delete, pod-route-delete, duplicate-ip, neighbour-poison, pod-kill, cgroup-pids, cgroup-cpu)' <<'EOF'
name: bad-fault
cluster:
  nodes: [a]
faults:
  - {name: f1, kind: melt-cpu, node: a}
EOF

expect type.yaml \
  'type.yaml:3:10: cluster.nodes: expected a list of names or {count: N, prefix: P}' <<'EOF'
name: bad-type
cluster:
  nodes: 3
EOF

expect syntax.yaml "syntax.yaml:4:1: (yaml): did not find expected ',' or ']'" <<'EOF'
name: bad-syntax
cluster:
  nodes: [a, b
EOF

expect many.yaml \
  'many.yaml:4:13: cluster.underlay: 192.168.122.0/26 has room for 0 nodes (addresses from 192.168.122.201 up), the lab has 60' <<'EOF'
name: bad-many
cluster:
  nodes: {count: 60, prefix: n}
  underlay: 192.168.122.0/26
EOF

expect name.yaml \
  'name.yaml:1:7: name: "Bad_Name" is not a valid name (use lowercase letters, digits and "-", starting with a letter)' <<'EOF'
name: Bad_Name
cluster:
  nodes: [a]
EOF

expect noname.yaml 'noname.yaml:1:1: name: required field is missing' <<'EOF'
cluster:
  nodes: [a]
EOF

expect empty.yaml 'empty.yaml:1:1: (yaml): empty file' </dev/null

# An absolute path is reported as given too.
expect "$E2E_TMP/abs.yaml" "$E2E_TMP/abs.yaml:3:11: cluster.nodes[0]: \"Node-1\" is not a valid name (use lowercase letters, digits and \"-\", starting with a letter)" <<'EOF'
name: e2e-invalid
cluster:
  nodes: [Node-1]
EOF

# A file that does not exist.
rc=0
nodelab up "$E2E_TMP/missing.yaml" 2>"$E2E_TMP/err" || rc=$?
((rc != 0)) || fail "up of a missing file exited 0"
grep -q "missing.yaml" "$E2E_TMP/err" || fail "up of a missing file did not name it: $(cat "$E2E_TMP/err")"

say "$n_cases malformed scenarios rejected with their exact message"
# The stub would have recorded any daemon started, even one gone since.
[ ! -e "$E2E_TMP/daemon-started" ] || fail "a daemon was started: $(cat "$E2E_TMP/daemon-started")"
assert_clean "$E2E_TMP/before" "after $n_cases invalid scenarios"
