#!/usr/bin/env bats
# lmcache-discovery on etcd (Debian's etcd-server, on free ports, data in $T).

load ../helpers/common
load ../helpers/discovery

setup() {
	lmc_setup
	start_etcd
	ETCD_NAME=etcd
}
teardown() { lmc_teardown; }

etcdctl_get() {
	ETCDCTL_API=3 etcdctl --endpoints "127.0.0.1:$ETCD_PORT" get --prefix "$1" --keys-only |
		grep -v '^$'
}

# lists_as URL "ADDR ADDR ": for wait_until (another registry's write reaches a listing
# through the watch, milliseconds later).
lists_as() {
	[ "$(listed "$1" | tr '\n' ' ')" = "$2" ]
}

# frozen_listing URL: the listing while etcd is stopped (SIGSTOP): only a mirror answers it
# (a range would wait out its 5 s timeout and fail).
frozen_listing() {
	local pid
	pid=$(cat "$T/$ETCD_NAME.pid")
	kill -STOP "$pid"
	curl -sS -m 3 "$1/lmcache_infos" | jq -r '.processInfos | keys[]' | sort | tr '\n' ' '
	kill -CONT "$pid"
}

# frozen_lists_as URL "ADDR ADDR ": until the listing with etcd stopped is that. A
# registry's mirror may still be loading (at its start, after etcd came back): then the
# listing ranges etcd, gives up after 3 s and etcd goes on. wait_until bounds it to 15 s of
# wall time, though a try may take 3 s.
frozen_is() { [ "$(frozen_listing "$1")" = "$2" ]; }
frozen_lists_as() { wait_until 5 frozen_is "$1" "$2"; }

@test "etcd: two registries share one view, and stopping either loses nothing" {
	start_discovery r1 --store "etcd://127.0.0.1:$ETCD_PORT" --ttl 60
	start_discovery r2 --store "etcd://127.0.0.1:$ETCD_PORT" --ttl 60
	heartbeat "http://127.0.0.1:$r1_PORT" "http://a:1" --data-urlencode pid=1
	heartbeat "http://127.0.0.1:$r2_PORT" "http://b:1" --data-urlencode pid=2
	run wait_until 10 lists_as "http://127.0.0.1:$r1_PORT" "http://a:1 http://b:1 "
	assert_success
	assert_equal "$(listed "http://127.0.0.1:$r2_PORT" | tr '\n' ' ')" "http://a:1 http://b:1 "
	run curl -sS "http://127.0.0.1:$r2_PORT/lmcache_infos"
	run jq -r '.processInfos["http://a:1"].lmCacheInfoEntities[0].pid' <<<"$output"
	assert_output 1
	stop_bg r1
	assert_equal "$(listed "http://127.0.0.1:$r2_PORT" | tr '\n' ' ')" "http://a:1 http://b:1 "
	start_discovery r3 --store "etcd://127.0.0.1:$ETCD_PORT" --ttl 60
	stop_bg r2
	run wait_until 10 lists_as "http://127.0.0.1:$r3_PORT" "http://a:1 http://b:1 "
	assert_success
	run etcdctl_get /lmcache/discovery/
	assert_line /lmcache/discovery/http://a:1
}

@test "etcd: listings come from a mirror that follows the other registry's writes and deletes" {
	start_discovery r1 --store "etcd://127.0.0.1:$ETCD_PORT" --ttl 60
	start_discovery r2 --store "etcd://127.0.0.1:$ETCD_PORT" --ttl 60
	r1="http://127.0.0.1:$r1_PORT" r2="http://127.0.0.1:$r2_PORT"
	heartbeat "$r1" "http://a:1"
	# A registry's own write lists at once.
	assert_equal "$(listed "$r1" | tr '\n' ' ')" "http://a:1 "
	heartbeat "$r2" "http://b:1"
	heartbeat "$r2" "http://c:1"
	run curl -sS -X DELETE "$r2/lmcache_heartbeat?api_address=http://a:1"
	assert_output '{"status":"success","removed":true}'
	run wait_until 10 lists_as "$r1" "http://b:1 http://c:1 "
	assert_success
	run frozen_lists_as "$r1" "http://b:1 http://c:1 "
	assert_success
}

@test "etcd: after an etcd restart the mirror is loaded again and follows the watch" {
	start_discovery r1 --store "etcd://127.0.0.1:$ETCD_PORT" --ttl 60
	start_discovery r2 --store "etcd://127.0.0.1:$ETCD_PORT" --ttl 60
	r1="http://127.0.0.1:$r1_PORT" r2="http://127.0.0.1:$r2_PORT"
	heartbeat "$r1" "http://a:1"
	stop_bg etcd
	etcd_bg etcd2
	ETCD_NAME=etcd2
	run wait_until 20 etcd_healthy
	assert_success
	up() { [ "$(heartbeat_status "$r2" "$1")" = 200 ]; }
	run wait_until 10 up "http://b:1"
	assert_success
	run wait_until 10 lists_as "$r1" "http://a:1 http://b:1 "
	assert_success
	run frozen_lists_as "$r1" "http://a:1 http://b:1 "
	assert_success
	# and the mirror follows the watch again: another registry's write reaches it
	run wait_until 10 up "http://c:1"
	assert_success
	run frozen_lists_as "$r1" "http://a:1 http://b:1 http://c:1 "
	assert_success
}

@test "etcd: entries expire through their leases; deregistration deletes the key" {
	start_discovery r1 --store "etcd://127.0.0.1:$ETCD_PORT/team-a" --ttl 2
	heartbeat "$DISC_URL" "http://gone:1"
	heartbeat "$DISC_URL" "http://dereg:1"
	run etcdctl_get /team-a/
	assert_line /team-a/http://gone:1
	run curl -sS -X DELETE "$DISC_URL/lmcache_heartbeat?api_address=http://dereg:1"
	assert_output '{"status":"success","removed":true}'
	no_keys() { ! etcdctl_get /team-a/ >/dev/null; }
	run wait_until 15 no_keys
	assert_success
	assert_equal "$(count "$DISC_URL")" 0
}

@test "etcd: a refresh keeps the start time and leaves one lease per entry" {
	start_discovery r1 --store "etcd://127.0.0.1:$ETCD_PORT" --ttl 60
	heartbeat "$DISC_URL" "http://a:1"
	start=$(curl -sS "$DISC_URL/lmcache_infos" | jq -r '.processInfos[].lmCacheInfoEntities[0].startTime')
	for _ in 1 2 3; do heartbeat "$DISC_URL" "http://a:1" --data-urlencode pid=9 >/dev/null; done
	run curl -sS "$DISC_URL/lmcache_infos"
	run jq -r '.processCount, (.processInfos["http://a:1"].lmCacheInfoEntities[0] | .pid, .startTime)' <<<"$output"
	assert_output "$(printf '1\n9\n%s' "$start")"
	run bash -c "ETCDCTL_API=3 etcdctl --endpoints 127.0.0.1:$ETCD_PORT lease list | grep -c -E '^[0-9a-f]+\$'"
	assert_output 1
}

@test "etcd: the bound on entries holds across registries" {
	start_discovery r1 --store "etcd://127.0.0.1:$ETCD_PORT" --max-entries 1
	start_discovery r2 --store "etcd://127.0.0.1:$ETCD_PORT" --max-entries 1
	heartbeat "http://127.0.0.1:$r1_PORT" "http://a:1"
	run heartbeat_status "http://127.0.0.1:$r2_PORT" "http://b:1"
	assert_output 507
	run heartbeat_status "http://127.0.0.1:$r2_PORT" "http://a:1"
	assert_output 200
}

@test "etcd: unreachable etcd answers 503 with the reason, and service resumes when it is back" {
	start_discovery r1 --store "etcd://127.0.0.1:$ETCD_PORT" --ttl 60
	heartbeat "$DISC_URL" "http://a:1"
	stop_bg etcd
	run curl -s -w ' %{http_code}' "$DISC_URL/lmcache_heartbeat?api_address=http://b:1"
	assert_output --partial 'unreachable'
	assert_output --partial ' 503'
	run curl -s -w ' %{http_code}' "$DISC_URL/lmcache_infos"
	assert_output --partial ' 503'
	run curl -s -w ' %{http_code}' "$DISC_URL/health"
	assert_output --partial '"unhealthy"'
	assert_output --partial ' 503'
	run curl -sS "$DISC_URL/metrics"
	assert_line 'lmcache_discovery_store_up 0'
	# etcd comes back on the same port with the same data.
	etcd_bg etcd2
	run wait_until 20 etcd_healthy
	assert_success
	healthy() { curl -sf "$DISC_URL/health" >/dev/null; }
	run wait_until 10 healthy
	assert_success
	run heartbeat_status "$DISC_URL" "http://b:1"
	assert_output 200
	assert_equal "$(listed "$DISC_URL" | tr '\n' ' ')" "http://a:1 http://b:1 "
}
