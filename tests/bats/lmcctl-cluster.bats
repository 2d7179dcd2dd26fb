#!/usr/bin/env bats
# lmcctl against a local cluster: registry -> frontends -> /proxy2 -> demo nodes.

load ../helpers/common
load ../helpers/cluster

setup() {
	lmc_setup
	cluster_start
}

teardown() {
	lmc_teardown
}

@test "nodes lists all six nodes with role and instance, sorted as listed" {
	run lmcctl nodes --no-headers
	assert_success
	assert_equal "$(echo "$output" | wc -l)" 6
	assert_line --regexp '^inst1_scheduler +scheduler +inst1 +http://127\.0\.0\.1:[0-9]+/proxy2/inst1_scheduler$'
	assert_line --regexp '^inst2_worker1 +worker +inst2 '
}

@test "version of every node, all succeed (0)" {
	run lmcctl version
	assert_success
	assert_line --index 0 --regexp '^NODE +VERSION$'
	assert_equal "$(echo "$output" | grep -c ' 0\.1\.0-demo$')" 6
}
