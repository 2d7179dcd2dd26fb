#!/usr/bin/env bats
# lmcache-frontend's own HTTP/1.1 client, which reaches nodes on a unix socket without TLS
# (src/frontend/upstream.c, up-parse.c): framing by length, chunks and the connection's end,
# request bodies, HEAD, kept-alive connections reused, a node's malformed answer refused with
# a clear 502, a hung node's 504, a large answer streamed with bounded memory. The node is
# tests/fixtures/frontend/unix-node.py; on a TCP port it is reached through libcurl instead,
# which must frame answers the same way.

load ../helpers/common
load ../helpers/frontend

setup() {
	lmc_setup
	SOCK=$T/unode.sock
	lmc_bg unode python3 "$FIXTURES/frontend/unix-node.py" "$SOCK"
	wait_for_socket "$SOCK"
	NODES=$(jq -cn --arg s "$SOCK" '[{name: "u", host: "localhost", port: $s}]')
}
teardown() { lmc_teardown_checked; }

@test "own client: length, chunked (extension, trailer) and close-delimited answers come through" {
	fe_start FE --nodes "$NODES"
	run curl -sf "$FE/proxy2/u/chunked"
	assert_output "chunk-ed ok"
	run curl -sf -D "$T/h" -o /dev/null "$FE/proxy2/u/chunked"
	run grep -ci '^x-kept: yes' "$T/h"
	assert_output 1
	run grep -ci '^x-trailer' "$T/h"
	assert_output 0
	run curl -sf "$FE/proxy2/u/close"
	assert_output "until the end"
	run curl -sf "$FE/proxy2/u/echo"
	assert_equal "$(jq -r .method <<<"$output")" GET
}

@test "libcurl's forwarder (a TCP node): the same answers, a trailer not made a header either" {
	port=$(free_port)
	lmc_bg tnode python3 "$FIXTURES/frontend/unix-node.py" "$port"
	wait_for_http "http://127.0.0.1:$port/count"
	fe_start FE --nodes "$(jq -cn --argjson p "$port" '[{name: "t", host: "127.0.0.1", port: $p}]')"
	run curl -sf -D "$T/h" "$FE/proxy2/t/chunked"
	assert_output "chunk-ed ok"
	run grep -ci '^x-kept: yes' "$T/h"
	assert_output 1
	run grep -ci '^x-trailer' "$T/h"
	assert_output 0
	run curl -sf "$FE/proxy2/t/close"
	assert_output "until the end"
}

@test "own client: method, body and headers reach the node; HEAD has no body" {
	fe_start FE --nodes "$NODES"
	run curl -sf -X PUT -H 'X-Test: seen' --data-binary 'payload' "$FE/proxy2/u/echo"
	assert_equal "$(jq -c '[.method, .body, .x_test, .host]' <<<"$output")" \
		'["PUT","payload","seen","localhost"]'
	run curl -sf -X POST "$FE/proxy2/u/echo"
	assert_equal "$(jq -c '[.method, .body]' <<<"$output")" '["POST",""]'
	run curl -s -I -w '%{http_code}' "$FE/proxy2/u/echo"
	assert_output --partial 200
	run curl -s -X HEAD --max-time 5 -w '%{http_code}' "$FE/proxy2/u/echo"
	assert_output 200
}

@test "own client: one kept-alive connection carries sequential requests; a node closing it costs nothing" {
	fe_start FE --nodes "$NODES"
	# One client connection: its requests are served by one server loop, whose pool keeps
	# one connection to the node (each loop has its own pool).
	urls=()
	for i in $(seq 1 20); do urls+=(-o /dev/null "$FE/proxy2/u/echo"); done
	curl -sf "${urls[@]}" "$FE/proxy2/u/count" >"$T/count"
	run cat "$T/count"
	assert_output 1
	# The node closes its end after answering: the next requests go on a new connection.
	for i in 1 2 3 4 5; do
		assert_equal "$(fe_status "$FE/proxy2/u/idle-close")" 200
		assert_equal "$(fe_status "$FE/proxy2/u/echo")" 200
	done
}

@test "own client: a malformed answer is a 502 that says what was wrong" {
	fe_start FE --nodes "$NODES"
	for kind in status:'malformed status line' header:'malformed header line' \
		length:'malformed Content-Length' chunk:'malformed chunk size' \
		head:'answer head larger than 64 KiB' \
		early-close:'the node closed the connection before the answer ended'; do
		run curl -s -w ' %{http_code}' --max-time 10 "$FE/proxy2/u/bad/${kind%%:*}"
		assert_output --partial "Error communicating with target service: ${kind#*:}"
		assert_output --partial ' 502'
	done
	assert_equal "$(fe_status "$FE/proxy2/u/echo")" 200
}

@test "own client: a hung node is a 504 after --proxy-timeout; the node's other requests go on" {
	fe_start FE --nodes "$NODES" --proxy-timeout 2
	curl -s -w ' %{http_code}' --max-time 20 "$FE/proxy2/u/hang" >"$T/hang.out" &
	hang=$!
	assert_equal "$(fe_status "$FE/proxy2/u/echo")" 200
	wait "$hang"
	run cat "$T/hang.out"
	assert_output --partial "Connection to socket $SOCK timed out"
	assert_output --partial ' 504'
}

@test "own client: a large answer streams through intact with bounded memory" {
	fe_start FE --nodes "$NODES"
	got=$(curl -s --max-time 120 "$FE/proxy2/u/big/100" | sha256sum)
	assert_equal "$got" "$(head -c $((100 << 20)) /dev/zero | tr '\0' x | sha256sum)"
	hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$(cat "$T/fe-FE.pid")/status")
	echo "# frontend peak RSS: $hwm kB" >&3
	[ "$hwm" -lt $((48 * 1024)) ]
	# a client that leaves mid-answer: the frontend goes on serving
	curl -s --max-time 5 "$FE/proxy2/u/big/50" | head -c 1000 >/dev/null
	assert_equal "$(fe_status "$FE/proxy2/u/echo")" 200
}

@test "server loops: 8 clients are answered while 4 requests hang; stopping answers the hung ones" {
	fe_start FE --nodes "$NODES" --proxy-timeout 60
	hung=() clients=()
	for i in 1 2 3 4; do # each on a connection of its own, on whichever loop took it
		curl -s -o /dev/null -w '%{http_code}' --max-time 30 "$FE/proxy2/u/hang" \
			>"$T/hung$i" &
		hung+=($!)
	done
	for c in 1 2 3 4 5 6 7 8; do # keep-alive clients spread over the loops
		urls=()
		for i in $(seq 1 25); do urls+=(-o /dev/null -w '%{http_code}\n' "$FE/proxy2/u/echo"); done
		curl -s --max-time 30 "${urls[@]}" >"$T/client$c" &
		clients+=($!)
	done
	for p in "${clients[@]}"; do wait "$p"; done
	run sh -c "cat $T/client* | sort | uniq -c"
	assert_output "    200 200"
	# The four are still waiting for the node; stopping the frontend ends them with 503.
	pid=$(cat "$T/fe-FE.pid")
	kill -TERM "$pid"
	run wait_until 10 eval "! kill -0 $pid 2>/dev/null"
	assert_success
	for p in "${hung[@]}"; do wait "$p" || true; done
	run cat "$T/hung1" "$T/hung2" "$T/hung3" "$T/hung4"
	assert_output "503503503503"
}
