#!/usr/bin/env bats
# lmcache-top's round-2 bugs (issue 15), each against a real local cluster (registry -> two
# frontends -> six demo nodes) in tmux: the level menu, a registry outage, the interval keys
# outside 0.25-64 s, wide and narrow terminals, one format per value, down nodes, the
# Overview's filter count and node pane.

bats_require_minimum_version 1.5.0
load ../helpers/tui-cluster

@test "1: the level menu names the logger and marks the highlighted level, also without colour" {
	tui_start --no-color
	select_node inst2_worker0
	tui_keys 4 / cache_engine Enter
	tui_wait_re 'lmcache\.v1\.cache_engine +WARNING'
	tui_keys Enter
	tui_wait 'level of lmcache.v1.cache_engine'
	tui_wait_re '(▶|>) WARNING'
	tui_keys k
	tui_wait_re '(▶|>) INFO'
	# the highlighted item, the other items and the title are drawn differently
	local sel other title
	sel=$(tui_sgr_before 'INFO') other=$(tui_sgr_before 'ERROR') title=$(tui_sgr_before 'level of')
	[ -n "$sel" ] && [ "$sel" != "$other" ] && [ "$sel" != "$title" ]
}

@test "2: a registry outage keeps the last known cluster, says so, and nodes are still polled" {
	tui_start --delay 0.5
	tui_wait 'nodes 6, 6 up'
	kill -KILL "$(cat "$T/registry.pid")"
	tui_wait 'registry unreachable'
	assert_regex "$(tui_screen)" 'nodes 6, 6 up'
	run ! grep -q ' gone' <<<"$(tui_screen)"
	assert_regex "$(tui_line 'inst1_worker0 ')" 'inst1_worker0 +worker +up'
	cluster_kill inst2_worker1
	tui_wait_re 'inst2_worker1 +worker +down'
	tui_wait 'nodes 6, 5 up'
}

@test "3: + and - move the interval towards 0.25-64 s even from a -d outside it" {
	tui_start --delay 100
	tui_wait 'every 100s'
	tui_keys +
	tui_keys r
	tui_wait 'every 100s'
	tui_keys -
	tui_wait 'every 50s'
	tui_stop
	tui_start --delay 0.1
	tui_wait 'every 0.1s'
	tui_keys -
	tui_keys r
	tui_wait 'every 0.1s'
	tui_keys +
	tui_wait 'every 0.2s'
}

@test "4: the Metrics header stays on a terminal 200 columns wide" {
	tui_start 200x40
	select_node inst1_worker0
	tui_keys 2
	tui_wait 'FAMILY / SERIES'
	assert_regex "$(tui_line 'FAMILY / SERIES')" 'FAMILY / SERIES +VALUE +RATE( +P50 P90 P99)? *$'
}

@test "5: narrow terminals: title, node line and Overview columns stay whole" {
	tui_start 60x24
	tui_wait 'nodes 6, 6 up'
	tui_keys / inst1_scheduler Enter 3
	tui_wait_re '^ node inst1_scheduler +up '
	tui_stop
	tui_start 80x24
	tui_wait_re 'inst2_worker1 .* up '
	local head
	head=$(tui_line 'NAME')
	assert_regex "$head" '^ NAME +(ROLE +)?STATE +((VERSION|HIT RATE|HIT TOK/S|RETR/S|TREND|CACHE|PLUGINS) *)+$'
	assert_regex "$head" 'HIT RATE'
	run ! grep -qF '…' <<<"$head"
	# each node's name is whole
	for n in "${NODES[@]}"; do tui_has "$n "; done
}

@test "6: one unit and precision per value; floats in their shortest form" {
	tui_start
	select_node inst1_worker0
	tui_keys 2
	tui_wait_re 'lmcache:local_cache_usage\{'
	local screen top row
	screen=$(tui_screen)
	top=$(grep -E '^ cache usage ' <<<"$screen" | grep -oE '[0-9.]+ [KMG]iB' | head -n 1)
	row=$(grep -E 'lmcache:local_cache_usage\{' <<<"$screen" | grep -oE '[0-9.]+ [KMG]iB$')
	[ -n "$top" ]
	assert_equal "$row" "$top"
	tui_keys 7
	tui_wait_re 'gpu_memory_utilization +0\.9 *$'
}

@test "7: down and gone nodes are dimmed and show the age of their last answer" {
	tui_start --no-color
	tui_wait_re 'inst2_worker1 +worker +up'
	tui_keys / inst2_worker1 Enter 3
	tui_wait 'MHD-worker'
	run ! tui_dim_any 'MHD-worker'
	tui_keys 1 Escape
	cluster_kill inst2_worker1
	tui_wait_re 'inst2_worker1 +worker +down [0-9]+s'
	# its tabs show the last answer, dimmed, with the age of the node's last answer
	tui_keys 3
	tui_wait_re '^ node inst2_worker1 +down [0-9]+s'
	tui_dim_any 'MHD-worker'
	# dim (SGR 2) on the down node's row (the cursor elsewhere), not on a live one
	tui_keys 1 k
	tui_wait 'selected: inst2_worker0'
	tui_dim 'inst2_worker1 '
	run ! tui_dim 'inst1_worker0 '
	run ! tui_dim 'inst2_scheduler '
}

@test "8: the Overview's filter counts nodes, not frontend lines; the node pane stays" {
	tui_start
	tui_wait_re 'inst2_worker1 +worker +up'
	tui_keys / inst2 Enter
	tui_wait '(3 of 6 nodes'
	tui_wait 'selected: inst2_scheduler'
	tui_keys / C-u nothing-matches Enter
	tui_wait '(0 of 6 nodes'
	tui_wait 'selected: inst2_scheduler'
	tui_keys Escape
	tui_wait 'inst1_worker0'
	# a node that joins does not take the pane away
	cluster_node inst3 worker 0
	cluster_frontend fe3 inst3_worker0
	tui_wait_re 'inst3_worker0 +worker +up'
	tui_wait 'selected: inst2_scheduler'
}
