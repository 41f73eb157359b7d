#!/bin/sh
# podbgpd as the route reflector of its cluster, and as a transit for an
# external peer's export rules, against real BIRD 2 speakers. One bridge
# joins four namespaces: podbgpd (node-r, 192.0.2.1, labelled reflector),
# BIRD as node-a (.2) and node-b (.3), iBGP AS 65000 clients, and BIRD in
# AS 65010 (.10) with an export rule on podbgpd's side.
# Checked as the routers show it: a client's route reaches the other
# client with ORIGINATOR_ID and CLUSTER_LIST (RFC 4456), MED and next hop
# kept; it reaches the external peer with our AS in front, our address as
# next hop and no MED (RFC 4271 5.1); the external peer's route goes to
# no node; a withdrawal and a route refresh follow through.
# Needs root, ip(8) and /usr/sbin/bird; exits 77 otherwise. Every wait
# polls with a deadline; only processes started here are signalled, only
# namespaces made here are deleted. KEEP=1 keeps the temporary directory.
set -u
me=rr_session.sh
srcdir=${srcdir:-$(dirname "$0")/../..}
. "$srcdir/tests/integration/lib.sh"

bird=/usr/sbin/bird
birdc=/usr/sbin/birdc
need_root
need_exec "$bird" "$birdc"
need_podbgpd

pfx=prr$$
make_tmp rr

# --- the network: a bridge in its own namespace ------------------------
ip netns add "$pfx-br" || exit 99
namespaces="$namespaces $pfx-br"
ip -n "$pfx-br" link set lo up
ip -n "$pfx-br" link add br0 type bridge || exit 99
ip -n "$pfx-br" link set br0 up
addr_of() {
	case $1 in
	r) echo 192.0.2.1 ;;
	a) echo 192.0.2.2 ;;
	b) echo 192.0.2.3 ;;
	e) echo 192.0.2.10 ;;
	esac
}
for x in r a b e; do
	ip netns add "$pfx-$x" || exit 99
	namespaces="$namespaces $pfx-$x"
	ip -n "$pfx-$x" link set lo up
	ip -n "$pfx-$x" link add eth0 type veth peer name "v$x" \
	    netns "$pfx-br" || exit 99
	ip -n "$pfx-br" link set "v$x" master br0
	ip -n "$pfx-br" link set "v$x" up
	ip -n "$pfx-$x" addr add "$(addr_of $x)/24" dev eth0
	ip -n "$pfx-$x" link set eth0 up
done
for x in r a b e; do
	if ! wait_for 10 sh -c "ip -n $pfx-$x link show eth0 | \
	    grep -q 'state UP'"; then
		echo "$me: eth0 in $x does not come up"
		exit 99
	fi
done

# --- BIRD: node-a and node-b (AS 65000), the external router (65010) ---
# bird_conf NAME AS POD-CIDR
bird_conf() {
	cat >"$tmp/$1.conf" <<EOF
log "$tmp/$1.log" all;
router id $(addr_of $1);
protocol device { }
protocol direct { ipv4; interface "eth0"; }
protocol static pod {
	ipv4;
	route $3 blackhole { bgp_med = 50; };
}
protocol bgp r {
	local $(addr_of $1) as $2;
	neighbor 192.0.2.1 as 65000;
	connect delay time 1;
	connect retry time 2;
	error wait time 1, 4;
	ipv4 { import all; export where proto = "pod"; };
}
EOF
}
bird_conf a 65000 10.244.2.0/24
bird_conf b 65000 10.244.3.0/24
bird_conf e 65010 10.244.70.0/24
for x in a b e; do
	ip netns exec "$pfx-$x" "$bird" -f -c "$tmp/$x.conf" \
	    -s "$tmp/$x.ctl" -P "$tmp/$x.pid" >"$tmp/$x.out" 2>&1 &
	started $!
done
# birdc_on NAME ARGS...
birdc_on() {
	x=$1
	shift
	"$birdc" -s "$tmp/$x.ctl" "$@"
}
# route_on NAME PREFIX: "show route all PREFIX" of that BIRD in $tmp/NAME.r
route_on() {
	birdc_on "$1" show route all "$2" >"$tmp/$1.r" 2>&1 &&
	    grep -q "$2" "$tmp/$1.r"
}
has_on() {
	birdc_on "$1" show route all "$2" 2>/dev/null | grep -Eq -- "$3"
}
lacks_on() {
	! birdc_on "$1" show route "$2" 2>/dev/null | grep -q -- "$2"
}
for x in a b e; do
	if ! wait_for 10 birdc_on $x show status; then
		echo "$me: BIRD $x did not start"
		cat "$tmp/$x.out"
		exit 99
	fi
done

# --- podbgpd: node-r, the reflector ------------------------------------
cat >"$tmp/nodes.yaml" <<EOF
nodes:
  - name: node-r
    pod-cidrs: [10.244.1.0/24]
    addresses: [192.0.2.1]
    labels: {podbgp.io/route-reflector: "true"}
  - name: node-a
    pod-cidrs: [10.244.2.0/24]
    addresses: [192.0.2.2]
  - name: node-b
    pod-cidrs: [10.244.3.0/24]
    addresses: [192.0.2.3]
EOF
cat >"$tmp/podbgpd.yaml" <<EOF
node-name: node-r
nodes:
  source: file
  file: $tmp/nodes.yaml
cluster-cidrs: [10.0.0.0/8]
bgp:
  asn: 65000
  router-id: 192.0.2.1
  mesh:
    mode: route-reflector
    cluster-id: 10.0.0.7
  peers:
    - address: 192.0.2.10
      asn: 65010
      name: ext
      export:
        rules:
          - {prefix: 10.244.0.0/16, ge: 24, le: 24, action: accept}
control:
  socket: $tmp/podbgpd.ctl
  read-only-socket: $tmp/podbgpd.ro.ctl
log:
  level: debug
EOF
start_podbgpd "$pfx-r"

dump() {
	for x in a b e; do
		echo "--- BIRD $x: log, protocols, routes"
		cat "$tmp/$x.log" 2>/dev/null | tail -n 30
		birdc_on $x show protocols all r 2>&1
		birdc_on $x show route all 2>&1
	done
}

check "podbgpd knows it is the reflector" wait_for 10 \
    log_has "node node-r: route reflector"
for x in a b; do
	check "node-$x is a route-reflector client" \
	    log_has "\(node-$x\): mesh node added \(route-reflector client\)"
done
for x in a b e; do
	check "BIRD $x: session Established" wait_for 30 sh -c \
	    "'$birdc' -s '$tmp/$x.ctl' show protocols r | grep -q Established"
done

# --- reflection: node-a's route at node-b and back ---------------------
check "node-b gets node-a's pod CIDR through the reflector" wait_for 10 \
    route_on b 10.244.2.0/24
check "with node-a as next hop" grep -Eq 'via 192\.0\.2\.2 on eth0' \
    "$tmp/b.r"
check "with ORIGINATOR_ID node-a (RFC 4456)" \
    grep -Eq 'BGP\.originator_id: 192\.0\.2\.2$' "$tmp/b.r"
check "with our cluster ID in CLUSTER_LIST" \
    grep -Eq 'BGP\.cluster_list: 10\.0\.0\.7$' "$tmp/b.r"
check "with node-a's MED kept" grep -Eq 'BGP\.med: 50$' "$tmp/b.r"
check "with node-a's LOCAL_PREF" grep -Eq 'BGP\.local_pref: 100$' \
    "$tmp/b.r"
check "with an empty AS path" grep -Eq 'BGP\.as_path: *$' "$tmp/b.r"
check "node-a gets node-b's pod CIDR" wait_for 10 route_on a 10.244.3.0/24
check "with ORIGINATOR_ID node-b" \
    grep -Eq 'BGP\.originator_id: 192\.0\.2\.3$' "$tmp/a.r"
check "node-a gets the reflector's own pod CIDR" wait_for 10 \
    route_on a 10.244.1.0/24
check "without ORIGINATOR_ID (not reflected)" \
    not grep -q 'originator_id' "$tmp/a.r"
check "node-a does not get its own route back" \
    not has_on a 10.244.2.0/24 'from 192\.0\.2\.1'

# --- transit to the external peer ---------------------------------------
check "the external peer gets node-a's pod CIDR" wait_for 10 \
    route_on e 10.244.2.0/24
check "with our AS in front (AS path 65000)" \
    grep -Eq 'BGP\.as_path: 65000$' "$tmp/e.r"
check "with our address as next hop" grep -Eq 'BGP\.next_hop: 192\.0\.2\.1$' \
    "$tmp/e.r"
check "without node-a's MED" not grep -q 'BGP\.med' "$tmp/e.r"
check "without ORIGINATOR_ID or CLUSTER_LIST" \
    not grep -Eq 'originator_id|cluster_list' "$tmp/e.r"
check "the external peer gets node-b's and our pod CIDRs" wait_for 10 \
    sh -c "'$birdc' -s '$tmp/e.ctl' show route protocol r | \
    grep -q 10.244.3.0/24 && '$birdc' -s '$tmp/e.ctl' show route \
    protocol r | grep -q 10.244.1.0/24"
check "podbgpd accepts the external peer's route" wait_for 10 \
    log_has "neighbor 192\.0\.2\.10: accepted 10\.244\.70\.0/24"
check "which reaches no node (node-a)" lacks_on a 10.244.70.0/24
check "which reaches no node (node-b)" lacks_on b 10.244.70.0/24
check "and does not go back to the external peer" \
    not has_on e 10.244.70.0/24 'from 192\.0\.2\.1'

# --- withdrawal, route refresh ----------------------------------------
birdc_on a disable pod >/dev/null
check "node-a's withdrawal reaches node-b" wait_for 10 \
    lacks_on b 10.244.2.0/24
check "and the external peer" wait_for 10 lacks_on e 10.244.2.0/24
check "node-b keeps the reflector's own route" \
    route_on b 10.244.1.0/24
birdc_on a enable pod >/dev/null
check "node-a's route is back at node-b" wait_for 10 \
    route_on b 10.244.2.0/24
check "and at the external peer" wait_for 10 route_on e 10.244.2.0/24
birdc_on b reload in r >/dev/null
check "podbgpd answers node-b's route refresh" wait_for 10 \
    log_has "neighbor 192\.0\.2\.3: route refresh for IPv4"
check "node-b still has node-a's route after it" wait_for 10 \
    route_on b 10.244.2.0/24
check "node-b's session stayed up" \
    [ "$(log_count '192\.0\.2\.3 \(node-b\): Established')" -eq 1 ]

stop_podbgpd
check "podbgpd logs no ASan/UBSan report" no_sanitizer_report
finish dump
