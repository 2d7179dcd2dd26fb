#!/usr/bin/env bats
# lmcache-discovery when its store misbehaves (issue: reliability): a hung etcd.

load ../helpers/common
load ../helpers/discovery

setup() { lmc_setup; }
teardown() {
	[ -f "$T/etcd.pid" ] && kill -CONT "$(cat "$T/etcd.pid")" 2>/dev/null
	lmc_teardown
}

@test "etcd hung (SIGSTOP): requests do not queue behind one slow call; /health answers at once" {
	start_etcd
	start_discovery r1 --store "etcd://127.0.0.1:$ETCD_PORT" --ttl 60
	heartbeat "$DISC_URL" "http://a:1" >/dev/null
	kill -STOP "$(cat "$T/etcd.pid")"
	# Six heartbeats at once: each store call waits out etcd's 5 s timeout side by side,
	# where one lock made the last one wait six times as long.
	pids=()
	for n in 1 2 3 4 5 6; do
		curl -s -o /dev/null -w '%{http_code}' --max-time 20 -G "$DISC_URL/lmcache_heartbeat" \
			--data-urlencode "api_address=http://b:$n" >"$T/hb$n.status" 3>&- &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || true; done
	run cat "$T"/hb?.status
	assert_output "503503503503503503"
	# etcd is known to be failing: /health says so without another 5 s wait.
	run curl -s -w ' %{http_code}' --max-time 3 "$DISC_URL/health"
	assert_output --regexp '"status":"unhealthy".*unreachable.* 503$'
	kill -CONT "$(cat "$T/etcd.pid")"
	healthy() { curl -sf --max-time 10 "$DISC_URL/health" >/dev/null; }
	run wait_until 20 healthy
	assert_success
	assert_equal "$(heartbeat_status "$DISC_URL" "http://c:1")" 200
}
