#!/bin/sh
# How fast podbgpd's kernel routes fail over when one of two ECMP
# upstreams goes away, and come back: the figures to weigh kernel
# next-hop objects (RTA_NH_ID, next-hop groups) against, with which a
# failover would be one group rewritten instead of n routes.
#
# podbgpd runs in a namespace with two veth links, to-a to namespace A
# and to-b to namespace B; each of those runs a tests/bench/feeder announcing
# the same n IPv4 /24s from 32.0.0.0, next hop its own address, both from
# AS 65100 (podbgpd's multipath needs one neighbour AS for eBGP), so that
# every prefix is one kernel route with two next hops (fib.max-paths 2).
# The kernel is watched by tests/bench/nl_count in podbgpd's namespace:
# -r counts the route replacements (NLM_F_REPLACE notifications), -m 2
# or -m 1 only those leaving two paths or one. Figures:
#
#   install        B alone: from B's first UPDATE byte to n routes in
#   ECMP install   A joins: from A's first UPDATE byte to n routes
#                  replaced by two-path ones
#   session down   A's feeder killed (SIGKILL: its kernel closes the
#                  TCP connection): from just before the kill to n
#                  routes replaced by one-path ones via B, and to every
#                  sample address (first, middle and last prefix, each
#                  an address the kernel had hashed to A) routed via B
#                  by `ip route get` (polled every 20 ms, plus the
#                  time of three ip(8) runs: a resolution of some tens
#                  of ms)
#   session up     a new feeder for A: from its first UPDATE byte to n
#                  two-path routes again
#   link down      `ip link set to-a down` in podbgpd's namespace: the
#                  kernel marks the next hop dead at once (the data
#                  plane is via B), podbgpd then rewrites n routes; the
#                  BGP session over the link stays up (hold time 600 s)
#   link up        the link back up: to n two-path routes again
#   carrier down   `ip link set to-p down` in A: podbgpd's end loses its
#                  carrier; the kernel keeps using the next hop (only
#                  marked linkdown), so the data plane waits for
#                  podbgpd's rewrite
#   carrier up     A's end up again: to n two-path routes
#   reference      the same n routes written by `ip -batch` as nhid 10,
#                  a kernel next-hop group of next hops 1 (A) and 2 (B),
#                  in a fourth namespace, podbgpd stopped: the group
#                  replaced by 2 and back by 1/2 (the time ip(8) takes:
#                  the kernel's work; the route notifications it still
#                  sends, read by nl_count -r; the data plane, polled
#                  only after ip returned), then the same with the
#                  namespace's net.ipv4.nexthop_compat_mode 0 (no route
#                  notifications), then to-a down (the kernel drops next
#                  hop 1 from the group itself)
# routes/s is n over the time. Never fails on time: a phase that does
# not end within its limit is reported as such; exits non-zero only when
# the set-up fails (no session, no multipath route).
#
#   bench_fib_failover.sh [-n prefixes]	(default 1,000,000)
#
# Environment: BENCH_KEEP=1 keeps the logs;
# BENCH_SKIP=session,link,carrier,nh leaves scenarios out.
#
# Needs root, ip(8). Only processes started here are signalled, only
# namespaces made here (prefix pbf<pid>) deleted.
#
# Measured on 2026-11-28, podbgpd of main at 835bbd2, Linux 6.18 in a VM
# with 2 CPUs shared with other builds (noisy: from run to run the
# million-route times moved by some 35 %), seconds:
#
#                        n = 5,000                n = 1,000,000
#                        rewritten  data plane    rewritten  data plane
#   install (B alone)    0.020                    5.15
#   ECMP install         0.024                    5.21
#   session down         0.019      0.004         3.44       3.45
#   session up           0.035                    5.23
#   link down            0.029      0.004         5.30       0.054
#   link up              0.031                    5.50
#   carrier down         0.029      0.032         5.61       5.29
#   carrier up           0.031                    5.75
#   reference: next-hop group, ip -batch install 0.061 s / 21.7 s;
#     group replaced     0.011      0.014         1.41       1.42
#     (route notifications read after 0.010 s / 1.39 s)
#     group back         0.012                    1.03
#     compat mode 0      0.004      0.008         0.003      0.006
#     link down          0.004      0.006         0.091      0.094
# A session back needed 1.5 to 5 s before its first UPDATE (podbgpd's
# Idle hold after the loss, the feeder retrying every 0.5 s), not in
# the figures above.
set -u
me=bench_fib_failover.sh
. "$(dirname "$0")/lib.sh"

podbgpd=${PODBGPD:-$(pwd)/src/podbgpd/podbgpd}
feeder=${FEEDER:-$(pwd)/tests/bench/feeder}
nl_count=${NL_COUNT:-$(pwd)/tests/bench/nl_count}
skip=${BENCH_SKIP:-}
n=1000000
while getopts n: o; do
	case $o in
	n) n=$OPTARG ;;
	*) echo "usage: bench_fib_failover.sh [-n prefixes]" >&2; exit 2 ;;
	esac
done

bench_need "$podbgpd" "$feeder" "$nl_count"
[ "$n" -ge 1 ] && [ "$n" -le 2097152 ] || {
	echo "bench_fib_failover.sh: -n from 1 to 2097152" >&2; exit 2; }

pfx=pbf$$
ns_p=$pfx-p	# podbgpd
ns_r=$pfx-r	# the reference: next-hop objects written by ip(8)
ns_a=$pfx-a	# feeder A, 192.0.2.1
ns_b=$pfx-b	# feeder B, 198.51.100.1
nh_a=192.0.2.1
nh_b=198.51.100.1
# the longest a phase may take (a million routes on a loaded machine)
limit=600
tmp=$(mktemp -d "${TMPDIR:-/tmp}/podbgp-failover.XXXXXX") || exit 99
pids=""
nss="$ns_p $ns_a $ns_b $ns_r"
trap bench_cleanup EXIT
trap 'exit 1' INT TERM HUP

now() {
	date +%s%N
}
# routes per second: rate COUNT SECONDS
rate() {
	echo "$1 $2" | awk '{ printf "%.0f", ($2 > 0 ? $1 / $2 : 0) }'
}
# the namespace watched and sampled: podbgpd's, then the reference's
ns_w=$ns_p
# watch NAME [nl_count options]: starts nl_count in that namespace,
# waits for it to be ready (its dump of a million routes takes a while)
watch_kernel() {
	wname=$1
	shift
	ip netns exec "$ns_w" "$nl_count" -n "$n" -T "$limit" "$@" \
	    >"$tmp/$wname.count" 2>&1 &
	count_pid=$!
	pids="$pids $count_pid"
	wait_for 120 grep -q '^ready' "$tmp/$wname.count" ||
	    die "nl_count did not start"
}
# replaced NAME [SECONDS]: waits for the watcher's "replaced" line; rep
# is its ns (empty past the limit)
replaced() {
	rep=""
	if wait_for "${2:-$limit}" grep -q '^replaced' "$tmp/$1.count"; then
		rep=$(val "$tmp/$1.count" replaced ns)
	fi
	stop "$count_pid"
}
# feed NAME NS LOCAL PEER: starts a feeder, waits for its session
feed() {
	ip netns exec "$2" "$feeder" -b "$3" -a "$4" -l 65100 -r 65000 \
	    -H 600 -n "$n" >"$tmp/$1.out" 2>&1 &
	feed_pid=$!
	pids="$pids $feed_pid"
	wait_for 90 grep -q '^established' "$tmp/$1.out" ||
	    die "no session between feeder $1 and podbgpd"
}
# the address of sample prefix number I (32.0.0.0 + I /24s), host H
addr() {
	awk -v i="$1" -v h="$2" 'BEGIN { v = 32 * 65536 + i
		printf "%d.%d.%d.%d", int(v / 65536), int(v / 256) % 256,
		    v % 256, h }'
}
# samples: for the first, middle and last prefix, an address the kernel
# routes via A now (the multipath hash picks per address)
pick_samples() {
	samples=""
	for i in 0 $((n / 2)) $((n - 1)); do
		h=1
		while [ "$h" -le 64 ]; do
			s=$(addr "$i" "$h")
			if ip -n "$ns_w" route get "$s" 2>/dev/null |
			    grep -q "via $nh_a "; then
				samples="$samples $s"
				break
			fi
			h=$((h + 1))
		done
	done
	[ -n "$samples" ] || die "no sample address routed via A"
}
# whether every sample is routed via B
via_b() {
	for s in $samples; do
		ip -n "$ns_w" route get "$s" 2>/dev/null |
		    grep -q "via $nh_b " || return 1
	done
}
# dataplane: polls every 0.02 s until every sample is via B; dp is the
# ns when the check that found them so began (empty past the limit)
dataplane() {
	dp=""
	i=0
	while [ "$i" -lt $((limit * 50)) ]; do
		t=$(now)
		if via_b; then
			dp=$t
			return
		fi
		i=$((i + 1))
		sleep 0.02
	done
}
# report WHAT T0 T1 [T2 [DP-WORD]]: one line of figures; T2, if set, the
# ns when the data plane was via B
report() {
	if [ -z "$3" ]; then
		echo "$1: not done within $limit s"
		return
	fi
	s=$(secs "$2" "$3")
	line="$1: $n routes rewritten in $s s ($(rate "$n" "$s") routes/s)"
	if [ $# -ge 4 ]; then
		if [ -n "$4" ]; then
			line="$line; data plane via B after $(secs "$2" "$4") s"
		else
			line="$line; data plane not via B within $limit s"
		fi
	fi
	echo "$line"
}
# two_paths: whether the first prefix is one route with two next hops
two_paths() {
	[ "$(ip -n "$ns_w" route show 32.0.0.0/24 | grep -c nexthop)" -eq 2 ]
}

# --- the network -------------------------------------------------------
for ns in "$ns_p" "$ns_a" "$ns_b"; do
	ip netns add "$ns" || exit 99
	ip -n "$ns" link set lo up
done
ip -n "$ns_p" link add to-a type veth peer name to-p netns "$ns_a" || exit 99
ip -n "$ns_p" link add to-b type veth peer name to-p netns "$ns_b" || exit 99
ip -n "$ns_a" addr add $nh_a/24 dev to-p
ip -n "$ns_p" addr add 192.0.2.2/24 dev to-a
ip -n "$ns_b" addr add $nh_b/24 dev to-p
ip -n "$ns_p" addr add 198.51.100.2/24 dev to-b
ip -n "$ns_a" link set to-p up
ip -n "$ns_b" link set to-p up
ip -n "$ns_p" link set to-a up
ip -n "$ns_p" link set to-b up
# the kernel sets IFF_RUNNING (operstate UP) only after its link watch,
# up to a second later; podbgpd takes next hops on a link without it as
# unreachable
oper_up() {
	ip -n "$ns_p" link show to-a | grep -q 'state UP' &&
	    ip -n "$ns_p" link show to-b | grep -q 'state UP'
}
wait_for 10 oper_up || die "the links did not come up"

echo "bench_fib_failover: $n IPv4 /24s from 32.0.0.0 via two ECMP" \
    "upstreams, $(nproc) CPUs, $(uname -r)"

# --- podbgpd -----------------------------------------------------------
cat >"$tmp/nodes.yaml" <<EOF
nodes:
  - name: node-p
    pod-cidrs: [10.244.1.0/24]
    addresses: [192.0.2.2]
EOF
cat >"$tmp/podbgpd.yaml" <<EOF
node-name: node-p
nodes:
  source: file
  file: $tmp/nodes.yaml
cluster-cidrs: [32.0.0.0/3]
fib:
  install: true
  max-paths: 2
bgp:
  asn: 65000
  router-id: 192.0.2.2
  peers:
    - address: $nh_a
      asn: 65100
      name: feeder-a
      passive: true
      hold-time: 600
    - address: $nh_b
      asn: 65100
      name: feeder-b
      passive: true
      hold-time: 600
control:
  socket: $tmp/podbgpd.ctl
  read-only-socket: $tmp/podbgpd.ro.ctl
log:
  level: info
EOF
ip netns exec "$ns_p" "$podbgpd" -d -f "$tmp/podbgpd.yaml" \
    >"$tmp/podbgpd.log" 2>&1 &
pod_pid=$!
pids="$pids $pod_pid"
wait_for 10 test -S "$tmp/podbgpd.ctl" || die "podbgpd did not start"
kill -0 "$pod_pid" 2>/dev/null || die "podbgpd did not start"

# --- B alone: n one-path routes -----------------------------------------
watch_kernel install
feed b "$ns_b" $nh_b 198.51.100.2
feed_b=$feed_pid
wait_for "$limit" grep -q '^full' "$tmp/install.count" ||
    die "podbgpd did not install $n routes from B within $limit s"
t0=$(sed -n 's/^first_update_ns=//p' "$tmp/b.out")
t1=$(val "$tmp/install.count" full ns)
stop "$count_pid"
s=$(secs "$t0" "$t1")
echo "install (B alone): $n routes in $s s ($(rate "$n" "$s") routes/s)"

# --- A joins: n two-path routes -----------------------------------------
watch_kernel ecmp -r -m 2
feed a "$ns_a" $nh_a 192.0.2.2
feed_a=$feed_pid
replaced ecmp
t1=$rep
if [ -z "$t1" ] || ! two_paths; then
	ip -n "$ns_p" route show 32.0.0.0/24 >&2
	die "no route with two next hops (ECMP) for 32.0.0.0/24"
fi
t0=$(sed -n 's/^first_update_ns=//p' "$tmp/a.out")
report "ECMP install (A joins)" "$t0" "$t1"

# --- the scenarios -------------------------------------------------------
# down_up NAME WHAT-DOWN WHAT-UP DOWN-COMMAND UP-COMMAND: one failover and
# its recovery through commands in podbgpd's or A's namespace
down_up() {
	pick_samples
	watch_kernel "$1-down" -r -m 1
	t0=$(now)
	$4
	dataplane
	replaced "$1-down"
	report "failover ($2)" "$t0" "$rep" "$dp"
	watch_kernel "$1-up" -r -m 2
	t0=$(now)
	$5
	oper=""
	wait_for "$limit" oper_up && oper=$(now)
	replaced "$1-up"
	report "recovery ($3)" "$t0" "$rep"
	[ -z "$oper" ] ||
	    echo "  (to-a was operationally up after $(secs "$t0" "$oper") s:" \
	    "the kernel's link watch)"
	two_paths || die "$1: no two-path route after the recovery"
}

case ",$skip," in
*,session,*) ;;
*)
	pick_samples
	watch_kernel session-down -r -m 1
	t0=$(now)
	# reaped at once, or dash may tell "Killed" in the middle of the
	# figures; the times run from t0 all the same
	stop "$feed_a" KILL
	dataplane
	replaced session-down
	report "failover (session down)" "$t0" "$rep" "$dp"
	watch_kernel session-up -r -m 2
	t3=$(now)
	feed a2 "$ns_a" $nh_a 192.0.2.2
	feed_a=$feed_pid
	replaced session-up
	t0=$(sed -n 's/^first_update_ns=//p' "$tmp/a2.out")
	report "recovery (session up, from A's first UPDATE byte)" "$t0" "$rep"
	echo "  (A's new session was up $(secs "$t3" "$t0") s after its" \
	    "feeder started: podbgpd's Idle and the feeder's retries)"
	two_paths || die "no two-path route after the session came back"
	;;
esac

link_down() { ip -n "$ns_p" link set to-a down; }
link_up() { ip -n "$ns_p" link set to-a up; }
carrier_down() { ip -n "$ns_a" link set to-p down; }
carrier_up() { ip -n "$ns_a" link set to-p up; }
case ",$skip," in
*,link,*) ;;
*)	down_up link "link down" "link up" link_down link_up ;;
esac
case ",$skip," in
*,carrier,*) ;;
*)	down_up carrier "carrier down" "carrier up" carrier_down carrier_up ;;
esac
kill -0 "$feed_a" 2>/dev/null && kill -0 "$feed_b" 2>/dev/null ||
    echo "note: a feeder's session ended during the link scenarios"

# --- the reference: next-hop objects -------------------------------------
# The same n routes written by ip -batch as "nhid 10", a group of next
# hops 1 (via A) and 2 (via B): what a failover costs the kernel when a
# daemon rewrites one group instead of n routes. The kernel still tells
# listeners of every route using the group (unless the namespace's
# net.ipv4.nexthop_compat_mode is 0): nl_count -r times those too.
case ",$skip," in
*,nh,*) exit 0 ;;
esac
# podbgpd and the feeders idle from here on: stopped, to leave the CPUs
stop "$feed_a"
stop "$feed_b"
stop "$pod_pid"
ns_w=$ns_r
ip netns add "$ns_r" || die "no namespace for the reference"
ip -n "$ns_r" link set lo up
ip -n "$ns_r" link add to-a type veth peer name e-a || exit 99
ip -n "$ns_r" link add to-b type veth peer name e-b || exit 99
ip -n "$ns_r" addr add 192.0.2.2/24 dev to-a
ip -n "$ns_r" addr add 198.51.100.2/24 dev to-b
for l in to-a to-b e-a e-b; do
	ip -n "$ns_r" link set "$l" up
done
if ! ip -n "$ns_r" nexthop add id 1 via $nh_a dev to-a 2>/dev/null; then
	echo "reference: this kernel has no next-hop objects"
	exit 0
fi
ip -n "$ns_r" nexthop add id 2 via $nh_b dev to-b &&
    ip -n "$ns_r" nexthop add id 10 group 1/2 ||
    die "reference: no next-hop group"
awk -v n="$n" 'BEGIN {
	for (i = 0; i < n; i++) {
		v = 32 * 65536 + i
		printf "route add %d.%d.%d.0/24 nhid 10 proto 196\n",
		    int(v / 65536), int(v / 256) % 256, v % 256
	} }' >"$tmp/ref.add"
t0=$(now)
ip -n "$ns_r" -batch "$tmp/ref.add" || die "reference: ip -batch failed"
t1=$(now)
rm -f "$tmp/ref.add"
two_paths || die "reference: no route with two next hops"
s=$(secs "$t0" "$t1")
echo "reference install (ip -batch, nhid 10): $n routes in $s s" \
    "($(rate "$n" "$s") routes/s)"
# group WHAT MEMBERS [-]: the group replaced; with a third argument no
# notification is awaited
group() {
	[ "$2" != 2 ] || pick_samples
	gi=$((gi + 1))
	watch_kernel "ref-$gi" -r
	t0=$(now)
	ip -n "$ns_r" nexthop replace id 10 group "$2" ||
	    die "reference: group $2 refused"
	t1=$(now)
	line="reference $1 (group 10 now $2): the kernel done in"
	line="$line $(secs "$t0" "$t1") s"
	if [ "$2" = 2 ]; then
		dataplane
		if [ -n "$dp" ]; then
			line="$line; data plane via B after $(secs "$t0" "$dp") s"
		fi
	fi
	if [ $# -ge 3 ]; then
		stop "$count_pid"
		echo "$line"
		return
	fi
	replaced "ref-$gi" 30
	if [ -n "$rep" ]; then
		line="$line; its $n route notifications read after"
		line="$line $(secs "$t0" "$rep") s"
	else
		line="$line; not $n route notifications within 30 s"
	fi
	echo "$line"
}
gi=0
group failover 2
group recovery 1/2
if ip netns exec "$ns_r" sysctl -qw net.ipv4.nexthop_compat_mode=0 \
    2>/dev/null; then
	echo "reference: nexthop_compat_mode 0 (no route notifications):"
	group failover 2 -
	group recovery 1/2 -
	ip netns exec "$ns_r" sysctl -qw net.ipv4.nexthop_compat_mode=1
fi
pick_samples
t0=$(now)
ip -n "$ns_r" link set to-a down
t1=$(now)
dataplane
line="reference failover (link down: the kernel drops next hop 1 from"
line="$line the group): done in $(secs "$t0" "$t1") s"
[ -z "$dp" ] || line="$line; data plane via B after $(secs "$t0" "$dp") s"
echo "$line"
exit 0
