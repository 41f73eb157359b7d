# What the namespace benchmarks share. A script sets me (its name), tmp
# (its directory), nss (the namespaces it makes) and pids (the processes
# it starts, reaped on exit) before these run.

# bench_need PROGRAM...: root, ip(8) and the programs built; exits 77 or
# 99 otherwise.
bench_need() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "$me: needs root" >&2
		exit 77
	fi
	for _bp in "$@"; do
		if [ ! -x "$_bp" ]; then
			echo "$me: $_bp not built" >&2
			exit 99
		fi
	done
	command -v ip >/dev/null 2>&1 || { echo "$me: needs ip(8)" >&2; exit 77; }
}

# bench_cleanup: the processes started here and the namespaces made here
# go; the logs too unless BENCH_KEEP is set. For trap EXIT.
bench_cleanup() {
	for _bp in $pids; do
		kill "$_bp" 2>/dev/null
	done
	for _bp in $pids; do
		wait "$_bp" 2>/dev/null
	done
	for _bn in $nss; do
		ip netns del "$_bn" 2>/dev/null
	done
	if [ -n "${BENCH_KEEP:-}" ]; then
		echo "$me: logs kept in $tmp"
	else
		rm -rf "$tmp"
	fi
}

# stop P [SIGNAL]: signals and reaps one process started here.
stop() {
	kill "-${2:-TERM}" "$1" 2>/dev/null
	{ wait "$1"; } 2>/dev/null
	pids=$(echo " $pids " | sed "s/ $1 / /")
}

# wait_for SECONDS COMMAND...: polls COMMAND every 0.02 s until it succeeds.
wait_for() {
	_bl=$(($1 * 50))
	shift
	_bi=0
	until "$@" >/dev/null 2>&1; do
		_bi=$((_bi + 1))
		[ "$_bi" -ge "$_bl" ] && return 1
		sleep 0.02
	done
}

# die MESSAGE: says it, shows the tail of every log, exits 1.
die() {
	echo "$me: $*" >&2
	for _bf in "$tmp"/*.log "$tmp"/*.out "$tmp"/*.count; do
		[ -f "$_bf" ] || continue
		echo "--- $_bf" >&2
		tail -20 "$_bf" >&2
	done
	exit 1
}

# secs A B: seconds between two CLOCK_REALTIME ns stamps.
secs() {
	echo "$1 $2" | awk '{ printf "%.3f", ($2 - $1) / 1e9 }'
}

# val FILE WORD KEY: key=value from the file's line starting with WORD.
val() {
	sed -n "s/^$2 .*$3=\([^ ]*\).*/\1/p" "$1" | head -1
}
