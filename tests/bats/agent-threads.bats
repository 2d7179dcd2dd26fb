#!/usr/bin/env bats
# GET /threads: every thread of the demo with its real call stack.

load ../helpers/common
load ../helpers/agent

setup() {
	agent_setup
	agent_worker_unix w3 3
}
teardown() { lmc_teardown_checked; }

worker() { curl -sS --max-time 20 --unix-socket "$T/api/sock_7003" "http://localhost$1"; }

@test "threads: text format with a summary, on both transports" {
	for via in unix tcp; do
		http $via GET /threads
		assert_equal "$code" 200
		[[ "$ctype" == text/plain* ]]
		n=$(grep -c '^Thread: ' "$T/body")
		[ "$n" -ge 3 ]
		grep -q '^=== Thread Summary ===$' "$T/body"
		grep -qx "Total threads: $n" "$T/body"
		grep -q '^Stack trace:$' "$T/body"
	done
}

@test "threads: the worker loop's real stack is shown" {
	run worker /threads
	assert_success
	assert_output --partial 'Thread: <Thread(lmc-worker-3,'
	assert_output --partial 'demo_worker_loop+0x'
}

@test "threads: name filter is a case-insensitive substring" {
	run worker '/threads?name=WORKER-3'
	assert_success
	assert_output --partial 'lmc-worker-3'
	assert_output --partial 'Total threads: 1'
	assert_output --partial 'demo_worker_loop'
	run worker '/threads?name=no-such-thread'
	assert_output --partial 'Total threads: 0'
}

@test "threads: thread_id filter and the JSON extension" {
	run worker '/threads?format=json&name=lmc-worker'
	assert_success
	tid=$(jq -r '.[0].thread_id' <<<"$output")
	[ "$(jq -r '.[0].name' <<<"$output")" = lmc-worker-3 ]
	json_true '.[0].frames | map(select(startswith("demo_worker_loop"))) | length == 1' <<<"$output"
	json_true '.[0] | has("state") and has("cpu_time") and has("function_name")' <<<"$output"
	run worker "/threads?format=json&thread_id=$tid"
	[ "$(jq length <<<"$output")" = 1 ]
	[ "$(jq -r '.[0].thread_id' <<<"$output")" = "$tid" ]
	run worker '/threads?thread_id=abc'
	assert_output --partial '"loc":["query","thread_id"]'
	run worker '/threads?format=json&thread_id=-4'
	assert_output '[]'
}

@test "threads: every thread of the process is listed" {
	run worker '/threads?format=json'
	assert_success
	n=$(ls /proc/"$(cat "$T/w3.pid")"/task | wc -l)
	[ "$(jq length <<<"$output")" -eq "$n" ]
}
