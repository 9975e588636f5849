#!/usr/bin/env bash
# nodelab-ovs (netd/ovs-tool.c) against a private ovsdb-server + ovs-vswitchd
# (userspace datapath) in a network + mount namespace of its own, reached from
# the host through /proc/PID/root/run/openvswitch as nodelabd will reach a
# node's switch:
#   - dump-flows is what `ovs-ofctl -O OpenFlow13 dump-flows` shows, normalised;
#   - a strict delete of a dumped line removes that flow only; adding the line
#     back restores the dump exactly; delete all + add every dumped line: same dump;
#   - replace-flow and mod-flows change one flow; a bundle the switch refuses
#     changes nothing (atomic);
#   - port-show / port-del / port-add recreate vxlan0 with the same OpenFlow
#     port and options, as ovs-vsctl and ovs-ofctl see them;
#   - appctl tnl/neigh/set, show, flush;
#   - bad input: exit 1 (2 for bad usage), a clear message, nothing changed;
#   - a stopped (SIGSTOP) ovs-vswitchd or ovsdb-server: --timeout holds;
#   - the median time of dump-flows and del-flows (printed, not asserted).
# The host's network namespace is left as it was; everything is killed at the end.
source "$(dirname "$0")/netd-lib.sh"

OVS_TOOL=$BUILD/netd/nodelab-ovs
[ -x "$OVS_TOOL" ] || fail "$OVS_TOOL not built"
command -v python3 >/dev/null || fail "python3 is missing (tools/setup-deps.sh)"
host_links=$(ip -o link show | awk -F': ' '{print $2}' | sort)
host_addrs=$(ip -o addr show | sort)

node_start sw
RUN=/proc/${NODE_PID[sw]}/root/run/openvswitch
nlovs() { "$OVS_TOOL" --rundir "$RUN" "$@"; }
vsctl() { in_node sw ovs-vsctl "$@"; }
ofctl() { in_node sw ovs-ofctl -O OpenFlow13 "$@"; }

vsctl add-br br0 -- set Bridge br0 datapath_type=netdev fail_mode=secure protocols=OpenFlow13 \
  -- add-port br0 vxlan0 -- set Interface vxlan0 type=vxlan options:remote_ip=flow \
  options:key=flow options:dst_port=4789 ofport_request=1 \
  -- add-port br0 tun0 -- set Interface tun0 type=internal ofport_request=2 \
  -- add-br br-phy -- set Bridge br-phy datapath_type=netdev
# netd's own flow table for node1 of a three-node lab, plus flows with a
# cookie and a flag, installed as a user would.
"$BUILD/netd/nodelab-netd" --print-flows --node node1 --subnet 10.1.1.0/24 \
  --underlay 192.168.122.202/24 --remote node2=10.1.2.0/24@192.168.122.203 \
  --remote node3=10.1.3.0/24@192.168.122.204 >"$NETD_TMP/flows"
cat >>"$NETD_TMP/flows" <<'EOF'
cookie=0x2a,table=50,priority=7,tcp,nw_dst=10.1.1.0/24,tp_dst=80 actions=drop
cookie=0xbeef,table=50,priority=6,send_flow_rem,udp actions=output:2
EOF
ofctl add-flows br0 "$NETD_TMP/flows"
n_flows=$(wc -l <"$NETD_TMP/flows")

# --- dump-flows: ovs-ofctl's view, normalised to nodelab-ovs's format ---
normalise() { # ovs-ofctl dump-flows --no-stats --no-names -> cookie=,table=,priority=,MATCH actions=
  python3 -c '
import sys
rows = []
for line in sys.stdin:
    line = line.strip()
    if not line or line.startswith("OFPST_FLOW"):
        continue
    head, acts = line.split(" actions=", 1)
    cookie, table, flags = "0x0", "0", []
    fields = head.split(", ")
    rest = fields.pop()
    for f in fields:
        k, _, v = f.partition("=")
        if k == "cookie": cookie = v
        elif k == "table": table = v
        else: flags.append(f)
    # flags come before the match, separated by spaces ("send_flow_rem priority=6,udp")
    words = rest.split(" ")
    flags += words[:-1]
    rest = words[-1]
    prio = "32768"
    if rest.startswith("priority="):
        p, _, rest = rest.partition(",")
        prio = p.split("=")[1]
    text = "cookie=%s,table=%s,priority=%s" % (cookie, table, prio)
    text += "".join("," + f for f in flags)
    if rest:
        text += "," + rest
    text += " actions=" + acts
    rows.append((int(table), -int(prio), text))
for r in sorted(rows):
    print(r[2])
'
}
dump=$(nlovs dump-flows br0)
[ "$(grep -c . <<<"$dump")" = "$n_flows" ] || fail "dump-flows: $(grep -c . <<<"$dump") flows, not $n_flows"
want=$(ofctl dump-flows br0 --no-stats --no-names | normalise)
[ "$dump" = "$want" ] || fail "dump-flows differs from ovs-ofctl's: $(diff <(echo "$want") <(echo "$dump"))"
grep -qx 'cookie=0xbeef,table=50,priority=6,send_flow_rem,udp actions=output:2' <<<"$dump" ||
  fail "dump-flows: the flagged flow: $(grep beef <<<"$dump")"
[ "$(nlovs dump-flows br0 --table 90)" = "$(grep ',table=90,' <<<"$dump")" ] || fail "dump-flows --table 90"
ok "dump-flows: $n_flows flows, as ovs-ofctl -O OpenFlow13 dump-flows shows them (normalised); --table"

# --- a strict delete of one dumped line, then the line added back ---
tunnel=$(grep 'nw_dst=10.1.2.0/24 actions=set_field:192.168.122.203->tun_dst' <<<"$dump")
[ "$(grep -c . <<<"$tunnel")" = 1 ] || fail "no single tunnel flow to node2 in: $dump"
nlovs del-flows br0 --strict "$tunnel"
after=$(nlovs dump-flows br0)
[ "$after" = "$(grep -vxF "$tunnel" <<<"$dump")" ] || fail "del-flows --strict: $(diff <(echo "$dump") <(echo "$after"))"
! ofctl dump-flows br0 | grep -q 'nw_dst=10.1.2.0/24 actions' || fail "ovs-ofctl still shows the tunnel flow"
# the cookie of a dumped line is matched: the same line with another cookie deletes nothing
nlovs del-flows br0 --strict "${dump%%$'\n'*}" "$(sed 's/^cookie=0x2a,/cookie=0x2b,/' <<<"$(grep 0x2a <<<"$dump")")"
[ "$(nlovs dump-flows br0)" = "$(grep -vxF -e "$tunnel" -e "${dump%%$'\n'*}" <<<"$dump")" ] ||
  fail "del-flows --strict with another cookie deleted a flow"
nlovs add-flows br0 "$tunnel" "${dump%%$'\n'*}"
[ "$(nlovs dump-flows br0)" = "$dump" ] || fail "re-added lines: $(diff <(echo "$dump") <(nlovs dump-flows br0))"
ok "del-flows --strict LINE removes that flow only (its cookie matched); add-flows LINE restores the dump"

# --- round trip: delete every flow, add every dumped line back ---
mapfile -t lines <<<"$dump"
nlovs del-flows br0 ""
[ -z "$(nlovs dump-flows br0)" ] || fail "del-flows \"\" left flows"
nlovs add-flows br0 "${lines[@]}"
[ "$(nlovs dump-flows br0)" = "$dump" ] || fail "round trip: $(diff <(echo "$dump") <(nlovs dump-flows br0))"
ok "round trip: dump, delete all, add the ${#lines[@]} dumped lines in one bundle, dump: identical"

# --- replace-flow and mod-flows ---
wrong=${tunnel/192.168.122.203->tun_dst/192.168.122.250->tun_dst}
nlovs replace-flow br0 "$tunnel" "$wrong"
after=$(nlovs dump-flows br0)
[ "$(diff <(echo "$dump") <(echo "$after") | grep -c '^[<>]')" = 2 ] || fail "replace-flow changed more than one flow"
grep -qxF "$wrong" <<<"$after" || fail "replace-flow: the new flow is missing"
ofctl dump-flows br0 | grep -q 'nw_dst=10.1.2.0/24 actions=set_field:192.168.122.250->tun_dst' ||
  fail "ovs-ofctl does not see the replaced flow"
nlovs replace-flow br0 "$wrong" "$tunnel"
[ "$(nlovs dump-flows br0)" = "$dump" ] || fail "replace-flow back"
nlovs mod-flows br0 --strict "table=90,priority=100,ip,nw_dst=10.1.2.0/24 actions=set_field:0x5->tun_id,set_field:192.168.122.203->tun_dst,output:1"
ofctl dump-flows br0 | grep -q 'nw_dst=10.1.2.0/24 actions=set_field:0x5->tun_id,' || fail "mod-flows: no tun_id"
[ "$(diff <(echo "$dump") <(nlovs dump-flows br0) | grep -c '^[<>]')" = 2 ] || fail "mod-flows changed more than one flow"
nlovs mod-flows br0 --strict "$tunnel"
[ "$(nlovs dump-flows br0)" = "$dump" ] || fail "mod-flows back"
ok "replace-flow and mod-flows --strict change the one flow; changed back, the dump is the original"

# --- bad input: exit 1, a clear message, nothing changed ---
ports_before=$(vsctl show)
expect_fail() { # expect_fail STATUS PATTERN ARGS...: nodelab-ovs exits STATUS, stderr matches PATTERN
  local want=$1 pattern=$2 rc=0
  shift 2
  nlovs "$@" >"$NETD_TMP/out" 2>"$NETD_TMP/err" || rc=$?
  [ "$rc" = "$want" ] || fail "nodelab-ovs $*: exit $rc, not $want: $(cat "$NETD_TMP/err")"
  grep -q -- "$pattern" "$NETD_TMP/err" || fail "nodelab-ovs $*: message: $(cat "$NETD_TMP/err")"
  [ ! -s "$NETD_TMP/out" ] || fail "nodelab-ovs $*: printed $(cat "$NETD_TMP/out")"
}
expect_fail 1 '^nodelab-ovs: dump-flows: bridge br9: no such bridge' dump-flows br9
expect_fail 1 '^nodelab-ovs: add-flows: bridge br9: no such bridge' add-flows br9 "$tunnel"
expect_fail 1 '^nodelab-ovs: add-flows: flow "table=0,bogus=1 actions=drop": .*bogus' \
  add-flows br0 "table=1,priority=1 actions=drop" "table=0,bogus=1 actions=drop"
expect_fail 1 'OFPGMFC_UNKNOWN_GROUP\|group' add-flows br0 "table=1,priority=1 actions=drop" "table=2,priority=1 actions=group:99"
expect_fail 1 '^nodelab-ovs: del-flows: flow "table=0,in_port=nope": ' del-flows br0 --strict "table=0,in_port=nope"
expect_fail 1 '^nodelab-ovs: replace-flow: flow "table=90,priority=100,ip,nw_dst=10.1.9.0/24": not on bridge br0' \
  replace-flow br0 "table=90,priority=100,ip,nw_dst=10.1.9.0/24" "$wrong"
expect_fail 1 "^nodelab-ovs: replace-flow: flow \"table=90,priority=100,ip actions=group:7\": .*GROUP" \
  replace-flow br0 "$tunnel" "table=90,priority=100,ip actions=group:7"
expect_fail 1 '^nodelab-ovs: port-show: bridge br0: no port nope' port-show br0 nope
expect_fail 1 '^nodelab-ovs: port-show: bridge br9: no such bridge' port-show br9 vxlan0
expect_fail 1 '^nodelab-ovs: port-del: bridge br0: no port nope' port-del br0 nope
expect_fail 1 '^nodelab-ovs: port-add: port vxlan0: already on bridge br0' port-add br0 vxlan0 type=vxlan
expect_fail 1 '^nodelab-ovs: port-add: port x1: unknown key "colour"' port-add br0 x1 colour=blue
expect_fail 1 '^nodelab-ovs: port-add: port x2: got OpenFlow port [0-9]*, not 1 (removed again)' \
  port-add br0 x2 type=internal ofport_request=1
expect_fail 1 '^nodelab-ovs: port-add: port x3: ovs-vswitchd could not attach it: .* (removed again)' \
  port-add br0 x3 type=no-such-type
expect_fail 1 '^nodelab-ovs: appctl: ovs-vswitchd: no-such/command: ' appctl ovs-vswitchd no-such/command
expect_fail 1 '^nodelab-ovs: appctl: nodelab-netd: no pid file' appctl nodelab-netd netd/show
expect_fail 2 '^nodelab-ovs: unknown command "dump-flow"' dump-flow br0
expect_fail 2 '^nodelab-ovs: replace-flow: expected BRIDGE OLD NEW' replace-flow br0 "$tunnel"
expect_fail 2 '^nodelab-ovs: add-flows: --table is not one of its options' add-flows br0 --table 3 "$tunnel"
expect_fail 2 '^nodelab-ovs: --timeout "0": ' --timeout 0 dump-flows br0
[ "$(nlovs dump-flows br0)" = "$dump" ] || fail "bad input changed the flows: $(diff <(echo "$dump") <(nlovs dump-flows br0))"
[ "$(vsctl show)" = "$ports_before" ] || fail "bad input changed the ports"
ok "bad input (unknown bridge/port/command, unparsable or refused flows, bad usage): exit 1 or 2, clear message, nothing changed"

# --- ports: show, delete, recreate with the same OpenFlow port and options ---
show=$(nlovs port-show br0 vxlan0)
[ "$show" = "$(printf '%s\n' name=vxlan0 type=vxlan options:dst_port=4789 options:key=flow \
  options:remote_ip=flow ofport=1 ofport_request=1)" ] || fail "port-show vxlan0: $show"
opts=$(vsctl get Interface vxlan0 options)
nlovs port-show br0 tun0 | grep -qx 'type=internal' || fail "port-show tun0"
nlovs port-del br0 vxlan0
! vsctl list-ports br0 | grep -qx vxlan0 || fail "port-del: vxlan0 still on br0"
! ofctl show br0 | grep -q '(vxlan0)' || fail "port-del: ovs-ofctl still shows vxlan0"
mapfile -t settings <<<"$show"
nlovs port-add br0 vxlan0 "${settings[@]}"
[ "$(vsctl get Interface vxlan0 ofport)" = 1 ] || fail "port-add: vxlan0 is port $(vsctl get Interface vxlan0 ofport)"
[ "$(vsctl get Interface vxlan0 type)" = vxlan ] || fail "port-add: type"
[ "$(vsctl get Interface vxlan0 options)" = "$opts" ] || fail "port-add: options $(vsctl get Interface vxlan0 options), not $opts"
ofctl show br0 | grep -q ' 1(vxlan0)' || fail "port-add: ovs-ofctl show: $(ofctl show br0)"
[ "$(nlovs port-show br0 vxlan0)" = "$show" ] || fail "port-show after port-add: $(nlovs port-show br0 vxlan0)"
[ "$(nlovs dump-flows br0)" = "$dump" ] || fail "flows changed with the port"
nlovs port-add br0 extra0 type=internal ofport_request=9 mtu_request=1400 external_ids:a=b \
  port_external_ids:c=d
[ "$(vsctl get Interface extra0 ofport)" = 9 ] || fail "extra0 ofport"
[ "$(vsctl get Interface extra0 external_ids:a)" = b ] || fail "extra0 interface external_ids"
[ "$(vsctl get Port extra0 external_ids:c)" = d ] || fail "extra0 port external_ids"
nlovs port-show br0 extra0 | grep -qx 'mtu_request=1400' || fail "extra0 mtu_request"
nlovs port-del br0 extra0
ok "port-show, port-del, port-add: vxlan0 back as OpenFlow port 1 with the same options; other keys"

# --- appctl: OVS's own tunnel neighbour cache ---
ctl=$RUN/ovs-vswitchd.$(cat "$RUN/ovs-vswitchd.pid").ctl
nlovs appctl ovs-vswitchd tnl/neigh/set br-phy 192.168.122.203 aa:bb:cc:dd:ee:03 | grep -qx OK ||
  fail "tnl/neigh/set"
nlovs appctl "$ctl" tnl/neigh/show | grep -q '192.168.122.203 *aa:bb:cc:dd:ee:03 *br-phy' ||
  fail "tnl/neigh/show: $(nlovs appctl "$ctl" tnl/neigh/show)"
in_node sw ovs-appctl tnl/neigh/show | grep -q '192.168.122.203 *aa:bb:cc:dd:ee:03' || fail "ovs-appctl does not see it"
nlovs appctl ovs-vswitchd tnl/neigh/flush >/dev/null
! nlovs appctl ovs-vswitchd tnl/neigh/show | grep -q 192.168.122.203 || fail "tnl/neigh/flush"
ok "appctl (by daemon name and by .ctl path): tnl/neigh/set, show, flush"

# --- a switch that stops answering: the timeout holds, the message says so ---
vswitchd=$(cat "$RUN/ovs-vswitchd.pid")
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
kill -STOP "$vswitchd"
stalled() { # stalled ARGS...: nodelab-ovs --timeout 0.5 ARGS fails with "timed out" in < 3 s
  local rc=0 t0
  t0=$(date +%s%N)
  nlovs --timeout 0.5 "$@" >/dev/null 2>"$NETD_TMP/err" || rc=$?
  local took
  took=$(ms_since "$t0")
  [ "$rc" = 1 ] || { kill -CONT "$vswitchd"; fail "$1 against a stopped switch: exit $rc"; }
  grep -q 'timed out' "$NETD_TMP/err" || { kill -CONT "$vswitchd"; fail "$1: $(cat "$NETD_TMP/err")"; }
  ((took < 3000)) || { kill -CONT "$vswitchd"; fail "$1: --timeout 0.5 took $took ms"; }
}
stalled dump-flows br0
stalled del-flows br0 --strict "$tunnel"
stalled appctl ovs-vswitchd version
kill -CONT "$vswitchd"
ovsdb=$(cat "$RUN/ovsdb-server.pid")
kill -STOP "$ovsdb"
vswitchd=$ovsdb # what stalled() resumes when it fails
stalled port-show br0 vxlan0
stalled port-add br0 x9 type=internal
kill -CONT "$ovsdb"
vswitchd=$(cat "$RUN/ovs-vswitchd.pid")
[ "$(nlovs dump-flows br0)" = "$dump" ] || fail "flows after the stopped switch came back"
[ "$(nlovs port-show br0 vxlan0)" = "$show" ] || fail "vxlan0 after the stopped database came back"
! vsctl list-ports br0 | grep -qx x9 || fail "x9 created after all"
ok "a stopped ovs-vswitchd or ovsdb-server: dump-flows, del-flows, appctl, port-show, port-add give up after --timeout (exit 1, 'timed out')"

# --- timing: median of 20 (printed, not asserted) ---
median_ms() { sort -n | awk '{v[NR]=$1} END {printf "%.1f", (v[int((NR+1)/2)] + v[int(NR/2)+1]) / 2}'; }
for i in $(seq 20); do
  t0=$(date +%s%N); nlovs dump-flows br0 >/dev/null; t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000)) >>"$NETD_TMP/t-dump"
  t0=$(date +%s%N); nlovs del-flows br0 --strict "$tunnel"; t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000)) >>"$NETD_TMP/t-del"
  nlovs add-flows br0 "$tunnel"
done
[ "$(nlovs dump-flows br0)" = "$dump" ] || fail "flows after the timing loop"
echo "timing: dump-flows ($n_flows flows) median $(awk '{print $1/1000}' "$NETD_TMP/t-dump" | median_ms) ms," \
  "del-flows --strict median $(awk '{print $1/1000}' "$NETD_TMP/t-del" | median_ms) ms (20 runs each)"

[ "$(ip -o link show | awk -F': ' '{print $2}' | sort)" = "$host_links" ] || fail "the host's links changed"
[ "$(ip -o addr show | sort)" = "$host_addrs" ] || fail "the host's addresses changed"
ok "the host's network namespace is unchanged"
echo "PASS"
