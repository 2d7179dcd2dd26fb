#!/usr/bin/env bats
# lmcctl diagnose: nodes that stand out from their peers. Deterministic answers come from
# nginx speaking the frontend protocol with fixed metrics and threads per node
# (helpers/outliers.bash); a live cluster of demo nodes checks the command end to end.

load ../helpers/common
load ../helpers/cluster
load ../helpers/outliers

setup() { lmc_setup; }
teardown() { cluster_teardown; }

@test "diagnose: the low hit rate and the blocked thread stand out, nothing else" {
	outliers_frontend
	run lmcctl --frontend "$FX_URL" diagnose --all
	assert_success
	assert_line --regexp '^NODE +SIGNAL +VALUE +PEERS +STATUS$'
	assert_line --regexp '^inst_worker2 +blocked threads +1 +0 +ok$'
	assert_line --regexp '^inst_worker3 +hit rate +10\.0% +59\.5% +ok$'
	assert_equal "${#lines[@]}" 3
	run lmcctl --frontend "$FX_URL" -o json diagnose --all
	assert_success
	json_true '.[] | select(.node == "inst_worker3") | .result[0] |
		.signal == "hit rate" and .value == 0.1 and .peers_median == 0.595 and .score < -3.5' <<<"$output"
	json_true '[.[] | select(.node == "inst_worker0" or .node == "inst_worker1") | .result[]] == []' <<<"$output"
	json_true '.[] | select(.node == "inst_worker2") | .result[0].score == null' <<<"$output"
}

@test "diagnose: fewer than three peers are never judged" {
	outliers_frontend
	run lmcctl --frontend "$FX_URL" diagnose inst_worker0 inst_worker3
	assert_success
	assert_output 'no node stands out from its peers (2 nodes compared)'
}

@test "diagnose: a live cluster of demo nodes, every node compared" {
	cluster_start
	run lmcctl diagnose --all
	assert_success
	run lmcctl -o json diagnose --all
	assert_success
	json_true 'length == 6 and all(.[]; .ok and (.result | type == "array"))' <<<"$output"
	run lmcctl diagnose -l role=worker
	assert_success
	assert_output --regexp '(no node stands out from its peers \(4 nodes compared\)|^NODE +SIGNAL)'
}
