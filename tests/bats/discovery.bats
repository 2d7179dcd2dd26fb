#!/usr/bin/env bats
# lmcache-discovery with the memory store: LMCache's protocol, expiry, deregistration,
# bad input, the entry bound, /health and /metrics.

load ../helpers/common
load ../helpers/discovery

setup() { lmc_setup; }
teardown() { lmc_teardown; }

@test "a heartbeat is listed with LMCache's field names and types" {
	start_discovery disc
	run heartbeat "$DISC_URL" "http://10.0.0.7:8000" --data-urlencode pid=4242 \
		--data-urlencode version=0.3.9 \
		--data-urlencode 'other_info={"startup_time": "2026-01-01T00:00:00", "nodes_count": 3}'
	assert_success
	assert_output '{"status":"success"}'
	curl -sS "$DISC_URL/lmcache_infos" >"$T/infos.json"
	run json_true '.processCount == 1 and .versionCount == 1 and .versions == null' <"$T/infos.json"
	assert_success
	run json_true '.processInfos["http://10.0.0.7:8000"] | .count == 1 and (.lmCacheInfoEntities | length) == 1' <"$T/infos.json"
	assert_success
	run jq -r '.processInfos["http://10.0.0.7:8000"].lmCacheInfoEntities[0] | keys | join(",")' "$T/infos.json"
	assert_output "apiAddress,ipAddress,lastReportTime,otherInfo,pid,startTime,version"
	run json_true '.processInfos["http://10.0.0.7:8000"].lmCacheInfoEntities[0] |
		.apiAddress == "http://10.0.0.7:8000" and .pid == 4242 and .version == "0.3.9" and
		.ipAddress == "127.0.0.1" and (.otherInfo | type) == "string" and
		(.otherInfo | fromjson | .nodes_count) == 3 and
		(.lastReportTime | test("^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"))' <"$T/infos.json"
	assert_success
}

@test "LMCache's /heartbeat alias and defaults; a refresh keeps one entry and its start time" {
	start_discovery disc
	run curl -sS "$DISC_URL/heartbeat?api_address=http://h1:8000"
	assert_output '{"status":"success"}'
	start=$(curl -sS "$DISC_URL/lmcache_infos" | jq -r '.processInfos[].lmCacheInfoEntities[0].startTime')
	heartbeat "$DISC_URL" "http://h1:8000" --data-urlencode pid=2
	curl -sS "$DISC_URL/lmcache_infos" >"$T/infos.json"
	run jq -r '.processCount, (.processInfos["http://h1:8000"].lmCacheInfoEntities[0] | .version, .otherInfo, .pid, .startTime)' "$T/infos.json"
	assert_output "$(printf '1\n1.0.0\n{}\n2\n%s' "$start")"
}

@test "?minute= and ?hour= filter by last report; bad values are refused" {
	start_discovery disc
	heartbeat "$DISC_URL" "http://h1:8000"
	heartbeat "$DISC_URL" "http://h2:8000"
	assert_equal "$(count "$DISC_URL" minute=5)" 2
	assert_equal "$(count "$DISC_URL" hour=1)" 2
	run curl -s -w ' %{http_code}' "$DISC_URL/lmcache_infos?minute=abc"
	assert_output --partial 'minute must be a non-negative integer'
	assert_output --partial ' 400'
	run curl -s -o /dev/null -w '%{http_code}' "$DISC_URL/lmcache_infos?hour=-1"
	assert_output 400
}

@test "?minute= leaves out entries not heard from within the window" {
	# The window is in whole minutes, so an old entry comes from a state file.
	old=$(( $(date +%s) - 600 ))
	printf '{"entries":[{"apiAddress":"http://old:1","lastSeen":%d,"startTime":%d}]}\n' \
		"$old" "$old" >"$T/state.json"
	start_discovery disc --store "file:$T/state.json" --ttl 3600
	heartbeat "$DISC_URL" "http://new:1"
	assert_equal "$(count "$DISC_URL")" 2
	assert_equal "$(count "$DISC_URL" minute=5)" 1
	run curl -sS "$DISC_URL/lmcache_infos?minute=5"
	assert_output --partial '"http://new:1"'
	refute_output --partial '"http://old:1"'
	assert_equal "$(count "$DISC_URL" minute=11)" 2
	assert_equal "$(count "$DISC_URL" hour=1)" 2
}

@test "entries expire after the TTL, heartbeating ones stay" {
	start_discovery disc --ttl 2
	heartbeat "$DISC_URL" "http://gone:1"
	heartbeat "$DISC_URL" "http://alive:1"
	assert_equal "$(count "$DISC_URL")" 2
	keep() { heartbeat "$DISC_URL" "http://alive:1" >/dev/null; count_is "$DISC_URL" 1; }
	run wait_until 10 keep
	assert_success
	assert_equal "$(listed "$DISC_URL")" "http://alive:1"
	run curl -sS "$DISC_URL/metrics"
	assert_line 'lmcache_discovery_entries 1'
	swept() { heartbeat "$DISC_URL" "http://alive:1" >/dev/null; curl -sS "$DISC_URL/metrics" | grep -qx 'lmcache_discovery_expired_total 1'; }
	run wait_until 10 swept
	assert_success
}

@test "deregistration: DELETE and GET /lmcache_deregister" {
	start_discovery disc
	for h in a b c; do heartbeat "$DISC_URL" "http://$h:1" >/dev/null; done
	run curl -sS -X DELETE -G "$DISC_URL/lmcache_heartbeat" --data-urlencode api_address=http://a:1
	assert_output '{"status":"success","removed":true}'
	run curl -sS -G "$DISC_URL/lmcache_deregister" --data-urlencode api_address=http://b:1
	assert_output '{"status":"success","removed":true}'
	assert_equal "$(listed "$DISC_URL")" "http://c:1"
	run curl -s -w ' %{http_code}' -X DELETE "$DISC_URL/lmcache_heartbeat?api_address=http://a:1"
	assert_output --partial ' 404'
	run curl -s -w ' %{http_code}' -X DELETE "$DISC_URL/lmcache_heartbeat"
	assert_output --partial 'missing api_address'
	assert_output --partial ' 400'
}

@test "bad heartbeats are refused with a reason and good entries survive" {
	start_discovery disc
	heartbeat "$DISC_URL" "http://good:1" --data-urlencode pid=1
	run curl -s -w ' %{http_code}' "$DISC_URL/lmcache_heartbeat?pid=3"
	assert_output '{"status":"error","detail":"missing api_address"} 400'
	run heartbeat_status "$DISC_URL" "ftp://x:1"
	assert_output 400
	run heartbeat_status "$DISC_URL" "10.0.0.1:8000"
	assert_output 400
	run heartbeat_status "$DISC_URL" "http://good:1" --data-urlencode pid=notanumber
	assert_output 400
	run heartbeat "$DISC_URL" "http://good:1" --data-urlencode 'other_info={broken'
	assert_output --partial 'other_info is not JSON'
	run heartbeat_status "$DISC_URL" "http://good:1" --data-urlencode "other_info={\"k\":\"$(head -c 5000 /dev/zero | tr '\0' x)\"}"
	assert_output 400
	run heartbeat_status "$DISC_URL" "http://$(head -c 600 /dev/zero | tr '\0' h):1"
	assert_output 400
	# A request line larger than the connection's memory is refused by the server itself.
	run curl -s -o /dev/null -w '%{http_code}' "$DISC_URL/lmcache_heartbeat?api_address=http://x:1&pad=$(head -c 100000 /dev/zero | tr '\0' p)"
	refute_output 200
	run curl -s -o /dev/null -w '%{http_code}' -X PUT "$DISC_URL/lmcache_infos"
	assert_output 405
	# HEAD is for read-only endpoints: it must not register anything.
	run curl -sI "$DISC_URL/lmcache_heartbeat?api_address=http://head:1"
	assert_line --partial '405'
	assert_line --regexp '^Allow: GET, DELETE'
	run curl -s -o /dev/null -w '%{http_code}' "$DISC_URL/nope"
	assert_output 404
	curl -sS "$DISC_URL/lmcache_infos" >"$T/infos.json"
	run jq -r '.processCount, .processInfos["http://good:1"].lmCacheInfoEntities[0].pid' "$T/infos.json"
	assert_output "$(printf '1\n1')"
	run curl -sS "$DISC_URL/metrics"
	assert_output --regexp 'lmcache_discovery_rejected_total\{reason="bad_request"\} [6-9]'
}

@test "the largest valid heartbeat, every field at its limit and percent-encoded, is accepted" {
	start_discovery disc
	local addr info
	addr="http://$(head -c 503 /dev/zero | tr '\0' h):1" # ENTRY_ADDRESS_MAX, 512 bytes
	info="{\"k\":\"$(head -c 4088 /dev/zero | tr '\0' '%')\"}" # ENTRY_OTHER_INFO_MAX, 4096
	run heartbeat_status "$DISC_URL" "$addr" --data-urlencode "other_info=$info" \
		--data-urlencode "version=$(head -c 128 /dev/zero | tr '\0' '%')" \
		--data-urlencode pid=1 -H "X-Pad: $(head -c 4000 /dev/zero | tr '\0' p)"
	assert_output 200
	listed "$DISC_URL" >"$T/listed"
	grep -qx "$addr" "$T/listed"
}

@test "a full registry refuses new entries with 507 and keeps serving the others" {
	start_discovery disc --max-entries 2
	heartbeat "$DISC_URL" "http://a:1"
	heartbeat "$DISC_URL" "http://b:1"
	run curl -s -w ' %{http_code}' "$DISC_URL/lmcache_heartbeat?api_address=http://c:1"
	assert_output --partial 'registry full'
	assert_output --partial ' 507'
	run heartbeat_status "$DISC_URL" "http://a:1"
	assert_output 200
	assert_equal "$(listed "$DISC_URL" | tr '\n' ' ')" "http://a:1 http://b:1 "
	curl -sS -X DELETE "$DISC_URL/lmcache_heartbeat?api_address=http://b:1" >/dev/null
	run heartbeat_status "$DISC_URL" "http://c:1"
	assert_output 200
	run curl -sS "$DISC_URL/metrics"
	assert_output --partial 'lmcache_discovery_rejected_total{reason="full"} 1'
}

@test "/health and /metrics describe the registry; promtool accepts the metrics" {
	start_discovery disc --ttl 45 --max-entries 10
	heartbeat "$DISC_URL" "http://a:1"
	run curl -sS "$DISC_URL/health"
	assert_success
	run json_true '.status == "healthy" and .service == "lmcache-discovery" and .store == "memory" and .entries == 1 and .ttl == 45' <<<"$output"
	assert_success
	curl -sS "$DISC_URL/metrics" >"$T/metrics.txt"
	run grep -E '^lmcache_discovery_(entries|heartbeats_total|registrations_total|ttl_seconds|max_entries) ' "$T/metrics.txt"
	assert_line 'lmcache_discovery_entries 1'
	assert_line 'lmcache_discovery_heartbeats_total 1'
	assert_line 'lmcache_discovery_ttl_seconds 45'
	assert_line 'lmcache_discovery_max_entries 10'
	promtool_check "$T/metrics.txt"
}

@test "command line: --help, --version, usage errors, SIGINT stops it cleanly" {
	run lmcache-discovery --help
	assert_success
	assert_output --partial '--store STORE'
	run lmcache-discovery --version
	assert_success
	assert_output --regexp '^lmcache-discovery [0-9]'
	run lmcache-discovery --ttl 0
	assert_failure 2
	assert_output --partial -- '--ttl'
	run lmcache-discovery --store redis://x
	assert_failure 2
	assert_output --partial 'unknown store'
	start_discovery disc
	pid=$(cat "$T/disc.pid")
	kill -INT "$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 0
	run grep -c 'stopping' "$T/disc.log"
	assert_output 1
}
