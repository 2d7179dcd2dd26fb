#!/usr/bin/env bats
# GET and POST /conf.

load ../helpers/common
load ../helpers/agent

setup() { agent_setup --instance-id conftest; }
teardown() { lmc_teardown_checked; }

@test "conf: GET shows every key as text JSON, names= selects" {
	for via in unix tcp; do
		http $via GET /conf
		assert_equal "$code" 200
		[[ "$ctype" == text/plain* ]]
		json_true '.chunk_size == 256 and .lmcache_instance_id == "conftest"' <"$T/body"
		json_true '.internal_api_server_enabled == true' <"$T/body"
		http $via GET '/conf?names=chunk_size,max_local_cpu_size,no_such_key'
		json_true 'keys == ["chunk_size", "max_local_cpu_size"]' <"$T/body"
	done
}

@test "conf: POST updates a mutable key and refuses an immutable one" {
	for via in unix tcp; do
		http $via POST /conf -H 'Content-Type: application/json' \
			-d '{"max_local_cpu_size": 2.5, "chunk_size": 512, "nope": 1}'
		assert_equal "$code" 200
		json_true '.updated == {"max_local_cpu_size": 2.5}' <"$T/body"
		json_true '.errors.chunk_size == "Config is not mutable at runtime"' <"$T/body"
		json_true '.errors.nope == "Unknown config"' <"$T/body"
		http $via GET '/conf?names=max_local_cpu_size,chunk_size'
		json_true '.max_local_cpu_size == 2.5 and .chunk_size == 256' <"$T/body"
	done
}

@test "conf: a POST is seen by the very next full GET (the cached answer follows changes)" {
	http unix GET /conf
	json_true '.max_local_cpu_size == 5' <"$T/body"
	http unix POST /conf -d '{"max_local_cpu_size": 3.5}'
	assert_equal "$code" 200
	http unix GET /conf
	json_true '.max_local_cpu_size == 3.5' <"$T/body"
	http unix POST /conf -d '{"max_local_cpu_size": -1}'
	assert_equal "$code" 400
	http unix GET /conf
	json_true '.max_local_cpu_size == 3.5' <"$T/body"
}

@test "conf: the host's change callback can refuse a value" {
	http unix POST /conf -d '{"max_local_cpu_size": -1}'
	assert_equal "$code" 400
	json_true '.updated == {} and .errors.max_local_cpu_size == "Failed to set config value"' <"$T/body"
	http unix GET '/conf?names=max_local_cpu_size'
	json_true '.max_local_cpu_size == 5' <"$T/body"
}

@test "conf: nothing updated is a 400" {
	http tcp POST /conf -d '{"chunk_size": 1}'
	assert_equal "$code" 400
	json_true '.updated == {}' <"$T/body"
}

@test "conf: a malformed body is a 400 Invalid JSON body, and the node keeps serving" {
	for via in unix tcp; do
		http $via POST /conf -d '{"max_local_cpu_size": '
		assert_equal "$code" 400
		json_true '.error == "Invalid JSON body" and (.message | length > 0)' <"$T/body"
		http $via POST /conf -d '[1, 2]'
		assert_equal "$code" 400
		json_true '. == {"error": "Request body must be a JSON object"}' <"$T/body"
		still_serving $via
	done
}

@test "conf: --config reads an LMCache YAML file, flags still win" {
	cat >"$T/lmc.yaml" <<YAML
chunk_size: 512
lmcache_instance_id: from_yaml
max_local_cpu_size: 1.5
internal_api_server_socket_path_prefix: $T/yaml/sock
YAML
	lmc_bg y lmcache-demo-node --role worker --worker-id 1 --config "$T/lmc.yaml" --tick-ms 0
	wait_for_socket "$T/yaml/sock_7001"
	run curl -sS --unix-socket "$T/yaml/sock_7001" http://localhost/conf
	json_true '.chunk_size == 512 and .lmcache_instance_id == "from_yaml"' <<<"$output"
	json_true '.max_local_cpu_size == 1.5' <<<"$output"
	grep -q '^from_yaml_worker1 listening on unix:' "$T/y.log"
	lmc_bg z lmcache-demo-node --role worker --worker-id 1 --config "$T/lmc.yaml" \
		--instance-id flag_wins --socket-prefix "$T/flag/sock" --tick-ms 0
	wait_for_socket "$T/flag/sock_7001"
	run curl -sS --unix-socket "$T/flag/sock_7001" 'http://localhost/conf?names=lmcache_instance_id,chunk_size'
	json_true '.lmcache_instance_id == "flag_wins" and .chunk_size == 512' <<<"$output"
}

@test "conf: a bad --config is a clear error" {
	printf 'chunk_size: [unclosed\n' >"$T/bad.yaml"
	run lmcache-demo-node --config "$T/bad.yaml" --tick-ms 0
	assert_failure 1
	assert_output --partial "bad.yaml"
	run lmcache-demo-node --config "$T/missing.yaml" --tick-ms 0
	assert_failure 1
	assert_output --partial "missing.yaml"
}
