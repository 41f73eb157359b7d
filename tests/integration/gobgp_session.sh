#!/bin/sh
# podbgpd against GoBGP (gobgpd) over a veth pair between two network
# namespaces made here: an eBGP session over IPv4 and one over IPv6 come
# up on both sides with the capabilities GoBGP sees, GoBGP learns our
# pod CIDRs with our next hops and AS path, podbgpd accepts GoBGP's
# prefixes of both families, withdrawals both ways (gobgp global rib
# del; SIGHUP with a changed nodes file), and SIGTERM's shutdown
# communication reaches GoBGP.
# Needs root, gobgpd and gobgp; exits 77 otherwise. Waits poll with
# deadlines; only processes started here are signalled, only namespaces
# made here are deleted.
set -u
me=gobgp_session.sh
srcdir=${srcdir:-$(dirname "$0")/../..}
. "$srcdir/tests/integration/lib.sh"

gobgpd=${GOBGPD:-/usr/bin/gobgpd}
gobgp=${GOBGP:-/usr/bin/gobgp}
need_root
need_exec "$gobgpd" "$gobgp" "$(command -v python3 || echo python3)"
need_podbgpd

ns_a=pgb$$-a	# gobgpd
ns_b=pgb$$-b	# podbgpd
make_tmp gobgp
make_pair "$ns_a" "$ns_b"

# the API listens on the loopback of GoBGP's own namespace
gcli() {
	ip netns exec "$ns_a" "$gobgp" -p 50051 "$@"
}
# gob PYEXPR GOBGP-ARGS...: gobgp -j's output is j; true if PYEXPR is.
gob() {
	e=$1
	shift
	gcli -j "$@" 2>/dev/null | python3 -c '
import json, sys
try:
	j = json.load(sys.stdin)
	sys.exit(0 if eval(sys.argv[1]) else 1)
except Exception:
	sys.exit(1)' "$e"
}
# gob_rib AFI PREFIX: the text of GoBGP's global RIB entry for PREFIX.
gob_rib() {
	gcli global rib -a "$1" "$2" 2>&1
}
established() {
	gcli neighbor "$1" 2>/dev/null |
	    grep -Eiq 'BGP state = established'
}
gobgp_log_has() {
	grep -Eq -- "$1" "$tmp/gobgpd.log"
}
dump() {
	echo "--- gobgpd log (last 40 lines)"
	tail -n 40 "$tmp/gobgpd.log"
	echo "--- gobgp neighbor"
	gcli neighbor 2>&1
	echo "--- gobgp global rib"
	gcli global rib -a ipv4 2>&1
	gcli global rib -a ipv6 2>&1
}

# --- GoBGP (AS 65001) --------------------------------------------------
cat >"$tmp/gobgpd.toml" <<EOF
[global.config]
  as = 65001
  router-id = "192.0.2.1"

[[neighbors]]
  [neighbors.config]
    neighbor-address = "192.0.2.2"
    peer-as = 65000
  [neighbors.timers.config]
    connect-retry = 2
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"

[[neighbors]]
  [neighbors.config]
    neighbor-address = "2001:db8::2"
    peer-as = 65000
  [neighbors.timers.config]
    connect-retry = 2
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
EOF
# Only IPv6 over IPv6: with IPv4 unicast there too, GoBGP 3.10 sends its
# IPv4 route in MP_REACH_NLRI with a 16-byte IPv6 next hop although no
# extended next hop capability (RFC 8950) was exchanged, and podbgpd
# resets the session as RFC 7606 7.11 requires for a next hop length it
# cannot use.
ip netns exec "$ns_a" "$gobgpd" -f "$tmp/gobgpd.toml" -p -l debug \
    --api-hosts=127.0.0.1:50051 --pprof-disable >"$tmp/gobgpd.log" 2>&1 &
started $!
if ! wait_for 20 gcli global; then
	echo "gobgpd did not start"
	cat "$tmp/gobgpd.log"
	exit 99
fi
gcli global rib add 10.96.0.0/16 -a ipv4 >/dev/null
gcli global rib add fd00:96::/48 -a ipv6 >/dev/null

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
      name: gobgp-a
    - address: "2001:db8::1"
      asn: 65001
      name: gobgp-a6
control:
  socket: $tmp/podbgpd.ctl
  read-only-socket: $tmp/podbgpd.ro.ctl
log:
  level: debug
EOF
start_podbgpd "$ns_b"

# --- the sessions -----------------------------------------------------
check "podbgpd logs Established" wait_for 30 \
    log_has 'neighbor 192\.0\.2\.1 \(gobgp-a\): Established'
check "GoBGP shows the session Established" wait_for 10 \
    established 192.0.2.2
check "podbgpd logs the IPv6 session Established" wait_for 30 \
    log_has 'neighbor 2001:db8::1 \(gobgp-a6\): Established'
check "GoBGP shows the IPv6 session Established" wait_for 10 \
    established 2001:db8::2


gcli neighbor 192.0.2.2 >"$tmp/nb4" 2>&1
for c in '4-octet-as' 'route-refresh' 'ipv4-unicast'; do
	check "capability $c negotiated" \
	    grep -Eq "^ +$c:.advertised and received" "$tmp/nb4"
done
check "GoBGP sees our graceful restart capability, restart time 120 s" \
    grep -Eq 'Remote: restart time 120 sec' "$tmp/nb4"
# No route refresh here: GoBGP keeps every Adj-RIB-In, so its soft reset
# in never sends a ROUTE-REFRESH.

# --- our pod CIDRs at GoBGP -------------------------------------------
check "GoBGP has our IPv4 pod CIDR" wait_for 10 sh -c \
    "ip netns exec $ns_a $gobgp -p 50051 global rib -a ipv4 10.244.1.0/24 |
    grep -q '10\.244\.1\.0/24'"
gob_rib ipv4 10.244.1.0/24 >"$tmp/r4"
check "IPv4 next hop is our veth address" \
    grep -Eq '10\.244\.1\.0/24 +192\.0\.2\.2 ' "$tmp/r4"
check "IPv4 AS path is our AS" grep -Eq ' 65000 ' "$tmp/r4"
check "IPv4 origin IGP" grep -Eq '\{Origin: i\}' "$tmp/r4"
check "GoBGP has our IPv6 pod CIDR" wait_for 10 sh -c \
    "ip netns exec $ns_a $gobgp -p 50051 global rib -a ipv6 \
    fd00:10:244:1::/64 | grep -q 'fd00:10:244:1::/64'"
gob_rib ipv6 fd00:10:244:1::/64 >"$tmp/r6"
check "IPv6 next hop is our global address" \
    grep -Eq 'fd00:10:244:1::/64 +2001:db8::2 ' "$tmp/r6"
check "IPv6 AS path is our AS" grep -Eq ' 65000 ' "$tmp/r6"

check "GoBGP's adj-in of the IPv4 session holds our IPv4 pod CIDR" \
    sh -c "ip netns exec $ns_a $gobgp -p 50051 neighbor 192.0.2.2 \
    adj-in -a ipv4 2>&1 | grep -q '10\.244\.1\.0/24'"
check "no IPv4 route over the IPv6 session (OPENs agreed on IPv6 only)" \
    sh -c "! ip netns exec $ns_a $gobgp -p 50051 neighbor 2001:db8::2 \
    adj-in -a ipv4 2>&1 | grep -q '10\.244'"

# --- GoBGP's prefixes at podbgpd --------------------------------------
check "podbgpd accepts GoBGP's IPv4 prefix" wait_for 10 \
    log_has 'neighbor 192\.0\.2\.1: accepted 10\.96\.0\.0/16 via 192\.0\.2\.1'
check "podbgpd accepts GoBGP's IPv6 prefix" wait_for 10 \
    log_has 'neighbor 2001:db8::1: accepted fd00:96::/48 via 2001:db8::1'

# --- withdrawals both ways --------------------------------------------
gcli global rib del 10.96.0.0/16 -a ipv4 >/dev/null
check "podbgpd sees GoBGP's IPv4 withdrawal" wait_for 10 \
    log_has 'neighbor 192\.0\.2\.1: withdrawn 10\.96\.0\.0/16'
gcli global rib del fd00:96::/48 -a ipv6 >/dev/null
check "podbgpd sees GoBGP's IPv6 withdrawal" wait_for 10 \
    log_has 'neighbor 2001:db8::1: withdrawn fd00:96::/48'
cat >"$tmp/nodes.yaml" <<EOF
nodes:
  - name: node-b
    pod-cidrs: [10.244.7.0/24, "fd00:10:244:7::/64"]
    addresses: [192.0.2.2]
EOF
kill -HUP "$pod_pid"
check "SIGHUP: GoBGP gets the new IPv4 pod CIDR" wait_for 10 sh -c \
    "ip netns exec $ns_a $gobgp -p 50051 global rib -a ipv4 |
    grep -q '10\.244\.7\.0/24'"
check "SIGHUP: GoBGP loses the old IPv4 pod CIDR" wait_for 10 sh -c \
    "! ip netns exec $ns_a $gobgp -p 50051 global rib -a ipv4 |
    grep -q '10\.244\.1\.0/24'"
check "SIGHUP: GoBGP gets the new IPv6 pod CIDR" wait_for 10 sh -c \
    "ip netns exec $ns_a $gobgp -p 50051 global rib -a ipv6 |
    grep -q 'fd00:10:244:7::/64'"
check "SIGHUP: GoBGP loses the old IPv6 pod CIDR" wait_for 10 sh -c \
    "! ip netns exec $ns_a $gobgp -p 50051 global rib -a ipv6 |
    grep -q 'fd00:10:244:1::/64'"

# --- SIGTERM: administrative shutdown with our message ---------------
kill -TERM "$pod_pid"
check "GoBGP receives our shutdown communication" wait_for 10 \
    gobgp_log_has 'podbgpd shutting down'
check "GoBGP leaves Established" wait_for 10 not established 192.0.2.2
check "and on the IPv6 session" wait_for 10 not established 2001:db8::2
reap_podbgpd
check "podbgpd logs no ASan/UBSan report" no_sanitizer_report

finish dump
