#!/bin/sh
# Three podbgpd in full-mesh mode, one per network namespace, on a bridge
# in a fourth, sharing one static nodes file: every node reaches
# Established with both others and accepts their pod CIDRs with their
# addresses as next hops. Then the nodes file changes and SIGHUP makes
# node-a and node-b follow it: node-c removed (Cease / Peer De-configured,
# its routes gone, the a-b session untouched), node-b's pod CIDR changed
# (node-a asks for the routes again and takes the new one), node-c added
# back (the sessions return), node-c moved to another address (a new
# session there).
# Needs root (CI runs as root) and ip(8); exits 77 otherwise. Every wait
# polls with a deadline; only processes started here are signalled, only
# namespaces made here are deleted. KEEP=1 keeps the temporary directory.
set -u
me=mesh_session.sh
srcdir=${srcdir:-$(dirname "$0")/../..}
# ok, bad, check, wait_for
. "$srcdir/tests/integration/lib.sh"

podbgpd=${PODBGPD:-$(pwd)/src/podbgpd/podbgpd}

if [ "$(id -u)" -ne 0 ]; then
	echo "mesh_session.sh: needs root, skipping" >&2
	exit 77
fi
if ! command -v ip >/dev/null 2>&1; then
	echo "mesh_session.sh: ip(8) not found, skipping" >&2
	exit 77
fi
if [ ! -x "$podbgpd" ]; then
	echo "mesh_session.sh: $podbgpd not built" >&2
	exit 99
fi

pfx=pms$$
ns_br=$pfx-br
tmp=$(mktemp -d "${TMPDIR:-/tmp}/podbgp-mesh.XXXXXX") || exit 99
pid_a=""
pid_b=""
pid_c=""
cleanup() {
	for p in $pid_a $pid_b $pid_c; do
		kill "$p" 2>/dev/null
	done
	for p in $pid_a $pid_b $pid_c; do
		wait "$p" 2>/dev/null
	done
	for x in a b c br; do
		ip netns del "$pfx-$x" 2>/dev/null
	done
	[ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# log_has NODE REGEX: the podbgpd log of NODE (a, b, c) matches.
log_has() {
	grep -Eq -- "$2" "$tmp/$1.log"
}
# log_count NODE REGEX: how many lines match.
log_count() {
	grep -Ec -- "$2" "$tmp/$1.log"
}
# log_count_ge NODE REGEX MIN
log_count_ge() {
	[ "$(log_count "$1" "$2")" -ge "$3" ]
}
dump() {
	for x in a b c; do
		echo "--- podbgpd log of node-$x"
		cat "$tmp/$x.log"
	done
}
addr_of() {
	case $1 in
	a) echo 192.0.2.1 ;;
	b) echo 192.0.2.2 ;;
	c) echo 192.0.2.3 ;;
	esac
}
net_of() {
	case $1 in
	a) echo 1 ;;
	b) echo 2 ;;
	c) echo 3 ;;
	esac
}
re_addr() {
	addr_of "$1" | sed 's/\./\\./g'
}

# --- the network: a bridge in its own namespace ------------------------
ip netns add "$ns_br" || exit 99
ip -n "$ns_br" link set lo up
ip -n "$ns_br" link add br0 type bridge || exit 99
ip -n "$ns_br" link set br0 up
for x in a b c; do
	ip netns add "$pfx-$x" || exit 99
	ip -n "$pfx-$x" link set lo up
	ip -n "$pfx-$x" link add eth0 type veth peer name "v$x" \
	    netns "$ns_br" || exit 99
	ip -n "$ns_br" link set "v$x" master br0
	ip -n "$ns_br" link set "v$x" up
	ip -n "$pfx-$x" addr add "$(addr_of $x)/24" dev eth0
	ip -n "$pfx-$x" link set eth0 up
done
# the bridge (no STP) forwards once its ports are up
for x in a b c; do
	if ! wait_for 10 sh -c "ip -n $pfx-$x link show eth0 | \
	    grep -q 'state UP'"; then
		echo "mesh_session.sh: eth0 of node-$x does not come up"
		exit 99
	fi
done

# --- podbgpd on every node, AS 65000 ------------------------------------
nodes_all() {
	cat >"$tmp/nodes.yaml.new" <<EOF
nodes:
  - name: node-a
    pod-cidrs: [10.244.1.0/24]
    addresses: [192.0.2.1]
  - name: node-b
    pod-cidrs: [$1]
    addresses: [192.0.2.2]
EOF
	if [ "$2" = with-c ]; then
		cat >>"$tmp/nodes.yaml.new" <<EOF
  - name: node-c
    pod-cidrs: [10.244.3.0/24]
    addresses: [${3:-192.0.2.3}]
EOF
	fi
	mv "$tmp/nodes.yaml.new" "$tmp/nodes.yaml"
}
nodes_all 10.244.2.0/24 with-c
for x in a b c; do
	cat >"$tmp/$x.yaml" <<EOF
node-name: node-$x
nodes:
  source: file
  file: $tmp/nodes.yaml
cluster-cidrs: [10.0.0.0/8]
bgp:
  asn: 65000
  router-id: $(addr_of $x)
  mesh:
    mode: full-mesh
control:
  socket: $tmp/$x.ctl
  read-only-socket: $tmp/$x.ro.ctl
log:
  level: debug
EOF
	ip netns exec "$pfx-$x" "$podbgpd" -d -f "$tmp/$x.yaml" \
	    >"$tmp/$x.log" 2>&1 &
	eval "pid_$x=\$!"
done

# --- the mesh comes up ------------------------------------------------
for x in a b c; do
	for y in a b c; do
		[ "$x" = "$y" ] && continue
		check "node-$x: Established with node-$y" wait_for 30 \
		    log_has $x "neighbor $(re_addr $y) \(node-$y\): Established"
	done
done
for x in a b c; do
	for y in a b c; do
		[ "$x" = "$y" ] && continue
		check "node-$x accepts node-$y's pod CIDR via its address" \
		    wait_for 10 log_has $x "neighbor $(re_addr $y): accepted \
10\.244\.$(net_of $y)\.0/24 via $(re_addr $y)$"
	done
done
check "node-a accepts nothing else" \
    [ "$(log_count a ': accepted ')" -eq 2 ]

# --- node-c leaves the nodes file -------------------------------------
nodes_all 10.244.2.0/24 without-c
kill -HUP "$pid_a" "$pid_b"
for x in a b; do
	check "node-$x closes the session to node-c: Peer De-configured" \
	    wait_for 10 log_has $x "neighbor 192\.0\.2\.3 \(node-c\): sent \
NOTIFICATION cease, peer de-configured"
	check "node-$x drops node-c's route" wait_for 10 \
	    log_has $x "neighbor 192\.0\.2\.3: 1 paths flushed"
done
check "node-c hears it from node-a" wait_for 10 log_has c \
    "neighbor 192\.0\.2\.1 \(node-a\): received NOTIFICATION cease, peer \
de-configured"
check "node-c hears it from node-b" wait_for 10 log_has c \
    "neighbor 192\.0\.2\.2 \(node-b\): received NOTIFICATION cease, peer \
de-configured"
check "node-c withdraws node-a's route" wait_for 10 \
    log_has c "neighbor 192\.0\.2\.1: 1 paths flushed"
check "node-a refuses node-c now" wait_for 30 log_has a \
    "connection from 192\.0\.2\.3 refused: not a configured neighbor"
# stays_up NODE PEER: one Established, and no state change after the
# line it was logged on (a collision resolved while the mesh came up is
# logged before it and is no reset).
stays_up() {
	up=$(grep -En -- "\(node-$2\): Established" "$tmp/$1.log" |
	    cut -d: -f1)
	[ "$(echo "$up" | wc -w)" -eq 1 ] &&
	    ! tail -n +"$((up + 1))" "$tmp/$1.log" | grep -Eq -- \
	    "\(node-$2\): (Idle|Active|Connect|OpenSent|sent|received)"
}
check "node-a keeps its session to node-b" stays_up a b
check "node-b keeps its session to node-a" stays_up b a

# --- node-b's pod CIDR changes: node-b first, node-a after -------------
nodes_all 10.244.22.0/24 without-c
kill -HUP "$pid_b"
check "node-a refuses node-b's new CIDR before its own reload" \
    wait_for 10 log_has a "neighbor 192\.0\.2\.2: rejected \
10\.244\.22\.0/24: .*"
check "node-a sees node-b's old CIDR withdrawn" wait_for 10 \
    log_has a "neighbor 192\.0\.2\.2: withdrawn 10\.244\.2\.0/24"
kill -HUP "$pid_a"
check "node-a asks node-b for its routes again" wait_for 10 \
    log_has b "neighbor 192\.0\.2\.1: route refresh for IPv4"
check "node-a accepts node-b's new CIDR" wait_for 10 \
    log_has a "neighbor 192\.0\.2\.2: accepted 10\.244\.22\.0/24 via \
192\.0\.2\.2$"
check "the a-b session was not reset (a)" stays_up a b
check "the a-b session was not reset (b)" stays_up b a

# --- node-c comes back ------------------------------------------------
nodes_all 10.244.22.0/24 with-c
kill -HUP "$pid_a" "$pid_b"
for x in a b; do
	check "node-$x: Established with node-c again" wait_for 90 \
	    log_count_ge $x "neighbor 192\.0\.2\.3 \(node-c\): Established" 2
	check "node-$x accepts node-c's pod CIDR again" wait_for 10 \
	    log_count_ge $x "neighbor 192\.0\.2\.3: accepted 10\.244\.3\.0/24 \
via 192\.0\.2\.3$" 2
done
check "node-c: Established with node-a again" wait_for 10 \
    log_count_ge c "neighbor 192\.0\.2\.1 \(node-a\): Established" 2

# --- node-c moves to another address ---------------------------------
ip -n "$pfx-c" addr del 192.0.2.3/24 dev eth0
ip -n "$pfx-c" addr add 192.0.2.13/24 dev eth0
nodes_all 10.244.22.0/24 with-c 192.0.2.13
kill -HUP "$pid_a" "$pid_b"
for x in a b; do
	check "node-$x ends the session to node-c's old address" \
	    wait_for 10 log_count_ge $x "neighbor 192\.0\.2\.3 \(node-c\): \
sent NOTIFICATION cease, peer de-configured" 2
	check "node-$x: Established with node-c at its new address" \
	    wait_for 60 log_has $x "neighbor 192\.0\.2\.13 \(node-c\): \
Established"
	check "node-$x accepts node-c's pod CIDR via the new address" \
	    wait_for 10 log_has $x "neighbor 192\.0\.2\.13: accepted \
10\.244\.3\.0/24 via 192\.0\.2\.13$"
done
check "the a-b session is still not reset (a)" stays_up a b
check "the a-b session is still not reset (b)" stays_up b a

# --- SIGTERM ------------------------------------------------------------
for x in a b c; do
	eval "p=\$pid_$x"
	kill -TERM "$p"
	i=0
	while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	wait "$p"
	check "node-$x exits 0 after SIGTERM" [ $? -eq 0 ]
	eval "pid_$x=''"
	check "node-$x logs no ASan/UBSan report" \
	    sh -c "! grep -Eq 'runtime error|AddressSanitizer|LeakSanitizer' \
	    '$tmp/$x.log'"
done

if [ "$fail" -ne 0 ]; then
	dump
	echo "mesh_session.sh: $fail of $n checks failed"
	exit 1
fi
echo "mesh_session.sh: $n checks passed"
exit 0
