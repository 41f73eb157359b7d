#!/bin/sh
# kube.c, the API client, against tests/kube/fake_apiserver.py on
# 127.0.0.1 (no root needed), through tests/daemon/kube_drive, which
# prints one line per node change and per state change: the first list in
# pages, live add/change/delete, a bad node keeping its last good record,
# watches that end or are cut (resumed from the resourceVersion, no
# list), compaction (410, one relist, no change reported), 500s and 429
# (back-off, Retry-After, nothing lost), a server that hangs, a rotated
# token (401, read again, OK), client-certificate auth and the -data
# forms of the kubeconfig. Needs python3, openssl and curl.
set -u
me=kube_client.sh
srcdir=${srcdir:-$(dirname "$0")/../..}
. "$srcdir/tests/integration/lib.sh"

drive=${KUBE_DRIVE:-$(pwd)/tests/daemon/kube_drive}
fake=$srcdir/tests/kube/fake_apiserver.py
need_exec "$drive"
for p in python3 openssl curl; do
	if ! command -v "$p" >/dev/null 2>&1; then
		echo "$me: $p not found, skipping" >&2
		exit 77
	fi
done
make_tmp kube

python3 "$fake" --listen 127.0.0.1:0 --certdir "$tmp" \
    --kubeconfig "$tmp/kubeconfig" --ready "$tmp/ready" \
    --control "$tmp/ctl" --generate 7 --bookmark-interval 1 \
    2>"$tmp/server.log" &
started $!
wait_for 15 test -s "$tmp/ready" || { echo "$me: no fake server"; exit 99; }

# The driver's own copy of the token, so the test decides when it sees a
# new one.
cp "$tmp/token" "$tmp/mytoken"
sed "s|tokenFile: .*|tokenFile: $tmp/mytoken|" "$tmp/kubeconfig" \
    >"$tmp/kc"

ctl() {
	curl -sf --unix-socket "$tmp/ctl" -X "$1" "http://x$2"
}
# stat EXPR: a field of the server's counts, e.g. stat "['requests']['list']"
sstat() {
	ctl GET /stats | python3 -c "import json,sys; \
print(json.load(sys.stdin)$1)"
}
# has FILE REGEX / count FILE REGEX: lines of the driver's output
has() {
	grep -Eq -- "$2" "$1"
}
count() {
	grep -Ec -- "$2" "$1"
}
last_state() {
	grep '^state ' "$tmp/out" | tail -n 1
}
state_is() {
	last_state | grep -Eq -- "$1"
}
# changes: how many node lines (add, change, del, nodes) so far
changes() {
	count "$tmp/out" '^(add|change|del|nodes) '
}
# watch_open: the server streams a watch to the client (a request that
# hangs or fails is not one)
watch_open() {
	[ "$(sstat "['open_watches']")" -eq 1 ]
}
# watches_at_least N: N watch requests so far, and one streaming
watches_at_least() {
	[ "$(sstat "['requests']['watch']")" -ge "$1" ] && watch_open
}
# cut_watch: the server cuts the watch; returns once the client saw it
cut_watch() {
	cw=$(count "$tmp/out" '^state backoff ')
	ctl POST '/drop-watches?how=close' >/dev/null
	wait_for 5 sh -c "[ \$(grep -c '^state backoff ' '$tmp/out') -gt $cw ]"
}
failed_at_least() {
	[ "$(sstat "['injected']['failed']")" -ge "$1" ]
}
now_ms() {
	date +%s%3N
}
drive_pid=""
start_drive() {
	out=$1
	shift
	"$drive" "$@" >"$out" 2>>"$tmp/drive.err" &
	drive_pid=$!
	started $drive_pid
}
stop_drive() {
	kill "$1"
	wait "$1"
	rc=$?
	forget "$1"
	return $rc
}

# --- the first list, in pages of 3
start_drive "$tmp/out" -p 3 -w 30 -b 100 -B 800 -s 2 "$tmp/kc"
main=$drive_pid
check "the first list gives 7 nodes" \
    wait_for 10 has "$tmp/out" '^nodes 7$'
check "every node with its pod CIDR and InternalIP" \
    [ "$(count "$tmp/out" '^add node-[1-7] 10\.244\.[1-7]\.0/24 192\.168\.0\.[1-7] ')" -eq 7 ]
check "in 3 pages of at most 3" [ "$(sstat "['requests']['list']")" -eq 3 ]
check "then watching, synced, from the list's resourceVersion" \
    wait_for 5 state_is '^state watching synced=yes lists=1 relists=0 watches=1 .* rv=8 '

# --- changes as they happen
ctl POST '/nodes?name=n8&podCIDRs=10.244.8.0/24&internalIPs=192.168.0.8' \
    >/dev/null
check "a new node is added" \
    wait_for 5 has "$tmp/out" '^add n8 10\.244\.8\.0/24 192\.168\.0\.8 '
ctl PATCH '/nodes/node-1?podCIDRs=10.9.0.0/24' >/dev/null
check "a changed pod CIDR is a change" \
    wait_for 5 has "$tmp/out" '^change node-1 10\.9\.0\.0/24 192\.168\.0\.1 '
ctl DELETE /nodes/node-2 >/dev/null
check "a deleted node goes" wait_for 5 has "$tmp/out" '^del node-2$'
check "7 nodes" wait_for 5 has "$tmp/out" '^nodes 7$'
# a heartbeat (MODIFIED with nothing podbgp uses) and a bad value: no
# change; then a real one, to know the others were seen
c0=$(changes)
ctl PATCH /nodes/node-3 >/dev/null
ctl PATCH '/nodes/node-4?podCIDRs=10.244.4.1/24' >/dev/null
ctl PATCH '/nodes/node-5?labels=zone=b' >/dev/null
check "a label change is a change" \
    wait_for 5 has "$tmp/out" '^change node-5 .*zone=b'
check "a heartbeat and a bad pod CIDR change nothing" \
    [ "$(changes)" -eq $((c0 + 2)) ]
check "the bad node is named in the log, its last record kept" \
    has "$tmp/drive.err" 'node node-4: .*keeping its last good record'

# --- a watch that ends normally is renewed from where it was
l0=$(sstat "['requests']['list']")
w0=$(sstat "['requests']['watch']")
ctl POST '/drop-watches?how=end' >/dev/null
check "a watch that ends is renewed" \
    wait_for 5 watches_at_least $((w0 + 1))
check "with one watch more and no list" \
    [ "$(sstat "['requests']['watch']")" -eq $((w0 + 1)) -a \
    "$(sstat "['requests']['list']")" -eq "$l0" ]
check "and no back-off" not state_is '^state backoff'

# --- a watch cut off: back-off, then resumed from the resourceVersion;
# a node added meanwhile arrives through it
ctl POST '/drop-watches?how=close' >/dev/null
ctl POST '/nodes?name=n9&podCIDRs=10.244.9.0/24&internalIPs=192.168.0.9' \
    >/dev/null
check "a cut watch: backing off" \
    wait_for 5 has "$tmp/out" '^state backoff .*error=watch: '
check "then watching again, without a list" \
    wait_for 5 state_is '^state watching .*lists=1 relists=0 '
check "the node added meanwhile arrives" \
    wait_for 5 has "$tmp/out" '^add n9 10\.244\.9\.0/24 '
check "no list was made" [ "$(sstat "['requests']['list']")" -eq "$l0" ]

# --- compaction while the client is away: its watch gets 410, it lists
# again, and since only a heartbeat happened meanwhile nothing is reported
c0=$(changes)
lf0=$(sstat "['requests']['list_first']")
ctl POST '/fail?status=503&count=1&retry-after=1&what=watch' >/dev/null
ctl POST '/drop-watches?how=close' >/dev/null
wait_for 5 has "$tmp/out" '^state backoff .*error=watch: HTTP 503'
ctl PATCH /nodes/node-6 >/dev/null
ctl POST /compact >/dev/null
check "after compaction the watch gets 410 and lists again" \
    wait_for 10 state_is '^state watching .*lists=2 relists=1 '
check "one new list" [ "$(sstat "['requests']['list_first']")" -eq $((lf0 + 1)) ]
check "that finds what was known: no change, no callback" \
    [ "$(changes)" -eq "$c0" ]
check "the bad node's last good record is still kept" \
    [ "$(count "$tmp/drive.err" 'node node-4: .*keeping its last good record')" -eq 2 ]

# --- 500s: back-off, nothing lost, then back
c0=$(changes)
ctl POST '/fail?status=500&count=3&what=watch,list' >/dev/null
ctl POST '/drop-watches?how=close' >/dev/null
check "500s: backing off with the server's message" \
    wait_for 5 has "$tmp/out" '^state backoff .*error=watch: HTTP 500'
check "3 failures served" wait_for 10 failed_at_least 3
check "watching again after them" wait_for 10 watch_open
check "nothing withdrawn meanwhile" [ "$(changes)" -eq "$c0" ]

# --- 429 with Retry-After: 1: waits at least that long
ctl POST '/fail?status=429&count=1&retry-after=1&what=watch' >/dev/null
t0=$(now_ms)
ctl POST '/drop-watches?how=close' >/dev/null
check "429: backing off" \
    wait_for 5 has "$tmp/out" '^state backoff .*error=watch: HTTP 429'
wait_for 10 watch_open
t1=$(now_ms)
check "Retry-After honoured (back after $((t1 - t0)) ms)" \
    [ $((t1 - t0)) -ge 950 ]
check "nothing withdrawn meanwhile" [ "$(changes)" -eq "$c0" ]

# --- a server that accepts and never answers: the stall is seen
e0=$(last_state | sed 's/.* errors=\([0-9]*\) .*/\1/')
ctl POST '/hang?seconds=3&what=watch' >/dev/null
ctl POST '/drop-watches?how=close' >/dev/null
check "a hanging server is given up on and retried" \
    wait_for 15 has "$tmp/out" '^state backoff .*error=watch: Operation too slow'
check "watching again once it answers" wait_for 15 watch_open
check "nothing withdrawn meanwhile" [ "$(changes)" -eq "$c0" ]

# --- token rotation. First the file changes under the client: it sees
# that at the next request and never gets a 401.
u0=$(sstat "['unauthorized']")
tok=$(ctl POST /rotate-token | python3 -c \
    "import json,sys; print(json.load(sys.stdin)['token'])")
printf '%s\n' "$tok" >"$tmp/mytoken.new"
mv "$tmp/mytoken.new" "$tmp/mytoken"
cut_watch
check "a rotated token file is read before the next request" \
    wait_for 10 watch_open
check "with no 401" [ "$(sstat "['unauthorized']")" -eq "$u0" ]
# Then a token rotated without the file looking changed (same inode,
# size and mtime): the 401 makes the client read it again at once.
tok=$(ctl POST /rotate-token | python3 -c \
    "import json,sys; print(json.load(sys.stdin)['token'])")
python3 - "$tmp/mytoken" "$tok" <<'EOF'
import os, sys
st = os.stat(sys.argv[1])
with open(sys.argv[1], "r+") as f:
    f.write(sys.argv[2] + "\n")
    f.truncate()
os.utime(sys.argv[1], ns=(st.st_atime_ns, st.st_mtime_ns))
EOF
n401=$(count "$tmp/drive.err" 'reading the token file again')
ctl POST '/drop-watches?how=close' >/dev/null
check "a 401: the token file is read again at once" \
    wait_for 10 sh -c "[ \$(grep -c 'reading the token file again' \
'$tmp/drive.err') -gt $n401 ]"
check "and the watch goes on with the new token" wait_for 10 watch_open
check "one 401 only" [ "$(sstat "['unauthorized']")" -eq $((u0 + 1)) ]
check "no 401 reported as an error" not has "$tmp/out" 'error=watch: HTTP 401'
check "nothing withdrawn through all that" [ "$(changes)" -eq "$c0" ]
check "no token in any output" \
    not grep -qF -- "$tok" "$tmp/out" "$tmp/drive.err"

# --- client certificate; then the CA and the credentials as -data
start_drive "$tmp/out.cert" -c fake-cert "$tmp/kubeconfig"
# a fresh client never saw node-4 good: 7 nodes
check "client-certificate authentication lists the nodes" \
    wait_for 10 has "$tmp/out.cert" '^nodes 7$'
check "by certificate" [ "$(sstat "['auth']['cert']")" -ge 1 ]
check "the first driver stops cleanly" stop_drive "$drive_pid"
start_drive "$tmp/out.data" -c fake-data "$tmp/kubeconfig"
check "certificate-authority-data and client-*-data work" \
    wait_for 10 has "$tmp/out.data" '^nodes 7$'
check "the second driver stops cleanly" stop_drive "$drive_pid"

# --- in-cluster: the service account directory and the environment
mkdir "$tmp/sa"
cp "$tmp/ca.crt" "$tmp/sa/ca.crt"
cp "$tmp/mytoken" "$tmp/sa/token"
port=$(sed -n '1s|.*:\([0-9]*\)$|\1|p' "$tmp/ready")
KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT=$port \
    PODBGP_SERVICEACCOUNT_DIR=$tmp/sa start_drive "$tmp/out.sa" -
check "in-cluster, from the service account, lists the nodes" \
    wait_for 10 has "$tmp/out.sa" '^nodes 7$'
check "the in-cluster driver stops cleanly" stop_drive "$drive_pid"
KUBERNETES_SERVICE_HOST= "$drive" - >/dev/null 2>"$tmp/nosa.err"
check "outside a pod without a kubeconfig: an error, exit 1" [ $? -eq 1 ]
check "that says what to do" has "$tmp/nosa.err" "set 'kubeconfig' in 'nodes'"

check "the main driver stops cleanly" stop_drive "$main"
check "and says so" has "$tmp/out" '^stopped$'
check "no sanitizer report" \
    not grep -Eq 'runtime error|AddressSanitizer|LeakSanitizer' \
    "$tmp/drive.err"

if [ "$fail" -ne 0 ]; then
	echo "--- driver output"
	cat "$tmp/out"
	echo "--- driver log"
	tail -n 40 "$tmp/drive.err"
	echo "--- server log"
	tail -n 40 "$tmp/server.log"
	echo "$me: $fail of $n checks failed"
	exit 1
fi
echo "$me: $n checks passed"
exit 0
