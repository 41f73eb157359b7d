#!/bin/sh
# The kernel through the control socket: show fib, show route ... table
# kernel and show route ... explain, text and JSON, and errors as JSON.
# BIRD 2 in one namespace speaks for three ToR sessions (192.0.2.1, .3
# and .4) to podbgpd in another: a plain route, a route a foreign route
# already holds in the node's table, one prefix from two ToRs told apart
# by MED, a route outside the cluster CIDRs (refused by policy), and one
# whose next hop is on no connected subnet and resolves through nothing;
# at the end BIRD is killed and podbgpd helps it restart (RFC 4724).
# Needs root, ip(8) and /usr/sbin/bird; exits 77 otherwise. KEEP=1 keeps
# the temporary directory.
set -u
me=ctl_fib.sh
srcdir=${srcdir:-$(dirname "$0")/../..}
. "$srcdir/tests/integration/lib.sh"

bird=${BIRD:-/usr/sbin/bird}
birdc=${BIRDC:-/usr/sbin/birdc}
ctl=${PODBGPCTL:-$(pwd)/src/podbgpctl/podbgpctl}
need_root
need_exec "$bird" "$birdc" "$ctl"
need_podbgpd
if ! command -v python3 >/dev/null 2>&1; then
	echo "$me: python3 not found, skipping" >&2
	exit 77
fi
make_tmp ctlfib

ns_t=pcf$$-t	# BIRD: the ToRs
ns_n=pcf$$-n	# podbgpd
make_pair "$ns_t" "$ns_n"
ip -n "$ns_t" addr add 192.0.2.3/24 dev veth0
ip -n "$ns_t" addr add 192.0.2.4/24 dev veth0
# BIRD keeps one session per neighbor address: one for each ToR
ip -n "$ns_n" addr add 192.0.2.5/24 dev veth1
ip -n "$ns_n" addr add 192.0.2.6/24 dev veth1
# the unresolvable next hop lives behind ToR C only
ip -n "$ns_t" link add far0 type veth peer name far1 || exit 99
ip -n "$ns_t" addr add 203.0.113.1/24 dev far0
ip -n "$ns_t" link set far1 up
ip -n "$ns_t" link set far0 up
# a foreign route for a prefix ToR A announces
ip -n "$ns_n" route add 10.96.3.0/24 via 192.0.2.1 proto static

cat >"$tmp/bird.conf" <<EOF
log "$tmp/bird.log" all;
router id 192.0.2.1;
protocol device { }
protocol static s1 { ipv4; route 10.96.1.0/24 blackhole; }
protocol static sforeign { ipv4; route 10.96.3.0/24 blackhole; }
protocol static smed { ipv4; route 10.96.4.0/24 blackhole; }
protocol static sout { ipv4; route 10.200.0.0/16 blackhole; }
protocol static srec { ipv4; route 10.96.5.0/24 via 203.0.113.7; }
template bgp tor {
	strict bind yes;
	connect delay time 1;
	connect retry time 2;
	error wait time 1, 4;
	graceful restart on;
	graceful restart time 30;
}
protocol bgp tor_a from tor {
	local 192.0.2.1 as 65001;
	neighbor 192.0.2.2 as 65000;
	ipv4 { import none; export filter {
		if proto = "smed" then { bgp_med = 10; accept; }
		if proto = "s1" || proto = "sforeign" || proto = "sout" then
			accept;
		reject;
	}; };
}
protocol bgp tor_b from tor {
	local 192.0.2.3 as 65001;
	neighbor 192.0.2.5 as 65000;
	ipv4 { import none; export filter {
		if proto = "smed" then { bgp_med = 20; accept; }
		reject;
	}; };
}
protocol bgp tor_c from tor {
	local 192.0.2.4 as 65001;
	neighbor 192.0.2.6 as 65000;
	ipv4 { import none; next hop keep; export filter {
		if proto != "srec" then reject;
		bgp_next_hop = 203.0.113.7;
		accept;
	}; };
}
EOF
ip netns exec "$ns_t" "$bird" -f -c "$tmp/bird.conf" -s "$tmp/bird.ctl" \
    -P "$tmp/bird.pid" >"$tmp/bird.out" 2>&1 &
bird_pid=$!
started $bird_pid
if ! wait_for 10 ip netns exec "$ns_t" "$birdc" -s "$tmp/bird.ctl" \
    show status; then
	echo "$me: bird did not start"
	cat "$tmp/bird.out"
	exit 99
fi

cat >"$tmp/nodes.yaml" <<EOF
nodes:
  - name: node-n
    pod-cidrs: [10.244.1.0/24]
    addresses: [192.0.2.2]
EOF
cat >"$tmp/podbgpd.yaml" <<EOF
node-name: node-n
nodes:
  source: file
  file: $tmp/nodes.yaml
cluster-cidrs: [10.96.0.0/16]
bgp:
  asn: 65000
  router-id: 192.0.2.2
  peers:
    - {address: 192.0.2.1, asn: 65001, name: tor-a}
    - {address: 192.0.2.3, asn: 65001, name: tor-b,
       local-address: 192.0.2.5}
    - {address: 192.0.2.4, asn: 65001, name: tor-c,
       local-address: 192.0.2.6}
fib:
  table: 254
  protocol: 196
control:
  socket: $tmp/admin.ctl
  read-only-socket: $tmp/ro.ctl
log:
  level: info
EOF
start_podbgpd "$ns_n"

admin() {
	"$ctl" -s "$tmp/admin.ctl" "$@"
}
# jq_py EXPR ARGS...: the python EXPR holds on podbgpctl -j ARGS (as d).
jq_py() {
	e=$1
	shift
	admin -j "$@" | python3 -c "import json,sys; d=json.load(sys.stdin); \
sys.exit(0 if ($e) else 1)"
}
all_up() {
	jq_py 'len([p for p in d["protocols"] if p["state"] ==
	    "Established"]) == 3' show protocols
}
check "three sessions Established" wait_for 30 all_up
check "10.96.1.0/24 in the kernel" wait_for 10 sh -c \
    "ip -n $ns_n route show proto 196 | grep -q '^10.96.1.0/24 via 192.0.2.1'"
check "10.96.4.0/24 in the kernel" wait_for 10 sh -c \
    "ip -n $ns_n route show proto 196 | grep -q '^10.96.4.0/24 via 192.0.2.1'"
check "the refusal of 10.200.0.0/16 is counted" wait_for 10 jq_py \
    'any(p["rejected"].get("not in cluster CIDRs", 0) > 0
    for p in d["protocols"])' show protocols all
check "10.96.5.0/24 learned" wait_for 10 jq_py \
    'd["loc_rib"]["paths"] == 1' show route 10.96.5.0/24 explain

# --- show fib -----------------------------------------------------------
admin show fib >"$tmp/out"
check "show fib exits 0" [ $? -eq 0 ]
check "show fib: a header" grep -Eq '^Prefix +Type +Next hop +Flags' \
    "$tmp/out"
check "show fib: ours with its interface" grep -Eq \
    '^10\.96\.1\.0/24 +unicast +192\.0\.2\.1 dev veth1$' "$tmp/out"
check "show fib: the foreign one, flagged and explained" grep -Eq \
    '^10\.96\.3\.0/24 .*foreign.*held by a route of another protocol' \
    "$tmp/out"
check "show fib: the summary counts" grep -Eq \
    '^2 routes of podbgp in the kernel \(0 stale, 0 unknown\), 1 prefixes held by other protocols, 0 queued; 1 differ from the Loc-RIB$' \
    "$tmp/out"
check "show fib is JSON" jq_py 'd["summary"] == {"routes": 2, "stale": 0,
    "unknown": 0, "foreign": 1, "queued": 0, "differences": 1, "resyncs": 0,
    "resyncing": False} and
    d["not_installed"] == [] and
    [r["nexthops"][0]["interface"] for r in d["routes"]
    if r["prefix"] == "10.96.1.0/24"] == ["veth1"] and
    [r["rib"] for r in d["routes"] if r["prefix"] == "10.96.3.0/24"] ==
    ["foreign"]' show fib
check "show fib PREFIX: that one only" sh -c "\"$ctl\" -s $tmp/admin.ctl \
    show fib 10.96.4.0/24 | grep -c '^10\\.' | grep -qx 1"
check "show fib count: the summary only" sh -c "\"$ctl\" -s \
    $tmp/admin.ctl show fib count | grep -c . | grep -qx 1"
check "the read-only socket serves show fib" sh -c "\"$ctl\" -s $tmp/ro.ctl \
    show fib count >/dev/null"

# --- show route ... table kernel -----------------------------------------
admin show route table kernel >"$tmp/out"
check "table kernel: ours" grep -Eq '^10\.96\.4\.0/24 +unicast +192\.0\.2\.1' \
    "$tmp/out"
check "table kernel: not the foreign one" not grep -q '^10\.96\.3\.0' \
    "$tmp/out"
check "table kernel count" sh -c "\"$ctl\" -s $tmp/admin.ctl sh ro c t k |
    grep -qx '2 prefixes, 2 next hops'"
check "table kernel for ADDRESS is JSON" jq_py \
    '[r["prefix"] for r in d["routes"]] == ["10.96.1.0/24"]' \
    show route for 10.96.1.77 table kernel

# --- explain --------------------------------------------------------------
# both ToRs' paths must have arrived (under load tor-b's may come later)
explain_two() {
	admin show route 10.96.4.0/24 explain >"$tmp/out" &&
	    grep -q '^10.96.4.0/24: in the Loc-RIB: 2 paths, 1 selected' \
	    "$tmp/out"
}
check "explain exits 0, two paths, one selected" wait_for 10 explain_two
check "explain: the MED decided" grep -Eq \
    '^  - from tor-b \(192\.0\.2\.3\), path id 0: not selected: the best wins on lowest MED' \
    "$tmp/out"
check "explain: the next hop is connected" grep -Eq \
    '^    next hop 192\.0\.2\.1: on a connected link: 192\.0\.2\.1 dev veth1' \
    "$tmp/out"
check "explain: in the kernel" grep -Eq '^Kernel: installed$' "$tmp/out"
check "explain in JSON" jq_py '[p["state"] for p in d["paths"]] ==
    ["best", "not_selected"] and d["paths"][1]["decided_by"] ==
    "lowest MED" and d["paths"][1]["med"] == 20 and
    d["kernel"]["state"] == "installed"' show route 10.96.4.0/24 explain
admin show route 10.96.5.0/24 explain >"$tmp/out"
check "explain: the unresolved next hop" grep -Eq \
    '^    next hop 203\.0\.113\.7: unresolved' "$tmp/out"
check "explain: not feasible" grep -q 'not feasible: next hop unreachable' \
    "$tmp/out"
check "explain: not in the kernel, why" grep -Eq \
    '^Kernel: not selected in the Loc-RIB' "$tmp/out"
check "explain unresolved in JSON" jq_py \
    'd["paths"][0]["nexthop_resolution"]["kind"] == "unresolved" and
    d["loc_rib"]["selected"] == 0' show route 10.96.5.0/24 explain
admin show route 10.200.0.0/16 explain >"$tmp/out"
check "explain: the refusal, by whom and why" grep -Eq \
    '^  10\.200\.0\.0/16 refused by the import policy of tor-a: not in cluster CIDRs \([0-9]+ s ago\); the policy still refuses it$' \
    "$tmp/out"
check "explain: not in the Loc-RIB" grep -q \
    '^10.200.0.0/16: not in the Loc-RIB' "$tmp/out"
check "explain refusal in JSON" jq_py '[(r["from"], r["now"]) for r in
    d["rejected"]] == [("tor-a", "not in cluster CIDRs")]' \
    show route 10.200.0.0/16 explain
check "explain for ADDRESS: the refusal that holds it" sh -c "\"$ctl\" -s \
    $tmp/admin.ctl show route for 10.200.1.1 explain | grep -q \
'^  10.200.0.0/16 refused by the import policy of tor-a'"
check "explain: the foreign route holds it" sh -c "\"$ctl\" -s \
    $tmp/admin.ctl sh ro 10.96.3.0/24 ex | grep -q '^Kernel: held by a \
route of another protocol'"
check "explain for ADDRESS" sh -c "\"$ctl\" -s $tmp/admin.ctl show route \
    for 10.96.1.9 explain | grep -q 'the most specific route is \
10.96.1.0/24'"

# the cluster grows: the policy accepts now what it refused, and the
# refusal remembered says so
sed 's|cluster-cidrs: \[10.96.0.0/16\]|cluster-cidrs: [10.96.0.0/16, 10.200.0.0/16]|' \
    "$tmp/podbgpd.yaml" >"$tmp/podbgpd2.yaml"
check "configure with a larger cluster" sh -c "\"$ctl\" -s $tmp/admin.ctl \
    configure $tmp/podbgpd2.yaml >/dev/null"
check "the refused route comes again, accepted" wait_for 10 jq_py \
    'd["loc_rib"]["selected"] == 1 and [r["now"] for r in d["rejected"]]
    == ["accepted"]' show route 10.200.0.0/16 explain

# --- show protocols: advertised, graceful restart -------------------------
check "protocols: the Advertised column" sh -c "\"$ctl\" -s \
    $tmp/admin.ctl show protocols tor-a | grep -Eq \
'^tor-a +192\.0\.2\.1 +65001 +Established +[0-9:]+ +[0-9]+ +[0-9]+ +1 *$'"
admin show protocols all tor-a >"$tmp/out"
check "protocols all: advertised" grep -Eq \
    '^  Advertised: +1 own pod CIDRs exported now$' "$tmp/out"
check "protocols all: graceful restart" grep -Eq \
    '^  Graceful restart: negotiated; peer not restarting$' "$tmp/out"
check "protocols all: End-of-RIB" grep -Eq \
    '^  End-of-RIB: +sent yes, received IPv4 unicast' "$tmp/out"
check "protocols all in JSON" jq_py 'd["protocols"][0]["prefixes_advertised"]
    == 1 and d["protocols"][0]["graceful_restart"]["eor_sent"]' \
    show protocols all tor-a

# --- errors as JSON -------------------------------------------------------
admin -j show bogus >"$tmp/out" 2>"$tmp/err"
check "a JSON syntax error exits 1" [ $? -eq 1 ]
check "a JSON syntax error is JSON" python3 -c "import json,sys
d = json.load(open('$tmp/out'))
sys.exit(0 if d['error']['code'] == 9001 and
    'bogus' in d['error']['message'] else 1)"
admin -j show route protocol nosuch >"$tmp/out" 2>&1
check "a JSON run-time error exits 1" [ $? -eq 1 ]
check "a JSON run-time error is JSON" python3 -c "import json,sys
d = json.load(open('$tmp/out'))
sys.exit(0 if d['error']['code'] == 8001 else 1)"
"$ctl" -j -s "$tmp/ro.ctl" disable tor-a >"$tmp/out" 2>&1
check "refused on the read-only socket: JSON, exit 1" python3 -c "
import json,sys
d = json.load(open('$tmp/out'))
sys.exit(0 if d['error']['code'] == 8003 else 1)"
# --- the ToRs restart: graceful restart, podbgpd helping -----------------
kill -KILL "$bird_pid"
wait "$bird_pid" 2>/dev/null
forget "$bird_pid"
check "tor-a restarting: its paths held as stale" wait_for 10 sh -c \
    "\"$ctl\" -s $tmp/admin.ctl show protocols all tor-a | grep -Eq \
'^  Graceful restart: peer restarting: its paths held as stale \
\(4 when it went down\), ([12][0-9]|30) s left$'"
check "restarting in JSON" jq_py 'd["protocols"][0]["graceful_restart"]
    ["peer_restarting"] and d["protocols"][0]["graceful_restart"]
    ["stale_paths_marked"] == 4' show protocols all tor-a
check "explain: the path is stale" sh -c "\"$ctl\" -s $tmp/admin.ctl \
    show route 10.96.1.0/24 explain | grep -q 'best (stale: graceful \
restart)$'"
check "show fib: the route stays in the kernel" sh -c "\"$ctl\" -s \
    $tmp/admin.ctl show fib 10.96.1.0/24 | grep -q '^10\.96\.1\.0/24 '"
check "no sanitizer report" no_sanitizer_report

stop_podbgpd
finish true
