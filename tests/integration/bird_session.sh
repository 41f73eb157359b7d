#!/bin/sh
# podbgpd against BIRD 2 over a veth pair between two network namespaces
# made here: an eBGP session over IPv4 and one over IPv6 (TCP MD5 and
# GTSM) and an iBGP session between second addresses come up on both
# sides with the capabilities BIRD sees, BIRD learns this node's pod
# CIDRs (IPv4 and IPv6) with our next hops, AS path and LOCAL_PREF,
# podbgpd accepts BIRD's IPv4 and IPv6 prefixes with the AS path, origin,
# MED, communities and (iBGP) LOCAL_PREF BIRD sends (podbgpctl show route
# all), sees both withdrawn, answers a route refresh (BIRD's counters of
# received updates grow for IPv4 and IPv6), notices BIRD stopping the
# session; SIGHUP with changed IPv4 and IPv6 pod CIDRs withdraws the old
# ones at BIRD and announces the new ones; a session with a
# wrong MD5 password stays down until BIRD gets the right one; the hold
# timer against a stopped BIRD, BIRD killed and started again, a flood
# of connections from unconfigured addresses while the sessions stay up;
# SIGTERM sends BIRD our administrative shutdown message.
# Needs root (CI runs as root), ip(8), python3, /usr/sbin/bird and
# podbgpctl ($PODBGPCTL); exits 77
# otherwise. Every wait polls with a deadline; only processes started here
# are signalled, only namespaces made here are deleted.
# KEEP=1 keeps the temporary directory (logs, configs) for a look.
set -u
me=bird_session.sh
srcdir=${srcdir:-$(dirname "$0")/../..}
. "$srcdir/tests/integration/lib.sh"

bird=${BIRD:-/usr/sbin/bird}
birdc=${BIRDC:-/usr/sbin/birdc}
ctl=${PODBGPCTL:-$(pwd)/src/podbgpctl/podbgpctl}
need_root
need_exec "$bird" "$birdc" "$ctl" "$(command -v python3 || echo python3)"
need_podbgpd

ns_a=pbs$$-a	# BIRD
ns_b=pbs$$-b	# podbgpd
make_tmp bird
make_pair "$ns_a" "$ns_b"
# the iBGP session and the one with the wrong password run between these
ip -n "$ns_a" addr add 192.0.2.4/24 dev veth0
ip -n "$ns_a" addr add 192.0.2.5/24 dev veth0
ip -n "$ns_b" addr add 192.0.2.12/24 dev veth1
ip -n "$ns_b" addr add 192.0.2.13/24 dev veth1

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
# sinces: BIRD's sessions, their state, and how often BIRD has logged a
# change of state of one. Not the "Since" column: BIRD computes its
# wall-clock time anew at each display, and it moves by a millisecond.
sinces() {
	birdc_a show protocols 2>/dev/null | awk '$2 == "BGP" {
	    printf "%s %s %s; ", $1, $4, $6 }'
	grep -Ec '> pod[^ ]*: State changed' "$tmp/bird.log"
}
# bird_imp PROTO CHANNEL: how many route updates BIRD's session PROTO
# has received on CHANNEL (ipv4, ipv6).
bird_imp() {
	birdc_a show protocols all "$1" 2>/dev/null | awk -v ch="$2" '
	    $1 == "Channel" { c = $2 }
	    c == ch && $1 == "Import" && $2 == "updates:" { print $3 }'
}
# imp_grew PROTO CHANNEL N: more than N updates received there.
imp_grew() {
	[ "$(bird_imp "$1" "$2")" -gt "$3" ] 2>/dev/null
}
dump() {
	echo "--- podbgpctl show route all"
	"$ctl" -s "$tmp/podbgpd.ro.ctl" show route all 2>&1
	echo "--- bird log"
	cat "$tmp/bird.log" 2>/dev/null
	echo "--- birdc show protocols before and after the flood"
	cat "$tmp/protos0" "$tmp/protos1" 2>/dev/null
	echo "--- birdc show protocols all pod"
	birdc_a show protocols all pod 2>&1
	echo "--- birdc show route all"
	birdc_a show route all 2>&1
}

# --- BIRD (AS 65001) ---------------------------------------------------
# bird_conf PASSWORD: BIRD's configuration, PASSWORD for podbad.
bird_conf() {
	cat >"$tmp/bird.conf" <<EOF
log "$tmp/bird.log" all;
debug protocols { states };
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
	# prepended and of origin EGP: what podbgpd holds must say so
	ipv6 {
		import all;
		export filter {
			if proto != "s6" then reject;
			bgp_path.prepend(65001);
			bgp_origin = ORIGIN_EGP;
			accept;
		};
	};
	ipv4 { import all; export none; };
}
protocol bgp pod {
	local 192.0.2.1 as 65001;
	neighbor 192.0.2.2 as 65000;
	connect delay time 1;
	connect retry time 2;
	error wait time 1, 4;
	ipv4 {
		import all;
		export filter {
			if proto != "s4" then reject;
			bgp_med = 42;
			bgp_community.add((65001, 7));
			accept;
		};
	};
	ipv6 { import all; export none; };
}
# iBGP in our AS between second addresses
protocol bgp podi {
	local 192.0.2.4 as 65000;
	neighbor 192.0.2.12 as 65000;
	connect delay time 1;
	connect retry time 2;
	error wait time 1, 4;
	ipv4 {
		import all;
		export filter {
			if proto != "s4" then reject;
			bgp_local_pref = 250;
			bgp_origin = ORIGIN_INCOMPLETE;
			accept;
		};
	};
}
# MD5 with the password of the day
protocol bgp podbad {
	local 192.0.2.5 as 65001;
	neighbor 192.0.2.13 as 65000;
	password "$1";
	connect delay time 1;
	connect retry time 2;
	error wait time 1, 4;
	debug { events, states };
	ipv4 { import all; export none; };
}
EOF
}
# start_bird: BIRD on bird.conf, its pid in $bird_pid.
start_bird() {
	ip netns exec "$ns_a" "$bird" -f -c "$tmp/bird.conf" \
	    -s "$tmp/bird.ctl" -P "$tmp/bird.pid" >>"$tmp/bird.out" 2>&1 &
	bird_pid=$!
	started "$bird_pid"
	if ! wait_for 10 birdc_a show status; then
		echo "bird did not start"
		cat "$tmp/bird.out"
		exit 99
	fi
}
bird_conf wrong-s3cret
start_bird

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
    - address: "2001:db8::1"
      asn: 65001
      name: bird-a6
      hold-time: 6
      password-file: $tmp/pod6.pass
      ttl-security: true
    - address: 192.0.2.4
      asn: 65000
      name: bird-i
      local-address: 192.0.2.12
    - address: 192.0.2.5
      asn: 65001
      name: bird-md5
      local-address: 192.0.2.13
      password-file: $tmp/pod.pass
control:
  socket: $tmp/podbgpd.ctl
  read-only-socket: $tmp/podbgpd.ro.ctl
log:
  level: debug
EOF
(umask 077 && echo pod6-s3cret >"$tmp/pod6.pass" &&
    echo pod-s3cret >"$tmp/pod.pass")
start_podbgpd "$ns_b"

# --- the session ------------------------------------------------------
check "podbgpd logs Established" wait_for 30 \
    log_has 'neighbor 192\.0\.2\.1 \(bird-a\): Established'
check "BIRD shows the session Established" wait_for 10 \
    bird_has 'pod +BGP +.* up .*Established' show protocols
# the capabilities BIRD received from us and the session's kind
birdc_a show protocols all pod >"$tmp/proto" 2>&1
sed -n '/Neighbor capabilities/,/Session:/p' "$tmp/proto" >"$tmp/ncaps"
for c in 'AF announced: +ipv4 ipv6' 'Route refresh' 'Graceful restart' \
    'Restart time: 120' '4-octet AS numbers' 'Enhanced refresh'; do
	check "BIRD sees our capability: $c" grep -Eq "^ +$c\$" "$tmp/ncaps"
done
check "BIRD: an external AS4 session" \
    grep -Eq 'Session: +external AS4$' "$tmp/proto"

# --- our pod CIDRs at BIRD --------------------------------------------
check "BIRD has our IPv4 pod CIDR" wait_for 10 \
    bird_has '^10\.244\.1\.0/24' show route for 10.244.1.0/24 all protocol pod
birdc_a show route for 10.244.1.0/24 all protocol pod >"$tmp/r4" 2>&1
check "IPv4 next hop is our veth address" \
    grep -Eq 'via 192\.0\.2\.2 on veth0' "$tmp/r4"
check "IPv4 AS path is our AS" grep -Eq 'BGP\.as_path: 65000$' "$tmp/r4"
check "IPv4 origin IGP" grep -Eq 'BGP\.origin: IGP' "$tmp/r4"
check "BIRD has our IPv6 pod CIDR" wait_for 10 \
    bird_has '^fd00:10:244:1::/64' show route for fd00:10:244:1::/64 all \
    protocol pod
birdc_a show route for fd00:10:244:1::/64 all protocol pod >"$tmp/r6" 2>&1
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
check "podbgpctl: BIRD's IPv6 prefix with the prepended AS path" wait_for 10 \
    pod_path fd00:96::/48 bird-a6 "p['as_path'] == [65001, 65001]"
check "podbgpctl: and origin EGP" \
    pod_path fd00:96::/48 bird-a6 "p['origin'] == 'EGP'"
check "podbgpctl: and BIRD's global address as next hop" \
    pod_path fd00:96::/48 bird-a6 "p['nexthop'] == '2001:db8::1'"

# --- iBGP between second addresses ----------------------------------
check "iBGP: podbgpd logs Established" wait_for 30 \
    log_has 'neighbor 192\.0\.2\.4 \(bird-i\): Established'
check "iBGP: BIRD shows the session Established" wait_for 10 \
    bird_has 'podi +BGP +.* up .*Established' show protocols
birdc_a show protocols all podi >"$tmp/proti" 2>&1
check "iBGP: BIRD sees an internal AS4 session" \
    grep -Eq 'Session: +internal .*AS4$' "$tmp/proti"
check "iBGP: BIRD sees our route refresh capability" \
    sed -n '/Neighbor capabilities/,$p' "$tmp/proti" | grep -q 'Route refresh'
check "iBGP: BIRD has our IPv4 pod CIDR" wait_for 10 \
    bird_has '^10\.244\.1\.0/24' show route all protocol podi
birdc_a show route all protocol podi >"$tmp/ri" 2>&1
check "iBGP: with an empty AS path" grep -Eq 'BGP\.as_path: *$' "$tmp/ri"
check "iBGP: with LOCAL_PREF 100" grep -Eq 'BGP\.local_pref: 100$' "$tmp/ri"
check "iBGP: with our local address as next hop" \
    grep -Eq 'BGP\.next_hop: 192\.0\.2\.12$' "$tmp/ri"
check "iBGP: podbgpd accepts BIRD's prefix" wait_for 10 \
    log_has 'neighbor 192\.0\.2\.4: accepted 10\.96\.0\.0/16 via 192\.0\.2\.4'
check "iBGP podbgpctl: BIRD's prefix with an empty AS path" wait_for 10 \
    pod_path 10.96.0.0/16 bird-i "p['as_path'] == []"
check "iBGP podbgpctl: with BIRD's LOCAL_PREF 250" \
    pod_path 10.96.0.0/16 bird-i "p.get('local_pref') == 250"
check "iBGP podbgpctl: and origin incomplete" \
    pod_path 10.96.0.0/16 bird-i "p['origin'] == 'incomplete'"

# --- BIRD's prefix at podbgpd ----------------------------------------
check "podbgpd accepts BIRD's prefix" wait_for 10 \
    log_has 'neighbor 192\.0\.2\.1: accepted 10\.96\.0\.0/16 via 192\.0\.2\.1'
check "podbgpd receives End-of-RIB" wait_for 10 \
    log_has 'neighbor 192\.0\.2\.1: End-of-RIB IPv4'
check "podbgpctl: BIRD's IPv4 prefix with BIRD's AS path" \
    pod_path 10.96.0.0/16 bird-a "p['as_path'] == [65001]"
check "podbgpctl: and origin IGP" \
    pod_path 10.96.0.0/16 bird-a "p['origin'] == 'IGP'"
check "podbgpctl: and BIRD's MED 42" \
    pod_path 10.96.0.0/16 bird-a "p.get('med') == 42"
check "podbgpctl: and BIRD's community 65001:7" \
    pod_path 10.96.0.0/16 bird-a "p['communities'] == ['65001:7']"
check "podbgpctl: and BIRD's address as next hop" \
    pod_path 10.96.0.0/16 bird-a "p['nexthop'] == '192.0.2.1'"
# route refresh: BIRD asks for IPv4 and IPv6; the routes must come again
u4=$(bird_imp pod ipv4)
u6=$(bird_imp pod ipv6)
birdc_a reload in pod >/dev/null 2>&1
check "podbgpd answers a route refresh" wait_for 10 \
    log_has 'neighbor 192\.0\.2\.1: route refresh for IPv4'
check "route refresh: BIRD receives our IPv4 routes again (had ${u4:-?})" \
    wait_for 10 imp_grew pod ipv4 "${u4:-x}"
check "route refresh: and our IPv6 routes (had ${u6:-?})" \
    wait_for 10 imp_grew pod ipv6 "${u6:-x}"
check "route refresh: BIRD keeps our pod CIDRs" \
    bird_has '^10\.244\.1\.0/24' show route for 10.244.1.0/24 protocol pod
birdc_a disable s4 >/dev/null 2>&1
check "podbgpd sees the withdrawal" wait_for 10 \
    log_has 'neighbor 192\.0\.2\.1: withdrawn 10\.96\.0\.0/16'
check "podbgpctl: BIRD's IPv4 prefix is gone" wait_for 10 \
    pod_lacks 10.96.0.0/16
birdc_a disable s6 >/dev/null 2>&1
check "podbgpd sees the IPv6 withdrawal" wait_for 10 \
    log_has 'neighbor 2001:db8::1: withdrawn fd00:96::/48'
check "podbgpctl: BIRD's IPv6 prefix is gone" wait_for 10 \
    pod_lacks fd00:96::/48

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
    pod-cidrs: [10.244.7.0/24, "fd00:10:244:7::/64"]
    addresses: [192.0.2.2]
EOF
kill -HUP "$pod_pid"
check "BIRD gets the new IPv4 pod CIDR" wait_for 10 \
    bird_has '^10\.244\.7\.0/24' show route for 10.244.7.0/24 protocol pod
check "and over the IPv6 session" wait_for 10 \
    bird_has '^10\.244\.7\.0/24' show route protocol pod6
check "BIRD loses the old IPv4 pod CIDR" wait_for 10 \
    bird_lacks '10\.244\.1\.0/24' show route
check "BIRD gets the new IPv6 pod CIDR over IPv6" wait_for 10 \
    bird_has '^fd00:10:244:7::/64' show route for fd00:10:244:7::/64 \
    protocol pod6
check "and over the IPv4 session" wait_for 10 \
    bird_has '^fd00:10:244:7::/64' show route for fd00:10:244:7::/64 \
    protocol pod
check "BIRD loses the old IPv6 pod CIDR" wait_for 10 \
    bird_lacks 'fd00:10:244:1::/64' show route

# --- MD5 with a wrong password, then the right one -------------------
# all along BIRD's podbad has tried with a wrong password, podbgpd with
# the right one: neither side's SYNs get an answer
check "wrong MD5 password: BIRD tried to connect" \
    grep -Eq 'podbad: Connecting to 192\.0\.2\.13' "$tmp/bird.log"
check "wrong MD5 password: podbgpd tried to connect" \
    log_has 'neighbor 192\.0\.2\.5: .*-> Connect'
check "wrong MD5 password: BIRD's session stays down" \
    bird_lacks 'podbad .*Established' show protocols
check "wrong MD5 password: podbgpd's session stays down" \
    not log_has 'bird-md5\): Established'
bird_conf pod-s3cret
birdc_a configure >/dev/null 2>&1
check "right MD5 password: podbgpd logs Established" wait_for 30 \
    log_has 'neighbor 192\.0\.2\.5 \(bird-md5\): Established'
check "right MD5 password: BIRD shows Established" wait_for 10 \
    bird_has 'podbad +BGP +.* up .*Established' show protocols

# --- hold timer: BIRD stops sending KEEPALIVEs ------------------------
# on the IPv6 session, whose hold time is 6 s: the IPv4 one flapped
# already and podbgpd damps a session that flaps again
birdc_a show protocols all pod6 >"$tmp/proto6" 2>&1
check "BIRD: hold time 6 s negotiated" \
    grep -Eq 'Hold timer: +[0-9.]+/6$' "$tmp/proto6"
est=$(est_count bird-a6)
hold_expiry bird-a6 "$bird_pid" 6
check "the session recovers" wait_for 30 \
    sh -c "[ \$(grep -c 'bird-a6): Established' '$tmp/podbgpd.log') -gt $est ]"
check "BIRD shows it Established again" wait_for 10 \
    bird_has 'pod6 +BGP +.* up .*Established' show protocols
check "BIRD has our pod CIDR again" wait_for 10 \
    bird_has '^fd00:10:244:7::/64' show route all protocol pod6

# --- BIRD killed and started again ------------------------------------
est=$(est_count bird-a)
est6=$(est_count bird-a6)
esti=$(est_count bird-i)
estm=$(est_count bird-md5)
acc=$(log_count 'neighbor 192\.0\.2\.1: accepted 10\.96\.0\.0/16')
kill -KILL "$bird_pid"
wait "$bird_pid" 2>/dev/null
forget "$bird_pid"
check "BIRD gone: podbgpd leaves Established" wait_for 10 \
    log_has 'bird-a\): (Idle|Active|Connect)$'
start_bird
check "BIRD restarted: the session comes back" wait_for 30 \
    sh -c "[ \$(grep -c 'bird-a): Established' '$tmp/podbgpd.log') -gt $est ]"
check "BIRD restarted: the IPv6 session comes back" wait_for 30 \
    sh -c "[ \$(grep -c 'bird-a6): Established' '$tmp/podbgpd.log') \
    -gt $est6 ]"
check "BIRD restarted: the iBGP session comes back" wait_for 30 \
    sh -c "[ \$(grep -c 'bird-i): Established' '$tmp/podbgpd.log') -gt $esti ]"
check "BIRD restarted: the MD5 session comes back" wait_for 30 \
    sh -c "[ \$(grep -c 'bird-md5): Established' '$tmp/podbgpd.log') \
    -gt $estm ]"
check "BIRD restarted: BIRD has our pod CIDR again" wait_for 10 \
    bird_has '^10\.244\.7\.0/24' show route for 10.244.7.0/24 protocol pod
check "BIRD restarted: and our IPv6 pod CIDR" wait_for 30 \
    bird_has '^fd00:10:244:7::/64' show route all protocol pod6
check "BIRD restarted: podbgpd accepts BIRD's prefix again" wait_for 10 \
    sh -c "[ \$(grep -c 'neighbor 192\.0\.2\.1: accepted 10\.96\.0\.0/16' \
    '$tmp/podbgpd.log') -gt $acc ]"

# --- a flood of connections from addresses that are no peers --------
check "all four sessions up before the flood" wait_for 30 sh -c \
    "[ \$(ip netns exec $ns_a $birdc -s $tmp/bird.ctl show protocols |
    grep -Ec '^pod[^ ]* +BGP .* up .*Established') -eq 4 ]"
birdc_a show protocols >"$tmp/protos0" 2>&1
s0=$(sinces)
flood "$ns_a" veth0 192.0.2.2 bird-a bird-a6 bird-i bird-md5
birdc_a show protocols >"$tmp/protos1" 2>&1
s1=$(sinces)
check "BIRD's sessions did not restart (before: $s0; after: $s1)" \
    [ -n "$s0" -a "$s1" = "$s0" ]
check "BIRD's sessions are still Established" \
    [ "$(birdc_a show protocols | grep -Ec \
    '^pod[^ ]* +BGP .* up .*Established')" -eq 4 ]

# --- SIGTERM: administrative shutdown with our message ---------------
kill -TERM "$pod_pid"
check "BIRD receives our shutdown communication" wait_for 10 \
    grep -Eq 'pod: Received: Administrative shutdown: "podbgpd shutting down"' \
    "$tmp/bird.log"
check "and on the IPv6 session" wait_for 10 grep -Eq \
    'pod6: Received: Administrative shutdown: "podbgpd shutting down"' \
    "$tmp/bird.log"
reap_podbgpd
check "podbgpd logs no ASan/UBSan report" no_sanitizer_report

finish dump
