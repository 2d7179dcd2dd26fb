#!/usr/bin/env bats
# GET and POST /conf.

load ../helpers/common
load ../helpers/agent

setup() {
	lmc_setup
	agent_start_pair --instance-id conftest
}
teardown() { lmc_teardown; }

@test "conf: GET shows every key as text JSON, names= selects" {
	for via in unix tcp; do
		http $via GET /conf
		assert_equal "$code" 200
		[[ "$ctype" == text/plain* ]]
		jq -e '.chunk_size == 256 and .lmcache_instance_id == "conftest"' "$T/body"
		jq -e '.internal_api_server_enabled == true' "$T/body"
		http $via GET '/conf?names=chunk_size,max_local_cpu_size,no_such_key'
		jq -e 'keys == ["chunk_size", "max_local_cpu_size"]' "$T/body"
	done
}

@test "conf: POST updates a mutable key and refuses an immutable one" {
	for via in unix tcp; do
		http $via POST /conf -H 'Content-Type: application/json' \
			-d '{"max_local_cpu_size": 2.5, "chunk_size": 512, "nope": 1}'
		assert_equal "$code" 200
		jq -e '.updated == {"max_local_cpu_size": 2.5}' "$T/body"
		jq -e '.errors.chunk_size == "Config is not mutable at runtime"' "$T/body"
		jq -e '.errors.nope == "Unknown config"' "$T/body"
		http $via GET '/conf?names=max_local_cpu_size,chunk_size'
		jq -e '.max_local_cpu_size == 2.5 and .chunk_size == 256' "$T/body"
	done
}

@test "conf: the host's change callback can refuse a value" {
	http unix POST /conf -d '{"max_local_cpu_size": -1}'
	assert_equal "$code" 400
	jq -e '.updated == {} and .errors.max_local_cpu_size == "Failed to set config value"' "$T/body"
	http unix GET '/conf?names=max_local_cpu_size'
	jq -e '.max_local_cpu_size == 5' "$T/body"
}

@test "conf: nothing updated is a 400" {
	http tcp POST /conf -d '{"chunk_size": 1}'
	assert_equal "$code" 400
	jq -e '.updated == {}' "$T/body"
}

@test "conf: a malformed body is a 400 Invalid JSON body, and the node keeps serving" {
	for via in unix tcp; do
		http $via POST /conf -d '{"max_local_cpu_size": '
		assert_equal "$code" 400
		jq -e '.error == "Invalid JSON body" and (.message | length > 0)' "$T/body"
		http $via POST /conf -d '[1, 2]'
		assert_equal "$code" 400
		jq -e '.error == "Invalid JSON body"' "$T/body"
		still_serving $via
	done
}
