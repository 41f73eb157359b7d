#!/bin/sh
# Recursive next hops: an eBGP peer (ExaBGP) announces routes whose next
# hops are on no subnet of the node. podbgpd resolves them through the
# kernel's own routes (here static ones, as an IGP would install) and
# installs its routes via the gateways found, checked with ip(8) in the
# node's namespace: the route follows when the underlying route moves to
# another gateway, becomes multipath when that one is, goes away and is
# shown unusable when nothing leads to its next hop, comes back through
# the default route, and moves to a more specific route when one
# appears. A next hop inside a route of podbgp's own stays unresolved,
# and no request fails in the kernel. With reinstall-deleted: false a
# route of ours deleted by hand stays deleted.
# Needs root, ip(8) and exabgp; exits 77 otherwise. KEEP=1 keeps the
# temporary directory.
set -u
me=fib_recursive.sh
srcdir=${srcdir:-$(dirname "$0")/../..}
. "$srcdir/tests/integration/lib.sh"

exabgp=${EXABGP:-/usr/sbin/exabgp}
podbgpctl=${PODBGPCTL:-$(pwd)/src/podbgpctl/podbgpctl}
need_root
need_exec "$exabgp" "$(command -v python3 || echo python3)"
need_podbgpd
make_tmp fibrec

ns_t=pbr$$-t	# the ToR: ExaBGP at 192.0.2.1
ns_u=pbr$$-u	# a second router at 198.51.100.1 (no daemon)
ns_n=pbr$$-n	# the node: podbgpd at 192.0.2.2 and 198.51.100.2
for ns in "$ns_t" "$ns_u" "$ns_n"; do
	ip netns add "$ns" || exit 99
	namespaces="$namespaces $ns"
	ip -n "$ns" link set lo up
done
ip -n "$ns_t" link add veth0 type veth peer name tot netns "$ns_n" || exit 99
ip -n "$ns_u" link add veth0 type veth peer name tou netns "$ns_n" || exit 99
ip -n "$ns_t" addr add 192.0.2.1/24 dev veth0
ip -n "$ns_u" addr add 198.51.100.1/24 dev veth0
ip -n "$ns_n" addr add 192.0.2.2/24 dev tot
ip -n "$ns_n" addr add 198.51.100.2/24 dev tou
for x in "$ns_t:veth0" "$ns_u:veth0" "$ns_n:tot" "$ns_n:tou"; do
	ip -n "${x%:*}" link set "${x#*:}" up
done

# the underlay: 203.0.113.9 through the ToR, as an IGP would say
ip -n "$ns_n" route add 203.0.113.9/32 via 192.0.2.1 proto static

cat >"$tmp/exabgp.conf" <<EOF
neighbor 192.0.2.2 {
	router-id 192.0.2.1;
	local-address 192.0.2.1;
	local-as 65001;
	peer-as 65000;
	hold-time 30;
	family {
		ipv4 unicast;
	}
	static {
		route 10.95.1.0/24 next-hop 203.0.113.9;
		route 10.95.2.0/24 next-hop 203.0.113.9;
		route 10.95.3.0/24 next-hop 203.0.113.10;
		route 10.95.4.0/24 next-hop 192.0.2.1;
		route 10.95.5.0/24 next-hop 10.95.4.7;
	}
}
EOF
ip netns exec "$ns_t" env \
    exabgp_daemon_user=root \
    exabgp_daemon_daemonize=false \
    exabgp_daemon_pid="$tmp/exabgp.pid" \
    exabgp_log_destination=stdout \
    exabgp_log_level=INFO \
    exabgp_api_cli=false \
    exabgp_tcp_once=false \
    "$exabgp" "$tmp/exabgp.conf" >>"$tmp/exabgp.log" 2>&1 &
started $!

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
cluster-cidrs: [10.0.0.0/8]
bgp:
  asn: 65000
  router-id: 192.0.2.2
  peers:
    - address: 192.0.2.1
      asn: 65001
      name: tor
fib:
  max-paths: 4
  reinstall-deleted: false
control:
  socket: $tmp/podbgpd.ctl
  read-only-socket: $tmp/podbgpd.ro.ctl
log:
  level: debug
EOF

kroutes() {
	ip -n "$ns_n" route show table 254 proto 196
}
kroute_has() {
	kroutes | grep -Eq -- "$1"
}
kroute_lacks() {
	! kroute_has "$1"
}
# the lines of our route for PREFIX (a multipath route spans several)
kroute_of() {
	kroutes | sed -n "\\|^$1|,/^[^[:space:]]/p" | grep -v "^[^[:space:]]" |
	    tr -s ' '
	kroutes | grep "^$1"
}
multipath_both() {
	kroute_of 10.95.1.0/24 >"$tmp/mp"
	grep -q 'nexthop via 192.0.2.1 dev tot' "$tmp/mp" &&
	    grep -q 'nexthop via 198.51.100.1 dev tou' "$tmp/mp"
}
ctl_route() {
	ip netns exec "$ns_n" "$podbgpctl" -s "$tmp/podbgpd.ctl" \
	    show route all "$1" 2>&1
}
unusable() {
	ctl_route "$1" | grep -q 'next hop unreachable'
}
dump() {
	echo "--- ip route (node)"
	ip -n "$ns_n" route show table 254
	echo "--- exabgp (last 20 lines)"
	tail -n 20 "$tmp/exabgp.log"
}

start_podbgpd "$ns_n"

check "a connected next hop: 10.95.4.0/24 via the ToR" wait_for 30 \
    kroute_has '^10\.95\.4\.0/24 via 192\.0\.2\.1 dev tot'
check "a recursive next hop: via the underlying route's gateway" wait_for 10 \
    kroute_has '^10\.95\.1\.0/24 via 192\.0\.2\.1 dev tot'
check "every route through that next hop" \
    kroute_has '^10\.95\.2\.0/24 via 192\.0\.2\.1 dev tot'
check "the resolution is logged" log_has \
    'fib: next hop 203\.0\.113\.9 resolves through 203\.0\.113\.9/32'
check "an unresolvable next hop: no route" kroute_lacks '^10\.95\.3\.0/24'
check "... shown unusable in show route" wait_for 10 unusable 10.95.3.0/24
check "a next hop inside a BGP route does not resolve through it" \
    kroute_lacks '^10\.95\.5\.0/24'
check "... shown unusable in show route" wait_for 10 unusable 10.95.5.0/24

ip -n "$ns_n" route replace 203.0.113.9/32 via 198.51.100.1 proto static
check "the underlying route moves: ours follows" wait_for 10 \
    kroute_has '^10\.95\.1\.0/24 via 198\.51\.100\.1 dev tou'
check "... for every route through it" wait_for 10 \
    kroute_has '^10\.95\.2\.0/24 via 198\.51\.100\.1 dev tou'

ip -n "$ns_n" route replace 203.0.113.9/32 proto static \
    nexthop via 192.0.2.1 nexthop via 198.51.100.1
check "a multipath underlying route: ours is multipath" wait_for 10 \
    multipath_both

ip -n "$ns_n" route del 203.0.113.9/32
check "the underlying route goes: ours goes" wait_for 10 \
    kroute_lacks '^10\.95\.1\.0/24'
check "... shown unusable in show route" wait_for 10 unusable 10.95.1.0/24
check "the other routes stay" kroute_has '^10\.95\.4\.0/24 via 192\.0\.2\.1'

ip -n "$ns_n" route add default via 192.0.2.1 proto static
check "a default route appears: ours comes back through it" wait_for 10 \
    kroute_has '^10\.95\.1\.0/24 via 192\.0\.2\.1 dev tot'
check "a next hop inside our own route still does not resolve" \
    kroute_lacks '^10\.95\.5\.0/24'

ip -n "$ns_n" route add 203.0.113.0/24 via 198.51.100.1 proto static
check "a covering route appears: ours comes back" wait_for 10 \
    kroute_has '^10\.95\.1\.0/24 via 198\.51\.100\.1 dev tou'
check "... and 10.95.3.0/24's next hop resolves too" wait_for 10 \
    kroute_has '^10\.95\.3\.0/24 via 198\.51\.100\.1 dev tou'
check "show route no longer says unusable" not unusable 10.95.1.0/24

ip -n "$ns_n" link set tou down
check "the underlying link goes down: ours goes" wait_for 10 \
    kroute_lacks '^10\.95\.1\.0/24'
ip -n "$ns_n" link set tou up
ip -n "$ns_n" route replace 203.0.113.0/24 via 198.51.100.1 proto static
check "the link comes back: ours returns" wait_for 10 \
    kroute_has '^10\.95\.1\.0/24 via 198\.51\.100\.1 dev tou'

ip -n "$ns_n" route del 10.95.4.0/24 proto 196
check "reinstall-deleted: false: the deletion is logged" wait_for 10 \
    log_has 'route 10\.95\.4\.0/24 of ours was deleted by someone else: leaving it out'
sleep 1
check "... and the route stays deleted" kroute_lacks '^10\.95\.4\.0/24'

check "no kernel request failed" not log_has 'fib: (add|replace|delete) [^ ]+: '
stop_podbgpd
check "no sanitizer report" no_sanitizer_report
finish dump
