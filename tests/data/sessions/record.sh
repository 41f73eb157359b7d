#!/bin/bash
# Record real BGP sessions between BIRD 2, FRR and GoBGP inside private
# network namespaces and extract every TCP direction as raw BGP messages.
#
# Topology (three veth links, one per router pair):
#
#   bird 192.0.2.1/30  2001:db8:a::1/64 --- frr   192.0.2.2/30  2001:db8:a::2/64
#   frr  192.0.2.5/30  2001:db8:b::1/64 --- gobgp 192.0.2.6/30  2001:db8:b::2/64
#   gobgp 192.0.2.9/30 2001:db8:c::1/64 --- bird  192.0.2.10/30 2001:db8:c::2/64
#
# Sessions: bird-frr eBGP over IPv4 (IPv4 unicast, add-path, role) and over
# IPv6 (IPv6 unicast, link-local next hop); frr-gobgp eBGP over IPv4 (IPv4
# and IPv6 unicast); gobgp-bird iBGP over IPv4 (IPv4 and IPv6 unicast).
# BIRD and GoBGP are AS 4200000001, FRR is AS 65002.
#
# All traffic stays inside namespaces named pbrec<PID>-*; everything this
# script starts is stopped and removed on exit or failure.

set -u

usage()
{
	cat <<EOF
usage: $0 [-o OUTDIR] [-w WORKDIR] [-k] [-s] [-n] [-t SECONDS]
  -o OUTDIR   where to write *.bgp and *.txt (default: this script's dir)
  -w WORKDIR  keep configs, logs and pcaps in WORKDIR (default: temp, removed)
  -k          keep the lab running after recording (sessions re-enabled;
              use -o elsewhere to leave the committed files alone)
              until interrupted (Ctrl-C); prints how to reach each daemon
  -s          print a per-file message summary at the end
  -n          do not extract (only record; implies keeping the pcaps, -w)
  -t SECONDS  deadline for each wait step (default 30)
EOF
	exit 2
}

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE
WORK=
KEEP=0
SUMMARY=0
EXTRACT=1
TMO=30
while getopts o:w:ksnt:h opt; do
	case $opt in
	o) OUT=$OPTARG ;;
	w) WORK=$OPTARG ;;
	k) KEEP=1 ;;
	s) SUMMARY=1 ;;
	n) EXTRACT=0 ;;
	t) TMO=$OPTARG ;;
	*) usage ;;
	esac
done
[ $EXTRACT = 0 ] && [ -z "$WORK" ] && { echo "-n needs -w" >&2; exit 2; }

BIRD=${BIRD:-/usr/sbin/bird}
BIRDC=${BIRDC:-/usr/sbin/birdc}
ZEBRA=${ZEBRA:-/usr/lib/frr/zebra}
BGPD=${BGPD:-/usr/lib/frr/bgpd}
VTYSH=${VTYSH:-/usr/bin/vtysh}
GOBGPD=${GOBGPD:-$(command -v gobgpd)}
GOBGP=${GOBGP:-$(command -v gobgp)}

NS=pbrec$$-
NSB=${NS}bird
NSF=${NS}frr
NSG=${NS}gobgp
PIDS=()
TCPDUMP_PIDS=()
CREATED_NS=()
CLEANED=0

log() { printf '[record %s] %s\n' "$(date +%T)" "$*" >&2; }

dump_logs()
{
	local f
	for f in "$T"/bird/bird.log "$T"/frr/bgpd.log "$T"/frr/zebra.log \
	    "$T"/gobgp/gobgpd.log "$T"/*.err; do
		[ -s "$f" ] || continue
		echo "---- last lines of $f" >&2
		tail -n 15 "$f" >&2
	done
}

die()
{
	log "FAILED: $*"
	[ -n "${T:-}" ] && dump_logs
	exit 1
}

cleanup()
{
	local p n i
	[ $CLEANED = 1 ] && return
	CLEANED=1
	trap - EXIT INT TERM
	for p in "${TCPDUMP_PIDS[@]}" "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for i in $(seq 50); do
		n=0
		for p in "${TCPDUMP_PIDS[@]}" "${PIDS[@]}"; do
			kill -0 "$p" 2>/dev/null && n=1
		done
		[ $n = 0 ] && break
		sleep 0.1
	done
	for p in "${TCPDUMP_PIDS[@]}" "${PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	# Anything still inside our own namespaces was started by us.
	for n in "${CREATED_NS[@]}"; do
		for p in $(ip netns pids "$n" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
		ip netns del "$n" 2>/dev/null
	done
	wait 2>/dev/null
	if [ -n "${T:-}" ] && [ "$T_TEMP" = 1 ]; then
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'log interrupted; exit 130' INT TERM

# --- preflight -----------------------------------------------------------
[ "$(id -u)" = 0 ] || die "must run as root (network namespaces)"
for b in "$BIRD" "$BIRDC" "$ZEBRA" "$BGPD" "$VTYSH" "$GOBGPD" "$GOBGP" \
    "$(command -v tcpdump)" "$(command -v tshark)" "$(command -v python3)"; do
	[ -n "$b" ] && [ -x "$b" ] || die "missing program: ${b:-gobgp/tcpdump/tshark/python3}"
done

if [ -n "$WORK" ]; then
	mkdir -p "$WORK" || die "cannot create $WORK"
	T=$(cd "$WORK" && pwd)
	T_TEMP=0
else
	T=$(mktemp -d /tmp/pbrec.XXXXXX) || die "mktemp"
	T_TEMP=1
fi
mkdir -p "$T/bird" "$T/frr" "$T/gobgp" "$T/pcap"
chmod 755 "$T" "$T/frr"
# FRR drops privileges to its own user; it must own its directory.
chown frr:frr "$T/frr" || die "chown frr"

# --- helpers -------------------------------------------------------------
inb() { ip netns exec "$NSB" "$@"; }
inf() { ip netns exec "$NSF" "$@"; }
ing() { ip netns exec "$NSG" "$@"; }
birdc() { inb "$BIRDC" -s "$T/bird/bird.ctl" "$@"; }
vtysh() { inf "$VTYSH" --vty_socket "$T/frr" "$@"; }
gobgp() { ing "$GOBGP" --target "unix://$T/gobgp/api.sock" "$@"; }

# wait_until DESCRIPTION COMMAND...: poll until COMMAND succeeds.
wait_until()
{
	local desc=$1 end=$((SECONDS + TMO))
	shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $end ] && die "no success within ${TMO}s: $desc"
		sleep 0.2
	done
}

# start NAME NS COMMAND...: run a daemon in the foreground of a namespace.
start()
{
	local name=$1 ns=$2
	shift 2
	ip netns exec "$ns" "$@" >"$T/$name.out" 2>"$T/$name.err" &
	PIDS+=($!)
	sleep 0.1
	kill -0 $! 2>/dev/null || die "$name exited at start: $(cat "$T/$name.err")"
}

alive()
{
	local p
	for p in "${PIDS[@]}"; do
		kill -0 "$p" 2>/dev/null || die "a daemon (pid $p) died"
	done
}

bird_state() { birdc show protocols "$1" | grep -q "$2"; }
bird_down() { ! birdc show protocols "$1" | grep -q Established; }
bird_has() { birdc show route "$1" | grep -q "^$1"; }
bird_lacks() { ! birdc show route "$1" | grep -q "^$1"; }
frr_state()
{
	vtysh -c "show bgp neighbor $1 json" | grep -q "\"bgpState\":\"$2\""
}
frr_has()
{
	vtysh -c "show bgp $1 unicast $2 json" | grep -q '"prefix"'
}
frr_lacks()
{
	local o
	o=$(vtysh -c "show bgp $1 unicast $2 json") || return 1
	! echo "$o" | grep -q '"prefix"'
}
frr_down()
{
	local o
	o=$(vtysh -c "show bgp neighbor $1 json") || return 1
	! echo "$o" | grep -q '"bgpState":"Established"'
}
gobgp_state() { gobgp neighbor "$1" | grep -q "BGP state = $2"; }
gobgp_has() { gobgp global rib -a "$1" "$2" | grep -q "$2"; }
gobgp_lacks()
{
	local o
	o=$(gobgp global rib -a "$1" "$2" 2>&1)
	! echo "$o" | grep -q "^[ *>]*$2"
}
# pcap_count FILTER MIN: at least MIN BGP messages matching FILTER captured.
pcap_count()
{
	local n=0 f c
	for f in "$T"/pcap/*.pcap; do
		c=$(tshark -r "$f" -Y "$1" -T fields -e bgp.type 2>/dev/null |
		    tr ',' '\n' | grep -c "^$2\$")
		n=$((n + c))
	done
	[ "$n" -ge "$3" ]
}

# --- namespaces and links ------------------------------------------------
log "namespaces ${NS}{bird,frr,gobgp}, work dir $T"
for n in "$NSB" "$NSF" "$NSG"; do
	ip netns add "$n" || die "ip netns add $n"
	CREATED_NS+=("$n")
	ip netns exec "$n" ip link set lo up
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
	    net.ipv6.conf.default.accept_dad=0 net.ipv4.ip_forward=1 \
	    net.ipv6.conf.all.forwarding=1 || die "sysctl in $n"
done
# link NS1 IF1 NS2 IF2: veth pair created directly inside the namespaces.
link()
{
	ip link add name "$2" netns "$1" type veth peer name "$4" netns "$3" ||
	    die "veth $1/$2 - $3/$4"
	ip netns exec "$1" ip link set "$2" up
	ip netns exec "$3" ip link set "$4" up
}
addr()
{
	ip netns exec "$1" ip addr add "$3" dev "$2" || die "addr $3 in $1"
}
link "$NSB" to-frr "$NSF" to-bird
link "$NSF" to-gobgp "$NSG" to-frr
link "$NSG" to-bird "$NSB" to-gobgp
addr "$NSB" to-frr 192.0.2.1/30
addr "$NSB" to-frr 2001:db8:a::1/64
addr "$NSF" to-bird 192.0.2.2/30
addr "$NSF" to-bird 2001:db8:a::2/64
addr "$NSF" to-gobgp 192.0.2.5/30
addr "$NSF" to-gobgp 2001:db8:b::1/64
addr "$NSG" to-frr 192.0.2.6/30
addr "$NSG" to-frr 2001:db8:b::2/64
addr "$NSG" to-bird 192.0.2.9/30
addr "$NSG" to-bird 2001:db8:c::1/64
addr "$NSB" to-gobgp 192.0.2.10/30
addr "$NSB" to-gobgp 2001:db8:c::2/64
has_ll() { ip netns exec "$1" ip -6 addr show dev "$2" scope link | grep -q fe80; }
wait_until "link-local on bird/to-frr" has_ll "$NSB" to-frr
wait_until "link-local on frr/to-bird" has_ll "$NSF" to-bird
link_up()
{
	ip netns exec "$1" ip link show dev "$2" | grep -q LOWER_UP &&
	    ! ip netns exec "$1" ip -6 addr show dev "$2" | grep -q tentative
}
for l in "$NSB to-frr" "$NSB to-gobgp" "$NSF to-bird" "$NSF to-gobgp" \
    "$NSG to-frr" "$NSG to-bird"; do
	wait_until "link up: $l" link_up $l
done

# --- capture ---------------------------------------------------------------
# bird sees three sessions, frr the fourth; one capture point per session
# so every TCP segment is recorded exactly once.
capture()
{
	ip netns exec "$1" tcpdump -n -U -s 0 -i "$2" -w "$T/pcap/$3.pcap" \
	    'tcp port 179' 2>"$T/tcpdump-$3.err" &
	TCPDUMP_PIDS+=($!)
	wait_until "tcpdump $3 ready" grep -q "listening on" "$T/tcpdump-$3.err"
}
capture "$NSB" any bird
capture "$NSF" to-gobgp frr-gobgp

# --- configuration -----------------------------------------------------------
# PHASE 1: initial routes; PHASE 2: some withdrawn, MED changed.
bird_conf()
{
	local p=$1
	cat <<EOF
log "$T/bird/bird.log" all;
router id 192.0.2.1;
define PHASE = $p;

protocol device { }

protocol static st4 {
	ipv4;
	route 198.51.100.0/26 blackhole;
	route 198.51.100.64/26 blackhole;
	route 198.51.100.192/27 blackhole;
$( [ "$p" = 1 ] && echo "	route 198.51.100.128/27 blackhole;" )
}
protocol static st6 {
	ipv6;
	route 2001:db8:1000::/48 blackhole;
	route 2001:db8:1001::/48 blackhole;
$( [ "$p" = 1 ] && echo "	route 2001:db8:1002::/48 blackhole;" )
}

filter to_ebgp {
	if source = RTS_STATIC then {
		bgp_community.add((64500, 100));
		bgp_large_community.add((4200000001, 100, 1));
		if net = 198.51.100.0/26 then bgp_med = 10 * PHASE;
		if net = 198.51.100.64/26 then {
			bgp_med = 50;
			bgp_path.prepend(4200000001);
			bgp_path.prepend(4200000001);
			bgp_community.add((64500, 666));
		}
		# One UPDATE larger than 4096 bytes, sent only where the
		# extended message capability is negotiated (FRR); no-export
		# keeps FRR from passing it on to GoBGP.
		if net = 198.51.100.192/27 then {
			bgp_community.add((65535, 65281));
$(for i in $(seq 1 360); do
	echo "			bgp_large_community.add((4200000001, 9, $i));"
done)
		}
		if net = 2001:db8:1001::/48 then {
			bgp_med = 60;
			bgp_path.prepend(4200000001);
			bgp_ext_community.add((rt, 64500, 7));
		}
		accept;
	}
	if source = RTS_BGP then accept;
	reject;
}

filter to_ibgp {
	if source = RTS_STATIC then {
		bgp_local_pref = 200;
		bgp_community.add((64500, 200));
		bgp_large_community.add((4200000001, 200, 2));
		if net = 198.51.100.192/27 then reject;
		if net = 198.51.100.0/26 then bgp_med = 10 * PHASE;
		accept;
	}
	if source = RTS_BGP then {
		bgp_local_pref = 150;
		accept;
	}
	reject;
}

protocol bgp frr4 {
	description "FRR eBGP over IPv4";
	local 192.0.2.1 as 4200000001;
	neighbor 192.0.2.2 as 65002;
	passive on;
	local role customer;
	graceful restart on;
	long lived graceful restart on;
	enable extended messages on;
	ipv4 { import all; export filter to_ebgp; add paths on; };
}

protocol bgp frr6 {
	description "FRR eBGP over IPv6";
	local 2001:db8:a::1 as 4200000001;
	neighbor 2001:db8:a::2 as 65002;
	interface "to-frr";
	hold time 9;
	graceful restart on;
	enable extended messages on;
	ipv6 { import all; export filter to_ebgp; };
}

protocol bgp gobgp {
	description "GoBGP iBGP over IPv4";
	local 192.0.2.10 as 4200000001;
	neighbor 192.0.2.9 as 4200000001;
	direct;
	graceful restart on;
	enable extended messages on;
	ipv4 { import all; export filter to_ibgp; next hop self; add paths on; };
	ipv6 {
		import all;
		export filter to_ibgp;
		next hop address 2001:db8:c::2;
	};
}
EOF
}

cat >"$T/frr/frr.conf" <<EOF
frr defaults traditional
hostname frr
log file $T/frr/bgpd.log informational
!
debug bgp neighbor-events
!
bgp community-list standard LOCAL seq 5 permit 64502:1
ip prefix-list OWN4 seq 5 permit 203.0.113.0/24 le 32
ipv6 prefix-list OWN6 seq 5 permit 2001:db8:2000::/44 le 64
!
route-map ORIG-A permit 10
 set community 64502:1 64502:100
 set large-community 65002:1:1
 set metric 100
!
route-map ORIG-B permit 10
 set community 64502:1 no-export
 set large-community 65002:1:2 65002:1:3
 set metric 200
 set origin incomplete
!
route-map ORIG-C permit 10
 set community 64502:1
 set extcommunity rt 65002:42
!
route-map TO-BIRD4 permit 10
 match ip address prefix-list OWN4
 set as-path prepend 65002
!
route-map TO-BIRD4 permit 20
!
route-map TO-BIRD6 permit 10
!
route-map TO-GOBGP4 permit 10
 match ip address prefix-list OWN4
 set as-path prepend 65002 65002
 set community 64502:300 additive
!
route-map TO-GOBGP4 permit 20
!
route-map TO-GOBGP6 permit 10
 set ipv6 next-hop global 2001:db8:b::1
!
router bgp 65002
 bgp router-id 192.0.2.2
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 no bgp network import-check
 bgp graceful-restart
 bgp log-neighbor-changes
 neighbor 192.0.2.1 remote-as 4200000001
 neighbor 192.0.2.1 description bird-v4
 neighbor 192.0.2.1 local-role provider
 neighbor 2001:db8:a::1 remote-as 4200000001
 neighbor 2001:db8:a::1 description bird-v6
 neighbor 2001:db8:a::1 passive
 neighbor 192.0.2.6 remote-as 4200000001
 neighbor 192.0.2.6 description gobgp
 neighbor 192.0.2.6 passive
 !
 address-family ipv4 unicast
  network 203.0.113.0/26 route-map ORIG-A
  network 203.0.113.64/26 route-map ORIG-B
  network 203.0.113.128/27 route-map ORIG-C
  neighbor 192.0.2.1 activate
  neighbor 192.0.2.1 addpath-tx-all-paths
  neighbor 192.0.2.1 route-map TO-BIRD4 out
  neighbor 192.0.2.6 activate
  neighbor 192.0.2.6 route-map TO-GOBGP4 out
 exit-address-family
 !
 address-family ipv6 unicast
  network 2001:db8:2000::/48 route-map ORIG-A
  network 2001:db8:2001::/48 route-map ORIG-B
  network 2001:db8:2002::/48 route-map ORIG-C
  neighbor 2001:db8:a::1 activate
  neighbor 2001:db8:a::1 route-map TO-BIRD6 out
  neighbor 192.0.2.6 activate
  neighbor 192.0.2.6 route-map TO-GOBGP6 out
 exit-address-family
!
EOF
cat >"$T/frr/zebra.conf" <<EOF
hostname frr
log file $T/frr/zebra.log informational
EOF

cat >"$T/gobgp/gobgpd.toml" <<EOF
[global.config]
  as = 4200000001
  router-id = "192.0.2.6"

[[neighbors]]
  [neighbors.config]
    neighbor-address = "192.0.2.5"
    peer-as = 65002
    description = "frr"
  [neighbors.transport.config]
    local-address = "192.0.2.6"
  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = 90
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true

[[neighbors]]
  [neighbors.config]
    neighbor-address = "192.0.2.10"
    peer-as = 4200000001
    description = "bird"
  [neighbors.transport.config]
    local-address = "192.0.2.9"
    passive-mode = true
  [neighbors.timers.config]
    hold-time = 9
    keepalive-interval = 3
  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = 90
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
    [neighbors.afi-safis.add-paths.config]
      receive = true
      send-max = 4
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
EOF

bird_conf 1 >"$T/bird/bird.conf"
bird_conf 2 >"$T/bird/bird2.conf"
"$BIRD" -p -c "$T/bird/bird.conf" || die "bird config check failed"

# --- daemons -------------------------------------------------------------------
log "starting daemons"
start gobgpd "$NSG" "$GOBGPD" -f "$T/gobgp/gobgpd.toml" -p -l info \
    --api-hosts "unix://$T/gobgp/api.sock" --pprof-disable
# gobgpd logs to stderr
ln -sf "$T/gobgpd.err" "$T/gobgp/gobgpd.log"
wait_until "gobgpd API" gobgp global
# Routes originated by GoBGP (added before the sessions come up).
gobgp global rib -a ipv4 add 192.0.2.128/26 origin igp med 30 \
    community 64501:1,64501:130 large-community 4200000001:3:1 >/dev/null ||
    die "gobgp rib add"
gobgp global rib -a ipv4 add 192.0.2.192/27 origin egp \
    community 64501:1,no-advertise aspath 64999 >/dev/null ||
    die "gobgp rib add"
gobgp global rib -a ipv4 add 192.0.2.224/27 origin igp med 7 \
    large-community 4200000001:3:2,4200000001:3:3 >/dev/null ||
    die "gobgp rib add"
gobgp global rib -a ipv6 add 2001:db8:3000::/48 nexthop 2001:db8:c::1 \
    origin igp med 31 community 64501:1 large-community 4200000001:3:6 \
    >/dev/null || die "gobgp rib add v6"
gobgp global rib -a ipv6 add 2001:db8:3001::/48 nexthop 2001:db8:c::1 \
    origin incomplete community 64501:1 >/dev/null || die "gobgp rib add v6"

start zebra "$NSF" "$ZEBRA" -f "$T/frr/zebra.conf" \
    -i "$T/frr/zebra.pid" -z "$T/frr/zserv.api" --vty_socket "$T/frr" -P 0
wait_until "zebra vty socket" test -S "$T/frr/zebra.vty"
start bgpd "$NSF" "$BGPD" -f "$T/frr/frr.conf" \
    -i "$T/frr/bgpd.pid" -z "$T/frr/zserv.api" --vty_socket "$T/frr" -P 0
wait_until "bgpd vty socket" test -S "$T/frr/bgpd.vty"

start bird "$NSB" "$BIRD" -f -c "$T/bird/bird.conf" -s "$T/bird/bird.ctl" \
    -P "$T/bird/bird.pid"
wait_until "bird control socket" birdc show status

log "waiting for sessions"
wait_until "bird frr4 Established" bird_state frr4 Established
wait_until "bird frr6 Established" bird_state frr6 Established
wait_until "bird gobgp Established" bird_state gobgp Established
wait_until "frr - gobgp Established" frr_state 192.0.2.6 Established
alive

log "waiting for routes"
wait_until "frr has bird v4 route" frr_has ipv4 198.51.100.128/27
wait_until "frr has bird v6 route" frr_has ipv6 2001:db8:1002::/48
wait_until "frr has gobgp v4 route" frr_has ipv4 192.0.2.224/27
wait_until "frr has bird's large route" frr_has ipv4 198.51.100.192/27
wait_until "bird has frr v4 route" bird_has 203.0.113.128/27
wait_until "bird has frr v6 route" bird_has 2001:db8:2002::/48
wait_until "bird has gobgp v4 route" bird_has 192.0.2.224/27
wait_until "bird has gobgp v6 route" bird_has 2001:db8:3001::/48
wait_until "gobgp has bird v4 route" gobgp_has ipv4 198.51.100.128/27
wait_until "gobgp has frr v4 route" gobgp_has ipv4 203.0.113.128/27
wait_until "gobgp has frr v6 route" gobgp_has ipv6 2001:db8:2002::/48
alive

# --- withdrawals and attribute changes ---------------------------------------
log "withdrawing routes"
birdc configure \"$T/bird/bird2.conf\" | grep -q "Reconfigured" ||
    die "bird reconfigure failed"
vtysh -c "configure terminal" -c "router bgp 65002" \
    -c "address-family ipv4 unicast" -c "no network 203.0.113.128/27" \
    -c "exit-address-family" -c "address-family ipv6 unicast" \
    -c "no network 2001:db8:2002::/48" \
    >/dev/null
gobgp global rib -a ipv4 del 192.0.2.224/27 >/dev/null || die "gobgp rib del"
gobgp global rib -a ipv6 del 2001:db8:3001::/48 nexthop 2001:db8:c::1 \
    >/dev/null || die "gobgp rib del v6"
wait_until "frr lost bird v4 route" frr_lacks ipv4 198.51.100.128/27
wait_until "frr lost bird v6 route" frr_lacks ipv6 2001:db8:1002::/48
wait_until "frr lost gobgp v4 route" frr_lacks ipv4 192.0.2.224/27
wait_until "bird lost frr v4 route" bird_lacks 203.0.113.128/27
wait_until "bird lost frr v6 route" bird_lacks 2001:db8:2002::/48
wait_until "bird lost gobgp v4 route" bird_lacks 192.0.2.224/27
wait_until "bird lost gobgp v6 route" bird_lacks 2001:db8:3001::/48
wait_until "gobgp lost bird v4 route" gobgp_lacks ipv4 198.51.100.128/27
wait_until "gobgp lost frr v4 route" gobgp_lacks ipv4 203.0.113.128/27
alive

# --- route refresh -----------------------------------------------------------
log "route refresh"
birdc reload in frr4 >/dev/null || die "birdc reload in frr4"
birdc reload in frr6 >/dev/null || die "birdc reload in frr6"
birdc reload in gobgp >/dev/null || die "birdc reload in gobgp"
vtysh -c "clear bgp * soft in" >/dev/null || die "vtysh clear soft in"
gobgp neighbor 192.0.2.5 softresetin >/dev/null || die "gobgp softresetin"
# BIRD asks 3 times, FRR 3 times (GoBGP may answer from its Adj-RIB-In).
wait_until "6 ROUTE-REFRESH captured" pcap_count bgp 5 6
sleep 1
alive

# --- administrative shutdown with a message (RFC 9003) ------------------------
log "administrative shutdown"
vtysh -c "configure terminal" -c "router bgp 65002" \
    -c "neighbor 192.0.2.1 shutdown message podbgp capture: FRR maintenance" \
    >/dev/null || die "frr neighbor shutdown"
birdc disable frr6 \"podbgp capture: BIRD shuts IPv6 session\" >/dev/null ||
    die "bird disable frr6"
birdc disable gobgp \"podbgp capture: BIRD leaves iBGP\" >/dev/null ||
    die "bird disable gobgp"
# "disable" drops the reason; the older "shutdown" sends it.
gobgp neighbor 192.0.2.5 shutdown --reason "podbgp capture: GoBGP says bye" \
    >/dev/null || die "gobgp neighbor shutdown"
wait_until "frr4 down" bird_down frr4
wait_until "frr - gobgp down" frr_down 192.0.2.6
wait_until "4 NOTIFICATION captured" pcap_count bgp 3 4
sleep 1
alive

# Stop the captures so the pcaps are complete.
for p in "${TCPDUMP_PIDS[@]}"; do kill -INT "$p" 2>/dev/null; done
for p in "${TCPDUMP_PIDS[@]}"; do wait "$p" 2>/dev/null; done
TCPDUMP_PIDS=()
log "capture done: $(ls "$T"/pcap)"

# --- extraction -------------------------------------------------------------
if [ $EXTRACT = 1 ]; then
	mkdir -p "$OUT"
	python3 "$HERE/extract.py" -o "$OUT" \
	    --name 192.0.2.1=bird --name 192.0.2.10=bird \
	    --name 2001:db8:a::1=bird \
	    --name 192.0.2.2=frr --name 192.0.2.5=frr --name 2001:db8:a::2=frr \
	    --name 192.0.2.6=gobgp --name 192.0.2.9=gobgp \
	    "$T"/pcap/*.pcap || die "extraction failed"
fi

if [ $EXTRACT = 1 ]; then
	python3 "$HERE/extract.py" --check "$OUT"/*.bgp >"$T/check.out" ||
	    die "bad .bgp file: $(cat "$T/check.out")"
	[ $SUMMARY = 1 ] && cat "$T/check.out"
fi

versions()
{
	echo "bird:  $("$BIRD" --version 2>&1 | head -1)"
	echo "frr:   $("$BGPD" --version 2>&1 | head -1)"
	echo "gobgp: $("$GOBGPD" --version 2>&1 | head -1)"
}
versions >&2

if [ $KEEP = 1 ]; then
	birdc enable frr6 >/dev/null
	birdc enable gobgp >/dev/null
	vtysh -c "configure terminal" -c "router bgp 65002" \
	    -c "no neighbor 192.0.2.1 shutdown" >/dev/null
	gobgp neighbor 192.0.2.5 enable >/dev/null
	cat >&2 <<EOF
Lab running (Ctrl-C to stop and clean up). Work dir: $T
  ip netns exec $NSB $BIRDC -s $T/bird/bird.ctl show protocols
  ip netns exec $NSF $VTYSH --vty_socket $T/frr -c 'show bgp summary'
  ip netns exec $NSG $GOBGP --target unix://$T/gobgp/api.sock neighbor
EOF
	while alive; do sleep 2; done
fi
log "done"
exit 0
