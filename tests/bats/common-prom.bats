#!/usr/bin/env bats
# The Prometheus merger (src/common/prom-merge.c) through tests/progs/prom-merge: the merged
# exposition of several nodes must satisfy promtool, label every sample with its node, keep
# one HELP and TYPE per family, and report what it left out.
load ../helpers/common

setup() {
	lmc_setup
	P="$FIXTURES/prom"
	MERGE="$LMC_BUILDDIR/tests/progs/prom-merge"
}
teardown() { lmc_teardown; }

# merge NAME=FILE...: the merged text in $T/merged.prom, problems in $T/problems; a
# sanitizer report fails the test.
merge() {
	"$MERGE" "$@" >"$T/merged.prom" 2>"$T/problems"
	! grep -E 'Sanitizer|runtime error' "$T/problems"
}

# scraped_with NAME PORT TEXT: the demo node's /metrics, saved as $T/NAME.prom, contains TEXT.
scraped_with() {
	curl -sf --unix-socket "$T/sock_$2" http://localhost/metrics -o "$T/$1.prom" &&
		grep -qF "$3" "$T/$1.prom"
}

# Every family name that has more than one TYPE (or HELP) line.
repeated_headers() {
	grep -E '^# (HELP|TYPE) ' "$T/merged.prom" | awk '{print $2, $3}' | sort | uniq -d
}

@test "merged fixtures pass promtool" {
	merge w0="$P/lmcache-python.prom" w1="$P/agent.prom" w2="$P/escapes.prom" \
		w3="$P/conflict.prom" w4="$P/node-label.prom"
	promtool_check "$T/merged.prom"
	run repeated_headers
	assert_output ""
}

@test "every sample carries its node label, first" {
	merge w0="$P/lmcache-python.prom" w1="$P/agent.prom"
	run grep -v -E '^(#|$)' "$T/merged.prom"
	assert_success
	# No line is neither a comment nor a sample that starts with its node label.
	run grep -v -E '^(#|[a-zA-Z_:][a-zA-Z0-9_:]*\{node="w[01]")' "$T/merged.prom"
	assert_failure
	assert_output ""
	run grep -c '^lmcache:num_hit_tokens_total{node="w[01]",' "$T/merged.prom"
	assert_output "2"
	run grep -c '^# TYPE lmcache:time_to_retrieve histogram$' "$T/merged.prom"
	assert_output "1"
}

@test "an existing node label becomes exported_node" {
	merge w4="$P/node-label.prom"
	promtool_check "$T/merged.prom"
	assert grep -q '^lmcache:local_cache_usage{node="w4",exported_node="gpu-box-7",worker_id="2"} 2048.0$' "$T/merged.prom"
	assert grep -q 'exported_exported_node="gpu-box-8",exported_node="older"' "$T/merged.prom"
}

@test "a type conflict is skipped and reported" {
	merge w0="$P/lmcache-python.prom" w3="$P/conflict.prom"
	promtool_check "$T/merged.prom"
	run cat "$T/problems"
	assert_output "$(printf 'w3\tlmcache:retrieve_hit_rate\tfamily lmcache:retrieve_hit_rate skipped: type counter conflicts with gauge')"
	assert grep -q '^# node w3: family lmcache:retrieve_hit_rate skipped' "$T/merged.prom"
	run grep -c '^lmcache:retrieve_hit_rate{node="w3"' "$T/merged.prom"
	assert_output "0"
	# The rest of w3 is kept, under the first HELP seen.
	assert grep -q '^lmcache:local_cache_usage{node="w3",worker_id="1"} 1024.0$' "$T/merged.prom"
	assert grep -q '^# HELP lmcache:local_cache_usage Local cache usage (bytes) of lmcache$' "$T/merged.prom"
}

@test "up and scrape duration gauges for every node, down ones included" {
	printf 'garbage{ 1\n' >"$T/bad.prom"
	merge w0="$P/lmcache-python.prom" bad="$T/bad.prom" gone="$T/missing.prom"
	promtool_check "$T/merged.prom"
	assert grep -q '^lmcache_frontend_node_up{node="w0"} 1$' "$T/merged.prom"
	assert grep -q '^lmcache_frontend_node_up{node="bad"} 0$' "$T/merged.prom"
	assert grep -q '^lmcache_frontend_node_up{node="gone"} 0$' "$T/merged.prom"
	run grep -c '^lmcache_frontend_node_scrape_duration_seconds{node=' "$T/merged.prom"
	assert_output "3"
	run cat "$T/problems"
	assert_line --partial "$(printf 'bad\t-\tinvalid exposition: line 1: ')"
	assert_line --partial "$(printf 'gone\t-\tscrape failed: unreachable: ')"
}

@test "live demo nodes merge into one valid exposition" {
	lmc_bg w0 lmcache-demo-node --role worker --worker-id 0 --socket-prefix "$T/sock" --tick-ms 20
	lmc_bg w1 lmcache-demo-node --role worker --worker-id 1 --socket-prefix "$T/sock" --tick-ms 20
	wait_for_socket "$T/sock_7000"
	wait_for_socket "$T/sock_7001"
	# A histogram is exposed once it has an observation: wait for the first tick's.
	wait_until 10 scraped_with w0 7000 'lmcache:time_to_retrieve_bucket{'
	wait_until 10 scraped_with w1 7001 'lmcache:num_retrieve_requests_total{'
	merge w0="$T/w0.prom" w1="$T/w1.prom" py="$P/lmcache-python.prom"
	promtool_check "$T/merged.prom"
	run repeated_headers
	assert_output ""
	assert grep -q '^lmcache:num_retrieve_requests_total{node="w1",' "$T/merged.prom"
	assert grep -q '^lmcache:time_to_retrieve_bucket{node="w0",.*le="+Inf"}' "$T/merged.prom"
	run cat "$T/problems"
	assert_output ""
}
