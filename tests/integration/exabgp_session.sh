#!/bin/sh
# podbgpd against ExaBGP 4 over a veth pair between two network
# namespaces made here: the session comes up, ExaBGP receives our pod
# CIDRs (IPv4 and IPv6, with next hops and AS path; collected through its
# JSON API into a file), podbgpd accepts ExaBGP's routes with their next
# hop, AS path, origin, MED and (iBGP) LOCAL_PREF (podbgpctl show route
# all), withdrawals of both families both ways, and UPDATEs
# with malformed attributes built with ExaBGP's generic attribute syntax
# get RFC 7606's treatment (treat-as-withdraw, attribute discard) while
# the session stays up; an iBGP session from a second address gets an
# empty AS path and LOCAL_PREF; the capabilities ExaBGP negotiated; a
# route refresh sent through ExaBGP's API is answered; SIGHUP with a
# changed nodes file withdraws our old pod CIDRs at ExaBGP; the hold timer
# against a stopped ExaBGP, ExaBGP killed and started again, a flood of
# connections from unconfigured addresses while the sessions stay up;
# SIGTERM's shutdown communication reaches ExaBGP.
# Needs root, exabgp, podbgpctl and python3; exits 77 otherwise. Waits poll with
# deadlines; only processes started here are signalled, only namespaces
# made here are deleted.
set -u
me=exabgp_session.sh
srcdir=${srcdir:-$(dirname "$0")/../..}
. "$srcdir/tests/integration/lib.sh"

exabgp=${EXABGP:-/usr/sbin/exabgp}
ctl=${PODBGPCTL:-$(pwd)/src/podbgpctl/podbgpctl}
need_root
need_exec "$exabgp" "$ctl" "$(command -v python3 || echo python3)"
need_podbgpd

ns_a=pex$$-a	# ExaBGP
ns_b=pex$$-b	# podbgpd
make_tmp exabgp
make_pair "$ns_a" "$ns_b"

# exa_cmd COMMAND: an API command to ExaBGP, through api.py's FIFO.
exa_cmd() {
	timeout 5 sh -c "echo '$1' >'$tmp/cmd'"
}
# exa_got PYEXPR: some JSON message m ExaBGP received makes PYEXPR true.
exa_got() {
	python3 - "$1" "$tmp/received.json" <<'EOF'
import json, sys
for line in open(sys.argv[2]):
	try:
		m = json.loads(line)
		if eval(sys.argv[1]):
			sys.exit(0)
	except Exception:
		pass
sys.exit(1)
EOF
}
# exa_count PYEXPR: how many JSON messages m ExaBGP received make PYEXPR
# true.
exa_count() {
	python3 - "$1" "$tmp/received.json" <<'EOF'
import json, sys
n = 0
for line in open(sys.argv[2]):
	try:
		m = json.loads(line)
		if eval(sys.argv[1]):
			n += 1
	except Exception:
		pass
print(n)
EOF
}
# exa_more PYEXPR N: more than N messages make PYEXPR true.
exa_more() {
	[ "$(exa_count "$1")" -gt "$2" ]
}
# withdrawn FAMILY PREFIX [LOCAL]: the PYEXPR for an UPDATE of ours
# withdrawing PREFIX at ExaBGP's session from LOCAL (192.0.2.1, eBGP).
withdrawn() {
	echo "m['type'] == 'update' and \
m['neighbor']['address']['local'] == '${3:-192.0.2.1}' and \
any(r.get('nlri') == '$2' for r in \
m['neighbor']['message']['update'].get('withdraw', {}).get('$1', []))"
}
# announced FAMILY PREFIX [LOCAL]: the PYEXPR for an UPDATE of ours
# announcing PREFIX to ExaBGP's session from LOCAL (192.0.2.1, eBGP).
announced() {
	echo "m['type'] == 'update' and \
m['neighbor']['address']['local'] == '${3:-192.0.2.1}' and \
any(r.get('nlri') == '$2' for nh, rs in \
m['neighbor']['message']['update'].get('announce', {}).get('$1', {}).items() \
for r in rs)"
}
# ann_nh FAMILY PREFIX NEXTHOP: announced with that next hop.
ann_nh() {
	echo "m['type'] == 'update' and \
m['neighbor']['address']['local'] == '192.0.2.1' and \
any(r.get('nlri') == '$2' and nh == '$3' for nh, rs in \
m['neighbor']['message']['update'].get('announce', {}).get('$1', {}).items() \
for r in rs)"
}
dump() {
	echo "--- exabgp output (last 40 lines)"
	tail -n 40 "$tmp/exabgp.log"
	echo "--- received.json (last 20 lines)"
	tail -n 20 "$tmp/received.json"
}

# --- ExaBGP (AS 65001) -------------------------------------------------
# api.py hands ExaBGP's JSON to received.json and the lines written to
# the FIFO cmd to ExaBGP.
mkfifo "$tmp/cmd" || exit 99
: >"$tmp/received.json"
cat >"$tmp/api.py" <<'EOF'
import os, select, sys
d = sys.argv[1]
out = os.open(d + "/received.json", os.O_WRONLY | os.O_APPEND)
fifo = os.open(d + "/cmd", os.O_RDWR | os.O_NONBLOCK)
open(d + "/api.ready", "w").close()
buf = b""
while True:
	r, _, _ = select.select([0, fifo], [], [])
	if 0 in r:
		data = os.read(0, 65536)
		if not data:
			break
		os.write(out, data)
	if fifo in r:
		buf += os.read(fifo, 65536)
		while b"\n" in buf:
			line, buf = buf.split(b"\n", 1)
			os.write(1, line + b"\n")
EOF
cat >"$tmp/exabgp.conf" <<EOF
process api {
	run /usr/bin/env python3 $tmp/api.py $tmp;
	encoder json;
}
neighbor 192.0.2.2 {
	router-id 192.0.2.1;
	local-address 192.0.2.1;
	local-as 65001;
	peer-as 65000;
	hold-time 6;
	family {
		ipv4 unicast;
		ipv6 unicast;
	}
	capability {
		route-refresh;
		asn4 enable;
	}
	api {
		processes [ api ];
		receive {
			parsed;
			update;
			notification;
			open;
			refresh;
			packets;
		}
		negotiated;
		neighbor-changes;
	}
	static {
		route 10.96.0.0/16 next-hop self med 50;
		route fd00:96::/48 next-hop 2001:db8::1 origin egp;
	}
}
# iBGP from a second address
neighbor 192.0.2.2 {
	router-id 192.0.2.3;
	local-address 192.0.2.3;
	local-as 65000;
	peer-as 65000;
	hold-time 30;
	family {
		ipv4 unicast;
	}
	api {
		processes [ api ];
		receive {
			parsed;
			update;
			packets;
		}
		neighbor-changes;
	}
	static {
		route 10.97.0.0/16 next-hop self local-preference 200;
	}
}
EOF
ip -n "$ns_a" addr add 192.0.2.3/24 dev veth0
# start_exabgp: ExaBGP on exabgp.conf, its pid in $exa_pid.
start_exabgp() {
	rm -f "$tmp/api.ready"
	ip netns exec "$ns_a" env \
	    exabgp_daemon_user=root \
	    exabgp_daemon_daemonize=false \
	    exabgp_daemon_pid="$tmp/exabgp.pid" \
	    exabgp_log_destination=stdout \
	    exabgp_log_level=INFO \
	    exabgp_api_ack=false \
	    exabgp_api_cli=false \
	    exabgp_tcp_once=false \
	    "$exabgp" "$tmp/exabgp.conf" >>"$tmp/exabgp.log" 2>&1 &
	exa_pid=$!
	started "$exa_pid"
	if ! wait_for 20 test -e "$tmp/api.ready"; then
		echo "exabgp did not start"
		cat "$tmp/exabgp.log"
		exit 99
	fi
}
start_exabgp

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
      name: exa-a
    - address: 192.0.2.3
      asn: 65000
      name: exa-ibgp
control:
  socket: $tmp/podbgpd.ctl
  read-only-socket: $tmp/podbgpd.ro.ctl
log:
  level: debug
EOF
start_podbgpd "$ns_b"

# --- the session ------------------------------------------------------
check "podbgpd logs Established" wait_for 30 \
    log_has 'neighbor 192\.0\.2\.1 \(exa-a\): Established'
check "ExaBGP reports the eBGP session up" wait_for 10 exa_got \
    "m['type'] == 'state' and m['neighbor']['state'] == 'up' and \
m['neighbor']['address']['local'] == '192.0.2.1'"

# the capabilities of our OPEN and what ExaBGP made of them
opn="m['type'] == 'open' and m['neighbor']['direction'] == 'receive' and \
m['neighbor']['address']['local'] == '192.0.2.1' and \
'open' in m['neighbor']"
cap="[c for c in m['neighbor']['open']['capabilities'].values()"
check "ExaBGP receives our OPEN" wait_for 10 exa_got "$opn"
check "our OPEN: multiprotocol IPv4 and IPv6" exa_got "$opn and \
{'ipv4/unicast', 'ipv6/unicast'} <= set(f for c in $cap \
if c['name'] == 'multiprotocol'] for f in c['families'])"
for c in route-refresh enhanced-route-refresh 'graceful restart' asn4 \
    extended-message; do
	check "our OPEN: capability $c" exa_got "$opn and \
any(c['name'] == '$c' for c in $cap])"
done
neg="m['type'] == 'negotiated' and \
m['neighbor']['address']['local'] == '192.0.2.1'"
check "ExaBGP negotiated 4-octet AS" wait_for 10 exa_got \
    "$neg and m['neighbor']['negotiated']['asn4']"
check "ExaBGP negotiated enhanced route refresh" exa_got \
    "$neg and m['neighbor']['negotiated']['refresh'] == 'enhanced'"
check "ExaBGP negotiated IPv4 and IPv6 unicast" exa_got \
    "$neg and sorted(m['neighbor']['negotiated']['families']) == \
['ipv4 unicast', 'ipv6 unicast']"
check "ExaBGP negotiated extended messages" exa_got \
    "$neg and m['neighbor']['negotiated']['message_size'] == 65535"
check "ExaBGP negotiated hold time 6 s" exa_got \
    "$neg and m['neighbor']['negotiated']['hold_time'] == 6"

# --- our pod CIDRs at ExaBGP ------------------------------------------
check "ExaBGP receives our IPv4 pod CIDR" wait_for 10 \
    exa_got "$(announced 'ipv4 unicast' 10.244.1.0/24)"
check "with our veth address as next hop" \
    exa_got "$(ann_nh 'ipv4 unicast' 10.244.1.0/24 192.0.2.2)"
check "with our AS as the AS path" exa_got \
    "$(announced 'ipv4 unicast' 10.244.1.0/24) and \
m['neighbor']['message']['update']['attribute']['as-path'] == [65000]"
check "with origin IGP" exa_got \
    "$(announced 'ipv4 unicast' 10.244.1.0/24) and \
m['neighbor']['message']['update']['attribute']['origin'] == 'igp'"
check "ExaBGP receives our IPv6 pod CIDR" wait_for 10 \
    exa_got "$(announced 'ipv6 unicast' fd00:10:244:1::/64)"
check "with our global IPv6 address as next hop" \
    exa_got "$(ann_nh 'ipv6 unicast' fd00:10:244:1::/64 2001:db8::2)"
check "ExaBGP receives our End-of-RIB" wait_for 10 exa_got \
    "m['type'] == 'update' and 'eor' in m['neighbor']['message']"

# --- iBGP --------------------------------------------------------------
check "iBGP: podbgpd logs Established" wait_for 30 \
    log_has 'neighbor 192\.0\.2\.3 \(exa-ibgp\): Established'
ib="$(announced 'ipv4 unicast' 10.244.1.0/24 192.0.2.3)"
check "iBGP: ExaBGP receives our IPv4 pod CIDR" wait_for 10 exa_got "$ib"
# ExaBGP's parsed JSON leaves out an empty AS path; the raw UPDATE has
# ORIGIN IGP (40 01 01 00) then an empty AS_PATH (40 02 00)
check "iBGP: with an empty AS path" exa_got \
    "m['type'] == 'update' and \
m['neighbor']['address']['local'] == '192.0.2.3' and \
'40010100400200' in m['neighbor']['message']['body'].upper() and \
m['neighbor']['message']['body'].upper().endswith('180AF401')"
check "iBGP: with LOCAL_PREF 100" exa_got \
    "$ib and \
m['neighbor']['message']['update']['attribute']['local-preference'] == 100"
check "iBGP: with our address as next hop" exa_got \
    "$ib and '192.0.2.2' in \
m['neighbor']['message']['update']['announce']['ipv4 unicast']"
check "iBGP: podbgpd accepts ExaBGP's route" wait_for 10 \
    log_has 'neighbor 192\.0\.2\.3: accepted 10\.97\.0\.0/16 via 192\.0\.2\.3'
check "iBGP: podbgpd's RIB has it with an empty AS path, origin IGP, \
LOCAL_PREF 200" wait_for 10 pod_path 10.97.0.0/16 exa-ibgp \
    "p['as_path'] == [] and p['origin'] == 'IGP' and \
p['local_pref'] == 200 and p['nexthop'] == '192.0.2.3'"

# --- ExaBGP's routes at podbgpd ---------------------------------------
check "podbgpd accepts ExaBGP's IPv4 route" wait_for 10 \
    log_has 'neighbor 192\.0\.2\.1: accepted 10\.96\.0\.0/16 via 192\.0\.2\.1'
check "podbgpd accepts ExaBGP's IPv6 route" wait_for 10 \
    log_has 'neighbor 192\.0\.2\.1: accepted fd00:96::/48 via 2001:db8::1'
check "podbgpd's RIB: IPv4 AS path 65001, origin IGP, MED 50" \
    pod_path 10.96.0.0/16 exa-a "p['as_path'] == [65001] and \
p['origin'] == 'IGP' and p.get('med') == 50 and \
'local_pref' not in p and p['nexthop'] == '192.0.2.1'"
check "podbgpd's RIB: IPv6 AS path 65001, origin EGP" \
    pod_path fd00:96::/48 exa-a "p['as_path'] == [65001] and \
p['origin'] == 'EGP' and p['nexthop'] == '2001:db8::1'"
exa_cmd "announce route 10.96.9.0/24 next-hop self"
check "podbgpd accepts a route announced through the API" wait_for 10 \
    log_has 'neighbor 192\.0\.2\.1: accepted 10\.96\.9\.0/24 via 192\.0\.2\.1'

# --- malformed attributes (RFC 7606) ----------------------------------
# MULTI_EXIT_DISC of 3 bytes: 7.4 says treat-as-withdraw
exa_cmd "announce route 10.96.1.0/24 next-hop self \
attribute [ 0x04 0x80 0x000001 ]"
check "MED of length 3: treat-as-withdraw logged" wait_for 10 \
    log_has 'neighbor 192\.0\.2\.1: UPDATE treated as withdraw'
check "MED of length 3: the route is not accepted" \
    not log_has 'accepted 10\.96\.1\.0/24'
# ATOMIC_AGGREGATE of 1 byte: 7.6 says attribute discard
exa_cmd "announce route 10.96.2.0/24 next-hop self attribute [ 0x06 0x40 0x01 ]"
check "ATOMIC_AGGREGATE of length 1: attribute discard logged" \
    wait_for 10 log_has 'neighbor 192\.0\.2\.1: UPDATE attribute discarded'
check "ATOMIC_AGGREGATE of length 1: the route is accepted" wait_for 10 \
    log_has 'neighbor 192\.0\.2\.1: accepted 10\.96\.2\.0/24 via 192\.0\.2\.1'
# an unknown optional transitive attribute is no error at all
exa_cmd "announce route 10.96.3.0/24 next-hop self \
attribute [ 0xf0 0xc0 0x0102030405 ]"
check "unknown optional transitive attribute: the route is accepted" \
    wait_for 10 log_has 'accepted 10\.96\.3\.0/24 via 192\.0\.2\.1'
# a malformed route replacing a good one withdraws it
exa_cmd "announce route 10.96.9.0/24 next-hop self attribute [ 0x04 0x80 0x01 ]"
check "treat-as-withdraw removes the route it replaces" wait_for 10 \
    log_has 'neighbor 192\.0\.2\.1: withdrawn 10\.96\.9\.0/24'
check "the session stayed up: no NOTIFICATION sent" \
    not log_has 'exa-a\): sent NOTIFICATION'
check "the session stayed up: Established only once" \
    [ "$(log_count 'exa-a\): Established')" -eq 1 ]
exa_cmd "withdraw route 10.96.0.0/16 next-hop self"
check "and still takes UPDATEs: a withdrawal" wait_for 10 \
    log_has 'neighbor 192\.0\.2\.1: withdrawn 10\.96\.0\.0/16'
exa_cmd "withdraw route fd00:96::/48 next-hop 2001:db8::1"
check "podbgpd sees ExaBGP's IPv6 withdrawal" wait_for 10 \
    log_has 'neighbor 192\.0\.2\.1: withdrawn fd00:96::/48'
check "and the IPv6 route leaves podbgpd's RIB" wait_for 10 \
    pod_lacks fd00:96::/48 exa-a

# --- route refresh through ExaBGP's API ------------------------------
a1="$(announced 'ipv4 unicast' 10.244.1.0/24)"
na=$(exa_count "$a1")
exa_cmd "neighbor 192.0.2.2 local-ip 192.0.2.1 announce route-refresh \
ipv4 unicast"
check "podbgpd answers ExaBGP's route refresh" wait_for 10 \
    log_has 'neighbor 192\.0\.2\.1: route refresh for IPv4'
check "ExaBGP receives our IPv4 pod CIDR again" wait_for 10 \
    exa_more "$a1" "$na"

# --- our pod CIDRs change: SIGHUP re-reads the nodes file -------------
cat >"$tmp/nodes.yaml" <<EOF
nodes:
  - name: node-b
    pod-cidrs: [10.244.7.0/24, "fd00:10:244:7::/64"]
    addresses: [192.0.2.2]
EOF
kill -HUP "$pod_pid"
check "SIGHUP: ExaBGP gets the new IPv4 pod CIDR" wait_for 10 \
    exa_got "$(announced 'ipv4 unicast' 10.244.7.0/24)"
check "SIGHUP: ExaBGP gets the old IPv4 pod CIDR withdrawn" wait_for 10 \
    exa_got "$(withdrawn 'ipv4 unicast' 10.244.1.0/24)"
check "SIGHUP: ExaBGP gets the new IPv6 pod CIDR" wait_for 10 \
    exa_got "$(announced 'ipv6 unicast' fd00:10:244:7::/64)"
check "SIGHUP: ExaBGP gets the old IPv6 pod CIDR withdrawn" wait_for 10 \
    exa_got "$(withdrawn 'ipv6 unicast' fd00:10:244:1::/64)"
check "SIGHUP: and over iBGP" wait_for 10 \
    exa_got "$(withdrawn 'ipv4 unicast' 10.244.1.0/24 192.0.2.3)"

# --- hold timer: ExaBGP stops sending KEEPALIVEs ----------------------
est=$(est_count exa-a)
hold_expiry exa-a "$exa_pid" 6
check "the session recovers" wait_for 30 \
    sh -c "[ \$(grep -c 'exa-a): Established' '$tmp/podbgpd.log') -gt $est ]"
a7="$(announced 'ipv4 unicast' 10.244.7.0/24)"
check "ExaBGP receives our pod CIDR again" wait_for 10 exa_more "$a7" 1

# --- ExaBGP killed and started again ----------------------------------
est=$(est_count exa-a)
esti=$(est_count exa-ibgp)
acc=$(log_count 'neighbor 192\.0\.2\.1: accepted 10\.96\.0\.0/16')
kill -KILL "$exa_pid"
wait "$exa_pid" 2>/dev/null
forget "$exa_pid"
check "ExaBGP gone: podbgpd leaves Established" wait_for 10 \
    log_has 'exa-a\): (Idle|Active|Connect)$'
# what the new ExaBGP receives, apart
mv "$tmp/received.json" "$tmp/received.1.json"
: >"$tmp/received.json"
start_exabgp
check "ExaBGP restarted: the session comes back" wait_for 30 \
    sh -c "[ \$(grep -c 'exa-a): Established' '$tmp/podbgpd.log') -gt $est ]"
check "ExaBGP restarted: the iBGP session comes back" wait_for 30 \
    sh -c "[ \$(grep -c 'exa-ibgp): Established' '$tmp/podbgpd.log') -gt \
    $esti ]"
check "ExaBGP restarted: our IPv4 pod CIDR" wait_for 10 exa_got "$a7"
check "ExaBGP restarted: our IPv6 pod CIDR" wait_for 10 \
    exa_got "$(announced 'ipv6 unicast' fd00:10:244:7::/64)"
check "ExaBGP restarted: podbgpd accepts ExaBGP's route again" \
    wait_for 10 sh -c "[ \$(grep -c \
    'neighbor 192\.0\.2\.1: accepted 10\.96\.0\.0/16' \
    '$tmp/podbgpd.log') -gt $acc ]"

# --- a flood of connections from addresses that are no peers --------
down="m['type'] == 'state' and m['neighbor']['state'] == 'down'"
nd=$(exa_count "$down")
flood "$ns_a" veth0 192.0.2.2 exa-a exa-ibgp
check "ExaBGP's sessions did not go down" [ "$(exa_count "$down")" -eq "$nd" ]

# --- SIGTERM: administrative shutdown with our message ---------------
stop_podbgpd
# ExaBGP 4.2.21 on Python 3 cannot parse a non-empty shutdown
# communication (a bytes % str TypeError in its Notification class; it
# answers with a NOTIFICATION of its own), so the NOTIFICATION is read from
# its raw packet API: Cease (6), Administrative Shutdown (2), length 21,
# "podbgpd shutting down".
check "ExaBGP receives Cease/Administrative Shutdown" wait_for 10 exa_got \
    "m['type'] == 'notification' and \
m['neighbor']['message']['body'].upper().startswith('0X0602')"
check "with our shutdown communication" exa_got \
    "m['type'] == 'notification' and \
m['neighbor']['message']['body'].upper() == '0X060215' + \
b'podbgpd shutting down'.hex().upper()"
check "podbgpd logs no ASan/UBSan report" no_sanitizer_report

finish dump
