#!/usr/bin/env bats
# GET /threads: every thread of the demo with its real call stack.

load ../helpers/common
load ../helpers/agent

setup() {
	agent_setup
	agent_worker_unix w3 3
}
teardown() { lmc_teardown_checked; }

worker() { curl -sS --max-time 20 --unix-socket "$T/api/sock_7003" "http://localhost$1"; }

@test "threads: text format with a summary, on both transports" {
	for via in unix tcp; do
		http $via GET /threads
		assert_equal "$code" 200
		[[ "$ctype" == text/plain* ]]
		n=$(grep -c '^Thread: ' "$T/body")
		[ "$n" -ge 3 ]
		grep -q '^=== Thread Summary ===$' "$T/body"
		grep -qx "Total threads: $n" "$T/body"
		grep -q '^Stack trace:$' "$T/body"
	done
}

@test "threads: the worker loop's real stack is shown" {
	run worker /threads
	assert_success
	assert_output --partial 'Thread: <Thread(lmc-worker-3,'
	assert_output --partial 'demo_worker_loop+0x'
}

@test "threads: name filter is a case-insensitive substring" {
	run worker '/threads?name=WORKER-3'
	assert_success
	assert_output --partial 'lmc-worker-3'
	assert_output --partial 'Total threads: 1'
	assert_output --partial 'demo_worker_loop'
	run worker '/threads?name=no-such-thread'
	assert_output --partial 'Total threads: 0'
}

@test "threads: thread_id filter and the JSON extension" {
	run worker '/threads?format=json&name=lmc-worker'
	assert_success
	tid=$(jq -r '.[0].thread_id' <<<"$output")
	[ "$(jq -r '.[0].name' <<<"$output")" = lmc-worker-3 ]
	json_true '.[0].frames | map(select(startswith("demo_worker_loop"))) | length == 1' <<<"$output"
	json_true '.[0] | has("state") and has("cpu_time") and has("function_name")' <<<"$output"
	run worker "/threads?format=json&thread_id=$tid"
	[ "$(jq length <<<"$output")" = 1 ]
	[ "$(jq -r '.[0].thread_id' <<<"$output")" = "$tid" ]
	run worker '/threads?thread_id=abc'
	assert_output --partial '"loc":["query","thread_id"]'
	run worker '/threads?format=json&thread_id=-4'
	assert_output '[]'
}

@test "threads: every thread of the process is listed" {
	run worker '/threads?format=json'
	assert_success
	n=$(ls /proc/"$(cat "$T/w3.pid")"/task | wc -l)
	[ "$(jq length <<<"$output")" -eq "$n" ]
}

@test "threads: the host keeps little memory for it" {
	local pid rss0 rss1
	pid=$(cat "$T/w3.pid")
	! grep -q libasan "/proc/$pid/maps" || skip "a sanitizer's allocator keeps freed memory"
	worker /version >/dev/null
	rss0=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
	for _ in 1 2 3 4; do worker /threads >/dev/null; done
	rss1=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
	# 1.0-1.8 MB more here; 29-44 MB while libc6-dbg's DWARF was read for file:line (its
	# decompressed sections, freed into the answering threads' malloc arenas, which keep them)
	echo "RSS $rss0 -> $rss1 KiB" >&3
	[ $((rss1 - rss0)) -lt 8192 ]
}

@test "threads: no network client is loaded into the host for it" {
	worker /threads >/dev/null
	# no debuginfod lookup: libdebuginfod would bring libcurl, GnuTLS and OpenSSL along
	run grep -c 'libdebuginfod' "/proc/$(cat "$T/w3.pid")/maps"
	assert_output 0
}

@test "threads: a library's separate debug file names its frames, without its lines" {
	local libc id
	libc=$(awk '$6 ~ /\/libc\.so\.6$/ { print $6; exit }' "/proc/$(cat "$T/w3.pid")/maps")
	id=$(readelf -n "$libc" | awk '/Build ID:/ { print $3 }')
	[ -f "/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug" ] ||
		skip "no separate debug file for $libc (Debian: libc6-dbg)"
	run worker '/threads?name=lmc-worker-3'
	assert_success
	# a libc function not in its dynamic symbols: named from the debug file's symbol table;
	# no file:line from it (its DWARF is compressed and would be read whole each time)
	assert_line --regexp '^  #[0-9]+ __futex_abstimed_wait_common\+0x[0-9a-f]+ \(libc\.so\.6\)$'
	# the demo's own frames keep theirs (DWARF in its own file)
	assert_line --regexp '^  #[0-9]+ demo_worker_loop\+0x[0-9a-f]+ \(lmcache-demo-node\) engine\.c:[0-9]+$'
}
