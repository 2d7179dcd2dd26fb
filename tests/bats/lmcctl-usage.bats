#!/usr/bin/env bats
# lmcctl's command line: help, prefixes, usage errors (2), one node reached directly
# (--socket, --url), permission denied (7), colour, completion.

bats_require_minimum_version 1.5.0
load ../helpers/common
load ../helpers/cluster

setup() {
	lmc_setup
	unset LMCACHE_REGISTRY LMCACHE_FRONTEND NO_COLOR
}

teardown() {
	cluster_teardown
}

# A single worker on a unix socket, and one on TCP at $NODE_URL.
one_node() {
	cluster_node inst1 worker 0
	local port
	port=$(free_port)
	lmc_bg tcpnode lmcache-demo-node --role worker --instance-id tcp --port-start "$((port - 1))" --tick-ms 100
	NODE_URL="http://127.0.0.1:$port"
	wait_for_http "$NODE_URL/healthcheck" 10
}

@test "no command: concise help with examples, usage exit (2)" {
	run lmcctl
	assert_failure 2
	assert_line --partial 'Usage: lmcctl [options] COMMAND'
	assert_line --regexp '^  config get +Show configuration values$'
	assert_output --partial 'Examples:'
	run lmcctl --help
	assert_success
	run lmcctl --version
	assert_success
	assert_output --regexp '^lmcctl [0-9]'
}

@test "--help of each command comes from its descriptor" {
	run lmcctl version --help
	assert_success
	assert_line --index 0 'Usage: lmcctl version [NODE...]'
	assert_output --partial 'Examples:'
	run lmcctl help config set
	assert_success
	assert_line --index 0 --partial 'Usage: lmcctl config set KEY=VALUE...'
	run lmcctl metrics --help
	assert_line --regexp '^  -m, --match PATTERN'
	run lmcctl config --help
	assert_success
	assert_line --partial 'Usage: lmcctl config get'
	assert_line --partial 'Usage: lmcctl config diff'
	run lmcctl help conf
	assert_success
	assert_line --partial 'Usage: lmcctl config set'
	run lmcctl config
	assert_failure 2
	assert_output --partial 'missing subcommand'
}

@test "unique prefixes, and ambiguous ones listed" {
	one_node
	run lmcctl --socket "$(cluster_sock inst1_worker0)" --no-headers ver
	assert_success
	assert_output --regexp '0\.1\.0-demo +ok$'
	run lmcctl --socket "$(cluster_sock inst1_worker0)" --no-headers conf g lmcache_instance_id
	assert_success
	assert_output --regexp 'lmcache_instance_id +inst1 +ok$'
	run lmcctl co
	assert_failure 2
	assert_output 'lmcctl: ambiguous command: co, could be: config, context, completion'
	run lmcctl config frob
	assert_failure 2
	assert_output --partial 'unknown command: config frob'
	run lmcctl frobnicate
	assert_failure 2
	assert_output --partial 'unknown command: frobnicate'
}

@test "usage errors exit 2" {
	run lmcctl version --bogus
	assert_failure 2
	run lmcctl -o xml version
	assert_failure 2
	assert_output --partial "expected table, wide, json, yaml or name, not 'xml'"
	run lmcctl --timeout soon version
	assert_failure 2
	run lmcctl -l colour=blue version
	assert_failure 2
	run lmcctl version
	assert_failure 2
	assert_output --partial 'no cluster given'
	run lmcctl --socket /x --url http://x version
	assert_failure 2
	run lmcctl set-log-level lmcache
	assert_failure 2
	assert_output --partial 'missing arguments'
	run lmcctl completion fish
	assert_failure 2
}

@test "one node directly: --socket and --url, options anywhere on the line" {
	one_node
	run lmcctl --no-headers --socket "$(cluster_sock inst1_worker0)" version
	assert_success
	run lmcctl version --url "$NODE_URL" -o json
	assert_success
	assert_equal "$(jq -r '.[0].node + " " + .[0].result' <<<"$output")" "$NODE_URL 0.1.0-demo"
	run lmcctl -o json --url "$NODE_URL/" meta
	assert_equal "$(jq -r '.[0].result.worker_id' <<<"$output")" 0
	run lmcctl --url "$NODE_URL" set-log-level root INFO
	assert_success
}

@test "one node gone: unreachable (5); hung: timeout (6)" {
	one_node
	run lmcctl --socket "$T/nothing-here.sock" version
	assert_failure 5
	assert_output --partial 'unreachable'
	run lmcctl --url "http://127.0.0.1:$(free_port)" health
	assert_failure 5
	kill -STOP "$(cat "$T/tcpnode.pid")"
	# stopped for sure (every thread) before it is asked
	wait_until 10 eval "grep -q '^State:[[:space:]]*T' /proc/$(cat "$T/tcpnode.pid")/status"
	run lmcctl --timeout 0.5 --url "$NODE_URL" health
	kill -CONT "$(cat "$T/tcpnode.pid")"
	assert_failure 6
	assert_output --partial 'timed out after 0.5 s'
}

@test "a socket the caller may not open: permission denied (7)" {
	[ "$(id -u)" = 0 ] || skip "needs root to run lmcctl as another user"
	command -v setpriv >/dev/null || skip "setpriv missing"
	one_node
	chmod 0700 "$T"
	run setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$(command -v lmcctl)" --socket "$(cluster_sock inst1_worker0)" version
	assert_failure 7
	assert_output --partial 'permission denied'
}

@test "-q prints no data; --no-headers drops the header line" {
	one_node
	run lmcctl -q --url "$NODE_URL" version
	assert_success
	assert_output ''
	run lmcctl --url "$NODE_URL" --no-headers version
	refute_output --partial NODE
}

@test "colour only on a terminal, never with NO_COLOR or --no-color" {
	command -v script >/dev/null || skip "script(1) missing"
	one_node
	script -qec "lmcctl --url $NODE_URL version" /dev/null >"$T/tty.out"
	grep -q $'\e\[1m' "$T/tty.out"
	NO_COLOR=1 script -qec "lmcctl --url $NODE_URL version" /dev/null >"$T/tty.out"
	! grep -q $'\e\[' "$T/tty.out"
	script -qec "lmcctl --no-color --url $NODE_URL version" /dev/null >"$T/tty.out"
	! grep -q $'\e\[' "$T/tty.out"
	run lmcctl --url "$NODE_URL" version
	refute_output --partial $'\e['
}

# complete WORDS...: what the generated completion offers for the last word.
complete_words() {
	bash -c 'source <(lmcctl completion bash)
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _lmcctl; printf "%s\n" "${COMPREPLY[@]}"' \
		_ "$@"
}

@test "bash completion: commands, subcommands, options and node names from the registry" {
	run complete_words lmcctl conf
	assert_output 'config'
	run complete_words lmcctl config ''
	assert_equal "$(echo "$output" | sort | tr '\n' ' ')" "diff get set "
	run complete_words lmcctl metrics --ma
	assert_output '--match'
	run complete_words lmcctl -o ''
	assert_equal "$(echo "$output" | tr '\n' ' ')" "table wide json yaml name "
	cluster_registry
	cluster_node inst1 scheduler
	cluster_node inst1 worker 0
	cluster_frontend fe1 inst1_scheduler inst1_worker0
	cluster_have_frontend || cluster_register "$FE1_URL"
	wait_until 20 eval "[ \"\$(cluster_listed_count)\" -eq 2 ]"
	run complete_words lmcctl version inst1_w
	assert_output 'inst1_worker0'
	run complete_words lmcctl --registry "$REGISTRY_URL" -n inst1_s
	assert_output 'inst1_scheduler'
}

@test "the installed completion file is the generated one; the man page has EXIT STATUS" {
	diff <(lmcctl completion bash) "$LMC_BUILDDIR/cli/completion/lmcctl"
	grep -q '^\.SH "\?EXIT STATUS' "$LMC_SRCDIR/man/lmcctl.1"
	grep -q '^\.SH "\?EXAMPLES' "$LMC_SRCDIR/man/lmcctl.1"
}
