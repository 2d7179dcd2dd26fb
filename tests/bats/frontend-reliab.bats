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

@test "frontend: a node's series with bytes not UTF-8 or 1e999 are left out, counted, the rest valid" {
	fe_node i1 worker 0
	mkdir -p "$T/py"
	printf '# HELP m M.\n# TYPE m gauge\nm{k="ok"} 1\nm{k="\xff\xfe"} 2\nm{k="big"} 1e999\n' >"$T/py/metrics"
	printf '# HELP h H.\n# TYPE h histogram\nh_bucket{le="1e999"} 1\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum 1\n' \
		>>"$T/py/metrics"
	PY=$(free_port)
	lmc_bg py python3 -m http.server --bind 127.0.0.1 --directory "$T/py" "$PY"
	wait_for_http "http://127.0.0.1:$PY/metrics"
	NODES=$(fe_nodes_json i1_worker0 | jq -c --argjson p "$PY" '. + [{name: "py", host: "127.0.0.1", port: $p}]')
	fe_start FE --nodes "$NODES"
	curl -sf "$FE/metrics" >"$T/merged.prom"
	promtool_check "$T/merged.prom"
	grep -q '^lmcache_frontend_node_samples_skipped{node="py"} 3$' "$T/merged.prom"
	grep -q '^lmcache_frontend_node_samples_skipped{node="i1_worker0"} 0$' "$T/merged.prom"
	grep -q '^lmcache_frontend_node_up{node="py"} 1$' "$T/merged.prom"
	grep -q '^m{node="py",k="ok"} 1$' "$T/merged.prom"
	grep -q '^lmcache:num_retrieve_requests_total{node="i1_worker0",' "$T/merged.prom"
	grep -q '^# node py: 3 samples left out (first: line 4: a label value that is not UTF-8)$' "$T/merged.prom"
}

# fd_count PID: how many descriptors the process has open.
fd_count() { ls "/proc/$1/fd" | wc -l; }

@test "frontend: many spellings of one socket target share one bounded pool of connections" {
	fe_node i1 worker 0
	fe_start FE --nodes "$(fe_nodes_json i1_worker0)"
	enc=$(jq -rn --arg s "$(fe_sock i1_worker0)" '$s | @uri')
	pid=$(cat "$T/fe-FE.pid")
	curl -sf "$FE/proxy/localhost/$enc/version" >/dev/null
	before=$(fd_count "$pid")
	for i in $(seq 1 300); do
		curl -sf -o /dev/null "$FE/proxy/host$i/$enc/version"
	done
	after=$(fd_count "$pid")
	echo "# descriptors: $before before, $after after 300 spellings" >&3
	[ "$after" -le $((before + 8)) ]
	assert_equal "$(fe_status "$FE/proxy2/i1_worker0/version")" 200
}

@test "frontend: a node answer larger than every buffer streams through intact, memory stays bounded" {
	port=$(free_port)
	lmc_bg big python3 "$FIXTURES/reliab/big-node.py" "$port"
	wait_for_http "http://127.0.0.1:$port/"
	fe_start FE --nodes "[{\"name\": \"big\", \"host\": \"127.0.0.1\", \"port\": $port}]"
	# (the body goes to sha256sum: a test must not print 200 MiB when it fails)
	got=$(curl -s --max-time 120 "$FE/proxy2/big/big/200" | sha256sum)
	assert_equal "$got" "$(head -c $((200 << 20)) /dev/zero | tr '\0' x | sha256sum)"
	# The frontend never held the 200 MiB answer: at most 1 MiB of it at a time.
	hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$(cat "$T/fe-FE.pid")/status")
	echo "# frontend peak RSS: $hwm kB" >&3
	[ "$hwm" -lt $((64 * 1024)) ]
}

@test "frontend: 2,000 idle connections cost no thread; /proxy2 still answers" {
	fe_node i1 worker 0
	fe_start FE --max-connections 4096 --header-timeout 600 --nodes "$(fe_nodes_json i1_worker0)"
	pid=$(cat "$T/fe-FE.pid")
	assert_equal "$(fe_status "$FE/proxy2/i1_worker0/version")" 200
	threads=$(awk '/^Threads:/ {print $2}' "/proc/$pid/status")
	fds=$(fd_count "$pid")
	mkfifo "$T/idle.in"
	python3 "$FIXTURES/reliab/slow-client.py" idle "${FE#http://}" 2000 <"$T/idle.in" \
		>"$T/idle.out" 3>&- &
	idle=$!
	exec {hold}>"$T/idle.in"
	run wait_until 60 grep -q '^open 2000$' "$T/idle.out"
	assert_success
	# The frontend holds them all (a descriptor each)...
	run wait_until 30 eval '[ "$(fd_count "$pid")" -ge $((fds + 2000)) ]'
	assert_success
	# ...with the threads it had, and serves on.
	assert_equal "$(awk '/^Threads:/ {print $2}' "/proc/$pid/status")" "$threads"
	assert_equal "$(fe_status "$FE/proxy2/i1_worker0/version")" 200
	echo "# frontend threads: $threads, with 2,000 idle connections too" >&3
	exec {hold}>&-
	wait "$idle"
}
