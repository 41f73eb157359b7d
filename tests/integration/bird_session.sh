#!/bin/sh
# podbgpd against BIRD 2 over a veth pair between two network namespaces
# made here: the session comes up on both sides, BIRD learns this node's
# pod CIDRs (IPv4 and IPv6) with our next hops and AS path, podbgpd
# accepts BIRD's prefix and sees it withdrawn, notices BIRD stopping the
# session, and SIGTERM sends BIRD our administrative shutdown message.
# Needs root (CI runs as root), ip(8) and /usr/sbin/bird; exits 77
# otherwise. Every wait polls with a deadline; only processes started here
# are signalled, only namespaces made here are deleted.
# KEEP=1 keeps the temporary directory (logs, configs) for a look.
set -u
me=bird_session.sh
srcdir=${srcdir:-$(dirname "$0")/../..}
# ok, bad, check, wait_for
. "$srcdir/tests/integration/lib.sh"

podbgpd=${PODBGPD:-$(pwd)/src/podbgpd/podbgpd}
bird=${BIRD:-/usr/sbin/bird}
birdc=${BIRDC:-/usr/sbin/birdc}

if [ "$(id -u)" -ne 0 ]; then
	echo "bird_session.sh: needs root, skipping" >&2
	exit 77
fi
for p in "$bird" "$birdc"; do
	if [ ! -x "$p" ]; then
		echo "bird_session.sh: $p not found, skipping" >&2
		exit 77
	fi
done
if ! command -v ip >/dev/null 2>&1; then
	echo "bird_session.sh: ip(8) not found, skipping" >&2
	exit 77
fi
if [ ! -x "$podbgpd" ]; then
	echo "bird_session.sh: $podbgpd not built" >&2
	exit 99
fi

ns_a=pbs$$-a	# BIRD
ns_b=pbs$$-b	# podbgpd
tmp=$(mktemp -d "${TMPDIR:-/tmp}/podbgp-bird.XXXXXX") || exit 99
bird_pid=""
pod_pid=""
cleanup() {
	[ -n "$pod_pid" ] && kill "$pod_pid" 2>/dev/null
	[ -n "$bird_pid" ] && kill "$bird_pid" 2>/dev/null
	for p in $pod_pid $bird_pid; do
		wait "$p" 2>/dev/null
	done
	ip netns del "$ns_a" 2>/dev/null
	ip netns del "$ns_b" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

birdc_a() {
	ip netns exec "$ns_a" "$birdc" -s "$tmp/bird.ctl" "$@"
}
# bird_has REGEX birdc-ARGS...: the birdc output matches REGEX.
bird_has() {
	re=$1
	shift
	birdc_a "$@" 2>/dev/null | grep -Eq -- "$re"
}
bird_lacks() {
	! bird_has "$@"
}
log_has() {
	grep -Eq -- "$1" "$tmp/podbgpd.log"
}
dump() {
	echo "--- podbgpd log"
	cat "$tmp/podbgpd.log"
	echo "--- bird log"
	cat "$tmp/bird.log" 2>/dev/null
	echo "--- birdc show protocols all pod"
	birdc_a show protocols all pod 2>&1
	echo "--- birdc show route all"
	birdc_a show route all 2>&1
}

# --- the network ------------------------------------------------------
ip netns add "$ns_a" || exit 99
ip netns add "$ns_b" || exit 99
ip -n "$ns_a" link add veth0 type veth peer name veth1 netns "$ns_b" ||
    exit 99
for ns in "$ns_a" "$ns_b"; do
	ip -n "$ns" link set lo up
done
ip -n "$ns_a" addr add 192.0.2.1/24 dev veth0
ip -n "$ns_a" addr add 2001:db8::1/64 dev veth0 nodad
ip -n "$ns_b" addr add 192.0.2.2/24 dev veth1
ip -n "$ns_b" addr add 2001:db8::2/64 dev veth1 nodad
ip -n "$ns_a" link set veth0 up
ip -n "$ns_b" link set veth1 up
# the link-local addresses come with the link; wait until usable
wait_for 10 sh -c "ip -n $ns_b -6 addr show dev veth1 scope link | \
    grep -q fe80 && ! ip -n $ns_b -6 addr show dev veth1 | grep -q tentative"

# --- BIRD (AS 65001) ---------------------------------------------------
cat >"$tmp/bird.conf" <<EOF
log "$tmp/bird.log" all;
router id 192.0.2.1;
protocol device { }
protocol direct { ipv4; ipv6; interface "veth0"; }
protocol static s4 {
	ipv4;
	route 10.96.0.0/16 blackhole;
}
protocol static s6 {
	ipv6;
	route fd00:96::/48 blackhole;
}
# over IPv6, with TCP MD5 and GTSM: no SYN of ours gets through without
protocol bgp pod6 {
	local 2001:db8::1 as 65001;
	neighbor 2001:db8::2 as 65000;
	password "pod6-s3cret";
	ttl security on;
	connect delay time 1;
	connect retry time 2;
	error wait time 1, 4;
	ipv6 { import all; export where proto = "s6"; };
	ipv4 { import all; export none; };
}
protocol bgp pod {
	local 192.0.2.1 as 65001;
	neighbor 192.0.2.2 as 65000;
	connect delay time 1;
	connect retry time 2;
	error wait time 1, 4;
	ipv4 { import all; export where proto = "s4"; };
	ipv6 { import all; export none; };
}
EOF
ip netns exec "$ns_a" "$bird" -f -c "$tmp/bird.conf" -s "$tmp/bird.ctl" \
    -P "$tmp/bird.pid" >"$tmp/bird.out" 2>&1 &
bird_pid=$!
if ! wait_for 10 birdc_a show status; then
	echo "bird did not start"
	cat "$tmp/bird.out"
	exit 99
fi

# --- podbgpd (AS 65000) ------------------------------------------------
cat >"$tmp/nodes.yaml" <<EOF
nodes:
  - name: node-b
    pod-cidrs: [10.244.1.0/24, "fd00:10:244:1::/64"]
    addresses: [192.0.2.2]
EOF
cat >"$tmp/podbgpd.yaml" <<EOF
node-name: node-b
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
      name: bird-a
      hold-time: 30
    - address: "2001:db8::1"
      asn: 65001
      name: bird-a6
      password-file: $tmp/pod6.pass
      ttl-security: true
control:
  socket: $tmp/podbgpd.ctl
  read-only-socket: $tmp/podbgpd.ro.ctl
log:
  level: debug
EOF
(umask 077 && echo pod6-s3cret >"$tmp/pod6.pass")
ip netns exec "$ns_b" "$podbgpd" -d -f "$tmp/podbgpd.yaml" \
    >"$tmp/podbgpd.log" 2>&1 &
pod_pid=$!

# --- the session ------------------------------------------------------
check "podbgpd logs Established" wait_for 30 \
    log_has 'neighbor 192\.0\.2\.1 \(bird-a\): Established'
check "BIRD shows the session Established" wait_for 10 \
    bird_has 'pod +BGP +.* up .*Established' show protocols

# --- our pod CIDRs at BIRD --------------------------------------------
check "BIRD has our IPv4 pod CIDR" wait_for 10 \
    bird_has '^10\.244\.1\.0/24' show route for 10.244.1.0/24 all
birdc_a show route for 10.244.1.0/24 all >"$tmp/r4" 2>&1
check "IPv4 next hop is our veth address" \
    grep -Eq 'via 192\.0\.2\.2 on veth0' "$tmp/r4"
check "IPv4 AS path is our AS" grep -Eq 'BGP\.as_path: 65000$' "$tmp/r4"
check "IPv4 origin IGP" grep -Eq 'BGP\.origin: IGP' "$tmp/r4"
check "BIRD has our IPv6 pod CIDR" wait_for 10 \
    bird_has '^fd00:10:244:1::/64' show route for fd00:10:244:1::/64 all
birdc_a show route for fd00:10:244:1::/64 all >"$tmp/r6" 2>&1
check "IPv6 next hop is our global address" \
    grep -Eq 'BGP\.next_hop: 2001:db8::2 fe80:' "$tmp/r6"
check "IPv6 AS path is our AS" grep -Eq 'BGP\.as_path: 65000$' "$tmp/r6"

# --- the IPv6 session with MD5 and GTSM -------------------------------
check "podbgpd logs the IPv6 session Established" wait_for 30 \
    log_has 'neighbor 2001:db8::1 \(bird-a6\): Established'
check "BIRD shows the IPv6 session Established" wait_for 10 \
    bird_has 'pod6 +BGP +.* up .*Established' show protocols
check "BIRD has our IPv6 pod CIDR over IPv6" wait_for 10 \
    bird_has '^fd00:10:244:1::/64' show route all protocol pod6
birdc_a show route all protocol pod6 >"$tmp/r66" 2>&1
check "IPv6 session: global and link-local next hop" \
    grep -Eq 'BGP\.next_hop: 2001:db8::2 fe80:' "$tmp/r66"
check "IPv6 session: IPv4 pod CIDR with an IPv4 next hop" \
    grep -Eq 'BGP\.next_hop: 192\.0\.2\.2$' "$tmp/r66"
check "podbgpd accepts BIRD's IPv6 prefix" wait_for 10 \
    log_has 'neighbor 2001:db8::1: accepted fd00:96::/48 via 2001:db8::1'

# --- BIRD's prefix at podbgpd ----------------------------------------
check "podbgpd accepts BIRD's prefix" wait_for 10 \
    log_has 'neighbor 192\.0\.2\.1: accepted 10\.96\.0\.0/16 via 192\.0\.2\.1'
check "podbgpd receives End-of-RIB" wait_for 10 \
    log_has 'neighbor 192\.0\.2\.1: End-of-RIB IPv4'
birdc_a reload in pod >/dev/null 2>&1
check "podbgpd answers a route refresh" wait_for 10 \
    log_has 'neighbor 192\.0\.2\.1: route refresh for IPv4'
birdc_a disable s4 >/dev/null 2>&1
check "podbgpd sees the withdrawal" wait_for 10 \
    log_has 'neighbor 192\.0\.2\.1: withdrawn 10\.96\.0\.0/16'

# --- BIRD stops the session ------------------------------------------
birdc_a disable pod >/dev/null 2>&1
check "podbgpd logs BIRD's Cease NOTIFICATION" wait_for 10 \
    log_has 'bird-a\): received NOTIFICATION cease, administrative shutdown'
check "podbgpd leaves Established" wait_for 10 \
    log_has 'bird-a\): (Idle|Active|Connect)$'
birdc_a enable pod >/dev/null 2>&1
check "the session comes back" wait_for 30 sh -c \
    "[ \$(grep -c 'bird-a): Established' '$tmp/podbgpd.log') -ge 2 ]"

# --- the node's pod CIDRs change: SIGHUP re-reads the nodes file ------
cat >"$tmp/nodes.yaml" <<EOF
nodes:
  - name: node-b
    pod-cidrs: [10.244.7.0/24, "fd00:10:244:1::/64"]
    addresses: [192.0.2.2]
EOF
kill -HUP "$pod_pid"
check "BIRD gets the new IPv4 pod CIDR" wait_for 10 \
    bird_has '^10\.244\.7\.0/24 .*\[pod ' show route for 10.244.7.0/24
check "and over the IPv6 session" wait_for 10 \
    bird_has '^10\.244\.7\.0/24' show route protocol pod6
check "BIRD loses the old IPv4 pod CIDR" wait_for 10 \
    bird_lacks '10\.244\.1\.0/24' show route
check "the unchanged IPv6 pod CIDR stays" \
    bird_has '^fd00:10:244:1::/64' show route for fd00:10:244:1::/64

# --- SIGTERM: administrative shutdown with our message ---------------
kill -TERM "$pod_pid"
check "BIRD receives our shutdown communication" wait_for 10 \
    grep -Eq 'pod: Received: Administrative shutdown: "podbgpd shutting down"' \
    "$tmp/bird.log"
check "and on the IPv6 session" wait_for 10 \
    grep -Eq 'pod6: Received: Administrative shutdown: "podbgpd shutting down"' \
    "$tmp/bird.log"
i=0
while kill -0 "$pod_pid" 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.2
	i=$((i + 1))
done
check "podbgpd exits after SIGTERM" [ $i -lt 50 ]
wait "$pod_pid"
check "podbgpd exits 0" [ $? -eq 0 ]
pod_pid=""
check "podbgpd logs no ASan/UBSan report" \
    sh -c "! grep -Eq 'runtime error|AddressSanitizer|LeakSanitizer' \
    '$tmp/podbgpd.log'"

if [ "$fail" -ne 0 ]; then
	dump
	echo "bird_session.sh: $fail of $n checks failed"
	exit 1
fi
echo "bird_session.sh: $n checks passed"
exit 0
