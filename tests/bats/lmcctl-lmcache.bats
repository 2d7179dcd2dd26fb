#!/usr/bin/env bats
# lmcctl against LMCache's own formats: answers captured from an LMCache (Python) node,
# served with LMCache's content types (tests/fixtures/lmcctl/lmcache-node).

bats_require_minimum_version 1.5.0
load ../helpers/common
load ../helpers/cluster

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
	assert_output "$FIXTURE_URL  0.3.9-6ae0e8b"
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
	assert_output --regexp "lmcache-prefetch +140229911660224 +started daemon +-$"
}

@test "log-level, config get, meta: text and text-JSON bodies" {
	run lmcctl --url "$FIXTURE_URL" --no-headers log-level 'lmcache.v1.*'
	assert_success
	assert_line --regexp 'lmcache\.v1\.storage_backend +DEBUG$'
	assert_equal "$(echo "$output" | wc -l)" 2
	run lmcctl --url "$FIXTURE_URL" -o json config get chunk_size extra_config
	assert_success
	jq -e '.[0].result == {"chunk_size": 256, "extra_config": {"plugin.frontend.port": 8000}}' <<<"$output"
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
	assert_output --partial 'HTTP 404: Not Found'
}
