#!/usr/bin/env bats
# lmcache-frontend under hostile or unlucky conditions (issue: reliability): concurrent
# control requests, huge node answers, many spellings of one target, broken node metrics.

load ../helpers/common
load ../helpers/frontend

setup() { lmc_setup; }
teardown() { lmc_teardown_checked; }

# hb_storm URL N: N requests alternating heartbeat start and stop, one client.
hb_storm() {
	local url=$1 i
	for ((i = 0; i < $2; i++)); do
		curl -s -o /dev/null --max-time 20 -X POST "$url/api/heartbeat/start" \
			-d "{\"heartbeat_url\": \"http://127.0.0.1:$REG_PORT/lmcache_heartbeat\"}"
		curl -s -o /dev/null --max-time 20 -X POST "$url/api/heartbeat/stop"
	done
}

@test "frontend: concurrent heartbeat start and stop from 8 clients leave it serving and stoppable" {
	REG_PORT=$(free_port) # nothing listens: each heartbeat fails at once and retries
	fe_start FE --nodes '[]'
	pids=()
	for _ in 1 2 3 4 5 6 7 8; do
		hb_storm "$FE" 25 3>&- &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
	run curl -s --max-time 5 "$FE/api/heartbeat/status"
	assert_success
	run fe_status "$FE/health" --max-time 5
	assert_output 200
	pid=$(cat "$T/fe-FE.pid")
	kill -TERM "$pid"
	run wait_until 10 eval "! kill -0 $pid 2>/dev/null"
	assert_success
}
