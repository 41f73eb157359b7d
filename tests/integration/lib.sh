# Shared by the interoperability scripts (bird_session.sh, frr_session.sh,
# gobgp_session.sh, exabgp_session.sh): checks, polling with deadlines,
# two network namespaces joined by a veth pair, podbgpd started in one of
# them, the hold timer against a stopped peer, a flood of connections
# from unconfigured addresses, and a cleanup that signals only what the
# script started. Sourced with $me set to the script's name.

podbgpd=${PODBGPD:-$(pwd)/src/podbgpd/podbgpd}

# need_root: automake's skip status unless root.
need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "$me: needs root, skipping" >&2
		exit 77
	fi
	if ! command -v ip >/dev/null 2>&1; then
		echo "$me: ip(8) not found, skipping" >&2
		exit 77
	fi
}
# need_exec PROGRAM...: skips unless every PROGRAM is executable.
need_exec() {
	for p in "$@"; do
		if [ ! -x "$p" ]; then
			echo "$me: $p not found, skipping" >&2
			exit 77
		fi
	done
}
need_podbgpd() {
	if [ ! -x "$podbgpd" ]; then
		echo "$me: $podbgpd not built, skipping" >&2
		exit 77
	fi
}

pids=""		# processes started here, killed at exit
namespaces=""	# namespaces made here, deleted at exit
tmp=""
n=0
fail=0

# started PID: remember PID for the cleanup.
started() {
	pids="$pids $1"
}
# forget PID: it was reaped already.
forget() {
	p2=""
	for p in $pids; do
		[ "$p" = "$1" ] || p2="$p2 $p"
	done
	pids=$p2
}
cleanup() {
	for p in $pids; do
		kill -CONT "$p" 2>/dev/null
		kill "$p" 2>/dev/null
	done
	for p in $pids; do
		wait "$p" 2>/dev/null
	done
	for ns in $namespaces; do
		ip netns del "$ns" 2>/dev/null
	done
	[ -n "$tmp" ] && [ -z "${KEEP:-}" ] && rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

ok() {
	n=$((n + 1))
}
bad() {
	n=$((n + 1))
	fail=$((fail + 1))
	echo "FAIL: $*"
}
check() {
	what=$1
	shift
	if "$@"; then
		ok
	else
		bad "$what"
	fi
}
# wait_for SECONDS COMMAND...: polls COMMAND every 0.2 s until it succeeds.
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
# not COMMAND...: COMMAND fails (for check and wait_for).
not() {
	! "$@"
}

# make_tmp TAG: the run's temporary directory in $tmp.
make_tmp() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/podbgp-$1.XXXXXX") || exit 99
	chmod 755 "$tmp"
}

# make_pair NS_A NS_B: two namespaces joined by veth0 (NS_A, 192.0.2.1,
# 2001:db8::1) and veth1 (NS_B, 192.0.2.2, 2001:db8::2).
make_pair() {
	ip netns add "$1" || exit 99
	namespaces="$namespaces $1"
	ip netns add "$2" || exit 99
	namespaces="$namespaces $2"
	ip -n "$1" link add veth0 type veth peer name veth1 netns "$2" ||
	    exit 99
	for ns in "$1" "$2"; do
		ip -n "$ns" link set lo up
	done
	ip -n "$1" addr add 192.0.2.1/24 dev veth0
	ip -n "$1" addr add 2001:db8::1/64 dev veth0 nodad
	ip -n "$2" addr add 192.0.2.2/24 dev veth1
	ip -n "$2" addr add 2001:db8::2/64 dev veth1 nodad
	ip -n "$1" link set veth0 up
	ip -n "$2" link set veth1 up
	# the link-local addresses come with the link; wait until usable
	for ns in "$1:veth0" "$2:veth1"; do
		wait_for 10 sh -c "ip -n ${ns%:*} -6 addr show dev ${ns#*:} \
		    scope link | grep -q fe80 && ! ip -n ${ns%:*} -6 addr \
		    show dev ${ns#*:} | grep -q tentative"
	done
}

# start_podbgpd NS: runs podbgpd on $tmp/podbgpd.yaml in NS, its log in
# $tmp/podbgpd.log; the pid in $pod_pid.
start_podbgpd() {
	ip netns exec "$1" "$podbgpd" -d -f "$tmp/podbgpd.yaml" \
	    >>"$tmp/podbgpd.log" 2>&1 &
	pod_pid=$!
	started "$pod_pid"
}
# stop_podbgpd: SIGTERM, checks it exits 0 within 10 s.
stop_podbgpd() {
	kill -TERM "$pod_pid"
	reap_podbgpd
}
# reap_podbgpd: after a SIGTERM, checks it exits 0 within 10 s.
reap_podbgpd() {
	check "podbgpd exits after SIGTERM" wait_for 10 \
	    not kill -0 "$pod_pid"
	wait "$pod_pid"
	check "podbgpd exits 0" [ $? -eq 0 ]
	forget "$pod_pid"
	pod_pid=""
}
log_has() {
	grep -Eq -- "$1" "$tmp/podbgpd.log"
}
# log_count REGEX: how many lines of podbgpd's log match.
log_count() {
	grep -Ec -- "$1" "$tmp/podbgpd.log"
}
no_sanitizer_report() {
	! grep -Eq 'runtime error|AddressSanitizer|LeakSanitizer' \
	    "$tmp/podbgpd.log"
}

# est_count NAME: how many times podbgpd logged peer NAME Established.
est_count() {
	log_count "\\($1\\): Established$"
}

# hold_expiry NAME PID HOLD: stops the peer's process PID so that it
# sends no more KEEPALIVEs; podbgpd must log the hold timer of its
# session NAME expiring after about HOLD seconds (the last KEEPALIVE came
# up to a third of HOLD before the stop). PID is continued after.
hold_expiry() {
	he0=$(log_count "\\($1\\): sent NOTIFICATION hold timer expired")
	kill -STOP "$2"
	het=$(date +%s)
	check "$1: podbgpd detects the hold timer expiring" \
	    wait_for $(($3 + 10)) sh -c "[ \$(grep -Ec '\\($1\\): sent \
NOTIFICATION hold timer expired' '$tmp/podbgpd.log') -gt $he0 ]"
	hel=$(($(date +%s) - het))
	check "$1: within the $3 s hold time and a margin (took $hel s)" \
	    [ "$hel" -ge $(($3 / 2)) -a "$hel" -le $(($3 + 4)) ]
	kill -CONT "$2"
}

# flood NS DEV DST NAME...: 200 TCP connections to podbgpd's BGP port at
# DST, 50 from each of 192.0.2.96 to .99, addresses of no peer, added to
# DEV in the peer's namespace NS for the time. podbgpd must answer every
# one (no attempt times out), log the refusals rate-limited, keep no
# descriptor of them, and not restart its sessions NAME... How the peer
# sees its sessions is the caller's to check.
flood() {
	fns=$1
	fdev=$2
	fdst=$3
	shift 3
	for a in 96 97 98 99; do
		ip -n "$fns" addr add "192.0.2.$a/24" dev "$fdev"
	done
	fest=""
	for nm in "$@"; do
		fest="$fest$(est_count "$nm") "
	done
	nfd=$(ls "/proc/$pod_pid/fd" | wc -l)
	nrej0=$(log_count 'connection from 192\.0\.2\.9[6-9] refused')
	ip netns exec "$fns" python3 -c '
import socket, sys
res = [0, 0, 0]
for i in range(200):
	s = socket.socket()
	s.settimeout(3)
	s.bind(("192.0.2.%d" % (96 + i % 4), 0))
	try:
		s.connect((sys.argv[1], 179))
		res[0] += 1
	except socket.timeout:
		res[2] += 1
	except OSError:
		res[1] += 1
	s.close()
print("%d %d %d" % tuple(res))' "$fdst" >"$tmp/flood.out" 2>&1
	read -r fcon fref fto <"$tmp/flood.out"
	check "flood: 200 connections answered (connected ${fcon:-?}, \
refused ${fref:-?}, timed out ${fto:-?})" \
	    [ "${fto:-1}" = 0 -a $((${fcon:-0} + ${fref:-0})) -eq 200 ]
	for nm in "$@"; do
		fe=${fest%% *}
		fest=${fest#* }
		check "flood: podbgpd's session $nm did not restart" \
		    [ "$(est_count "$nm")" -eq "$fe" ]
	done
	check "flood: podbgpd keeps no descriptor of it" wait_for 5 \
	    sh -c "[ \$(ls /proc/$pod_pid/fd | wc -l) -le $nfd ]"
	nrej=$(($(log_count 'connection from 192\.0\.2\.9[6-9] refused') - \
	    nrej0))
	check "flood: podbgpd logs the refusals" [ "$nrej" -ge 1 ]
	check "flood: rate-limited ($nrej lines for 200 attempts)" \
	    [ "$nrej" -le 20 ]
	for a in 96 97 98 99; do
		ip -n "$fns" addr del "192.0.2.$a/24" dev "$fdev"
	done
}

# pod_path PREFIX FROM PYEXPR: podbgpd's Loc-RIB (podbgpctl -j show route
# all, on $tmp/podbgpd.ro.ctl through $ctl) has a path p to PREFIX from
# session FROM for which PYEXPR holds.
pod_path() {
	"$ctl" -s "$tmp/podbgpd.ro.ctl" -j show route all "$1" 2>/dev/null |
	    python3 -c '
import json, sys
try:
	j = json.load(sys.stdin)
	sys.exit(0 if any(p["from"] == sys.argv[1] and eval(sys.argv[2])
	    for r in j["routes"] for p in r["paths"]) else 1)
except Exception:
	sys.exit(1)' "$2" "$3"
}
# pod_lacks PREFIX [FROM]: podbgpd answers, and has no path to PREFIX
# (from session FROM, if given).
pod_lacks() {
	"$ctl" -s "$tmp/podbgpd.ro.ctl" -j show route all "$1" 2>/dev/null |
	    python3 -c '
import json, sys
try:
	j = json.load(sys.stdin)
	sys.exit(1 if any(len(sys.argv) < 2 or p["from"] == sys.argv[1]
	    for r in j["routes"] for p in r["paths"]) else 0)
except Exception:
	sys.exit(1)' ${2:+"$2"}
}

# finish DUMP-FUNCTION: the summary line and the exit status; on failure
# DUMP-FUNCTION prints the logs.
finish() {
	if [ "$fail" -ne 0 ]; then
		echo "--- podbgpd log (last 60 lines)"
		tail -n 60 "$tmp/podbgpd.log"
		"$1"
		echo "$me: $fail of $n checks failed"
		exit 1
	fi
	echo "$me: $n checks passed"
	exit 0
}
