#!/bin/sh
# podbgpd as the pod network of a cluster whose Nodes come from the fake
# API server (tests/kube/fake_apiserver.py, HTTPS, bearer token): three
# nodes and a ToR running BIRD 2, in namespaces made here
# (tests/kube/cluster.sh: a routed layer 3 leaf, every packet between
# nodes crosses the ToR). In each mode (tor: the ToR reflects; full-mesh;
# route-reflector, the reflector picked by a label or by kube-router's
# rr.server annotation) the same checks: every node's kernel and the ToR
# hold every pod CIDR, the router ID is the node's InternalIP, a pod CIDR
# assigned later appears everywhere, a deleted node's routes disappear
# everywhere. In tor mode also: dropped watches, a compacted history
# (410), a 60-second API outage and a token rotation each make no route
# disappear (ip monitor route watches), and changes made meanwhile
# arrive; kube-router's pod-cidr annotation is read.
# Needs root, ip(8), python3, openssl, curl and BIRD 2; exits 77
# otherwise. KEEP=1 keeps the temporary directory. QUICK=1 shortens the
# outage to 10 s.
set -u
me=kube_cluster.sh
srcdir=${srcdir:-$(dirname "$0")/../..}
. "$srcdir/tests/integration/lib.sh"
fake_api=$srcdir/tests/kube/fake_apiserver.py
. "$srcdir/tests/kube/cluster.sh"

podbgpctl=${PODBGPCTL:-$(pwd)/src/podbgpctl/podbgpctl}
need_root
need_exec /usr/sbin/bird /usr/sbin/birdc "$(command -v python3 || echo x)" \
    "$(command -v openssl || echo x)" "$(command -v curl || echo x)"
need_podbgpd
make_tmp kube
cl_pfx=pk$$
outage=60
[ -n "${QUICK:-}" ] && outage=10

cl_net 4 || exit 99
cl_pod 1 1 || exit 99
cl_pod 3 1 || exit 99
cat >"$tmp/nodes" <<EOF
node-1 10.244.1.0/24 198.18.1.2 podbgp.io/route-reflector=true -
node-2 10.244.2.0/24 198.18.2.2 - -
node-3 10.244.3.0/24 198.18.3.2 - -
EOF
cl_api_start --nodes "$tmp/nodes" || { cat "$tmp/api.log"; exit 99; }

dump() {
	for i in 1 2 3 4; do
		echo "--- node-$i: podbgpd log (last 40 lines)"
		tail -n 40 "$tmp/n$i.log" 2>/dev/null
		echo "--- node-$i: routes"
		ip -n "$cl_pfx-n$i" route show
	done
	echo "--- ToR: BIRD"
	cl_birdc show protocols 2>&1
	cl_birdc show route 2>&1
	echo "--- API server log (last 30 lines)"
	tail -n 30 "$tmp/api.log"
}

ctl() {	# I ARGS...: podbgpctl on node-I
	_n=$1
	shift
	"$podbgpctl" -s "$tmp/n$_n.ctl" "$@"
}
tor_has() {
	cl_birdc show route "$1" 2>/dev/null | grep -q "^$1 "
}
tor_lacks() {
	! tor_has "$1"
}
stats() {	# FIELD: a number from the server's /stats
	cl_api GET /stats | python3 -c "import json, sys
d = json.load(sys.stdin)
for k in sys.argv[1].split('.'):
    d = d[k]
print(d)" "$1"
}
stat_ge() {	# FIELD N: the counter is at least N
	[ "$(stats "$1")" -ge "$2" ]
}
# the three pod CIDRs in every node's kernel (the owner has none of its
# own) and in the ToR's table
converged() {
	cl_all_have 10.244.1.0/24 2 3 && cl_all_have 10.244.2.0/24 1 3 &&
	    cl_all_have 10.244.3.0/24 1 2 && tor_has 10.244.1.0/24 &&
	    tor_has 10.244.2.0/24 && tor_has 10.244.3.0/24
}
stop_nodes() {
	for i in 1 2 3 4; do
		eval "p=\${cl_pid_$i:-}"
		[ -n "$p" ] || continue
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
		eval "cl_pid_$i="
		# keep-on-exit leaves the routes: a clean slate for the next mode
		ip -n "$cl_pfx-n$i" route flush proto 196 2>/dev/null
	done
	kill "$(cat "$tmp/bird.pid")" 2>/dev/null
	wait_for 10 not test -e "$tmp/bird.ctl"
}
# watch_routes: ip monitor route on node-1 into $tmp/monitor until
# unwatch_routes; gone: a pod CIDR route was deleted meanwhile.
watch_routes() {
	ip -n "$cl_pfx-n1" monitor route >"$tmp/monitor" 2>&1 &
	mon_pid=$!
	pids="$pids $mon_pid"
	sleep 0.3
}
unwatch_routes() {
	kill "$mon_pid" 2>/dev/null
	wait "$mon_pid" 2>/dev/null
}
none_gone() {
	! grep -q '^Deleted.*10\.244\.' "$tmp/monitor"
}

# run_mode MODE: the checks every mode passes.
run_mode() {
	m=$1
	if [ "$m" = tor ]; then
		cl_bird_start rr 1 2 3 4
	else
		cl_bird_start listen 1 2 3 4
	fi
	for i in 1 2 3; do
		cl_node_start "$i" "$m"
	done
	check "$m: every node's kernel and the ToR hold every pod CIDR" \
	    wait_for 40 converged
	check "$m: pod traffic crosses the ToR (node-1 via 198.18.1.1)" \
	    sh -c "ip -n $cl_pfx-n1 route show proto 196 |
	    grep -q '^10.244.3.0/24 via 198.18.1.1 dev eth0'"
	check "$m: a pod on node-1 reaches a pod on node-3" \
	    ip netns exec "$cl_pfx-n1-p1" ping -c 1 -W 2 10.244.3.11
	check "$m: router ID from the InternalIP" sh -c \
	    "$podbgpctl -s $tmp/n2.ctl show status | grep -q '198.18.2.2'"
	check "$m: show nodes lists the API's nodes" sh -c \
	    "$podbgpctl -s $tmp/n1.ctl show nodes | grep -q '^node-3 .*10.244.3.0/24'"

	# a node joins with neither InternalIP (as with an external cloud
	# provider) nor pod CIDR; both are assigned later
	cl_api POST "/nodes?name=node-4" >/dev/null
	cl_node_start 4 "$m"
	check "$m: node-4 without an InternalIP waits for its router ID" \
	    wait_for 10 sh -c "$podbgpctl -s $tmp/n4.ctl show status |
	    grep -q 'waiting for this node'"
	cl_api PATCH "/nodes/node-4?internalIPs=198.18.4.2" >/dev/null
	check "$m: its InternalIP appears: its sessions come up" wait_for 20 \
	    sh -c "$podbgpctl -s $tmp/n4.ctl show protocols | grep -q Established"
	if [ "$m" = full-mesh ]; then
		check "$m: ... and node-1 opens one to it at once" wait_for 20 \
		    sh -c "$podbgpctl -s $tmp/n1.ctl show protocols |
		    grep -q 'node-4 .*Established'"
	fi
	cl_api PATCH "/nodes/node-4?podCIDRs=10.244.4.0/24" >/dev/null
	check "$m: a pod CIDR assigned later reaches every node" \
	    wait_for 20 cl_all_have 10.244.4.0/24 1 2 3
	check "$m: ... and the ToR" wait_for 10 tor_has 10.244.4.0/24
	check "$m: node-4 learns the others" wait_for 20 \
	    cl_all_have 10.244.1.0/24 4
	cl_api DELETE /nodes/node-4 >/dev/null
	check "$m: a deleted node's routes disappear everywhere" wait_for 20 \
	    cl_none_has 10.244.4.0/24 1 2 3
	check "$m: ... and from the ToR" wait_for 10 tor_lacks 10.244.4.0/24
	check "$m: the other routes stay" converged
}

# --- ToR mode, and the API's bad days -----------------------------------
run_mode tor

lists0=$(stats requests.list_first)
watch_routes
cl_api POST /drop-watches >/dev/null
check "dropped watches: every node watches again" wait_for 15 \
    stat_ge open_watches 3
check "... from where they were: no relist" [ "$(stats requests.list_first)" -eq "$lists0" ]

# the watches are cut and refused while the history moves on and is
# compacted: each node comes back from a version that is gone
cl_api POST "/fail?status=500&seconds=2&what=watch" >/dev/null
cl_api POST /drop-watches >/dev/null
cl_api PATCH /nodes/node-2 >/dev/null	# heartbeats: new versions
cl_api PATCH /nodes/node-3 >/dev/null
cl_api POST /compact >/dev/null
check "compacted history: 410, then a relist by each node" wait_for 30 \
    stat_ge requests.list_first $((lists0 + 3))
check "... the relist changed nothing: no route deleted" none_gone

cl_api POST "/fail?status=500&seconds=$outage" >/dev/null
cl_api POST /drop-watches >/dev/null
sleep "$outage"
check "an API outage of ${outage} s: no route disappeared" none_gone
check "... every route still there" converged
check "... the nodes say they keep their last known nodes" \
    grep -q 'kube: .*; keeping the 3 nodes known, retrying in' "$tmp/n1.log"
cl_api PATCH "/nodes/node-3?podCIDRs=10.244.33.0/24" >/dev/null
check "after the outage a change arrives" wait_for 40 \
    cl_all_have 10.244.33.0/24 1 2
check "... and the old CIDR goes" wait_for 10 \
    cl_none_has 10.244.3.0/24 1 2
cl_api PATCH "/nodes/node-3?podCIDRs=10.244.3.0/24" >/dev/null
unwatch_routes

# the token file is rewritten and the old token refused at once: the
# nodes read the new one (the file changed) before anything is refused
w0=$(stats requests.watch)
cl_api POST /rotate-token >/dev/null
cl_api POST /drop-watches >/dev/null
check "token rotation: the nodes watch again with the new token" \
    wait_for 20 stat_ge requests.watch $((w0 + 3))
cl_api PATCH "/nodes/node-1?annotations=kube-router.io/pod-cidr=10.244.11.0/24" \
    >/dev/null
check "... the new token is read: changes arrive again" wait_for 30 \
    cl_all_have 10.244.11.0/24 2 3
check "kube-router.io/pod-cidr sets the pod CIDR" \
    cl_none_has 10.244.1.0/24 2 3
cl_api PATCH "/nodes/node-1?annotations=-kube-router.io/pod-cidr" >/dev/null
check "... and its removal restores spec.podCIDR" wait_for 20 \
    cl_all_have 10.244.1.0/24 2 3
check "no token in any log" not grep -q "$(cat "$tmp/api/token")" \
    "$tmp/n1.log" "$tmp/n2.log" "$tmp/n3.log"

# per-node peers from annotations, kube-router's and podbgp's names
bird_up() {	# PROTOCOL
	cl_birdc show protocols "$1" 2>/dev/null | grep -q Established
}
ip -n "$cl_pfx-n1" addr add 198.18.1.3/24 dev eth0
ip -n "$cl_pfx-n2" addr add 198.18.2.3/24 dev eth0
cl_api PATCH "/nodes/node-2?annotations=kube-router.io/peer.ips=198.18.2.1,kube-router.io/peer.asns=65012,kube-router.io/peer.localips=198.18.2.3" \
    >/dev/null
# (BIRD retries every 2 s after podbgpd refused it while the peer was
# unknown, and podbgpd's own idle hold backs off: give it time under load)
check "kube-router.io/peer.ips and peer.asns: node-2 peers with 198.18.2.1" \
    wait_for 60 bird_up annot2
check "... and announces its pod CIDR there" wait_for 10 sh -c \
    "ip netns exec $cl_pfx-tor birdc -s $tmp/bird.ctl show route protocol annot2 |
    grep -q 10.244.2.0/24"
cl_api PATCH /nodes/node-1 -H 'Content-Type: application/json' -d \
    '{"annotations": {"podbgp.io/peers": "- {remoteip: 198.18.1.1, remoteasn: 65011, localip: 198.18.1.3, password: s3cret-pw}"}}' \
    >/dev/null
check "podbgp.io/peers with a password: node-1's signed session (TCP MD5)" \
    wait_for 20 bird_up annot1
check "... the password is in no log" not grep -q s3cret-pw "$tmp/n1.log"
tor_since=$(cl_birdc show protocols node2 | awk '/node2/ { print $5 }')
cl_api PATCH "/nodes/node-2?annotations=-kube-router.io/peer.ips,-kube-router.io/peer.asns,-kube-router.io/peer.localips" \
    >/dev/null
check "the annotations removed: that session goes" wait_for 20 \
    not bird_up annot2
check "... the ToR session of node-2 stays up" sh -c \
    "[ \"\$(ip netns exec $cl_pfx-tor birdc -s $tmp/bird.ctl show protocols node2 |
    awk '/node2/ { print \$5 }')\" = '$tor_since' ]"
check "... and every route stays" converged
cl_api PATCH "/nodes/node-1?annotations=-podbgp.io/peers" >/dev/null
check "podbgp.io/peers removed: node-1's signed session goes" wait_for 20 \
    not bird_up annot1
# a peer on another port than 179 (kube-router.io/peer.ports)
ip -n "$cl_pfx-n3" addr add 198.18.3.3/24 dev eth0
cl_api PATCH "/nodes/node-3?annotations=kube-router.io/peer.ips=198.18.3.1,kube-router.io/peer.asns=65013,kube-router.io/peer.localips=198.18.3.3,kube-router.io/peer.ports=1790" \
    >/dev/null
check "kube-router.io/peer.ports: node-3 connects to port 1790" \
    wait_for 60 bird_up annot3
check "... that session is podbgpd's, to 198.18.3.1:1790" \
    sh -c "ip netns exec $cl_pfx-n3 ss -tn state established \
    'dst 198.18.3.1:1790' | grep -q 198.18.3.3"
cl_api PATCH "/nodes/node-3?annotations=-kube-router.io/peer.ips,-kube-router.io/peer.asns,-kube-router.io/peer.localips,-kube-router.io/peer.ports" \
    >/dev/null
check "... and goes with the annotations" wait_for 20 not bird_up annot3

# a per-node AS number: node-3 speaks as AS 64603, which the ToR (set up
# for 65000) refuses; without the annotation it is back
cl_api PATCH "/nodes/node-3?annotations=kube-router.io/node.asn=64603" \
    >/dev/null
check "kube-router.io/node.asn: node-3 runs as AS 64603" wait_for 10 \
    sh -c "$podbgpctl -s $tmp/n3.ctl show status |
    grep -q '^AS: *64603 (the node.s annotation)'"
check "... its sessions restart with it: the ToR refuses the new AS" \
    wait_for 20 grep -q '(tor): received NOTIFICATION OPEN message error, bad peer AS' \
    "$tmp/n3.log"
cl_api PATCH "/nodes/node-3?annotations=-kube-router.io/node.asn" >/dev/null
check "... the annotation removed: AS 65000 again, and every route back" \
    wait_for 30 converged
stop_nodes

# --- full mesh ----------------------------------------------------------
run_mode full-mesh
check "full-mesh: node-1 has sessions to node-2 and node-3" sh -c \
    "$podbgpctl -s $tmp/n1.ctl show protocols | grep -c Established |
    grep -q 3"
# node sessions are iBGP: a node given another AS leaves the mesh
cl_api PATCH "/nodes/node-3?annotations=podbgp.io/asn=64603" >/dev/null
check "full-mesh: node-3 in another AS (podbgp.io/asn): node-1 drops it" \
    wait_for 20 sh -c "! $podbgpctl -s $tmp/n1.ctl show protocols |
    grep -q '^node-3 '"
check "... and says why" grep -q \
    'node node-3 is in AS 64603, this node in AS 65000: no session' \
    "$tmp/n1.log"
check "... and node-3, in AS 64603, drops node-1 and node-2" wait_for 20 \
    sh -c "! $podbgpctl -s $tmp/n3.ctl show protocols | grep -q '^node-[12] '"
cl_api PATCH "/nodes/node-3?annotations=-podbgp.io/asn" >/dev/null
check "... back in AS 65000: the mesh is whole again" wait_for 30 sh -c \
    "$podbgpctl -s $tmp/n1.ctl show protocols | grep -q 'node-3 .*Established'"
check "... and every route is there" wait_for 30 converged
stop_nodes

# --- route reflectors: node-1 by label, then by kube-router's annotation
run_mode route-reflector
check "route-reflector: node-2 peers with node-1 only" sh -c \
    "$podbgpctl -s $tmp/n2.ctl show protocols | grep -q node-1 &&
    ! $podbgpctl -s $tmp/n2.ctl show protocols | grep -q node-3"
# node-1 stays the reflector, now by kube-router's annotation
cl_api PATCH "/nodes/node-1?labels=-podbgp.io/route-reflector&annotations=kube-router.io/rr.server=198.18.1.2" \
    >/dev/null
check "kube-router.io/rr.server: node-1 is still the reflector" wait_for 10 \
    sh -c "$podbgpctl -s $tmp/n3.ctl show nodes | grep -Eq '^node-1 +reflector'"
check "... the label gone, nothing else changed" sh -c \
    "$podbgpctl -s $tmp/n2.ctl show nodes | grep -Eq '^node-1 +reflector'"
check "... and every route stays" converged
stop_nodes

finish dump
