#!/usr/bin/env bats
# The server core's header and body timeouts (issue: reliability) in the three daemons, on
# real sockets: a client sending its headers a byte at a time (slowloris) and one whose body
# stalls are dropped after the timeouts (set to 1 s here), however often they send; a
# healthy download slower than both is not cut.

load ../helpers/common
load ../helpers/discovery

SLOW="$FIXTURES/reliab/slow-client.py"

setup() {
	lmc_setup
	AGENT_PORT=$(free_port)
	LMCACHE_INTERNAL_API_SERVER_HEADER_TIMEOUT=1 LMCACHE_INTERNAL_API_SERVER_BODY_TIMEOUT=1 \
		LMCACHE_RUN_SCRIPT_API_ENABLED=true lmc_bg agent lmcache-demo-node --role scheduler \
		--port-start "$AGENT_PORT" --tick-ms 0
	wait_for_http "http://127.0.0.1:$AGENT_PORT/healthcheck" 10
	BIG_PORT=$(free_port)
	lmc_bg big python3 "$FIXTURES/reliab/big-node.py" "$BIG_PORT"
	wait_for_http "http://127.0.0.1:$BIG_PORT/" 10
	FE_PORT=$(free_port)
	lmc_bg fe lmcache-frontend --port "$FE_PORT" --header-timeout 1 --body-timeout 1 --log-level debug \
		--nodes "[{\"name\": \"n\", \"host\": \"127.0.0.1\", \"port\": $AGENT_PORT},
			  {\"name\": \"big\", \"host\": \"127.0.0.1\", \"port\": $BIG_PORT}]"
	wait_for_http "http://127.0.0.1:$FE_PORT/health" 10
	start_discovery disc --header-timeout 1 --body-timeout 1
}

teardown() { lmc_teardown_checked; }

@test "slowloris: a client sending its headers a line every 0.2 s is dropped (agent, frontend, registry)" {
	for port in "$AGENT_PORT" "$FE_PORT" "$DISC_PORT"; do
		run python3 "$SLOW" headers "127.0.0.1:$port"
		assert_success
		assert_output --regexp '^closed after [0-9]+ s, 0 bytes answered$'
	done
	grep -q 'closed a connection from 127.0.0.1: its request headers took more than 1 s' \
		"$T/fe.log"
	# Each serves on.
	for url in "http://127.0.0.1:$AGENT_PORT/healthcheck" "http://127.0.0.1:$FE_PORT/health" \
		"$DISC_URL/health"; do
		run curl -sf --max-time 10 -o /dev/null "$url"
		assert_success
	done
}

@test "a stalled request body is dropped (agent, frontend, registry)" {
	for port in "$AGENT_PORT" "$FE_PORT" "$DISC_PORT"; do
		run python3 "$SLOW" body "127.0.0.1:$port"
		assert_success
		assert_output --regexp '^closed after [0-9]+ s, 0 bytes answered$'
	done
	grep -q 'closed a connection from 127.0.0.1: its request body took more than 1 s' \
		"$T/fe.log"
}

# A download longer than both timeouts, the server writing all along (more than its socket
# buffers take): 900,000 bytes from the agent's unix socket (208 KiB of buffer) read 2 KiB per
# 20 ms, and 24 MiB through the frontend (TCP, 4 MiB of buffer) read 64 KiB per 20 ms.
@test "a healthy download slower than both timeouts is not cut (agent, frontend)" {
	LMCACHE_INTERNAL_API_SERVER_HEADER_TIMEOUT=1 LMCACHE_INTERNAL_API_SERVER_BODY_TIMEOUT=1 \
		LMCACHE_RUN_SCRIPT_API_ENABLED=true lmc_bg unix lmcache-demo-node --role scheduler \
		--socket-prefix "$T/api/sock" --tick-ms 0
	wait_for_socket "$T/api/sock_6999"
	printf "head -c 900000 /dev/zero | tr '\\\\0' a\n" >"$T/s.sh"
	run python3 "$SLOW" download "$T/api/sock_6999" /run_script 2048 "$T/s.sh"
	assert_success
	assert_output "HTTP/1.1 200 OK 900000 $(head -c 900000 /dev/zero | tr '\0' a | sha256sum | cut -d' ' -f1)"
	run python3 "$SLOW" download "127.0.0.1:$FE_PORT" /proxy2/big/big/24 65536
	assert_success
	assert_output "HTTP/1.1 200 OK $((24 << 20)) $(head -c $((24 << 20)) /dev/zero | tr '\0' x | sha256sum | cut -d' ' -f1)"
}

@test "the timeouts' values are checked" {
	run lmcache-frontend --header-timeout 0
	assert_failure
	assert_output --partial "--header-timeout: expected seconds from 1 to 3600, got '0'"
	run lmcache-discovery --body-timeout x
	assert_failure
	assert_output --partial "--body-timeout: expected seconds from 1 to 3600, got 'x'"
}
