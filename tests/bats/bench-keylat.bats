#!/usr/bin/env bats
# tests/bench/keylat.py, the benchmarks' key-to-screen figure: the time from a key sent into
# a tmux pane to the output that answers it, read through a tmux control-mode client.

load ../helpers/common

setup() {
	lmc_setup
	# a program that answers a key 0.3 s after it comes
	tmux -S "$T/tmux.sock" -f /dev/null new-session -d -x 80 -y 20 \
		"bash -c 'read -rsn1; sleep 0.3; echo answered-it; sleep 60'"
}

teardown() {
	tmux -S "$T/tmux.sock" kill-server 2>/dev/null || true
	lmc_teardown
}

@test "keylat.py: ms from a key to the output naming the text; 5000 when it never comes" {
	run /usr/bin/python3 "$LMC_SRCDIR/tests/bench/keylat.py" "$T/tmux.sock" x answered-it never-drawn
	assert_success
	[ "${#lines[@]}" -eq 2 ]
	# the answer, no sooner than the program's 0.3 s
	awk -v t="${lines[0]}" 'BEGIN { exit !(t >= 300 && t < 2000) }'
	assert_equal "${lines[1]}" 5000.0
}
