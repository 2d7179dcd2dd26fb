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
	json_true '.[1].ok == false and (.[1].error | length > 0)' <<<"$output"
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
	jq -n --arg n "$name" --argjson p "$port" '{nodes: [{id: "proxy_0", name: "local_proxy", host: "127.0.0.1",
		port: $p, is_proxy: true, children: [{id: "node_0", name: $n, host: "localhost",
		port: "7000", is_proxy: false, proxy_id: "proxy_0"}]}]}' >"$T/www/api/nodes"
	printf '{"banner": "\\u001b[2Jcleared\\nforged line", "ok": 1}' >"$T/www/proxy2/$name/conf"
	printf '\e[2Jcleared\n\tkept\n' >"$T/www/proxy2/$name/raw"
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
	run lmcctl -o name config get
	assert_output 'evil\e]0;owned\x07node'
	# call shows the answer as is: escaped on a terminal, byte for byte into a pipe
	run script -qec "lmcctl call GET /raw" /dev/null
	refute_output --partial $'\e'
	assert_output --partial '\e[2Jcleared'
	assert_output --partial $'\tkept'
	run bash -c 'lmcctl call GET /raw | od -c | head -n 1'
	assert_output --partial '033   [   2   J'
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
	json_true 'all(.[]; .result.changed == false and (.result.changes | length > 3) and
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
	assert_line --regexp '^inst1_worker0 +max_local_cpu_size +5\.0 +2\.5 +would change +ok$'
	run lmcctl -o json config get max_local_cpu_size
	json_true 'all(.[]; .result.max_local_cpu_size == 5)' <<<"$output"
	run lmcctl -o json config set max_local_cpu_size=2.5 -n inst1_worker0
	json_true '.[0].result.changed and .[0].result.changes[0].old == 5' <<<"$output"
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
	json_true '.[0].result.changes[0].new == 3.5' <<<"$output"
	run lmcctl --no-headers call POST /conf -d @- inst1_worker0 <<<'{"max_local_cpu_size": 4.5}'
	assert_success
	run lmcctl -o json config get max_local_cpu_size
	json_true '.[0].result.max_local_cpu_size == 4.5' <<<"$output"
	run lmcctl --no-headers call POST /conf -d - --dry-run inst1_worker0 <<<'{"max_local_cpu_size": 1}'
	assert_success
	assert_output --regexp '^inst1_worker0 +POST /conf +- +\{"max_local_cpu_size": 1\}\\n +would change +ok$'
	run lmcctl -o json config get max_local_cpu_size
	json_true '.[0].result.max_local_cpu_size == 4.5' <<<"$output"
	# the demo node runs scripts with sh (an LMCache node runs Python)
	run lmcctl run-script - inst1_worker0 <<<'echo from stdin $((6 * 7))'
	assert_success
	assert_output 'from stdin 42'
	run lmcctl --no-headers run-script - --dry-run --all <<<'print(1)'
	assert_output --regexp '^inst1_worker0 +run-script +- +- +would change +ok$'
}

@test "19.2 wait: healthy, nodes N as they come, log-level, config; 6 on timeout with the reason" {
	cluster_registry
	cluster_node inst1 worker 0
	cluster_frontend fe1 inst1_worker0
	cluster_have_frontend || cluster_register "$FE1_URL"
	cluster_wait_listed 1
	run lmcctl wait healthy --timeout 10
	assert_success
	assert_output 'condition met: healthy'
	run lmcctl wait nodes 2 --timeout 0.5 --interval 0.1
	assert_failure 6
	assert_output --partial 'timed out after 0.5 s: 1 of 2 nodes'
	# a second frontend with a second node comes while wait polls
	lmc_bg waiter sh -c 'lmcctl wait nodes 2 --timeout 60 --interval 0.2 >"$0/wait.out" 2>&1; echo $? >"$0/wait.rc"' "$T"
	cluster_node inst2 worker 0
	cluster_frontend fe2 inst2_worker0
	cluster_have_frontend || cluster_register "$FE2_URL"
	wait_until 60 test -s "$T/wait.rc"
	assert_equal "$(cat "$T/wait.rc")" 0
	run lmcctl wait log-level 'lmcache.v1.*'=debug --timeout 2 --interval 0.2
	assert_failure 6
	assert_output --partial 'is WARNING'
	lmcctl -q set-log-level lmcache debug --all
	run lmcctl wait log-level 'lmcache.v1.*'=debug --timeout 10
	assert_success
	run lmcctl wait config max_local_cpu_size=5 inst2_worker0 --timeout 10
	assert_success
	run lmcctl wait config max_local_cpu_size=6 --timeout 0.3 --interval 0.1
	assert_failure 6
	run lmcctl wait sunny
	assert_failure 2
}

@test "19.2 --watch runs a reading command again every --interval; not a changing one" {
	small_cluster
	run bash -c 'lmcctl -w --interval 0.1 version | head -n 8'
	assert_equal "$(grep -c '^NODE ' <<<"$output")" 2
	assert_equal "$(grep -cE '^inst1_worker1 +0\.1\.0-demo +ok$' <<<"$output")" 2
	run lmcctl -w set-log-level lmcache DEBUG --all
	assert_failure 2
	assert_output --partial 'not ones that change nodes'
}

# A node that writes the Authorization header of each request to $T/auth (for token).
auth_node() {
	local port
	port=$(free_port)
	cat >"$T/auth.py" <<-'PY'
	import sys
	from http.server import BaseHTTPRequestHandler, HTTPServer
	class H(BaseHTTPRequestHandler):
	    def do_GET(self):
	        with open(sys.argv[2], "a") as f:
	            f.write("%s\n" % self.headers.get("Authorization"))
	        body = b'"0.3.9-auth"'
	        self.send_response(200)
	        self.send_header("Content-Length", str(len(body)))
	        self.end_headers()
	        self.wfile.write(body)
	HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
	PY
	lmc_bg auth python3 "$T/auth.py" "$port" "$T/auth"
	AUTH_URL="http://127.0.0.1:$port"
	wait_for_http "$AUTH_URL/version" 10
}

@test "19.6 contexts: context list/use, --context; environment over the file, flags over both" {
	small_cluster
	unset LMCACHE_FRONTEND
	auth_node
	mkdir -p "$XDG_CONFIG_HOME/lmcctl"
	cat >"$XDG_CONFIG_HOME/lmcctl/config" <<-EOF2
	# two clusters
	current-context = dead
	[context live]
	frontend = $FE1_URL
	output = json
	[context dead]
	url = http://127.0.0.1:1
	timeout = 2
	[context auth]
	url = $AUTH_URL
	token = s3cr3t
	EOF2
	run lmcctl --no-headers context list
	assert_success
	assert_line --regexp '^\* +dead +http://127\.0\.0\.1:1$'
	assert_line --regexp "^ +live +$FE1_URL\$"
	run lmcctl version
	assert_failure 5
	run lmcctl --context live version
	assert_success
	json_true 'length == 2' <<<"$output"
	run lmcctl context use live
	assert_success
	[ "$(stat -c %a "$XDG_CONFIG_HOME/lmcctl/config")" = 600 ]
	grep -q '^current-context = live$' "$XDG_CONFIG_HOME/lmcctl/config"
	grep -q '^token = s3cr3t$' "$XDG_CONFIG_HOME/lmcctl/config"
	run lmcctl -o table --no-headers version
	assert_success
	assert_line --index 0 --regexp '^inst1_worker0 +0\.1\.0-demo +ok$'
	LMCACHE_FRONTEND=http://127.0.0.1:1 run lmcctl version
	assert_failure 5
	LMCACHE_FRONTEND=http://127.0.0.1:1 run lmcctl --frontend "$FE1_URL" version
	assert_success
	run lmcctl --context nosuch version
	assert_failure 2
	run lmcctl context use nosuch
	assert_failure 4
	run lmcctl --context auth version
	assert_success
	assert_equal "$(tail -n 1 "$T/auth")" 'Bearer s3cr3t'
}

# complete SHELL WORDS...: what the generated completion offers for the last word.
complete_in() {
	local sh=$1
	shift
	if [ "$sh" = bash ]; then
		bash -c 'source <(lmcctl completion bash)
			COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _lmcctl; printf "%s\n" "${COMPREPLY[@]}"' _ "$@"
	else # zsh's compadd keeps the words that start with the current one
		zsh -fc 'autoload -U compinit && compinit -u -D && source <(lmcctl completion zsh) &&
			emulate sh -c '\''COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _lmcctl; printf "%s\n" "${COMPREPLY[@]}"'\''' _ "$@" |
			awk -v p="${!#}" 'index($0, p) == 1'
	fi
}

@test "19.7 completion: loggers, levels and keys where they go; shells; context names; zsh too" {
	small_cluster
	local sh
	for sh in bash zsh; do
		run complete_in $sh lmcctl set-log-level lmcache.v1.c
		assert_output 'lmcache.v1.cache_engine'
		run complete_in $sh lmcctl set-log-level lmcache.v1.cache_engine I
		assert_output 'INFO'
		run complete_in $sh lmcctl set-log-level lmcache INFO inst1_worker
		assert_equal "$(sort <<<"$output" | tr '\n' ' ')" 'inst1_worker0 inst1_worker1 '
		run complete_in $sh lmcctl config get max_local_c
		assert_output 'max_local_cpu_size'
		run complete_in $sh lmcctl log-level -n inst1_worker1 lmcache.v1.lookup
		assert_output 'lmcache.v1.lookup_server'
		run complete_in $sh lmcctl completion ''
		assert_equal "$(tr '\n' ' ' <<<"$output")" 'bash zsh '
		run complete_in $sh lmcctl -o ''
		assert_equal "$(tr '\n' ' ' <<<"$output")" 'table wide json yaml name '
		run complete_in $sh lmcctl wait ''
		assert_equal "$(tr '\n' ' ' <<<"$output")" 'healthy log-level config nodes '
	done
	run complete_in bash lmcctl config set max_local_c
	assert_output 'max_local_cpu_size='
	mkdir -p "$XDG_CONFIG_HOME/lmcctl"
	printf '[context prod]\nfrontend = %s\n[context lab]\nurl = http://127.0.0.1:1\n' "$FE1_URL" \
		>"$XDG_CONFIG_HOME/lmcctl/config"
	run complete_in bash lmcctl context use ''
	assert_equal "$(tr '\n' ' ' <<<"$output")" 'prod lab '
	diff <(lmcctl completion zsh) "$LMC_BUILDDIR/cli/completion/_lmcctl"
}

# The tags of a section of lmcctl(1) as plain text, one a line.
man_tags() {
	awk -v sec="$1" '/^\.SH /{on = index($0, sec) > 0} on && prev == ".TP" {print} {prev = $0}' \
		"$LMC_SRCDIR/man/lmcctl.1" | sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/\\(dq/"/g'
}

# "name usage" of every command in the table, as --help gives them.
help_usages() {
	local name
	lmcctl --help | awk '/^Commands:/{on = 1; next} /^$/{on = 0} on {print substr($0, 3, 16)}' |
		while read -r name; do
			# shellcheck disable=SC2086 # "config get" is two words
			lmcctl $name --help | head -n 1 | sed 's/^Usage: lmcctl //'
		done
}

@test "19.8 lmcctl(1) lists exactly the command table's commands and options; it renders cleanly" {
	diff <(help_usages) <(man_tags COMMANDS)
	diff <(lmcctl --help | awk '/^Options:/{on = 1; next} /^$/{on = 0} on {print substr($0, 3, 26)}' |
		sed 's/^ *//; s/ *$//') <(man_tags OPTIONS)
	# each command's own options are in the man page too
	local opt
	for opt in $(help_usages | cut -d' ' -f1-2 | while read -r a b; do
		[ "$a" = config ] || [ "$a" = context ] && a="$a $b"
		# shellcheck disable=SC2086
		lmcctl $a --help | awk '/^Options:/{on = 1; next} /^$/{on = 0} on' | grep -o -- '--[a-z-]*'
	done | sort -u); do
		grep -qF -- "${opt//-/\\-}" "$LMC_SRCDIR/man/lmcctl.1" || fail "lmcctl(1) lacks $opt"
	done
	# no warnings, and no tag broken over two lines: every usage is one rendered line
	run groff -man -Tutf8 -ww -z "$LMC_SRCDIR/man/lmcctl.1"
	assert_output ''
	MANWIDTH=200 man -l "$LMC_SRCDIR/man/lmcctl.1" 2>/dev/null | sed 's/^ *//' >"$T/lmcctl.txt"
	help_usages | while read -r line; do
		grep -qxF -- "$line" "$T/lmcctl.txt" || fail "not one rendered line: $line"
	done
}

@test "14.5 --timeout bounds the whole command: a slow listing leaves less time for the nodes" {
	local port
	port=$(free_port)
	# a frontend whose listing takes 0.7 s, and whose one node answers after 0.6 s more
	cat >"$T/slow.py" <<-'PY'
	import json, sys, time
	from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
	port = int(sys.argv[1])
	class H(BaseHTTPRequestHandler):
	    def do_GET(self):
	        if self.path == "/api/nodes":
	            time.sleep(0.7)
	            body = json.dumps({"nodes": [{"id": "proxy_0", "name": "fe", "host": "127.0.0.1",
	                "port": port, "is_proxy": True, "children": [{"id": "node_0", "name": "slow",
	                "host": "localhost", "port": "7000", "is_proxy": False, "proxy_id": "proxy_0"}]}]})
	        else:
	            time.sleep(0.6 if self.path.startswith("/proxy2/") else 0)
	            body = '"0.3.9-slow"'
	        self.send_response(200)
	        self.send_header("Content-Length", str(len(body)))
	        self.end_headers()
	        self.wfile.write(body.encode())
	ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
	PY
	lmc_bg slow python3 "$T/slow.py" "$port"
	wait_for_http "http://127.0.0.1:$port/health" 10
	run lmcctl --frontend "http://127.0.0.1:$port" --timeout 5 --no-headers version
	assert_success
	assert_output --regexp '^slow +0\.3\.9-slow +ok$'
	# 0.7 s of listing leave 0.3 s of a 1 s limit: the node's 0.6 s is too long
	run lmcctl --frontend "http://127.0.0.1:$port" --timeout 1 version
	assert_failure 6
}

@test "11.8 floats in tables and JSON are the shortest text that reads back the same" {
	small_cluster
	lmcctl -q config set max_local_cpu_size=0.30000000000000004 -n inst1_worker0
	run lmcctl --no-headers config get max_local_cpu_size
	assert_line --regexp '^inst1_worker0 +max_local_cpu_size +0\.30000000000000004 +ok$'
	assert_line --regexp '^inst1_worker1 +max_local_cpu_size +5\.0 +ok$'
	run lmcctl -o json config get max_local_cpu_size
	assert_output --partial '"max_local_cpu_size": 0.30000000000000004'
	assert_output --partial '"max_local_cpu_size": 5.0'
	lmcctl -q config set max_local_cpu_size=0.9 -n inst1_worker0
	run lmcctl -o yaml config get max_local_cpu_size -n inst1_worker0
	assert_line '    max_local_cpu_size: 0.9'
}

@test "config set takes its targets after the assignments, as other commands do" {
	small_cluster
	run lmcctl --no-headers config set max_local_cpu_size=2.5 save_decode_cache=true inst1_worker1
	assert_success
	assert_line --regexp '^inst1_worker1 +max_local_cpu_size +5\.0 +2\.5 +changed +ok$'
	refute_output --partial inst1_worker0
	run lmcctl config set chunk_size inst1_worker1
	assert_failure 2
	assert_output --partial "expected KEY=VALUE, not 'chunk_size'"
}
