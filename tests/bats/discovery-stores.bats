#!/usr/bin/env bats
# lmcache-discovery's file store: state kept across a restart, written atomically.

load ../helpers/common
load ../helpers/discovery

setup() { lmc_setup; }
teardown() { lmc_teardown; }

@test "file store: a restart keeps the entries, their pids and start times" {
	start_discovery disc --store "file:$T/state.json" --ttl 600
	heartbeat "$DISC_URL" "http://a:1" --data-urlencode pid=11
	heartbeat "$DISC_URL" "http://b:1" --data-urlencode pid=22 --data-urlencode 'other_info={"nodes_count": 4}'
	curl -sS "$DISC_URL/lmcache_infos" | jq -S '.processInfos' >"$T/before.json"
	stop_bg disc
	run jq -r '.entries | length' "$T/state.json"
	assert_output 2
	run stat -c %a "$T/state.json"
	assert_output 600
	start_discovery disc2 --store "file:$T/state.json" --ttl 600
	curl -sS "$DISC_URL/lmcache_infos" | jq -S '.processInfos' >"$T/after.json"
	run diff "$T/before.json" "$T/after.json"
	assert_success
	run ls "$T"
	refute_output --partial '.tmp'
}

@test "file store: the state file follows changes while running (debounced)" {
	start_discovery disc --store "file:$T/state.json" --ttl 600
	heartbeat "$DISC_URL" "http://a:1"
	has() { [ -f "$T/state.json" ] && [ "$(jq -r '[.entries[].apiAddress] | sort | join(" ")' "$T/state.json")" = "$1" ]; }
	run wait_until 10 has "http://a:1"
	assert_success
	heartbeat "$DISC_URL" "http://b:1"
	curl -sS -X DELETE "$DISC_URL/lmcache_heartbeat?api_address=http://a:1" >/dev/null
	run wait_until 10 has "http://b:1"
	assert_success
}

@test "file store: restored entries still expire; a crash-restart loses nothing saved" {
	start_discovery disc --store "file:$T/state.json" --ttl 2
	heartbeat "$DISC_URL" "http://a:1"
	has_a() { [ -f "$T/state.json" ] && json_true '.entries | length == 1' <"$T/state.json" >/dev/null; }
	run wait_until 10 has_a
	assert_success
	kill -KILL "$(cat "$T/disc.pid")"
	start_discovery disc2 --store "file:$T/state.json" --ttl 2
	run wait_until 10 count_is "$DISC_URL" 0
	assert_success
}

@test "file store: a corrupt state file is set aside and the registry starts empty, saying so" {
	echo 'not json' >"$T/state.json"
	start_discovery disc --store "file:$T/state.json" --ttl 600
	run count "$DISC_URL"
	assert_output 0
	run cat "$T"/state.json.corrupt-*
	assert_output 'not json'
	run cat "$T/disc.log"
	assert_output --regexp "$T/state.json is not a state file .*moved to $T/state.json.corrupt-[0-9]+, starting empty"
	heartbeat "$DISC_URL" "http://a:1"
	has_a() { [ -f "$T/state.json" ] && json_true '.entries | length == 1' <"$T/state.json" >/dev/null; }
	run wait_until 10 has_a
	assert_success
}

@test "file store: a state path that is not a file is a clear startup error" {
	mkdir "$T/state.json"
	run timeout 20 lmcache-discovery --port "$(free_port)" --store "file:$T/state.json"
	assert_failure 1
	assert_output --partial "$T/state.json is not a regular file"
}
