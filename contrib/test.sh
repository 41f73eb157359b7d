#!/bin/sh
# The whole test suite, as the README's second command and CI run it:
#   1. a -Werror build: make check, then make distcheck (which runs the
#      tests that need no network namespaces: the namespace suites have
#      just run from the same sources, and run again in stage 2)
#   2. the same tests built with AddressSanitizer + UndefinedBehaviorSanitizer
#   3. every libFuzzer target for FUZZ_SECONDS (default 30) each
# Installs its dependencies first. Prints each stage's summary and a final
# "N passed, N failed" line over every test run.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)
fuzz_seconds=${FUZZ_SECONDS:-30}
passed=0
failed=0

"$top/contrib/install-deps.sh"

stage() { printf '\n=== %s ===\n' "$*"; }

# Adds the results of one build's make check to the totals and prints its
# summaries: each Check runner counts its cases, every other test counts one.
# "PASSED FAILED" from an integration script's last summary line, which is
# "NAME: N checks passed", "NAME: F of N checks failed" or
# "NAME: N checks, F failed"; nothing if it printed none.
script_counts() {
	sed -n -e 's/.*: \([0-9][0-9]*\) checks passed$/\1 0/p' \
	    -e 's/.*: \([0-9][0-9]*\) of \([0-9][0-9]*\) checks failed$/\2 \1/p' \
	    -e 's/.*: \([0-9][0-9]*\) checks, \([0-9][0-9]*\) failed$/\1 \2/p' \
	    "$1" | tail -n 1 | awk '{ print $1 - $2, $2 }'
}

tally() {
	dir=$1
	for trs in $(find "$dir/tests" "$dir/man" -name '*.trs' 2>/dev/null); do
		log=${trs%.trs}.log
		line=$(grep -h 'Checks:' "$log" 2>/dev/null | tail -n 1)
		if [ -n "$line" ]; then
			# a Check runner: count its cases
			echo "$(basename "$log" .log): $line"
			n=$(echo "$line" | sed -n 's/.*Checks: \([0-9]*\).*/\1/p')
			f=$(echo "$line" | sed -n 's/.*Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2/p')
			bad=$(( ${f% *} + ${f#* } ))
			passed=$((passed + n - bad))
			failed=$((failed + bad))
		elif counts=$(script_counts "$log") && [ -n "$counts" ]; then
			# an integration script: count its checks
			echo "$(basename "$log" .log): ${counts% *} passed, ${counts#* } failed"
			passed=$((passed + ${counts% *}))
			failed=$((failed + ${counts#* }))
			grep -q '^:test-result: PASS' "$trs" ||
			    [ "${counts#* }" -gt 0 ] || failed=$((failed + 1))
		elif grep -q '^:test-result: PASS' "$trs"; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
		fi
	done
}

run_check() {
	dir=$1
	shift
	rm -rf "$dir"
	mkdir -p "$dir"
	(cd "$dir" && "$top/configure" -q "$@" && make -s -j"$jobs" &&
	    make -s -j"$jobs" check) || rc=$?
	tally "$dir"
	if [ "${rc:-0}" -ne 0 ]; then
		cat "$dir/test-suite.log" 2>/dev/null | tail -n 60
		echo "make check failed in $dir" >&2
		summary
		exit 1
	fi
}

summary() {
	printf '\ntotal: %d passed, %d failed\n' "$passed" "$failed"
}

stage "bootstrap"
autoreconf -fi >/dev/null 2>&1 || autoreconf -fi

stage "build with -Werror, make check"
run_check build/werror --enable-werror

stage "make distcheck"
distcheck_tests="tests/unit/check_unit tests/daemon/check_log \
    tests/conf/run.sh man/lint.sh tests/integration/daemon.sh"
(cd build/werror && make -s -j"$jobs" distcheck \
    DISTCHECK_CONFIGURE_FLAGS=--enable-werror TESTS="$distcheck_tests" \
    >distcheck.log 2>&1) || {
	tail -n 60 build/werror/distcheck.log
	echo "make distcheck failed" >&2
	failed=$((failed + 1))
	summary
	exit 1
}
grep -h 'archives ready for distribution' -A 2 build/werror/distcheck.log || true
passed=$((passed + 1))

stage "AddressSanitizer + UndefinedBehaviorSanitizer, make check"
run_check build/asan --enable-sanitizers --enable-werror

stage "fuzzing, ${fuzz_seconds}s per target"
rm -rf build/fuzz
mkdir -p build/fuzz
(cd build/fuzz && "$top/configure" -q --enable-fuzzers CC=clang &&
    make -s -j"$jobs" fuzzers)
for bin in build/fuzz/tests/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	target=${name#fuzz_}
	work=build/fuzz/corpus-$target
	mkdir -p "$work"
	cp "tests/fuzz/corpus/$target"/* "$work"/ 2>/dev/null || true
	if "$bin" -max_total_time="$fuzz_seconds" -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 "$work" \
	    >build/fuzz/$name.log 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
		    build/fuzz/$name.log)
		echo "PASS: $name ($runs runs in ${fuzz_seconds}s, no finding)"
		passed=$((passed + 1))
	else
		tail -n 40 build/fuzz/$name.log
		echo "FAIL: $name"
		failed=$((failed + 1))
	fi
done

summary
[ "$failed" -eq 0 ]
