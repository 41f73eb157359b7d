#!/bin/sh
# The demo: a top-of-rack router (BIRD 2) and two Kubernetes nodes running
# podbgpd, each in a network namespace made for this run. The nodes
# advertise their pod CIDRs (IPv4 and IPv6) to the ToR and learn its
# routes; a pod CIDR changes and a node stops, and the ToR follows. Then
# podbgp's codec decodes real sessions recorded between BIRD, FRR and
# GoBGP. Installs its dependencies and builds first.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
"$top/contrib/install-deps.sh" || exit 1

build=$top/build/demo
if [ ! -f "$build/Makefile" ]; then
	[ -x "$top/configure" ] || autoreconf -fi >/dev/null || exit 1
	mkdir -p "$build"
	(cd "$build" && "$top/configure" -q) || exit 1
fi
# make is cheap when nothing changed, and keeps a reused build current
make -s -C "$build" -j"$(nproc)" >/dev/null || exit 1
podbgpd=$build/src/podbgpd/podbgpd
podbgpctl=$build/src/podbgpctl/podbgpctl
decode=$build/src/tools/podbgp-decode

tmp=$(mktemp -d /tmp/podbgp-demo.XXXXXX) || exit 1
ns=pbdemo$$
pids=""
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	for p in $pids; do
		wait "$p" 2>/dev/null
	done
	for n in tor node-a node-b; do
		ip netns del "$ns-$n" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

say() { printf '\n== %s\n' "$*"; }
# wait_for SECONDS COMMAND...: polls until COMMAND succeeds.
wait_for() {
	limit=$(($1 * 5))
	shift
	i=0
	until "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -ge "$limit" ] && return 1
		sleep 0.2
	done
}
birdc() {
	ip netns exec "$ns-tor" /usr/sbin/birdc -s "$tmp/bird.ctl" "$@"
}
bird_has() {
	re=$1
	shift
	birdc "$@" 2>/dev/null | grep -Eq -- "$re"
}
bird_lacks() {
	! bird_has "$@"
}
die() {
	echo "demo: $*" >&2
	for f in "$tmp"/*.log; do
		echo "--- $f"
		tail -n 20 "$f"
	done
	exit 1
}

say "network: a ToR namespace with a bridge, two node namespaces on it"
ip netns add "$ns-tor" || exit 1
ip -n "$ns-tor" link set lo up
ip -n "$ns-tor" link add br0 type bridge
ip -n "$ns-tor" addr add 192.0.2.1/24 dev br0
ip -n "$ns-tor" addr add 2001:db8::1/64 dev br0 nodad
ip -n "$ns-tor" link set br0 up
i=11
for n in node-a node-b; do
	ip netns add "$ns-$n" || exit 1
	ip -n "$ns-$n" link set lo up
	ip -n "$ns-$n" link add eth0 type veth peer name "p-$n" \
	    netns "$ns-tor" || exit 1
	ip -n "$ns-tor" link set "p-$n" master br0 up
	ip -n "$ns-$n" addr add "192.0.2.$i/24" dev eth0
	ip -n "$ns-$n" addr add "2001:db8::$i/64" dev eth0 nodad
	ip -n "$ns-$n" link set eth0 up
	echo "$n: 192.0.2.$i, 2001:db8::$i (podbgpd, AS 65000)"
	i=$((i + 1))
done
echo "tor:    192.0.2.1, 2001:db8::1 (BIRD, AS 65001)"

cat >"$tmp/bird.conf" <<BIRD_CONF
log "$tmp/bird.log" all;
router id 192.0.2.1;
protocol device { }
protocol static services4 { ipv4; route 10.96.0.0/12 blackhole; }
protocol static services6 { ipv6; route fd00:96::/108 blackhole; }
template bgp node {
	local as 65001;
	connect delay time 1;
	connect retry time 2;
	error wait time 1, 4;
	ipv4 { import all; export where proto = "services4"; };
	ipv6 { import all; export where proto = "services6"; };
}
protocol bgp node_a from node { neighbor 192.0.2.11 as 65000; }
protocol bgp node_b from node { neighbor 192.0.2.12 as 65000; }
BIRD_CONF
ip netns exec "$ns-tor" /usr/sbin/bird -f -c "$tmp/bird.conf" \
    -s "$tmp/bird.ctl" -P "$tmp/bird.pid" >"$tmp/bird.out" 2>&1 &
pids="$pids $!"
wait_for 10 birdc show status || die "BIRD did not start"

cat >"$tmp/nodes.yaml" <<NODES
nodes:
  - name: node-a
    pod-cidrs: [10.244.1.0/24, "fd00:10:244:1::/64"]
    addresses: [192.0.2.11, "2001:db8::11"]
  - name: node-b
    pod-cidrs: [10.244.2.0/24, "fd00:10:244:2::/64"]
    addresses: [192.0.2.12, "2001:db8::12"]
NODES
i=11
for n in node-a node-b; do
	cat >"$tmp/$n.yaml" <<PODBGPD_CONF
node-name: $n
nodes:
  source: file
  file: $tmp/nodes.yaml
cluster-cidrs: [10.0.0.0/8, "fd00::/8"]
bgp:
  asn: 65000
  router-id: 192.0.2.$i
  peers:
    - address: 192.0.2.1
      asn: 65001
      name: tor
control:
  socket: $tmp/$n.ctl
  read-only-socket: $tmp/$n.ro.ctl
log:
  level: debug
PODBGPD_CONF
	"$podbgpd" -n -f "$tmp/$n.yaml" || die "configuration of $n refused"
	ip netns exec "$ns-$n" "$podbgpd" -d -f "$tmp/$n.yaml" \
	    >"$tmp/$n.log" 2>&1 &
	pids="$pids $!"
	i=$((i + 1))
done
set -- $pids
pid_node_a=$2
pid_node_b=$3

say "podbgpd on both nodes peers with the ToR"
wait_for 30 bird_has 'node_a .* Established' show protocols ||
    die "node-a did not reach Established"
wait_for 30 bird_has 'node_b .* Established' show protocols ||
    die "node-b did not reach Established"
birdc show protocols | grep -E 'Name|node_'
grep -h 'Established' "$tmp/node-a.log" | head -n 1

say "the ToR's table: each node's pod CIDRs via that node"
wait_for 10 bird_has '10.244.2.0/24' show route ||
    die "the ToR did not learn node-b's pod CIDR"
wait_for 10 bird_has 'fd00:10:244:2::/64' show route ||
    die "the ToR did not learn node-b's IPv6 pod CIDR"
birdc show route protocol node_a
birdc show route protocol node_b
birdc show route all 10.244.1.0/24 |
    grep -E 'BGP\.(as_path|next_hop|origin)'

say "node-a learned the ToR's service ranges (it logs what it accepts)"
wait_for 10 grep -q '10.96.0.0/12' "$tmp/node-a.log" ||
    die "node-a did not accept the ToR's prefix"
grep -hE '10\.96\.0\.0/12|fd00:96::/108|End-of-RIB' "$tmp/node-a.log" |
    head -n 4

say "node-a's kernel: those routes, with podbgp's protocol number 196"
wait_for 10 sh -c "ip -n $ns-node-a route show proto 196 |
    grep -q 10.96.0.0/12" || die "node-a did not install the ToR's prefix"
wait_for 10 sh -c "ip -n $ns-node-a -6 route show proto 196 |
    grep -q fd00:96::/108" ||
    die "node-a did not install the ToR's IPv6 prefix"
ip -n "$ns-node-a" route show proto 196
ip -n "$ns-node-a" -6 route show proto 196

say "podbgpctl on node-a (its control socket): sessions and routes"
"$podbgpctl" -s "$tmp/node-a.ctl" show protocols
"$podbgpctl" -s "$tmp/node-a.ctl" show route

say "node-b's pod CIDR changes (nodes file edited, SIGHUP): the ToR follows"
sed -i 's|10.244.2.0/24|10.244.3.0/24|' "$tmp/nodes.yaml"
kill -HUP "$pid_node_b"
wait_for 10 bird_has '10.244.3.0/24' show route ||
    die "the ToR did not learn node-b's new pod CIDR"
wait_for 10 bird_lacks '10.244.2.0/24' show route ||
    die "the ToR kept node-b's old pod CIDR"
birdc show route protocol node_b

say "node-a stops (SIGTERM): it says why, and its routes leave the ToR"
kill -TERM "$pid_node_a"
wait_for 10 bird_has 'Administrative shutdown' show protocols all node_a ||
    die "the ToR did not get node-a's shutdown"
birdc show protocols all node_a | grep -E 'Last error|BGP state'
wait_for 10 bird_lacks '10.244.1.0/24' show route ||
    die "node-a's routes stayed at the ToR"
birdc show route | grep -E '10\.244|fd00:10' || true

say "podbgp's codec on real sessions recorded between BIRD, FRR and GoBGP"
"$top/tests/data/sessions/record.sh" -o "$tmp/rec" -t 60 \
    >"$tmp/record.out" 2>&1 || die "recording failed"
rc=0
for f in "$tmp"/rec/*.bgp; do
	name=$(basename "$f" .bgp)
	rev=$(echo "$name" | sed -E 's/^([a-z]+)-to-([a-z]+)(.*)$/\2-to-\1\3/')
	"$decode" -q "$f" "$tmp/rec/$rev.bgp" | sed "s|$tmp/rec/||" || rc=1
done
echo
echo "one of them in full (first lines): podbgp-decode bird-to-frr-v4.bgp"
"$decode" "$tmp/rec/bird-to-frr-v4.bgp" "$tmp/rec/frr-to-bird-v4.bgp" |
    sed "s|$tmp/rec/||" | head -n 16

if [ $rc -eq 0 ]; then
	say "demo done: routes flowed both ways; every recorded message decoded"
	echo "(next: the Kubernetes API as node source, podbgpctl's commands"
	echo " that change things)"
else
	say "demo: some recorded messages failed to decode (see above)"
fi
exit $rc
