# Shared helpers for the bats tests. Load with:  load ../helpers/common
# Every test gets its own temp dir ($T, short enough for unix socket paths) and its
# background processes are stopped in teardown, so files can run in parallel.

bats_lib=${BATS_LIB_DIR:-/usr/lib/bats}
load "$bats_lib/bats-support/load"
load "$bats_lib/bats-assert/load"

: "${LMC_BUILDDIR:?run the tests through make check}"
: "${LMC_SRCDIR:?run the tests through make check}"
# Debian's tools (what scripts/check installs) before any a user put ahead of them: pyenv's
# python3 shim costs 0.35 s a call, and free_port alone calls it in every test.
export PATH="$LMC_BUILDDIR/src/demo:$LMC_BUILDDIR/src/frontend:$LMC_BUILDDIR/src/discovery:$LMC_BUILDDIR/cli:$LMC_BUILDDIR/tui:/usr/bin:/bin:$PATH"
FIXTURES="$LMC_SRCDIR/tests/fixtures"
# The built shim that contains plugins and /run_script scripts (not the installed one).
export LMCACHE_PLUGIN_SHIM="$LMC_BUILDDIR/src/agent/lmcache-plugin-shim"

# install_locked [-s] CMD...: CMD under the build tree's install lock, exclusive (or shared
# with -s). `make install` relinks the Python module in place (libtool moves
# src/python/.libs/lmcagent.so aside for the time of the link), so the tests that install
# hold the lock and the Python tests copy the module out under it (helpers/python.bash).
install_locked() {
	local mode=-x
	[ "$1" = -s ] && { mode=-s; shift; }
	mkdir -p "$LMC_BUILDDIR/tests"
	flock "$mode" -w 120 "$LMC_BUILDDIR/tests/install.lock" "$@"
}

# Creates $T and an empty list of background pids. Call from setup().
lmc_setup() {
	T=$(mktemp -d /tmp/lmc.XXXXXX)
	: >"$T/pids"
}

# Stops everything lmc_bg started (TERM, then KILL), then removes $T. Call from teardown().
lmc_teardown() {
	[ -n "${T:-}" ] || return 0
	local pid
	while read -r pid; do kill -TERM "$pid" 2>/dev/null; done <"$T/pids"
	for _ in $(seq 1 20); do
		lmc_any_alive || break
		sleep 0.1
	done
	while read -r pid; do kill -KILL "$pid" 2>/dev/null; done <"$T/pids"
	rm -rf "$T"
}

# lmc_teardown_checked: stops everything lmc_bg started with SIGTERM and waits, fails when a
# program reported a sanitizer error (ASan/UBSan/TSan print at exit, into its log), then
# cleans up as lmc_teardown does. For tests of programs built with --enable-sanitizers.
lmc_teardown_checked() {
	[ -n "${T:-}" ] || return 0
	local pid log bad=0
	while read -r pid; do kill -TERM "$pid" 2>/dev/null; done <"$T/pids"
	wait_until 10 eval '! lmc_any_alive' || true
	for log in "$T"/*.log; do
		[ -f "$log" ] || continue
		if grep -Eq 'ERROR: (Address|Leak|Thread)Sanitizer|runtime error:' "$log"; then
			echo "sanitizer report in $log:" >&2
			head -40 "$log" >&2
			bad=1
		fi
	done
	lmc_teardown
	return "$bad"
}

# lmc_bg_report: to stderr, each process lmc_bg started, whether it still runs and the end
# of its log; what a failed wait prints, so a start that failed once in CI explains itself.
lmc_bg_report() {
	local f name pid
	[ -n "${T:-}" ] || return 0
	for f in "$T"/*.pid; do
		[ -f "$f" ] || continue
		name=${f##*/}
		name=${name%.pid}
		pid=$(cat "$f")
		if kill -0 "$pid" 2>/dev/null; then
			echo "== $name (pid $pid) runs; its log ends:" >&2
		else
			echo "== $name (pid $pid) has exited; its log ends:" >&2
		fi
		tail -n 15 "$T/$name.log" >&2 2>/dev/null
	done
}

# traced PID: strace (or another tracer) is attached to PID.
traced() { [ "$(awk '/^TracerPid:/ { print $2 }' "/proc/$1/status")" != 0 ]; }

lmc_any_alive() {
	local pid
	while read -r pid; do kill -0 "$pid" 2>/dev/null && return 0; done <"$T/pids"
	return 1
}

# lmc_bg NAME CMD...: runs CMD in the background, output in $T/NAME.log, pid in $T/NAME.pid.
lmc_bg() {
	local name=$1
	shift
	# 3>&-: bats reads TAP from fd 3; a process left holding it would hang the harness.
	"$@" >"$T/$name.log" 2>&1 3>&- &
	echo $! >"$T/$name.pid"
	echo $! >>"$T/pids"
}

# A TCP port on 127.0.0.1 that is free now and handed to no other caller soon after.
# Ports come from 20000-31999, below the kernel's ephemeral range (so no client
# connection can take one between this call and the server's bind), in turn from a
# counter shared by every test on the machine under a lock (so two tests running in
# parallel never get the same port, as they could with bind(0)).
free_port() {
	python3 - "${LMC_PORT_FILE:-/tmp/lmc-test-ports}" <<'PY'
import fcntl, os, socket, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o666)
fcntl.flock(fd, fcntl.LOCK_EX)
last = os.read(fd, 16).decode().strip()
port = int(last) if last.isdigit() else 20000 + os.getpid() % 12000
for _ in range(12000):
    port = port + 1 if port < 31999 else 20000
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
        break
    except OSError:
        pass
    finally:
        s.close()
os.lseek(fd, 0, 0)
os.ftruncate(fd, 0)
os.write(fd, str(port).encode())
print(port)
PY
}

# wait_for_socket PATH [SECONDS]: until a unix socket exists.
wait_for_socket() {
	local i
	for i in $(seq 1 $((${2:-10} * 20))); do
		[ -S "$1" ] && return 0
		sleep 0.05
	done
	echo "socket $1 did not appear" >&2
	lmc_bg_report
	return 1
}

# wait_for_http URL [SECONDS] [curl args...]: until URL answers at all.
wait_for_http() {
	local url=$1 secs=${2:-10} i
	shift 2 2>/dev/null || shift $#
	for i in $(seq 1 $((secs * 20))); do
		curl -s -o /dev/null --max-time 1 "$@" "$url" && return 0
		sleep 0.05
	done
	echo "$url did not answer" >&2
	lmc_bg_report
	return 1
}

# json_true FILTER [jq options...]: stdin is a JSON document on which FILTER is true. Not
# `jq -e` alone, which succeeds on no input at all (a server not listening yet, curl -s).
json_true() {
	local filter=$1
	shift
	jq -en "$@" "input | ($filter)" >/dev/null
}

# wait_until SECONDS CMD...: until CMD succeeds, trying every 50 ms, SECONDS * 20 tries at
# most. A busy machine makes each try take longer, and the wait with it (that patience is
# what keeps the suite steady under load), but never past 3 x SECONDS of wall time: a
# command that itself takes seconds (a request to a frozen server) cannot stretch a wait of
# 10 s into minutes.
wait_until() {
	local secs=$1 tries=$(($1 * 20)) end
	shift
	end=$((${EPOCHREALTIME/./} + secs * 3000000))
	while :; do
		"$@" && return 0
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] && [ "${EPOCHREALTIME/./}" -lt "$end" ] || return 1
		sleep 0.05
	done
}

# promtool_check FILE: `promtool check metrics` must parse FILE. LMCache's own metric names
# contain ':' (lmcache:num_hit_tokens), which promtool's linter flags as a naming style
# problem (exit 3); that lint, and only that one, is accepted. Parse errors (exit 1) and
# every other lint fail.
promtool_check() {
	[ -n "${PROMTOOL:-}" ] || skip "promtool not installed"
	local out rc=0
	out=$("$PROMTOOL" check metrics <"$1" 2>&1) || rc=$?
	[ "$rc" -eq 0 ] && return 0
	if [ "$rc" -eq 3 ] && ! printf '%s\n' "$out" | grep -v "metric names should not contain ':'" | grep -q .; then
		return 0
	fi
	printf 'promtool rejected %s (exit %d):\n%s\n' "$1" "$rc" "$out" >&2
	return 1
}
