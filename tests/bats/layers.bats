#!/usr/bin/env bats
# The pieces stay layered: no include circle in any component, no call circle inside
# liblmcagent (scripts/layers; the layers are drawn in src/agent/agent-internal.h).

load ../helpers/common

setup() { lmc_setup; }
teardown() { lmc_teardown; }

@test "no #include circle in any component" {
	cd "$LMC_SRCDIR"
	for dir in src/agent src/server src/common src/frontend src/discovery src/demo src/python cli tui; do
		run python3 scripts/layers includes "$dir"
		assert_success
		assert_output --partial ", 0 circles"
	done
}

@test "liblmcagent's pieces call no piece above them (no call circle)" {
	cd "$LMC_SRCDIR"
	run python3 scripts/layers calls "$LMC_BUILDDIR" src/agent
	assert_success
	assert_output --partial "agent -> server"
	assert_output --partial ", 0 circles"
	refute_output --partial "-> agent"
}

@test "every header's include guard follows HACKING.md's rule" {
	cd "$LMC_SRCDIR"
	run python3 scripts/layers guards src/agent src/server src/common src/frontend \
		src/discovery src/demo src/python cli tui tests/unit tests/bench
	assert_success
	assert_output "0 headers off the rule"
	printf '#ifndef LMC_BUF_H\n#define LMC_BUF_H\n#endif\n' >"$T/buf.h"
	run python3 scripts/layers guards "$T"
	assert_failure 1
	assert_output --partial "guard LMC_BUF_H, want LMC_"
}

@test "fragments only add to the lists Makefile.am declares, never reset them" {
	cd "$LMC_SRCDIR"
	local var frag bad=
	for var in $(sed -n 's/^\([A-Za-z_]*\) =.*/\1/p' Makefile.am); do
		for frag in $(sed -n 's/^include //p' Makefile.am) $(sed -n 's/^include //p' */*.mk */*/*.mk); do
			grep -q "^$var *=" "$frag" && bad+=" $frag:$var"
		done
	done
	assert_equal "${bad:-none}" none
}

@test "scripts/layers finds a circle when there is one" {
	mkdir -p "$T/c"
	printf '#include "b.h"\n' >"$T/c/a.h"
	printf '#include "a.h"\n' >"$T/c/b.h"
	run python3 "$LMC_SRCDIR/scripts/layers" includes "$T/c"
	assert_failure 1
	assert_output --partial "circle: a.h b.h"
}
