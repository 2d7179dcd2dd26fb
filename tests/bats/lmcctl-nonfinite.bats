#!/usr/bin/env bats
# lmcctl reads a node's /conf holding Python's bare Infinity, -Infinity and NaN (json.dumps
# writes them for non-finite floats): the values show as the node sent them, and -o json
# stays valid JSON (each becomes a string). Served like an LMCache node from
# tests/fixtures/jsonutil/lmcache-nonfinite; the example_* key names are illustrative.

bats_require_minimum_version 1.5.0
load ../helpers/common
load ../helpers/cluster

setup() {
	lmc_setup
	unset LMCACHE_REGISTRY LMCACHE_FRONTEND
	cluster_fixture_node "$FIXTURES/jsonutil/lmcache-nonfinite"
}

teardown() {
	cluster_teardown
}

@test "nonfinite: config get -o json keeps every key, the tokens as strings" {
	run lmcctl --url "$FIXTURE_URL" -o json config get
	assert_success
	json_true '.[0].result.example_timeout == "Infinity" and .[0].result.example_floor == "-Infinity"
		and .[0].result.example_ratio == "NaN" and .[0].result.chunk_size == 256
		and .[0].result.example_note == "NaN and Infinity in a string"
		and .[0].result.example_list == [0.9, "NaN", -1]' <<<"$output"
}

@test "nonfinite: config get shows the values as the node sent them" {
	run lmcctl --url "$FIXTURE_URL" --no-headers config get
	assert_success
	assert_line --regexp 'example_timeout +Infinity +ok$'
	assert_line --regexp 'example_floor +-Infinity +ok$'
	assert_line --regexp 'example_ratio +NaN +ok$'
}
