#!/usr/bin/env bats
# One name per thing (HACKING.md; scripts/names): no external symbol defined by two
# components, no name that is a function here and a type there, no type name in the headers
# of two components.

load ../helpers/common

setup() { lmc_setup; }
teardown() { lmc_teardown; }

@test "every global name of the tree belongs to one component and means one thing" {
	cd "$LMC_SRCDIR"
	run python3 scripts/names "$LMC_BUILDDIR"
	assert_success
	assert_output "0 names defined in two components, 0 names of two kinds or components"
}

@test "scripts/names finds a name two components define, and a function named like a type" {
	mkdir -p "$T/src/a" "$T/src/b" "$T/build/src/a" "$T/build/src/b"
	printf 'int start(void) { return 1; }\nstatic int mine(void) { return 0; }\n' >"$T/src/a/x.c"
	printf 'int start(void) { return 2; }\nstatic int mine(void) { return 0; }\n' >"$T/src/b/y.c"
	printf 'struct thing { int n; };\nint thing(void);\n' >"$T/src/b/y.h"
	cc -c -o "$T/build/src/a/prog-x.o" "$T/src/a/x.c"
	cc -c -o "$T/build/src/b/y.o" "$T/src/b/y.c"
	cd "$T"
	run python3 "$LMC_SRCDIR/scripts/names" build src/a src/b
	assert_failure 1
	assert_line "twice start: src/a/x.c, src/b/y.c"
	assert_line "kinds thing: function in src/b; struct in src/b"
	refute_output --partial "mine"
	assert_line "1 names defined in two components, 1 names of two kinds or components"
}
