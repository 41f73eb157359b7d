# A small bare-metal cluster in network namespaces, for the Kubernetes
# tests, the demo and the benchmarks. Sourced (POSIX sh) after
# tests/integration/lib.sh or anything that defines $pids and
# $namespaces (cleaned up at exit), $tmp, and these:
#   cl_pfx     a prefix unique to the run, e.g. pk$$ (namespace names)
#   podbgpd    the daemon; fake_api the fake API server script
#
# Layout (IPv4, a routed "layer 3 leaf"):
#   $cl_pfx-tor   the top-of-rack router: forwards, and runs BIRD 2 when
#                 asked; loopback 198.18.0.1; one link per node
#                 (198.18.I.1/24) and one to the API server (198.18.100.1)
#   $cl_pfx-api   the fake API server at 198.18.100.2:6443
#   $cl_pfx-nI    node-I: InternalIP 198.18.I.2 on eth0, default route via
#                 the ToR, podbgpd, pod CIDR 10.244.I.0/24
#   $cl_pfx-nI-pJ pod J of node-I: 10.244.I.(10+J) on a veth to the node,
#                 wired as the CNI ptp plugin does (a /32 each side,
#                 default route via the node's 10.244.I.1)
# Every packet between nodes crosses the ToR: no tunnel device anywhere.
# Variables of these functions start with _cl_: the callers' loops (and
# lib.sh's wait_for counter) must not be disturbed.

cl_ns() {
	ip netns add "$1" || return 1
	namespaces="$namespaces $1"
	ip -n "$1" link set lo up
}

# cl_net N: the ToR, the API server's namespace and nodes 1..N.
cl_net() {
	cl_ns "$cl_pfx-tor" || return 1
	ip -n "$cl_pfx-tor" addr add 198.18.0.1/32 dev lo
	ip netns exec "$cl_pfx-tor" sysctl -qw net.ipv4.ip_forward=1
	cl_ns "$cl_pfx-api" || return 1
	ip -n "$cl_pfx-tor" link add api type veth peer name eth0 \
	    netns "$cl_pfx-api" || return 1
	ip -n "$cl_pfx-tor" addr add 198.18.100.1/24 dev api
	ip -n "$cl_pfx-tor" link set api up
	ip -n "$cl_pfx-api" addr add 198.18.100.2/24 dev eth0
	ip -n "$cl_pfx-api" link set eth0 up
	ip -n "$cl_pfx-api" route add default via 198.18.100.1
	_cl_i=1
	while [ "$_cl_i" -le "$1" ]; do
		cl_node_net "$_cl_i" || return 1
		_cl_i=$((_cl_i + 1))
	done
}

# cl_node_net I: node-I's namespace and its link to the ToR.
cl_node_net() {
	_cl_ns=$cl_pfx-n$1
	cl_ns "$_cl_ns" || return 1
	ip netns exec "$_cl_ns" sysctl -qw net.ipv4.ip_forward=1
	ip -n "$cl_pfx-tor" link add "n$1" type veth peer name eth0 \
	    netns "$_cl_ns" || return 1
	ip -n "$cl_pfx-tor" addr add "198.18.$1.1/24" dev "n$1"
	ip -n "$cl_pfx-tor" link set "n$1" up
	ip -n "$_cl_ns" addr add "198.18.$1.2/24" dev eth0
	ip -n "$_cl_ns" link set eth0 up
	ip -n "$_cl_ns" route add default via "198.18.$1.1"
}

# cl_pod I J: pod J on node-I, addressed from the node's pod CIDR.
cl_pod() {
	_cl_ns=$cl_pfx-n$1-p$2
	cl_ns "$_cl_ns" || return 1
	ip -n "$cl_pfx-n$1" link add "pod$2" type veth peer name eth0 \
	    netns "$_cl_ns" || return 1
	ip -n "$cl_pfx-n$1" addr add "10.244.$1.1/32" dev "pod$2"
	ip -n "$cl_pfx-n$1" link set "pod$2" up
	ip -n "$cl_pfx-n$1" route add "10.244.$1.$((10 + $2))/32" \
	    dev "pod$2"
	ip -n "$_cl_ns" addr add "10.244.$1.$((10 + $2))/32" dev eth0
	ip -n "$_cl_ns" link set eth0 up
	ip -n "$_cl_ns" route add "10.244.$1.1/32" dev eth0 scope link
	ip -n "$_cl_ns" route add default via "10.244.$1.1" dev eth0
}

# cl_api_start [ARGS...]: the fake API server (more arguments are its
# own, e.g. --generate N or --nodes FILE); waits until it serves.
# Writes $tmp/kubeconfig, $tmp/api/ (certificates, token), the control
# socket $tmp/api.sock.
cl_api_start() {
	ip netns exec "$cl_pfx-api" python3 "$fake_api" \
	    --listen 198.18.100.2:6443 --certdir "$tmp/api" \
	    --token-file "$tmp/api/token" --kubeconfig "$tmp/kubeconfig" \
	    --ready "$tmp/api.ready" --control "$tmp/api.sock" \
	    --bookmark-interval 2 "$@" 2>>"$tmp/api.log" &
	cl_api_pid=$!
	pids="$pids $cl_api_pid"
	wait_for 20 test -s "$tmp/api.ready"
}

# cl_api METHOD PATH [CURL-ARGS...]: the control interface.
cl_api() {
	_cl_m=$1
	_cl_p=$2
	shift 2
	curl -sf --max-time 10 --unix-socket "$tmp/api.sock" -X "$_cl_m" \
	    "http://api$_cl_p" "$@"
}

# cl_add_node I [EXTRA-QUERY]: node-I with its pod CIDR and InternalIP.
cl_add_node() {
	cl_api POST "/nodes?name=node-$1&podCIDRs=10.244.$1.0/24&internalIPs=198.18.$1.2${2:+&$2}" >/dev/null
}

# cl_bird_start MODE I...: BIRD on the ToR at 198.18.0.1, AS 65000,
# with an iBGP session to each node listed; the routes it learns go to
# its kernel, so pod traffic can cross it. MODE rr: a route reflector
# for the nodes, next hop self (traffic goes through the ToR); listen:
# learns and passes nothing on (the nodes peer among themselves).
cl_bird_start() {
	if [ "$1" = rr ]; then
		_cl_rr="rr client; rr cluster id 198.18.0.1;"
		_cl_ex="export all; next hop self;"
	else
		_cl_rr=""
		_cl_ex="export none;"
	fi
	shift
	{
		echo "log \"$tmp/bird.log\" all;"
		echo "router id 198.18.0.1;"
		echo "protocol device { }"
		# the links, so that the nodes' next hops resolve
		echo "protocol direct { ipv4; }"
		echo "protocol kernel { ipv4 { export where source = RTS_BGP; }; }"
		echo "template bgp node {"
		echo "	local 198.18.0.1 as 65000;"
		echo "	$_cl_rr"
		echo "	connect delay time 1; connect retry time 2;"
		echo "	error wait time 1, 4;"
		echo "	ipv4 { import all; $_cl_ex };"
		echo "}"
		for _cl_i in "$@"; do
			echo "protocol bgp node$_cl_i from node {"
			echo "	neighbor 198.18.$_cl_i.2 as 65000;"
			echo "}"
			# eBGP on the node's link, for peers that nodes take
			# from their annotations (AS 6501I; node-1's signed),
			# from a second address of the node (198.18.I.3: BIRD
			# wants one neighbor address per session); node-3's
			# listens on port 1790, not 179, and only listens
			_cl_port=""
			[ "$_cl_i" = 3 ] && _cl_port="port 1790"
			echo "protocol bgp annot$_cl_i {"
			[ "$_cl_i" = 3 ] && echo "	passive on;"
			echo "	local 198.18.$_cl_i.1 $_cl_port as 6501$_cl_i;"
			echo "	neighbor 198.18.$_cl_i.3 as 65000;"
			echo "	connect delay time 1;"
			echo "	connect retry time 2; error wait time 1, 4;"
			[ "$_cl_i" = 1 ] && echo "	password \"s3cret-pw\";"
			echo "	ipv4 { import all; export none; };"
			echo "}"
		done
	} >"$tmp/bird.conf"
	ip netns exec "$cl_pfx-tor" /usr/sbin/bird -f -c "$tmp/bird.conf" \
	    -s "$tmp/bird.ctl" -P "$tmp/bird.pid" >>"$tmp/bird.out" 2>&1 &
	pids="$pids $!"
	wait_for 10 cl_birdc show status
}
cl_birdc() {
	ip netns exec "$cl_pfx-tor" /usr/sbin/birdc -s "$tmp/bird.ctl" "$@"
}

# cl_conf I MODE: node-I's podbgpd.yaml, the same for every node as a
# DaemonSet's ConfigMap would be: iBGP to the ToR's loopback, and MODE
# tor (nothing else), full-mesh, or route-reflector (the reflectors
# carry the label podbgp.io/route-reflector=true). The node finds its
# name in NODE_NAME.
cl_conf() {
	{
		echo "nodes:"
		echo "  source: kubernetes"
		echo "  kubeconfig: $tmp/kubeconfig"
		echo "cluster-cidrs: [10.244.0.0/16]"
		echo "bgp:"
		echo "  asn: 65000"
		echo "  peers:"
		echo "    - {address: 198.18.0.1, asn: 65000, name: tor}"
		case $2 in
		full-mesh)
			echo "  mesh: {mode: full-mesh}"
			;;
		route-reflector)
			echo "  mesh:"
			echo "    mode: route-reflector"
			echo "    reflector-label: podbgp.io/route-reflector=true"
			;;
		esac
		echo "control:"
		echo "  socket: $tmp/n$1.ctl"
		echo "  read-only-socket: $tmp/n$1.ro.ctl"
		echo "log:"
		echo "  level: ${CL_LOG_LEVEL:-info}"
	} >"$tmp/n$1.yaml"
}

# cl_node_start I MODE: podbgpd on node-I; its pid in cl_pid_I.
cl_node_start() {
	cl_conf "$1" "$2"
	ip netns exec "$cl_pfx-n$1" env NODE_NAME="node-$1" "$podbgpd" -d \
	    -f "$tmp/n$1.yaml" >>"$tmp/n$1.log" 2>&1 &
	eval "cl_pid_$1=\$!"
	pids="$pids $!"
}

# cl_kroutes I: podbgp's routes in node-I's kernel.
cl_kroutes() {
	ip -n "$cl_pfx-n$1" route show proto 196
}
# cl_has I PREFIX: node-I's kernel has our route for PREFIX.
cl_has() {
	cl_kroutes "$1" | grep -q "^$2 "
}
# cl_all_have PREFIX I...: each node listed has our route for PREFIX.
cl_all_have() {
	_cl_p=$1
	shift
	for _cl_i in "$@"; do
		cl_has "$_cl_i" "$_cl_p" || return 1
	done
}
cl_none_has() {
	_cl_p=$1
	shift
	for _cl_i in "$@"; do
		cl_has "$_cl_i" "$_cl_p" && return 1
	done
	return 0
}
