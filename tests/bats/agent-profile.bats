#!/usr/bin/env bats
# GET /profile: a sampling profile of every thread, in the folded format and as JSON; and
# the symbols of /threads frames (libdw: static functions and file:line).

load ../helpers/common
load ../helpers/agent

setup() {
	lmc_setup
	agent_worker_unix w5 5 --busy 1
	SOCK="$T/api/sock_7005"
}
teardown() { lmc_teardown_checked; }

get() { curl -sS --max-time 30 --unix-socket "$SOCK" -w '\n%{http_code}' "http://localhost$1"; }

@test "profile: folded lines name the busy thread's hottest function, a static one" {
	run get '/profile?seconds=1&hz=99'
	assert_success
	assert_equal "${lines[-1]}" 200
	body=$(sed '$d' <<<"$output")
	# flamegraph.pl's line grammar: frames joined by ';', a space, a count.
	run grep -cvE '^[^ ;]+(;[^ ;]+)* [0-9]+$' <<<"$body"
	assert_output 0
	hot=$(sort -t' ' -k2 -n <<<"$body" | tail -n 1)
	[[ "$hot" == lmc-busy\;*\;busy_loop\;busy_hash_round\ * ]]
}

@test "profile: JSON counts self and total per function, off-CPU apart" {
	run get '/profile?seconds=1&hz=50&format=json'
	assert_equal "${lines[-1]}" 200
	body=$(sed '$d' <<<"$output")
	json_true '.on_cpu.functions[0] | .function == "busy_hash_round" and .self > 0' <<<"$body"
	# busy_loop's own loop is a few instructions around its calls: a sample may land there,
	# but nearly all of its total is in what it calls.
	json_true '.on_cpu.functions | map(select(.function == "busy_loop"))[0] | .total > 0 and .self * 4 < .total' <<<"$body"
	json_true '.off_cpu.samples > 0 and .on_cpu.samples > 0 and .ticks > 0 and .hz == 50' <<<"$body"
	# The worker loop waits between ticks: its wait is off-CPU, never the busy hash.
	json_true '.off_cpu.functions | map(.function) | index("demo_worker_loop") != null' <<<"$body"
	json_true '.off_cpu.functions | map(.function) | index("busy_hash_round") == null' <<<"$body"
}

@test "profile: cpu=off folds the sleeping threads" {
	run get '/profile?seconds=1&cpu=off'
	assert_equal "${lines[-1]}" 200
	assert_output --partial 'lmc-worker-5;'
	assert_output --partial ';demo_worker_loop;'
}

@test "profile: bad arguments are 400 with the bounds" {
	for q in seconds=0 seconds=31 seconds=x hz=0 hz=1001 format=xml cpu=sideways \
		'format=json&cpu=off'; do
		run get "/profile?$q"
		assert_equal "${lines[-1]}" 400
		assert_output --partial 'seconds must be 1..30, hz 1..1000'
	done
}

# A profile is running when its worker thread's stack is in profile_run (seen by /threads,
# which captures only that thread here, to stay quick on a loaded machine).
profiling() {
	curl -s --max-time 5 --unix-socket "$SOCK" 'http://localhost/threads?format=json&name=srv-later' |
		json_true 'any(.[].frames[]; startswith("profile_run+"))'
}

@test "profile: one at a time, the second gets 409" {
	curl -sS --max-time 30 --unix-socket "$SOCK" -o /dev/null -w '%{http_code}\n' \
		'http://localhost/profile?seconds=10&hz=20' >"$T/first" &
	first=$!
	wait_until 10 profiling
	run get '/profile?seconds=1'
	assert_equal "${lines[-1]}" 409
	assert_output --partial 'a profile is already running'
	wait "$first"
	assert_equal "$(cat "$T/first")" 200
	run get '/profile?seconds=1'
	assert_equal "${lines[-1]}" 200
}

# A capture of the busy thread inside busy_hash_round (it also spends time outside it,
# counting its rounds); its frames go to $T/frames.
busy_capture() {
	curl -s --max-time 10 --unix-socket "$SOCK" 'http://localhost/threads?format=json&name=lmc-busy' |
		jq -r '.[0].frames[]' >"$T/frames"
	grep -q '^busy_hash_round+0x' "$T/frames"
}

@test "threads: frames of static functions have names and file:line" {
	wait_until 30 busy_capture
	frame=$(grep '^busy_hash_round+0x' "$T/frames")
	[[ "$frame" =~ ^busy_hash_round\+0x[0-9a-f]+\ \(lmcache-demo-node\)\ busy\.c:([0-9]+)$ ]]
	line=${BASH_REMATCH[1]}
	# The line lies inside busy_hash_round in the source.
	start=$(grep -n 'busy_hash_round(uint64_t h)$' "$LMC_SRCDIR/src/demo/busy.c" | cut -d: -f1)
	[ "$line" -gt "$start" ] && [ "$line" -lt "$((start + 6))" ]
	grep -q '^busy_loop+0x[0-9a-f]* (lmcache-demo-node) busy\.c:[0-9]*$' "$T/frames"
}
