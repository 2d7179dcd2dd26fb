#!/usr/bin/env bats
# The test helpers the other files lean on (tests/helpers/common.bash): a wait that could
# not fail, or never end, would make every test that uses it meaningless.

load ../helpers/common

setup() { lmc_setup; }
teardown() { lmc_teardown; }

# ms since the epoch
now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }

# third_try FILE: fails twice, then succeeds (counts its tries in FILE).
third_try() {
	echo x >>"$1"
	[ "$(wc -l <"$1")" -ge 3 ]
}

@test "wait_until returns as soon as the command succeeds, and fails when it never does" {
	run wait_until 5 third_try "$T/tries"
	assert_success
	assert_equal "$(wc -l <"$T/tries")" 3
	run wait_until 1 false
	assert_failure
}

@test "wait_until gives up after 3 x SECONDS of wall time however slow each try is" {
	local t0
	t0=$(now_ms)
	run wait_until 1 sh -c 'sleep 1; exit 1'
	assert_failure
	# 20 tries of 1 s would take 20 s; the bound is 3 s (one try more may be under way)
	[ $(($(now_ms) - t0)) -lt 5500 ]
	[ $(($(now_ms) - t0)) -ge 3000 ]
}

@test "json_true fails on no input at all, and on false or null" {
	run json_true '.a == 1' <<<'{"a":1}'
	assert_success
	run json_true '.a == 1' </dev/null
	assert_failure
	run json_true '.a == 1' <<<'{"a":2}'
	assert_failure
	run json_true '.b' <<<'{"a":2}'
	assert_failure
}

@test "a wait that gives up reports each background process: running or exited, and its log" {
	lmc_bg dead sh -c 'echo it broke; exit 3'
	lmc_bg live sleep 30
	wait_until 5 eval '! kill -0 "$(cat "$T/dead.pid")" 2>/dev/null'
	run wait_for_socket "$T/nope" 1
	assert_failure
	assert_line "socket $T/nope did not appear"
	assert_line "== dead (pid $(cat "$T/dead.pid")) has exited; its log ends:"
	assert_line "it broke"
	assert_line "== live (pid $(cat "$T/live.pid")) runs; its log ends:"
	run wait_for_http "http://127.0.0.1:1/" 1
	assert_failure
	assert_line "== dead (pid $(cat "$T/dead.pid")) has exited; its log ends:"
}
