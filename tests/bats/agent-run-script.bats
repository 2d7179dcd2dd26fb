#!/usr/bin/env bats
# POST /run_script: off by default, handed to the host's runner when enabled.

load ../helpers/common
load ../helpers/agent

setup() { lmc_setup; }
teardown() { lmc_teardown_checked; }

@test "run_script: 404 with a text saying how to enable it, by default" {
	agent_start_pair
	printf 'echo should-not-run > %s/ran\n' "$T" >"$T/s.sh"
	for via in unix tcp; do
		http $via POST /run_script -F "script=@$T/s.sh"
		assert_equal "$code" 404
		[[ "$body" == *run_script_api_enabled* ]]
		[[ "$body" == *LMCACHE_RUN_SCRIPT_API_ENABLED=true* ]]
	done
	[ ! -e "$T/ran" ]
}

@test "run_script: when enabled, the uploaded script runs and its output is returned" {
	LMCACHE_RUN_SCRIPT_API_ENABLED=true agent_start_pair
	printf 'echo "hello from $0"\necho done\n' >"$T/s.sh"
	for via in unix tcp; do
		http $via POST /run_script -F "script=@$T/s.sh"
		assert_equal "$code" 200
		[[ "$body" == *"hello from"* ]]
		[[ "$body" == *done ]]
	done
}

@test "run_script: a failing script is a 500 with its output" {
	LMCACHE_RUN_SCRIPT_API_ENABLED=true agent_start_pair
	printf 'echo oops >&2\nexit 3\n' >"$T/s.sh"
	http unix POST /run_script -F "script=@$T/s.sh"
	assert_equal "$code" 500
	[[ "$body" == "Error executing script: oops"* ]]
	[[ "$body" == *"exit status 3" ]]
}

@test "run_script: no script field is a 400" {
	LMCACHE_RUN_SCRIPT_API_ENABLED=true agent_start_pair
	for via in unix tcp; do
		http $via POST /run_script -F "other=x"
		assert_equal "$code" 400
		assert_equal "$body" "No script file provided"
		http $via POST /run_script -d 'not multipart'
		assert_equal "$code" 400
		still_serving $via
	done
}
