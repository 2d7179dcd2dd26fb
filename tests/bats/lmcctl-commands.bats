#!/usr/bin/env bats
# Every lmcctl command against one local cluster (started once for the file): what it
# shows, its JSON, and its own failures. Tests here do not change what later ones read,
# except where they put it back.

bats_require_minimum_version 1.5.0
load ../helpers/common
load ../helpers/cluster

setup_file() {
	lmc_setup
	export T
	export LMCACHE_PLUGIN_SHIM="$LMC_BUILDDIR/src/agent/lmcache-plugin-shim"
	mkdir -p "$T/plugins"
	printf '#!/bin/sh\necho started\nexec sleep 600\n' >"$T/plugins/scheduler_sleeper.sh"
	printf 'runtime_plugin_locations:\n  - "%s"\nrun_script_api_enabled: true\n' \
		"$T/plugins" >"$T/conf.yaml"
	export LMCCTL_TEST_API_TOKEN=hunter2
	cluster_start
	cluster_node inst3 scheduler 0 --config "$T/conf.yaml"
	cluster_frontend fe3 inst3_scheduler
	cluster_have_frontend || cluster_register "$FE3_URL"
	cluster_wait_listed 7
	export REGISTRY_URL LMCACHE_REGISTRY FE1_URL FE2_URL FE3_URL
}

teardown_file() {
	cluster_teardown
}

@test "health: every node healthy" {
	run lmcctl --no-headers health
	assert_success
	assert_equal "$(echo "$output" | grep -c ' healthy ')" 7
}

@test "metrics: samples with the node, --match filters by name, JSON values are numbers" {
	run lmcctl --no-headers metrics -m num_hit_tokens inst1_worker0
	assert_success
	assert_line --regexp '^inst1_worker0 +lmcache:num_hit_tokens_total\{.*worker_id="0".*\} +[0-9]+ +ok$'
	refute_line --partial retrieve_hit_rate
	run lmcctl -o json metrics --match 'lmcache:*hit_rate' -l role=worker
	assert_success
	json_true 'length == 4 and all(.[]; .result | length == 1)' <<<"$output"
	json_true 'all(.[]; .result[0].value | type == "number")' <<<"$output"
	json_true 'all(.[]; .result[0].type == "gauge" and (.result[0].labels.worker_id | test("^[01]$")))' <<<"$output"
	run lmcctl metrics -m no_such_metric inst1_worker0
	assert_failure 4
	assert_output --partial "no metric matches 'no_such_metric'"
}

@test "threads: names of the node's threads, --match, --stacks" {
	run lmcctl --no-headers threads inst1_worker0
	assert_success
	assert_line --regexp '^inst1_worker0 +MHD-worker +[0-9]+ '
	run lmcctl --no-headers threads -m lmc-worker inst1_worker0
	assert_success
	refute_line --partial MHD
	run lmcctl threads --stacks -m MHD inst1_worker0
	assert_success
	assert_line --regexp '^inst1_worker0 MHD-worker \([0-9]+\)$'
	run lmcctl -o json threads inst1_scheduler
	json_true '.[0].result | length > 1 and all(.[]; has("name") and has("frames"))' <<<"$output"
}

@test "log-level: every logger, one logger, a glob" {
	run lmcctl --no-headers log-level -n inst1_scheduler
	assert_success
	assert_line --regexp '^inst1_scheduler +root +[A-Z]+ +ok$'
	run lmcctl log-level inst1_scheduler
	assert_failure 4
	assert_output --partial "'inst1_scheduler' is a node: lmcctl log-level -n inst1_scheduler"
	run lmcctl --no-headers log-level 'lmcache.v1.*' inst2_worker0
	assert_success
	refute_line --regexp ' root '
	assert_line --regexp '^inst2_worker0 +lmcache\.v1\.cache_engine +[A-Z]+ +ok$'
}

@test "set-log-level: one node, back again; a bad level is a usage error (2)" {
	run lmcctl set-log-level lmcache.v1.cache_engine error inst2_worker1
	assert_success
	assert_output --regexp 'inst2_worker1 +lmcache\.v1\.cache_engine +[A-Z]+ +ERROR +changed +ok'
	run lmcctl --no-headers log-level lmcache.v1.cache_engine inst2_worker1
	assert_output --regexp 'ERROR +ok$'
	run lmcctl set-log-level lmcache.v1.cache_engine WARNING inst2_worker1
	assert_success
	run lmcctl set-log-level lmcache.v1.cache_engine LOUD inst2_worker1
	assert_failure 2
	assert_output --partial "unknown level 'LOUD'"
}

@test "config get: all keys, named keys, globs; an unknown key is not found (4)" {
	run lmcctl --no-headers config get -n inst1_worker1
	assert_success
	assert_line --regexp '^inst1_worker1 +lmcache_instance_id +inst1 +ok$'
	run lmcctl --no-headers config get lmcache_instance_id 'internal_api_server_port_*' -l role=worker
	assert_success
	assert_equal "$(echo "$output" | wc -l)" 8
	run lmcctl -o json config get chunk_size -n inst1_scheduler
	assert_equal "$(jq '.[0].result.chunk_size' <<<"$output")" 256
	run lmcctl config get no_such_key -n 'inst1_*'
	assert_failure 4
	assert_output --partial "no config key 'no_such_key'"
}

@test "config set: values typed as JSON, bare words as strings; refusals" {
	run lmcctl -o json config set max_local_cpu_size=2.5 save_unfull_chunk=false -n inst2_worker0
	assert_success
	json_true '.[0].result.changed and ([.[0].result.changes[] | {(.name): .new}] | add) ==
	       {"max_local_cpu_size": 2.5, "save_unfull_chunk": false}' <<<"$output"
	run lmcctl -o json config get max_local_cpu_size save_unfull_chunk -n inst2_worker0
	json_true '.[0].result == {"max_local_cpu_size": 2.5, "save_unfull_chunk": false}' <<<"$output"
	run lmcctl config set max_local_cpu_size=5.0 save_unfull_chunk=true -n inst2_worker0
	assert_success
	run lmcctl config set cache_policy=LRU -n inst2_worker0
	[ "$status" -eq 0 ] || assert_output --partial 'cache_policy'
	run lmcctl config set chunk_size=512 -n inst2_worker0
	assert_failure 1
	assert_output --partial 'chunk_size: Config is not mutable at runtime'
	run lmcctl config set no_such_key=1 -n inst2_worker0
	assert_failure 4
	run --separate-stderr lmcctl --no-headers config set max_local_cpu_size=5.0 chunk_size=1 -n inst2_worker0
	assert_failure 1
	assert_line --regexp '^inst2_worker0 +max_local_cpu_size +5\.0 +5\.0 +unchanged +chunk_size: Config is not mutable at runtime$'
	assert_line --regexp '^inst2_worker0 +chunk_size +256 +1 +refused +chunk_size: Config is not mutable at runtime$'
	[[ $stderr == *"chunk_size: Config is not mutable at runtime"* ]]
	run lmcctl config set chunk_size -n inst2_worker0
	assert_failure 2
	assert_output --partial "expected KEY=VALUE, not 'chunk_size'"
	run lmcctl config set max_local_cpu_size=1
	assert_failure 2
}

@test "meta and inference: key/value rows and JSON objects" {
	run lmcctl --no-headers meta inst1_worker1
	assert_success
	assert_line --regexp '^inst1_worker1 +worker_id +1 +ok$'
	run lmcctl -o json meta inst1_scheduler
	assert_equal "$(jq '.[0].result.worker_id' <<<"$output")" -1
	run lmcctl -o json inference inst2_worker0
	assert_success
	json_true '.[0].result | has("vllm_version") and (.model_config | type == "object")' <<<"$output"
}

@test "env: --match filters names; secrets stay redacted" {
	run lmcctl --no-headers env -m LMCACHE_PLUGIN_SHIM inst1_worker0
	assert_success
	assert_line --regexp '^inst1_worker0 +LMCACHE_PLUGIN_SHIM +/'
	run lmcctl -o json env -m LMCCTL_TEST_API_TOKEN inst1_worker0
	assert_success
	json_true '.[0].result | length == 1 and .LMCCTL_TEST_API_TOKEN != "hunter2"' <<<"$output"
	refute_output --partial hunter2
	run lmcctl env -m NO_SUCH_VARIABLE_AT_ALL inst1_worker0
	assert_failure 4
}

@test "plugins: the scheduler's plugin is running; nodes without plugins list none" {
	wait_until 10 eval "lmcctl --no-headers plugins inst3_scheduler | grep -q ' running '"
	run lmcctl --no-headers plugins inst3_scheduler
	assert_success
	assert_line --regexp '^inst3_scheduler +scheduler_sleeper\.sh +running +[0-9]+ +0 +- +ok$'
	run lmcctl -o json plugins inst1_worker0
	assert_success
	assert_equal "$(jq '.[0].result' <<<"$output")" '[]'
}

@test "run-script: output of an enabled node; a disabled one is not found (4)" {
	cluster_hello_script "$T/hello.py"
	run lmcctl run-script "$T/hello.py" inst3_scheduler
	assert_success
	assert_output --partial 'hello from 42'
	run lmcctl run-script "$T/hello.py" inst1_worker0
	assert_failure 4
	run lmcctl run-script "$T/hello.py"
	assert_failure 2
	run lmcctl run-script "$T/missing.py" inst3_scheduler
	assert_failure 2
}

@test "call: any request; the answer as JSON when it is JSON; mutations need targets" {
	run lmcctl call GET /version inst1_worker0
	assert_success
	assert_output '"0.1.0-demo"'
	run lmcctl -o json call get /meta inst1_worker0
	assert_equal "$(jq '.[0].result.worker_id' <<<"$output")" 0
	run lmcctl call POST /metrics/reset
	assert_failure 2
	run lmcctl call POST /metrics/reset inst1_worker0
	assert_success
	run lmcctl -o json call POST /conf -d '{"max_local_cpu_size": 5.0}' inst1_worker0
	assert_success
	json_true '.[0].result.updated.max_local_cpu_size == 5' <<<"$output"
	run lmcctl call GET /no/such/route inst1_worker0
	assert_failure 4
}

@test "nodes: JSON carries role, instance and address" {
	run lmcctl -o json nodes inst3_scheduler
	assert_success
	json_true '.[0].result | .role == "scheduler" and .instance == "inst3" and
	       (.url | endswith("/proxy2/inst3_scheduler"))' <<<"$output"
}
