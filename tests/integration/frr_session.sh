#!/bin/sh
# podbgpd against FRR (zebra and bgpd) over a veth pair between two
# network namespaces made here. An eBGP session over IPv4 and one over
# IPv6 with TCP MD5: the capabilities FRR sees, our pod CIDRs at FRR with
# next hop, AS path and origin, FRR's IPv4 and IPv6 prefixes at podbgpd
# with the AS path, origin, MED and (iBGP) LOCAL_PREF FRR sends
# (podbgpctl show route all), IPv4 and IPv6 withdrawals both ways (FRR
# drops network statements; SIGHUP with changed pod CIDRs in the nodes
# file), a wrong MD5 password keeps the session down and the right one
# brings it up, enhanced route refresh, the hold timer against a stopped
# FRR, an iBGP session with a BGP view of FRR in our AS between second
# addresses, bgpd killed and started again, a flood of connections from
# unconfigured addresses while the sessions stay up, and SIGTERM's
# shutdown communication at FRR.
# Needs root, python3, podbgpctl ($PODBGPCTL) and FRR (/usr/lib/frr/zebra,
# bgpd, vtysh); exits 77
# otherwise. Waits poll with deadlines; only processes started here are
# signalled, only namespaces made here are deleted.
set -u
me=frr_session.sh
srcdir=${srcdir:-$(dirname "$0")/../..}
. "$srcdir/tests/integration/lib.sh"

frrdir=${FRRDIR:-/usr/lib/frr}
vtysh=${VTYSH:-/usr/bin/vtysh}
ctl=${PODBGPCTL:-$(pwd)/src/podbgpctl/podbgpctl}
need_root
need_exec "$frrdir/zebra" "$frrdir/bgpd" "$vtysh" "$ctl" \
    "$(command -v python3 || echo python3)"
need_podbgpd

ns_a=pfr$$-a	# FRR
ns_b=pfr$$-b	# podbgpd
make_tmp frr
make_pair "$ns_a" "$ns_b"

vty() {
	ip netns exec "$ns_a" "$vtysh" --vty_socket "$tmp" "$@"
}
# frr PYEXPR COMMAND: COMMAND's JSON output is j; true if PYEXPR is.
frr() {
	vty -c "$2" 2>/dev/null | python3 -c '
import json, sys
try:
	j = json.load(sys.stdin)
	sys.exit(0 if eval(sys.argv[1]) else 1)
except Exception:
	sys.exit(1)' "$1"
}
# frr_get PYEXPR COMMAND: prints PYEXPR over COMMAND's JSON output.
frr_get() {
	vty -c "$2" 2>/dev/null | python3 -c '
import json, sys
try:
	print(eval(sys.argv[1], {"j": json.load(sys.stdin)}))
except Exception:
	print("none")' "$1"
}
nb4="show bgp neighbors 192.0.2.2 json"
nb6="show bgp neighbors 2001:db8::2 json"
state4="j['192.0.2.2']['bgpState'] == 'Established'"
state6="j['2001:db8::2']['bgpState'] == 'Established'"
# the iBGP session: a BGP view of FRR in our AS, between second addresses
nbi="show bgp view ibgp neighbors 192.0.2.12 json"
statei="j['192.0.2.12']['bgpState'] == 'Established'"
dump() {
	echo "--- podbgpctl show route all"
	"$ctl" -s "$tmp/podbgpd.ro.ctl" show route all 2>&1
	echo "--- frr log (last 60 lines)"
	tail -n 60 "$tmp/frr.log" 2>/dev/null
	cat "$tmp/zebra.out" "$tmp/bgpd.out" 2>/dev/null
	echo "--- show bgp neighbors"
	vty -c "show bgp neighbors" 2>&1 | head -n 150
	echo "--- show bgp ipv4 / ipv6"
	vty -c "show bgp ipv4 unicast" -c "show bgp ipv6 unicast" 2>&1
}

# --- FRR (AS 65001) ----------------------------------------------------
# zebra checks that its user is in FRR's vty group; Debian's is frrvty
group=root
getent group frrvty >/dev/null 2>&1 && group=frrvty
printf 'hostname frr-a\nlog file %s/zebra.log\n' "$tmp" >"$tmp/zebra.conf"
cat >"$tmp/bgpd.conf" <<EOF
hostname frr-a
log file $tmp/frr.log
debug bgp neighbor-events
! attributes podbgpd must hold as FRR sends them
route-map v4attr permit 10
 set metric 42
route-map v6attr permit 10
 set origin egp
route-map iattr permit 10
 set local-preference 250
 set origin incomplete
router bgp 65001
 bgp router-id 192.0.2.1
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 192.0.2.2 remote-as 65000
 neighbor 192.0.2.2 timers 2 6
 neighbor 192.0.2.2 timers connect 2
 neighbor 2001:db8::2 remote-as 65000
 neighbor 2001:db8::2 password wrong-s3cret
 neighbor 2001:db8::2 timers connect 2
 address-family ipv4 unicast
  network 10.96.0.0/16 route-map v4attr
  neighbor 192.0.2.2 activate
  neighbor 2001:db8::2 activate
 exit-address-family
 address-family ipv6 unicast
  network fd00:96::/48 route-map v6attr
  neighbor 2001:db8::2 activate
 exit-address-family
router bgp 65000 view ibgp
 bgp router-id 192.0.2.4
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 192.0.2.12 remote-as 65000
 neighbor 192.0.2.12 update-source 192.0.2.4
 neighbor 192.0.2.12 timers connect 2
 address-family ipv4 unicast
  network 10.98.0.0/16 route-map iattr
 exit-address-family
EOF
ip -n "$ns_a" addr add 192.0.2.4/24 dev veth0
ip -n "$ns_b" addr add 192.0.2.12/24 dev veth1
ip netns exec "$ns_a" "$frrdir/zebra" -f "$tmp/zebra.conf" \
    -i "$tmp/zebra.pid" -z "$tmp/zserv.api" --vty_socket "$tmp" \
    -u root -g "$group" >"$tmp/zebra.out" 2>&1 &
started $!
if ! wait_for 10 test -S "$tmp/zserv.api"; then
	echo "zebra did not start"
	cat "$tmp/zebra.out"
	exit 99
fi
ip netns exec "$ns_a" "$frrdir/bgpd" -f "$tmp/bgpd.conf" \
    -i "$tmp/bgpd.pid" -z "$tmp/zserv.api" --vty_socket "$tmp" \
    -u root -g "$group" >"$tmp/bgpd.out" 2>&1 &
bgpd_pid=$!
started "$bgpd_pid"
if ! wait_for 10 vty -c "show bgp summary"; then
	echo "bgpd did not start"
	cat "$tmp/bgpd.out"
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
      name: frr-a
      hold-time: 6
    - address: "2001:db8::1"
      asn: 65001
      name: frr-a6
      password-file: $tmp/pod6.pass
    - address: 192.0.2.4
      asn: 65000
      name: frr-i
      local-address: 192.0.2.12
      passive: true
control:
  socket: $tmp/podbgpd.ctl
  read-only-socket: $tmp/podbgpd.ro.ctl
log:
  level: debug
EOF
(umask 077 && echo pod6-s3cret >"$tmp/pod6.pass")
start_podbgpd "$ns_b"

# --- the IPv4 session and its capabilities ----------------------------
check "podbgpd logs Established" wait_for 30 \
    log_has 'neighbor 192\.0\.2\.1 \(frr-a\): Established'
check "FRR shows the session Established" wait_for 10 frr "$state4" "$nb4"
caps="j['192.0.2.2']['neighborCapabilities']"
for c in 4byteAs routeRefresh enhancedRouteRefresh extendedMessage; do
	check "capability $c negotiated ($(frr_get "$caps.get('$c')" "$nb4"))" \
	    frr "$caps['$c'].startswith('advertisedAndReceived')" "$nb4"
done
check "capability graceful restart negotiated" \
    frr "$caps['gracefulRestart'] == 'advertisedAndReceived'" "$nb4"
gr="j['192.0.2.2']['gracefulRestartInfo']"
check "FRR got our restart time 120 s" frr \
    "$gr['timers']['receivedRestartTimer'] == 120" "$nb4"
check "capability multiprotocol IPv4 negotiated" frr \
    "$caps['multiprotocolExtensions']['ipv4Unicast']['advertisedAndReceived']" \
    "$nb4"
check "podbgpd offers multiprotocol IPv6 too" frr \
    "$caps['multiprotocolExtensions']['ipv6Unicast']['received']" "$nb4"
check "hold time 6 s negotiated" \
    frr "j['192.0.2.2']['bgpTimerHoldTimeMsecs'] == 6000" "$nb4"

# --- our pod CIDRs at FRR ---------------------------------------------
r4="show bgp ipv4 unicast 10.244.1.0/24 json"
check "FRR has our IPv4 pod CIDR" wait_for 10 \
    frr "any(p['valid'] for p in j['paths'])" "$r4"
check "IPv4 next hop is our veth address" \
    frr "j['paths'][0]['nexthops'][0]['ip'] == '192.0.2.2'" "$r4"
check "IPv4 AS path is our AS" \
    frr "j['paths'][0]['aspath']['string'] == '65000'" "$r4"
check "IPv4 origin IGP" frr "j['paths'][0]['origin'] == 'IGP'" "$r4"
check "FRR's IPv4 path is best" \
    frr "j['paths'][0]['bestpath']['overall']" "$r4"
check "podbgpd accepts FRR's prefix" wait_for 10 \
    log_has 'neighbor 192\.0\.2\.1: accepted 10\.96\.0\.0/16 via 192\.0\.2\.1'
check "podbgpd receives FRR's End-of-RIB" wait_for 10 \
    log_has 'neighbor 192\.0\.2\.1: End-of-RIB IPv4'
check "podbgpctl: FRR's IPv4 prefix with FRR's AS path" \
    pod_path 10.96.0.0/16 frr-a "p['as_path'] == [65001]"
check "podbgpctl: and origin IGP" \
    pod_path 10.96.0.0/16 frr-a "p['origin'] == 'IGP'"
check "podbgpctl: and FRR's MED 42" \
    pod_path 10.96.0.0/16 frr-a "p.get('med') == 42"
check "podbgpctl: and FRR's address as next hop" \
    pod_path 10.96.0.0/16 frr-a "p['nexthop'] == '192.0.2.1'"

# --- iBGP with FRR's view in our AS -----------------------------------
check "iBGP: podbgpd logs Established" wait_for 30 \
    log_has 'neighbor 192\.0\.2\.4 \(frr-i\): Established'
check "iBGP: FRR shows the session Established" wait_for 10 \
    frr "$statei" "$nbi"
check "iBGP: FRR sees an internal link" \
    frr "j['192.0.2.12']['nbrInternalLink']" "$nbi"
capi="j['192.0.2.12']['neighborCapabilities']"
for c in 4byteAs routeRefresh enhancedRouteRefresh; do
	check "iBGP: capability $c negotiated" \
	    frr "$capi['$c'].startswith('advertisedAndReceived')" "$nbi"
done
ri="show bgp view ibgp ipv4 unicast 10.244.1.0/24 json"
check "iBGP: FRR has our IPv4 pod CIDR" wait_for 10 \
    frr "any(p['valid'] for p in j['paths'])" "$ri"
check "iBGP: with an empty AS path \
($(frr_get "j['paths'][0]['aspath']" "$ri"))" \
    frr "j['paths'][0]['aspath']['length'] == 0" "$ri"
check "iBGP: with LOCAL_PREF 100" \
    frr "j['paths'][0]['locPrf'] == 100" "$ri"
check "iBGP: with our local address as next hop" \
    frr "j['paths'][0]['nexthops'][0]['ip'] == '192.0.2.12'" "$ri"
check "iBGP: podbgpd accepts FRR's prefix" wait_for 10 \
    log_has 'neighbor 192\.0\.2\.4: accepted 10\.98\.0\.0/16 via 192\.0\.2\.4'
check "iBGP podbgpctl: FRR's prefix with an empty AS path" wait_for 10 \
    pod_path 10.98.0.0/16 frr-i "p['as_path'] == []"
check "iBGP podbgpctl: with FRR's LOCAL_PREF 250" \
    pod_path 10.98.0.0/16 frr-i "p.get('local_pref') == 250"
check "iBGP podbgpctl: and origin incomplete" \
    pod_path 10.98.0.0/16 frr-i "p['origin'] == 'incomplete'"

# --- IPv6 with TCP MD5: a wrong password, then the right one ----------
check "wrong MD5 password: FRR's session stays down" \
    not wait_for 8 frr "$state6" "$nb6"
check "wrong MD5 password: podbgpd's session stays down" \
    not log_has 'frr-a6\): Established'
vty -c "configure terminal" -c "router bgp 65001" \
    -c "neighbor 2001:db8::2 password pod6-s3cret" >/dev/null 2>&1
check "right MD5 password: podbgpd logs Established" wait_for 40 \
    log_has 'neighbor 2001:db8::1 \(frr-a6\): Established'
check "right MD5 password: FRR shows Established" wait_for 10 \
    frr "$state6" "$nb6"
r6="show bgp ipv6 unicast fd00:10:244:1::/64 json"
check "FRR has our IPv6 pod CIDR" wait_for 10 \
    frr "any(p['valid'] for p in j['paths'])" "$r6"
check "IPv6 next hop is our global address" frr \
    "j['paths'][0]['nexthops'][0]['ip'] == '2001:db8::2'" "$r6"
check "IPv6 AS path is our AS" \
    frr "j['paths'][0]['aspath']['string'] == '65000'" "$r6"
check "FRR has our IPv4 pod CIDR over IPv6 too" frr \
    "any(p['nexthops'][0]['ip'] == '192.0.2.2' and \
    p['peer']['peerId'] == '2001:db8::2' for p in j['paths'])" "$r4"
check "podbgpd accepts FRR's IPv6 prefix" wait_for 10 \
    log_has 'neighbor 2001:db8::1: accepted fd00:96::/48 via 2001:db8::1'
check "podbgpctl: FRR's IPv6 prefix with FRR's AS path" wait_for 10 \
    pod_path fd00:96::/48 frr-a6 "p['as_path'] == [65001]"
check "podbgpctl: and origin EGP" \
    pod_path fd00:96::/48 frr-a6 "p['origin'] == 'EGP'"
check "podbgpctl: and FRR's global address as next hop" \
    pod_path fd00:96::/48 frr-a6 "p['nexthop'] == '2001:db8::1'"

# --- route refresh ----------------------------------------------------
upd=$(frr_get "j['192.0.2.2']['messageStats']['updatesRecv']" "$nb4")
rr=$(frr_get "j['192.0.2.2']['messageStats']['routeRefreshRecv']" "$nb4")
vty -c "clear bgp ipv4 unicast 192.0.2.2 soft in" >/dev/null 2>&1
check "podbgpd answers FRR's route refresh" wait_for 10 \
    log_has 'neighbor 192\.0\.2\.1: route refresh for IPv4'
check "FRR receives the routes again" wait_for 10 \
    frr "j['192.0.2.2']['messageStats']['updatesRecv'] > $upd" "$nb4"
# enhanced route refresh (RFC 7313) was negotiated: BoRR and EoRR
check "FRR receives BoRR and EoRR (2 ROUTE-REFRESH messages)" wait_for 10 \
    frr "j['192.0.2.2']['messageStats']['routeRefreshRecv'] == $rr + 2" \
    "$nb4"
check "FRR keeps our pod CIDR after the refresh" wait_for 10 \
    frr "any(p['valid'] for p in j['paths'])" "$r4"

# --- withdrawals both ways --------------------------------------------
vty -c "configure terminal" -c "router bgp 65001" \
    -c "address-family ipv4 unicast" -c "no network 10.96.0.0/16" \
    >/dev/null 2>&1
check "podbgpd sees FRR's withdrawal" wait_for 10 \
    log_has 'neighbor 192\.0\.2\.1: withdrawn 10\.96\.0\.0/16'
check "podbgpctl: FRR's IPv4 prefix is gone" wait_for 10 \
    pod_lacks 10.96.0.0/16
vty -c "configure terminal" -c "router bgp 65001" \
    -c "address-family ipv6 unicast" -c "no network fd00:96::/48" \
    >/dev/null 2>&1
check "podbgpd sees FRR's IPv6 withdrawal" wait_for 10 \
    log_has 'neighbor 2001:db8::1: withdrawn fd00:96::/48'
check "podbgpctl: FRR's IPv6 prefix is gone" wait_for 10 \
    pod_lacks fd00:96::/48
cat >"$tmp/nodes.yaml" <<EOF
nodes:
  - name: node-b
    pod-cidrs: [10.244.7.0/24, "fd00:10:244:7::/64"]
    addresses: [192.0.2.2]
EOF
kill -HUP "$pod_pid"
r7="show bgp ipv4 unicast 10.244.7.0/24 json"
r67="show bgp ipv6 unicast fd00:10:244:7::/64 json"
check "SIGHUP: FRR gets the new IPv4 pod CIDR" wait_for 10 \
    frr "any(p['valid'] for p in j['paths'])" "$r7"
check "SIGHUP: FRR loses the old IPv4 pod CIDR" wait_for 10 \
    not frr "len(j['paths']) > 0" "$r4"
check "SIGHUP: FRR gets the new IPv6 pod CIDR" wait_for 10 \
    frr "any(p['valid'] for p in j['paths'])" "$r67"
check "SIGHUP: with our global address as next hop" \
    frr "j['paths'][0]['nexthops'][0]['ip'] == '2001:db8::2'" "$r67"
check "SIGHUP: FRR loses the old IPv6 pod CIDR" wait_for 10 \
    not frr "len(j['paths']) > 0" "$r6"

# --- hold timer: FRR stops sending KEEPALIVEs -------------------------
kill -STOP "$bgpd_pid"
t0=$(date +%s)
check "podbgpd detects the hold timer expiring" wait_for 15 \
    log_has 'frr-a\): sent NOTIFICATION hold timer expired'
el=$(($(date +%s) - t0))
check "within the 6 s hold time and a margin (took $el s)" \
    [ "$el" -ge 3 -a "$el" -le 9 ]
kill -CONT "$bgpd_pid"
check "the session recovers" wait_for 40 sh -c \
    "[ \$(grep -c 'frr-a): Established' '$tmp/podbgpd.log') -ge 2 ]"
check "FRR shows it Established again" wait_for 10 frr "$state4" "$nb4"
check "FRR has our pod CIDR again" wait_for 10 \
    frr "any(p['valid'] for p in j['paths'])" "$r7"

# --- bgpd killed and started again -----------------------------------
# started again on its file, with the password it was given since
sed -i 's/password wrong-s3cret/password pod6-s3cret/' "$tmp/bgpd.conf"
est=$(est_count frr-a)
est6=$(est_count frr-a6)
esti=$(est_count frr-i)
acc=$(log_count 'neighbor 192\.0\.2\.1: accepted 10\.96\.0\.0/16')
kill -KILL "$bgpd_pid"
wait "$bgpd_pid" 2>/dev/null
forget "$bgpd_pid"
check "bgpd gone: podbgpd leaves Established" wait_for 10 \
    log_has 'frr-a\): (Idle|Active|Connect)$'
ip netns exec "$ns_a" "$frrdir/bgpd" -f "$tmp/bgpd.conf" \
    -i "$tmp/bgpd.pid" -z "$tmp/zserv.api" --vty_socket "$tmp" \
    -u root -g "$group" >>"$tmp/bgpd.out" 2>&1 &
bgpd_pid=$!
started "$bgpd_pid"
for s in "frr-a $est" "frr-a6 $est6" "frr-i $esti"; do
	check "bgpd restarted: session ${s% *} comes back" wait_for 40 \
	    sh -c "[ \$(grep -c '${s% *}): Established' '$tmp/podbgpd.log') \
	    -gt ${s#* } ]"
done
check "bgpd restarted: FRR has our IPv4 pod CIDR again" wait_for 10 \
    frr "any(p['valid'] for p in j['paths'])" "$r7"
check "bgpd restarted: and our IPv6 pod CIDR" wait_for 10 \
    frr "any(p['valid'] for p in j['paths'])" "$r67"
check "bgpd restarted: and over iBGP" wait_for 10 frr \
    "any(p['valid'] for p in j['paths'])" \
    "show bgp view ibgp ipv4 unicast 10.244.7.0/24 json"
check "bgpd restarted: podbgpd accepts FRR's prefix again" wait_for 10 \
    sh -c "[ \$(grep -c 'neighbor 192\.0\.2\.1: accepted 10\.96\.0\.0/16' \
    '$tmp/podbgpd.log') -gt $acc ]"

# --- a flood of connections from addresses that are no peers --------
up=$(frr_get "j['192.0.2.2']['connectionsEstablished']" "$nb4")
upi=$(frr_get "j['192.0.2.12']['connectionsEstablished']" "$nbi")
ka=$(frr_get "j['192.0.2.2']['messageStats']['keepalivesRecv']" "$nb4")
flood "$ns_a" veth0 192.0.2.2 frr-a frr-a6 frr-i
# three KEEPALIVEs later (2 s apart) the session has lived through it
check "KEEPALIVEs keep coming" wait_for 15 \
    frr "j['192.0.2.2']['messageStats']['keepalivesRecv'] >= $ka + 3" "$nb4"
check "FRR's session did not restart" \
    frr "j['192.0.2.2']['connectionsEstablished'] == $up and $state4" "$nb4"
check "FRR's iBGP session did not restart" \
    frr "j['192.0.2.12']['connectionsEstablished'] == $upi and $statei" \
    "$nbi"

# --- SIGTERM: administrative shutdown with our message ---------------
kill -TERM "$pod_pid"
check "FRR receives Cease/Administrative Shutdown" wait_for 10 frr \
    "'Administrative Shutdown' in j['192.0.2.2']['lastNotificationReason']" \
    "$nb4"
check "with our shutdown communication" frr \
    "'podbgpd shutting down' in str(j['192.0.2.2'])" "$nb4"
check "and on the IPv6 session" wait_for 10 frr \
    "'Administrative Shutdown' in j['2001:db8::2']['lastNotificationReason']" \
    "$nb6"
reap_podbgpd
check "podbgpd logs no ASan/UBSan report" no_sanitizer_report

finish dump
