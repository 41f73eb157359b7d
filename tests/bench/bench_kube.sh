#!/bin/sh
# Benchmarks of podbgpd with the API server as node source, in network
# namespaces made here (tests/kube/cluster.sh), printing figures (no
# pass/fail):
#
#  1. start: the fake API server holds 5,000 Nodes of realistic size
#     (--bulk: images, conditions, managedFields; about 27 MB as a list).
#     Time from podbgpd's start to its pod CIDR arriving at its peer (a
#     feeder -R in the ToR namespace, which notes the arrival time), and
#     podbgpd's peak RSS. Target: under 1 s and 30 MB.
#  2. propagation: three nodes in full mesh; node-3's pod CIDR changed
#     through the API 100 times; each time, how long until the new route
#     is in node-1's kernel (ip monitor route in node-1, read as it
#     comes). Median and worst. Target: median under 100 ms.
#
# Needs root, python3, openssl, curl; run with `make bench-kube-cluster`
# (or PODBGPD=... FEEDER=... sh tests/bench/bench_kube.sh). NODES=N
# changes the 5,000; CHANGES=N the 100.
set -u
me=bench_kube.sh
srcdir=${srcdir:-$(dirname "$0")/../..}
. "$srcdir/tests/integration/lib.sh"
fake_api=$srcdir/tests/kube/fake_apiserver.py
. "$srcdir/tests/kube/cluster.sh"
feeder=${FEEDER:-$(pwd)/tests/bench/feeder}
nodes=${NODES:-5000}
changes=${CHANGES:-100}
need_root
need_podbgpd
need_exec "$feeder"
make_tmp benchkube
cl_pfx=pbk$$

die() {
	echo "$me: $*" >&2
	tail -n 20 "$tmp"/*.log >&2
	exit 1
}

# --- 1. start with 5,000 nodes -------------------------------------------
cl_net 1 || die "cannot make the namespaces"
cl_api_start --generate "$nodes" --bulk --address-base 198.18.1.1 -q ||
    die "the API server did not start"
size=$(ip netns exec "$cl_pfx-api" curl -s --cacert "$tmp/api/ca.crt" \
    -H "Authorization: Bearer $(cat "$tmp/api/token")" \
    "https://198.18.100.2:6443/api/v1/nodes" | wc -c)
ip netns exec "$cl_pfx-tor" "$feeder" -L -R -b 198.18.0.1 -a 198.18.1.2 \
    -l 65200 -r 65000 -i 198.18.0.1 -s 10.244.1.0 -n 1 \
    >"$tmp/sink.out" 2>&1 &
pids="$pids $!"
cat >"$tmp/n1.yaml" <<EOF
nodes:
  source: kubernetes
  kubeconfig: $tmp/kubeconfig
cluster-cidrs: [10.0.0.0/8]
bgp:
  asn: 65000
  peers:
    - {address: 198.18.0.1, asn: 65200, name: tor}
control:
  socket: $tmp/n1.ctl
  read-only-socket: $tmp/n1.ro.ctl
log:
  level: info
EOF
t0=$(date +%s%N)
ip netns exec "$cl_pfx-n1" env NODE_NAME=node-1 "$podbgpd" -d \
    -f "$tmp/n1.yaml" >"$tmp/n1.log" 2>&1 &
pod_pid=$!
pids="$pids $pod_pid"
wait_for 60 grep -q '^received' "$tmp/sink.out" ||
    die "the pod CIDR did not arrive at the peer"
t1=$(sed -n 's/^received .*last_ns=\([0-9]*\).*/\1/p' "$tmp/sink.out")
sleep 1
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pod_pid/status")
echo "start with $nodes nodes (list: $((size / 1000000)) MB):" \
    "$(( (t1 - t0) / 1000000 )) ms from exec to the pod CIDR at the peer" \
    "(target < 1000 ms)"
echo "peak RSS of podbgpd: $((hwm / 1024)) MiB ($hwm kB; target < 30 MB)"
kill "$pod_pid"
wait "$pod_pid" 2>/dev/null
kill "$cl_api_pid"
wait "$cl_api_pid" 2>/dev/null
for n in $namespaces; do
	ip netns del "$n"
done
namespaces=""
rm -rf "$tmp/api" "$tmp/api.ready" "$tmp/api.sock"

# --- 2. a pod CIDR change until it is in another node's kernel ------------
cl_net 3 || die "cannot make the namespaces"
printf 'node-%s 10.244.%s.0/24 198.18.%s.2 - -\n' 1 1 1 2 2 2 3 3 3 \
    >"$tmp/nodes"
cl_api_start --nodes "$tmp/nodes" -q || die "the API server did not start"
for i in 1 2 3; do
	cl_node_start "$i" full-mesh
done
wait_for 40 cl_all_have 10.244.3.0/24 1 2 || die "the mesh did not converge"
python3 - "$tmp/api.sock" "$cl_pfx-n1" "$changes" <<'EOF'
import http.client, socket, subprocess, sys, time, statistics

sock, ns, n = sys.argv[1], sys.argv[2], int(sys.argv[3])

class UnixConn(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(sock)

mon = subprocess.Popen(["ip", "-n", ns, "monitor", "route"],
                       stdout=subprocess.PIPE, text=True, bufsize=1)
time.sleep(0.3)
lat = []
for k in range(n):
    cidr = "10.244.%d.0/24" % (100 + k % 150)
    if k % 150 == 0 and k > 0:
        cidr = "10.244.%d.0/24" % (99)  # never the current one twice
    c = UnixConn("x")
    t = time.monotonic()
    c.request("PATCH", "/nodes/node-3?podCIDRs=" + cidr)
    c.getresponse().read()
    c.close()
    while True:
        line = mon.stdout.readline()
        if not line:
            sys.exit("ip monitor ended")
        # only podbgpd installs this prefix here
        if line.startswith(cidr + " "):
            lat.append((time.monotonic() - t) * 1000)
            break
mon.terminate()
lat.sort()
print("pod CIDR change to another node's kernel, %d changes: median %.1f ms,"
      " 90th %.1f ms, worst %.1f ms (target: median < 100 ms)" %
      (n, statistics.median(lat), lat[int(len(lat) * 0.9) - 1], lat[-1]))
EOF
