#!/usr/bin/env bats
# lmcctl for runbooks (issue 19 and lmcctl's parts of 11 and 14): output formats and failed
# nodes as rows, usage, hostile text, stdin, dry runs, waiting and watching, contexts,
# completion, man page drift.

bats_require_minimum_version 1.5.0
load ../helpers/common
load ../helpers/cluster

setup() {
	lmc_setup
	unset LMCACHE_REGISTRY LMCACHE_FRONTEND NO_COLOR
	export XDG_CONFIG_HOME="$T/config"
}

teardown() {
	cluster_teardown
}

# Two workers of inst1 behind frontend fe1 (no registry); LMCACHE_FRONTEND points at it.
small_cluster() {
	cluster_node inst1 worker 0
	cluster_node inst1 worker 1
	cluster_frontend fe1 inst1_worker0 inst1_worker1
	export LMCACHE_FRONTEND=$FE1_URL
}

@test "19.5 a failed node is a row with its STATUS; -o wide, name, yaml; --no-headers" {
	small_cluster
	cluster_kill inst1_worker1
	run --separate-stderr lmcctl health
	assert_failure 3
	assert_line --index 0 --regexp '^NODE +HEALTH +TOOK +STATUS$'
	assert_line --index 1 --regexp '^inst1_worker0 +healthy +[0-9]+ms +ok$'
	assert_line --index 2 --regexp '^inst1_worker1 +- +- +(unreachable|HTTP 502): '
	run --separate-stderr lmcctl -o wide --no-headers version
	assert_line --index 0 --regexp '^inst1_worker0 +0\.1\.0-demo +[0-9]+ms +http://127\.0\.0\.1:[0-9]+/proxy2/inst1_worker0 +ok$'
	run --separate-stderr lmcctl -o name health
	assert_failure 3
	assert_output 'inst1_worker0'
	run --separate-stderr lmcctl -o yaml version
	assert_failure 3
	python3 -c 'import sys, yaml; d = yaml.safe_load(sys.stdin); assert [(n["node"], n["ok"]) for n in d] == [("inst1_worker0", True), ("inst1_worker1", False)], d; assert d[0]["result"] == "0.1.0-demo"' <<<"$output"
	run --separate-stderr lmcctl -o json version
	jq -e '.[1].ok == false and (.[1].error | length > 0)' <<<"$output"
}

@test "19.9 no arguments: usage on stderr (2); lmcache-top --bogus names itself; Usage: everywhere" {
	run --separate-stderr lmcctl
	assert_failure 2
	assert_output ''
	[[ $stderr == "Usage: lmcctl "* ]]
	run lmcctl --bogus version
	assert_failure 2
	assert_output --regexp '^lmcctl: .*--bogus.*--help'
	run lmcache-top --bogus
	assert_failure 2
	assert_output --regexp "^lmcache-top: bad option '--bogus'.*--help"
	local p
	for p in lmcctl "lmcctl version" "lmcctl config get" lmcache-top lmcache-frontend lmcache-discovery; do
		run $p --help
		assert_success
		assert_line --index 0 --regexp '^Usage: '
	done
}

# A frontend and node played from files ($T/www) by Python's http.server: a node named with
# escape sequences whose /conf answers one.
hostile_frontend() {
	local port name=$'evil\e]0;owned\anode'
	port=$(free_port)
	mkdir -p "$T/www/api" "$T/www/proxy2/$name"
	jq -n --arg n "$name" --argjson p "$port" '{nodes: [{id: "proxy_0", name: "fe", host: "127.0.0.1",
		port: $p, is_proxy: true, children: [{id: "node_0", name: $n, host: "localhost",
		port: "7000", is_proxy: false, proxy_id: "proxy_0"}]}]}' >"$T/www/api/nodes"
	printf '{"banner": "\\u001b[2Jcleared\\nforged line", "ok": 1}' >"$T/www/proxy2/$name/conf"
	lmc_bg www python3 -m http.server --bind 127.0.0.1 --directory "$T/www" "$port"
	wait_for_http "http://127.0.0.1:$port/api/nodes" 10
	export LMCACHE_FRONTEND="http://127.0.0.1:$port"
}

@test "14.7 node names and answers with escape sequences are escaped in tables, exact in JSON" {
	hostile_frontend
	run lmcctl --no-headers config get
	assert_success
	refute_output --partial $'\e'
	refute_output --partial $'\a'
	assert_line --regexp '^evil\\e\]0;owned\\x07node +banner +\\e\[2Jcleared\\nforged line +ok$'
	run lmcctl --no-headers nodes
	refute_output --partial $'\e'
	run lmcctl config get nosuchkey
	refute_output --partial $'\e'
	assert_output --partial 'evil\e]0;owned\x07node'
	run lmcctl -o json config get
	assert_equal "$(jq -r '.[0].node' <<<"$output")" $'evil\e]0;owned\anode'
	assert_equal "$(jq -r '.[0].result.banner' <<<"$output")" $'\e[2Jcleared\nforged line'
}

@test "11.5 19.3 set-log-level lmcache sets every logger under it; --dry-run; changed or unchanged" {
	small_cluster
	run lmcctl --no-headers set-log-level lmcache DEBUG --all --dry-run
	assert_success
	assert_line --regexp '^inst1_worker0 +lmcache\.v1\.cache_engine +WARNING +DEBUG +would change +ok$'
	run lmcctl --no-headers log-level 'lmcache*'
	refute_output --partial DEBUG
	run lmcctl --no-headers set-log-level lmcache DEBUG -l role=worker
	assert_success
	assert_line --regexp '^inst1_worker1 +lmcache\.v1\.storage_backend\.local_cpu_backend +WARNING +DEBUG +changed +ok$'
	refute_output --partial ' root '
	run lmcctl --no-headers log-level 'lmcache*'
	refute_output --partial WARNING
	run lmcctl -o json set-log-level lmcache DEBUG --all
	assert_success
	jq -e 'all(.[]; .result.changed == false and (.result.changes | length > 3) and
	       all(.result.changes[]; .changed == false and .old == "DEBUG"))' <<<"$output"
	run lmcctl --no-headers set-log-level 'lmcache.v1.*' INFO inst1_worker0
	assert_success
	refute_output --partial 'lmcache.internal_api_server'
	run lmcctl set-log-level nosuch DEBUG --all
	assert_failure 4
}

@test "19.3 config set --dry-run shows current -> new and changes nothing" {
	small_cluster
	run lmcctl --no-headers config set max_local_cpu_size=2.5 --all --dry-run
	assert_success
	assert_line --regexp '^inst1_worker0 +max_local_cpu_size +5 +2\.5 +would change +ok$'
	run lmcctl -o json config get max_local_cpu_size
	jq -e 'all(.[]; .result.max_local_cpu_size == 5)' <<<"$output"
	run lmcctl -o json config set max_local_cpu_size=2.5 -n inst1_worker0
	jq -e '.[0].result.changed and .[0].result.changes[0].old == 5' <<<"$output"
	run lmcctl --no-headers config set max_local_cpu_size=2.5 -n inst1_worker0
	assert_line --regexp '^inst1_worker0 +max_local_cpu_size +2\.5 +2\.5 +unchanged +ok$'
}

@test "19.4 - reads the script, body or value from standard input; 19.3 --dry-run of call and run-script" {
	printf 'run_script_api_enabled: true\n' >"$T/conf.yaml"
	cluster_node inst1 worker 0 --config "$T/conf.yaml"
	cluster_frontend fe1 inst1_worker0
	export LMCACHE_FRONTEND=$FE1_URL
	run lmcctl -o json config set max_local_cpu_size=@- -n inst1_worker0 <<<'3.5'
	assert_success
	jq -e '.[0].result.changes[0].new == 3.5' <<<"$output"
	run lmcctl --no-headers call POST /conf -d @- inst1_worker0 <<<'{"max_local_cpu_size": 4.5}'
	assert_success
	run lmcctl -o json config get max_local_cpu_size
	jq -e '.[0].result.max_local_cpu_size == 4.5' <<<"$output"
	run lmcctl --no-headers call POST /conf -d - --dry-run inst1_worker0 <<<'{"max_local_cpu_size": 1}'
	assert_success
	assert_output --regexp '^inst1_worker0 +POST /conf +- +\{"max_local_cpu_size": 1\}\\n +would change +ok$'
	run lmcctl -o json config get max_local_cpu_size
	jq -e '.[0].result.max_local_cpu_size == 4.5' <<<"$output"
	# the demo node runs scripts with sh (an LMCache node runs Python)
	run lmcctl run-script - inst1_worker0 <<<'echo from stdin $((6 * 7))'
	assert_success
	assert_output 'from stdin 42'
	run lmcctl --no-headers run-script - --dry-run --all <<<'print(1)'
	assert_output --regexp '^inst1_worker0 +run-script +- +- +would change +ok$'
}
