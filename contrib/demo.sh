#!/bin/sh
# The demo: a small bare-metal Kubernetes cluster in network namespaces,
# made for this run. A fake API server (tests/kube/fake_apiserver.py,
# HTTPS, bearer token) holds three Nodes; a top-of-rack router runs
# BIRD 2; each node runs podbgpd from this build, which learns the nodes
# from the API, advertises its pod CIDR to the ToR and installs the other
# nodes' pod CIDRs in its kernel. Each node has two "pods" (namespaces on
# veth pairs, wired as the CNI ptp plugin does). A pod on node-1 pings
# and opens a TCP connection to a pod on node-3, through the ToR, with no
# tunnel device anywhere. Then a fourth node gets a pod CIDR through the
# API and its routes appear.
#
# Usage: contrib/demo.sh [--keep]
# Removes everything on exit and on Ctrl-C; with --keep it stays up after
# the demo and says how to look around, until Ctrl-C.
# Installs its dependencies and builds first.
set -u

keep=""
case "${1:-}" in
--keep) keep=yes ;;
"") ;;
*) echo "usage: contrib/demo.sh [--keep]" >&2; exit 2 ;;
esac

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
fake_api=$top/tests/kube/fake_apiserver.py

tmp=$(mktemp -d /tmp/podbgp-demo.XXXXXX) || exit 1
chmod 755 "$tmp"
cl_pfx=pbd$$
pids=""
namespaces=""
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	for p in $pids; do
		wait "$p" 2>/dev/null
	done
	for n in $namespaces; do
		ip netns del "$n" 2>/dev/null
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
die() {
	echo "demo: $*" >&2
	for f in "$tmp"/*.log; do
		echo "--- $f"
		tail -n 20 "$f"
	done
	exit 1
}
. "$top/tests/kube/cluster.sh"
ctl() {	# I ARGS...: podbgpctl on node-I
	i=$1
	shift
	"$podbgpctl" -s "$tmp/n$i.ctl" "$@"
}
# nsx NS CMD...: run CMD in namespace NS (short names: n1, n1-p1, tor)
nsx() {
	n=$1
	shift
	ip netns exec "$cl_pfx-$n" "$@"
}

say "network: a ToR, an API server and four node namespaces"
cl_net 4 || die "cannot make the namespaces"
for i in 1 2 3; do
	cl_pod "$i" 1 && cl_pod "$i" 2 || die "cannot make the pods"
done
echo "tor:      198.18.0.1 (BIRD 2, AS 65000, route reflector)"
echo "api:      https://198.18.100.2:6443 (fake kube-apiserver)"
for i in 1 2 3; do
	echo "node-$i:   198.18.$i.2, pod CIDR 10.244.$i.0/24," \
	    "pods 10.244.$i.11 and 10.244.$i.12"
done

say "the API server with three Nodes (kubectl's view when it is installed)"
cat >"$tmp/nodes" <<EOF
node-1 10.244.1.0/24 198.18.1.2 topology.kubernetes.io/zone=rack1 -
node-2 10.244.2.0/24 198.18.2.2 topology.kubernetes.io/zone=rack1 -
node-3 10.244.3.0/24 198.18.3.2 topology.kubernetes.io/zone=rack2 -
EOF
cl_api_start --nodes "$tmp/nodes" || die "the API server did not start"
if command -v kubectl >/dev/null 2>&1; then
	nsx api kubectl --kubeconfig "$tmp/kubeconfig" get nodes -o wide \
	    2>/dev/null || cl_api GET /nodes | head -c 300
else
	cl_api GET /nodes | python3 -c 'import json, sys
for n in json.load(sys.stdin)["items"]:
    print(n["metadata"]["name"], n["spec"]["podCIDR"],
          [a["address"] for a in n["status"]["addresses"]])'
fi

say "BIRD on the ToR; podbgpd on each node (same config, NODE_NAME differs)"
cl_bird_start rr 1 2 3 4 || die "BIRD did not start"
for i in 1 2 3; do
	cl_node_start "$i" tor
done
cat "$tmp/n1.yaml"
converged() {
	cl_all_have 10.244.1.0/24 2 3 && cl_all_have 10.244.2.0/24 1 3 &&
	    cl_all_have 10.244.3.0/24 1 2
}
wait_for 40 converged || die "the nodes did not learn each other's CIDRs"

say "podbgpctl on node-1: show status, show protocols, show route"
ctl 1 show status
ctl 1 show protocols
ctl 1 show route

say "node-1's kernel: the other nodes' pod CIDRs, protocol 196, via the ToR"
ip -n "$cl_pfx-n1" route show proto 196
say "the ToR's table (birdc show route)"
cl_birdc show route | grep -v '^BIRD'

say "data path: pod 10.244.1.11 (node-1) to pod 10.244.3.12 (node-3)"
nsx n1-p1 ping -c 3 -i 0.2 -W 2 10.244.3.12 || die "ping failed"
echo
echo "the hops, as each one's kernel decides:"
for hop in n1-p1 n1 tor n3; do
	printf '  %-6s ' "$hop"
	nsx "$hop" ip route get 10.244.3.12 | head -n 1
done
if command -v traceroute >/dev/null 2>&1; then
	nsx n1-p1 traceroute -n -q 1 -w 1 10.244.3.12
fi
echo
echo "TCP: a server in pod 10.244.3.12, a client in pod 10.244.1.11"
nsx n3-p2 python3 -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.244.3.12", 8080)); s.listen(1)
c, a = s.accept()
c.sendall(b"hello " + a[0].encode() + b", this is pod 10.244.3.12\n")
c.close()' &
pids="$pids $!"
sleep 0.5
nsx n1-p1 python3 -c '
import socket
s = socket.create_connection(("10.244.3.12", 8080), timeout=5)
print("  client got:", s.recv(100).decode().strip())' || die "TCP failed"
echo
tunnels=""
for n in $namespaces; do
	t=$(ip -n "$n" -d link show | grep -E -o \
	    '(vxlan|ipip|gre|gretap|ip6tnl|sit|geneve|wireguard|fou) ' | head -n 1)
	[ -n "$t" ] && tunnels="$tunnels $n:$t"
done
if [ -z "$tunnels" ]; then
	echo "tunnel devices in the cluster's namespaces: none (flat routing)"
else
	echo "tunnel devices found:$tunnels"
fi

say "a fourth node joins; then the API gives it a pod CIDR"
cl_api POST "/nodes?name=node-4&internalIPs=198.18.4.2" >/dev/null ||
    die "could not add node-4"
cl_node_start 4 tor
wait_for 20 sh -c "'$podbgpctl' -s '$tmp/n4.ctl' show protocols |
    grep -q Established" || die "node-4 did not peer with the ToR"
echo "node-4 is up, without a pod CIDR yet:"
ctl 1 show nodes | grep -E '^(Name|node-4)'
cl_api PATCH "/nodes/node-4?podCIDRs=10.244.4.0/24" >/dev/null ||
    die "could not give node-4 a pod CIDR"
echo "PATCH node-4: spec.podCIDRs = [10.244.4.0/24]"
wait_for 30 cl_all_have 10.244.4.0/24 1 2 3 ||
    die "node-4's pod CIDR did not reach the other nodes"
echo "node-1's kernel now:"
ip -n "$cl_pfx-n1" route show proto 196
ctl 1 show nodes

say "demo done: pod CIDRs from the API server, routed through the ToR"
if [ -n "$keep" ]; then
	cat <<EOF

The cluster stays up until Ctrl-C (then everything is removed).
Look around from another shell, as root:
  $podbgpctl -s $tmp/n1.ctl                  (interactive; try 'sh pro', 'sh ro')
  $podbgpctl -s $tmp/n2.ctl show route for 10.244.3.12
  ip netns exec $cl_pfx-n1-p1 ping 10.244.3.12
  ip -n $cl_pfx-n1 route show proto 196
  ip netns exec $cl_pfx-tor birdc -s $tmp/bird.ctl show route
  curl -s --unix-socket $tmp/api.sock -X PATCH \\
      'http://x/nodes/node-2?podCIDRs=10.244.22.0/24'
Logs: $tmp/*.log
EOF
	while :; do
		sleep 3600
	done
fi
exit 0
