#!/usr/bin/env bats
# The agent's Prometheus text, as GET /metrics serves it, checked by promtool.
load ../helpers/common

setup() { lmc_setup; }
teardown() { lmc_teardown; }

exposition() {
	"$LMC_BUILDDIR/tests/unit/print-exposition" >"$T/metrics.txt"
}

@test "promtool parses the exposition of every metric type" {
	exposition
	promtool_check "$T/metrics.txt"
}

@test "promtool parses the exposition after a reset" {
	RESET=1 "$LMC_BUILDDIR/tests/unit/print-exposition" >"$T/metrics.txt"
	promtool_check "$T/metrics.txt"
	run grep -c ' 0.0$' "$T/metrics.txt"
	assert [ "$output" -gt 20 ]
}

@test "one HELP and one TYPE per family, counters with _total" {
	exposition
	run bash -c "grep '^# TYPE' '$T/metrics.txt' | awk '{print \$3}' | sort | uniq -d"
	assert_output ""
	run bash -c "grep '^# HELP' '$T/metrics.txt' | awk '{print \$3}' | sort | uniq -d"
	assert_output ""
	run grep '^# TYPE' "$T/metrics.txt"
	assert_line "# TYPE lmcache:num_hit_tokens_total counter"
	assert_line "# TYPE lmcache:num_retrieve_requests_total counter"
	assert_line "# TYPE lmcache:time_to_retrieve histogram"
	run grep -c '^lmcache:num_hit_tokens_total{' "$T/metrics.txt"
	assert_output 2
}

@test "a broken exposition is rejected by the same check" {
	[ -n "${PROMTOOL:-}" ] || skip "promtool not installed"
	exposition
	# A family repeated with its HELP and TYPE is what LMCache's aggregation produces.
	printf '# HELP lmcache:local_cache_usage again\n# TYPE lmcache:local_cache_usage gauge\nlmcache:local_cache_usage 1.0\n' >>"$T/metrics.txt"
	run promtool_check "$T/metrics.txt"
	assert_failure
}
