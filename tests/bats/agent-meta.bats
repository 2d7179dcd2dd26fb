#!/usr/bin/env bats
# /meta, /inference_info, /inference_version, /version, /lmc_version, /commit_id,
# /healthcheck and the demo's host route DELETE /cache/clear.

load ../helpers/common
load ../helpers/agent

setup() { agent_setup --model test/model --worker-count 4; }
teardown() { lmc_teardown_checked; }

@test "meta: engine metadata as text JSON, names= selects" {
	for via in unix tcp; do
		http $via GET /meta
		assert_equal "$code" 200
		[[ "$ctype" == text/plain* ]]
		json_true '.model_name == "test/model" and .world_size == 4 and .worker_id == -1' <"$T/body"
		json_true '.first_rank == 0 and .role == "scheduler" and .chunk_size == 256' <"$T/body"
		json_true 'has("kv_dtype") and has("kv_shape") and has("use_mla") and has("served_model_name")' <"$T/body"
		http $via GET '/meta?names=model_name,kv_dtype,bogus'
		json_true 'keys == ["kv_dtype", "model_name"]' <"$T/body"
	done
}

@test "meta: inference info and version" {
	for via in unix tcp; do
		http $via GET /inference_info
		assert_equal "$code" 200
		json_true 'has("vllm_version") and has("lmcache_version") and (.vllm_config | type == "string")' <"$T/body"
		json_true '.model_config.model == "test/model" and (.cache_config | type == "object")' <"$T/body"
		http $via GET /inference_version
		json_true '.vllm_version | length > 0' <"$T/body"
	done
}

@test "version: JSON strings as LMCache serves them" {
	for via in unix tcp; do
		http $via GET /version
		assert_equal "$code" 200
		[[ "$ctype" == application/json* ]]
		[[ "$body" =~ ^\"[0-9][^\"]*-demo\"$ ]]
		http $via GET /lmc_version
		[[ "$body" =~ ^\"[0-9][^\"]*\"$ ]]
		http $via GET /commit_id
		assert_equal "$body" '"demo"'
	done
}

@test "healthcheck: healthy" {
	for via in unix tcp; do
		http $via GET /healthcheck
		assert_equal "$code" 200
		json_true '.status == "healthy"' <"$T/body"
	done
}

@test "host route: DELETE /cache/clear empties the simulated cache" {
	agent_worker_unix w0 0
	usage() {
		curl -sS --unix-socket "$T/api/sock_7000" http://localhost/metrics |
			awk '/^lmcache:local_cache_usage\{/ { print $NF }'
	}
	nonzero() { awk -v u="$(usage)" 'BEGIN { exit !(u > 0) }'; }
	wait_until 10 nonzero
	run curl -sS -X DELETE --unix-socket "$T/api/sock_7000" http://localhost/cache/clear
	assert_success
	json_true '.status == "success" and .freed_bytes > 0' <<<"$output"
	run curl -sS -o /dev/null -w '%{http_code}' --unix-socket "$T/api/sock_7000" http://localhost/cache/clear
	assert_output 405
}
