#!/usr/bin/env bats
# GET /metrics and POST /metrics/reset on a demo node, over the unix socket and TCP.

load ../helpers/common
load ../helpers/agent

setup() { agent_setup; }
teardown() { lmc_teardown_checked; }

@test "metrics: Prometheus text 0.0.4 that promtool accepts, on both transports" {
	for via in unix tcp; do
		http $via GET /metrics
		assert_equal "$code" 200
		assert_equal "$ctype" "text/plain; version=0.0.4; charset=utf-8"
		cp "$T/body" "$T/metrics.$via"
		promtool_check "$T/metrics.$via"
		grep -Eq '^# TYPE lmcache:num_lookup_requests(_total)? counter$' "$T/metrics.$via"
		grep -q '^lmcache:lookup_hit_rate{' "$T/metrics.$via"
	done
}

lookups() {
	http "$1" GET /metrics
	metric_value "$T/body" lmcache:num_lookup_requests_total
}

grows() {
	local now
	now=$(lookups "$1")
	[ -n "$now" ] && awk -v a="$now" -v b="$2" 'BEGIN { exit !(a > b) }'
}

@test "metrics: counters move like a busy engine" {
	first=$(lookups unix)
	[ -n "$first" ]
	wait_until 10 grows unix "$first"
}

@test "metrics: POST /metrics/reset answers ok and zeroes the counters" {
	wait_until 20 grows tcp 100
	http tcp POST /metrics/reset
	assert_equal "$code" 200
	assert_equal "$body" ok
	after=$(lookups tcp)
	# Reset to zero; the 20 ms ticks add a few until we read it back.
	awk -v a="$after" 'BEGIN { exit !(a < 100) }'
}

@test "metrics: a worker exposes LMCache's retrieve metrics with its labels" {
	agent_worker_unix w0 0 --model test-model
	fetch() { curl -sS --unix-socket "$T/api/sock_7000" http://localhost/metrics >"$T/w0"; }
	has_hits() { fetch && grep -q '^lmcache:num_hit_tokens_total{' "$T/w0"; }
	wait_until 10 has_hits
	promtool_check "$T/w0"
	grep -q '^lmcache:num_hit_tokens_total{.*model_name="test-model"' "$T/w0"
	grep -q 'worker_id="0"' "$T/w0"
	grep -q '^lmcache:local_cache_usage{' "$T/w0"
	grep -q '^# TYPE lmcache:time_to_retrieve histogram$' "$T/w0"
	grep -q '^lmcache:time_to_retrieve_bucket{.*le="+Inf"' "$T/w0"
}
