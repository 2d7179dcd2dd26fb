#!/usr/bin/env bats
# Python hosts pass the demo node's checks through lmcctl and lmcache-frontend: the whole of
# lmcctl-commands.bats (registry, frontends, seven nodes) run with python-node.py as every
# node, and the frontend's merged /metrics of Python nodes is valid Prometheus text.

bats_require_minimum_version 1.5.0
load ../helpers/common
load ../helpers/python
load ../helpers/cluster

setup() { lmc_setup; }
teardown() { cluster_teardown; }

@test "lmcctl's checks of the demo cluster pass with Python nodes" {
	CLUSTER_NODE_CMD="$PY $PYNODE" run bats --tap "$LMC_SRCDIR/tests/bats/lmcctl-commands.bats"
	assert_success
	refute_line --partial 'not ok'
	assert_line --regexp '^ok [0-9]+ run-script'
}

@test "a frontend merges Python nodes' metrics (prometheus_client's too) into valid text" {
	CLUSTER_NODE_CMD="$PY $PYNODE"
	cluster_node py scheduler
	cluster_node py worker 0
	cluster_frontend fe py_scheduler py_worker0
	curl -sS --max-time 20 "$FE_URL/metrics" >"$T/merged"
	promtool_check "$T/merged"
	grep -Eq '^python_gc_objects_collected_total\{.*py_worker0' "$T/merged"
	grep -Eq '^lmcache:num_lookup_requests_total\{.*py_scheduler' "$T/merged"
	curl -sS --max-time 20 "$FE_URL/proxy2/py_worker0/threads" >"$T/threads"
	grep -Eq '^  #[0-9]+ File ".*python-node.py", line [0-9]+, in run$' "$T/threads"
}
