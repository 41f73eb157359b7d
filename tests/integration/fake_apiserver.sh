#!/bin/sh
# tests/kube/fake_apiserver.py, the fake Kubernetes API server the kube
# tests run podbgpd against, checked with curl and kubectl: the
# certificates and kubeconfig it writes, 401 without credentials, client
# certificates, list, get, labelSelector, pages with continue tokens from
# one snapshot, resourceVersionMatch=Exact, Tables, watch (chunked lines,
# bookmarks, from "0", with a labelSelector, sendInitialEvents, the end
# after timeoutSeconds), 410 after compaction for watch (ERROR event) and
# continue, dropping watches three ways, injected 500/429/401, hanging
# before and after TLS, token rotation with and without grace, IPv6, the
# control socket's nodes, a client that goes away, and SIGTERM; kubectl
# get nodes (and --watch) against the written kubeconfig when a kubectl
# is on PATH. Needs python3, openssl and curl (exits 77 otherwise); no
# root, 127.0.0.1 and ::1 only. KEEP=1 keeps the temporary directory.
set -u

me=fake_apiserver.sh
srcdir=${srcdir:-$(dirname "$0")/../..}
. "$srcdir/tests/integration/lib.sh"
server=$srcdir/tests/kube/fake_apiserver.py

for p in python3 openssl curl; do
	if ! command -v "$p" >/dev/null 2>&1; then
		echo "$me: $p not found, skipping" >&2
		exit 77
	fi
done
# the interpreter itself, not a wrapper (pyenv's shims cost 0.1 s a call)
py=$(python3 -c 'import sys; print(sys.executable)') || exit 99
make_tmp fakeapi
certs=$tmp/certs
ctl_sock=$tmp/ctl
ca=$certs/ca.crt
tokf=$tmp/token

# ::1 as a second address when the host has IPv6
listen6=""
if "$py" -c 'import socket
socket.socket(socket.AF_INET6).bind(("::1", 0))' \
    2>/dev/null; then
	listen6="--listen [::1]:0"
fi
cat >"$tmp/nodes" <<'EOF'
# name pod-cidrs internal-ips labels annotations
node-1 10.244.1.0/24,fd00:10:244:1::/64 192.168.0.1,fd00::1 zone=a -
node-2 10.244.2.0/24 192.168.0.2 zone=b podbgp.io/asn=65002
node-3 10.244.3.0/24 192.168.0.3 zone=a
node-4 10.244.4.0/24 192.168.0.4 -
node-5 - 192.168.0.5
EOF
# shellcheck disable=SC2086
"$py" "$server" --listen 127.0.0.1:0 $listen6 --certdir "$certs" \
    --token-file "$tokf" --kubeconfig "$tmp/kubeconfig" \
    --ready "$tmp/ready" --control "$ctl_sock" --nodes "$tmp/nodes" \
    --bookmark-interval 0.5 2>"$tmp/server.log" &
srv_pid=$!
started "$srv_pid"

dump() {
	echo "--- fake_apiserver log (last 60 lines)"
	tail -n 60 "$tmp/server.log"
}
summary() {
	if [ "$fail" -ne 0 ]; then
		dump
		echo "$me: $fail of $n checks failed"
		exit 1
	fi
	echo "$me: $n checks passed"
	exit 0
}

if ! wait_for 15 [ -s "$tmp/ready" ]; then
	bad "the server writes its ready file"
	summary
fi
ok
url=$(sed -n 1p "$tmp/ready")
url6=$(sed -n 2p "$tmp/ready")

# api PATH [CURL-ARGS]: GET with the current token; the body in $tmp/out,
# the headers in $tmp/hdr, the status code printed.
api() {
	p=$1
	shift
	curl -sS -o "$tmp/out" -D "$tmp/hdr" -w '%{http_code}' --cacert "$ca" \
	    -H "Authorization: Bearer $(cat "$tokf")" "$@" "$url$p"
}
# anon PATH [CURL-ARGS]: the same without a token.
anon() {
	p=$1
	shift
	curl -sS -o "$tmp/out" -D "$tmp/hdr" -w '%{http_code}' --cacert "$ca" \
	    "$@" "$url$p"
}
# ctl METHOD PATH: the control socket; the reply in $tmp/ctl.out.
ctl() {
	curl -sS -o "$tmp/ctl.out" --unix-socket "$ctl_sock" -X "$1" \
	    "http://fake$2" && cat "$tmp/ctl.out" >>"$tmp/ctl.log"
}
# js FILE EXPR: the Python expression EXPR on the JSON in FILE (as d).
js() {
	"$py" -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(eval("(" + sys.argv[2] + ")"))' "$1" "$2" 2>/dev/null
}
# is WHAT VALUE COMMAND...: checks COMMAND prints VALUE.
is() {
	what=$1
	want=$2
	shift 2
	got=$("$@")
	if [ "$got" = "$want" ]; then
		ok
	else
		bad "$what: got '$got', want '$want'"
	fi
}
stat_of() {
	ctl GET /stats >/dev/null && js "$tmp/ctl.out" "$1"
}
# lines FILE: the watch events in FILE as "TYPE name-or-rv" lines.
events() {
	"$py" -c 'import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    o = e["object"]
    md = o.get("metadata", {})
    print(e["type"], md.get("name") or md.get("resourceVersion") or
          o.get("reason"))' "$1" 2>/dev/null
}
# seq_of FILE: the events but bookmarks on one line.
seq_of() {
	events "$1" | grep -v BOOKMARK | tr '\n' ' ' | sed 's/ $//'
}
names_of() {
	js "$1" '",".join(i["metadata"]["name"] for i in d["items"])'
}
open_watches_is() {
	[ "$(stat_of 'd["open_watches"]')" = "$1" ]
}

# --- the certificates and the kubeconfig
check "CA, server and client certificates written" \
    [ -s "$ca" -a -s "$certs/server.key" -a -s "$certs/client.crt" ]
check "the server certificate names 127.0.0.1" sh -c \
    "openssl x509 -in '$certs/server.crt' -noout -text | \
grep -q 'IP Address:127.0.0.1'"
check "the kubeconfig names the server, the CA and the token file" sh -c \
    "grep -q 'server: $url' '$tmp/kubeconfig' && \
grep -q 'certificate-authority: $ca' '$tmp/kubeconfig' && \
grep -q 'tokenFile: $tokf' '$tmp/kubeconfig'"

# --- authentication
is "no token: 401" 401 anon /api/v1/nodes
is "no token: a Status of reason Unauthorized" "Status 401 Unauthorized" \
    js "$tmp/out" '"%s %s %s" % (d["kind"], d["code"], d["reason"])'
is "a wrong token: 401" 401 anon /api/v1/nodes -H "Authorization: Bearer nope"
is "/version needs no token" 200 anon /version
is "the client certificate is accepted without a token" 200 anon \
    /api/v1/nodes --cert "$certs/client.crt" --key "$certs/client.key"

# --- list and get
is "list: 200" 200 api /api/v1/nodes
is "list: a NodeList of the five nodes of the file" \
    "NodeList node-1,node-2,node-3,node-4,node-5" js "$tmp/out" \
    'd["kind"] + " " + ",".join(i["metadata"]["name"] for i in d["items"])'
is "list: node-1 has both pod CIDRs and both InternalIPs" \
    "10.244.1.0/24 10.244.1.0/24,fd00:10:244:1::/64 192.168.0.1,fd00::1" \
    js "$tmp/out" 'd["items"][0]["spec"]["podCIDR"] + " " +
",".join(d["items"][0]["spec"]["podCIDRs"]) + " " + ",".join(a["address"]
for a in d["items"][0]["status"]["addresses"] if a["type"] == "InternalIP")'
is "list: labels, hostname label and annotations of node-2" \
    "b node-2 65002" js "$tmp/out" '" ".join((d["items"][1]["metadata"]
["labels"]["zone"], d["items"][1]["metadata"]["labels"]
["kubernetes.io/hostname"], d["items"][1]["metadata"]["annotations"]
["podbgp.io/asn"]))'
is "list: node-5 has no pod CIDR" "None" js "$tmp/out" \
    'd["items"][4]["spec"].get("podCIDRs")'
rv0=$(js "$tmp/out" 'd["metadata"]["resourceVersion"]')
api '/api/v1/nodes?labelSelector=zone%3Da' >/dev/null
is "labelSelector zone=a: node-1 and node-3" "node-1,node-3" \
    names_of "$tmp/out"
is "get node-3: 200" 200 api /api/v1/nodes/node-3
is "get node-3: the Node" "Node node-3 10.244.3.0/24" js "$tmp/out" \
    '"%s %s %s" % (d["kind"], d["metadata"]["name"], d["spec"]["podCIDR"])'
is "get of a missing node: 404" 404 api /api/v1/nodes/nope
is "get of a missing node: a Status of reason NotFound" "NotFound" \
    js "$tmp/out" 'd["reason"]'

# --- pages: limit=2 over 5 nodes, one snapshot even when a node comes
is "page 1: 200" 200 api '/api/v1/nodes?limit=2'
cp "$tmp/out" "$tmp/page1"
c1=$(js "$tmp/page1" 'd["metadata"]["continue"]')
ctl POST '/nodes?name=node-9&podCIDRs=10.244.9.0/24&internalIPs=192.168.0.9'
is "page 2: 200" 200 api "/api/v1/nodes?limit=2&continue=$c1"
cp "$tmp/out" "$tmp/page2"
c2=$(js "$tmp/page2" 'd["metadata"]["continue"]')
is "page 3: 200" 200 api "/api/v1/nodes?limit=2&continue=$c2"
cp "$tmp/out" "$tmp/page3"
pages=""
for p in 1 2 3; do
	pages="$pages $(names_of "$tmp/page$p") $(js "$tmp/page$p" \
	    'bool(d["metadata"].get("continue")), d["metadata"]["resourceVersion"]')"
done
is "pages: 2, 2 and 1 nodes in order (not the one added meanwhile), \
continue tokens on the first two, one resourceVersion" \
    " node-1,node-2 (True, '$rv0') node-3,node-4 (True, '$rv0') node-5 \
(False, '$rv0')" echo "$pages"
is "page 1 counts the remaining items" 3 js "$tmp/page1" \
    'd["metadata"]["remainingItemCount"]'
api /api/v1/nodes >/dev/null
is "a new list sees node-9" 6 js "$tmp/out" 'len(d["items"])'

# --- watch from a resourceVersion: later changes as chunked lines
curl -sSN -D "$tmp/w1.hdr" --cacert "$ca" \
    -H "Authorization: Bearer $(cat "$tokf")" \
    "$url/api/v1/nodes?watch=1&resourceVersion=$rv0&allowWatchBookmarks=true\
&timeoutSeconds=2" \
    >"$tmp/w1" 2>&1 &
w1=$!
started "$w1"
ctl PATCH '/nodes/node-1?podCIDRs=10.244.101.0/24&labels=zone=c'
ctl DELETE /nodes/node-2
check "watch: node-9 ADDED (from history), node-1 MODIFIED, node-2 DELETED" \
    wait_for 5 sh -c "[ \$(grep -vc BOOKMARK '$tmp/w1') -ge 3 ]"
is "watch: the events in order" "ADDED node-9 MODIFIED node-1 DELETED node-2" \
    seq_of "$tmp/w1"
check "watch: the MODIFIED node-1 carries the new pod CIDR" \
    grep -q '"type":"MODIFIED".*"podCIDR":"10.244.101.0/24"' "$tmp/w1"
check "watch: chunked" grep -qi '^transfer-encoding: chunked' "$tmp/w1.hdr"
check "watch: a BOOKMARK comes (interval 0.5 s)" \
    wait_for 3 grep -q '"type":"BOOKMARK"' "$tmp/w1"
check "watch: ends after timeoutSeconds=2" wait_for 5 not kill -0 "$w1"
wait "$w1"
is "watch: ended cleanly (curl exit status)" 0 echo $?
forget "$w1"
rv2=$(stat_of 'd["resourceVersion"]')
is "watch: the last BOOKMARK is at the current resourceVersion" \
    "BOOKMARK $rv2" eval "events '$tmp/w1' | grep BOOKMARK | tail -n 1"

# --- three watches that end after timeoutSeconds=1, side by side: from
# 0 (every current node ADDED first), with a labelSelector (nodes
# entering and leaving it), a streaming list (sendInitialEvents: its
# initial events end with a mark)
ctl PATCH '/nodes/node-4?labels=zone=a'
ctl PATCH '/nodes/node-3?labels=zone=b'
ctl PATCH '/nodes/node-5?annotations=x=y'
wq="$url/api/v1/nodes?watch=1&timeoutSeconds=1"
wps=""
for w in "w0 resourceVersion=0" \
    "wsel resourceVersion=$rv2&labelSelector=zone%3Da" \
    "wsie sendInitialEvents=true&allowWatchBookmarks=true\
&resourceVersionMatch=NotOlderThan"
do
	curl -sSN --cacert "$ca" -H "Authorization: Bearer $(cat "$tokf")" \
	    "$wq&${w#* }" >"$tmp/${w%% *}" 2>&1 &
	started "$!"
	wps="$wps $!"
done
for p in $wps; do
	wait "$p"
	forget "$p"
done
is "watch from 0: ADDED for the five current nodes" \
    "ADDED node-1 ADDED node-3 ADDED node-4 ADDED node-5 ADDED node-9" \
    seq_of "$tmp/w0"
is "watch zone=a: node-4 enters (ADDED), node-3 leaves (DELETED)" \
    "ADDED node-4 DELETED node-3" seq_of "$tmp/wsel"
is "watch zone=a: the DELETED node-3 is the one that matched, at the new \
resourceVersion" "a True" "$py" -c '
import json, sys
e = [json.loads(l) for l in open(sys.argv[1])][1]["object"]["metadata"]
print(e["labels"]["zone"], int(e["resourceVersion"]) > int(sys.argv[2]))' \
    "$tmp/wsel" "$rv2"
is "sendInitialEvents: five ADDED, then a BOOKMARK initial-events-end" \
    "ADDED ADDED ADDED ADDED ADDED BOOKMARK true" "$py" -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])][:6]
print(" ".join(e["type"] for e in ev), ev[-1]["object"]["metadata"].get(
    "annotations", {}).get("k8s.io/initial-events-end"))' "$tmp/wsie"

# --- what kubectl asks for: a Table
table='application/json;as=Table;v=v1;g=meta.k8s.io'
api /api/v1/nodes -H "Accept: $table,application/json" >/dev/null
is "Accept as=Table: a Table with a row a node, Name first" \
    "Table 5 Name node-1" js "$tmp/out" '"%s %d %s %s" % (d["kind"],
len(d["rows"]), d["columnDefinitions"][0]["name"], d["rows"][0]["cells"][0])'

# --- control: nodes as JSON bodies
curl -sS -o /dev/null --unix-socket "$ctl_sock" -X POST \
    -d '{"name": "node-7", "podCIDRs": ["10.244.7.0/24"],
"internalIPs": ["192.168.0.7"], "labels": {"zone": "q"}}' \
    http://fake/nodes
api /api/v1/nodes/node-7 >/dev/null
is "control: a node from simple JSON fields" "10.244.7.0/24 q node-7" \
    js "$tmp/out" '"%s %s %s" % (d["spec"]["podCIDR"],
d["metadata"]["labels"]["zone"], d["metadata"]["labels"]
["kubernetes.io/hostname"])'
sed 's/"zone":"q"/"zone":"r"/' "$tmp/out" >"$tmp/node7"
curl -sS -o /dev/null --unix-socket "$ctl_sock" -X POST \
    --data-binary "@$tmp/node7" http://fake/nodes
uid7=$(js "$tmp/out" 'd["metadata"]["uid"]')
api /api/v1/nodes/node-7 >/dev/null
is "control: a node replaced by a Node object keeps its uid" "r $uid7" \
    js "$tmp/out" '"%s %s" % (d["metadata"]["labels"]["zone"],
d["metadata"]["uid"])'
ctl DELETE /nodes/node-7

# --- a client that goes away: the server stays, the watch is closed
curl -sSN --cacert "$ca" -H "Authorization: Bearer $(cat "$tokf")" \
    "$url/api/v1/nodes?watch=1&resourceVersion=$rv2" >/dev/null 2>&1 &
wg=$!
started "$wg"
check "one open watch" wait_for 5 open_watches_is 1
kill "$wg"
wait "$wg" 2>/dev/null
forget "$wg"
check "a client gone: its watch is closed" wait_for 5 open_watches_is 0
is "a client gone: the server still answers" 200 api /api/v1/nodes

# --- a list as it was at an older resourceVersion
api "/api/v1/nodes?resourceVersion=$rv0&resourceVersionMatch=Exact" >/dev/null
is "resourceVersionMatch=Exact: the five nodes as they were at $rv0" \
    "node-1,node-2,node-3,node-4,node-5 10.244.1.0/24 $rv0" js "$tmp/out" \
    '",".join(i["metadata"]["name"] for i in d["items"]) + " " +
d["items"][0]["spec"]["podCIDR"] + " " + d["metadata"]["resourceVersion"]'

# --- compaction: 410 for an old watch (ERROR event) and an old continue
is "list for a continue token: 200" 200 api '/api/v1/nodes?limit=2'
cold=$(js "$tmp/out" 'd["metadata"]["continue"]')
ctl PATCH /nodes/node-3
ctl POST /compact
curl -sSN -m 5 --cacert "$ca" -H "Authorization: Bearer $(cat "$tokf")" \
    "$url/api/v1/nodes?watch=1&resourceVersion=$rv0&timeoutSeconds=30" \
    >"$tmp/w410" 2>&1
is "compacted: a watch from before gets one ERROR 410 Expired and ends" \
    "ERROR 410 Expired" js "$tmp/w410" \
    '"%s %s %s" % (d["type"], d["object"]["code"], d["object"]["reason"])'
is "compacted: an old continue token gets 410" 410 \
    api "/api/v1/nodes?limit=2&continue=$cold"
is "compacted: with a Status of reason Expired" Expired \
    js "$tmp/out" 'd["reason"]'
is "a garbled continue token: 400" 400 api '/api/v1/nodes?continue=xyz'

# --- dropping watches: "close" cuts, "end" finishes the response
rv3=$(stat_of 'd["resourceVersion"]')
# watch3 RV: a watch from RV in the background, its pid in $wpid.
watch3() {
	curl -sSN --cacert "$ca" -H "Authorization: Bearer $(cat "$tokf")" \
	    "$url/api/v1/nodes?watch=1&resourceVersion=$1&timeoutSeconds=60" \
	    >/dev/null 2>&1 &
	wpid=$!
	started "$wpid"
}
watch3 "$rv3"
wd1=$wpid
watch3 "$rv3"
wd2=$wpid
check "two open watches" wait_for 5 open_watches_is 2
ctl POST /drop-watches
is "drop-watches: two dropped" 2 js "$tmp/ctl.out" 'd["dropped"]'
check "drop-watches: both streams end" wait_for 5 sh -c \
    "! kill -0 $wd1 2>/dev/null && ! kill -0 $wd2 2>/dev/null"
wait "$wd1"
check "drop-watches (close): curl sees a cut transfer" [ $? -ne 0 ]
forget "$wd1"
wait "$wd2" 2>/dev/null
forget "$wd2"
watch3 "$rv3"
wd3=$wpid
check "one open watch again" wait_for 5 open_watches_is 1
ctl POST '/drop-watches?how=end'
check "drop-watches (end): the stream ends" wait_for 5 not kill -0 "$wd3"
wait "$wd3"
check "drop-watches (end): a complete response" [ $? -eq 0 ]
forget "$wd3"

watch3 "$rv3"
wd4=$wpid
wait_for 5 open_watches_is 1
curl -sSN --cacert "$ca" -H "Authorization: Bearer $(cat "$tokf")" \
    "$url/api/v1/nodes?watch=1&resourceVersion=$rv3&timeoutSeconds=60" \
    >"$tmp/werr" 2>&1 &
we=$!
started "$we"
wait_for 5 open_watches_is 2
ctl POST '/drop-watches?how=error&status=500'
check "drop-watches (error): the stream ends" wait_for 5 not kill -0 "$we"
forget "$we"
is "drop-watches (error): after an ERROR event with a 500 Status" \
    "ERROR 500 InternalError" js "$tmp/werr" \
    '"%s %s %s" % (d["type"], d["object"]["code"], d["object"]["reason"])'
wait "$wd4" 2>/dev/null
forget "$wd4"

# --- injected failures
ctl POST '/fail?status=500&count=2'
is "fail 500 count 2: first" 500 api /api/v1/nodes
is "fail 500: a Status of reason InternalError" InternalError \
    js "$tmp/out" 'd["reason"]'
is "fail 500 count 2: second" 500 api /api/v1/nodes
is "fail 500 count 2: then 200" 200 api /api/v1/nodes
ctl POST '/fail?status=429&retry-after=7&what=watch'
is "fail 429 for watches only: a list passes" 200 api /api/v1/nodes
is "fail 429: the watch gets 429" 429 api '/api/v1/nodes?watch=1'
check "fail 429: with Retry-After: 7" grep -qi '^retry-after: 7' "$tmp/hdr"
ctl POST '/fail?status=401'
is "fail 401: a valid token gets 401" 401 api /api/v1/nodes
is "fail 401: once" 200 api /api/v1/nodes

answers() {
	[ "$(api /api/v1/nodes -m 1 2>/dev/null)" = 200 ]
}
# --- hanging: accepted, never answered
ctl POST '/hang?seconds=1.5'
curl -sS -o /dev/null -m 1 --cacert "$ca" \
    -H "Authorization: Bearer $(cat "$tokf")" "$url/api/v1/nodes" \
    2>/dev/null
is "hang: the request times out (curl 28)" 28 echo $?
is "hang: counted" 1 stat_of 'd["injected"]["hung"]'
check "hang: answers again after 1.5 s" wait_for 5 answers

ctl POST '/hang?seconds=1.5&stage=tls'
curl -sS -o /dev/null -m 1 --cacert "$ca" \
    -H "Authorization: Bearer $(cat "$tokf")" "$url/api/v1/nodes" \
    2>/dev/null
is "hang before TLS: the request times out (curl 28)" 28 echo $?
check "hang before TLS: answers again after 1.5 s" wait_for 5 answers

# --- token rotation
old=$(cat "$tokf")
ctl POST /rotate-token
check "rotate: the token file changed" [ "$(cat "$tokf")" != "$old" ]
is "rotate: the old token is refused" 401 anon /api/v1/nodes \
    -H "Authorization: Bearer $old"
is "rotate: the new token is accepted" 200 api /api/v1/nodes
old=$(cat "$tokf")
ctl POST '/rotate-token?grace=30&token=tok-two'
is "rotate with grace: the new token is the one asked for" tok-two \
    cat "$tokf"
is "rotate with grace: the old token still works" 200 anon /api/v1/nodes \
    -H "Authorization: Bearer $old"
is "rotate with grace: the new one too" 200 api /api/v1/nodes

# --- IPv6
if [ -n "$url6" ]; then
	is "IPv6: list over [::1]" 200 curl -sS -o /dev/null -w '%{http_code}' \
	    --cacert "$ca" -H "Authorization: Bearer $(cat "$tokf")" \
	    "$url6/api/v1/nodes"
else
	echo "$me: no IPv6 on this host, skipping the [::1] check"
fi

# --- the counters
is "stats: 401s served (no token, a wrong one, injected, rotated out)" 4 \
    stat_of 'd["unauthorized"]'
is "stats: the client certificate was used once" 1 \
    stat_of 'd["auth"]["cert"]'
ctl POST /stats/reset
api '/api/v1/nodes?limit=2' >/dev/null
is "stats after reset: one list, one first page" "1 1 0" \
    stat_of '"%d %d %d" % (d["requests"]["list"],
d["requests"]["list_first"], d["requests"]["watch"])'

# --- kubectl against the kubeconfig
if command -v kubectl >/dev/null 2>&1; then
	k() {
		kubectl --kubeconfig "$tmp/kubeconfig" \
		    --cache-dir "$tmp/kube-cache" --request-timeout 5s "$@"
	}
	k get nodes >"$tmp/k1" 2>&1
	check "kubectl get nodes: exits 0" [ $? -eq 0 ]
	is "kubectl get nodes: the nodes" "node-1 node-3 node-4 node-5 node-9" \
	    eval "awk 'NR > 1 { print \$1 }' '$tmp/k1' | tr '\\n' ' ' | \
sed 's/ \$//'"
	k --context fake-cert get node node-9 -o wide >"$tmp/k2" 2>&1
	is "kubectl (client certificate) get -o wide: node-9's IP and CIDR" \
	    "192.168.0.9 10.244.9.0/24" awk \
	    '$1 == "node-9" { print $(NF - 1), $NF }' "$tmp/k2"
	k get nodes --watch >"$tmp/kw" 2>&1 &
	kw=$!
	started "$kw"
	check "kubectl get nodes --watch: lists the nodes" wait_for 10 \
	    grep -q '^node-9 ' "$tmp/kw"
	check "kubectl --watch: its watch is open" wait_for 5 open_watches_is 1
	n10='name=node-10&podCIDRs=10.244.10.0/24&internalIPs=192.168.0.10'
	ctl POST "/nodes?$n10"
	check "kubectl get nodes --watch: shows node-10 added" wait_for 5 \
	    grep -q '^node-10 ' "$tmp/kw"
	kill "$kw"
	wait "$kw" 2>/dev/null
	forget "$kw"
else
	echo "$me: kubectl not found, skipping the kubectl checks"
fi

# --- SIGTERM ends the server, even with a watch open
curl -sSN --cacert "$ca" -H "Authorization: Bearer $(cat "$tokf")" \
    "$url/api/v1/nodes?watch=1&timeoutSeconds=60" >/dev/null 2>&1 &
wt=$!
started "$wt"
check "a watch open before SIGTERM" wait_for 5 open_watches_is 1
kill -TERM "$srv_pid"
check "SIGTERM: the server exits" wait_for 5 not kill -0 "$srv_pid"
wait "$srv_pid"
is "SIGTERM: exit status 0" 0 echo $?
forget "$srv_pid"
check "SIGTERM: the control socket is removed" [ ! -e "$ctl_sock" ]
check "the server logs one line a request" \
    grep -q 'GET /api/v1/nodes?limit=2 200' "$tmp/server.log"

summary
