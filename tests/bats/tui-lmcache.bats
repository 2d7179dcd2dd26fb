#!/usr/bin/env bats
# lmcache-top against LMCache's own answers (the recorded fixtures of tests/fixtures/lmcache
# served by tests/helpers/fixture-server.py) and LMCache-shaped names: a node without a
# health route is up with health unknown; /conf's Infinity and floats as sent; Python
# stacks innermost frame first; 15-digit thread ids and 34-character node names whole;
# the LogLevel tab takes a typed name or glob and offers NOTSET.

bats_require_minimum_version 1.5.0
load ../helpers/common
load ../helpers/cluster
load ../helpers/fixtures
load ../helpers/tui

setup() {
	lmc_setup
	unset LMCACHE_REGISTRY
}

teardown() {
	tui_stop
	cluster_teardown
}

@test "LMCache's in-process server: up, its version, health unknown (no /healthcheck), no plugins" {
	fixture_serve lmc node
	tui_start --url "$LMC_URL"
	tui_wait_re "$LMC_URL +- +up +0\\.3\\.9-6ae0e8b "
	tui_wait 'nodes 1, 1 up'
	tui_wait_re 'health unknown \(.*\)'
	assert_regex "$(tui_line "└─ $LMC_URL ")" ' -$'
}

@test "LMCache's multi-process health route: healthy, or unhealthy with its reason" {
	fixture_serve ok node mp
	tui_start --url "$OK_URL"
	tui_wait 'health healthy'
	tui_stop
	fixture_serve bad node mp-unhealthy
	tui_start --url "$BAD_URL"
	tui_wait_re 'health unhealthy \(HTTP 503'
	tui_wait 'nodes 1, 1 up'
}

@test "Config: Infinity and floats as LMCache sent them" {
	fixture_serve lmc node
	tui_start --url "$LMC_URL"
	tui_keys 5
	tui_wait_re 'pd_allocation_timeout_sec +Infinity *$'
	tui_wait_re 'max_local_cpu_size +0\.9 *$'
	tui_wait_re 'chunk_size +256 *$'
}

@test "Threads: Python stacks innermost frame first; 15-digit thread ids whole" {
	fixture_serve lmc node
	tui_start --url "$LMC_URL"
	tui_keys 3
	tui_wait_re '139759747974848 +lmcache-prefetch '
	assert_regex "$(tui_line 'lmcache-prefetch')" ' wait \(/usr/lib/python3\.11/threading\.py:320\)'
	tui_keys / prefetch Enter Enter
	tui_wait_re 'stack of thread 139759747974848 \(lmcache-prefetch\)'
	tui_wait_re '#0 +wait \(/usr/lib/python3\.11/threading\.py:320\): waiter\.acquire\(\)'
	tui_wait_re '#1 +wait \(/usr/lib/python3\.11/threading\.py:622\)'
}

@test "34-character node names fit the Overview and the node line" {
	cluster_registry
	cluster_node lmcache_default_instance scheduler
	cluster_node lmcache_default_instance worker 0
	cluster_frontend fe1 lmcache_default_instance_scheduler lmcache_default_instance_worker0
	cluster_wait_listed 2
	tui_start 100x30
	tui_wait_re '(├─|└─) lmcache_default_instance_scheduler .*up +[0-9.]+%'
	tui_wait_re '(├─|└─) lmcache_default_instance_worker0 .*up +[0-9.]+%'
	tui_keys 3
	tui_wait_re '^ node lmcache_default_instance_scheduler +up'
}

@test "LogLevel: a typed glob sets every logger it names, NOTSET offered, one confirmation" {
	cluster_start
	tui_start
	tui_wait_re 'inst2_worker1 +worker +up'
	tui_keys 4
	tui_wait_re 'lmcache\.v1\.cache_engine +WARNING'
	tui_keys s
	tui_wait 'logger name or glob'
	tui_keys 'lmcache.v1.*' Enter
	tui_wait 'level of lmcache.v1.*'
	tui_wait 'NOTSET'
	tui_keys N Enter
	tui_wait_re 'Set [0-9]+ loggers \(lmcache\.v1\.\*\) on 1 node to NOTSET\?'
	tui_wait_re 'inst1_scheduler +lmcache\.v1\.cache_engine +WARNING -> NOTSET'
	tui_keys y
	tui_wait_re '[0-9]+ of [0-9]+ done'
	tui_wait 'results of the last action, per node'
	tui_wait 'inst1_scheduler: lmcache.v1.cache_engine -> NOTSET: Set lmcache.v1.cache_engine level to NOTSET'
	tui_wait 'inst1_scheduler: lmcache.v1.lookup_server -> NOTSET: Set lmcache.v1.lookup_server level to NOTSET'
	# a parent's name covers the loggers under it
	tui_keys Escape s lmcache.v1 Enter E Enter
	tui_wait_re 'Set [0-9]+ loggers \(lmcache\.v1\) on 1 node to ERROR\?'
	tui_keys y
	tui_wait 'inst1_scheduler: lmcache.v1.cache_engine -> ERROR: Set'
	tui_keys Escape
	tui_wait_re 'lmcache\.v1\.cache_engine +ERROR'
}
