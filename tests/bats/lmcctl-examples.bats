#!/usr/bin/env bats
# Every documented example runs against the demo cluster (scripts/demo, issue 19 item 1):
# `lmcctl --help` and each command's help, lmcctl(1) and lmcache-top(1) EXAMPLES, and the
# README's tour. Addresses of a real cluster in the examples stand for the demo's: the
# registry (http://registry:5000) and LMCache's default node sockets
# (/tmp/lmcache_internal_api_server/socket_<port>, here the demo's inst1 nodes).

bats_require_minimum_version 1.5.0
load ../helpers/common

setup_file() {
	lmc_setup
	export T XDG_RUNTIME_DIR="$T" XDG_CONFIG_HOME="$T/config"
	lmc_bg demo "$LMC_SRCDIR/scripts/demo" --builddir "$LMC_BUILDDIR" --no-tui
	wait_until 60 test -s "$T/lmcache-demo.env"
	eval "$("$LMC_SRCDIR/scripts/demo" --env)"
	export LMCACHE_REGISTRY LMCACHE_DEMO_DIR
	# every node listed, and each scheduler's frontend plugin running
	lmcctl wait nodes 6 --timeout 60 --interval 0.2
	lmcctl wait healthy --timeout 60 --interval 0.2
}

teardown_file() {
	lmc_teardown
}

setup() {
	mkdir -p "$T/work" "$XDG_CONFIG_HOME/lmcctl"
	cd "$T/work"
	# the files and context examples name; the demo runs scripts with sh
	printf 'echo cache stats\n' >dump_cache_stats.py
	printf 'echo probe\n' >probe.py
	printf 'current-context = demo\n[context demo]\nregistry = %s\n[context prod]\nregistry = %s\n' \
		"$LMCACHE_REGISTRY" "$LMCACHE_REGISTRY" >"$XDG_CONFIG_HOME/lmcctl/config"
}

# Each example starts from the demo's own state.
demo_state() {
	lmcctl -q set-log-level lmcache WARNING --all
	lmcctl -q config set max_local_cpu_size=5 --all
}

# The example lines of a help text (after "Examples:", two-space indented).
help_examples() {
	awk '/^Examples:/{on = 1; next} on && /^  /{sub(/^  /, ""); print; next} {on = 0}'
}

# The example lines of a man page: .nf/.fi or .EX/.EE blocks under .SH EXAMPLES.
man_examples() {
	awk '/^\.SH /{ex = ($2 == "EXAMPLES")} ex && /^\.(nf|EX)/{on = 1; next}
	     ex && /^\.(fi|EE)/{on = 0} on && !/^\./' "$1" | sed -e 's/\\-/-/g' -e 's/\\e/\\/g'
}

# The ```sh block of the README's tour, continued lines joined.
readme_examples() {
	awk '/^## A quick tour/{t = 1} t && /^```sh/{on = 1; next} on && /^```/{exit} on' \
		"$LMC_SRCDIR/README.md" | sed -e ':a' -e '/[|\\]$/{N; s/\\\n//; s/|\n */| /; ba' -e '}'
}

# Runs each line of stdin (comments and blank lines skipped) in bash with -e and pipefail,
# the real cluster's addresses standing for the demo's; fails on the first that fails.
run_examples() {
	local line cmd sock="$LMCACHE_DEMO_DIR/inst1/api_"
	while IFS= read -r line; do
		[[ $line =~ ^[[:space:]]*(#|$) ]] && continue
		cmd=${line//http:\/\/registry:5000/$LMCACHE_REGISTRY}
		cmd=${cmd//\/tmp\/lmcache_internal_api_server\/socket_/$sock}
		case $cmd in
		"scripts/demo"*) cmd="$LMC_SRCDIR/$cmd --env" ;; # what this test started
		"eval \"\$(scripts/demo --env)\""*) cmd="eval \"\$($LMC_SRCDIR/scripts/demo --env)\"" ;;
		lmcache-top*) cmd="TERM=xterm script -qec '$cmd --max-iterations 1' /dev/null >/dev/null" ;;
		*"completion zsh"*) cmd="zsh -fc 'autoload -U compinit && compinit -u -D && $cmd'" ;;
		esac
		echo "# $line" >&3
		demo_state
		bash -o pipefail -ec "$cmd" >"$T/example.out" 2>&1 </dev/null ||
			{ cat "$T/example.out"; fail "example failed: $line"; }
	done
}

@test "lmcctl --help and every command's help: each example runs" {
	local name
	{
		lmcctl --help | help_examples
		lmcctl --help | awk '/^Commands:/{on = 1; next} /^$/{on = 0} on {print substr($0, 3, 16)}' |
			while read -r name; do
				# shellcheck disable=SC2086 # "config get" is two words
				lmcctl $name --help | help_examples
			done
	} >"$T/examples"
	[ "$(grep -c . "$T/examples")" -gt 30 ]
	run_examples <"$T/examples"
}

@test "lmcctl(1) EXAMPLES run" {
	man_examples "$LMC_SRCDIR/man/lmcctl.1" >"$T/examples"
	[ "$(grep -c . "$T/examples")" -gt 10 ]
	run_examples <"$T/examples"
}

@test "lmcache-top(1) EXAMPLES run" {
	man_examples "$LMC_SRCDIR/man/lmcache-top.1" >"$T/examples"
	[ "$(grep -c . "$T/examples")" -ge 3 ]
	run_examples <"$T/examples"
}

@test "the README's tour runs, and set-log-level lmcache DEBUG changes every worker" {
	readme_examples >"$T/examples"
	[ "$(grep -c . "$T/examples")" -gt 8 ]
	run_examples <"$T/examples"
	lmcctl set-log-level lmcache DEBUG -l role=worker # the tour's, after its own state
	run lmcctl --no-headers log-level 'lmcache*' -l role=worker
	assert_success
	refute_output --partial WARNING
	assert_equal "$(grep -c ' DEBUG ' <<<"$output")" "$(grep -c . <<<"$output")"
}

@test "scripts/demo --env gives the running demo's registry to another terminal" {
	run "$LMC_SRCDIR/scripts/demo" --env
	assert_success
	assert_line --regexp '^export LMCACHE_REGISTRY=http://127\.0\.0\.1:[0-9]+$'
	grep -q "^export LMCACHE_REGISTRY=" "$T/demo.log"
	XDG_RUNTIME_DIR="$T/none" run "$LMC_SRCDIR/scripts/demo" --env
	assert_failure
	assert_output --partial 'no demo is running'
}
