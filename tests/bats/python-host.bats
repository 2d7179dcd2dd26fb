#!/usr/bin/env bats
# The Python module lmcagent in a real Python host (tests/python/python-node.py on Debian's
# python3): every endpoint, Python's loggers and stacks, metrics from prometheus_client,
# run_script in the interpreter, plugins, and a host whose thread holds the GIL.

bats_require_minimum_version 1.5.0
load ../helpers/common
load ../helpers/agent
load ../helpers/python

setup() { lmc_setup; }
teardown() { lmc_teardown_checked; }

node() { curl -sS --max-time 10 --unix-socket "$NODE_SOCK" "$@"; }
metric_is_zero() { awk -v n="$2" '$1 == n { found = 1; exit !($2 == 0) } END { exit !found }' "$1"; }

# The block of thread NAME_OR_FRAME's /threads text that contains PATTERN.
thread_block_with() {
	awk -v RS='\n\n\n' -v p="$2" 'index($0, p)' "$1"
}

@test "every endpoint answers from a Python host, over a unix socket and TCP" {
	python_pair
	for via in unix tcp; do
		http $via GET /version
		assert_equal "$body" '"0.1.0-demo"'
		http $via GET /threads
		assert_equal "$code" 200
		grep -q '^=== Thread Summary ===$' "$T/body"
		grep -Eq '^  #[0-9]+ File ".*python-node.py", line [0-9]+, in run$' "$T/body"
		http $via GET '/threads?format=json'
		json_true 'any(.[]; .name == "lmc-worker-0" and (.frames[0] | test("^File .*, in ")))' <"$T/body"
		http $via GET /loglevel
		assert_equal "$(head -1 "$T/body")" '=== Loggers and Levels ==='
		grep -qx 'lmcache.v1.cache_engine: NOTSET' "$T/body"
		http $via GET /metrics
		assert_equal "$code" 200
		promtool_check "$T/body"
		grep -q '^lmcache:num_retrieve_requests_total{' "$T/body"
		grep -q '^python_gc_objects_collected_total{' "$T/body"
		metric_is_zero "$T/body" lmcache_agent_python_metrics_age_seconds
		http $via GET '/conf?names=chunk_size'
		assert_equal "$(jq -c . <<<"$body")" '{"chunk_size":256}'
		http $via GET /meta
		assert_equal "$(jq .worker_id <<<"$body")" 0
		http $via GET /inference_version
		assert_equal "$(jq -r .vllm_version <<<"$body")" 0.10.1.1
		http $via GET /env
		assert_equal "$(jq -r .PYTHONPATH <"$T/body")" "$PYTHONPATH"
		http $via GET /healthcheck
		assert_equal "$body" '{"status":"healthy"}'
		http $via GET /plugins
		assert_equal "$body" '[]'
		http $via DELETE /cache/clear
		assert_equal "$(jq -r .status <<<"$body")" success
		[[ "$ctype" == application/json* ]]
		http $via POST /run_script -F "script=@$LMC_SRCDIR/tests/python/python-node.py"
		assert_equal "$code" 404
	done
}

@test "/conf changes reach the host's on_change callback, which may refuse them" {
	python_pair
	http unix POST /conf -d '{"max_local_cpu_size": 2.5}'
	assert_equal "$code" 200
	wait_until 10 grep -q 'capacity is now 2.50 GiB' "$T/unix.log"
	http unix POST /conf -d '{"max_local_cpu_size": -1}'
	assert_equal "$code" 400
	assert_equal "$(jq -r .errors.max_local_cpu_size <<<"$body")" 'Failed to set config value'
	grep -q 'must be a positive number of GiB' "$T/unix.log"
	http unix GET '/conf?names=max_local_cpu_size'
	assert_equal "$(jq .max_local_cpu_size <<<"$body")" 2.5
}

@test "a route's Python code may call back into the agent (a change with its on_change)" {
	python_node n
	run node -w '\n%{http_code}' -X PUT -d 3.5 http://localhost/capacity
	assert_output '{"max_local_cpu_size": 3.5}'$'\n'200
	grep -q 'capacity is now 3.50 GiB' "$T/n.log"
}

@test "/loglevel lists and sets the host's real logging loggers" {
	LMCACHE_RUN_SCRIPT_API_ENABLED=true LMCACHE_SCRIPT_ALLOWED_IMPORTS='["logging"]' \
		python_node n
	run node 'http://localhost/loglevel?logger_name=lmcache.v1.cache_engine&level=debug'
	assert_output 'Set lmcache.v1.cache_engine level to DEBUG (including all handlers)'
	run node 'http://localhost/loglevel?logger_name=lmcache.v1.cache_engine'
	assert_output 'lmcache.v1.cache_engine: DEBUG'
	# The host's own logger now logs at DEBUG ...
	wait_until 10 grep -q 'DEBUG \[lmcache.v1.cache_engine\] retrieved' "$T/n.log"
	# ... and Python's logging module says so.
	printf 'import logging\nresult = logging.getLogger("lmcache.v1.cache_engine").level\n' >"$T/l.py"
	run node -F "script=@$T/l.py" http://localhost/run_script
	assert_output 10
	run node 'http://localhost/loglevel?logger_name=lmcache.v1.cache_engine&level=LOUD'
	assert_output 'Invalid log level: LOUD'
}

@test "run_script runs in the host interpreter: result is the answer, errors are 500" {
	LMCACHE_RUN_SCRIPT_API_ENABLED=true python_node n
	printf 'result = [n * 7 for n in [0, 1, 2]]\n' >"$T/a.py"
	run node -F "script=@$T/a.py" http://localhost/run_script
	assert_output '[0, 7, 14]'
	# The script sees the host's agent as `app` (LMCache passes its FastAPI app).
	printf 'result = app.name\n' >"$T/b.py"
	run node -F "script=@$T/b.py" http://localhost/run_script
	assert_output lmcache_default_instance_worker0
	printf 'x = 1\n' >"$T/c.py"
	run node -F "script=@$T/c.py" http://localhost/run_script
	assert_output 'Script executed successfully'
	printf 'import os\nresult = os.getpid()\n' >"$T/d.py"
	run node -w '\n%{http_code}' -F "script=@$T/d.py" http://localhost/run_script
	assert_output "Error executing script: Import of 'os' is not allowed"$'\n'500
	printf 'result = 1 / 0\n' >"$T/e.py"
	run node -w '\n%{http_code}' -F "script=@$T/e.py" http://localhost/run_script
	assert_output 'Error executing script: division by zero'$'\n'500
}

@test "a thread holding the GIL: /threads shows it, the rest answers within its bound" {
	LMCACHE_RUN_SCRIPT_API_ENABLED=true python_stuck_node n
	# /threads needs no GIL: the stuck thread's Python frame next to its native read().
	node http://localhost/threads >"$T/threads"
	thread_block_with "$T/threads" 'in stuck' >"$T/stuck"
	grep -Eq '^  #0 File ".*python-node.py", line [0-9]+, in stuck$' "$T/stuck"
	grep -Eq '^  #[0-9]+ (__libc_)?read\+0x[0-9a-f]+ \(libc\.so\.6\)( [^ ]+:[0-9]+)?$' "$T/stuck"
	# What needs the GIL answers within the bound (0.5 s here; curl allows 10 s): 503 ...
	run node -w '\n%{http_code}' http://localhost/loglevel
	assert_line --index 1 503
	assert_line --index 0 --partial 'did not answer within 500 ms (a thread holds the GIL)'
	run node -w '\n%{http_code}' 'http://localhost/loglevel?logger_name=lmcache.v1.cache_engine&level=ERROR'
	assert_line --index 1 503
	run node -w '\n%{http_code}' http://localhost/healthcheck
	assert_line --index 1 503
	assert_line --index 0 --partial '"status":"unhealthy"'
	run node -w '\n%{http_code}' -X DELETE http://localhost/cache/clear
	assert_line --index 1 503
	run node -w '\n%{http_code}' -d '{"max_local_cpu_size": 3}' http://localhost/conf
	assert_line --index 1 400
	printf 'result = 42\n' >"$T/s.py"
	run node -w '\n%{http_code}' -F "script=@$T/s.py" http://localhost/run_script
	assert_output 'Error executing script: the Python interpreter did not answer within 500 ms (a thread holds the GIL)'$'\n'500
	# ... or the last known state, and how old it is.
	node http://localhost/metrics >"$T/m"
	grep -q '^python_gc_objects_collected_total{' "$T/m"
	grep -q '^lmcache:num_retrieve_requests_total{' "$T/m"
	awk '$1 == "lmcache_agent_python_metrics_age_seconds" { exit !($2 > 0) }' "$T/m"
	run node http://localhost/meta
	assert_equal "$(jq .worker_id <<<"$output")" 0
	node http://localhost/version
	# Once the thread lets go, Python answers again; the refused change was not applied.
	python_release n
	wait_until 10 eval "node -f http://localhost/healthcheck >/dev/null"
	run node 'http://localhost/loglevel?logger_name=lmcache.v1.cache_engine'
	assert_output 'lmcache.v1.cache_engine: NOTSET'
	node http://localhost/metrics >"$T/m"
	metric_is_zero "$T/m" lmcache_agent_python_metrics_age_seconds
}

@test "plugins start from a Python host with the same rules and stop with it" {
	mkdir -p "$T/plugins"
	printf '#!/bin/sh\necho $$ >"%s/plugin.pid"\necho "role=$LMCACHE_PLUGIN_ROLE"\nexec sleep 600\n' \
		"$T" >"$T/plugins/worker_sleeper.sh"
	printf '#!/bin/sh\necho $$ >"%s/wrong.pid"\n' "$T" >"$T/plugins/scheduler_only.sh"
	printf 'runtime_plugin_locations:\n  - "%s"\n' "$T/plugins" >"$T/conf.yaml"
	python_node n --config "$T/conf.yaml"
	wait_until 10 test -s "$T/plugin.pid"
	# The agent's own lines (plugin output too) go through the host's logging.
	wait_until 10 grep -Eq '^[0-9-]+ [0-9:]+,[0-9]{3} INFO \[lmcache\.plugin\] .*worker_sleeper\.sh\] role=worker$' "$T/n.log"
	run node http://localhost/loglevel
	assert_line 'lmcache.plugin: NOTSET'
	run node http://localhost/plugins
	json_true 'any(.[]; .name == "worker_sleeper.sh" and .state == "running")' <<<"$output"
	json_true 'any(.[]; .name == "scheduler_only.sh" and .state == "skipped")' <<<"$output"
	[ ! -e "$T/wrong.pid" ]
	pid=$(cat "$T/plugin.pid")
	kill -TERM "$(cat "$T/n.pid")"
	wait_until 10 eval "! kill -0 $pid 2>/dev/null"
}

@test "/loglevel: reading an unknown logger creates none; names are written escaped" {
	python_node n
	run node 'http://localhost/loglevel?logger_name=no.such.logger'
	assert_output 'no.such.logger: NOTSET'
	run node http://localhost/loglevel
	refute_output --partial no.such.logger
	run node 'http://localhost/loglevel?logger_name=a%0Ab&level=INFO'
	assert_output 'Set a\nb level to INFO (including all handlers)'
	run node http://localhost/loglevel
	assert_line 'a\nb: INFO'
}

@test "/threads while threads come and go and stacks change: the host survives every read" {
	lmc_bg churn $PY "$LMC_SRCDIR/tests/python/churn-host.py" "$T/c"
	wait_for_socket "$T/c_7000" 20
	for i in $(seq 1 100); do
		curl -sS --max-time 10 --unix-socket "$T/c_7000" http://localhost/threads -o "$T/t" ||
			fail "read $i: no answer"
	done
	grep -Eq '^  #[0-9]+ File ".*churn-host.py", line [0-9]+, in (recurse|generate|churn)$' "$T/t"
	kill -0 "$(cat "$T/churn.pid")"
}
