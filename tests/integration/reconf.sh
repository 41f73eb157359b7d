#!/bin/sh
# Operating podbgpd against BIRD 2, as an operator and systemd see it:
# READY=1 only once every session is Established with End-of-RIB (our
# own NOTIFY_SOCKET listener); a reload that adds, removes, changes and
# re-filters peers while the untouched session keeps running on BIRD's
# side (its "since" does not move, no NOTIFICATION) and its routes stay
# in the kernel; an import filter applied in place (route refresh, no
# reset); configure check and a refused bad file; disable, enable,
# restart; down --flush taking the routes out of the kernel and the
# graceful-restart state file away, and a plain down leaving both.
# Needs root (CI runs as root), ip(8) and /usr/sbin/bird; exits 77
# otherwise. Every wait polls with a deadline; only processes started here
# are signalled, only namespaces made here are deleted. KEEP=1 keeps $tmp.
set -u
me=reconf.sh
srcdir=${srcdir:-$(dirname "$0")/../..}
. "$srcdir/tests/integration/lib.sh"

bird=${BIRD:-/usr/sbin/bird}
birdc=${BIRDC:-/usr/sbin/birdc}
ctl=${PODBGPCTL:-$(pwd)/src/podbgpctl/podbgpctl}
need_root
need_exec "$bird" "$birdc" "$ctl"
need_podbgpd
if ! command -v python3 >/dev/null 2>&1; then
	echo "$me: python3 not found, skipping" >&2
	exit 77
fi

ns_a=prc$$-a	# BIRD
ns_b=prc$$-b	# podbgpd
make_tmp reconf
make_pair "$ns_a" "$ns_b"
# one address pair per session: .1/.2 (a), .4/.12 (b), .5/.13 (c),
# .6/.14 (d), .7/.15 (p)
for x in 4 5 6 7; do
	ip -n "$ns_a" addr add 192.0.2.$x/24 dev veth0
done
for x in 12 13 14 15; do
	ip -n "$ns_b" addr add 192.0.2.$x/24 dev veth1
done

birdc_a() {
	ip netns exec "$ns_a" "$birdc" -s "$tmp/bird.ctl" "$@"
}
bird_has() {
	re=$1
	shift
	birdc_a "$@" 2>/dev/null | grep -Eq -- "$re"
}
# since NAME: when BIRD's session NAME last changed state.
since() {
	birdc_a show protocols "$1" 2>/dev/null | awk '$2 == "BGP" {
	    print $4, $5 }'
}
admin() {
	"$ctl" -s "$tmp/podbgpd.ctl" "$@"
}
kroutes() {
	ip -n "$ns_b" route show proto 196
}
dump() {
	echo "--- bird log"
	tail -n 40 "$tmp/bird.log" 2>/dev/null
	echo "--- birdc show protocols"
	birdc_a show protocols 2>&1
	echo "--- notify log"
	cat "$tmp/notify.log"
}

# --- BIRD (AS 65001) ---------------------------------------------------
cat >"$tmp/bird.conf" <<EOF
log "$tmp/bird.log" all;
router id 192.0.2.1;
protocol device { }
protocol static s96 { ipv4; route 10.96.0.0/16 blackhole; }
protocol static s97 { ipv4; route 10.97.0.0/16 blackhole; }
template bgp t {
	connect delay time 1;
	connect retry time 2;
	error wait time 1, 4;
	ipv4 { import all; export none; };
}
protocol bgp pa from t {
	local 192.0.2.1 as 65001;
	neighbor 192.0.2.2 as 65000;
	ipv4 { import all; export where proto = "s96"; };
}
protocol bgp pb from t { local 192.0.2.4 as 65001; neighbor 192.0.2.12 as 65000; }
protocol bgp pc from t { local 192.0.2.5 as 65001; neighbor 192.0.2.13 as 65000; }
protocol bgp pd from t { local 192.0.2.6 as 65001; neighbor 192.0.2.14 as 65000; }
protocol bgp pp from t {
	local 192.0.2.7 as 65001;
	neighbor 192.0.2.15 as 65000;
	ipv4 { import all; export where proto = "s97"; };
}
EOF
ip netns exec "$ns_a" "$bird" -f -c "$tmp/bird.conf" -s "$tmp/bird.ctl" \
    >>"$tmp/bird.out" 2>&1 &
started $!
if ! wait_for 10 birdc_a show status; then
	echo "bird did not start"
	cat "$tmp/bird.out"
	exit 99
fi

# --- podbgpd (AS 65000) ------------------------------------------------
cat >"$tmp/nodes.yaml" <<EOF
nodes:
  - name: node-b
    pod-cidrs: [10.244.1.0/24]
    addresses: [192.0.2.2]
EOF
# conf HOLD-B PP-IMPORT PEER-C-OR-D PP-COMMUNITIES: podbgpd.yaml on stdout
conf() {
	cat <<EOF
node-name: node-b
nodes:
  source: file
  file: $tmp/nodes.yaml
cluster-cidrs: [${cluster:-10.0.0.0/8}]
bgp:
  asn: 65000
  router-id: 192.0.2.2
  peers:
    - {address: 192.0.2.1, asn: 65001, name: bird-a}
    - {address: 192.0.2.4, asn: 65001, name: bird-b, local-address: 192.0.2.12, hold-time: $1}
    - address: 192.0.2.7
      asn: 65001
      name: bird-p
      local-address: 192.0.2.15
      import: {rules: [{prefix: 10.97.0.0/16, action: $2}]}
      communities: $4
    - $3
control:
  socket: $tmp/podbgpd.ctl
  read-only-socket: $tmp/podbgpd.ro.ctl
log:
  level: debug
startup-timeout: 30
EOF
}
peer_c='{address: 192.0.2.5, asn: 65001, name: bird-c, local-address: 192.0.2.13}'
peer_d='{address: 192.0.2.6, asn: 65001, name: bird-d, local-address: 192.0.2.14}'
conf 90 accept "$peer_c" '[]' >"$tmp/podbgpd.yaml"

# the service manager stand-in: one line per datagram
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
log = open(sys.argv[2], "a")
log.write("LISTENING\n")
log.flush()
while True:
    d = s.recv(4096).decode("utf-8", "replace")
    log.write(d.replace("\n", " ") + "\n")
    log.flush()
' "$tmp/notify.sock" "$tmp/notify.log" &
started $!
wait_for 10 grep -qs '^LISTENING$' "$tmp/notify.log" || exit 99
NOTIFY_SOCKET=$tmp/notify.sock ip netns exec "$ns_b" "$podbgpd" -d \
    -f "$tmp/podbgpd.yaml" >>"$tmp/podbgpd.log" 2>&1 &
pod_pid=$!
started "$pod_pid"

# --- READY=1 means converged --------------------------------------------
check "READY=1 arrives" wait_for 30 grep -q '^READY=1' "$tmp/notify.log"
check "STATUS= told what was awaited before" grep -Eq \
    '^STATUS=starting: [0-3] of 4 sessions Established with End-of-RIB$' \
    "$tmp/notify.log"
check "READY=1 came once all four were up" log_has \
    '^info: ready: 4 sessions Established with End-of-RIB$'
for p in a b c p; do
	check "bird-$p Established before READY" sh -c "sed -n \
'1,/ready: 4 sessions/p' '$tmp/podbgpd.log' | grep -q '(bird-$p): Established'"
done
check "the kernel has BIRD's 10.96.0.0/16" wait_for 10 sh -c \
    "ip -n $ns_b route show proto 196 | grep -q '^10\.96\.0\.0/16 via 192\.0\.2\.1'"
check "the kernel has BIRD's 10.97.0.0/16" wait_for 10 sh -c \
    "ip -n $ns_b route show proto 196 | grep -q '^10\.97\.0\.0/16 via 192\.0\.2\.7'"
# both sessions whose "since" is compared later must be up before it is
# read (under load pp could still be coming up: seen once in CI)
wait_for 10 bird_has 'pa +BGP .* up .*Established' show protocols pa
wait_for 10 bird_has 'pp +BGP .* up .*Established' show protocols pp
sleep 1	# BIRD's "since" has a one-second resolution
since_a=$(since pa)
since_p=$(since pp)

check "BIRD's pp has our pod CIDR, no community yet" wait_for 10 sh -c \
    "ip netns exec $ns_a $birdc -s $tmp/bird.ctl show route for 10.244.1.0/24 all protocol pp | grep -q 'BGP.as_path: 65000' &&
    ! ip netns exec $ns_a $birdc -s $tmp/bird.ctl show route for 10.244.1.0/24 all protocol pp | grep -q 'BGP.community'"

# --- SIGHUP: b changed (hold time), c removed, d added, p re-filtered ---
# (p: a new import filter and a community on what it is sent)
conf 30 reject "$peer_d" "['65000:7']" >"$tmp/podbgpd.yaml"
kill -HUP "$pod_pid"
check "the reload sends RELOADING=1 and READY=1 again" wait_for 10 sh -c \
    "grep -v WATCHDOG '$tmp/notify.log' | tail -n 1 | grep -q '^READY=1'"
check "reload: done" wait_for 10 log_has '^info: reload: done$'
check "bird-c gets Cease / Peer De-configured" wait_for 10 bird_has \
    'Received: Peer de-configured' show protocols all pc
check "bird-d comes up" wait_for 20 log_has '\(bird-d\): Established$'
check "BIRD sees pd Established" wait_for 10 bird_has \
    'pd +BGP .* up .*Established' show protocols pd
check "bird-b restarts with Other Configuration Change" log_has \
    '\(bird-b\): sent NOTIFICATION cease, other configuration change'
check "bird-b comes up again" wait_for 20 sh -c \
    "[ \$(grep -c '(bird-b): Established$' '$tmp/podbgpd.log') -eq 2 ]"
check "bird-b runs with the new hold time" wait_for 10 sh -c \
    "'$ctl' -s '$tmp/podbgpd.ctl' show protocols all bird-b | grep -q 'configured 30 s'"
check "bird-p: 10.97.0.0/16 leaves the RIB" wait_for 10 sh -c \
    "! '$ctl' -s '$tmp/podbgpd.ctl' show route 10.97.0.0/16 | grep -q 10.97"
check "and the kernel" wait_for 10 sh -c \
    "! ip -n $ns_b route show proto 196 | grep -q '^10\.97\.'"
check "bird-p's new import filter needed no reset" [ "$(est_count bird-p)" -eq 1 ]
check "BIRD's pp gets our pod CIDR again with the community" wait_for 10 \
    bird_has 'BGP.community: \(65000,7\)' show route for 10.244.1.0/24 all \
    protocol pp
check "bird-p's new communities needed no reset either" \
    [ "$(est_count bird-p)" -eq 1 ]
check "BIRD's pp session did not move" [ "$(since pp)" = "$since_p" ]
check "bird-a untouched: one Established in our log" \
    [ "$(est_count bird-a)" -eq 1 ]
check "bird-a untouched: no NOTIFICATION either way" not log_has \
    '\(bird-a\): (sent|received) NOTIFICATION'
check "bird-a untouched: BIRD's since did not move" \
    [ "$(since pa)" = "$since_a" ]
check "bird-a's route stayed in the kernel" sh -c \
    "ip -n $ns_b route show proto 196 | grep -q '^10\.96\.0\.0/16 via 192\.0\.2\.1'"

# --- configure through the socket: the import filter back ---------------
conf 30 accept "$peer_d" "['65000:7']" >"$tmp/podbgpd.yaml"
admin configure >"$tmp/out" 2>&1
check "configure applies it in place" grep -qx \
    'reconfigured: 0 peers added, 0 removed, 0 restarted, 1 changed in place' \
    "$tmp/out"
check "route refresh brings 10.97.0.0/16 back" wait_for 10 sh -c \
    "ip -n $ns_b route show proto 196 | grep -q '^10\.97\.0\.0/16 via 192\.0\.2\.7'"
check "still without a reset" [ "$(est_count bird-p)" -eq 1 ]
check "BIRD's pp still did not move" [ "$(since pp)" = "$since_p" ]

printf 'bgp:\n  asn: 65000\n  peers:\n    - {address: 192.0.2.1}\n' \
    >"$tmp/bad.yaml"
admin configure check "$tmp/bad.yaml" >"$tmp/out" 2>"$tmp/err"
check "configure check of a bad file exits 1" [ $? -eq 1 ]
check "and gives file:line:column" grep -Eq \
    "^podbgpctl: $tmp/bad.yaml:4:7: .*asn" "$tmp/err"
admin configure "$tmp/bad.yaml" >"$tmp/out" 2>"$tmp/err"
check "configure of a bad file is refused" [ $? -eq 1 ]
check "every session stays" sh -c \
    "[ \$('$ctl' -s '$tmp/podbgpd.ctl' show protocols | grep -c ' Established ') -eq 4 ]"

# new cluster-cidrs: the routes they no longer allow go, a route refresh
# brings them back when allowed again, and no session restarts
cluster=10.97.0.0/16 conf 30 accept "$peer_d" "['65000:7']" \
    >"$tmp/podbgpd.yaml"
admin configure >/dev/null 2>&1
check "narrower cluster-cidrs: bird-a's 10.96.0.0/16 leaves the kernel" \
    wait_for 10 sh -c \
    "! ip -n $ns_b route show proto 196 | grep -q '^10\.96\.'"
conf 30 accept "$peer_d" "['65000:7']" >"$tmp/podbgpd.yaml"
admin configure >/dev/null 2>&1
check "wider again: a route refresh brings it back" wait_for 10 sh -c \
    "ip -n $ns_b route show proto 196 | grep -q '^10\.96\.0\.0/16'"
check "bird-a was not restarted for it" [ "$(est_count bird-a)" -eq 1 ]
check "BIRD's pa did not move" [ "$(since pa)" = "$since_a" ]

# --- disable, enable, restart -------------------------------------------
admin disable bird-a >"$tmp/out" 2>&1
check "disable bird-a" grep -qx 'bird-a: disabled' "$tmp/out"
check "BIRD hears Administrative Shutdown with our message" wait_for 10 \
    grep -q 'pa: Received: Administrative shutdown: "disabled by the operator"' \
    "$tmp/bird.log"
check "bird-a's route leaves the kernel" wait_for 10 sh -c \
    "! ip -n $ns_b route show proto 196 | grep -q '^10\.96\.'"
check "bird-a stays down (BIRD retries are refused)" sh -c \
    "sleep 3; '$ctl' -s '$tmp/podbgpd.ctl' show protocols bird-a | grep -q ' Disabled '"
admin enable bird-a >"$tmp/out" 2>&1
check "enable bird-a" grep -qx 'bird-a: enabled' "$tmp/out"
check "bird-a comes back" wait_for 20 sh -c \
    "[ \$(grep -c '(bird-a): Established$' '$tmp/podbgpd.log') -eq 2 ]"
check "and its route" wait_for 10 sh -c \
    "ip -n $ns_b route show proto 196 | grep -q '^10\.96\.0\.0/16'"
since_d=$(since pd)
sleep 1
admin restart 192.0.2.6 >"$tmp/out" 2>&1
check "restart by address" grep -qx '192.0.2.6: restarted' "$tmp/out"
check "we send Administrative Reset" log_has \
    '\(bird-d\): sent NOTIFICATION cease, administrative reset'
check "BIRD's pd session restarted" wait_for 20 sh -c \
    "[ \"\$(ip netns exec $ns_a $birdc -s $tmp/bird.ctl show protocols pd | awk '\$2 == \"BGP\" { print \$4, \$5 }')\" != '$since_d' ]"
check "bird-d comes up again" wait_for 20 sh -c \
    "[ \$(grep -c '(bird-d): Established$' '$tmp/podbgpd.log') -eq 2 ]"

# --- down --flush and down ----------------------------------------------
check "the state file is there while running" test -f "$tmp/podbgpd.state"
admin down --flush >"$tmp/out" 2>&1
check "down --flush answers first" grep -qx \
    "stopping; podbgp's routes leave the kernel" "$tmp/out"
reap_podbgpd
check "down --flush: no route of ours left in the kernel" \
    [ -z "$(kroutes)" ]
check "down --flush: no state file, the next start is no restart" \
    not test -e "$tmp/podbgpd.state"
check "BIRD hears our shutdown" wait_for 10 bird_has \
    'Received: Administrative shutdown' show protocols all pb

ip netns exec "$ns_b" "$podbgpd" -d -f "$tmp/podbgpd.yaml" \
    >>"$tmp/podbgpd.log" 2>&1 &
pod_pid=$!
started "$pod_pid"
check "started again: routes in the kernel" wait_for 30 sh -c \
    "ip -n $ns_b route show proto 196 | grep -q '^10\.96\.0\.0/16'"
admin down >"$tmp/out" 2>&1
check "down answers" grep -qx 'stopping' "$tmp/out"
reap_podbgpd
check "down: the routes stay in the kernel" sh -c \
    "ip -n $ns_b route show proto 196 | grep -q '^10\.96\.0\.0/16'"
check "down: the state file stays for a graceful restart" \
    test -f "$tmp/podbgpd.state"
check "no sanitizer report" no_sanitizer_report
finish dump
