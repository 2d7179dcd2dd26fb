#!/usr/bin/env bats
# The shared cluster walk (src/common/cluster.c) through a central frontend of either kind:
# LMCache's (recorded, tests/fixtures/lmcache/frontend-central) names its child proxies
# proxy_<host>_<port> and reaches a leaf only as /proxy2/<proxy>/proxy2/<leaf>; ours (real
# processes) accepts that too. lmcctl shows the walk; lmcache-top uses the same one.

bats_require_minimum_version 1.5.0
load ../helpers/common
load ../helpers/fixtures
load ../helpers/frontend

setup() { lmc_setup; unset LMCACHE_REGISTRY LMCACHE_FRONTEND; }
teardown() { lmc_teardown; }

@test "through LMCache's central frontend every leaf is reached on its two-hop path" {
	fixture_central central
	run lmcctl --frontend "$CENTRAL_URL" --no-headers nodes
	assert_success
	assert_line --regexp "^inst1_scheduler +scheduler +inst1 +$CENTRAL_URL/proxy2/$FIXTURE_PROXY/proxy2/inst1_scheduler\$"
	run --separate-stderr lmcctl --frontend "$CENTRAL_URL" -o json version
	assert_failure 3
	assert_equal "$(jq -r '.[] | select(.node == "inst1_scheduler") | .result' <<<"$output")" 0.3.9-6ae0e8b
	# the recorded worker was down: LMCache's 502, for that node only
	assert_equal "$(jq -r '.[] | select(.node == "inst1_worker0") | .status' <<<"$output")" 502
	run lmcctl --frontend "$CENTRAL_URL" -o json meta -n inst1_scheduler
	assert_success
	assert_equal "$(jq -r '.[0].result.first_rank' <<<"$output")" 0
}

@test "through our central frontend (node-supplier mode) every leaf answers" {
	local rport
	fe_instance i1 1
	rport=$(free_port)
	lmc_bg registry lmcache-discovery --port "$rport"
	wait_for_http "http://127.0.0.1:$rport/health"
	fe_start FE1 --nodes "$(fe_nodes_json i1_scheduler i1_worker0)" \
		--heartbeat-url "http://127.0.0.1:$rport/lmcache_heartbeat"
	fe_start CENTRAL --node-supplier-url "http://127.0.0.1:$rport/lmcache_infos" \
		--node-supplier-interval 1
	wait_until 15 eval "[ \"\$(lmcctl --frontend $CENTRAL --no-headers nodes 2>/dev/null | wc -l)\" = 2 ]"
	run lmcctl --frontend "$CENTRAL" --no-headers nodes
	assert_line --partial "/proxy2/proxy_127.0.0.1_${FE1##*:}/proxy2/i1_worker0"
	run lmcctl --frontend "$CENTRAL" -o json version
	assert_success
	assert_equal "$(jq -c 'map(.result)' <<<"$output")" '["0.1.0-demo","0.1.0-demo"]'
}

@test "LMCache's frontend has no batch route (its recorded 404): lmcctl asks its nodes one by one" {
	fixture_serve leaf --record "$T/leaf.rec" frontend-leaf
	run --separate-stderr lmcctl --frontend "$LEAF_URL" -o json version
	assert_failure 3
	assert_equal "$(jq -c 'map([.node, .status])' <<<"$output")" \
		'[["inst1_scheduler",200],["inst1_worker0",404]]'
	assert_equal "$(jq -r '.[0].result' <<<"$output")" 0.3.9-6ae0e8b
	# one batch tried, then each node through /proxy2
	assert_equal "$(jq -r 'select(.target) | "\(.method) \(.target)"' "$T/leaf.rec" | sort | tr '\n' ,)" \
		"GET /api/nodes,GET /proxy2/inst1_scheduler/version,GET /proxy2/inst1_worker0/version,POST /api/fanout,"
}
