#!/bin/sh
# The podbgpd binary as an operator and systemd see it: the command line,
# podbgpd -n on good and bad files, and a running daemon with a
# NOTIFY_SOCKET listener of our own: READY=1, reload on SIGHUP (good and
# broken files), WATCHDOG=1, and an orderly stop on SIGTERM and SIGINT.
# Needs no root and no network; python3 plays the service manager.
# Waits poll with a deadline; only processes started here are signalled.
set -u

podbgpd=${PODBGPD:-$(pwd)/src/podbgpd/podbgpd}
if [ ! -x "$podbgpd" ]; then
	echo "daemon.sh: $podbgpd not built" >&2
	exit 99
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "daemon.sh: python3 not found, skipping" >&2
	exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/podbgp-daemon.XXXXXX") || exit 99
pids=""	# listeners
daemons=""	# names given to start()
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	# a daemon that wrote its exit status is gone: its pid may be reused
	for d in $daemons; do
		[ -f "$tmp/$d.rc" ] || kill "$(cat "$tmp/$d.pid")" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

n=0
fail=0
ok() {
	n=$((n + 1))
}
bad() {
	n=$((n + 1))
	fail=$((fail + 1))
	echo "FAIL: $*"
}
# check DESCRIPTION COMMAND...: counts one check.
check() {
	what=$1
	shift
	if "$@"; then
		ok
	else
		bad "$what"
	fi
}
# wait_for SECONDS COMMAND...: polls COMMAND every 0.1 s until it succeeds.
wait_for() {
	limit=$(($1 * 10))
	shift
	i=0
	until "$@"; do
		i=$((i + 1))
		[ "$i" -ge "$limit" ] && return 1
		sleep 0.1
	done
}
# count FILE REGEX: matching lines in FILE.
count() {
	grep -c -- "$2" "$1" 2>/dev/null || true
}
# not_yet FILE: no READY=1 in FILE.
not_yet() {
	! grep -q '^READY=1' "$1"
}
has_at_least() {
	[ "$(count "$1" "$2")" -ge "$3" ]
}
dump() {
	for f in "$@"; do
		echo "--- $f"
		cat "$f" 2>/dev/null
	done
}

# --- the command line -------------------------------------------------
"$podbgpd" --version >"$tmp/out" 2>"$tmp/err"
check "--version exits 0" [ $? -eq 0 ]
check "--version prints the version" grep -q '^podbgpd [0-9][0-9.]*$' \
    "$tmp/out"

"$podbgpd" --help >"$tmp/out" 2>"$tmp/err"
check "--help exits 0" [ $? -eq 0 ]
check "--help shows the synopsis" grep -q \
    '^usage: podbgpd \[-dnv\] \[-f file\] \[-s socket\]$' "$tmp/out"
check "--help lists --check-config" grep -q -- '-n, --check-config' \
    "$tmp/out"
check "--help names the default file" grep -q \
    'default .*/podbgp/podbgpd.yaml' "$tmp/out"

"$podbgpd" -x >"$tmp/out" 2>"$tmp/err"
check "an unknown option exits 2" [ $? -eq 2 ]
check "an unknown option prints the usage" grep -q '^usage: podbgpd' \
    "$tmp/err"
"$podbgpd" -n stray >"$tmp/out" 2>"$tmp/err"
check "a stray argument exits 2" [ $? -eq 2 ]
check "a stray argument is named" grep -q "unexpected argument 'stray'" \
    "$tmp/err"

# --- podbgpd -n -------------------------------------------------------
good=$tmp/good.yaml
cat >"$good" <<EOF
# no peers, nodes from a static file
nodes:
  source: file
  file: $tmp/nodes.yaml
cluster-cidrs: [10.244.0.0/16]
bgp:
  asn: 64512
  peers: []
control:
  socket: $tmp/podbgpd.ctl
  read-only-socket: $tmp/podbgpd.ro.ctl
log:
  level: info
EOF
broken=$tmp/broken.yaml
cat >"$broken" <<EOF
bgp:
  asn: 64512
  hold-time: 90
  peerz: []
EOF

"$podbgpd" -n -f "$good" >"$tmp/out" 2>"$tmp/err"
check "-n on a good file exits 0" [ $? -eq 0 ]
check "-n alone prints nothing on stdout" [ ! -s "$tmp/out" ]
check "-n says the configuration is OK" grep -q '^configuration OK$' \
    "$tmp/err"

"$podbgpd" --check-config --verbose --config "$good" >"$tmp/out" \
    2>"$tmp/err"
check "-nv exits 0" [ $? -eq 0 ]
check "-nv prints the AS number" grep -q '^  asn: 64512$' "$tmp/out"
check "-nv prints the defaults" grep -q '^  hold-time\|^  table: ' \
    "$tmp/out"
check "-nv prints the nodes file" grep -q "^  file: \"*$tmp/nodes.yaml" \
    "$tmp/out"
cp "$tmp/out" "$tmp/normal.yaml"
"$podbgpd" -n -v -f "$tmp/normal.yaml" >"$tmp/out2" 2>"$tmp/err"
check "-nv output loads again unchanged" cmp -s "$tmp/normal.yaml" \
    "$tmp/out2"

"$podbgpd" -n -v -s /tmp/elsewhere.ctl -f "$good" >"$tmp/out" 2>"$tmp/err"
check "-s is accepted with -n" [ $? -eq 0 ]
check "-s replaces control.socket" grep -q '^  socket: "*/tmp/elsewhere.ctl' \
    "$tmp/out"
"$podbgpd" -n -s relative.ctl -f "$good" >"$tmp/out" 2>"$tmp/err"
check "-s with a relative path exits 1" [ $? -eq 1 ]
check "-s with a relative path says why" grep -q \
    'relative.ctl: not an absolute path' "$tmp/err"

"$podbgpd" -n -f "$broken" >"$tmp/out" 2>"$tmp/err"
check "-n on a broken file exits 1" [ $? -eq 1 ]
check "-n on a broken file prints nothing on stdout" [ ! -s "$tmp/out" ]
check "-n reports every error as file:line:column" [ "$(cat "$tmp/err")" = \
"$broken:3:3: unknown key 'hold-time' in 'bgp' (expected one of: asn, router-id, mesh, graceful-restart, peers)
$broken:4:3: unknown key 'peerz' in 'bgp' (expected one of: asn, router-id, mesh, graceful-restart, peers)" ]

"$podbgpd" -n -f "$tmp/missing.yaml" >"$tmp/out" 2>"$tmp/err"
check "-n on a missing file exits 1" [ $? -eq 1 ]
check "-n on a missing file names it" grep -q \
    "^$tmp/missing.yaml: cannot open: No such file or directory$" "$tmp/err"

"$podbgpd" -d -f "$broken" >"$tmp/out" 2>"$tmp/err" </dev/null
check "starting with a broken file exits 1" [ $? -eq 1 ]
check "starting with a broken file logs file:line:column" grep -q \
    "^warning: $broken:4:3: unknown key 'peerz'" "$tmp/err"
check "starting with a broken file says it does not start" grep -q \
    "^error: $broken: configuration has errors, not starting$" "$tmp/err"

# --- a running daemon -------------------------------------------------
# listen SOCKET LOG: a service manager stand-in; each datagram becomes one
# line of LOG with its newlines turned into spaces. SOCKET may be @name.
listen() {
	python3 -c '
import socket, sys
name = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + name[1:] if name.startswith("@") else name)
log = open(sys.argv[2], "a")
log.write("LISTENING\n")
log.flush()
while True:
    d = s.recv(4096).decode("utf-8", "replace")
    log.write(d.replace("\n", " ") + "\n")
    log.flush()
' "$1" "$2" &
	pids="$pids $!"
	wait_for 10 grep -qs '^LISTENING$' "$2"
}

# start NAME ARGS...: runs podbgpd ARGS in the background with stderr in
# $tmp/NAME.log; its pid lands in $tmp/NAME.pid, its exit status in
# $tmp/NAME.rc when it ends.
start() {
	name=$1
	shift
	(
		sh -c 'echo $$ >"$0.pid"; exec "$@"' "$tmp/$name" \
		    "$podbgpd" "$@" 2>"$tmp/$name.log" </dev/null
		echo $? >"$tmp/$name.rc"
	) &
	daemons="$daemons $name"
	wait_for 10 test -s "$tmp/$name.pid"
}

notify=$tmp/notify.sock
listen "$notify" "$tmp/notify.log" ||
    { echo "daemon.sh: the listener did not start" >&2; exit 99; }
cp "$good" "$tmp/run.yaml"
NOTIFY_SOCKET=$notify WATCHDOG_USEC=200000 start d1 -d -v -f "$tmp/run.yaml"
pid=$(cat "$tmp/d1.pid")

check "READY=1 arrives" wait_for 10 grep -q '^READY=1' "$tmp/notify.log"
check "READY=1 carries a status" grep -q \
    '^READY=1 STATUS=running, 0 peers configured$' "$tmp/notify.log"
check "the start is logged without a timestamp off a tty" grep -q \
    "^info: podbgpd [0-9.]* started with $tmp/run.yaml (0 peers" \
    "$tmp/d1.log"
check "WATCHDOG=1 arrives every WATCHDOG_USEC/2" wait_for 10 \
    has_at_least "$tmp/notify.log" '^WATCHDOG=1$' 3
check "-v logs at debug level" grep -q '^debug: watchdog: pinging every 100000 us$' \
    "$tmp/d1.log"

# A reload that adds a peer (passive: no traffic): reported and applied.
sed 's/^  peers: \[\]$/  peers: [{address: 127.0.0.2, asn: 65001, name: tor-a, passive: true}]/' \
    "$tmp/run.yaml" >"$tmp/run.new" && mv "$tmp/run.new" "$tmp/run.yaml"
kill -HUP "$pid"
check "SIGHUP sends RELOADING=1 with MONOTONIC_USEC" wait_for 10 grep -q \
    '^RELOADING=1 MONOTONIC_USEC=[0-9][0-9]*$' "$tmp/notify.log"
check "then READY=1 again" wait_for 10 has_at_least "$tmp/notify.log" \
    '^READY=1' 2
check "READY=1 follows RELOADING=1" sh -c \
    "grep -v WATCHDOG '$tmp/notify.log' | tail -n 2 | head -n 1 | grep -q '^RELOADING=1'"
check "the new status counts the peer" grep -q \
    '^READY=1 STATUS=running, 1 peers configured$' "$tmp/notify.log"
check "the added peer is logged" grep -q \
    '^info: reload: peer 127.0.0.2 (tor-a) added$' "$tmp/d1.log"
check "the added peer gets its session" grep -q \
    '^info: neighbor 127.0.0.2 (tor-a): peer added$' "$tmp/d1.log"

# A broken file: errors logged with their place, the daemon keeps going.
cp "$tmp/run.yaml" "$tmp/run.good"
printf 'bgp:\n  asn: 64512\n  peerz: []\n' >"$tmp/run.yaml"
kill -HUP "$pid"
check "a broken reload still ends with READY=1" wait_for 10 \
    has_at_least "$tmp/notify.log" '^READY=1' 3
check "a broken reload logs file:line:column" wait_for 10 grep -q \
    "^warning: reload: $tmp/run.yaml:3:3: unknown key 'peerz' in 'bgp'" \
    "$tmp/d1.log"
check "a broken reload keeps the running configuration" grep -q \
    "^warning: reload: $tmp/run.yaml has errors; keeping the running configuration$" \
    "$tmp/d1.log"
check "the daemon survives a broken reload" kill -0 "$pid"
check "the status still counts the peer" sh -c \
    "grep '^READY=1' '$tmp/notify.log' | tail -n 1 | grep -q ', 1 peers configured$'"

# Back to the last good file: no changes, so the broken one was not taken.
cp "$tmp/run.good" "$tmp/run.yaml"
kill -HUP "$pid"
check "a reload of the kept configuration finds no changes" wait_for 10 \
    grep -q '^info: reload: no changes$' "$tmp/d1.log"

kill -TERM "$pid"
check "SIGTERM sends STOPPING=1" wait_for 10 grep -q '^STOPPING=1$' \
    "$tmp/notify.log"
check "SIGTERM stops the daemon within 10 s" wait_for 10 test -s \
    "$tmp/d1.rc"
check "SIGTERM exits 0" [ "$(cat "$tmp/d1.rc" 2>/dev/null)" = 0 ]
check "the stop is logged" grep -q '^info: SIGTERM received, stopping$' \
    "$tmp/d1.log"
[ "$fail" -eq 0 ] || dump "$tmp/d1.log" "$tmp/notify.log"

# READY=1 waits for the sessions: a passive peer that never comes holds
# it back until startup-timeout, and STATUS= says what is awaited.
listen "$tmp/notify3.sock" "$tmp/notify3.log" ||
    { echo "daemon.sh: the listener did not start" >&2; exit 99; }
sed -e 's/^  peers: \[\]$/  peers: [{address: 127.0.0.3, asn: 65001, name: tor-c, passive: true}]/' \
    -e '$a startup-timeout: 2' "$good" >"$tmp/slow.yaml"
t0=$(date +%s)
NOTIFY_SOCKET=$tmp/notify3.sock start d3 -d -f "$tmp/slow.yaml"
pid=$(cat "$tmp/d3.pid")
check "STATUS= says which sessions are awaited" wait_for 10 grep -q \
    '^STATUS=starting: 0 of 1 sessions Established with End-of-RIB$' \
    "$tmp/notify3.log"
check "no READY=1 while the session is down" not_yet "$tmp/notify3.log"
check "READY=1 after startup-timeout" wait_for 10 grep -q '^READY=1' \
    "$tmp/notify3.log"
t1=$(date +%s)
check "not before 2 s ($((t1 - t0)) s)" [ $((t1 - t0)) -ge 2 ]
check "the timeout is logged with what was missing" grep -q \
    '^warning: ready: startup-timeout of 2 s passed, starting: 0 of 1 sessions' \
    "$tmp/d3.log"
kill -TERM "$pid"
check "d3 stops" wait_for 10 test -s "$tmp/d3.rc"

# An abstract socket name, no watchdog, a quieter level, and SIGINT.
abstract="@podbgp-test-$$"
listen "$abstract" "$tmp/notify2.log" ||
    { echo "daemon.sh: the listener did not start" >&2; exit 99; }
sed 's/^  level: info$/  level: warning/' "$good" >"$tmp/quiet.yaml"
NOTIFY_SOCKET=$abstract start d2 -d -f "$tmp/quiet.yaml"
pid=$(cat "$tmp/d2.pid")
check "READY=1 arrives on an abstract socket" wait_for 10 grep -q \
    '^READY=1' "$tmp/notify2.log"
kill -INT "$pid"
check "SIGINT stops the daemon within 10 s" wait_for 10 test -s \
    "$tmp/d2.rc"
check "SIGINT exits 0" [ "$(cat "$tmp/d2.rc" 2>/dev/null)" = 0 ]
check "STOPPING=1 on the abstract socket" grep -q '^STOPPING=1$' \
    "$tmp/notify2.log"
check "no WATCHDOG=1 without WATCHDOG_USEC" [ "$(count "$tmp/notify2.log" \
    '^WATCHDOG')" -eq 0 ]
check "level warning leaves info out" [ "$(count "$tmp/d2.log" '^info:')" \
    -eq 0 ]
check "level warning keeps warnings" grep -q '^warning: ' "$tmp/d2.log"
[ "$fail" -eq 0 ] || dump "$tmp/d2.log" "$tmp/notify2.log"

echo "daemon tests: $n checks, $fail failed"
[ "$fail" -eq 0 ]
