# shellcheck shell=bash
# The whole state of a lab that a fault may touch, for the fault tests
# (sourced after lib.sh): each node's links (MTU, offloads), addresses,
# routes, permanent neighbours, qdiscs, OVSDB Interface/Port rows, flows
# without counters, and its daemons (name, state, supervised); a pod's or the
# fabric's namespace alike.  Two captures compare with cmp.  These are the
# functions of test-faults.sh, plus the daemons.
#
# lab_state LAB PID_NAME=PID...: every node of LAB, then each namespace
# given (a pod's infra or the fabric, by its host pid).

strip_net() { sed -E 's/(valid|preferred)_lft [^ ]+//g'; }
net_dump() { # in the current namespace
  echo "## links"
  ip -d link | sed -E 's/ promiscuity [0-9]+//; s/ [a-z_]+_timer +[0-9.]+//g'
  echo "## addrs"
  ip -4 addr | strip_net
  echo "## routes"
  ip -4 route show table all
  echo "## neighbours"
  ip -4 neigh show nud permanent
  echo "## qdiscs"
  tc qdisc
}
node_state() { # LAB NODE
  nodelab exec --lab "$1" "$2" -- bash -c "$(declare -f strip_net net_dump); net_dump
    for l in eth0 tun0 br-phy; do echo \"## ethtool \$l\"; ethtool -k \$l 2>/dev/null | grep -v fixed; done
    echo '## ovsdb'
    ovs-vsctl --format=csv --data=bare --no-headings \
      --columns=name,type,options,ofport,mtu,mtu_request,admin_state,link_state,external_ids list Interface | sort
    ovs-vsctl --format=csv --data=bare --no-headings --columns=name,tag,trunks,vlan_mode,external_ids list Port | sort
    for b in br0 br-phy; do echo \"## flows \$b\"
      ovs-ofctl -O OpenFlow13 dump-flows \$b | grep -v '^OFPST' |
        sed -E 's/(duration|n_packets|n_bytes|idle_age|hard_age)=[^,]*, ?//g' | sort
    done"
  echo "## daemons"
  nodelab service --lab "$1" "$2" status --json | jq -r '.services[] | "\(.name) \(.state) supervised=\(.supervised)"'
}
ns_state() { # PID: a pod's or the fabric's namespace
  nsenter -t "$1" -n bash -c "$(declare -f strip_net net_dump); net_dump
    for l in \$(ls /sys/class/net); do echo \"## ethtool \$l\"; ethtool -k \$l 2>/dev/null | grep -v fixed; done"
}
lab_state() { # LAB NAME=PID...
  local lab=$1 n kv
  shift
  for n in $(nodelab status "$lab" --json | jq -r '.nodes[].name'); do
    echo "#### $n"
    node_state "$lab" "$n"
  done
  for kv in "$@"; do
    echo "#### ${kv%%=*}"
    ns_state "${kv#*=}"
  done
}
