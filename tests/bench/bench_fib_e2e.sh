#!/bin/sh
# A million IPv4 /24s learned over BGP into a namespace's kernel and
# withdrawn again, end to end: podbgpd (fib.install true) and BIRD 2
# (kernel protocol), fed by tests/bench/feeder, against two references
# on the same routes in the same run: `ip -batch` (one synchronous round
# trip per route) and tests/bench/nl_pipe (requests back to back, answers
# read meanwhile: the kernel's practical limit). Prints the times and
# the ratios; never fails on time.
#
# Install: from the feeder's first UPDATE byte until the last route is in
# the kernel; remove: from the feeder's first withdrawal byte until the
# last one is gone. The kernel is watched by tests/bench/nl_count in the
# daemon's namespace (route notifications counted; it says "mode=dump" if
# it had to fall back to dumps). It runs during the references too, so
# every writer pays for the same listener. The runs are one after the
# other, so nothing shares the CPUs but the writer, the feeder and the
# watcher.
#
#   bench_fib_e2e.sh [-n prefixes]
#
# Environment: BENCH_PERF=1 profiles podbgpd with perf(1) during its
# feed and withdrawal; BENCH_KEEP=1 keeps the logs; BENCH_SKIP=ip,bird
# leaves out ip -batch and/or BIRD (quicker runs while tuning).
#
# Needs root, ip(8); BIRD (/usr/sbin/bird) is optional. Only processes
# started here are signalled, only namespaces made here deleted.
set -u
me=bench_fib_e2e.sh
. "$(dirname "$0")/lib.sh"

podbgpd=${PODBGPD:-$(pwd)/src/podbgpd/podbgpd}
feeder=${FEEDER:-$(pwd)/tests/bench/feeder}
nl_pipe=${NL_PIPE:-$(pwd)/tests/bench/nl_pipe}
nl_count=${NL_COUNT:-$(pwd)/tests/bench/nl_count}
bird=${BIRD:-/usr/sbin/bird}
birdc=${BIRDC:-/usr/sbin/birdc}
skip=${BENCH_SKIP:-}
n=1000000
while getopts n: o; do
	case $o in
	n) n=$OPTARG ;;
	*) echo "usage: bench_fib_e2e.sh [-n prefixes]" >&2; exit 2 ;;
	esac
done

bench_need "$podbgpd" "$feeder" "$nl_pipe" "$nl_count"
[ "$n" -ge 1 ] && [ "$n" -le 2097152 ] || {
	echo "bench_fib_e2e.sh: -n from 1 to 2097152" >&2; exit 2; }
have_bird=1
[ -x "$bird" ] && [ -x "$birdc" ] || have_bird=0
case ",$skip," in *,bird,*) have_bird=0 ;; esac

pfx=pbe$$
ns_f=$pfx-f	# feeder
ns_p=$pfx-p	# podbgpd
ns_b=$pfx-b	# BIRD
ns_r=$pfx-r	# the references
tmp=$(mktemp -d "${TMPDIR:-/tmp}/podbgp-e2e.XXXXXX") || exit 99
pids=""
nss="$ns_f $ns_p $ns_b $ns_r"
trap bench_cleanup EXIT
trap 'exit 1' INT TERM HUP

# watch NS PROTO NAME: starts nl_count in NS, waits for it to be ready
watch_kernel() {
	ip netns exec "$1" "$nl_count" -n "$n" -p "$2" -T 600 \
	    >"$tmp/$3.count" 2>&1 &
	count_pid=$!
	pids="$pids $count_pid"
	wait_for 30 grep -q '^ready' "$tmp/$3.count" ||
	    die "nl_count did not start"
}

# --- the network -------------------------------------------------------
for ns in "$ns_f" "$ns_p" "$ns_b" "$ns_r"; do
	ip netns add "$ns" || exit 99
	ip -n "$ns" link set lo up
done
ip -n "$ns_f" link add fp type veth peer name fp netns "$ns_p" || exit 99
ip -n "$ns_f" link add fb type veth peer name fb netns "$ns_b" || exit 99
ip -n "$ns_r" link add fp type veth peer name e0 || exit 99
ip -n "$ns_f" addr add 192.0.2.1/24 dev fp
ip -n "$ns_p" addr add 192.0.2.2/24 dev fp
ip -n "$ns_r" addr add 192.0.2.2/24 dev fp
ip -n "$ns_f" addr add 198.51.100.1/24 dev fb
ip -n "$ns_b" addr add 198.51.100.2/24 dev fb
for ns in "$ns_f" "$ns_p"; do ip -n "$ns" link set fp up; done
for ns in "$ns_f" "$ns_b"; do ip -n "$ns" link set fb up; done
ip -n "$ns_r" link set fp up
ip -n "$ns_r" link set e0 up

echo "bench_fib_e2e: $n IPv4 /24s from 32.0.0.0, $(nproc) CPUs, $(uname -r)"

# --- reference 1: ip -batch -------------------------------------------
ipb_add="" ipb_del=""
case ",$skip," in
*,ip,*) ;;
*)
	awk -v n="$n" 'BEGIN {
		for (i = 0; i < n; i++) {
			v = 32 * 65536 + i
			printf "route add %d.%d.%d.0/24 via 192.0.2.1 dev fp " \
			    "proto 196\n", int(v / 65536), int(v / 256) % 256,
			    v % 256
		} }' >"$tmp/ip.add"
	sed 's/^route add/route del/' "$tmp/ip.add" >"$tmp/ip.del"
	watch_kernel "$ns_r" 196 ip
	t0=$(date +%s%N)
	ip -n "$ns_r" -batch "$tmp/ip.add" || die "ip -batch add failed"
	t1=$(date +%s%N)
	ip -n "$ns_r" -batch "$tmp/ip.del" || die "ip -batch del failed"
	t2=$(date +%s%N)
	wait_for 30 grep -q '^empty' "$tmp/ip.count"
	stop "$count_pid"
	ipb_add=$(secs "$t0" "$t1")
	ipb_del=$(secs "$t1" "$t2")
	echo "ip -batch: install $ipb_add s, remove $ipb_del s"
	rm -f "$tmp/ip.add" "$tmp/ip.del"
	;;
esac

# --- reference 2: the pipelined writer --------------------------------
watch_kernel "$ns_r" 196 pipe
ip netns exec "$ns_r" "$nl_pipe" -g 192.0.2.1 -d fp -n "$n" -p 196 \
    >"$tmp/pipe.out" 2>&1 || die "nl_pipe failed"
wait_for 30 grep -q '^empty' "$tmp/pipe.count"
stop "$count_pid"
pipe_add=$(val "$tmp/pipe.out" install seconds)
pipe_del=$(val "$tmp/pipe.out" remove seconds)
echo "nl_pipe: install $pipe_add s, remove $pipe_del s"

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
  install: true
bgp:
  asn: 65000
  router-id: 192.0.2.2
  peers:
    - address: 192.0.2.1
      asn: 65100
      name: feeder
control:
  socket: $tmp/podbgpd.ctl
  read-only-socket: $tmp/podbgpd.ro.ctl
log:
  level: info
EOF
ip netns exec "$ns_p" "$podbgpd" -d -f "$tmp/podbgpd.yaml" \
    >"$tmp/podbgpd.log" 2>&1 &
pod_pid=$!
pids="$pids $pod_pid"
sleep 1
kill -0 "$pod_pid" 2>/dev/null || die "podbgpd did not start"
# its own routes (a blackhole for the pod CIDR) are in by now
watch_kernel "$ns_p" 196 pod
perf_pid=""
if [ -n "${BENCH_PERF:-}" ]; then
	perf record -q -e cpu-clock -F 2000 -g -p "$pod_pid" \
	    -o "$tmp/perf.data" >"$tmp/perf.out" 2>&1 &
	perf_pid=$!
	pids="$pids $perf_pid"
	sleep 0.5
fi
ip netns exec "$ns_f" "$feeder" -L -w -b 192.0.2.1 -a 192.0.2.2 -l 65100 \
    -r 65000 -n "$n" >"$tmp/feed-pod.out" 2>&1 &
feed_pid=$!
pids="$pids $feed_pid"
wait_for 60 grep -q '^established' "$tmp/feed-pod.out" ||
    die "no session between the feeder and podbgpd"
wait_for 300 grep -q '^full' "$tmp/pod.count" ||
    die "podbgpd did not install $n routes within 300 s"
wait_for 30 grep -q '^pushed' "$tmp/feed-pod.out"
kill -USR1 "$feed_pid"
wait_for 300 grep -q '^empty' "$tmp/pod.count" ||
    die "podbgpd did not remove $n routes within 300 s"
if [ -n "$perf_pid" ]; then
	kill -INT "$perf_pid"
	wait "$perf_pid"
	pids=$(echo " $pids " | sed "s/ $perf_pid / /")
	perf report -i "$tmp/perf.data" --stdio --no-children \
	    --percent-limit 1 -g none 2>/dev/null | grep -v '^#' |
	    grep -v '^$' | head -40
fi
t0=$(sed -n 's/^first_update_ns=//p' "$tmp/feed-pod.out")
t1=$(val "$tmp/pod.count" full ns)
t2=$(sed -n 's/^first_withdraw_ns=//p' "$tmp/feed-pod.out")
t3=$(val "$tmp/pod.count" empty ns)
pod_add=$(secs "$t0" "$t1")
pod_del=$(secs "$t2" "$t3")
pod_mode=$(val "$tmp/pod.count" empty mode)
stop "$count_pid"
stop "$feed_pid"
stop "$pod_pid"
echo "podbgpd: install $pod_add s, remove $pod_del s (feeder wrote the" \
    "feed in $(val "$tmp/feed-pod.out" pushed seconds) s, the" \
    "withdrawals in $(val "$tmp/feed-pod.out" withdrew seconds) s;" \
    "kernel watched by $pod_mode)"

# --- BIRD 2 ------------------------------------------------------------
bird_add="" bird_del=""
if [ "$have_bird" -eq 1 ]; then
	cat >"$tmp/bird.conf" <<EOF
log "$tmp/bird.log" { warning, error, fatal, bug };
router id 198.51.100.2;
protocol device { }
protocol kernel {
	ipv4 { import none; export all; };
}
protocol bgp feeder {
	local 198.51.100.2 as 65001;
	neighbor 198.51.100.1 as 65100;
	passive on;
	ipv4 { import all; export none; };
}
EOF
	ip netns exec "$ns_b" "$bird" -f -c "$tmp/bird.conf" \
	    -s "$tmp/bird.ctl" -P "$tmp/bird.pid" >"$tmp/bird.out" 2>&1 &
	bird_pid=$!
	pids="$pids $bird_pid"
	wait_for 10 "$birdc" -s "$tmp/bird.ctl" show status ||
	    die "BIRD did not start"
	# BIRD writes its routes as protocol 12 (RTPROT_BIRD)
	watch_kernel "$ns_b" 12 bird
	ip netns exec "$ns_f" "$feeder" -w -a 198.51.100.2 -l 65100 \
	    -r 65001 -n "$n" >"$tmp/feed-bird.out" 2>&1 &
	feed_pid=$!
	pids="$pids $feed_pid"
	wait_for 30 grep -q '^established' "$tmp/feed-bird.out" ||
	    die "no session between the feeder and BIRD"
	wait_for 300 grep -q '^full' "$tmp/bird.count" ||
	    die "BIRD did not install $n routes within 300 s"
	wait_for 30 grep -q '^pushed' "$tmp/feed-bird.out"
	kill -USR1 "$feed_pid"
	wait_for 300 grep -q '^empty' "$tmp/bird.count" ||
	    die "BIRD did not remove $n routes within 300 s"
	t0=$(sed -n 's/^first_update_ns=//p' "$tmp/feed-bird.out")
	t1=$(val "$tmp/bird.count" full ns)
	t2=$(sed -n 's/^first_withdraw_ns=//p' "$tmp/feed-bird.out")
	t3=$(val "$tmp/bird.count" empty ns)
	bird_add=$(secs "$t0" "$t1")
	bird_del=$(secs "$t2" "$t3")
	stop "$count_pid"
	stop "$feed_pid"
	stop "$bird_pid"
	echo "BIRD: install $bird_add s, remove $bird_del s" \
	    "(kernel watched by $(val "$tmp/bird.count" empty mode))"
else
	echo "BIRD: not measured"
fi

# --- ratios ------------------------------------------------------------
echo "$pod_add $pod_del $pipe_add $pipe_del ${ipb_add:-0} ${ipb_del:-0}" \
    "${bird_add:-0} ${bird_del:-0}" | awk '
function r(a, b) { return b > 0 ? sprintf("%.2fx", a / b) : "-" }
{
	printf "podbgpd/nl_pipe: install %s, remove %s (target 1.15x)\n",
	    r($1, $3), r($2, $4)
	if ($5 > 0)
		printf "podbgpd/ip -batch: install %s, remove %s\n",
		    r($1, $5), r($2, $6)
	if ($7 > 0)
		printf "podbgpd/BIRD: install %s, remove %s\n",
		    r($1, $7), r($2, $8)
}'
exit 0
