#!/bin/bash
# What the agent costs its host while idle: the same host process (tests/bench/idlehost)
# with and without the agent started. RSS delta from /proc/<pid>/status (VmRSS) after the
# agent served a few requests; wake-ups per second as the growth of every thread's
# voluntary + nonvoluntary context switches over a quiet window. Targets: no wake-ups,
# under 2 MiB RSS added.
. "$LMC_SRCDIR/tests/bench/lib.sh"
bench_init idle
bench_need tests/bench/idlehost
WINDOW=${BENCH_IDLE_SECONDS:-5}

# Context switches of every thread of a process, summed.
switches() {
	cat /proc/"$1"/task/*/status 2>/dev/null |
		awk '/^(non)?voluntary_ctxt_switches:/ { s += $2 } END { print s + 0 }'
}
rss_kib() { awk '/^VmRSS:/ { print $2 }' /proc/"$1"/status; }
threads() { awk '/^Threads:/ { print $2 }' /proc/"$1"/status; }

start_host() {
	local name=$1
	shift
	bench_bg "$name" env "$@" "$B/tests/bench/idlehost" "${name#host-}"
	for _ in $(seq 1 200); do
		grep -q '^ready' "$T/$name.log" && return 0
		sleep 0.05
	done
	echo "idle: $name did not start: $(cat "$T/$name.log")" >&2
	exit 1
}

mkdir -p "$T/i"
start_host host-none
NONE=$LAST_PID
start_host host-agent LMCACHE_INTERNAL_API_SERVER_ENABLED=true \
	LMCACHE_INTERNAL_API_SERVER_SOCKET_PATH_PREFIX="$T/i/s"
AGENT=$LAST_PID
bench_wait_http http://localhost/healthcheck --unix-socket "$T/i/s_6999"
# Served traffic first: idle means after work, not just after start.
for p in /metrics /version /conf /loglevel /threads /env /healthcheck; do
	curl -s -o /dev/null --unix-socket "$T/i/s_6999" "http://localhost$p"
done
sleep 1 # let the connections close and the server threads go back to sleep

a0=$(switches "$AGENT")
n0=$(switches "$NONE")
sleep "$WINDOW"
a1=$(switches "$AGENT")
n1=$(switches "$NONE")
ra=$(rss_kib "$AGENT")
rn=$(rss_kib "$NONE")

echo "workload: idle host ${WINDOW}s after serving 7 requests; agent threads: $(threads "$AGENT")"
wa=$(awk -v d=$((a1 - a0)) -v w="$WINDOW" 'BEGIN { printf "%.1f", d / w }')
wn=$(awk -v d=$((n1 - n0)) -v w="$WINDOW" 'BEGIN { printf "%.1f", d / w }')
bench_row "agent idle: wake-ups/s" "idle ${WINDOW}s, all threads' context switches" \
	wakeups/s "$wa" "no agent" "$wn" max 0
bench_row "agent idle: RSS added" "VmRSS with agent ($ra KiB) minus without" KiB \
	$((ra - rn)) "no agent" "$rn" max 2048
