#!/bin/sh
# The kernel FIB: podbgpd between two BIRD 2 routers (two ToRs in one AS)
# in network namespaces made here, checked with ip(8) in podbgpd's own
# namespace: routes of protocol 196 in table 254, withdrawal, ECMP from
# both ToRs as one multipath route and back, IPv6 with the link-local
# next hop, the blackhole for the node's own CIDR, a route of ours
# deleted by hand comes back, a foreign route for the same prefix stays
# untouched, a link going down takes its next hops out of the multipath
# route until it comes back, a restart after SIGKILL neither deletes nor
# re-adds the routes that did not change (ip monitor route watches) while
# the one that went away meanwhile is removed after End-of-RIB, an
# overflow of the monitor socket (ENOBUFS) leads to a full resync (routes,
# links and addresses changed meanwhile are noticed), and with
# keep-on-exit false SIGTERM removes our routes.
# Needs root, ip(8) and /usr/sbin/bird; exits 77 otherwise.
# KEEP=1 keeps the temporary directory.
set -u
me=fib.sh
srcdir=${srcdir:-$(dirname "$0")/../..}
. "$srcdir/tests/integration/lib.sh"

bird=${BIRD:-/usr/sbin/bird}
birdc=${BIRDC:-/usr/sbin/birdc}
ctl=${PODBGPCTL:-$(pwd)/src/podbgpctl/podbgpctl}
need_root
need_exec "$bird" "$birdc" "$ctl"
need_podbgpd
make_tmp fib

ns_a=pbf$$-a	# ToR A, BIRD, 192.0.2.1
ns_b=pbf$$-b	# ToR B, BIRD, 198.51.100.1
ns_n=pbf$$-n	# the node, podbgpd
for ns in "$ns_a" "$ns_b" "$ns_n"; do
	ip netns add "$ns" || exit 99
	namespaces="$namespaces $ns"
	ip -n "$ns" link set lo up
done
ip -n "$ns_a" link add veth0 type veth peer name toa netns "$ns_n" || exit 99
ip -n "$ns_b" link add veth0 type veth peer name tob netns "$ns_n" || exit 99
ip -n "$ns_a" addr add 192.0.2.1/24 dev veth0
ip -n "$ns_a" addr add 2001:db8:a::1/64 dev veth0 nodad
ip -n "$ns_b" addr add 198.51.100.1/24 dev veth0
ip -n "$ns_n" addr add 192.0.2.2/24 dev toa
ip -n "$ns_n" addr add 2001:db8:a::2/64 dev toa nodad
ip -n "$ns_n" addr add 198.51.100.2/24 dev tob
ip -n "$ns_a" link set veth0 up
ip -n "$ns_b" link set veth0 up
ip -n "$ns_n" link set toa up
ip -n "$ns_n" link set tob up
wait_for 10 sh -c "ip -n $ns_a -6 addr show dev veth0 scope link | \
    grep -q fe80 && ! ip -n $ns_a -6 addr show dev veth0 | grep -q tentative"
ll_a=$(ip -n "$ns_a" -6 addr show dev veth0 scope link |
    sed -n 's/.*inet6 \(fe80[^/]*\)\/.*/\1/p')

# a foreign route for a prefix ToR A will announce: podbgpd leaves it
ip -n "$ns_n" route add 10.96.3.0/24 via 192.0.2.1 proto static

# --- the ToRs (AS 65001) -------------------------------------------------
# one static protocol per prefix, so that birdc can withdraw each alone
bird_conf() {	# NAME ROUTER-ID LOCAL NEIGHBOR STATICS...
	name=$1 rid=$2 local=$3 nbr=$4
	shift 4
	{
		echo "log \"$tmp/$name.log\" all;"
		echo "router id $rid;"
		echo "protocol device { }"
		for s in "$@"; do
			echo "protocol static ${s%%=*} {"
			case ${s#*=} in
			*:*)	echo "	ipv6;" ;;
			*)	echo "	ipv4;" ;;
			esac
			echo "	route ${s#*=} blackhole;"
			echo "}"
		done
		cat <<EOF
protocol bgp node {
	local $local as 65001;
	neighbor $nbr as 65000;
	connect delay time 1;
	connect retry time 2;
	error wait time 1, 4;
	ipv4 { import none; export where proto ~ "s*"; };
}
EOF
	} >"$tmp/$name.conf"
}
bird_conf bird-a 192.0.2.1 192.0.2.1 192.0.2.2 \
    s1=10.96.1.0/24 secmp=10.96.2.0/24 sforeign=10.96.3.0/24 \
    skeep=10.96.4.0/24 sgone=10.96.5.0/24 s6=fd00:96::/48 \
    sfail=10.96.6.0/24
cat >>"$tmp/bird-a.conf" <<EOF
protocol bgp node6 {
	local 2001:db8:a::1 as 65001;
	neighbor 2001:db8:a::2 as 65000;
	connect delay time 1;
	connect retry time 2;
	error wait time 1, 4;
	ipv6 { import none; export where proto = "s6"; };
}
EOF
bird_conf bird-b 198.51.100.1 198.51.100.1 198.51.100.2 \
    secmp=10.96.2.0/24 sfail=10.96.6.0/24
# ToR A's path to 10.96.6.0/24 is longer: a backup, not an ECMP member
sed -i 's/export where proto ~ "s\*";/export filter { if proto = "sfail" then \
bgp_path.prepend(65001); if proto ~ "s*" then accept; reject; };/' \
    "$tmp/bird-a.conf"
for r in a b; do
	eval ns=\$ns_$r
	ip netns exec "$ns" "$bird" -f -c "$tmp/bird-$r.conf" \
	    -s "$tmp/bird-$r.ctl" -P "$tmp/bird-$r.pid" \
	    >"$tmp/bird-$r.out" 2>&1 &
	started $!
done
birdc_at() {	# a|b ARGS...
	r=$1
	shift
	eval ns=\$ns_$r
	ip netns exec "$ns" "$birdc" -s "$tmp/bird-$r.ctl" "$@" >/dev/null 2>&1
}
for r in a b; do
	if ! wait_for 10 birdc_at $r show status; then
		echo "bird $r did not start"
		cat "$tmp/bird-$r.out"
		exit 99
	fi
done

# --- podbgpd (AS 65000) ----------------------------------------------------
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
cluster-cidrs: [10.0.0.0/8, "fd00::/8"]
bgp:
  asn: 65000
  router-id: 192.0.2.2
  peers:
    - address: 192.0.2.1
      asn: 65001
      name: tor-a
    - address: 198.51.100.1
      asn: 65001
      name: tor-b
    - address: "2001:db8:a::1"
      asn: 65001
      name: tor-a6
fib:
  table: 254
  protocol: 196
  max-paths: 4
  blackhole-own-cidr: true
control:
  socket: $tmp/podbgpd.ctl
  read-only-socket: $tmp/podbgpd.ro.ctl
log:
  level: debug
EOF

# routes of ours in the node's main table
kroutes() {
	ip -n "$ns_n" "$@" route show table 254 proto 196
}
kroute_has() {	# REGEX [-6]
	kroutes ${2:-} | grep -Eq -- "$1"
}
kroute_lacks() {
	! kroute_has "$@"
}
# the multipath route for 10.96.2.0/24 with both ToRs
ecmp_both() {
	kroutes | sed -n '/^10\.96\.2\.0\/24/,/^[^[:space:]]/p' >"$tmp/ecmp"
	grep -Eq 'nexthop via 192\.0\.2\.1 dev toa' "$tmp/ecmp" &&
	    grep -Eq 'nexthop via 198\.51\.100\.1 dev tob' "$tmp/ecmp"
}
dump() {
	echo "--- ip route (node)"
	ip -n "$ns_n" route show table 254
	ip -n "$ns_n" -6 route show table 254
	echo "--- ip monitor (from the SIGKILL on)"
	cat "$tmp/monitor.restart" 2>/dev/null
}

start_podbgpd "$ns_n"

check "single path: 10.96.1.0/24 via ToR A" wait_for 30 \
    kroute_has '^10\.96\.1\.0/24 via 192\.0\.2\.1 dev toa'
check "ECMP: one multipath route over both ToRs" wait_for 30 ecmp_both
check "blackhole for the own pod CIDR" wait_for 10 \
    kroute_has '^blackhole 10\.244\.1\.0/24'
check "IPv6 with the link-local next hop on its interface" wait_for 30 \
    kroute_has "^fd00:96::/48 via $ll_a dev toa" -6
check "the foreign route is left alone" \
    ip -n "$ns_n" route show 10.96.3.0/24 proto static | grep -q 192.0.2.1
check "no route of ours beside it" kroute_lacks '^10\.96\.3\.0/24'
check "the foreign route is logged" wait_for 10 \
    log_has 'fib: 10\.96\.3\.0/24 is held by a route of another protocol'
check "nothing goes into another table" \
    not sh -c "ip -n $ns_n route show table all proto 196 | grep -q ' table '"

# --- withdrawals ---------------------------------------------------------
birdc_at b disable secmp
check "ToR B withdraws: back to a single path via ToR A" wait_for 10 \
    kroute_has '^10\.96\.2\.0/24 via 192\.0\.2\.1 dev toa'
birdc_at b enable secmp
check "ToR B announces again: multipath again" wait_for 10 ecmp_both
birdc_at a disable s1
check "withdrawn route leaves the kernel" wait_for 10 \
    kroute_lacks '^10\.96\.1\.0/24'

# --- hands on our routes -------------------------------------------------
ip -n "$ns_n" route del 10.96.4.0/24 proto 196
check "a route of ours deleted by hand comes back" wait_for 10 \
    kroute_has '^10\.96\.4\.0/24 via 192\.0\.2\.1'
check "the re-installation is logged" \
    log_has 'route 10\.96\.4\.0/24 of ours was deleted by someone else'

ip -n "$ns_n" route replace 10.96.4.0/24 via 198.51.100.1 proto 196
check "a route of ours changed by hand is restored" wait_for 10 \
    kroute_has '^10\.96\.4\.0/24 via 192\.0\.2\.1'
check "the restoration is logged" \
    log_has 'route 10\.96\.4\.0/24 of ours was changed by someone else'
ip -n "$ns_n" route add 10.96.9.0/24 via 192.0.2.1 proto 196
check "a route with our number nobody announced is removed" wait_for 10 \
    kroute_lacks '^10\.96\.9\.0/24'

# --- restart after SIGKILL -----------------------------------------------
ip -n "$ns_n" monitor route >"$tmp/monitor" 2>&1 &
mon_pid=$!
started "$mon_pid"
sleep 0.5
kill -KILL "$pod_pid"
wait "$pod_pid" 2>/dev/null
forget "$pod_pid"
# what the monitor shows from here on is the restart's doing
mark=$(wc -l <"$tmp/monitor")
check "routes stay in the kernel after SIGKILL" \
    kroute_has '^10\.96\.4\.0/24 via 192\.0\.2\.1'
# gone while podbgpd is down
birdc_at a disable sgone
start_podbgpd "$ns_n"
check "the routes of the last run are adopted" wait_for 10 \
    log_has 'fib: table 254, protocol 196: [1-9][0-9]* routes of ours adopted'
check "End-of-RIB from both ToRs, then the stale sweep" wait_for 30 \
    log_has 'fib: [0-9]+ stale routes to remove'
check "the route gone meanwhile is removed" wait_for 10 \
    kroute_lacks '^10\.96\.5\.0/24'
sleep 1
tail -n +$((mark + 1)) "$tmp/monitor" >"$tmp/monitor.restart"
check "the monitor saw that deletion" \
    grep -Eq '^Deleted 10\.96\.5\.0/24' "$tmp/monitor.restart"
check "unchanged routes were not deleted" \
    not grep -Eq '^Deleted (10\.96\.[24]\.0/24|blackhole 10\.244|fd00:96)' \
    "$tmp/monitor.restart"
check "nor added again" \
    not grep -Eq '^(10\.96\.[24]\.0/24|blackhole 10\.244|fd00:96)' \
    "$tmp/monitor.restart"
check "the multipath route is intact" ecmp_both
check "IPv6 route intact" \
    kroute_has "^fd00:96::/48 via $ll_a dev toa" -6
check "and the foreign route too" \
    ip -n "$ns_n" route show 10.96.3.0/24 proto static | grep -q 192.0.2.1

# --- a link goes down and comes back -------------------------------------
# (ToR B's link: IPv6 addresses, which ToR A's link also carries, do not
# survive a link going down)
check "a best path and a backup: 10.96.6.0/24 via ToR B only" wait_for 10 \
    kroute_has '^10\.96\.6\.0/24 via 198\.51\.100\.1 dev tob'
ip -n "$ns_n" link set tob down
check "link to ToR B down: 10.96.6.0/24 fails over to ToR A's longer path" \
    wait_for 10 kroute_has '^10\.96\.6\.0/24 via 192\.0\.2\.1 dev toa'
ip -n "$ns_n" link set tob up
# BIRD saw its link lose carrier and resets the session: B's routes come
# back with it (BIRD's error wait and our idle hold may take a while)
check "link up again: back to ToR B" wait_for 60 \
    kroute_has '^10\.96\.6\.0/24 via 198\.51\.100\.1 dev tob'
check "... and the multipath route over both ToRs" wait_for 60 ecmp_both
ip -n "$ns_n" link set tob down
check "link to ToR B down: single path via ToR A" wait_for 10 \
    kroute_has '^10\.96\.2\.0/24 via 192\.0\.2\.1 dev toa'
ip -n "$ns_n" link set tob up
check "link up again: multipath again" wait_for 20 ecmp_both

# --- notifications lost: podbgpd stopped while 40000 routes change -------
# elsewhere (table 100) overflows its monitor socket; meanwhile a route of
# ours goes, and after the flood (its news lost too) a link and the
# address of the IPv6 session's subnet: the next hop of fd00:96::/48 is
# on no connected subnet any more. The overflow (ENOBUFS) makes it read
# links, addresses and routes again (40000 routes more to dump: many
# turns of the loop).
ours() {	# how many routes of ours the kernel has
	{ kroutes; kroutes -6; } | grep -c '^[^[:space:]]'
}
ip -n "$ns_n" link add gone0 type veth peer name gone1
check "before the loss: 5 routes of ours" [ "$(ours)" -eq 5 ]
i=0
while [ "$i" -lt 40000 ]; do
	echo "route add blackhole 172.16.$((i >> 8)).$((i & 255))/32 table 100"
	i=$((i + 1))
done >"$tmp/flood"
kill -STOP "$pod_pid"
ip -n "$ns_n" route del 10.96.4.0/24 proto 196
ip -n "$ns_n" -batch "$tmp/flood"
ip -n "$ns_n" link del gone0
ip -n "$ns_n" addr del 2001:db8:a::2/64 dev toa
kill -CONT "$pod_pid"
check "lost notifications are noticed" wait_for 10 \
    log_has 'fib: kernel notifications lost \(ENOBUFS\)'
check "the resync is logged" wait_for 10 \
    log_has 'fib: resynchronising with the kernel$'
# 4 of ours in the kernel: 10.96.4.0/24 is the one gone
check "its end, with the figures" wait_for 10 log_has "fib: \
resynchronised: 4 routes of ours in the kernel, [0-9]+ dirty, in [0-9]{1,4} ms$"
check "the resync puts back the route deleted meanwhile" wait_for 10 \
    kroute_has '^10\.96\.4\.0/24 via 192\.0\.2\.1'
check "and leaves the other table alone" \
    [ "$(ip -n "$ns_n" route show table 100 | wc -l)" -eq 40000 ]
check "the link deleted meanwhile is forgotten" \
    log_has 'fib: link gone0 is gone'
check "the address deleted meanwhile too: fd00:96::/48 leaves the kernel" \
    wait_for 10 kroute_lacks '^fd00:96::/48' -6
check "show fib counts the resync" sh -c "'$ctl' -s '$tmp/podbgpd.ctl' \
    show fib count | grep -q '; 1 resyncs with the kernel\$'"
ip -n "$ns_n" addr add 2001:db8:a::2/64 dev toa nodad
check "the address back: so is fd00:96::/48" wait_for 10 \
    kroute_has "^fd00:96::/48 via $ll_a dev toa" -6

# --- stop: routes stay by default (keep-on-exit) --------------------------
stop_podbgpd
check "routes stay after SIGTERM" \
    kroute_has '^10\.96\.4\.0/24 via 192\.0\.2\.1'
check "the exit says so" log_has 'fib: leaving [0-9]+ routes in the kernel'

# --- keep-on-exit: false: adopted, then all removed at SIGTERM -------------
sed -i 's/^  blackhole-own-cidr: true$/&\n  keep-on-exit: false/' \
    "$tmp/podbgpd.yaml"
start_podbgpd "$ns_n"
check "keep-on-exit false: routes learned again" wait_for 30 \
    sh -c "[ \$(grep -c 'stale routes to remove' '$tmp/podbgpd.log') -ge 3 ]"
stop_podbgpd
check "keep-on-exit false: no route of ours after SIGTERM" \
    [ -z "$(kroutes; kroutes -6)" ]
check "and the foreign route is still there" \
    ip -n "$ns_n" route show 10.96.3.0/24 proto static | grep -q 192.0.2.1
check "no sanitizer report" no_sanitizer_report

finish dump
