#!/bin/sh
# The control sockets and podbgpctl as an operator and a script use them:
# every command in text and JSON (checked with python3 -m json.tool),
# birdc-style abbreviations, bad and ambiguous commands that leave the
# connection usable, the exit codes, 100 clients at once against the cap
# of 64, the sockets' modes and group, the read-only socket refusing
# changes, a stale socket file replaced and a live one refused.
# As root, in network namespaces: a feeder announces 1,000,000 prefixes with
# a 3 s hold time, a client asks for `show route` and never reads, and
# the session stays Established while others are still served.
# Every wait polls with a deadline; only processes started here are
# signalled, only namespaces made here are deleted. KEEP=1 keeps $tmp.
set -u
me=ctl.sh
srcdir=${srcdir:-$(dirname "$0")/../..}
. "$srcdir/tests/integration/lib.sh"

ctl=${PODBGPCTL:-$(pwd)/src/podbgpctl/podbgpctl}
feeder=${FEEDER:-$(pwd)/tests/bench/feeder}
need_podbgpd
need_exec "$ctl"
if ! command -v python3 >/dev/null 2>&1; then
	echo "$me: python3 not found, skipping" >&2
	exit 77
fi

make_tmp ctl
group=$(id -gn)
cat >"$tmp/nodes.yaml" <<EOF
nodes:
  - name: node-b
    pod-cidrs: [10.244.1.0/24]
    addresses: [192.0.2.2]
  - name: node-c
    pod-cidrs: [10.244.2.0/24, "fd00:244:2::/64"]
    addresses: [192.0.2.3, "2001:db8::3"]
  # a younger claim overlapping node-c's CIDR: listed, its CIDR ignored
  - name: node-a
    pod-cidrs: [10.244.2.128/25]
    addresses: [192.0.2.1]
EOF
# a passive peer that never comes: sessions without any traffic
cat >"$tmp/podbgpd.yaml" <<EOF
node-name: node-b
nodes:
  source: file
  file: $tmp/nodes.yaml
cluster-cidrs: [10.244.0.0/16, "fd00::/8"]
bgp:
  asn: 65000
  router-id: 192.0.2.2
  peers:
    - {address: 192.0.2.9, asn: 65009, name: tor-a, passive: true}
    - {address: "2001:db8::9", asn: 65009, name: tor-a6, passive: true}
control:
  socket: $tmp/admin.ctl
  mode: "0640"
  group: $group
  read-only-socket: $tmp/ro.ctl
  read-only-mode: "0604"
log:
  level: info
EOF

admin() {
	"$ctl" -s "$tmp/admin.ctl" "$@"
}
ro() {
	"$ctl" -s "$tmp/ro.ctl" "$@"
}
# json_ok ARGS...: podbgpctl -j ARGS prints valid JSON and exits 0.
json_ok() {
	admin -j "$@" >"$tmp/j.out" 2>"$tmp/j.err" || return 1
	python3 -m json.tool "$tmp/j.out" >/dev/null
}
# jq_py EXPR ARGS...: evaluates the python EXPR on the JSON reply (as d).
jq_py() {
	e=$1
	shift
	admin -j "$@" | python3 -c "import json,sys; d=json.load(sys.stdin); \
sys.exit(0 if ($e) else 1)"
}
# raw SOCKET: sends stdin's lines as requests, one at a time, to SOCKET
# and prints every reply line as is (codes included).
cat >"$tmp/raw.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rb")
print(f.readline().decode().rstrip("\n"))
for req in sys.stdin.read().splitlines():
    s.sendall(req.encode() + b"\n")
    while True:
        l = f.readline().decode()
        if not l:
            print("EOF")
            sys.exit(0)
        print(l.rstrip("\n"))
        if l[4] == " ":
            break
EOF
raw() {
	python3 "$tmp/raw.py" "$1"
}

# --- the sockets ------------------------------------------------------
"$podbgpd" -d -f "$tmp/podbgpd.yaml" >>"$tmp/podbgpd.log" 2>&1 &
pod_pid=$!
started "$pod_pid"
check "the admin socket appears" wait_for 10 test -S "$tmp/admin.ctl"
check "the read-only socket appears" wait_for 10 test -S "$tmp/ro.ctl"
check "admin socket mode 0640" [ "$(stat -c %a "$tmp/admin.ctl")" = 640 ]
check "read-only socket mode 0604" [ "$(stat -c %a "$tmp/ro.ctl")" = 604 ]
check "admin socket group $group" \
    [ "$(stat -c %G "$tmp/admin.ctl")" = "$group" ]
check "read-only socket group $group" \
    [ "$(stat -c %G "$tmp/ro.ctl")" = "$group" ]
check "the start logs the sockets" log_has \
    "control: listening on $tmp/admin.ctl \(mode 0640, group $group\)"

# --- every command, text and JSON --------------------------------------
admin show status >"$tmp/out"
check "show status exits 0" [ $? -eq 0 ]
check "show status: version" grep -Eq '^podbgpd [0-9]+\.[0-9]+' "$tmp/out"
check "show status: node" grep -Eq '^Node: +node-b$' "$tmp/out"
check "show status: router ID" grep -Eq '^Router ID: +192\.0\.2\.2$' \
    "$tmp/out"
check "show status: AS" grep -Eq '^AS: +65000$' "$tmp/out"
check "show status: uptime" grep -Eq '^Started: .*, up [0-9:d]+$' \
    "$tmp/out"
check "show status: node source" grep -Eq \
    "^Node source: +file $tmp/nodes.yaml, 3 nodes$" "$tmp/out"
check "json show status is JSON" json_ok show status
check "json show status: fields" jq_py \
    'd["node"] == "node-b" and d["asn"] == 65000 and
     d["router_id"] == "192.0.2.2" and d["node_source"] == "file" and
     d["uptime_s"] >= 0' show status

admin show protocols >"$tmp/out"
check "show protocols exits 0" [ $? -eq 0 ]
check "show protocols: a header" grep -Eq \
    '^Name +Address +AS +State +Since +Received +Accepted +Advertised +Info$' \
    "$tmp/out"
check "show protocols: tor-a passive, Active" grep -Eq \
    '^tor-a +192\.0\.2\.9 +65009 +Active +[0-9:]+ +0 +0' "$tmp/out"
check "show protocols: columns aligned" python3 -c "
import sys
l = open('$tmp/out').read().splitlines()
sys.exit(0 if len(l) == 3 and len({x.index('Active') for x in l[1:]}) == 1
    and l[0].index('State') == l[1].index('Active') else 1)"
check "show protocols tor-a6 lists one" sh -c \
    "[ \$('$ctl' -s '$tmp/admin.ctl' show protocols tor-a6 | wc -l) -eq 2 ]"
check "show protocols by address" sh -c \
    "'$ctl' -s '$tmp/admin.ctl' show protocols 192.0.2.9 | grep -q '^tor-a '"
admin show protocols all tor-a >"$tmp/out"
check "show protocols all: hold time" grep -Eq \
    '^  Hold time: +0 s \(configured 90 s\)' "$tmp/out"
check "show protocols all: capabilities" grep -Eq '^  Capabilities: ' \
    "$tmp/out"
check "show protocols all: rejections" grep -Eq '^  Rejected: +none$' \
    "$tmp/out"
check "show protocols all: last error" grep -Eq '^  Last error: +none$' \
    "$tmp/out"
check "json show protocols is JSON" json_ok show protocols
check "json show protocols all is JSON" json_ok show protocols all
check "json show protocols: both sessions" jq_py \
    '[p["name"] for p in d["protocols"]] == ["tor-a", "tor-a6"] and
     d["protocols"][0]["state"] == "Active"' show protocols
check "json show protocols all: details" jq_py \
    'd["protocols"][0]["hold_time_configured"] == 90 and
     d["protocols"][0]["rejected"] == {}' show protocols all
admin show protocols nosuch >"$tmp/out" 2>"$tmp/err"
check "an unknown protocol exits 1" [ $? -eq 1 ]
check "an unknown protocol is named" grep -q \
    '^podbgpctl: no protocol named nosuch$' "$tmp/err"

admin show route >"$tmp/out"
check "show route exits 0" [ $? -eq 0 ]
check "show route: a header" grep -Eq '^Prefix +Next hop +From +AS path$' \
    "$tmp/out"
check "show route count" sh -c \
    "'$ctl' -s '$tmp/admin.ctl' show route count | grep -q '^0 prefixes, 0 paths$'"
check "json show route is JSON" json_ok show route
check "json show route all is JSON" json_ok show route all
check "json show route count is JSON" jq_py 'd == {"prefixes": 0,
    "paths": 0}' show route count
check "show route for an address" admin show route for 10.244.9.1
check "show route of a prefix" admin show route 10.244.9.0/24
check "show route protocol tor-a" admin show route protocol tor-a
admin show route protocol nosuch >/dev/null 2>&1
check "show route protocol nosuch exits 1" [ $? -eq 1 ]

admin show nodes >"$tmp/out"
check "show nodes exits 0" [ $? -eq 0 ]
check "show nodes: this node, marked" grep -Eq \
    '^node-b +\* +self +10\.244\.1\.0/24 +192\.0\.2\.2 +-$' "$tmp/out"
check "show nodes: the other node" grep -Eq \
    '^node-c +- +10\.244\.2\.0/24,fd00:244:2::/64 +192\.0\.2\.3,2001:db8::3 +-$' \
    "$tmp/out"
check "show nodes: the overlapping younger claim, ignored" grep -Eq \
    '^node-a +- +10\.244\.2\.128/25 +192\.0\.2\.1 +10\.244\.2\.128/25 \(node-c\)$' \
    "$tmp/out"
check "the overlap is logged once, naming both nodes" [ "$(grep -c \
    'node node-a: pod CIDR 10.244.2.128/25 overlaps 10.244.2.0/24 of node node-c, an older claim: ignored' \
    "$tmp/podbgpd.log")" -eq 1 ]
check "json show nodes is JSON" json_ok show nodes
check "json show nodes: fields" jq_py \
    'd["nodes"][2]["pod_cidrs"] == ["10.244.2.0/24", "fd00:244:2::/64"] and
     d["nodes"][1]["self"] and not d["nodes"][2]["self"] and
     d["nodes"][0]["ignored_cidrs"] == [{"cidr": "10.244.2.128/25",
     "older_claim": "node-c"}] and d["nodes"][2]["ignored_cidrs"] == []' \
    show nodes

admin show memory >"$tmp/out"
check "show memory exits 0" [ $? -eq 0 ]
check "show memory: RIB parts" grep -Eq '^rib-node-ipv4 +[0-9]+ +[0-9]+$' \
    "$tmp/out"
check "show memory: attribute sets" grep -Eq '^attribute sets +[0-9]+ ' \
    "$tmp/out"
check "show memory: control buffers" grep -Eq \
    '^control buffers +1 +[0-9]+$' "$tmp/out"
check "json show memory is JSON" json_ok show memory
check "json show memory: fields" jq_py \
    'd["control_clients"] == 1 and d["attribute_sets"] >= 0 and
     len(d["rib"]) == 8 and d["rib_bytes"] > 0' show memory
admin help >"$tmp/out"
check "help lists show route" grep -q '^show route \[all\] \[count\]' \
    "$tmp/out"
check "json help is JSON" json_ok help

# --- abbreviations and errors ------------------------------------------
admin show nodes >"$tmp/long" 2>&1
admin sh no >"$tmp/short" 2>&1
check "sh no is show nodes" cmp -s "$tmp/long" "$tmp/short"
admin sh pro >"$tmp/short" 2>&1
check "sh pro is show protocols" grep -Eq '^tor-a6 +2001:db8::9 ' \
    "$tmp/short"
admin show route count >"$tmp/long" 2>&1
admin sh ro c >"$tmp/short" 2>&1
check "sh ro c is show route count" cmp -s "$tmp/long" "$tmp/short"
admin j sh st >"$tmp/out" 2>&1
check "j sh st is JSON" python3 -m json.tool "$tmp/out"

admin d >/dev/null 2>"$tmp/err"
check "an ambiguous command exits 1" [ $? -eq 1 ]
check "an ambiguous command lists the candidates" grep -q \
    "^podbgpctl: ambiguous word 'd' after 'the start': it may be disable, down$" \
    "$tmp/err"
admin show frobs >/dev/null 2>"$tmp/err"
check "an unknown word exits 1" [ $? -eq 1 ]
check "an unknown word lists what would do" grep -q \
    "expected one of: status, protocols, route, nodes, memory, fib$" "$tmp/err"

# --- the commands that change things ------------------------------------
admin disable tor-a >"$tmp/out" 2>&1
check "disable exits 0" [ $? -eq 0 ]
check "disable says so" grep -qx 'tor-a: disabled' "$tmp/out"
check "show protocols: Disabled" sh -c \
    "'$ctl' -s '$tmp/admin.ctl' show protocols tor-a | grep -Eq '^tor-a +192\.0\.2\.9 +65009 +Disabled '"
check "json show protocols: disabled" jq_py \
    'd["protocols"][0]["disabled"] is True' show protocols tor-a
check "the disable is logged" log_has \
    'neighbor 192\.0\.2\.9 \(tor-a\): disabled by an operator'
admin disable tor-a >"$tmp/out" 2>&1
check "disable again: already disabled" grep -qx 'tor-a: already disabled' \
    "$tmp/out"
admin enable 192.0.2.9 >"$tmp/out" 2>&1
check "enable by address" grep -qx '192.0.2.9: enabled' "$tmp/out"
check "json show protocols: enabled again" jq_py \
    'd["protocols"][0]["disabled"] is False' show protocols tor-a
admin restart tor-a6 >"$tmp/out" 2>&1
check "restart exits 0" [ $? -eq 0 ]
check "restart says so" grep -qx 'tor-a6: restarted' "$tmp/out"
admin disable nosuch >/dev/null 2>"$tmp/err"
check "disable of an unknown name exits 1" [ $? -eq 1 ]
check "and names it" grep -qx "podbgpctl: no protocol 'nosuch'" "$tmp/err"

admin configure check >"$tmp/out" 2>&1
check "configure check exits 0" [ $? -eq 0 ]
check "configure check: OK" grep -qx "$tmp/podbgpd.yaml: configuration OK" \
    "$tmp/out"
printf 'bgp:\n  asn: 65000\n  peerz: []\n' >"$tmp/bad.yaml"
(cd "$tmp" && "$ctl" -s "$tmp/admin.ctl" configure check bad.yaml) \
    >"$tmp/out" 2>"$tmp/err"
check "configure check of a bad file exits 1" [ $? -eq 1 ]
check "a relative file is read from podbgpctl's directory, errors at \
file:line:column" grep -q "^podbgpctl: $tmp/bad.yaml:3:3: unknown key 'peerz'" \
    "$tmp/err"
admin configure "$tmp/bad.yaml" >"$tmp/out" 2>"$tmp/err"
check "configure of a bad file exits 1" [ $? -eq 1 ]
check "and keeps the running configuration" grep -q \
    "the running configuration stays" "$tmp/err"
check "the sessions are still there" sh -c \
    "[ \$('$ctl' -s '$tmp/admin.ctl' show protocols | grep -c '^tor-a') = 2 ]"
# a peer added, one removed, one renamed: passive, so no traffic at all
sed -e 's|- {address: "2001:db8::9".*|- {address: 192.0.2.10, asn: 65010, name: tor-b, passive: true}|' \
    -e 's|name: tor-a, passive|name: tor-x, passive|' \
    "$tmp/podbgpd.yaml" >"$tmp/new.yaml"
admin configure "$tmp/new.yaml" >"$tmp/out" 2>"$tmp/err"
check "configure FILE exits 0" [ $? -eq 0 ]
check "configure FILE: what it did" grep -qx \
    'reconfigured: 1 peers added, 1 removed, 0 restarted, 1 changed in place' \
    "$tmp/out"
admin show protocols >"$tmp/out"
check "the added peer is shown" grep -Eq '^tor-b +192\.0\.2\.10 +65010 ' \
    "$tmp/out"
check "the removed peer is gone" not grep -q '^tor-a6 ' "$tmp/out"
check "the renamed peer has its new name" grep -Eq '^tor-x +192\.0\.2\.9 ' \
    "$tmp/out"
admin configure >"$tmp/out" 2>"$tmp/err"
check "configure goes back to the running file" grep -qx \
    'reconfigured: 1 peers added, 1 removed, 0 restarted, 1 changed in place' \
    "$tmp/out"
check "the configure is logged" log_has "reload: reading $tmp/podbgpd.yaml"
"$ctl" -x >/dev/null 2>&1
check "a bad option exits 2" [ $? -eq 2 ]
"$ctl" -s "$tmp/none.ctl" show status >/dev/null 2>"$tmp/err"
check "no socket exits 3" [ $? -eq 3 ]
check "no socket says why" grep -q "cannot connect to $tmp/none.ctl" \
    "$tmp/err"

printf 'sh\nd\nfrob nicate\nshow route 10.0.0.1/8\n%s\nshow status\n' \
    "$(python3 -c 'print("x" * 2000)')" | raw "$tmp/admin.ctl" >"$tmp/raw"
check "greeting 0001" grep -Eq '^0001 podbgpd .* ready$' "$tmp/raw"
check "incomplete: 9001" grep -Eq '^9001 incomplete command: show what' \
    "$tmp/raw"
check "ambiguous: 9001" grep -Eq "^9001 ambiguous word 'd'" "$tmp/raw"
check "host bits: 9001 with the fix" grep -Eq \
    "^9001 '10\.0\.0\.1/8' has host bits set: did you mean 10\.0\.0\.0/8\?$" \
    "$tmp/raw"
check "too long: 9002" grep -Eq '^9002 request longer than 1024 bytes$' \
    "$tmp/raw"
check "after the errors show status still answers" grep -Eq \
    '^1000-Node: +node-b$' "$tmp/raw"
check "and ends with 0000 ok" sh -c "tail -n 1 '$tmp/raw' | grep -qx '0000 ok'"
check "every error line ends its reply" [ "$(grep -c '^900[12] ' "$tmp/raw")" \
    -eq 5 ]
# 1500 requests in one write: answered in order, none lost
python3 - "$tmp/admin.ctl" >"$tmp/pipe" 2>&1 <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rb")
f.readline()
s.sendall(b"sh st\nsh ro c\nbad\n" * 500)
ok = err = counts = 0
while ok + err < 1500:
    l = f.readline().decode()
    if not l:
        break
    ok += l.startswith("0000 ")
    err += l.startswith("9001 ")
    counts += l.startswith("1009-")
print("ok=%d err=%d counts=%d" % (ok, err, counts))
EOF
check "1500 pipelined requests all answered" grep -qx \
    'ok=1000 err=500 counts=500' "$tmp/pipe"
printf 'sh st\nbad\nhelp\nquit\nshow status\n' | admin >"$tmp/out" \
    2>"$tmp/err"
check "the prompt goes on after an error" grep -q '^help  ' "$tmp/out"
check "the prompt stops at quit" [ "$(grep -c '^Node:' "$tmp/out")" -eq 1 ]

# With libedit, a terminal gets completion of keywords and session names.
if command -v ldd >/dev/null 2>&1 && ldd "$ctl" | grep -q libedit; then
	python3 - "$ctl" "$tmp/admin.ctl" >"$tmp/tty" 2>&1 <<'EOF'
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], ["podbgpctl", "-s", sys.argv[2]])
out = b""
def rd(t=1.0):
    global out
    end = time.time() + t
    while time.time() < end:
        if select.select([fd], [], [], 0.1)[0]:
            try:
                out += os.read(fd, 65536)
            except OSError:
                return
rd()
for k in (b"sh\t", b"pro\t", b"tor-a6\r", b"\x04"):
    os.write(fd, k)
    rd()
os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
EOF
	check "the prompt completes sh to show" grep -q 'ow ' "$tmp/tty"
	check "the prompt completes pro to protocols" grep -q 'tocols ' \
	    "$tmp/tty"
	check "the completed command runs" grep -Eq '^tor-a6 +2001:db8::9 ' \
	    "$tmp/tty"
fi

# --- the read-only socket -----------------------------------------------
check "read-only: show status" ro show status
check "read-only: json show protocols" sh -c \
    "'$ctl' -s '$tmp/ro.ctl' -j show protocols | python3 -m json.tool"
for c in "configure" "configure check" "down" "disable tor-a" \
    "enable tor-a" "restart tor-a"; do
	# shellcheck disable=SC2086
	ro $c >/dev/null 2>"$tmp/err"
	check "read-only refuses $c (exit 1)" [ $? -eq 1 ]
	check "read-only refuses $c (message)" grep -q \
	    "is not allowed on the read-only socket" "$tmp/err"
done
printf 'down\nshow status\n' | raw "$tmp/ro.ctl" >"$tmp/raw"
check "read-only greeting says so" grep -q '^0001 .*(read-only)$' "$tmp/raw"
check "read-only refusal is 8003" grep -q '^8003 ' "$tmp/raw"
check "and the connection stays usable" grep -q '^0000 ok$' "$tmp/raw"

# --- 100 clients at once -------------------------------------------------
python3 - "$tmp/admin.ctl" >"$tmp/many" 2>&1 <<'EOF'
import socket, sys
socks, hello, busy = [], 0, 0
for i in range(100):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    socks.append((s, s.makefile("rb")))
for s, f in socks:
    l = f.readline().decode()
    if l.startswith("0001 "):
        hello += 1
    elif l.startswith("8004 "):
        busy += 1
served = 0
for s, f in socks:
    try:
        s.sendall(b"show status\n")
    except OSError:
        continue
    while True:
        l = f.readline().decode()
        if not l:
            break
        if l.startswith("0000 "):
            served += 1
            break
print("hello=%d busy=%d served=%d" % (hello, busy, served))
EOF
check "100 clients: 64 served, 36 told the cap" grep -qx \
    'hello=64 busy=36 served=64' "$tmp/many"
check "after them a new client is served" wait_for 5 admin show status

# --- stale and live sockets ---------------------------------------------
sed -e "s|$tmp/admin.ctl|$tmp/other.ctl|" "$tmp/podbgpd.yaml" \
    >"$tmp/second.yaml"
"$podbgpd" -d -f "$tmp/second.yaml" >"$tmp/second.log" 2>&1
check "a second daemon on a live socket exits 1" [ $? -eq 1 ]
check "and says why" grep -q \
    "$tmp/ro.ctl: another process (podbgpd?) is serving this socket" \
    "$tmp/second.log"
check "the first one's socket still answers" ro show status
sed -e "s|$tmp/admin.ctl|$tmp/missing/admin.ctl|" "$tmp/podbgpd.yaml" \
    >"$tmp/third.yaml"
"$podbgpd" -d -f "$tmp/third.yaml" >"$tmp/third.log" 2>&1
check "a socket in a missing directory exits 1" [ $? -eq 1 ]
check "and names the directory" grep -q \
    "cannot create $tmp/missing/admin.ctl: No such file or directory (its directory does not exist)" \
    "$tmp/third.log"
: >"$tmp/plain.ctl"
sed -e "s|$tmp/admin.ctl|$tmp/plain.ctl|" "$tmp/podbgpd.yaml" \
    >"$tmp/fourth.yaml"
"$podbgpd" -d -f "$tmp/fourth.yaml" >"$tmp/fourth.log" 2>&1
check "a plain file in the way is left alone" grep -q \
    "$tmp/plain.ctl exists and is not a socket; not touching it" \
    "$tmp/fourth.log"

kill -KILL "$pod_pid"
wait "$pod_pid" 2>/dev/null
forget "$pod_pid"
check "a killed daemon leaves its socket" test -S "$tmp/admin.ctl"
start_podbgpd_here() {
	"$podbgpd" -d -f "$tmp/podbgpd.yaml" >>"$tmp/podbgpd.log" 2>&1 &
	pod_pid=$!
	started "$pod_pid"
}
start_podbgpd_here
check "the next one replaces the stale socket" wait_for 10 admin show status
check "and says so" log_has "control: removed the stale socket $tmp/admin.ctl"
admin down >"$tmp/out" 2>&1
check "down exits 0" [ $? -eq 0 ]
check "down answers before the daemon goes" grep -qx 'stopping' "$tmp/out"
reap_podbgpd
check "down is logged" log_has 'down requested on the control socket, stopping'
check "a stopped daemon removes its sockets" \
    [ ! -e "$tmp/admin.ctl" ] && [ ! -e "$tmp/ro.ctl" ]

# --- a client that never reads, 1,000,000 routes, 3 s hold (root) --------
big_dump() {
	:
}
if [ "$(id -u)" -eq 0 ] && command -v ip >/dev/null 2>&1 &&
    [ -x "$feeder" ]; then
	pfx=pct$$
	make_pair "$pfx-a" "$pfx-b"
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
    - {address: 192.0.2.1, asn: 65100, name: feeder, hold-time: 3}
control:
  socket: $tmp/admin.ctl
  read-only-socket: $tmp/ro.ctl
log:
  level: info
EOF
	start_podbgpd "$pfx-b"
	ip netns exec "$pfx-a" "$feeder" -L -b 192.0.2.1 -a 192.0.2.2 \
	    -l 65100 -r 65000 -H 3 -n 1000000 >"$tmp/feeder.out" 2>&1 &
	started $!
	check "the feeder is Established with hold time 3" wait_for 30 \
	    grep -q '^established .*holdtime=3' "$tmp/feeder.out"
	check "podbgpd takes 1000000 prefixes" wait_for 120 log_has \
	    'End-of-RIB for IPv4 unicast: 1000000 prefixes'
	check "show route count says 1000000" sh -c \
	    "'$ctl' -s '$tmp/admin.ctl' show route count | grep -qx '1000000 prefixes, 1000000 paths'"
	# the stuck client: asks, sleeps 10 s (over three hold times), then
	# reads everything and counts the routes
	python3 - "$tmp/admin.ctl" >"$tmp/stuck" 2>&1 <<'EOF' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(sys.argv[1])
f = s.makefile("rb")
f.readline()
s.sendall(b"show route\n")
print("asked", flush=True)
time.sleep(10)
n = 0
while True:
    l = f.readline().decode()
    if not l:
        break
    if l.startswith("1007-") and not l.startswith("1007-Prefix"):
        n += 1
    if l[4] == " ":
        print("end " + l.strip())
        break
print("routes=%d" % n, flush=True)
EOF
	stuck=$!
	started "$stuck"
	check "the stuck client asked" wait_for 5 grep -q '^asked' "$tmp/stuck"
	sleep 2
	rss1=$(awk '/^VmRSS/ {print $2}' "/proc/$pod_pid/status")
	t0=$(date +%s)
	check "others are served meanwhile" admin show protocols feeder
	check "within a second" [ $(($(date +%s) - t0)) -le 1 ]
	sleep 5
	rss2=$(awk '/^VmRSS/ {print $2}' "/proc/$pod_pid/status")
	check "memory stays put while the client does not read" \
	    [ "$((rss2 - rss1))" -lt 4096 ]
	cb=$(admin show memory | sed -n 's/^control buffers *2 *//p')
	check "the stuck client holds under 128 KiB of buffers (${cb:-?})" \
	    [ "${cb:-999999}" -lt 131072 ]
	check "the 3 s session is still Established" sh -c \
	    "'$ctl' -s '$tmp/admin.ctl' show protocols feeder | grep -q ' Established '"
	check "the stuck client gets all 1000000 routes" wait_for 120 grep -qx \
	    'routes=1000000' "$tmp/stuck"
	check "and the reply ends with 0000 ok" grep -qx 'end 0000 ok' \
	    "$tmp/stuck"
	wait "$stuck" 2>/dev/null
	forget "$stuck"
	check "the session came up once and never dropped" \
	    [ "$(log_count '192\.0\.2\.1 \(feeder\): Established')" -eq 1 ]
	check "no hold timer expired" not log_has 'Hold Timer Expired'
	admin -j show route 32.0.0.0/24 >"$tmp/j.out"
	check "json show route of one prefix" python3 -c "
import json
d = json.load(open('$tmp/j.out'))
p = d['routes'][0]['paths'][0]
assert d['routes'][0]['prefix'] == '32.0.0.0/24'
assert p['best'] and p['from'] == 'feeder' and p['as_path'] == [65100]"
	check "show route for an address finds it" sh -c \
	    "'$ctl' -s '$tmp/admin.ctl' show route for 32.0.1.7 | grep -Eq '^32\.0\.1\.0/24 +\* +[0-9.]+ +feeder +65100$'"
	stop_podbgpd
else
	echo "$me: not root (or no ip(8) or feeder): skipping the 1,000,000-route part"
fi
check "podbgpd logs no ASan/UBSan report" no_sanitizer_report
finish big_dump
