#!/bin/sh
# podbgpd against GoBGP (gobgpd) over a veth pair between two network
# namespaces made here: an eBGP session over IPv4 and one over IPv6 come
# up on both sides with the capabilities GoBGP sees, GoBGP learns our
# pod CIDRs with our next hops and AS path, podbgpd accepts GoBGP's
# prefixes of both families with their next hop, AS path, origin and MED
# (podbgpctl show route all), withdrawals both ways (gobgp global rib
# del; SIGHUP with a changed nodes file), a route refresh podbgpd sends
# when a reload changes the import filter is answered (GoBGP cannot send
# one), and SIGTERM's shutdown communication reaches GoBGP. An iBGP
# session between second addresses (GoBGP's neighbor in our AS with
# local-as) with its capabilities, empty AS path, LOCAL_PREF and next
# hop both ways; the hold timer against a stopped gobgpd, gobgpd killed
# and started again, a flood of connections from unconfigured addresses
# while the sessions stay up.
# Needs root, gobgpd, gobgp, podbgpctl and python3; exits 77 otherwise.
# Waits poll with deadlines; only processes started here are signalled,
# only namespaces made here are deleted.
set -u
me=gobgp_session.sh
srcdir=${srcdir:-$(dirname "$0")/../..}
. "$srcdir/tests/integration/lib.sh"

gobgpd=${GOBGPD:-/usr/bin/gobgpd}
gobgp=${GOBGP:-/usr/bin/gobgp}
ctl=${PODBGPCTL:-$(pwd)/src/podbgpctl/podbgpctl}
need_root
need_exec "$gobgpd" "$gobgp" "$ctl" "$(command -v python3 || echo python3)"
need_podbgpd

ns_a=pgb$$-a	# gobgpd
ns_b=pgb$$-b	# podbgpd
make_tmp gobgp
make_pair "$ns_a" "$ns_b"
# the iBGP session runs between these
ip -n "$ns_a" addr add 192.0.2.4/24 dev veth0
ip -n "$ns_b" addr add 192.0.2.12/24 dev veth1

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
# gob_get PYEXPR GOBGP-ARGS...: prints PYEXPR over gobgp -j's output j.
gob_get() {
	e=$1
	shift
	gcli -j "$@" 2>/dev/null | python3 -c '
import json, sys
try:
	print(eval(sys.argv[1], {"j": json.load(sys.stdin)}))
except Exception:
	print("none")' "$e"
}
# refresh_count DIR: GoBGP's count of ROUTE-REFRESH messages sent (1) or
# received (2) on the IPv4 session, from `gobgp neighbor`'s statistics.
refresh_count() {
	gcli neighbor 192.0.2.2 2>/dev/null |
	    awk -v c=$(($1 + 2)) '/Route Refresh:/ { print $c }'
}
refreshed_more() {
	[ "$(refresh_count 2)" -gt "$1" ]
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
    hold-time = 6
    keepalive-interval = 2
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"

# iBGP: in our AS between second addresses
[[neighbors]]
  [neighbors.config]
    neighbor-address = "192.0.2.12"
    peer-as = 65000
    local-as = 65000
  [neighbors.transport.config]
    local-address = "192.0.2.4"
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
# start_gobgpd: gobgpd with its two prefixes, its pid in $gobgpd_pid.
start_gobgpd() {
	ip netns exec "$ns_a" "$gobgpd" -f "$tmp/gobgpd.toml" -p -l debug \
	    --api-hosts=127.0.0.1:50051 --pprof-disable \
	    >>"$tmp/gobgpd.log" 2>&1 &
	gobgpd_pid=$!
	started "$gobgpd_pid"
	if ! wait_for 20 gcli global; then
		echo "gobgpd did not start"
		cat "$tmp/gobgpd.log"
		exit 99
	fi
	gcli global rib add 10.96.0.0/16 med 50 -a ipv4 >/dev/null
	gcli global rib add fd00:96::/48 -a ipv6 >/dev/null
}
start_gobgpd

# --- podbgpd (AS 65000) ------------------------------------------------
cat >"$tmp/nodes.yaml" <<EOF
nodes:
  - name: node-b
    pod-cidrs: [10.244.1.0/24, "fd00:10:244:1::/64"]
    addresses: [192.0.2.2]
EOF
# pod_conf: podbgpd.yaml, with $imp_a in gobgp-a's settings.
pod_conf() {
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
      hold-time: 6
$imp_a
    - address: "2001:db8::1"
      asn: 65001
      name: gobgp-a6
    - address: 192.0.2.4
      asn: 65000
      name: gobgp-i
      local-address: 192.0.2.12
control:
  socket: $tmp/podbgpd.ctl
  read-only-socket: $tmp/podbgpd.ro.ctl
log:
  level: debug
EOF
}
imp_a=""
pod_conf
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
check "hold time 6 s negotiated" \
    gob "j['timers']['state']['negotiated_hold_time'] == 6" neighbor 192.0.2.2

# --- iBGP between second addresses ----------------------------------
check "iBGP: podbgpd logs Established" wait_for 30 \
    log_has 'neighbor 192\.0\.2\.4 \(gobgp-i\): Established'
check "iBGP: GoBGP shows the session Established" wait_for 10 \
    established 192.0.2.12
gcli neighbor 192.0.2.12 >"$tmp/nbi" 2>&1
for c in '4-octet-as' 'route-refresh' 'ipv4-unicast'; do
	check "iBGP: capability $c negotiated" \
	    grep -Eq "^ +$c:.advertised and received" "$tmp/nbi"
done
check "iBGP: GoBGP has our IPv4 pod CIDR" wait_for 10 sh -c \
    "ip netns exec $ns_a $gobgp -p 50051 neighbor 192.0.2.12 adj-in \
    -a ipv4 | grep -q '10\.244\.1\.0/24'"
gcli neighbor 192.0.2.12 adj-in -a ipv4 >"$tmp/ri" 2>&1
check "iBGP: with an empty AS path and our local address as next hop" \
    gob "any({'type': 2, 'as_paths': []} in p['attrs'] and \
{'type': 3, 'nexthop': '192.0.2.12'} in p['attrs'] \
for p in j['10.244.1.0/24'])" neighbor 192.0.2.12 adj-in -a ipv4
check "iBGP: with LOCAL_PREF 100" grep -Eq '\{LocalPref: 100\}' "$tmp/ri"
check "iBGP: podbgpd accepts GoBGP's prefix" wait_for 10 \
    log_has 'neighbor 192\.0\.2\.4: accepted 10\.96\.0\.0/16 via 192\.0\.2\.4'
# GoBGP's global rib add sends origin incomplete
check "iBGP: podbgpd's RIB has it with an empty AS path, origin incomplete, \
LOCAL_PREF 100" wait_for 10 pod_path 10.96.0.0/16 gobgp-i \
    "p['as_path'] == [] and p['origin'] == 'incomplete' and \
p['local_pref'] == 100 and p['nexthop'] == '192.0.2.4'"

# --- our pod CIDRs at GoBGP -------------------------------------------
check "GoBGP has our IPv4 pod CIDR" wait_for 10 sh -c \
    "ip netns exec $ns_a $gobgp -p 50051 global rib -a ipv4 10.244.1.0/24 |
    grep -q '10\.244\.1\.0/24'"
# GoBGP's best path is the iBGP one: the eBGP one is in the adj-in
gcli neighbor 192.0.2.2 adj-in -a ipv4 >"$tmp/r4" 2>&1
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
check "podbgpd's RIB: IPv4 AS path 65001, origin incomplete, MED 50" \
    pod_path 10.96.0.0/16 gobgp-a "p['as_path'] == [65001] and \
p['origin'] == 'incomplete' and p.get('med') == 50 and \
'local_pref' not in p and p['nexthop'] == '192.0.2.1'"
check "podbgpd's RIB: IPv6 AS path 65001, origin incomplete" \
    pod_path fd00:96::/48 gobgp-a6 "p['as_path'] == [65001] and \
p['origin'] == 'incomplete' and p['nexthop'] == '2001:db8::1'"

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

# --- route refresh: podbgpd asks, GoBGP answers ----------------------
# Only this direction: GoBGP keeps every Adj-RIB-In, so its soft reset in
# (gobgp neighbor ADDR softresetin) re-runs its import policy over it and
# sends no ROUTE-REFRESH (its Route Refresh counters stay 0); GoBGP 3.10
# has no command that sends one. podbgpd sends one when a peer's import
# filter changes on reload, as it keeps no routes it refused: a route
# outside cluster-cidrs, refused, is accepted only if GoBGP sends it again.
gcli global rib add 192.168.96.0/24 -a ipv4 >/dev/null
check "podbgpd refuses GoBGP's route outside cluster-cidrs" wait_for 10 \
    log_has 'neighbor 192\.0\.2\.1: rejected 192\.168\.96\.0/24'
rr=$(refresh_count 2)
imp_a="      import: {rules: [{prefix: 192.168.96.0/24, action: accept}]}"
pod_conf
kill -HUP "$pod_pid"
check "reload: podbgpd asks gobgp-a for its routes again" wait_for 10 \
    log_has '\(gobgp-a\): import policy changed: .*route refresh asked for'
check "GoBGP counts the ROUTE-REFRESH it received" wait_for 10 \
    refreshed_more "$rr"
check "podbgpd accepts the route GoBGP sends again" wait_for 10 log_has \
    'neighbor 192\.0\.2\.1: accepted 192\.168\.96\.0/24 via 192\.0\.2\.1'
check "the new import filter needed no reset" \
    [ "$(est_count gobgp-a)" -eq 1 ]

# --- hold timer: GoBGP stops sending KEEPALIVEs -----------------------
est=$(est_count gobgp-a)
hold_expiry gobgp-a "$gobgpd_pid" 6
check "the session recovers" wait_for 30 \
    sh -c "[ \$(grep -c 'gobgp-a): Established' '$tmp/podbgpd.log') -gt $est ]"
check "GoBGP shows it Established again" wait_for 10 established 192.0.2.2
check "GoBGP has our pod CIDR again" wait_for 10 sh -c \
    "ip netns exec $ns_a $gobgp -p 50051 neighbor 192.0.2.2 adj-in -a ipv4 |
    grep -q '10\.244\.7\.0/24'"

# --- gobgpd killed and started again ----------------------------------
est=$(est_count gobgp-a)
est6=$(est_count gobgp-a6)
esti=$(est_count gobgp-i)
acc=$(log_count 'neighbor 192\.0\.2\.1: accepted 10\.96\.0\.0/16')
kill -KILL "$gobgpd_pid"
wait "$gobgpd_pid" 2>/dev/null
forget "$gobgpd_pid"
check "gobgpd gone: podbgpd leaves Established" wait_for 10 \
    log_has 'gobgp-a\): (Idle|Active|Connect)$'
start_gobgpd
for nm in gobgp-a gobgp-a6 gobgp-i; do
	eval "e=\$est$(echo $nm | sed 's/gobgp-a//; s/gobgp-//')"
	check "gobgpd restarted: session $nm comes back" wait_for 30 \
	    sh -c "[ \$(grep -c '$nm): Established' '$tmp/podbgpd.log') -gt $e ]"
done
check "gobgpd restarted: GoBGP has our pod CIDRs again" wait_for 10 sh -c \
    "ip netns exec $ns_a $gobgp -p 50051 global rib -a ipv4 |
    grep -q '10\.244\.7\.0/24' && ip netns exec $ns_a $gobgp -p 50051 \
    global rib -a ipv6 | grep -q 'fd00:10:244:7::/64'"
check "gobgpd restarted: podbgpd accepts GoBGP's prefix again" wait_for 10 \
    sh -c "[ \$(grep -c 'neighbor 192\.0\.2\.1: accepted 10\.96\.0\.0/16' \
    '$tmp/podbgpd.log') -gt $acc ]"

# --- a flood of connections from addresses that are no peers --------
# gob_uptimes: since when GoBGP has its three sessions up.
gob_uptimes() {
	for a in 192.0.2.2 2001:db8::2 192.0.2.12; do
		gob_get "j['timers']['state']['uptime']" neighbor "$a"
	done
}
u0=$(gob_uptimes)
check "GoBGP reports its sessions' uptimes ($(echo $u0))" \
    [ -n "$u0" -a "${u0%%[Nn]one*}" = "$u0" ]
flood "$ns_a" veth0 192.0.2.2 gobgp-a gobgp-a6 gobgp-i
check "GoBGP's sessions did not restart" [ "$(gob_uptimes)" = "$u0" ]
check "GoBGP's sessions are still Established" \
    [ "$(gcli neighbor 2>/dev/null | grep -c ' Establ ')" -eq 3 ]

# --- SIGTERM: administrative shutdown with our message ---------------
kill -TERM "$pod_pid"
check "GoBGP receives our shutdown communication" wait_for 10 \
    gobgp_log_has 'podbgpd shutting down'
check "GoBGP leaves Established" wait_for 10 not established 192.0.2.2
check "and on the IPv6 session" wait_for 10 not established 2001:db8::2
reap_podbgpd
check "podbgpd logs no ASan/UBSan report" no_sanitizer_report

finish dump
