#!/usr/bin/env bats
# The heartbeat client (src/common/heartbeat.c), driven by tests/progs/heartbeat-client
# against a real lmcache-discovery.

load ../helpers/common
load ../helpers/discovery

setup() {
	lmc_setup
	CLIENT="$LMC_BUILDDIR/tests/progs/heartbeat-client"
}
teardown() { lmc_teardown; }

# status_is JQ_EXPR: the client's status file satisfies the expression.
status_is() {
	[ -s "$T/status.json" ] && jq -e "$1" "$T/status.json" >/dev/null
}

listed_is() {
	[ "$(listed "$DISC_URL" | tr '\n' ' ')" = "$1" ]
}

@test "heartbeat: LMCache's parameters, other_info with startup_time and nodes_count" {
	start_discovery disc --ttl 600
	lmc_bg client "$CLIENT" --url "$DISC_URL/lmcache_heartbeat" --api-address http://10.9.8.7:8123 \
		--version 0.3.9 --nodes-count 3 --status-file "$T/status.json"
	run wait_until 10 listed_is "http://10.9.8.7:8123 "
	assert_success
	curl -sS "$DISC_URL/lmcache_infos" >"$T/infos.json"
	run jq -r --arg pid "$(cat "$T/client.pid")" '.processInfos["http://10.9.8.7:8123"].lmCacheInfoEntities[0] |
		(.pid == ($pid | tonumber)), .version, (.otherInfo | fromjson | .nodes_count, .driver,
		(.startup_time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}$")))' "$T/infos.json"
	assert_output "$(printf 'true\n0.3.9\n3\nheartbeat-client\ntrue')"
	run wait_until 10 status_is '.running and .succeeded >= 1 and .last_success != null and .failed == 0 and .api_address == "http://10.9.8.7:8123"'
	assert_success
}

@test "heartbeat: the api_address is the local address toward the registry" {
	start_discovery disc --ttl 600
	lmc_bg client "$CLIENT" --url "$DISC_URL/lmcache_heartbeat" --port 8123 --status-file "$T/status.json"
	run wait_until 10 listed_is "http://127.0.0.1:8123 "
	assert_success
	run wait_until 10 status_is '.local_ip == "127.0.0.1"'
	assert_success
}

@test "heartbeat: repeats every interval" {
	start_discovery disc --ttl 600
	lmc_bg client "$CLIENT" --url "$DISC_URL/lmcache_heartbeat" --interval 1 --status-file "$T/status.json"
	run wait_until 20 status_is '.succeeded >= 3'
	assert_success
	run curl -sS "$DISC_URL/metrics"
	assert_output --regexp 'lmcache_discovery_heartbeats_total ([3-9]|[1-9][0-9])'
	assert_line 'lmcache_discovery_registrations_total 1'
}

@test "heartbeat: a registry that starts late is reached after backoff retries" {
	port=$(free_port)
	lmc_bg client "$CLIENT" --url "http://127.0.0.1:$port/lmcache_heartbeat" --interval 30 \
		--api-address http://late:1 --status-file "$T/status.json"
	run wait_until 15 status_is '.failed >= 2 and .consecutive_failures >= 2 and .last_error != null and .succeeded == 0'
	assert_success
	# Between attempts the client sleeps until the next one is due.
	run json_true '.next_attempt_in != null' <"$T/status.json"
	assert_success
	lmc_bg disc lmcache-discovery --port "$port" --ttl 600
	DISC_URL="http://127.0.0.1:$port"
	run wait_until 30 listed_is "http://late:1 "
	assert_success
	run wait_until 10 status_is '.succeeded >= 1 and .consecutive_failures == 0'
	assert_success
}

@test "heartbeat: a registry error (400) is reported in the status" {
	start_discovery disc --ttl 600
	lmc_bg client "$CLIENT" --url "$DISC_URL/lmcache_heartbeat" --api-address not-a-url \
		--status-file "$T/status.json"
	run wait_until 10 status_is '.failed >= 1 and (.last_error | test("HTTP 400.*http"))'
	assert_success
	assert_equal "$(count "$DISC_URL")" 0
}

@test "heartbeat: a clean stop deregisters promptly; SIGQUIT (no deregistration) leaves it" {
	start_discovery disc --ttl 600
	lmc_bg client "$CLIENT" --url "$DISC_URL/lmcache_heartbeat" --api-address http://a:1 \
		--interval 30 --status-file "$T/status.json"
	lmc_bg client2 "$CLIENT" --url "$DISC_URL/lmcache_heartbeat" --api-address http://b:1 \
		--interval 30 --status-file "$T/status2.json"
	run wait_until 10 listed_is "http://a:1 http://b:1 "
	assert_success
	# Both sleep out their 30 s interval now; a stop must not wait for it.
	stop_bg client
	assert_equal "$(listed "$DISC_URL" | tr '\n' ' ')" "http://b:1 "
	run json_true '.running == false' <"$T/status.json"
	assert_success
	kill -QUIT "$(cat "$T/client2.pid")"
	wait_until 10 eval "! kill -0 $(cat "$T/client2.pid") 2>/dev/null"
	assert_equal "$(listed "$DISC_URL" | tr '\n' ' ')" "http://b:1 "
	run curl -sS "$DISC_URL/metrics"
	assert_line 'lmcache_discovery_deregistrations_total 1'
}

@test "heartbeat: stop and start again at run time" {
	start_discovery disc --ttl 600
	lmc_bg client "$CLIENT" --url "$DISC_URL/lmcache_heartbeat" --api-address http://a:1 \
		--interval 30 --status-file "$T/status.json"
	run wait_until 10 status_is '.succeeded == 1'
	assert_success
	kill -USR1 "$(cat "$T/client.pid")"
	run wait_until 10 status_is '.running and .succeeded == 2'
	assert_success
	assert_equal "$(listed "$DISC_URL" | tr '\n' ' ')" "http://a:1 "
}

@test "heartbeat: a stop does not wait for a registry that never answers" {
	port=$(free_port)
	# Accepts connections (the kernel does) but never answers them.
	lmc_bg mute python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16); time.sleep(600)' "$port"
	wait_until 10 eval "ss -Htln 'sport = :$port' | grep -q ."
	lmc_bg client "$CLIENT" --url "http://127.0.0.1:$port/lmcache_heartbeat" --interval 30 \
		--api-address http://a:1 --status-file "$T/status.json"
	in_flight() { ss -Htn state established "dport = :$port" | grep -q .; }
	run wait_until 10 in_flight
	assert_success
	run json_true '.sent == 0' <"$T/status.json"
	assert_success
	# The request timeout is 10 s; the stop aborts the request instead of waiting it out
	# (the deregistration then gives up after its own 2 s).
	pid=$(cat "$T/client.pid")
	kill -TERM "$pid"
	run wait_until 6 eval "! kill -0 $pid 2>/dev/null"
	assert_success
	run jq -r '.last_error' "$T/status.json"
	assert_output --partial 'abort'
}
