#!/usr/bin/env bats
# lmcache-top's memory from one refresh to the next: a steady refresh reuses the memory of the
# last one instead of handing it back to the system and faulting it in again (on a
# paravirtualised machine a page fault costs several microseconds: 1,500 a refresh at 4,096
# nodes were a fifth of lmcache-top's CPU). 256 nodes behind one frontend, a refresh every
# 0.2 s; the page faults lmcache-top takes over 20 refreshes, read from /proc.

load ../helpers/common
load ../helpers/tui

setup() {
	lmc_setup
	command -v lmcache-frontend >/dev/null || skip "lmcache-frontend not built"
	LMCACHE_INTERNAL_API_SERVER_ENABLED=true lmc_bg many lmcache-demo-node --count 256 \
		--worker-count 256 --instance-id many --socket-prefix "$T/m" --tick-ms 1000
	wait_for_socket "$T/m_7255"
	seq 0 255 | jq -cn --arg d "$T" '[inputs | {name: "many_worker\(.)", host: "localhost",
		port: "\($d)/m_\(7000 + .)"}]' >"$T/many.json"
	FP=$(free_port)
	lmc_bg fe lmcache-frontend --host 127.0.0.1 --port "$FP" --nodes "$(cat "$T/many.json")"
	wait_for_http "http://127.0.0.1:$FP/health" 10
}

teardown() {
	tui_stop
	lmc_teardown
}

# lmcache-top's process id (the pane's shell's child).
top_pid() { pgrep -P "$(tui_tmux display-message -p -t top '#{pane_pid}')" | head -n 1; }

# Its minor page faults so far.
top_faults() { awk '{ print $10 }' "/proc/$(top_pid)/stat"; }

@test "a steady refresh of 256 nodes takes a few page faults, not hundreds" {
	local f0 f1
	tui_start --frontend "http://127.0.0.1:$FP" -d 0.2
	tui_wait_re 'many_worker1 +worker +up'
	! grep -q libasan "/proc/$(top_pid)/maps" || skip "a sanitizer's allocator replaces glibc's"
	sleep 2 # past the first refreshes, which ask every node's /version and /plugins
	f0=$(top_faults)
	sleep 4 # 20 refreshes
	f1=$(top_faults)
	echo "page faults in 4 s: $((f1 - f0))" >&3
	# about 20 here; 4,600-6,600 when glibc hands each refresh's answers back (M_TRIM_THRESHOLD
	# and M_MMAP_THRESHOLD at their defaults)
	[ $((f1 - f0)) -lt 1000 ]
}
