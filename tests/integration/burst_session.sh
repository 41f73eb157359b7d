#!/bin/sh
# A burst of a thousand changes goes out in a handful of UPDATEs: a feeder
# (tests/bench/feeder) announces 1000 /24s to podbgpd, which an export
# rule passes on to a second peer (the feeder with -R, counting what it
# gets); when the feeder leaves, the thousand withdrawals follow the same
# way. Both peers listen in one namespace, podbgpd runs in another.
# Needs root and ip(8); exits 77 otherwise. Every wait polls with a
# deadline; only processes started here are signalled, only namespaces
# made here are deleted. KEEP=1 keeps the temporary directory.
set -u
me=burst_session.sh
srcdir=${srcdir:-$(dirname "$0")/../..}
. "$srcdir/tests/integration/lib.sh"

feeder=${FEEDER:-$(pwd)/tests/bench/feeder}
need_root
need_exec "$feeder"
need_podbgpd

pfx=pbu$$
make_tmp burst
make_pair "$pfx-a" "$pfx-b"
ip -n "$pfx-a" addr add 192.0.2.3/24 dev veth0

cat >"$tmp/nodes.yaml" <<EOF
nodes:
  - name: node-b
    pod-cidrs: [10.244.1.0/24]
    addresses: [192.0.2.2]
EOF
cat >"$tmp/podbgpd.yaml" <<EOF
node-name: node-b
nodes:
  source: file
  file: $tmp/nodes.yaml
cluster-cidrs: [32.0.0.0/3]
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
  level: info
EOF
dump() {
	for f in sink feeder; do
		echo "--- $f"
		cat "$tmp/$f.out"
	done
}
out_has() {
	grep -Eq -- "$2" "$tmp/$1.out"
}
# count FILE KEY: the updates= figure of the line starting with KEY
updates_of() {
	sed -n "s/^$2 .*updates=\([0-9]*\).*/\1/p" "$tmp/$1.out"
}

ip netns exec "$pfx-a" "$feeder" -L -R -b 192.0.2.3 -a 192.0.2.2 \
    -l 65200 -r 65000 -n 1000 >"$tmp/sink.out" 2>&1 &
started $!
start_podbgpd "$pfx-b"
check "the second peer is Established" wait_for 30 \
    out_has sink '^established peer_as=65000'
ip netns exec "$pfx-a" "$feeder" -L -b 192.0.2.1 -a 192.0.2.2 \
    -l 65100 -r 65000 -n 1000 >"$tmp/feeder.out" 2>&1 &
feeder_pid=$!
started "$feeder_pid"
check "the feeder pushes 1000 prefixes in one UPDATE" wait_for 30 \
    out_has feeder '^pushed prefixes=1000 updates=2 '
check "podbgpd takes them" wait_for 10 \
    log_has 'End-of-RIB for IPv4 unicast: 1000 prefixes'
check "the second peer receives all 1000" wait_for 10 \
    out_has sink '^received prefixes=1000 '
up=$(updates_of sink received)
check "in a handful of UPDATEs ($up)" [ "${up:-99}" -le 4 ]

kill -TERM "$feeder_pid"
check "the feeder leaves" wait_for 10 not kill -0 "$feeder_pid"
wait "$feeder_pid" 2>/dev/null
forget "$feeder_pid"
check "the second peer sees all 1000 withdrawn" wait_for 10 \
    out_has sink '^withdrawn prefixes=1000 '
wd=$(updates_of sink withdrawn)
check "in a handful of UPDATEs ($wd)" [ "${wd:-99}" -le 4 ]
check "the second peer's session stayed up" \
    [ "$(log_count '192\.0\.2\.3 \(second\): Established')" -eq 1 ]

stop_podbgpd
check "podbgpd logs no ASan/UBSan report" no_sanitizer_report
finish dump
