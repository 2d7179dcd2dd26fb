#!/usr/bin/env bats
# The internal API server itself: sockets, include list, limits, errors, lifecycle.

load ../helpers/common
load ../helpers/agent

setup() { lmc_setup; }
teardown() { lmc_teardown_checked; }

@test "server: socket 0600 in a directory created 0700" {
	agent_start_pair
	[ "$(stat -c %a "$T/api")" = 700 ]
	[ "$(stat -c %a "$UNIX_SOCK")" = 600 ]
	# No temporary directory left behind.
	[ "$(ls -A "$T/api")" = sock_6999 ]
}

@test "server: missing parents are created 0700 and removed at exit" {
	lmc_bg s lmcache-demo-node --role scheduler --socket-prefix "$T/a/b/sock" --tick-ms 0
	wait_for_socket "$T/a/b/sock_6999"
	[ "$(stat -c %a "$T/a")" = 700 ]
	[ "$(stat -c %a "$T/a/b")" = 700 ]
	kill -TERM "$(cat "$T/s.pid")"
	wait_until 10 test ! -e "$T/a"
}

@test "server: an existing directory keeps its mode" {
	mkdir -m 0755 "$T/shared"
	lmc_bg s lmcache-demo-node --role scheduler --socket-prefix "$T/shared/sock" --tick-ms 0
	wait_for_socket "$T/shared/sock_6999"
	[ "$(stat -c %a "$T/shared")" = 755 ]
	[ "$(stat -c %a "$T/shared/sock_6999")" = 600 ]
}

@test "server: another user is refused even when the socket is reachable" {
	[ "$(id -u)" -eq 0 ] || skip "acting as another user needs root"
	agent_start_pair
	chmod 0755 "$T" "$T/api"
	chmod 0666 "$UNIX_SOCK"
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		curl -sS --unix-socket "$UNIX_SOCK" -w '\n%{http_code}' http://localhost/env
	assert_line --index 1 403
	assert_line --index 0 --partial '"detail":"only the server'"'"'s owner'
	still_serving unix
}

@test "server: a stale socket is replaced, a live one is refused" {
	mkdir -m 0700 "$T/api"
	python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$T/api/sock_6999"
	[ -S "$T/api/sock_6999" ]
	lmc_bg s lmcache-demo-node --role scheduler --socket-prefix "$T/api/sock" --tick-ms 0
	wait_for_http http://localhost/version 10 --unix-socket "$T/api/sock_6999"
	run lmcache-demo-node --role scheduler --socket-prefix "$T/api/sock" --tick-ms 0
	assert_failure 1
	assert_output --partial "in use by a running server"
	curl -sfS --unix-socket "$T/api/sock_6999" http://localhost/version
}

@test "server: a socket path too long is a clear error" {
	long="$T/$(printf 'd%.0s' $(seq 1 120))"
	run lmcache-demo-node --role scheduler --socket-prefix "$long/sock" --tick-ms 0
	assert_failure 1
	assert_output --partial "is too long"
}

@test "server: a file in the way is not removed" {
	mkdir -m 0700 "$T/api"
	echo data >"$T/api/sock_6999"
	run lmcache-demo-node --role scheduler --socket-prefix "$T/api/sock" --tick-ms 0
	assert_failure 1
	assert_output --partial "not a socket"
	[ "$(cat "$T/api/sock_6999")" = data ]
}

@test "server: TCP on 127.0.0.1 at port_start + index" {
	port=$(free_port)
	lmc_bg w lmcache-demo-node --role worker --worker-id 0 --port-start $((port - 1)) --tick-ms 0
	wait_for_http "http://127.0.0.1:$port/version"
	grep -q "lmcache_default_instance_worker0 listening on port $port" "$T/w.log"
	run ss -Hltn "sport = :$port"
	assert_output --partial "127.0.0.1:$port"
}

@test "server: only nodes in the include list serve" {
	export LMCACHE_INTERNAL_API_SERVER_INCLUDE_INDEX_LIST='[0, 2]'
	agent_worker_unix w1 1
	lmc_bg w0 lmcache-demo-node --role worker --worker-id 0 --socket-prefix "$T/api/sock" --tick-ms 0
	lmc_bg s lmcache-demo-node --role scheduler --socket-prefix "$T/api/sock" --tick-ms 0
	wait_for_socket "$T/api/sock_6999"
	wait_until 10 grep -q 'without an API server' "$T/w0.log"
	[ ! -e "$T/api/sock_7000" ]
	curl -sfS --unix-socket "$T/api/sock_7001" http://localhost/version
	kill -0 "$(cat "$T/w0.pid")"
}

@test "server: disabled by config means no server, the host still runs" {
	LMCACHE_INTERNAL_API_SERVER_ENABLED=false lmc_bg s lmcache-demo-node --role scheduler \
		--socket-prefix "$T/api/sock" --tick-ms 0
	wait_until 10 grep -q 'without an API server' "$T/s.log"
	[ ! -e "$T/api/sock_6999" ]
}

@test "server: unknown path 404 and wrong method 405, as FastAPI's JSON errors" {
	agent_start_pair
	for via in unix tcp; do
		http $via GET /no/such/path
		assert_equal "$code" 404
		assert_equal "$(cat "$T/body")" '{"detail":"Not Found"}'
		grep -qi '^Content-Type: application/json' "$T/headers"
		http $via DELETE /metrics
		assert_equal "$code" 405
		assert_equal "$(cat "$T/body")" '{"detail":"Method Not Allowed"}'
		grep -qi '^Allow: GET, HEAD' "$T/headers"
		still_serving $via
	done
}

@test "server: an oversized body is a 413 and the node keeps serving" {
	agent_start_pair
	head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' 'x' >"$T/big"
	for via in unix tcp; do
		http $via POST /conf --data-binary "@$T/big"
		assert_equal "$code" 413
		json_true '.detail | test("larger than 1048576 bytes")' <"$T/body"
		# Chunked upload: no Content-Length to refuse up front.
		http $via POST /conf -H 'Transfer-Encoding: chunked' --data-binary "@$T/big"
		assert_equal "$code" 413
		still_serving $via
	done
}

@test "server: keep-alive reuses one connection" {
	agent_start_pair
	run curl -sv --unix-socket "$UNIX_SOCK" http://localhost/version http://localhost/metrics -o /dev/null -o /dev/null
	assert_success
	assert_output --partial "Re-using existing connection"
	run curl -sv "$TCP_URL/version" "$TCP_URL/version" -o /dev/null -o /dev/null
	assert_output --partial "Re-using existing connection"
}

@test "server: --count K serves K workers from one process" {
	lmc_bg many lmcache-demo-node --role worker --worker-id 2 --count 4 \
		--socket-prefix "$T/api/sock" --tick-ms 0
	for id in 2 3 4 5; do
		wait_for_http http://localhost/healthcheck 10 --unix-socket "$T/api/sock_$((7000 + id))"
		run curl -sS --unix-socket "$T/api/sock_$((7000 + id))" 'http://localhost/meta?names=worker_id'
		json_true ".worker_id == $id" <<<"$output"
	done
}

@test "server: descriptors are close-on-exec" {
	# Started with nothing but 0-2 open, so every other descriptor is the node's own.
	lmc_bg n python3 -c 'import os, sys; os.closerange(3, 65536); os.execvp(sys.argv[1], sys.argv[1:])' \
		lmcache-demo-node --role scheduler --socket-prefix "$T/api/sock" --tick-ms 20
	UNIX_SOCK="$T/api/sock_6999"
	wait_for_http http://localhost/version 10 --unix-socket "$UNIX_SOCK"
	pid=$(cat "$T/n.pid")
	curl -sS --unix-socket "$UNIX_SOCK" http://localhost/threads >/dev/null
	for fd in /proc/$pid/fd/*; do
		n=${fd##*/}
		[ "$n" -le 2 ] && continue
		flags=$(awk '/^flags:/ { print $2 }' "/proc/$pid/fdinfo/$n" 2>/dev/null) || continue
		[ -n "$flags" ] || continue
		(( (8#$flags & 8#2000000) != 0 )) || { echo "fd $n ($(readlink "$fd")) flags $flags"; false; }
	done
}

@test "server: SIGTERM exits cleanly and removes the socket" {
	agent_start_pair
	pid=$(cat "$T/unix.pid")
	kill -TERM "$pid"
	wait_until 10 bash -c "! kill -0 $pid 2>/dev/null"
	wait "$pid" || rc=$?
	[ "${rc:-0}" -eq 0 ]
	[ ! -e "$UNIX_SOCK" ]
	[ ! -e "$T/api" ]
	grep -q 'stopping' "$T/unix.log"
}
