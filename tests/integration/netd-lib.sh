# Shared by tests/integration/test-netd-*.sh: two "nodes" built by hand, each a
# network + mount namespace with its own ovsdb-server, ovs-vswitchd (userspace
# datapath) and nodelab-netd, joined by an underlay veth pair -- no coordinator.
# Everything is a child process of this script and is killed by netd_cleanup.
# No pipefail: `cmd | grep -q` would fail whenever grep exits before cmd is done.
set -eu

# shellcheck source=tests/integration/wait-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/wait-lib.sh"
BUILD=${NODELAB_BUILD_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/build}
NETD=$BUILD/netd/nodelab-netd
[ -x "$NETD" ] || { echo "netd-lib: $NETD not built" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "netd-lib: needs root" >&2; exit 77; }

NETD_TMP=$(mktemp -d /tmp/netdtest.XXXXXX)
declare -A NODE_PID NETD_PID POD_PID
CTL=/run/nodelab-netd.ctl

netd_cleanup() {
  local rc=$?
  set +e
  for p in "${NETD_PID[@]}" "${POD_PID[@]}"; do kill -9 "$p" 2>/dev/null; done
  # Each node is a process group (setsid): its shell, ovsdb-server and ovs-vswitchd.
  for p in "${NODE_PID[@]}"; do kill -9 -- "-$p" 2>/dev/null; done
  wait 2>/dev/null
  if [ "$rc" != 0 ] && [ -d "$NETD_TMP" ]; then
    for f in "$NETD_TMP"/*.log; do echo "== $f" >&2; tail -n 30 "$f" >&2; done
  fi
  rm -rf "$NETD_TMP"
  exit "$rc"
}
trap netd_cleanup EXIT
trap "exit 143" TERM INT HUP

# in_node NODE CMD...: runs CMD in the node's network and mount namespaces.
in_node() {
  local n=$1; shift
  nsenter -t "${NODE_PID[$n]}" -n -m -- "$@"
}

# in_pod POD CMD...: runs CMD in the pod's network namespace.
in_pod() {
  local p=$1; shift
  nsenter -t "${POD_PID[$p]}" -n -- "$@"
}

# node_spawn NODE: a node's namespaces, private /run and OVS directories,
# ovsdb-server and ovs-vswitchd, started in the background.
node_spawn() {
  local n=$1 log=$NETD_TMP/$1
  setsid unshare --net --mount --propagation private bash -c '
    set -e
    for d in /run /etc/openvswitch /var/log/openvswitch /var/lib/openvswitch; do
      mount -t tmpfs -o mode=0755 tmpfs "$d"
    done
    mkdir -p /run/openvswitch
    ip link set lo up
    ovsdb-tool create /etc/openvswitch/conf.db /usr/share/openvswitch/vswitch.ovsschema
    ovsdb-server /etc/openvswitch/conf.db --remote=punix:/run/openvswitch/db.sock \
      --pidfile --log-file=/var/log/openvswitch/ovsdb-server.log 2>>"$1-ovsdb.log" &
    ovs-vswitchd unix:/run/openvswitch/db.sock --pidfile \
      --log-file=/var/log/openvswitch/ovs-vswitchd.log 2>>"$1-vswitchd.log" &
    exec sleep infinity
  ' netdtest-node "$log" </dev/null >>"$log-init.log" 2>&1 &
  NODE_PID[$n]=$!
}

# node_wait NODE: returns when the node's ovs-vswitchd answers.
node_wait() {
  local n=$1 i
  for i in $(seq 300); do
    if in_node "$n" ovs-appctl -t ovs-vswitchd version >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  echo "node $n: ovs-vswitchd did not start" >&2
  return 1
}

node_start() {
  node_spawn "$1"
  node_wait "$1"
}

# netd_start NODE ARGS...: starts nodelab-netd in NODE, waits for its socket.
netd_start() {
  local n=$1; shift
  nsenter -t "${NODE_PID[$n]}" -n -m -- "$NETD" "$@" >>"$NETD_TMP/$n-netd.log" 2>&1 &
  NETD_PID[$n]=$!
  local i
  for i in $(seq 300); do
    if in_node "$n" ovs-appctl -t $CTL netd/show >/dev/null 2>&1; then
      return 0
    fi
    kill -0 "${NETD_PID[$n]}" 2>/dev/null || { echo "node $n: netd exited" >&2; return 1; }
    sleep 0.1
  done
  echo "node $n: netd did not answer" >&2
  return 1
}

# pod_ns POD: a bare network namespace held by a sleeping process; returns
# once the process is in it.
pod_ns() {
  unshare --net sleep infinity </dev/null >/dev/null 2>&1 &
  POD_PID[$1]=$!
  wait_for 5 "pod $1's network namespace" in_own_netns "${POD_PID[$1]}" ||
    fail "pod $1: unshare --net did not make a network namespace"
}
in_own_netns() {
  local ns
  ns=$(readlink "/proc/$1/ns/net") && [ "$ns" != "$(readlink /proc/self/ns/net)" ]
}

netd_ctl() {
  local n=$1; shift
  in_node "$n" ovs-appctl -t $CTL "$@"
}

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }
