#!/bin/sh
# Graceful restart (RFC 4724) between podbgpd and BIRD 2, FRR, GoBGP and
# ExaBGP, each over a veth pair between two network namespaces made here.
# a. podbgpd restarts: killed with SIGKILL while the peer (a helper) has
#    its pod CIDR, started again. The peer must show the route all along
#    (its RIB polled every 0.2 s, and its own route log or monitor must
#    show no withdrawal), marked stale while podbgpd is away, no longer
#    stale once the session is back and our End-of-RIB came.
# b. the peer restarts: it announces two prefixes, is killed with SIGKILL
#    and started again in its own graceful-restart mode announcing only
#    one. podbgpd must keep both as stale, keep the one learned again
#    without a withdrawal and drop the other at the peer's End-of-RIB.
# Every peer also reports the R and F bits of podbgpd's OPENs: R clear at
# the first start, set after the SIGKILL; F set (keep-on-exit).
# ExaBGP keeps no RIB of what it receives, so in a. it can only show what
# it was sent after the SIGKILL: podbgpd's new OPEN with the R and F bits,
# our route again before our End-of-RIB, and no withdrawal of it before
# that End-of-RIB (nor at all until the SIGHUP).
# Needs root, python3 and, of BIRD (bird, birdc), FRR (zebra, bgpd,
# vtysh), GoBGP (gobgpd, gobgp) and ExaBGP, those in PEERS (default all
# four; PEERS="bird frr" runs some of them); exits 77 otherwise. Waits
# poll with deadlines; only processes started here are signalled, only
# namespaces made here are deleted.
# KEEP=1 keeps the temporary directory (logs, configurations).
set -u
me=gr_session.sh
srcdir=${srcdir:-$(dirname "$0")/../..}
. "$srcdir/tests/integration/lib.sh"

bird=${BIRD:-/usr/sbin/bird}
birdc=${BIRDC:-/usr/sbin/birdc}
frrdir=${FRRDIR:-/usr/lib/frr}
vtysh=${VTYSH:-/usr/bin/vtysh}
gobgpd=${GOBGPD:-/usr/bin/gobgpd}
gobgp=${GOBGP:-/usr/bin/gobgp}
exabgp=${EXABGP:-$(command -v exabgp || echo /usr/sbin/exabgp)}
need_root
need_exec "$(command -v python3 || echo python3)"
for p in ${PEERS:-bird frr gobgp exa}; do
	case $p in
	bird)	need_exec "$bird" "$birdc" ;;
	frr)	need_exec "$frrdir/zebra" "$frrdir/bgpd" "$vtysh" ;;
	gobgp)	need_exec "$gobgpd" "$gobgp" ;;
	exa)	need_exec "$exabgp" ;;
	*)	echo "$me: unknown peer $p in PEERS" >&2
		exit 99 ;;
	esac
done
need_podbgpd
make_tmp gr

POD=10.244.1.0/24	# podbgpd's pod CIDR
KEPT=10.96.1.0/24	# the peer announces it before and after its restart
GONE=10.96.2.0/24	# only before
run=pgr$$
peer=""		# the peer under test: bird, frr, gobgp or exa
ns_a=""		# its namespace
ns_b=""		# podbgpd's
peer_pid=""

# --- podbgpd ------------------------------------------------------------
# nodes_file CIDR: this node's pod CIDR in the nodes file for $peer.
nodes_file() {
	cat >"$tmp/$peer.nodes.yaml" <<EOF
nodes:
  - name: node-b
    pod-cidrs: [$1]
    addresses: [192.0.2.2]
EOF
}
# pod_conf: podbgpd's configuration for $peer; its state file is
# $tmp/$peer-pod.state, next to the control socket.
pod_conf() {
	cat >"$tmp/$peer.yaml" <<EOF
node-name: node-b
nodes:
  source: file
  file: $tmp/$peer.nodes.yaml
cluster-cidrs: [10.0.0.0/8]
bgp:
  asn: 65000
  router-id: 192.0.2.2
  peers:
    - address: 192.0.2.1
      asn: 65001
      name: $peer
      hold-time: 30
control:
  socket: $tmp/$peer-pod.ctl
  read-only-socket: $tmp/$peer-pod.ro.ctl
log:
  level: debug
EOF
}
pod_start() {
	ip netns exec "$ns_b" "$podbgpd" -d -f "$tmp/$peer.yaml" \
	    >>"$tmp/$peer.pod.log" 2>&1 &
	pod_pid=$!
	started "$pod_pid"
}
# plog REGEX: podbgpd's log for this peer has a match.
plog() {
	grep -Eq -- "$1" "$tmp/$peer.pod.log"
}
plog_count() {
	grep -Ec -- "$1" "$tmp/$peer.pod.log"
}
# since LINE REGEX: a match after the first LINE lines of podbgpd's log.
since() {
	tail -n "+$(($1 + 1))" "$tmp/$peer.pod.log" | grep -Eq -- "$2"
}
plines() {
	wc -l <"$tmp/$peer.pod.log"
}
established_count() {
	plog_count "\\($peer\\): Established"
}
# kill_peer: SIGKILL to the peer's daemon, reaped.
kill_peer() {
	kill -KILL "$peer_pid" 2>/dev/null
	wait "$peer_pid" 2>/dev/null
	forget "$peer_pid"
	peer_pid=""
}

# --- BIRD ---------------------------------------------------------------
birdc_a() {
	ip netns exec "$ns_a" "$birdc" -s "$tmp/bird.ctl" "$@" 2>/dev/null
}
# bird_start N [-R]: BIRD announcing the first N of KEPT, GONE.
bird_start() {
	routes="route $KEPT blackhole;"
	[ "$1" -eq 2 ] && routes="$routes route $GONE blackhole;"
	cat >"$tmp/bird.conf" <<EOF
log "$tmp/bird.log" all;
router id 192.0.2.1;
protocol device { }
protocol static s4 { ipv4; $routes }
protocol bgp pod {
	local 192.0.2.1 as 65001;
	neighbor 192.0.2.2 as 65000;
	connect delay time 1;
	connect retry time 2;
	error wait time 1, 4;
	graceful restart on;
	graceful restart time 30;
	debug { states, routes };
	ipv4 { import all; export where proto = "s4"; };
}
EOF
	shift
	ip netns exec "$ns_a" "$bird" -f "$@" -c "$tmp/bird.conf" \
	    -s "$tmp/bird.ctl" -P "$tmp/bird.pid" >>"$tmp/bird.out" 2>&1 &
	peer_pid=$!
	started "$peer_pid"
	wait_for 10 birdc_a show status
}
bird_restart() {
	bird_start 1 -R
}
bird_up() {
	birdc_a show protocols pod | grep -q Established
}
bird_has_pod() {
	birdc_a show route "$POD" | grep -q "$POD"
}
# BIRD's routes from a restarting neighbor are stale from the session's
# loss until its End-of-RIB: the time `show protocols all` says this
bird_stale() {
	birdc_a show protocols all pod |
	    grep -q 'Neighbor graceful restart active'
}
# debug { routes }: "pod.ipv4 > removed [sole] 10.244.1.0/24 ..." when
# the route from podbgpd goes
bird_withdrew() {
	grep -Eq "pod\.ipv4 > removed .*$POD" "$tmp/bird.log"
}
# bird_bits R: BIRD got our OPEN with the R bit as R (0, 1) ("Restart
# recovery") and F for both families ("AF preserved")
bird_bits() {
	birdc_a show protocols all pod |
	    sed -n '/Neighbor capabilities/,/Session:/p' >"$tmp/bird.caps"
	grep -q 'AF preserved: ipv4 ipv6' "$tmp/bird.caps" || return 1
	if [ "$1" -eq 1 ]; then
		grep -q 'Restart recovery' "$tmp/bird.caps"
	else
		! grep -q 'Restart recovery' "$tmp/bird.caps"
	fi
}
bird_dump() {
	echo "--- bird log (last 40 lines)"
	tail -n 40 "$tmp/bird.log"
	birdc_a show protocols all pod
	birdc_a show route all
}

# --- FRR ----------------------------------------------------------------
vty() {
	ip netns exec "$ns_a" "$vtysh" --vty_socket "$tmp/frr" "$@" \
	    2>/dev/null
}
# frr PYEXPR COMMAND: COMMAND's JSON output is j; true if PYEXPR is.
frr() {
	vty -c "$2" | python3 -c '
import json, sys
try:
	j = json.load(sys.stdin)
	sys.exit(0 if eval(sys.argv[1]) else 1)
except Exception:
	sys.exit(1)' "$1"
}
frr_group=root
getent group frrvty >/dev/null 2>&1 && frr_group=frrvty
# frr_start N: zebra if not running, then bgpd announcing N prefixes.
frr_start() {
	mkdir -p "$tmp/frr"
	if [ -z "${zebra_pid:-}" ]; then
		printf 'hostname frr\nlog file %s/zebra.log\n' "$tmp" \
		    >"$tmp/zebra.conf"
		ip netns exec "$ns_a" "$frrdir/zebra" -f "$tmp/zebra.conf" \
		    -i "$tmp/zebra.pid" -z "$tmp/frr/zserv.api" \
		    --vty_socket "$tmp/frr" -u root -g "$frr_group" \
		    >"$tmp/zebra.out" 2>&1 &
		zebra_pid=$!
		started "$zebra_pid"
		wait_for 10 test -S "$tmp/frr/zserv.api"
	fi
	nets=" network $KEPT"
	[ "$1" -eq 2 ] && nets="$nets
  network $GONE"
	cat >"$tmp/bgpd.conf" <<EOF
hostname frr
log file $tmp/frr.log
debug bgp updates
debug bgp graceful-restart
router bgp 65001
 bgp router-id 192.0.2.1
 no bgp ebgp-requires-policy
 no bgp network import-check
 bgp graceful-restart
 bgp graceful-restart preserve-fw-state
 bgp graceful-restart restart-time 30
 bgp graceful-restart select-defer-time 5
 neighbor 192.0.2.2 remote-as 65000
 neighbor 192.0.2.2 timers connect 1
 address-family ipv4 unicast
 $nets
 exit-address-family
EOF
	ip netns exec "$ns_a" "$frrdir/bgpd" -f "$tmp/bgpd.conf" \
	    -i "$tmp/bgpd.pid" -z "$tmp/frr/zserv.api" \
	    --vty_socket "$tmp/frr" -u root -g "$frr_group" \
	    >>"$tmp/bgpd.out" 2>&1 &
	peer_pid=$!
	started "$peer_pid"
	wait_for 10 vty -c "show bgp summary"
}
frr_restart() {
	frr_start 1
}
frr_up() {
	frr "j['192.0.2.2']['bgpState'] == 'Established'" \
	    "show bgp neighbors 192.0.2.2 json"
}
frr_has_pod() {
	frr "any(p['valid'] for p in j['paths'])" \
	    "show bgp ipv4 unicast $POD json"
}
frr_stale() {
	frr "any(p.get('stale') for p in j['paths'])" \
	    "show bgp ipv4 unicast $POD json"
}
# debug bgp updates: "... rcvd UPDATE about 10.244.1.0/24 ... withdrawn"
frr_withdrew() {
	grep -Eq "$POD.*withdrawn" "$tmp/frr.log"
}
# frr_bits R: FRR got our OPEN with the R bit as R (0, 1), F for IPv4
frr_bits() {
	frr "j['192.0.2.2']['gracefulRestartInfo']['rBit'] == bool($1) and \
j['192.0.2.2']['gracefulRestartInfo']['ipv4Unicast']['fBit']" \
	    "show bgp neighbors 192.0.2.2 json"
}
frr_dump() {
	echo "--- frr log (last 40 lines)"
	tail -n 40 "$tmp/frr.log"
	vty -c "show bgp neighbors 192.0.2.2" | head -n 80
	vty -c "show bgp ipv4 unicast"
}

# --- GoBGP --------------------------------------------------------------
gcli() {
	ip netns exec "$ns_a" "$gobgp" -p 50051 "$@" 2>/dev/null
}
# gobgp_start N [-r]: gobgpd; the session is enabled once the N routes
# are in its RIB, so its End-of-RIB never comes before them.
gobgp_start() {
	cat >"$tmp/gobgpd.toml" <<EOF
[global.config]
  as = 65001
  router-id = "192.0.2.1"

[[neighbors]]
  [neighbors.config]
    neighbor-address = "192.0.2.2"
    peer-as = 65000
    admin-down = true
  [neighbors.timers.config]
    connect-retry = 1
  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = 30
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
EOF
	nr=$1
	shift
	ip netns exec "$ns_a" "$gobgpd" -f "$tmp/gobgpd.toml" -p -l debug \
	    --api-hosts=127.0.0.1:50051 --pprof-disable "$@" \
	    >>"$tmp/gobgpd.log" 2>&1 &
	peer_pid=$!
	started "$peer_pid"
	wait_for 20 gcli global || return 1
	gcli global rib add "$KEPT" -a ipv4 >/dev/null
	[ "$nr" -eq 2 ] && gcli global rib add "$GONE" -a ipv4 >/dev/null
	# route changes as GoBGP's RIB sees them, for the whole run
	if [ -z "${mon_pid:-}" ]; then
		ip netns exec "$ns_a" "$gobgp" -p 50051 monitor global rib \
		    >>"$tmp/gobgp.monitor" 2>&1 &
		mon_pid=$!
		started "$mon_pid"
	fi
	gcli neighbor 192.0.2.2 enable >/dev/null
}
gobgp_restart() {
	# the monitor's stream ended with the daemon
	if [ -n "${mon_pid:-}" ]; then
		kill "$mon_pid" 2>/dev/null
		wait "$mon_pid" 2>/dev/null
		forget "$mon_pid"
		mon_pid=""
	fi
	gobgp_start 1 --graceful-restart
}
gobgp_up() {
	gcli neighbor 192.0.2.2 | grep -Eiq 'BGP state = established'
}
gob() {
	gcli -j "$@" | python3 -c '
import json, sys
try:
	j = json.load(sys.stdin)
	sys.exit(0 if eval(sys.argv[1]) else 1)
except Exception:
	sys.exit(1)' "$pyexpr"
}
gobgp_has_pod() {
	gcli global rib -a ipv4 "$POD" | grep -q "$POD"
}
gobgp_stale() {
	pyexpr="any(p.get('stale') for d in j.values() for p in d)"
	gob global rib -a ipv4 "$POD"
}
# the monitor prints a withdrawal as [DELROUTE]
gobgp_withdrew() {
	grep -Eq "DELROUTE.*$POD" "$tmp/gobgp.monitor"
}
# gobgp_bits R: GoBGP got our OPEN with the R bit as R (0, 1), F set
gobgp_bits() {
	gcli neighbor 192.0.2.2 >"$tmp/gobgp.nb"
	grep -q 'forward flag set' "$tmp/gobgp.nb" || return 1
	if [ "$1" -eq 1 ]; then
		grep -q 'restart flag set' "$tmp/gobgp.nb"
	else
		! grep -q 'restart flag set' "$tmp/gobgp.nb"
	fi
}
gobgp_dump() {
	echo "--- gobgpd log (last 40 lines)"
	tail -n 40 "$tmp/gobgpd.log"
	echo "--- gobgp monitor"
	cat "$tmp/gobgp.monitor"
	gcli neighbor 192.0.2.2
	gcli global rib -a ipv4
}

# --- ExaBGP -------------------------------------------------------------
# exa_start N: ExaBGP with the graceful-restart capability announcing N
# prefixes; its api.py appends what ExaBGP receives, as JSON, to
# exa.json.
exa_start() {
	routes="route $KEPT next-hop self;"
	[ "$1" -eq 2 ] && routes="$routes route $GONE next-hop self;"
	cat >"$tmp/api.py" <<'EOF'
import os, sys
out = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
open(sys.argv[1] + ".ready", "w").close()
while True:
	data = os.read(0, 65536)
	if not data:
		break
	os.write(out, data)
EOF
	cat >"$tmp/exabgp.conf" <<EOF
process api {
	run /usr/bin/env python3 $tmp/api.py $tmp/exa.json;
	encoder json;
}
neighbor 192.0.2.2 {
	router-id 192.0.2.1;
	local-address 192.0.2.1;
	local-as 65001;
	peer-as 65000;
	hold-time 30;
	capability {
		graceful-restart 30;
	}
	family {
		ipv4 unicast;
	}
	api {
		processes [ api ];
		receive {
			parsed;
			open;
			update;
			notification;
		}
		neighbor-changes;
	}
	static {
		$routes
	}
}
EOF
	rm -f "$tmp/exa.json.ready"
	ip netns exec "$ns_a" env \
	    exabgp_daemon_user=root \
	    exabgp_daemon_daemonize=false \
	    exabgp_log_destination=stdout \
	    exabgp_log_level=INFO \
	    exabgp_api_ack=false \
	    exabgp_api_cli=false \
	    exabgp_tcp_once=false \
	    "$exabgp" "$tmp/exabgp.conf" >>"$tmp/exabgp.log" 2>&1 &
	peer_pid=$!
	started "$peer_pid"
	wait_for 20 test -e "$tmp/exa.json.ready"
}
exa_restart() {
	exa_start 1
}
# exa PYEXPR [SKIP]: a JSON message (m) after the first SKIP lines of
# exa.json for which PYEXPR holds.
exa() {
	tail -n "+$((${2:-0} + 1))" "$tmp/exa.json" | python3 -c '
import json, sys
for line in sys.stdin:
	try:
		m = json.loads(line)
		if eval(sys.argv[1]):
			sys.exit(0)
	except Exception:
		pass
sys.exit(1)' "$1"
}
exa_up() {
	exa "m.get('type') == 'state' and m['neighbor']['state'] == 'up'" \
	    "$exa_mark"
}
exa_lines() {
	wc -l <"$tmp/exa.json"
}
# ExaBGP keeps no RIB: "has" means it was announced and not withdrawn
exa_has_pod() {
	! exa_withdrew && exa "'$POD' in str(m.get('neighbor', {}).get(\
'message', {}).get('update', {}).get('announce', ''))"
}
exa_withdrew() {
	exa "'$POD' in str(m.get('neighbor', {}).get('message', {}).get(\
'update', {}).get('withdraw', ''))"
}
exa_stale() {
	false
}
# exa_before_eor WHAT SKIP: in the JSON after the first SKIP lines, up to
# podbgpd's IPv4 End-of-RIB (which must come): WHAT "announce", our route
# announced; WHAT "no-withdraw", our route never withdrawn.
exa_before_eor() {
	tail -n "+$(($2 + 1))" "$tmp/exa.json" | python3 -c '
import json, sys
what, pod = sys.argv[1], sys.argv[2]
ann = wd = False
for line in sys.stdin:
	try:
		m = json.loads(line)
		msg = m["neighbor"]["message"]
	except Exception:
		continue
	if msg.get("eor", {}).get("afi") == "ipv4":
		sys.exit(0 if (ann if what == "announce" else not wd) else 1)
	u = msg.get("update", {})
	if pod in str(u.get("announce", "")):
		ann = True
	if pod in str(u.get("withdraw", "")):
		wd = True
sys.exit(1)' "$1" "$POD"
}
# exa_open R [SKIP]: ExaBGP received an OPEN from podbgpd whose
# graceful-restart capability has the R bit as R (0, 1) and the F bit for
# both families. ExaBGP 4's JSON swaps the names: it calls R "forwarding"
# and F "restart".
exa_open() {
	exa "m.get('type') == 'open' and \
m['neighbor']['direction'] == 'receive' and \
('forwarding' in m['neighbor']['open']['capabilities']['64']\
['restart-flags']) == bool($1) and \
m['neighbor']['open']['capabilities']['64']['address-family-flags'] == \
{'ipv4/unicast': ['restart'], 'ipv6/unicast': ['restart']}" "${2:-0}"
}
exa_dump() {
	echo "--- exabgp output (last 30 lines)"
	tail -n 30 "$tmp/exabgp.log"
	echo "--- exa.json (last 10 lines)"
	tail -n 10 "$tmp/exa.json"
}

dump() {
	for p in $done_peers; do
		echo "=== $p"
		echo "--- podbgpd log (last 40 lines)"
		tail -n 40 "$tmp/$p.pod.log"
	done
	[ -n "$peer" ] && "${peer}_dump"
}

# --- a. podbgpd restarts ------------------------------------------------
podbgpd_restarts() {
	check "$peer: session Established" wait_for 30 "${peer}_up"
	check "$peer: has our pod CIDR" wait_for 10 "${peer}_has_pod"
	check "$peer: podbgpd's first start is no restart" \
	    not plog 'graceful restart: restarting'
	case $peer in
	exa)
		check "exa: podbgpd's first OPEN: R bit clear, F bits set" \
		    exa_open 0
		exa_mark=$(exa_lines)
		;;
	bird|frr|gobgp)
		check "$peer: podbgpd's first OPEN: R bit clear, F bit set" \
		    "${peer}_bits" 0
		;;
	esac
	kill -KILL "$pod_pid"
	wait "$pod_pid" 2>/dev/null
	forget "$pod_pid"
	check "$peer: the state file outlives SIGKILL" test -f \
	    "$tmp/$peer-pod.state"
	if [ "$peer" != exa ]; then
		check "$peer: keeps our route as stale while we are away" \
		    wait_for 10 "${peer}_stale"
	fi
	pod_start
	absent=0
	polls=0
	k=0
	# until Established again and the route is no longer stale
	while [ "$k" -lt 150 ]; do
		polls=$((polls + 1))
		"${peer}_has_pod" || absent=$((absent + 1))
		if [ "$(established_count)" -ge 2 ] && "${peer}_up" &&
		    ! "${peer}_stale"; then
			break
		fi
		k=$((k + 1))
		sleep 0.2
	done
	if [ "$peer" = exa ]; then
		# ExaBGP keeps no RIB: what podbgpd sent it after the SIGKILL
		check "exa: our route sent again before our End-of-RIB" \
		    wait_for 10 exa_before_eor announce "$exa_mark"
		check "exa: no withdrawal of our route before our End-of-RIB" \
		    exa_before_eor no-withdraw "$exa_mark"
	else
		check "$peer: our route never missing at the peer ($absent \
of $polls polls)" [ "$absent" -eq 0 -a "$polls" -gt 0 ]
	fi
	check "$peer: podbgpd logs that it is restarting" plog \
	    "graceful restart: restarting, as $tmp/$peer-pod.state was left"
	check "$peer: session Established again" wait_for 10 "${peer}_up"
	if [ "$peer" != exa ]; then
		check "$peer: has our pod CIDR after the restart" \
		    "${peer}_has_pod"
		check "$peer: our End-of-RIB cleared the stale flag" \
		    not "${peer}_stale"
	fi
	check "$peer: the peer never saw a withdrawal of our route" \
	    not "${peer}_withdrew"
	check "$peer: the restart ends when the peer has our End-of-RIB" \
	    wait_for 10 plog 'graceful restart: every peer has our routes'
	case $peer in
	exa)
		check "exa: podbgpd's OPEN after SIGKILL: R and F bits set" \
		    exa_open 1 "$exa_mark"
		;;
	bird|frr|gobgp)
		check "$peer: podbgpd's OPEN after SIGKILL: R and F bits set" \
		    "${peer}_bits" 1
		;;
	esac
}

# --- b. the peer restarts -----------------------------------------------
peer_restarts() {
	check "$peer: podbgpd learns $KEPT" wait_for 20 \
	    plog "accepted ${KEPT%/*}/24 via 192\\.0\\.2\\.1"
	check "$peer: podbgpd learns $GONE" wait_for 10 \
	    plog "accepted ${GONE%/*}/24 via 192\\.0\\.2\\.1"
	check "$peer: podbgpd has its End-of-RIB" wait_for 10 \
	    plog "neighbor 192\\.0\\.2\\.1: End-of-RIB IPv4"
	mark=$(plines)
	kill_peer
	check "$peer: podbgpd keeps both paths as stale" wait_for 10 \
	    since "$mark" "\\($peer\\): graceful restart: keeping 2 paths"
	exa_mark=$( [ -f "$tmp/exa.json" ] && exa_lines || echo 0)
	"${peer}_restart"
	check "$peer: the restarted peer's session comes up" wait_for 30 \
	    since "$mark" "\\($peer\\): Established"
	check "$peer: its End-of-RIB removes the one stale path left" \
	    wait_for 20 since "$mark" \
	    "neighbor 192\\.0\\.2\\.1: End-of-RIB IPv4, 1 stale paths removed"
	check "$peer: $KEPT learned again" since "$mark" \
	    "accepted ${KEPT%/*}/24 via 192\\.0\\.2\\.1"
	check "$peer: no withdrawal of $KEPT" not since "$mark" \
	    "withdrawn ${KEPT%/*}/24"
	check "$peer: nothing flushed, no stale timer" not since "$mark" \
	    'paths flushed|stale timer expired'
}

done_peers=""
for peer in ${PEERS:-bird frr gobgp exa}; do
	ns_a=$run-$peer-a
	ns_b=$run-$peer-b
	make_pair "$ns_a" "$ns_b"
	if ! "${peer}_start" 2; then
		echo "$me: $peer did not start"
		"${peer}_dump"
		exit 99
	fi
	exa_mark=0
	nodes_file "$POD"
	pod_conf
	pod_start
	done_peers="$done_peers $peer"
	podbgpd_restarts
	peer_restarts
	# the peer's withdrawal log does see a withdrawal: SIGHUP, a new CIDR
	nodes_file 10.244.7.0/24
	kill -HUP "$pod_pid"
	check "$peer: the peer's log shows a real withdrawal of our route" \
	    wait_for 10 "${peer}_withdrew"
	kill -TERM "$pod_pid"
	reap_podbgpd
	check "$peer: podbgpd logs no ASan/UBSan report" sh -c "! grep -Eq \
	    'runtime error|AddressSanitizer|LeakSanitizer' \
	    '$tmp/$peer.pod.log'"
	[ "$fail" -eq 0 ] || "${peer}_dump"
	kill_peer
done
peer=""
# finish prints podbgpd.log
: >"$tmp/podbgpd.log"
finish dump
