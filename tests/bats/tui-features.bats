#!/usr/bin/env bats
# lmcache-top for a large cluster (issue 15), against a real local cluster (registry -> two
# frontends -> six demo nodes) in tmux: sorting, n/N, marking and bulk actions with one
# confirmation and a result per node, Enter/Esc drill-down, the whole-row pane and
# horizontal scroll, Overview rates, the mouse and --no-mouse.

bats_require_minimum_version 1.5.0
load ../helpers/tui-cluster

# click X Y: a press and release of button 1 at column X, line Y (from 0), as the X10 mouse
# reports a terminal sends: ESC [ M, then button + 32, X + 33, Y + 33.
click() {
	local b
	for b in 32 35; do
		tui_keys -l "$(printf '\033[M%b%b%b' "\\x$(printf %x "$b")" \
			"\\x$(printf %x $(($1 + 33)))" "\\x$(printf %x $(($2 + 33)))")"
	done
}

# The text of the pane under the table that shows a row whole, its lines joined.
whole_row() {
	tui_screen | sed -n '/the whole row/,/filter:/p' | sed '1d;$d;s/^   //' | tr -d '\n'
}

# The node names of the Overview, top to bottom.
overview_order() {
	tui_screen | grep -E '^ (│|\||) +(├─|└─|\|-|`-) inst' | grep -oE 'inst[0-9]_(scheduler|worker[0-9])' |
		tr '\n' ' '
}

@test "sort: < > pick the column, I inverts, the mark is on the header; sorting is within each frontend" {
	tui_start
	tui_wait_re 'inst2_worker1 +worker +up'
	tui_keys '>'
	tui_wait 'NAME▲'
	tui_keys I
	tui_wait 'NAME▼'
	wait_until 10 eval '[ "$(overview_order)" = "inst1_worker1 inst1_worker0 inst1_scheduler inst2_worker1 inst2_worker0 inst2_scheduler " ]'
	tui_keys '>'
	tui_wait 'ROLE▲'
	wait_until 10 eval '[ "$(overview_order)" = "inst1_scheduler inst1_worker0 inst1_worker1 inst2_scheduler inst2_worker0 inst2_worker1 " ]'
	# HIT RATE sorts high to low: every frontend's nodes in descending order of the column
	tui_keys '>' '>' '>'
	tui_wait 'HIT RATE▼'
	local rates
	rates=$(tui_screen | grep -E '^ (│|\|)  (├─|└─|\|-|`-) inst1' | grep -oE '[0-9.]+%' )
	assert_equal "$rates" "$(sort -rn <<<"$rates")"
	tui_keys '<' '<' '<' '<' '<'
	tui_wait_re '^ NAME +ROLE +STATE +VERSION +HIT RATE +HIT TOK/S'
}

@test "sort: threads by CPU%, high to low" {
	tui_start
	tui_keys / inst1_worker1 Enter
	tui_wait 'selected: inst1_worker1'
	tui_keys 3
	tui_wait 'CPU%'
	tui_keys '>' '>' '>' '>'
	tui_wait 'CPU%▼'
	tui_wait_re 'lmc-worker-1 +[a-z]+ +[0-9]+\.[0-9] '
	local pcts
	pcts=$(tui_screen | awk '/CPU%▼/ { on = 1; next } on && NF > 3 { print }' |
		grep -oE ' [0-9]+\.[0-9] ' | head -n 20)
	[ -n "$pcts" ]
	assert_equal "$pcts" "$(sort -rn <<<"$pcts")"
}

@test "n/N jump between the rows matching the filter; a family keeps its series" {
	tui_start
	tui_keys 4
	tui_wait_re '^ root +WARNING'
	tui_keys / lmcache.v1 Enter
	tui_wait '(4 of 7 loggers'
	tui_wait_re 'lmcache\.v1\.cache_engine'
	tui_keys n
	tui_wait_re 'lmcache\.v1\.internal_api_server'
	# the cursor row is drawn in the cursor's attributes: follow it with n and N
	[ "$(tui_sgr_before 'lmcache.v1.internal_api_server')" != "$(tui_sgr_before 'lmcache.v1.cache_engine')" ]
	tui_keys N
	wait_until 10 eval '[ "$(tui_sgr_before lmcache.v1.cache_engine)" != "$(tui_sgr_before lmcache.v1.internal_api_server)" ]'
}

@test "marking: Space marks, a marks what the filter shows; a level set on all marked nodes at once" {
	tui_start
	tui_wait_re 'inst2_worker1 +worker +up'
	tui_keys / worker Enter
	tui_wait '(4 of 6 nodes'
	tui_keys a Escape
	tui_wait '4 marked'
	tui_keys 4
	tui_wait_re 'lmcache\.v1\.cache_engine +WARNING'
	tui_keys / cache_engine Enter Enter
	tui_wait 'level of lmcache.v1.cache_engine'
	tui_keys k Enter
	tui_wait 'Set 4 loggers (lmcache.v1.cache_engine) on 4 nodes to INFO? [y/N]'
	for n in inst1_worker0 inst1_worker1 inst2_worker0 inst2_worker1; do
		tui_wait_re "$n +lmcache\\.v1\\.cache_engine +WARNING -> INFO"
	done
	tui_keys y
	tui_wait '4 of 4 done'
	tui_wait 'results of the last action, per node'
	tui_wait_re 'inst2_worker1: lmcache\.v1\.cache_engine -> INFO: Set'
	run lmcctl --no-headers log-level lmcache.v1.cache_engine
	assert_success
	assert_equal "$(grep -cE ' INFO( +ok)?$' <<<"$output")" 4
	assert_equal "$(grep -cE ' WARNING( +ok)?$' <<<"$output")" 2
}

@test "marking by role: M marks every node of the cursor node's role, u unmarks all" {
	tui_start
	tui_wait_re 'inst2_worker1 +worker +up'
	tui_keys M
	tui_wait '2 marked'   # the cursor is on inst1_scheduler: both schedulers
	assert_regex "$(tui_line 'inst2_scheduler ')" '^(●|\*)'
	run ! grep -qE '^(●|\*).*inst1_worker0' <<<"$(tui_screen)"
	tui_keys j M
	tui_wait '6 marked'
	tui_keys u
	tui_wait_gone 'marked'
}

@test "bulk config: one confirmation with current -> new per node, a result per node" {
	tui_start
	tui_wait_re 'inst2_worker1 +worker +up'
	tui_keys / inst1_worker0 Enter ' ' / C-u inst2_worker0 Enter ' ' Escape
	tui_wait '2 marked'
	tui_keys 5 / max_local_cpu Enter
	tui_wait_re 'max_local_cpu_size +5\.0'
	tui_keys Enter C-u 3.5 Enter
	tui_wait 'Set max_local_cpu_size = 3.5 on 2 nodes? [y/N]'
	tui_wait_re 'inst1_worker0 +max_local_cpu_size +5\.0 -> 3\.5'
	tui_wait_re 'inst2_worker0 +max_local_cpu_size +5\.0 -> 3\.5'
	tui_keys y
	tui_wait '2 of 2 done'
	tui_wait_re 'inst1_worker0: max_local_cpu_size = 3\.5: updated'
	for n in inst1_worker0 inst2_worker0; do
		run curl -sS --unix-socket "$(cluster_sock $n)" 'http://localhost/conf?names=max_local_cpu_size'
		assert_output --partial '3.5'
	done
	run curl -sS --unix-socket "$(cluster_sock inst1_worker1)" 'http://localhost/conf?names=max_local_cpu_size'
	assert_output --partial '5'
}

@test "Enter on a node opens its tabs, Esc comes back to the Overview" {
	tui_start
	tui_wait_re 'inst2_worker1 +worker +up'
	tui_keys j j
	tui_wait 'selected: inst1_worker1'
	tui_keys Enter
	tui_wait ' node inst1_worker1 '
	tui_wait 'FAMILY / SERIES'
	tui_keys Escape
	tui_wait 'selected: inst1_worker1'
	tui_wait 'HIT RATE'
}

@test "a row that does not fit: the whole row below; Left/Right scroll sideways" {
	tui_start 80x30
	tui_wait_re 'inst2_worker1 .* up '
	tui_keys / inst1_worker0 Enter
	tui_wait 'selected: inst1_worker0'
	tui_keys 2
	tui_wait 'FAMILY / SERIES'
	tui_keys / num_hit_tokens Enter j
	tui_wait 'the whole row'
	wait_until 10 eval 'whole_row | grep -qF "SERIES: lmcache:num_hit_tokens_total{model_name=\"meta-llama/Llama-3.1-8B-Instruct\",worker_id=\"0\"}"'
	tui_keys Right Right
	tui_wait_re 'Instruct",worker_id="'
	run ! grep -q 'FAMILY / SERIES' <<<"$(tui_screen)"
	tui_keys Left Left
	tui_wait 'FAMILY / SERIES'
}

@test "the mouse: a click on a tab, on a column header (sorts), on a row; --no-mouse leaves it" {
	tui_start
	tui_wait_re 'inst2_worker1 +worker +up'
	local x y
	y=$(tui_screen | grep -n 'inst2_worker0 ' | head -n 1 | cut -d: -f1)
	click 10 $((y - 1))
	tui_wait 'selected: inst2_worker0'
	y=$(tui_screen | grep -n '^ NAME' | cut -d: -f1)
	x=$(tui_screen | grep '^ NAME' | grep -bo 'ROLE' | cut -d: -f1)
	click "$x" $((y - 1))
	tui_wait 'ROLE▲'
	click 14 1
	tui_wait 'FAMILY / SERIES'
	tui_stop
	tui_start --no-mouse
	tui_wait_re 'inst2_worker1 +worker +up'
	click 14 1
	tui_keys r
	run ! tui_has 'FAMILY / SERIES'
}

@test "Config: a long extra_config value is shown whole below the table" {
	LMCACHE_EXTRA_CONFIG='{"plugin_a": {"endpoint": "http://127.0.0.1:9/a/very/long/path/that/does/not/fit/in/the/value/column", "retries": 3}}' \
		cluster_node inst3 worker 0
	LMCACHE_REGISTRY= tui_start 80x30 --socket "$(cluster_sock inst3_worker0)"
	tui_keys 5 / extra_config Enter
	tui_wait_re '^ extra_config +\{"plugin_a":'
	tui_wait 'the whole row'
	wait_until 10 eval 'whole_row | grep -qF "VALUE: {\"plugin_a\":{\"endpoint\":\"http://127.0.0.1:9/a/very/long/path/that/does/not/fit/in/the/value/column\",\"retries\":3}}"'
}
