#!/bin/sh
# podbgpd against a scripted peer (fakepeer.py) in two network namespaces
# made here: connection collisions won by either side and against an
# established session, a second connection Established after the first
# was closed by the peer, a second connection closed and a third taken,
# max-prefix, a bad peer AS, BGP identifiers equal
# to ours (eBGP: fine; iBGP: refused), UPDATE errors (treat-as-withdraw
# and session reset), a bad marker, the hold timer, a peer restarting
# gracefully, podbgpd restarting (the R and F bits of its OPENs before and
# after a SIGKILL, and the state file), strangers refused, a 20 kB UPDATE
# and a burst of 1000, and our attributes towards eBGP and iBGP. A fresh
# podbgpd per scenario, so no scenario waits out another's back-off.
# Needs root and python3 (exits 77 otherwise). Waits poll with
# deadlines; only processes started here are signalled.
# KEEP=1 keeps the temporary directory (logs, configs) for a look.
set -u

podbgpd=${PODBGPD:-$(pwd)/src/podbgpd/podbgpd}
srcdir=${srcdir:-$(dirname "$0")/../..}
fake=$srcdir/tests/integration/fakepeer.py

if [ "$(id -u)" -ne 0 ]; then
	echo "fake_session.sh: needs root, skipping" >&2
	exit 77
fi
if ! command -v python3 >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1
then
	echo "fake_session.sh: python3 or ip(8) not found, skipping" >&2
	exit 77
fi
if [ ! -x "$podbgpd" ]; then
	echo "fake_session.sh: $podbgpd not built" >&2
	exit 99
fi

ns_a=pbf$$-a	# the fake peer
ns_b=pbf$$-b	# podbgpd
tmp=$(mktemp -d "${TMPDIR:-/tmp}/podbgp-fake.XXXXXX") || exit 99
pod_pid=""
fake_pid=""
cleanup() {
	[ -n "$pod_pid" ] && kill "$pod_pid" 2>/dev/null
	[ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null
	ip netns del "$ns_a" 2>/dev/null
	ip netns del "$ns_b" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

n=0
fail=0
check() {
	what=$1
	shift
	n=$((n + 1))
	if ! "$@"; then
		fail=$((fail + 1))
		echo "FAIL: $what"
	fi
}
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
running() {
	kill -0 "$1" 2>/dev/null
}

ip netns add "$ns_a" || exit 99
ip netns add "$ns_b" || exit 99
ip -n "$ns_a" link add veth0 type veth peer name veth1 netns "$ns_b" ||
    exit 99
ip -n "$ns_a" addr add 192.0.2.1/24 dev veth0
ip -n "$ns_a" addr add 192.0.2.5/24 dev veth0	# no peer
ip -n "$ns_b" addr add 192.0.2.2/24 dev veth1
for ns in "$ns_a" "$ns_b"; do
	ip -n "$ns" link set lo up
done
ip -n "$ns_a" link set veth0 up
ip -n "$ns_b" link set veth1 up

cat >"$tmp/nodes.yaml" <<EOF
nodes:
  - name: node-b
    pod-cidrs: [10.244.1.0/24]
    addresses: [192.0.2.2]
EOF
cat >"$tmp/podbgpd.yaml" <<EOF
node-name: node-b
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
      name: fake
control:
  socket: $tmp/podbgpd.ctl
  read-only-socket: $tmp/podbgpd.ro.ctl
log:
  level: debug
EOF

# scenario NAME: runs fakepeer.py NAME against a fresh podbgpd.
scenario() {
	name=$1
	log=$tmp/$name.log
	rm -f "$tmp/ready"
	ip netns exec "$ns_a" python3 "$fake" --ready "$tmp/ready" \
	    --signal "$tmp/signal" "$name" \
	    >"$tmp/$name.fake" 2>&1 &
	fake_pid=$!
	if ! wait_for 10 test -s "$tmp/ready"; then
		cat "$tmp/$name.fake"
		exit 99
	fi
	ip netns exec "$ns_b" "$podbgpd" -d -f "$tmp/podbgpd.yaml" \
	    >"$log" 2>&1 &
	pod_pid=$!
	# a signal sent before podbgpd has its handlers could be lost
	wait_for 10 grep -q 'started with' "$log"
	wait_for 30 sh -c "! kill -0 $fake_pid"
	wait "$fake_pid"
	rc=$?
	fake_pid=""
	check "$name: the peer saw what it expected" [ "$rc" -eq 0 ]
	[ "$rc" -eq 0 ] || cat "$tmp/$name.fake"
	kill -TERM "$pod_pid"
	wait_for 10 sh -c "! kill -0 $pod_pid"
	wait "$pod_pid"
	check "$name: podbgpd exits 0" [ $? -eq 0 ]
	pod_pid=""
	check "$name: no sanitizer report" sh -c "! grep -Eq \
	    'runtime error|AddressSanitizer|LeakSanitizer' '$log'"
	[ "$fail" -eq 0 ] || { echo "--- $log"; cat "$log"; }
}
logged() {
	grep -Eq -- "$2" "$tmp/$1.log"
}

sed 's/^      name: fake$/&\n      max-prefixes: {limit: 2, restart-time: 1}/' \
    "$tmp/podbgpd.yaml" \
    >"$tmp/limit.yaml"
cp "$tmp/podbgpd.yaml" "$tmp/plain.yaml"
cp "$tmp/limit.yaml" "$tmp/podbgpd.yaml"
scenario collision-high
cp "$tmp/plain.yaml" "$tmp/podbgpd.yaml"
check "collision-high: Established" logged collision-high \
    'neighbor 192\.0\.2\.1 \(fake\): Established'
check "collision-high: max-prefix logged" logged collision-high \
    'fake\): more than 2 prefixes'
check "collision-high: NOTIFICATION named" logged collision-high \
    'fake\): sent NOTIFICATION cease, maximum number of prefixes reached'

scenario collision-low
check "collision-low: route refresh answered" logged collision-low \
    'route refresh for IPv4'

scenario collision-established
check "collision-established: one Established only" [ "$(grep -c \
    'fake): Established' "$tmp/collision-established.log")" -eq 1 ]

scenario second-first
check "second-first: Established once, on the second connection" [ "$(grep -c \
    'fake): Established' "$tmp/second-first.log")" -eq 1 ]
check "second-first: the takeover is logged" logged second-first \
    'the second connection is Established first: it takes over'

scenario second-lost
check "second-lost: the third connection is not refused" sh -c \
    "! grep -q 'connection refused in OpenSent' '$tmp/second-lost.log'"

scenario bad-as
check "bad-as: logged with both ASes" logged bad-as \
    'OPEN with AS 65002, configured 65001'
check "bad-as: NOTIFICATION named" logged bad-as \
    'sent NOTIFICATION OPEN message error, bad peer AS'

scenario same-id-ebgp

scenario update-errors
check "update-errors: treat-as-withdraw logged" logged update-errors \
    'UPDATE treated as withdraw'
check "update-errors: the next UPDATE is accepted" logged update-errors \
    'accepted 10\.96\.8\.0/24 via 192\.0\.2\.1'
check "update-errors: a route outside the cluster is rejected" \
    logged update-errors \
    'rejected 192\.168\.0\.0/16: not in cluster CIDRs'
check "update-errors: the ORIGIN 5 route is not accepted" sh -c \
    "! grep -q 'accepted 10\.96\.9\.0' '$tmp/update-errors.log'"

scenario bad-marker
check "bad-marker: NOTIFICATION named" logged bad-marker \
    'sent NOTIFICATION message header error, connection not synchronized'

scenario hold
check "hold: NOTIFICATION named" logged hold \
    'sent NOTIFICATION hold timer expired'

scenario graceful-restart
check "graceful-restart: restart seen" logged graceful-restart \
    'fake\): new connection in Established: the peer restarted'
check "graceful-restart: paths kept stale" logged graceful-restart \
    'fake\): graceful restart: keeping 2 paths as stale for 120 s'
check "graceful-restart: End-of-RIB sweeps the one not re-learned" \
    logged graceful-restart 'End-of-RIB IPv4, 1 stale paths removed'
check "graceful-restart: nothing flushed" sh -c \
    "! grep -q 'paths flushed' '$tmp/graceful-restart.log'"

scenario strangers
check "strangers: refusals logged" logged strangers \
    'connection from 192\.0\.2\.5 refused: not a configured neighbor'
check "strangers: refusals rate-limited to 10 lines" [ "$(grep -c \
    'connection from 192\.0\.2\.5 refused' "$tmp/strangers.log")" -le 10 ]

scenario bulk
check "bulk: all 6000 announcements accepted" [ "$(grep -Ec \
    'accepted 10\.(1[01][0-9]|120)\.' "$tmp/bulk.log")" -eq 6000 ]
check "bulk: no NOTIFICATION" sh -c \
    "! grep -q 'NOTIFICATION' '$tmp/bulk.log'"
check "bulk: 5250 distinct paths flushed at the end" logged bulk \
    'neighbor 192\.0\.2\.1: 5250 paths flushed'

# podbgpd restarting: its own OPENs. The state file goes next to the
# control socket, here in $tmp, so the first start is a fresh one.
sed "s|^  socket: .*|  socket: $tmp/gr.ctl|
s|^  read-only-socket: .*|  read-only-socket: $tmp/gr.ro.ctl|" \
    "$tmp/plain.yaml" >"$tmp/gr.yaml"
log=$tmp/restarting.log
rm -f "$tmp/ready" "$tmp/signal" "$tmp/gr.state"
ip netns exec "$ns_a" python3 "$fake" --ready "$tmp/ready" \
    --signal "$tmp/signal" restarting >"$tmp/restarting.fake" 2>&1 &
fake_pid=$!
wait_for 10 test -s "$tmp/ready" || { cat "$tmp/restarting.fake"; exit 99; }
ip netns exec "$ns_b" "$podbgpd" -d -f "$tmp/gr.yaml" >"$log" 2>&1 &
pod_pid=$!
check "restarting: podbgpd writes its state file" wait_for 10 \
    test -s "$tmp/gr.state"
check "restarting: the peer had our routes" wait_for 20 \
    test -s "$tmp/signal"
kill -KILL "$pod_pid"
wait "$pod_pid" 2>/dev/null
check "restarting: the state file outlives SIGKILL" test -f "$tmp/gr.state"
ip netns exec "$ns_b" "$podbgpd" -d -f "$tmp/gr.yaml" >>"$log" 2>&1 &
pod_pid=$!
wait_for 30 sh -c "! kill -0 $fake_pid"
wait "$fake_pid"
rc=$?
fake_pid=""
check "restarting: R and F bits as the peer expected" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || cat "$tmp/restarting.fake"
check "restarting: the restart is logged once" [ "$(grep -c \
    "graceful restart: restarting, as $tmp/gr.state was left" "$log")" \
    -eq 1 ]
check "restarting: its end is logged" grep -q \
    'graceful restart: every peer has our routes and End-of-RIB' "$log"
kill -TERM "$pod_pid"
wait_for 10 sh -c "! kill -0 $pod_pid"
wait "$pod_pid"
check "restarting: podbgpd exits 0" [ $? -eq 0 ]
pod_pid=""
check "restarting: keep-on-exit keeps the state file on SIGTERM" \
    test -f "$tmp/gr.state"
check "restarting: no sanitizer report" sh -c "! grep -Eq \
    'runtime error|AddressSanitizer|LeakSanitizer' '$log'"
[ "$fail" -eq 0 ] || { echo "--- $log"; cat "$log"; }

# keep-on-exit false: no F bit, and a SIGTERM removes the state file
rm -f "$tmp/gr.state"
sed 's|^log:$|fib:\n  keep-on-exit: false\n&|' "$tmp/gr.yaml" \
    >"$tmp/podbgpd.yaml"
scenario no-forwarding
check "no-forwarding: a stop that flushes removes the state file" \
    test ! -e "$tmp/gr.state"
check "no-forwarding: a first start is no restart" sh -c \
    "! grep -q 'graceful restart: restarting' '$tmp/no-forwarding.log'"

# the peer in our AS
sed 's/^      asn: 65001$/      asn: 65000/' "$tmp/plain.yaml" \
    >"$tmp/podbgpd.yaml"
scenario ibgp
scenario ibgp-same-id
check "ibgp-same-id: NOTIFICATION named" logged ibgp-same-id \
    'sent NOTIFICATION OPEN message error, bad BGP identifier'

if [ "$fail" -ne 0 ]; then
	echo "fake_session.sh: $fail of $n checks failed"
	exit 1
fi
echo "fake_session.sh: $n checks passed"
exit 0
