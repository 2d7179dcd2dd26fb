#!/usr/bin/env bats
# lmcctl against the frontend protocol served by another server (nginx serving /api/nodes
# and forwarding /proxy2/<node>/): nothing in lmcctl depends on lmcache-frontend itself.
# The central frontend lists the others as proxy nodes (is_proxy), the explicit two-hop
# form /proxy2/<frontend>/proxy2/<node>/.

bats_require_minimum_version 1.5.0
load ../helpers/common
load ../helpers/cluster

setup() {
	lmc_setup
	export CLUSTER_NGINX=1
	cluster_start
}

teardown() {
	cluster_teardown
}

@test "nginx frontends: listed through the registry, a killed node is partial (3)" {
	run lmcctl --no-headers version
	assert_success
	assert_equal "$(echo "$output" | grep -cE ' 0\.1\.0-demo +ok$')" 6
	cluster_kill inst2_worker1
	run --separate-stderr lmcctl --no-headers version
	assert_failure 3
	[[ $stderr == *"inst2_worker1: HTTP 502"* ]]
}

@test "two hops through frontends listed as proxy nodes" {
	cluster_central central fe1 fe2
	LMCACHE_REGISTRY= run lmcctl --frontend "$CENTRAL_URL" --no-headers nodes
	assert_success
	assert_equal "$(echo "$output" | wc -l)" 6
	assert_line --regexp "^inst2_worker0 +worker +inst2 +$CENTRAL_URL/proxy2/fe2/proxy2/inst2_worker0\$"
	LMCACHE_REGISTRY= run lmcctl --frontend "$CENTRAL_URL" -o json log-level root -l role=scheduler
	assert_success
	assert_equal "$(jq length <<<"$output")" 2
}
