#!/bin/sh
# A million IPv4 prefixes into podbgpd, then into BIRD 2, from
# tests/bench/feeder in a network namespace of its own. Prints, for each:
# the time from the feeder's first UPDATE byte until every prefix is in
# the RIB, peak RSS and bytes per route; for podbgpd also the time until
# a second peer (a feeder with -R, which podbgpd's export rule sends the
# feed to) has received every prefix; then the ratios BIRD/podbgpd.
# Figures only: a benchmark never passes or fails on time.
#
# podbgpd: its log (stderr, no timestamps when not a tty) goes through a
# python3 reader that stamps each line with time.time_ns() as it arrives;
# the feed is in when the "End-of-RIB for IPv4 unicast: N prefixes" line
# comes (podbgpd handles messages in order, so every UPDATE before the
# End-of-RIB is in its RIB then). BIRD: `birdc show route count` polled
# every 50 ms (plus the time birdc takes), the time of the first answer
# showing all N. Namespaces share CLOCK_REALTIME with the feeder, which
# prints when it writes its first UPDATE byte.
#
# podbgpd connects to the feeder (which listens: podbgpd refuses incoming
# connections while Idle); the feeder connects to BIRD (passive). The feeds
# run one after the other so the two daemons do not share the CPUs. The
# second peer listens at 192.0.2.3 in the feeder's namespace and prints
# when its count reaches the feed's.
#
#   bench_feed.sh [-n prefixes] [-x]
#
# -x offers extended messages (RFC 8654; podbgpd takes them, BIRD as set
# up here does not). podbgpd runs with fib.install false, as BIRD runs
# without a kernel protocol: the BGP side alone (make bench-fib measures
# the kernel's). Environment: BENCH_FIB=1 lets podbgpd install the feed
# in its namespace's kernel meanwhile, BENCH_PERF=1 profiles podbgpd with
# perf(1) during the feed, BENCH_KEEP=1 keeps the logs, BENCH_LOG_LEVEL
# sets podbgpd's (info; debug logs every prefix and slows it down).
#
# Needs root, ip(8), python3; BIRD (/usr/sbin/bird) is optional. Only
# processes started here are signalled, only namespaces made here deleted.
set -u
me=bench_feed.sh
# wait_for, die
. "$(dirname "$0")/lib.sh"

podbgpd=${PODBGPD:-$(pwd)/src/podbgpd/podbgpd}
feeder=${FEEDER:-$(pwd)/tests/bench/feeder}
bird=${BIRD:-/usr/sbin/bird}
birdc=${BIRDC:-/usr/sbin/birdc}
n=1000000
ext=""
while getopts n:x o; do
	case $o in
	n) n=$OPTARG ;;
	x) ext=-x ;;
	*) echo "usage: bench_feed.sh [-n prefixes] [-x]" >&2; exit 2 ;;
	esac
done

if [ "$(id -u)" -ne 0 ]; then
	echo "bench_feed.sh: needs root" >&2
	exit 77
fi
for p in "$podbgpd" "$feeder"; do
	if [ ! -x "$p" ]; then
		echo "bench_feed.sh: $p not built" >&2
		exit 99
	fi
done
if ! command -v ip >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1
then
	echo "bench_feed.sh: needs ip(8) and python3" >&2
	exit 77
fi
have_bird=1
[ -x "$bird" ] && [ -x "$birdc" ] || have_bird=0

ns_f=pbf$$-f	# feeder
ns_p=pbf$$-p	# podbgpd
ns_b=pbf$$-b	# BIRD
tmp=$(mktemp -d "${TMPDIR:-/tmp}/podbgp-feed.XXXXXX") || exit 99
pod_pid=""
sink_pid=""
stamp_pid=""
bird_pid=""
feed_pid=""
perf_pid=""
cleanup() {
	for p in $perf_pid $feed_pid $sink_pid $pod_pid $bird_pid; do
		kill "$p" 2>/dev/null
	done
	for p in $perf_pid $feed_pid $sink_pid $pod_pid $bird_pid \
	    $stamp_pid; do
		wait "$p" 2>/dev/null
	done
	for ns in "$ns_f" "$ns_p" "$ns_b"; do
		ip netns del "$ns" 2>/dev/null
	done
	if [ -n "${BENCH_KEEP:-}" ]; then
		echo "bench_feed: logs kept in $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# kB of field F (VmRSS, VmHWM) of process P
vm() {
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}
# CPU seconds (user + system) of process P so far
cpu() {
	awk -v hz="$(getconf CLK_TCK)" '{
		sub(/^.*\) /, "");	# the command name may hold spaces
		printf "%.2f\n", ($12 + $13) / hz }' "/proc/$1/stat"
}
ms() {
	echo "$1 $2" | awk '{ printf "%.1f", ($2 - $1) / 1e6 }'
}

# --- the network: the feeder's namespace reaches both others ----------
for ns in "$ns_f" "$ns_p" "$ns_b"; do
	ip netns add "$ns" || exit 99
	ip -n "$ns" link set lo up
done
ip -n "$ns_f" link add fp type veth peer name fp netns "$ns_p" || exit 99
ip -n "$ns_f" link add fb type veth peer name fb netns "$ns_b" || exit 99
ip -n "$ns_f" addr add 192.0.2.1/24 dev fp
ip -n "$ns_f" addr add 192.0.2.3/24 dev fp
ip -n "$ns_p" addr add 192.0.2.2/24 dev fp
ip -n "$ns_f" addr add 198.51.100.1/24 dev fb
ip -n "$ns_b" addr add 198.51.100.2/24 dev fb
for ns in "$ns_f" "$ns_p"; do
	ip -n "$ns" link set fp up
done
for ns in "$ns_f" "$ns_b"; do
	ip -n "$ns" link set fb up
done

# the feed: n /24s from 32.0.0.0 (32.0.0.0/3 holds 2^21 of them)
[ "$n" -ge 1 ] && [ "$n" -le 2097152 ] || die "-n from 1 to 2097152"

echo "bench_feed: $n IPv4 /24s from 32.0.0.0, $(nproc) CPUs," \
    "$(uname -r); podbgpd installs in the kernel:" \
    "$([ -n "${BENCH_FIB:-}" ] && echo yes || echo no)"

# --- podbgpd -----------------------------------------------------------
cat >"$tmp/nodes.yaml" <<EOF
nodes:
  - name: node-p
    pod-cidrs: [10.244.1.0/24]
    addresses: [192.0.2.2]
EOF
cat >"$tmp/podbgpd.yaml" <<EOF
node-name: node-p
nodes:
  source: file
  file: $tmp/nodes.yaml
cluster-cidrs: [32.0.0.0/3]
fib:
  install: $([ -n "${BENCH_FIB:-}" ] && echo true || echo false)
bgp:
  asn: 65000
  router-id: 192.0.2.2
  peers:
    - address: 192.0.2.1
      asn: 65100
      name: feeder
    - address: 192.0.2.3
      asn: 65200
      name: second
      export:
        rules:
          - {prefix: 32.0.0.0/3, ge: 24, le: 24, action: accept}
control:
  socket: $tmp/podbgpd.ctl
  read-only-socket: $tmp/podbgpd.ro.ctl
log:
  level: ${BENCH_LOG_LEVEL:-info}
EOF
cat >"$tmp/stamp.py" <<'EOF'
import sys, time
out = sys.stdout
for line in sys.stdin.buffer:
    out.write("%d %s" % (time.time_ns(), line.decode(errors="replace")))
    out.flush()
EOF
mkfifo "$tmp/pod.fifo" || exit 99
python3 -u "$tmp/stamp.py" <"$tmp/pod.fifo" >"$tmp/podbgpd.log" &
stamp_pid=$!
ip netns exec "$ns_p" "$podbgpd" -d -f "$tmp/podbgpd.yaml" \
    >"$tmp/pod.fifo" 2>&1 &
pod_pid=$!
sleep 1
kill -0 "$pod_pid" 2>/dev/null || die "podbgpd did not start"
pod_rss0=$(vm "$pod_pid" VmRSS)
pod_cpu0=$(cpu "$pod_pid")

if [ -n "${BENCH_PERF:-}" ]; then
	# a CPU profile of podbgpd during the feed (software clock: this
	# machine class has no hardware counters)
	perf record -q -e cpu-clock -F 4000 -g -p "$pod_pid" \
	    -o "$tmp/perf.data" >"$tmp/perf.out" 2>&1 &
	perf_pid=$!
	sleep 0.5
fi
# podbgpd refuses connections while Idle, so it is the one to connect
ip netns exec "$ns_f" "$feeder" -L -R -b 192.0.2.3 -a 192.0.2.2 -l 65200 \
    -r 65000 -n "$n" $ext >"$tmp/sink.out" 2>&1 &
sink_pid=$!
wait_for 60 grep -q '^established' "$tmp/sink.out" ||
    die "no session between podbgpd and the second peer"
ip netns exec "$ns_f" "$feeder" -L -b 192.0.2.1 -a 192.0.2.2 -l 65100 -r 65000 \
    -n "$n" $ext >"$tmp/feed-pod.out" 2>&1 &
feed_pid=$!
wait_for 60 grep -q '^established' "$tmp/feed-pod.out" ||
    die "no session between the feeder and podbgpd"
wait_for 120 grep -q 'End-of-RIB for IPv4 unicast' "$tmp/podbgpd.log" ||
    die "podbgpd logged no End-of-RIB within 120 s"
wait_for 10 grep -q '^pushed' "$tmp/feed-pod.out"
wait_for 120 grep -q '^received' "$tmp/sink.out" ||
    die "the second peer did not receive $n prefixes within 120 s"
pod_hwm=$(vm "$pod_pid" VmHWM)
pod_rss=$(vm "$pod_pid" VmRSS)
pod_cpu1=$(cpu "$pod_pid")
t0=$(sed -n 's/^first_update_ns=//p' "$tmp/feed-pod.out")
eor=$(grep 'End-of-RIB for IPv4 unicast' "$tmp/podbgpd.log" | head -1)
t1=${eor%% *}
pod_n=$(echo "$eor" | sed -n 's/.*unicast: \([0-9]*\) prefixes.*/\1/p')
push_s=$(sed -n 's/^pushed .*seconds=//p' "$tmp/feed-pod.out")
pushed=$(sed -n 's/^pushed //p' "$tmp/feed-pod.out")
pod_ms=$(ms "$t0" "$t1")
t2=$(sed -n 's/^received .*last_ns=//p' "$tmp/sink.out")
sink_ms=$(ms "$t0" "$t2")
sink_after=$(ms "$t1" "$t2")
kill "$feed_pid" 2>/dev/null
wait "$feed_pid" 2>/dev/null
feed_pid=""
if [ -n "$perf_pid" ]; then
	kill -INT "$perf_pid"
	wait "$perf_pid"
	perf report -i "$tmp/perf.data" --stdio --no-children \
	    --percent-limit 1.5 -g none 2>/dev/null | grep -v '^#' |
	    grep -v '^$' | head -40
fi

echo "feeder -> podbgpd: $pushed ($(sed -n 's/^established //p' \
    "$tmp/feed-pod.out"))"
echo "podbgpd: $pod_n prefixes in the RIB ${pod_ms} ms after the first" \
    "UPDATE byte (feeder done writing after ${push_s} s)"
echo "podbgpd: peak RSS $pod_hwm kB ($((pod_hwm / 1024)) MiB), RSS" \
    "$pod_rss0 kB before the feed, $pod_rss kB after;" \
    "$(((pod_hwm - pod_rss0) * 1024 / n)) bytes/route;" \
    "CPU $(echo "$pod_cpu0 $pod_cpu1" | awk '{ print $2 - $1 }') s"
[ "$pod_n" = "$n" ] || echo "podbgpd: WARNING: $pod_n prefixes, not $n"
kill "$pod_pid" 2>/dev/null
wait "$pod_pid" 2>/dev/null
pod_pid=""

echo "second peer: $(sed -n 's/^received \(prefixes=[0-9]* updates=[0-9]*\).*/\1/p' \
    "$tmp/sink.out") ${sink_ms} ms after the first UPDATE byte," \
    "${sink_after} ms after podbgpd's RIB had them all"
kill "$sink_pid" 2>/dev/null
wait "$sink_pid" 2>/dev/null
sink_pid=""

# --- BIRD 2 ------------------------------------------------------------
if [ "$have_bird" -eq 0 ]; then
	echo "BIRD: not measured ($bird not found)"
	exit 0
fi
cat >"$tmp/bird.conf" <<EOF
log "$tmp/bird.log" all;
timeformat log "%F %T.%6f";
router id 198.51.100.2;
protocol device { }
protocol bgp feeder {
	debug { packets };	# for "Got END-OF-RIB"; ~1000 lines a feed
	local 198.51.100.2 as 65001;
	neighbor 198.51.100.1 as 65100;
	passive on;
	ipv4 { import all; export none; };
}
EOF
ip netns exec "$ns_b" "$bird" -f -c "$tmp/bird.conf" -s "$tmp/bird.ctl" \
    -P "$tmp/bird.pid" >"$tmp/bird.out" 2>&1 &
bird_pid=$!
wait_for 10 "$birdc" -s "$tmp/bird.ctl" show status ||
    die "BIRD did not start"
sleep 0.5
bird_rss0=$(vm "$bird_pid" VmRSS)
bird_cpu0=$(cpu "$bird_pid")
ip netns exec "$ns_f" "$feeder" -a 198.51.100.2 -l 65100 -r 65001 \
    -n "$n" $ext >"$tmp/feed-bird.out" 2>&1 &
feed_pid=$!
wait_for 30 grep -q '^established' "$tmp/feed-bird.out" ||
    die "no session between the feeder and BIRD"
# poll every 50 ms; each poll also costs a birdc run
polls=0
t1=""
limit=$(($(date +%s) + 300))
while [ "$(date +%s)" -lt "$limit" ]; do
	c=$("$birdc" -s "$tmp/bird.ctl" show route count 2>/dev/null |
	    sed -n 's/^\([0-9]*\) of .* in table master4$/\1/p')
	now=$(date +%s%N)
	polls=$((polls + 1))
	if [ -n "$c" ] && [ "$c" -ge "$n" ]; then
		t1=$now
		break
	fi
	sleep 0.05
done
[ -n "$t1" ] || die "BIRD did not get $n routes within 300 s"
bird_hwm=$(vm "$bird_pid" VmHWM)
bird_rss=$(vm "$bird_pid" VmRSS)
bird_cpu1=$(cpu "$bird_pid")
wait_for 10 grep -q '^pushed' "$tmp/feed-bird.out"
t0=$(sed -n 's/^first_update_ns=//p' "$tmp/feed-bird.out")
bird_ms=$(ms "$t0" "$t1")
echo "feeder -> BIRD: $(sed -n 's/^pushed //p' "$tmp/feed-bird.out")"
echo "BIRD: $c routes in master4 ${bird_ms} ms after the first UPDATE" \
    "byte (birdc polled every 50 ms, $polls polls)"
# BIRD 2.0 puts routes in its table as it reads each UPDATE, so its log
# line for the End-of-RIB (microsecond timestamps) is a finer figure
bird_eor_ms=""
if wait_for 10 grep -q 'Got END-OF-RIB' "$tmp/bird.log"; then
	ts=$(grep 'Got END-OF-RIB' "$tmp/bird.log" | head -1 | cut -c1-26)
	bird_eor_ms=$(ms "$t0" "$(date -d "$ts" +%s%N)")
	echo "BIRD: End-of-RIB handled ${bird_eor_ms} ms after the first" \
	    "UPDATE byte (its log, with packet tracing on)"
fi
echo "BIRD: peak RSS $bird_hwm kB ($((bird_hwm / 1024)) MiB), RSS" \
    "$bird_rss0 kB before the feed, $bird_rss kB after;" \
    "$(((bird_hwm - bird_rss0) * 1024 / n)) bytes/route;" \
    "CPU $(echo "$bird_cpu0 $bird_cpu1" | awk '{ print $2 - $1 }') s"
echo "$bird_ms $pod_ms $bird_hwm $pod_hwm $bird_rss0 $pod_rss0" | awk '{
	printf "ratio BIRD/podbgpd: time %.1fx (birdc poll), " \
	    "peak RSS %.1fx, bytes/route %.1fx\n", $1 / ($2 > 0 ? $2 : 1),
	    $3 / $4, ($3 - $5) / ($4 - $6 > 0 ? $4 - $6 : 1) }'
[ -n "$bird_eor_ms" ] && echo "$bird_eor_ms $pod_ms" | awk '{
	printf "ratio BIRD/podbgpd: time %.1fx (End-of-RIB in the logs)\n",
	    $1 / ($2 > 0 ? $2 : 1) }'
exit 0
