#!/usr/bin/env bats
# The shared server core's limits (issue: reliability): one client holding hundreds of
# half-sent requests takes none of the three daemons down; other clients are still served.
# The slow client is 127.0.0.1, the other one connects from 127.0.0.2.

load ../helpers/common
load ../helpers/discovery

setup() { lmc_setup; }
teardown() {
	[ -n "${SLOW_PID:-}" ] && kill "$SLOW_PID" 2>/dev/null
	lmc_teardown_checked
}

# slow_client PORT N: N half-open requests to 127.0.0.1:PORT held open until teardown.
slow_client() {
	mkfifo "$T/slow.in"
	python3 "$FIXTURES/reliab/half-open.py" 127.0.0.1 "$1" "$2" <"$T/slow.in" >"$T/slow.out" 3>&- &
	SLOW_PID=$!
	exec {SLOW_FD}>"$T/slow.in"
	wait_until 60 grep -q '^tried' "$T/slow.out"
}

# other_client URL: a request from 127.0.0.2 answers 200.
other_client() {
	[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --interface 127.0.0.2 "$1")" = 200 ]
}

@test "agent: 300 half-open connections from one client leave it serving others" {
	port=$(free_port)
	lmc_bg node lmcache-demo-node --role scheduler --port-start "$port" --tick-ms 0
	wait_for_http "http://127.0.0.1:$port/healthcheck"
	slow_client "$port" 300
	run other_client "http://127.0.0.1:$port/healthcheck"
	assert_success
}

@test "frontend: 400 half-open connections from one client leave it serving others" {
	port=$(free_port)
	lmc_bg fe lmcache-frontend --port "$port" --nodes '[]'
	wait_for_http "http://127.0.0.1:$port/health"
	slow_client "$port" 400
	run other_client "http://127.0.0.1:$port/health"
	assert_success
	# One client costs a bounded number of threads (the frontend's per-client limit is 256,
	# as clients fan out through it), not one per connection it opens.
	threads=$(ls "/proc/$(cat "$T/fe.pid")/task" | wc -l)
	echo "# frontend threads with 300 slow connections: $threads" >&3
	[ "$threads" -lt 290 ]
}

@test "registry: 300 half-open connections from one client leave it serving others" {
	start_discovery disc
	slow_client "$DISC_PORT" 300
	run other_client "$DISC_URL/health"
	assert_success
}
