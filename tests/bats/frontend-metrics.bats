#!/usr/bin/env bats
# GET /metrics: every node scraped at once with a per-node timeout and merged into one
# exposition that promtool accepts: node label on every sample, one HELP/TYPE per family,
# type conflicts skipped and reported, per-node up and scrape-duration gauges. One node is a
# prometheus_client-style exposition (LMCache's Python) served by python3 -m http.server.

load ../helpers/common
load ../helpers/frontend

setup() {
	lmc_setup
	fe_instance i1 2
	mkdir -p "$T/py"
	cp "$FIXTURES/frontend/prometheus-client.prom" "$T/py/metrics"
	PY=$(free_port)
	lmc_bg py python3 -m http.server --bind 127.0.0.1 --directory "$T/py" "$PY"
	wait_for_http "http://127.0.0.1:$PY/metrics"
	NODES=$(fe_nodes_json i1_scheduler i1_worker0 i1_worker1 |
		jq -c --argjson p "$PY" --arg d "$T/dead.sock" \
			'. + [{name: "py", host: "127.0.0.1", port: $p}, {name: "dead", host: "localhost", port: $d}]')
}
teardown() { lmc_teardown_checked; }

@test "merged /metrics is one valid exposition (promtool) with a node label on every sample" {
	fe_start FE --nodes "$NODES"
	curl -sf "$FE/metrics" >"$T/merged.prom"
	promtool_check "$T/merged.prom"
	run grep -v '^#' "$T/merged.prom"
	assert_success
	# The frontend's own counters (lmcache_frontend_*) are about itself: no node label.
	run bash -c "grep -v '^#' '$T/merged.prom' | grep -v '^lmcache_frontend_' | grep -v 'node=\"' || true"
	assert_output ""
	run bash -c "grep '^# HELP ' '$T/merged.prom' | cut -d' ' -f3 | sort | uniq -d"
	assert_output ""
	run bash -c "grep '^# TYPE ' '$T/merged.prom' | cut -d' ' -f3 | sort | uniq -d"
	assert_output ""
	for n in i1_scheduler i1_worker0 i1_worker1 py; do
		grep -q "^lmcache_frontend_node_up{node=\"$n\"} 1" "$T/merged.prom"
		grep -q "^lmcache_frontend_node_scrape_duration_seconds{node=\"$n\"} " "$T/merged.prom"
	done
	grep -q '^lmcache_frontend_node_up{node="dead"} 0' "$T/merged.prom"
	# the Python node's histogram and counters merged with the demo nodes' families
	grep -q '^lmcache:time_to_retrieve_bucket{node="py",le="0.01"' "$T/merged.prom"
	grep -q '^python_gc_objects_collected_total{node="py",generation="0"} 8731' "$T/merged.prom"
	grep -q '^lmcache:num_retrieve_requests_total{node="i1_worker1",' "$T/merged.prom"
}

@test "an existing node label becomes exported_node" {
	fe_start FE --nodes "$NODES"
	run curl -sf "$FE/metrics"
	assert_output --partial 'lmcache:local_cache_usage{node="py",exported_node="gpu-box-7",worker_id="5"} 2048'
}

@test "a family whose type conflicts is skipped for that node and reported" {
	fe_start FE --nodes "$NODES"
	run curl -sf "$FE/metrics"
	grep -E '^# .*py.*lmcache:num_hit_tokens_total' <<<"$output"
	refute_output --partial 'lmcache:num_hit_tokens_total{node="py"'
	assert_output --partial '# TYPE lmcache:num_hit_tokens_total counter'
	assert_output --partial 'lmcache:num_hit_tokens_total{node="i1_worker0"'
}

@test "name= (our extension) keeps only the samples or families asked for, still valid" {
	fe_start FE --nodes "$NODES"
	curl -sf "$FE/metrics?name=lmcache_frontend_node_up&name=lmcache%3Atime_to_retrieve_sum&name=lmcache:local_cache_usage" \
		>"$T/some.prom"
	promtool_check "$T/some.prom"
	# the families asked for, each of the five nodes' up gauge
	assert_equal "$(grep -c '^lmcache_frontend_node_up{' "$T/some.prom")" 5
	grep -q '^lmcache:local_cache_usage{node="py",exported_node="gpu-box-7",worker_id="5"} 2048' \
		"$T/some.prom"
	# a histogram's _sum asked for by name: with its family's TYPE, without its buckets
	grep -q '^# TYPE lmcache:time_to_retrieve histogram' "$T/some.prom"
	grep -q '^lmcache:time_to_retrieve_sum{node="py"' "$T/some.prom"
	run bash -c "grep -v '^#' '$T/some.prom' | grep -E '_bucket|_count|num_hit_tokens|python_gc|lmcache_frontend_audited'"
	assert_failure
	# why a node could not be scraped stays
	grep -q '^# node dead: ' "$T/some.prom"
	# lmcache-frontend(8)'s example
	run curl -sf "$FE/metrics?name=lmcache_frontend_node_up&name=lmcache:local_cache_usage"
	assert_equal "$(grep -c '^lmcache:local_cache_usage{' <<<"$output")" 3
	assert_equal "$(grep -vc '^#' <<<"$output")" 8
	# a whole family by its name: every bucket
	curl -sf "$FE/metrics?name=lmcache:time_to_retrieve" >"$T/family.prom"
	promtool_check "$T/family.prom"
	grep -q '^lmcache:time_to_retrieve_bucket{node="py",le="0.01"' "$T/family.prom"
	# other arguments change nothing (LMCache's frontend ignores them all)
	run bash -c "curl -sf '$FE/metrics?x=1' | grep -c '^lmcache_frontend_node_up{'"
	assert_output 5
}

@test "name= with no name, a malformed one or too many: 400 with a reason" {
	fe_start FE --nodes "$NODES"
	for q in "name=" "name=%zz" "$(printf 'name=n%d&' $(seq 1 65))"; do
		run curl -s -o "$T/out" -w '%{http_code}' "$FE/metrics?$q"
		assert_output 400
		json_true '.detail | test("metric name")' <"$T/out"
	done
}

@test "a hung node is down after --metrics-timeout while the others are scraped" {
	fe_start FE --nodes "$NODES" --metrics-timeout 1
	kill -STOP "$(cat "$T/node-i1_worker1.pid")"
	run curl -sf --max-time 20 "$FE/metrics"
	kill -CONT "$(cat "$T/node-i1_worker1.pid")"
	assert_output --partial 'lmcache_frontend_node_up{node="i1_worker1"} 0'
	assert_output --partial 'lmcache_frontend_node_up{node="i1_worker0"} 1'
	assert_output --partial 'lmcache_frontend_node_up{node="py"} 1'
}

@test "through two hops, the central frontend's /metrics holds the leaves of another frontend" {
	fe_start FE1 --nodes "$NODES"
	rport=$(free_port)
	lmc_bg registry lmcache-discovery --port "$rport"
	wait_for_http "http://127.0.0.1:$rport/health"
	curl -sf "http://127.0.0.1:$rport/lmcache_heartbeat?api_address=$FE1&pid=1&version=1" >/dev/null
	fe_start CENTRAL --node-supplier-url "http://127.0.0.1:$rport" --node-supplier-interval 1
	wait_until 15 eval "curl -s $CENTRAL/metrics | grep -q 'lmcache_frontend_node_up{node=\"py\"} 1'"
	curl -sf "$CENTRAL/metrics" >"$T/central.prom"
	promtool_check "$T/central.prom"
	grep -q '^lmcache_frontend_node_up{node="i1_worker0"} 1' "$T/central.prom"
}

@test "a real Prometheus scrapes the merged /metrics: target up, series per node" {
	command -v prometheus >/dev/null || skip "prometheus not installed"
	fe_start FE --nodes "$NODES"
	pport=$(free_port)
	cat >"$T/prom.yml" <<-YAML
	global: { scrape_interval: 1s, evaluation_interval: 1s }
	scrape_configs:
	  - job_name: frontend
	    static_configs: [{ targets: ["127.0.0.1:${FE##*:}"] }]
	YAML
	lmc_bg prometheus prometheus --config.file="$T/prom.yml" --storage.tsdb.path="$T/tsdb" \
		--web.listen-address="127.0.0.1:$pport"
	P="http://127.0.0.1:$pport/api/v1"
	wait_until 60 eval "curl -s '$P/query?query=up' | json_true '.data.result[0].value[1] == \"1\"'"
	# The target is healthy and its last scrape had no error (the targets API lags the
	# query API on a loaded machine, so wait for it rather than read it once).
	wait_until 30 eval "curl -s '$P/targets' | json_true '.data.activeTargets[0] | .health == \"up\" and .lastError == \"\"'"
	wait_until 30 eval "curl -s '$P/query?query=lmcache_frontend_node_up' | json_true '.data.result | length == 5'"
	# A scrape that overran its 1 s timeout on a loaded machine leaves the series stale for a
	# moment: wait for the answer rather than read it once.
	node_up() {
		curl -s "$P/query?query=lmcache_frontend_node_up" |
			jq -r '[.data.result[] | "\(.metric.node)=\(.value[1])"] | sort | join(" ")'
	}
	wait_until 30 eval '[ "$(node_up)" = "dead=0 i1_scheduler=1 i1_worker0=1 i1_worker1=1 py=1" ]' ||
		assert_equal "$(node_up)" "dead=0 i1_scheduler=1 i1_worker0=1 i1_worker1=1 py=1"
	run curl -s "$P/query?query=lmcache:local_cache_usage%7Bnode%3D%22py%22%7D"
	assert_equal "$(jq -r '.data.result[0].metric.exported_node' <<<"$output")" gpu-box-7
}

# polls_per_node PID NODES URL: poll calls PID makes (strace) over 3 scrapes of URL, per node
# and scrape; fails when strace counted none (it did not trace).
polls_per_node() {
	local spid calls
	strace -f -qq -c -e trace=poll -o "$T/poll.txt" -p "$1" 2>"$T/strace.err" &
	spid=$!
	wait_until 10 traced "$1" || return 1
	for _ in 1 2 3; do curl -sf -o /dev/null "$3"; done
	kill -INT "$spid"
	wait "$spid" || true
	calls=$(awk '$NF == "poll" { print $4 }' "$T/poll.txt")
	[ -n "$calls" ] || return 1
	echo $((calls / (3 * $2)))
}

@test "a scrape of 64 unix-socket nodes finds each kept connection at once (libcurl's cache)" {
	command -v strace >/dev/null || skip "strace not installed"
	strace -qq -o /dev/null true 2>/dev/null || skip "strace cannot trace here"
	LMCACHE_INTERNAL_API_SERVER_ENABLED=true lmc_bg many lmcache-demo-node --count 64 \
		--worker-count 64 --instance-id many --socket-prefix "$T/m" --tick-ms 1000
	wait_for_socket "$T/m_7063"
	seq 0 63 | jq -cn --arg d "$T" '[inputs | {name: "many_worker\(.)", host: "localhost",
		port: "\($d)/m_\(7000 + .)"}]' >"$T/many.json"
	fe_start FE --nodes "$(cat "$T/many.json")"
	# every node answers, from its own socket (its samples' worker_id is its number), over a
	# kept connection
	for _ in 1 2; do
		run curl -sf "$FE/metrics"
		assert_equal "$(grep -c '^lmcache_frontend_node_up{node="many_worker[0-9]*"} 1$' <<<"$output")" 64
	done
	sed -n 's/.*{node="many_worker\([0-9]*\)".*worker_id="\([0-9]*\)".*/\1 \2/p' \
		<<<"$output" >"$T/pairs"
	assert_equal "$(cut -d' ' -f1 "$T/pairs" | sort -u | wc -l)" 64
	assert_equal "$(awk '$1 != $2' "$T/pairs" | wc -l)" 0
	# libcurl files kept connections by host and port: every unix socket's under
	# "localhost:80", and each lookup checked all of them with a poll call, 33 a node
	# here. With a name per socket, about 2.
	polls=$(polls_per_node "$(cat "$T/fe-FE.pid")" 64 "$FE/metrics") ||
		fail "strace counted no poll calls: $(cat "$T/strace.err")"
	[ "$polls" -le 8 ] || fail "$polls poll calls a node and scrape"
}
