#!/usr/bin/env bats
# lmcache-top asks a frontend for one merged /metrics a round, with only the series its
# Overview shows (our name= filter), instead of every node's /metrics; the selected node's
# whole /metrics only for that node. A frontend without a merged /metrics (LMCache's
# concatenates its nodes' texts) gets one request per node, as before, and is asked again
# only after a while. nginx stands in front of both frontends and logs every request.

bats_require_minimum_version 1.5.0
load ../helpers/common
load ../helpers/cluster
load ../helpers/tui

setup() {
	lmc_setup
	unset LMCACHE_REGISTRY
	cluster_have_frontend || skip "lmcache-frontend not built"
	for id in 0 1; do cluster_node inst1 worker "$id"; done
	for id in 0 1; do cluster_node inst2 worker "$id"; done
	cluster_frontend fe1 inst1_worker0 inst1_worker1
	# LMCache's frontend: its /metrics is each node's text behind a comment, every family
	# repeated (docs/protocol.md 5); nginx serves that shape and /proxy2 to the nodes
	LP=$(free_port) FP=$(free_port) GP=$(free_port)
	mkdir -p "$T/lmc/tmp"
	cluster_nodes_json "$LP" inst2_worker0 inst2_worker1 >"$T/lmc/nodes.json"
	cluster_nginx_conf "$T/lmc" "$LP" inst2_worker0 inst2_worker1 |
		sed "s|^        location /proxy2/ {|        location = /metrics { return 200 '$(lmc_concat)'; }\n&|" \
			>"$T/lmc/nginx.conf"
	lmc_bg lmc nginx -p "$T/lmc" -c "$T/lmc/nginx.conf" -g 'daemon off;'
	# in front of ours ($FP) and of LMCache's ($GP), logging each request
	cluster_nginx_log "$T/ng" "$FP" "$FE1_URL" "$GP" "http://127.0.0.1:$LP"
	wait_for_http "http://127.0.0.1:$FP/health" 10
	wait_for_http "http://127.0.0.1:$GP/health" 10
}

teardown() {
	tui_stop
	cluster_teardown
}

# What LMCache's frontend's /metrics looks like for two nodes (nginx's return text).
lmc_concat() {
	local n
	for n in inst2_worker0 inst2_worker1; do
		printf '# Metrics from node: %s (localhost:%s)\\n' "$n" "$(cluster_sock "$n")"
		printf '# TYPE lmcache:num_hit_tokens_total counter\\nlmcache:num_hit_tokens_total 1.0\\n\\n\\n'
	done
}

# reqs PORT PATTERN: requests through the logging nginx on PORT whose URI matches PATTERN
# (grep -E).
reqs() { awk -v p="$1" '$1 == p { print $3 }' "$T/ng/req.log" | grep -cE -- "$2" || true; }

# in_front DIR LOCATION: a logging nginx on $BP (set here) in front of our frontend, with
# one location of its own (LOCATION, a line of nginx.conf); its log is DIR/req.log.
in_front() {
	BP=$(free_port)
	NGINX_LOCATION=$2 cluster_nginx_log "$1" "$BP" "$FE1_URL"
	wait_for_http "http://127.0.0.1:$BP/health" 10
}

@test "our frontend: one merged /metrics a round with the Overview's series, nodes not asked" {
	tui_start --frontend "http://127.0.0.1:$FP" -d 0.2 --max-iterations 8
	wait_until 60 eval '! tui_running'
	assert_equal "$(tui_status)" 0
	# the listing in rounds 1 and 6 (every 5th: nothing changed), the merged one every round
	assert_equal "$(reqs "$FP" '^/api/nodes$')" 2
	assert_equal "$(reqs "$FP" '^/metrics\?name=lmcache_frontend_node_up&name=')" 8
	# only the series the Overview shows: hit rate, hit tokens, retrieves, cache usage...
	awk -v p="$FP" '$1 == p && $3 ~ /^\/metrics/ { print $3; exit }' "$T/ng/req.log" |
		grep -q 'name=lmcache%3Anum_hit_tokens_total&'
	# the selected node's whole /metrics (the Metrics tab), no other node's
	[ "$(reqs "$FP" '^/proxy2/inst1_worker0/metrics$')" -ge 1 ]
	assert_equal "$(reqs "$FP" '^/proxy2/inst1_worker1/metrics$')" 0
}

@test "our frontend: the Overview's figures, rates and hints from the merged /metrics" {
	tui_start --frontend "http://127.0.0.1:$FP"
	for n in inst1_worker0 inst1_worker1; do
		tui_wait_re "$n +worker +up +0\.1\.0-demo +[0-9.]+% +[0-9.kM]+ +[0-9.kM]+ .* [0-9.]+ (MiB|GiB|KiB) "
	done
	# a node stopped: down with the reason the frontend's merge gives
	cluster_kill inst1_worker1
	tui_wait_re 'inst1_worker1 +worker +down'
	tui_keys j
	tui_wait_re 'answered .* error: .*unreachable'
	assert_regex "$(tui_line 'inst1_worker0 ')" 'inst1_worker0 +worker +up'
}

@test "a frontend without a merged /metrics (LMCache's): each node asked, the frontend seldom" {
	tui_start --frontend "http://127.0.0.1:$LP"
	for n in inst2_worker0 inst2_worker1; do
		tui_wait_re "$n +worker +up +0\.1\.0-demo +[0-9.]+% +[0-9.kM]+ +[0-9.kM]+ "
	done
	tui_stop
	# six rounds: its /metrics asked in the first (it is no merged exposition), then not
	# again for a while; each node's own every round
	tui_start --frontend "http://127.0.0.1:$GP" -d 0.2 --max-iterations 6
	wait_until 60 eval '! tui_running'
	assert_equal "$(tui_status)" 0
	# the listing in round 1, and in round 2 because round 1 found its nodes in no merged
	# answer; then not before round 7
	assert_equal "$(reqs "$GP" '^/api/nodes$')" 2
	assert_equal "$(reqs "$GP" '^/metrics')" 1
	assert_equal "$(reqs "$GP" '^/proxy2/inst2_worker1/metrics$')" 6
}

@test "a frontend whose merged /metrics fails (503) is asked for it again the next round" {
	# nginx in front of our frontend answers its /metrics with 503, as a frontend too busy
	# to merge in time would fail; the rest goes through
	in_front "$T/bad" 'location = /metrics { return 503; }'
	tui_start --frontend "http://127.0.0.1:$BP" -d 0.2 --max-iterations 6
	wait_until 60 eval '! tui_running'
	assert_equal "$(tui_status)" 0
	# the merged /metrics every round (a failure is no proof it has none); each node on its
	# own in the same round, so the Overview still has its figures
	assert_equal "$(grep -cE '^[0-9]+ [0-9]+ /metrics\?name=' "$T/bad/req.log")" 6
	assert_equal "$(grep -cE ' /proxy2/inst1_worker1/metrics$' "$T/bad/req.log")" 6
}

@test "a merged /metrics naming a node the listing lacks: the listing is read again each round" {
	# nginx in front of our frontend lists only inst1_worker0; the merged /metrics (the
	# frontend's own) names inst1_worker1 too
	curl -sf "$FE1_URL/api/nodes" |
		jq -c '.nodes[0].children |= map(select(.name != "inst1_worker1"))' >"$T/nodes.json"
	in_front "$T/part" \
		"location = /api/nodes { default_type application/json; alias $T/nodes.json; }"
	tui_start --frontend "http://127.0.0.1:$BP" -d 0.2 --max-iterations 6
	wait_until 60 eval '! tui_running'
	assert_equal "$(tui_status)" 0
	assert_equal "$(grep -cE ' /api/nodes$' "$T/part/req.log")" 6
}

@test "r refreshes at once, the listing included" {
	tui_start --frontend "http://127.0.0.1:$FP" -d 60
	tui_wait_re 'inst1_worker1 +worker +up'
	wait_until 10 eval '[ "$(reqs "$FP" "^/metrics\\?name=")" = 1 ]'
	assert_equal "$(reqs "$FP" '^/api/nodes$')" 1
	tui_keys r
	wait_until 10 eval '[ "$(reqs "$FP" "^/metrics\\?name=")" = 2 ]'
	assert_equal "$(reqs "$FP" '^/api/nodes$')" 2
}
