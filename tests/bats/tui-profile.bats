#!/usr/bin/env bats
# lmcache-top: the Threads tab's hot view (the selected node's hottest functions, refreshed
# like perf top) and the Overview's bottleneck hints (nodes that stand out from their peers).

load ../helpers/common
load ../helpers/cluster
load ../helpers/tui
load ../helpers/outliers

setup() { lmc_setup; }
teardown() {
	tui_stop
	cluster_teardown
}

@test "Threads, hot view: the busy node's hottest function, live" {
	cluster_node inst1 worker 0 --busy 1
	tui_start --socket "$(cluster_sock inst1_worker0)" -d 1
	tui_wait inst1_worker0
	tui_keys 3
	tui_wait 'TOP FRAME'
	tui_keys v
	tui_wait 'FUNCTION'
	tui_wait_re '^ *[0-9.]+ +[0-9]+ +[0-9.]+ +busy_hash_round' 30
	# Refreshed live: one profile per interval.
	tui_wait_re 'hot: profile [0-9]+, [0-9]+ on-CPU samples over the last 1 s'
	tui_wait_re 'hot: profile ([2-9]|[1-9][0-9]+),' 30
	# Back to the threads: the profiling stops with the view (no thread in profile_run).
	tui_keys v
	tui_wait 'TOP FRAME'
	wait_until 20 eval 'curl -s --unix-socket "$(cluster_sock inst1_worker0)" \
		"http://localhost/threads?format=json&name=srv-later" |
		json_true "any(.[].frames[]; startswith(\"profile_run+\")) | not"'
}

@test "Threads, hot view: a node without /profile says so" {
	outliers_frontend
	tui_start --frontend "$FX_URL" -d 1
	tui_wait inst_worker0
	tui_keys 3
	tui_keys v
	tui_wait 'hot: this node has no /profile' 20
}

@test "Overview: the nodes that stand out from their peers are flagged" {
	outliers_frontend
	tui_start 200x40 --frontend "$FX_URL" -d 1
	tui_wait 'STANDS OUT'
	tui_wait_re 'inst_worker3 .*hit rate low 10\.0% \(peers 59\.5%\)'
	run tui_line inst_worker0
	refute_output --partial 'peers'
	run tui_line inst_worker1
	refute_output --partial 'peers'
}
