#!/bin/sh
# fib.c without BGP (tests/daemon/fib_drive fills the RIB): IPv6 ECMP in
# a namespace made here, with link-local and with global next hops, each
# on its interface; back to one path; a second run adopts the multipath
# routes without rewriting them (ip monitor route); `stop flush` removes
# them. Needs root and ip(8); exits 77 otherwise.
set -u
me=fib_drive.sh
srcdir=${srcdir:-$(dirname "$0")/../..}
. "$srcdir/tests/integration/lib.sh"

drive=${FIB_DRIVE:-$(pwd)/tests/daemon/fib_drive}
need_root
need_exec "$drive"
make_tmp fibd

ns=pbfd$$
ip netns add "$ns" || exit 99
namespaces="$namespaces $ns"
for i in 0 1; do
	ip -n "$ns" link add d$i type veth peer name e$i || exit 99
done
for i in lo d0 e0 d1 e1; do
	ip -n "$ns" link set "$i" up
done
ip -n "$ns" addr add 2001:db8:a::2/64 dev d0 nodad
ip -n "$ns" addr add 2001:db8:b::2/64 dev d1 nodad

routes() {
	ip -n "$ns" -6 route show table 254 proto 196
}
# has PREFIX REGEX...: the route for PREFIX has a line for every REGEX
has() {
	p=$1
	shift
	routes | sed -n "\\|^$p|,\\|^[^[:space:]]|p" >"$tmp/r"
	for re in "$@"; do
		grep -Eq -- "$re" "$tmp/r" || return 1
	done
}
# run: fib_drive in the namespace on the commands in $tmp/cmd
run() {
	cat "$tmp/cmd" | ip netns exec "$ns" "$drive" >"$tmp/out" 2>>"$tmp/log"
}
# session FILE: commands, then the state of the kernel into FILE once
# the driver is idle, then stop keep
session() {
	rm -f "$tmp/out"
	{
		cat
		echo wait
		# the driver answers "idle" once every request is answered
		while ! grep -q idle "$tmp/out" 2>/dev/null; do sleep 0.1; done
		routes >"$1"
		echo "stop keep"
	} | ip netns exec "$ns" "$drive" >"$tmp/out" 2>>"$tmp/log"
}

session "$tmp/s1" <<EOF
peer 2001:db8:a::1
peer 2001:db8:b::1
add fd00:1::/64 0 2001:db8:a::1 fe80::a
add fd00:1::/64 1 2001:db8:b::1 fe80::b
add fd00:2::/64 0 2001:db8:a::1
add fd00:2::/64 1 2001:db8:b::1
EOF
check "IPv6 ECMP over link-local next hops, each on its link" \
    has 'fd00:1::/64' 'nexthop via fe80::a dev d0' 'nexthop via fe80::b dev d1'
check "IPv6 ECMP over global next hops" \
    has 'fd00:2::/64' 'nexthop via 2001:db8:a::1 dev d0' \
    'nexthop via 2001:db8:b::1 dev d1'

ip -n "$ns" monitor route >"$tmp/monitor" 2>&1 &
started $!
sleep 0.3
session "$tmp/s2" <<EOF
peer 2001:db8:a::1
peer 2001:db8:b::1
add fd00:1::/64 0 2001:db8:a::1 fe80::a
add fd00:1::/64 1 2001:db8:b::1 fe80::b
add fd00:2::/64 0 2001:db8:a::1
add fd00:2::/64 1 2001:db8:b::1
sweep
EOF
sleep 0.3
check "a second run adopts them" grep -q '2 routes of ours adopted' \
    "$tmp/log"
check "and neither deletes nor rewrites them" \
    not grep -q 'fd00:' "$tmp/monitor"

session "$tmp/s3" <<EOF
peer 2001:db8:a::1
peer 2001:db8:b::1
add fd00:1::/64 0 2001:db8:a::1 fe80::a
add fd00:2::/64 1 2001:db8:b::1
sweep
EOF
check "one path left: a plain route via link-local" \
    has 'fd00:1::/64 via fe80::a dev d0'
check "one path left: a plain route via the global next hop" \
    has 'fd00:2::/64 via 2001:db8:b::1 dev d1'

printf 'stop flush\n' >"$tmp/cmd"
run
check "stop flush removes them" [ -z "$(routes)" ]
check "no warning logged" not grep -q '^warning' "$tmp/log"
check "no sanitizer report" \
    not grep -Eq 'runtime error|AddressSanitizer|LeakSanitizer' "$tmp/log"

finish true
