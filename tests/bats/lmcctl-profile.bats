#!/usr/bin/env bats
# lmcctl profile: the hottest function of a busy node in one command, and a fan-out that
# writes one file per node, through a registry and a frontend.

load ../helpers/common
load ../helpers/cluster

setup() {
	lmc_setup
	cluster_registry
	cluster_node inst1 worker 0 --busy 1
	cluster_node inst1 worker 1
	cluster_frontend fe1 inst1_worker0 inst1_worker1
	cluster_have_frontend || cluster_register "$FE1_URL"
	cluster_wait_listed 2
}
teardown() { cluster_teardown; }

@test "lmcctl profile -o top: the busy node's hottest function first" {
	# The example of lmcctl(1) and of lmcctl profile --help.
	run lmcctl profile inst1_worker0 --seconds 5 -o top
	assert_success
	assert_line --index 1 --regexp '^ +SELF% +SELF +TOTAL% +TOTAL +FUNCTION$'
	assert_line --index 2 --regexp '^ +[0-9.]+% +[0-9]+ +[0-9.]+% +[0-9]+  busy_hash_round$'
}

@test "lmcctl profile: folded stacks on stdout for one node" {
	cd "$T" && lmcctl profile inst1_worker0 -s 2 > w0.folded
	grep -qE '^lmc-busy;[^ ]*;busy_loop;busy_hash_round [0-9]+$' w0.folded
	run grep -cvE '^[^ ;]+(;[^ ;]+)* [0-9]+$' w0.folded
	assert_output 0
	run lmcctl profile inst1_worker0 -s 1 --hz 49
	assert_success
	assert_output --partial ';busy_hash_round ' 
}

@test "lmcctl profile: several nodes write one file per node" {
	mkdir "$T/out" "$T/prof"
	cd "$T" && run lmcctl profile -l role=worker -s 2 -o json --dir prof
	assert_success
	assert_line --regexp "^inst1_worker0 +prof/inst1_worker0.json +ok$"
	assert_line --regexp "^inst1_worker1 +prof/inst1_worker1.json +ok$"
	json_true '.on_cpu.functions[0].function == "busy_hash_round"' <"$T/prof/inst1_worker0.json"
	json_true '.off_cpu.samples > 0' <"$T/prof/inst1_worker1.json"
	# Without --dir, several nodes go to files in the current directory.
	cd "$T/out" && run lmcctl profile --all -s 1
	assert_success
	grep -q ';busy_hash_round ' "$T/out/inst1_worker0.folded"
	[ -f "$T/out/inst1_worker1.folded" ] # an idle node's on-CPU profile may be empty
}

@test "lmcctl profile: bounds and formats are usage errors" {
	run lmcctl profile inst1_worker0 -s 0
	assert_failure 2
	assert_output --partial -- '--seconds must be 1..30'
	run lmcctl profile inst1_worker0 --hz 5000
	assert_failure 2
	run lmcctl profile inst1_worker0 -o svg
	assert_failure 2
	assert_output --partial -- '-o must be folded, json or top'
}

@test "lmcctl profile: a directory that cannot be written fails that node" {
	run lmcctl profile inst1_worker1 -s 1 --dir "$T/missing"
	assert_failure 1
	assert_output --partial "cannot write $T/missing/inst1_worker1.folded"
}
