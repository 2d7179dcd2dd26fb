#!/usr/bin/env bats
# lmcctl against LMCache's own formats: answers captured from an LMCache (Python) node,
# served with LMCache's content types (tests/fixtures/lmcctl/lmcache-node).

bats_require_minimum_version 1.5.0
load ../helpers/common
load ../helpers/cluster
load ../helpers/fixtures

setup() {
	lmc_setup
	unset LMCACHE_REGISTRY LMCACHE_FRONTEND
	cluster_fixture_node "$FIXTURES/lmcctl/lmcache-node"
}

teardown() {
	cluster_teardown
}

@test "version: the quoted JSON string without its quotes" {
	run lmcctl --url "$FIXTURE_URL" --no-headers version
	assert_success
	assert_output "$FIXTURE_URL  0.3.9-6ae0e8b  ok"
}

@test "threads: LMCache's text blocks, Python thread names and idents" {
	run lmcctl --url "$FIXTURE_URL" -o json threads
	assert_success
	assert_equal "$(jq -r '.[0].result | map(.name) | join("|")' <<<"$output")" \
		"MainThread|Thread-3 (_run_server)|lmcache-prefetch"
	assert_equal "$(jq -r '.[0].result[1].thread_id' <<<"$output")" 140229920052928
	assert_equal "$(jq -r '.[0].result[0].frames | length' <<<"$output")" 2
	assert_equal "$(jq -r '.[0].result[0].frames[0]' <<<"$output")" \
		"retrieve (/opt/lmcache/lmcache/v1/cache_engine.py:412): self.storage_manager.get(key)"
	run lmcctl --url "$FIXTURE_URL" --no-headers threads -m prefetch
	assert_success
	assert_output --regexp "lmcache-prefetch +140229911660224 +started daemon +- +ok$"
}

@test "log-level, config get, meta: text and text-JSON bodies" {
	run lmcctl --url "$FIXTURE_URL" --no-headers log-level 'lmcache.v1.*'
	assert_success
	assert_line --regexp 'lmcache\.v1\.storage_backend +DEBUG +ok$'
	assert_equal "$(echo "$output" | wc -l)" 2
	run lmcctl --url "$FIXTURE_URL" -o json config get chunk_size extra_config
	assert_success
	json_true '.[0].result == {"chunk_size": 256, "extra_config": {"plugin.frontend.port": 8000}}' <<<"$output"
	run lmcctl --url "$FIXTURE_URL" -o json meta
	assert_equal "$(jq -r '.[0].result.model_name' <<<"$output")" Qwen/Qwen3-8B
	run lmcctl --url "$FIXTURE_URL/list" meta
	assert_failure 1
	assert_output --partial 'bad answer: not a JSON object'
}

@test "metrics: prometheus_client's exposition; health; no /plugins on LMCache (4)" {
	run lmcctl --url "$FIXTURE_URL" -o json metrics -m retrieve_requests_total
	assert_success
	assert_equal "$(jq -c '.[0].result | map(.value)' <<<"$output")" '[118]'
	run lmcctl --url "$FIXTURE_URL" --no-headers health
	assert_success
	run lmcctl --url "$FIXTURE_URL/unhealthy" health
	assert_failure 1
	assert_output --partial 'HTTP 503: cache engine not initialized'
	run lmcctl --url "$FIXTURE_URL" plugins
	assert_failure 4
	assert_output --partial 'the node does not offer plugins'
	refute_output --partial 'HTTP 404'
}

@test "health: a node without a health route that answers is up, health unknown (0)" {
	run --separate-stderr lmcctl --url "$FIXTURE_URL/nohealth" --no-headers health
	assert_success
	assert_output --regexp '/nohealth +unknown +[0-9]+ms +ok$'
	run lmcctl --url "$FIXTURE_URL/nohealth" -o json health
	assert_equal "$(jq -r '.[0].ok, .[0].result.status' <<<"$output" | tr '\n' ' ')" 'true unknown '
	# no route answers at all: not a node there (4)
	run lmcctl --url "$FIXTURE_URL/nothing" health
	assert_failure 4
}

@test "set-log-level lmcache on LMCache's per-module loggers sets each of them (0, not 4)" {
	run lmcctl --url "$FIXTURE_URL" --no-headers set-log-level lmcache DEBUG
	assert_success
	assert_line --regexp '[0-9] +lmcache\.v1\.cache_engine +INFO +DEBUG +changed +ok$'
	assert_line --regexp '[0-9] +lmcache\.v1\.storage_backend +DEBUG +DEBUG +unchanged +ok$'
}

@test "health on LMCache's recorded servers: in-process up with health unknown (0), multi-process healthy" {
	fixture_serve lmc node
	fixture_serve mp mp
	run --separate-stderr lmcctl --url "$LMC_URL" --no-headers health
	assert_success
	assert_output --regexp '^http://127\.0\.0\.1:[0-9]+ +unknown +[0-9]+ms +ok$'
	run --separate-stderr lmcctl --url "$MP_URL" --no-headers health
	assert_success
	assert_output --regexp ' +healthy +[0-9]+ms +ok$'
	run lmcctl --url "$LMC_URL" plugins
	assert_failure 4
	assert_output --partial 'the node does not offer plugins'
}

@test "config get KEY asks LMCache for just those keys (?names=); Infinity as sent, a string in JSON" {
	fixture_serve lmc node
	run --separate-stderr lmcctl --url "$LMC_URL" --no-headers config get pd_allocation_timeout_sec
	assert_success
	assert_output --regexp ' pd_allocation_timeout_sec +Infinity +ok$'
	grep -q '"GET /conf?names=pd_allocation_timeout_sec HTTP' "$T/fixture-lmc.log"
	run --separate-stderr lmcctl --url "$LMC_URL" -o json config get chunk_size extra_config
	assert_success
	json_true '.[0].result == {"chunk_size": 256, "extra_config": {"plugin.frontend.port": 8000}}' <<<"$output"
	grep -q '"GET /conf?names=chunk_size,extra_config HTTP' "$T/fixture-lmc.log"
	run --separate-stderr lmcctl --url "$LMC_URL" -o json config diff
	assert_success
	run --separate-stderr lmcctl --url "$LMC_URL" -o json config get 'pd_*'
	json_true '.[0].result.pd_allocation_timeout_sec == "Infinity"' <<<"$output"
	run --separate-stderr lmcctl --url "$LMC_URL" --no-headers config get 'max_local_cpu*'
	assert_output --regexp ' max_local_cpu_size +0\.9 +ok$'
}

@test "threads --stacks on LMCache's Python stacks: innermost frame first, as for native stacks" {
	run lmcctl --url "$FIXTURE_URL" threads --stacks -m MainThread
	assert_success
	assert_line --index 0 --regexp ' MainThread \([0-9]+\)$'
	assert_line --index 1 '  retrieve (/opt/lmcache/lmcache/v1/cache_engine.py:412): self.storage_manager.get(key)'
}
