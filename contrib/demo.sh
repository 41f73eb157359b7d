#!/bin/sh
# The demo, as far as podbgp goes today: BIRD 2, FRR and GoBGP peer with
# each other in network namespaces made for this run (IPv4 and IPv6, eBGP
# and iBGP, add-path, graceful restart, route refresh, withdrawals and a
# shutdown with a message), the sessions are recorded, and podbgp's codec
# decodes every message of them. Installs its dependencies and builds.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
"$top/contrib/install-deps.sh"

build=$top/build/demo
if [ ! -x "$build/src/tools/podbgp-decode" ]; then
	[ -x "$top/configure" ] || autoreconf -fi >/dev/null
	mkdir -p "$build"
	(cd "$build" && "$top/configure" -q && make -s -j"$(nproc)")
fi
decode=$build/src/tools/podbgp-decode

tmp=$(mktemp -d /tmp/podbgp-demo.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "== starting BIRD, FRR and GoBGP in namespaces; recording their sessions"
"$top/tests/data/sessions/record.sh" -o "$tmp" -t 60 >"$tmp/record.log" 2>&1 || {
	cat "$tmp/record.log"
	exit 1
}
grep -E '^(recorded|wrote|session)' "$tmp/record.log" || true

show() {
	printf '\n== %s, as podbgp decodes it\n' "$1"
	"$decode" "$tmp/$1.bgp" "$tmp/$2.bgp"
}
# Two sessions in full: IPv4 with add-path and extended messages, and IPv6
# with global + link-local next hops.
show bird-to-frr-v4 frr-to-bird-v4
show frr-to-bird-v6 bird-to-frr-v6

printf '\n== every recorded direction, summarised\n'
rc=0
for f in "$tmp"/*.bgp; do
	name=$(basename "$f" .bgp)
	rev=$(echo "$name" | sed -E 's/^([a-z]+)-to-([a-z]+)(.*)$/\2-to-\1\3/')
	"$decode" -q "$f" "$tmp/$rev.bgp" | sed "s|$tmp/||" || rc=1
done
[ $rc -eq 0 ] && echo "demo: every message decoded without error" ||
    echo "demo: some messages failed to decode (see above)"
exit $rc
