#!/usr/bin/env bats
# The pieces stay layered: no include circle in any component, no call circle inside
# liblmcagent (scripts/layers; the layers are drawn in src/agent/agent-internal.h).

load ../helpers/common

setup() { lmc_setup; }
teardown() { lmc_teardown; }

@test "no #include circle in any component" {
	cd "$LMC_SRCDIR"
	for dir in src/agent src/server src/common src/frontend src/discovery src/demo cli tui; do
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

@test "scripts/layers finds a circle when there is one" {
	mkdir -p "$T/c"
	printf '#include "b.h"\n' >"$T/c/a.h"
	printf '#include "a.h"\n' >"$T/c/b.h"
	run python3 "$LMC_SRCDIR/scripts/layers" includes "$T/c"
	assert_failure 1
	assert_output --partial "circle: a.h b.h"
}
