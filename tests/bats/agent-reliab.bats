#!/usr/bin/env bats
# The agent's /run_script when enabled (issue: reliability): complete uploads only, a bound
# on scripts running at once, /healthcheck answering while scripts run.

load ../helpers/common

setup() {
	lmc_setup
	SOCK="$T/api/sock_6999"
	LMCACHE_RUN_SCRIPT_API_ENABLED=true lmc_bg node lmcache-demo-node --role scheduler \
		--socket-prefix "$T/api/sock" --tick-ms 0
	wait_for_socket "$SOCK"
	wait_for_http "http://localhost/healthcheck" 10 --unix-socket "$SOCK"
}
teardown() {
	touch "$T/go"
	lmc_teardown_checked
}

# post_raw BODY_FILE: POSTs the file as a multipart body with boundary XyZ; prints the
# status then the body.
post_raw() {
	curl -s --max-time 20 --unix-socket "$SOCK" -w '\n%{http_code}' \
		-H 'Content-Type: multipart/form-data; boundary=XyZ' --data-binary "@$1" \
		http://localhost/run_script
}

@test "run_script: an unterminated multipart upload runs nothing (400)" {
	printf -- '--XyZ\r\nContent-Disposition: form-data; name="script"; filename="s.sh"\r\n\r\n' >"$T/cut"
	printf 'touch %s/ran\n' "$T" >>"$T/cut"
	run post_raw "$T/cut"
	assert_line --index 0 --partial 'Incomplete upload'
	assert_line --index 1 400
	[ ! -e "$T/ran" ]
	# The same upload with its closing boundary runs.
	cp "$T/cut" "$T/whole"
	printf -- '\r\n--XyZ--\r\n' >>"$T/whole"
	run post_raw "$T/whole"
	assert_line --index 0 200
	[ -e "$T/ran" ]
}

# at_limit SOCK: two scripts that wait (at most 60 s) for $T/go, started one at a time, then
# a third refused with 429; the clients' pids in $pids.
at_limit() {
	printf 'echo started >>%s/started\ni=0\nwhile [ ! -e %s/go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done\necho finished\n' \
		"$T" "$T" >"$T/s.sh"
	started() { [ "$(cat "$T/started" 2>/dev/null | wc -l)" -ge "$1" ]; }
	pids=()
	for n in 1 2; do
		curl -s -o "$T/out$n" -w '%{http_code}' --max-time 90 --unix-socket "$1" \
			-F "script=@$T/s.sh" http://localhost/run_script >"$T/code$n" 3>&- &
		pids+=($!)
		run wait_until 20 started $n
		assert_success
	done
	run curl -s -w ' %{http_code}' --max-time 20 --unix-socket "$1" -F "script=@$T/s.sh" \
		http://localhost/run_script
	assert_output 'Too many scripts running (at most 2 at once); try again later 429'
}

# release: the two scripts of at_limit go on and answer 200, each having run once.
release() {
	touch "$T/go"
	wait "${pids[@]}"
	assert_equal "$(cat "$T/code1" "$T/code2")" 200200
	assert_equal "$(cat "$T/out1")" finished
	[ "$(wc -l <"$T/started")" -eq 2 ]
}

@test "run_script: at most two scripts at once (429 beyond), /healthcheck still answers" {
	at_limit "$SOCK"
	run curl -s --max-time 5 --unix-socket "$SOCK" http://localhost/healthcheck
	assert_success
	release
}

@test "run_script: scripts at the limit hold no server thread (one thread): /healthcheck and /version answer" {
	# A second node with a single server thread: a script that held its thread would leave
	# none for anything else.
	local sock="$T/one/sock_6999"
	LMCACHE_RUN_SCRIPT_API_ENABLED=true LMCACHE_INTERNAL_API_SERVER_THREADS=1 \
		lmc_bg one lmcache-demo-node --role scheduler --socket-prefix "$T/one/sock" --tick-ms 0
	wait_for_socket "$sock"
	wait_for_http "http://localhost/healthcheck" 10 --unix-socket "$sock"
	run curl -s --max-time 5 --unix-socket "$sock" http://localhost/conf
	[ "$(jq '.internal_api_server_threads' <<<"$output")" = 1 ]
	at_limit "$sock"
	for path in /healthcheck /version; do
		run curl -s -w ' %{http_code}' --max-time 5 --unix-socket "$sock" "http://localhost$path"
		assert_success
		assert_output --partial ' 200'
	done
	release
}

# alive_any PID...: one of the processes still exists (zombies count as dead).
alive_any() {
	local pid st
	for pid in "$@"; do
		st=$(ps -o stat= -p "$pid" 2>/dev/null) || continue
		case $st in Z*) ;; *) return 0 ;; esac
	done
	return 1
}

@test "run_script: what a script leaves behind dies with it, even outside its group" {
	printf 'setsid sleep 1001 >/dev/null 2>&1 &\necho $! >%s/left\necho done\n' "$T" >"$T/s.sh"
	run curl -s -w ' %{http_code}' --max-time 20 --unix-socket "$SOCK" -F "script=@$T/s.sh" \
		http://localhost/run_script
	assert_output 'done
 200'
	run wait_until 10 eval "! alive_any $(cat "$T/left")"
	assert_success
}

@test "run_script: SIGKILL of the host kills the running script and its children" {
	printf 'setsid sleep 1002 >/dev/null 2>&1 &\necho $! >%s/child\necho $$ >%s/script\nsleep 1003\n' \
		"$T" "$T" >"$T/s.sh"
	curl -s -o /dev/null --max-time 60 --unix-socket "$SOCK" -F "script=@$T/s.sh" \
		http://localhost/run_script 3>&- &
	client=$!
	run wait_until 20 test -s "$T/script"
	assert_success
	run wait_until 20 test -s "$T/child"
	assert_success
	pids="$(cat "$T/child") $(cat "$T/script")"
	kill -KILL "$(cat "$T/node.pid")"
	run wait_until 10 eval "! alive_any $pids"
	kill -KILL $pids 2>/dev/null || true
	wait "$client" || true
	assert_success
}

@test "run_script: a script whose client went away is stopped" {
	printf 'echo $$ >%s/script\nsleep 60\necho finished >%s/finished\n' "$T" "$T" >"$T/s.sh"
	curl -s -o /dev/null --max-time 90 --unix-socket "$SOCK" -F "script=@$T/s.sh" \
		http://localhost/run_script 3>&- &
	client=$!
	run wait_until 20 test -s "$T/script"
	assert_success
	kill -TERM "$client"
	wait "$client" || true
	run wait_until 10 eval "! alive_any $(cat "$T/script")"
	assert_success
	[ ! -e "$T/finished" ]
	# The node serves on.
	run curl -s --max-time 5 --unix-socket "$SOCK" http://localhost/healthcheck
	assert_success
}
