#!/bin/bash
# Soak: the three daemons under steady load for SOAK_SECONDS each (default 20), then their
# resident memory (VmRSS) and open descriptors compared with before the load. A daemon
# that grows per request shows here. Load: the agent's /metrics and /version (unix socket),
# the frontend's /proxy2 and merged /metrics (TCP, 4 nodes), the registry's heartbeats and
# listings (TCP). Targets: RSS at most 1.5x, descriptors at most 1.2x the figure before
# (both measured after a warm-up, so caches and pools already hold their steady state).
. "$LMC_SRCDIR/tests/bench/lib.sh"
bench_init soak
bench_need src/frontend/lmcache-frontend src/demo/lmcache-demo-node \
	src/discovery/lmcache-discovery tests/bench/loadgen
SOAK=${SOAK_SECONDS:-20}
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
fds() { ls "/proc/$1/fd" | wc -l; }

bench_nodes 4
bench_frontend fe
reg_port=$(bench_free_port)
bench_bg reg "$B/src/discovery/lmcache-discovery" --port "$reg_port" --ttl 60 --log-level warn
REG_PID=$LAST_PID
bench_wait_http "http://127.0.0.1:$reg_port/health"

# load NAME PID: loadgen runs (SOAK seconds in all) given as "-u SOCK PATH" or "-t HOST PATH".
load() {
	local what
	for what in "${LOADS[@]}"; do
		# shellcheck disable=SC2086
		"$B/tests/bench/loadgen" -d "$((SOAK / ${#LOADS[@]} + 1))" -c 8 $what >/dev/null ||
			echo "warning: loadgen $what failed" >&2
	done
}

# soak NAME PID: warm-up, figures, the load, figures again, two rows.
soak() {
	local name=$1 pid=$2 r0 f0 r1 f1 keep=$SOAK
	SOAK=2 load
	SOAK=$keep
	r0=$(rss_kb "$pid") f0=$(fds "$pid")
	load
	r1=$(rss_kb "$pid") f1=$(fds "$pid")
	bench_row "soak $name RSS" "${LOADS[*]}, ${SOAK} s" KiB "$r1" before "$r0" ratio_max 1.5
	bench_row "soak $name descriptors" "${LOADS[*]}, ${SOAK} s" fds "$f1" before "$f0" ratio_max 1.2
}

sock=$T/n4/s_7000
LOADS=("-u $sock /metrics" "-u $sock /version")
soak agent "$NODES_PID"
LOADS=("-t ${FE_URL#http://} /proxy2/bench_worker1/version" "-t ${FE_URL#http://} /metrics")
soak frontend "$FE_PID"
LOADS=("-t 127.0.0.1:$reg_port /lmcache_heartbeat?api_address=http://127.0.0.1:9&pid=1"
	"-t 127.0.0.1:$reg_port /lmcache_infos")
soak registry "$REG_PID"
