#!/usr/bin/env bash
# Issue 3's figures through the real product (see bench/README.md):
#   1. `nodelab up` until everything is ready (every node's ovsdb-server,
#      ovs-vswitchd, nodelab-netd with its flows, the runtime and the
#      scenario's pods) and `nodelab down`, for the default lab (3 nodes,
#      3 pods) and a 20-node lab without pods; each up starts from no daemon;
#   2. Mininet 2.3 (Debian's `mininet`) building and stopping 3 hosts and
#      3 switches (`--topo linear,3`), as `mn ... --test none` and through its
#      Python API (build+start / stop apart), in private net, mount and pid
#      namespaces with their own OVS (userspace datapath: no OVS kernel module
#      here), so it touches nothing of the host;
#   3. cross-node TCP throughput between the default lab's pods web (node1)
#      and client (node2): the host's iperf3 in the pods' network namespaces
#      (nsenter -n), interleaved with runs on the same OVS path built by hand
#      with ovs-vsctl/ovs-ofctl/ip (as bench/netd-bench.sh builds it).
# Prints medians.  Run as root:
#
#   bench/netd-lab.sh [-r RUNS] [-i IPERF_RUNS] [-t SECONDS] [-b BUILD_DIR] [-s SECTIONS]
#
# RUNS (default 5) per up/down/Mininet measure; IPERF_RUNS (default 5) iperf3
# runs of SECONDS (default 5) on each path; SECTIONS: a subset of "up mininet
# iperf" (default all).  NODELAB_RUNDIR is honoured.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
runs=5 iperf_runs=5 secs=5 sections="up mininet iperf"
build=${NODELAB_BUILD_DIR:-$here/../build}
while getopts "r:i:t:b:s:h" opt; do
  case $opt in
    r) runs=$OPTARG ;;
    i) iperf_runs=$OPTARG ;;
    t) secs=$OPTARG ;;
    b) build=$OPTARG ;;
    s) sections=$OPTARG ;;
    *) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
build=$(cd "$build" && pwd)
export NODELAB_BUILD_DIR=$build
nodelab=$build/tools/nodelab
rundir=${NODELAB_RUNDIR:-/run/nodelab}
[ -x "$nodelab" ] || { echo "netd-lab.sh: no $nodelab (use -b BUILD_DIR)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "netd-lab.sh: run as root" >&2; exit 1; }
for t in jq nsenter iperf3; do command -v $t >/dev/null || { echo "netd-lab.sh: $t is missing" >&2; exit 1; }; done
has() { [[ " $sections " == *" $1 "* ]]; }

# The hand-built path needs netd-lib's nodes (namespaces with their own OVS);
# sourcing it also arms its cleanup, which ours calls last.
if has iperf; then
  # shellcheck source=tests/integration/netd-lib.sh
  source "$here/../tests/integration/netd-lib.sh"
  # shellcheck source=bench/hand-built.sh
  source "$here/hand-built.sh"
fi
T=$(mktemp -d /tmp/nodelab-netd-lab-bench.XXXXXX)
LABS=()
bench_cleanup() {
  local rc=$? lab
  set +e
  for lab in "${LABS[@]}"; do
    [ -e "$rundir/$lab" ] && "$nodelab" down --force "$lab" >/dev/null 2>&1
  done
  rm -rf "$T"
  (exit "$rc")
  if declare -F netd_cleanup >/dev/null; then netd_cleanup; fi
  exit "$rc"
}
trap bench_cleanup EXIT

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
no_daemon() { # waits until nodelabd has exited, so that the next up starts one
  local i
  for i in $(seq 300); do [ -e "$rundir/nodelabd.pid" ] || return 0; sleep 0.02; done
  echo "netd-lab.sh: nodelabd did not exit" >&2
  return 1
}
summary=()

# ---- 1. up and down ----
# ready_check LAB NODES PODS: what `up` promised is there (not timed).
ready_check() {
  local st
  st=$("$nodelab" status "$1" --json)
  jq -e --argjson n "$2" '.nodes | length == $n' <<<"$st" >/dev/null || { echo "not $2 nodes" >&2; return 1; }
  jq -e '[.nodes[].daemons[] | select(.name == "netd") | .state] | all(. == "ready")' <<<"$st" >/dev/null ||
    { echo "a netd is not ready" >&2; return 1; }
  jq -e --argjson p "$3" '[.pods[]? | select(.state == "running")] | length == $p' <<<"$st" >/dev/null ||
    { echo "not $3 pods running" >&2; return 1; }
  local first tunnels
  first=$(jq -r '.nodes[0].name' <<<"$st")
  tunnels=$("$nodelab" exec -l "$1" "$first" -- ovs-ofctl -O OpenFlow13 dump-flows br0 | grep -c tun_dst)
  ((tunnels == $2 - 1)) || { echo "$first has $tunnels tunnel flows" >&2; return 1; }
}
up_down() { # LAB NODES PODS UP-ARGS...
  local lab=$1 n=$2 p=$3 i t0 t1 t2 ups=() downs=()
  shift 3
  LABS+=("$lab")
  [ ! -e "$rundir/$lab" ] || { echo "netd-lab.sh: lab $lab exists already" >&2; exit 1; }
  for ((i = 0; i < runs; i++)); do
    no_daemon
    t0=$(now_ms)
    "$nodelab" up "$@" >/dev/null
    t1=$(now_ms)
    ready_check "$lab" "$n" "$p"
    t2=$(now_ms)
    "$nodelab" down "$lab" >/dev/null
    ups+=($((t1 - t0)))
    downs+=($(($(now_ms) - t2)))
  done
  no_daemon
  echo "$lab: up ms: ${ups[*]}; down ms: ${downs[*]}" >&2
  summary+=("$(printf '| %-36s | %8s | %9s |' "$lab ($n nodes, $p pods)" \
    "$(printf '%s\n' "${ups[@]}" | median)" "$(printf '%s\n' "${downs[@]}" | median)")")
}
if has up; then
  up_down netd-bench-default 3 3 --name netd-bench-default
  printf 'name: netd-bench-20\ndescription: netd benchmark, 20 nodes\ncluster:\n  nodes: {count: 20, prefix: n}\n' \
    >"$T/n20.yaml"
  up_down netd-bench-20 20 0 "$T/n20.yaml"
fi

# ---- 2. Mininet, 3 hosts + 3 switches ----
mininet_note=
if has mininet; then
  if ! command -v mn >/dev/null || ! /usr/bin/python3 -c 'import mininet' 2>/dev/null; then
    mininet_note="mininet is not installed (apt-get install mininet)"
  else
    # Everything Mininet does (veths, OVS bridges, and the killall/pkill of
    # its cleanup on error) stays inside these namespaces.
    cat >"$T/mn-api.py" <<'EOF'
import sys, time
from functools import partial
from mininet.net import Mininet
from mininet.node import OVSSwitch
from mininet.topo import LinearTopo
from mininet.log import setLogLevel
setLogLevel('error')
t0 = time.time()
net = Mininet(topo=LinearTopo(3), switch=partial(OVSSwitch, datapath='user'), controller=None)
net.start()
t1 = time.time()
net.stop()
t2 = time.time()
print('%d %d' % ((t1 - t0) * 1000, (t2 - t1) * 1000))
EOF
    cat >"$T/mn.sh" <<'EOF'
set -e
runs=$1 out=$2
for d in /run /etc/openvswitch /var/log/openvswitch /var/lib/openvswitch; do mount -t tmpfs -o mode=0755 tmpfs "$d"; done
mkdir -p /run/openvswitch
ip link set lo up
now_ms() { echo $(($(date +%s%N) / 1000000)); }
t0=$(now_ms)
ovsdb-tool create /etc/openvswitch/conf.db /usr/share/openvswitch/vswitch.ovsschema
ovsdb-server /etc/openvswitch/conf.db --remote=punix:/run/openvswitch/db.sock --pidfile --detach --log-file 2>/dev/null
ovs-vsctl --no-wait init
ovs-vswitchd unix:/run/openvswitch/db.sock --pidfile --detach --log-file 2>/dev/null
until ovs-appctl -t ovs-vswitchd version >/dev/null 2>&1; do sleep 0.01; done
echo "ovs $(($(now_ms) - t0))" >>"$out"
for i in $(seq "$runs"); do
  t0=$(now_ms)
  mn --switch ovs,datapath=user --controller none --topo linear,3 --test none >"$out.mn.log" 2>&1 ||
    { cat "$out.mn.log" >&2; exit 1; }
  echo "mn $(($(now_ms) - t0))" >>"$out"
  echo "api $(/usr/bin/python3 "$3")" >>"$out"
done
EOF
    if unshare --net --mount --pid --fork --mount-proc --propagation private \
      bash "$T/mn.sh" "$runs" "$T/mn.times" "$T/mn-api.py"; then
      mn_ovs=$(awk '$1 == "ovs" {print $2}' "$T/mn.times")
      mn_wall=$(awk '$1 == "mn" {print $2}' "$T/mn.times" | median)
      mn_up=$(awk '$1 == "api" {print $2}' "$T/mn.times" | median)
      mn_down=$(awk '$1 == "api" {print $3}' "$T/mn.times" | median)
      echo "mininet: $(tr '\n' ' ' <"$T/mn.times")" >&2
      summary+=("$(printf '| %-36s | %8s | %9s |' "Mininet linear,3 (API)" "$mn_up" "$mn_down")")
      summary+=("$(printf '| %-36s | %8s | %9s |' "mn --topo linear,3 --test none" "$mn_wall" "(incl.)")")
      summary+=("$(printf '| %-36s | %8s | %9s |' "(its OVS daemons, once)" "$mn_ovs" "")")
    else
      mininet_note="Mininet failed (output above)"
    fi
  fi
  [ -z "$mininet_note" ] || echo "netd-lab.sh: $mininet_note" >&2
fi

# ---- 3. iperf3 between pods: the lab's vs. the same path by hand ----
if has iperf; then
  lab=netd-bench-iperf
  LABS+=("$lab")
  "$nodelab" up --name "$lab" >/dev/null
  st=$("$nodelab" status "$lab" --json)
  declare -A NODEPID
  for n in node1 node2; do NODEPID[$n]=$(jq -r --arg n "$n" '.nodes[] | select(.name == $n) | .pid' <<<"$st"); done
  host_pid() { # NODE NSPID: the host pid of the node's process NSPID
    local f p q
    for f in /proc/[0-9]*/status; do
      awk -v want="$2" '/^NSpid:/ { exit !(NF >= 3 && $3 == want) }' "$f" 2>/dev/null || continue
      p=${f#/proc/} && p=${p%/status} && q=$p
      while [ -n "$q" ] && [ "$q" -gt 1 ]; do
        [ "$q" = "${NODEPID[$1]}" ] && { echo "$p"; return 0; }
        q=$(awk '/^PPid:/ {print $2}' "/proc/$q/status" 2>/dev/null)
      done
    done
    return 1
  }
  web_ip=$(jq -r '.pods[] | select(.name == "web") | (.ip // .runtime.ip)' <<<"$st")
  # (Not in netd-lib's POD_PID: its cleanup kills those.)
  declare -A NSPID
  NSPID[web]=$(host_pid node1 "$(jq -r '.pods[] | select(.name == "web") | (.infra_pid // .runtime.infra_pid)' <<<"$st")")
  NSPID[client]=$(host_pid node2 "$(jq -r '.pods[] | select(.name == "client") | (.infra_pid // .runtime.infra_pid)' <<<"$st")")
  for p in web client; do [ -n "${NSPID[$p]}" ] || { echo "netd-lab.sh: no host pid for $p" >&2; exit 1; }; done
  nsenter -t "${NSPID[client]}" -n ping -c 3 -i 0.2 -W 2 "$web_ip" >/dev/null

  # The hand-built path (bench/netd-bench.sh's, with the fewest flows that
  # work): two netd-lib nodes, no netd.
  node_start hand1
  node_start hand2
  underlay_pair hand1 192.168.122.211 hand2 192.168.122.212
  pod_ns hc
  pod_ns hd
  hand_node hand1 10.1.11 192.168.122.211 192.168.122.212 hc
  hand_node hand2 10.1.12 192.168.122.212 192.168.122.211 hd
  in_pod hc ping -c 3 -i 0.2 -W 2 10.1.12.2 >/dev/null

  iperf_once() { # CLIENT_PID SERVER_PID SERVER_IP -> Mbit/s received (pids: in the pods' netns)
    nsenter -t "$2" -n iperf3 -s -1 -B "$3" >/dev/null 2>&1 &
    local srv=$! i
    for i in $(seq 100); do nsenter -t "$2" -n ss -Hltn 'sport = :5201' | grep -q . && break; sleep 0.05; done
    timeout $((secs + 30)) nsenter -t "$1" -n -- iperf3 -c "$3" -t "$secs" -J >"$T/iperf.json"
    wait "$srv" || true
    jq -r '.end.sum_received.bits_per_second / 1e6 | floor' "$T/iperf.json"
  }
  lab_runs=() hand_runs=()
  for ((i = 0; i < iperf_runs; i++)); do # interleaved: load from elsewhere hits both alike
    lab_runs+=("$(iperf_once "${NSPID[client]}" "${NSPID[web]}" "$web_ip")")
    hand_runs+=("$(iperf_once "${POD_PID[hc]}" "${POD_PID[hd]}" 10.1.12.2)")
  done
  echo "iperf3 Mbit/s: lab ${lab_runs[*]}; by hand ${hand_runs[*]}" >&2
  "$nodelab" down "$lab" >/dev/null
fi

echo
echo "nodelab netd-lab benchmark, medians ($(nproc) CPUs, $(uname -r), $(git -C "$here/.." rev-parse --short HEAD 2>/dev/null || echo '?'))"
if ((${#summary[@]})); then
  echo
  echo "| what                                 | up (ms)  | down (ms) |"
  echo "|--------------------------------------|----------|-----------|"
  printf '%s\n' "${summary[@]}"
  echo "($runs runs each)"
fi
[ -z "$mininet_note" ] || echo "Mininet: $mininet_note"
if has iperf; then
  echo
  echo "iperf3 client -> web across VXLAN, $iperf_runs x ${secs} s: lab $(printf '%s\n' "${lab_runs[@]}" | median) Mbit/s," \
    "same path by hand $(printf '%s\n' "${hand_runs[@]}" | median) Mbit/s"
fi
