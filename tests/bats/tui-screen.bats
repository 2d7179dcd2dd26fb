#!/usr/bin/env bats
# lmcache-top's screen against one demo node on a unix socket: resizing, a terminal too
# small, colours off (NO_COLOR, --no-color), ASCII only, help from the key table, pause,
# --max-iterations, usage errors and an unreachable registry.

bats_require_minimum_version 1.5.0
load ../helpers/common
load ../helpers/tui

setup() {
	lmc_setup
	mkdir -p "$T/n"
	lmc_bg node lmcache-demo-node --role worker --instance-id solo --socket-prefix "$T/n/s" \
		--tick-ms 100
	SOCK="$T/n/s_7000"
	wait_for_socket "$SOCK"
	wait_for_http http://localhost/healthcheck 10 --unix-socket "$SOCK"
	unset LMCACHE_REGISTRY
}

teardown() {
	tui_stop
	lmc_teardown
}

# SGR sequences that set a colour (30-37, 40-47, 38;5, 48;5, 90-97).
has_colour() {
	tui_tmux capture-pane -e -p -t top | grep -qE $'\e\\[([0-9;]*;)?(3[0-8]|4[0-8]|9[0-7])(;[0-9;]*)?m'
}

@test "a node on --socket: overview row, then resizing keeps the screen whole" {
	tui_start --socket "$SOCK"
	tui_wait_re "$SOCK +- +up +0\.1\.0-demo"
	tui_resize 80x24
	tui_wait_re 'lmcache-top +nodes 1, 1 up'
	wait_until 10 eval '[ "$(tui_screen | wc -L)" -le 80 ]'
	tui_wait "selected: $SOCK"
	tui_resize 140x50
	tui_wait_re "$SOCK +- +up"
	tui_running
}

@test "a terminal too small gets a message, and the screen comes back when it grows" {
	tui_start 40x10 --socket "$SOCK"
	tui_wait 'Terminal too small (40x10).'
	tui_wait 'lmcache-top needs 60x12.'
	tui_resize 100x30
	tui_wait_re "$SOCK +- +up"
	tui_resize 50x8
	tui_wait 'Terminal too small (50x8).'
	tui_keys q
	wait_until 10 test -s "$T/tui.rc"
	assert_equal "$(tui_status)" 0
}

@test "colours by default; none with NO_COLOR or --no-color" {
	tui_start --socket "$SOCK"
	tui_wait_re "$SOCK +- +up"
	has_colour
	tui_stop
	NO_COLOR=1 tui_start --socket "$SOCK"
	tui_wait_re "$SOCK +- +up"
	run ! has_colour
	tui_stop
	tui_start --no-color --socket "$SOCK"
	tui_wait_re "$SOCK +- +up"
	run ! has_colour
}

@test "--no-unicode draws the tree and sparklines in ASCII" {
	tui_start --no-unicode --socket "$SOCK"
	tui_wait_re "\`- $SOCK"
	tui_keys 2
	tui_wait ' hit tokens/s '
	run ! grep -qP '[^\x00-\x7f]' <<<"$(tui_screen)"
	tui_stop
	tui_start --socket "$SOCK"
	tui_wait "└─ $SOCK"
}

@test "? and F1 show the help generated from the key table, with the tab's own keys" {
	tui_start --socket "$SOCK"
	tui_wait_re "$SOCK +- +up"
	tui_keys 3 '?'
	tui_wait 'lmcache-top keys (any key closes this help)'
	tui_wait_re 'F10 q +quit'
	tui_wait_re 'Z +pause / resume collecting'
	tui_wait 'Threads tab'
	tui_wait_re 'Enter +show the stack of the thread under the cursor'
	tui_keys x
	tui_wait_gone 'lmcache-top keys'
	tui_keys F1
	tui_wait 'lmcache-top keys'
	tui_keys Escape
	tui_wait_gone 'lmcache-top keys'
}

@test "Z pauses, +/- change the interval, F10 quits" {
	tui_start --socket "$SOCK"
	tui_wait 'every 2s'
	tui_keys Z
	tui_wait '[PAUSED]'
	tui_keys Z
	tui_wait_gone '[PAUSED]'
	tui_keys +
	tui_wait 'every 4s'
	tui_keys - -
	tui_wait 'every 1s'
	tui_keys F10
	wait_until 10 test -s "$T/tui.rc"
	assert_equal "$(tui_status)" 0
}

@test "--max-iterations N exits by itself with status 0" {
	tui_start --max-iterations 2 --delay 0.2 --socket "$SOCK"
	wait_until 15 test -s "$T/tui.rc"
	assert_equal "$(tui_status)" 0
}

@test "an unreachable registry is an error in the status line, not a crash" {
	port=$(free_port)
	tui_start --registry "http://127.0.0.1:$port" --delay 0.5
	tui_wait "registry http://127.0.0.1:$port"
	tui_wait_re "registry http://127.0.0.1:$port/?: .*(onnect|refused)"
	tui_running
}

@test "usage errors exit 2 with a message" {
	run lmcache-top
	assert_equal "$status" 2
	assert_output --partial 'no cluster given'
	run lmcache-top --socket x --delay soon
	assert_equal "$status" 2
	assert_output --partial 'bad --delay soon'
	run lmcache-top --frobnicate
	assert_equal "$status" 2
	run lmcache-top --help
	assert_success
	assert_output --partial '--max-iterations N'
}
