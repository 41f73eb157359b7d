#!/bin/sh
# Golden tests of the configuration loader (OpenBGPD regress style):
#   NN.yaml      loads; its normalised form (-v) must equal NN.ok, and
#                loading that output again must print it unchanged;
#   bad-NN.yaml  fails; its messages must equal bad-NN.err.
# etc/podbgpd.yaml must load and round-trip too. Messages name the files as
# given, so the test runs from the source directory and the .err files stay
# free of build paths. UPDATE_GOLDEN=1 rewrites the .ok and .err files.
# The checker is the daemon itself, podbgpd -n [-v] -f FILE. make check
# sets RUNSTATEDIR to the directory compiled into podbgpd (both come from
# $(runstatedir)); by hand: RUNSTATEDIR=/run tests/conf/run.sh.
set -u

: "${srcdir:=.}"
here=$(pwd)
podbgpd=${PODBGPD:-$here/src/podbgpd/podbgpd}
if [ ! -x "$podbgpd" ]; then
	echo "run.sh: $podbgpd not built" >&2
	exit 99
fi
if [ -z "${RUNSTATEDIR:-}" ]; then
	echo "run.sh: set RUNSTATEDIR to the configured runstatedir" >&2
	exit 99
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/podbgp-conf.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "$srcdir/tests/conf" || exit 99

# The defaults contain the configured run-state directory: hide it.
rundir=$RUNSTATEDIR
hide() {
	sed "s|\"$rundir/|\"@RUNSTATEDIR@/|"
}

fail=0
n=0
bad() {
	echo "FAIL: $*"
	fail=$((fail + 1))
}

# Loads $1, compares with $2 (if given), and checks the output reparses.
good() {
	n=$((n + 1))
	if ! "$podbgpd" -n -v -f "$1" >"$tmp/out" 2>"$tmp/err"; then
		bad "$1 does not load:"
		cat "$tmp/err"
		return
	fi
	hide <"$tmp/out" >"$tmp/shown"
	if [ -n "${2:-}" ]; then
		if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
			cp "$tmp/shown" "$2"
		elif ! diff -u "$2" "$tmp/shown"; then
			bad "$1: normalised output differs from $2"
		fi
	fi
	if ! "$podbgpd" -n -v -f "$tmp/out" >"$tmp/again" 2>"$tmp/err"; then
		bad "$1: normalised output does not load again:"
		cat "$tmp/err"
	elif ! cmp -s "$tmp/out" "$tmp/again"; then
		bad "$1: normalised output changes when loaded again"
		diff -u "$tmp/out" "$tmp/again"
	fi
}

for f in [0-9][0-9].yaml; do
	good "$f" "${f%.yaml}.ok"
done
good ../../etc/podbgpd.yaml

for f in bad-[0-9][0-9].yaml; do
	n=$((n + 1))
	exp=${f%.yaml}.err
	"$podbgpd" -n -f "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne 1 ]; then
		bad "$f: exit status $rc, expected 1"
	fi
	if [ -s "$tmp/out" ]; then
		bad "$f: printed on stdout"
	fi
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		cp "$tmp/err" "$exp"
	elif ! diff -u "$exp" "$tmp/err"; then
		bad "$f: messages differ from $exp"
	fi
done

echo "conf golden tests: $n files, $fail failed"
[ "$fail" -eq 0 ]
