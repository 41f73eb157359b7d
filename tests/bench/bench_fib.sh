#!/bin/sh
# Time to install and remove N IPv4 routes (default 100000) with fib.c
# (tests/daemon/fib_drive: RIB inserts, change records, batched netlink)
# and, on the same routes, with `ip -batch` (one synchronous round trip
# per route), in a network namespace made here. Prints figures; never
# fails on time. Needs root. Usage: bench_fib.sh [N]
set -u
n=${1:-100000}
drive=${FIB_DRIVE:-$(pwd)/tests/daemon/fib_drive}
if [ "$(id -u)" -ne 0 ] || [ ! -x "$drive" ]; then
	echo "bench_fib.sh: needs root and $drive" >&2
	exit 77
fi
ns=pbfb$$
tmp=$(mktemp -d "${TMPDIR:-/tmp}/podbgp-bfib.XXXXXX") || exit 1
trap 'ip netns del $ns 2>/dev/null; rm -rf "$tmp"' EXIT
ip netns add "$ns" || exit 1
ip -n "$ns" link add d0 type veth peer name e0
for i in lo d0 e0; do ip -n "$ns" link set "$i" up; done
ip -n "$ns" addr add 192.0.2.2/24 dev d0

count() {
	ip -n "$ns" route show proto 196 | wc -l
}
{
	echo "peer 192.0.2.1"
	echo "bench $n 192.0.2.1"
	# the driver prints its figure once the kernel has answered all
	while [ "$(count)" -lt "$n" ]; do sleep 0.2; done
	echo "unbench $n"
	while [ "$(count)" -gt 0 ]; do sleep 0.2; done
	echo "stop keep"
} | ip netns exec "$ns" "$drive" 2>/dev/null | sed -n 's/^/fib.c: /p' |
    grep -E 'installed|removed'

i=0
while [ "$i" -lt "$n" ]; do
	a=$((i >> 16)).$(((i >> 8) & 255)).$((i & 255))
	echo "route add 10.$a/32 via 192.0.2.1 proto 196"
	i=$((i + 1))
done >"$tmp/add"
sed 's/^route add/route del/' "$tmp/add" >"$tmp/del"
t0=$(date +%s.%N)
ip -n "$ns" -batch "$tmp/add"
t1=$(date +%s.%N)
ip -n "$ns" -batch "$tmp/del"
t2=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN {
	printf "ip -batch: installed %.3f s\nip -batch: removed %.3f s\n",
	    b - a, c - b }'
