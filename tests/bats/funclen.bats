#!/usr/bin/env bats
# No C function longer than 40 lines (HACKING.md; scripts/funclen, universal-ctags).

load ../helpers/common

setup() { lmc_setup; }
teardown() { lmc_teardown; }

@test "no C function in the tree is over 40 lines" {
	cd "$LMC_SRCDIR"
	run scripts/funclen
	assert_success
	assert_output --regexp ' of [0-9]{4,} functions over 40 lines$'
}

@test "scripts/funclen names a long function and fails" {
	{
		printf 'static int short_one(void)\n{\n\treturn 0;\n}\n\n'
		printf 'int long_one(int x)\n{\n'
		for i in $(seq 1 40); do printf '\tx += %d;\n' "$i"; done
		printf '\treturn x;\n}\n'
	} >"$T/f.c"
	run "$LMC_SRCDIR/scripts/funclen" "$T"
	assert_failure 1
	assert_line --index 0 "44 $T/f.c:6 long_one"
	assert_line --index 1 "1 of 2 functions over 40 lines"
	run "$LMC_SRCDIR/scripts/funclen" -n 44 "$T"
	assert_success
	assert_output "0 of 2 functions over 44 lines"
}
