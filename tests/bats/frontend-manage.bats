#!/usr/bin/env bats
# Node management (POST/PUT/DELETE with 400/404/409) and the heartbeat into a real
# lmcache-discovery (--heartbeat-url, /api/heartbeat/status|start|stop, --no-http).

load ../helpers/common
load ../helpers/frontend

setup() {
	lmc_setup
	fe_instance i1 1
}
teardown() { lmc_teardown_checked; }

# post METHOD URL JSON: the status of a JSON request.
send() {
	fe_status "$2" -X "$1" -H 'Content-Type: application/json' --data-binary "$3"
}

registry_start() {
	RPORT=$(free_port)
	REG="http://127.0.0.1:$RPORT"
	lmc_bg registry lmcache-discovery --port "$RPORT"
	wait_for_http "$REG/health"
}

# listed ADDR true|false: the registry answers, and ADDR is (or is not) in its listing (so
# "not listed" is not taken from a registry that said nothing).
listed() {
	curl -s "$REG/lmcache_infos" | json_true '(.processInfos | has($a)) == $want' --arg a "$1" \
		--argjson want "$2"
}

@test "POST /api/proxies: 200, then 409 for the same name, 400 for invalid or malformed" {
	fe_start FE --nodes '[]'
	assert_equal "$(send POST "$FE/api/proxies" '{"name":"p2","host":"10.0.0.2","port":8000}')" 200
	run curl -sf "$FE/api/proxies"
	assert_equal "$(jq -r '[.proxies[].name] | join(",")' <<<"$output")" "local_proxy,p2"
	assert_equal "$(send POST "$FE/api/proxies" '{"name":"p2","host":"h","port":1}')" 409
	assert_equal "$(send POST "$FE/api/proxies" '{"name":"p3","host":"h"}')" 400
	assert_equal "$(send POST "$FE/api/proxies" '{"name":"p3","host":"h","port":99999}')" 400
	run curl -s -X POST --data-binary '{"name":' "$FE/api/proxies"
	assert_equal "$(jq -r .detail <<<"$output")" "Invalid JSON body"
	assert_equal "$(send POST "$FE/api/proxies" '{"name":"p3","host":"h"')" 400
}

@test "POST /api/proxies/{p}/nodes adds a reachable node; 404 unknown proxy, 409 duplicate, 400 invalid" {
	fe_start FE --nodes '[]'
	node=$(jq -cn --arg s "$(fe_sock i1_worker0)" '{name: "w0", host: "localhost", port: $s}')
	assert_equal "$(fe_status "$FE/proxy2/w0/version")" 404
	assert_equal "$(send POST "$FE/api/proxies/local_proxy/nodes" "$node")" 200
	run curl -sf "$FE/proxy2/w0/version"
	assert_output '"0.1.0-demo"'
	assert_equal "$(send POST "$FE/api/proxies/local_proxy/nodes" "$node")" 409
	assert_equal "$(send POST "$FE/api/proxies/nope/nodes" "$node")" 404
	assert_equal "$(send POST "$FE/api/proxies/local_proxy/nodes" '{"name":"x","port":1}')" 400
	assert_equal "$(send POST "$FE/api/proxies/local_proxy/nodes" '[1,2]')" 400
}

@test "PUT /api/nodes/{name} re-points a node; DELETE removes it; 404 for unknown names" {
	fe_start FE --nodes "$(fe_nodes_json i1_worker0)"
	moved=$(jq -cn --arg s "$(fe_sock i1_scheduler)" '{name: "i1_worker0", host: "localhost", port: $s}')
	assert_equal "$(send PUT "$FE/api/nodes/i1_worker0" "$moved")" 200
	run curl -sf "$FE/proxy2/i1_worker0/meta"
	assert_equal "$(jq -r .worker_id <<<"$output")" -1
	assert_equal "$(send PUT "$FE/api/nodes/ghost" "$moved")" 404
	assert_equal "$(send PUT "$FE/api/nodes/i1_worker0" '{"name":"x"}')" 400
	# a proxy keeps its leaves when updated without "nodes"
	assert_equal "$(send PUT "$FE/api/nodes/local_proxy" '{"name":"local_proxy","host":"127.0.0.1","port":1}')" 200
	run curl -sf "$FE/api/proxies/local_proxy/nodes"
	assert_equal "$(jq '.nodes | length' <<<"$output")" 1
	assert_equal "$(fe_status "$FE/api/nodes/i1_worker0" -X DELETE)" 200
	assert_equal "$(fe_status "$FE/proxy2/i1_worker0/version")" 404
	assert_equal "$(fe_status "$FE/api/nodes/i1_worker0" -X DELETE)" 404
	enc=$(jq -rn --arg s "$(fe_sock i1_scheduler)" '$s | @uri')
	assert_equal "$(fe_status "$FE/proxy/localhost/$enc/version")" 403
}

@test "--heartbeat-url registers the frontend with lmcache-discovery, with nodes_count" {
	registry_start
	fe_start FE --nodes "$(fe_nodes_json i1_scheduler i1_worker0)" \
		--heartbeat-url "$REG/lmcache_heartbeat" --heartbeat-interval 1
	wait_until 15 listed "$FE" true
	run curl -sf "$REG/lmcache_infos"
	info=$(jq -r --arg a "$FE" '.processInfos[$a].lmCacheInfoEntities[0].otherInfo' <<<"$output")
	assert_equal "$(jq .nodes_count <<<"$info")" 2
	run curl -sf "$FE/api/heartbeat/status"
	assert_equal "$(jq -r '[.running, .heartbeat_url, .api_address] | join(" ")' <<<"$output")" \
		"true $REG/lmcache_heartbeat $FE"
}

@test "/api/heartbeat/stop deregisters, /api/heartbeat/start registers again; 400 without a URL" {
	registry_start
	fe_start FE --nodes '[]'
	run curl -sf "$FE/api/heartbeat/status"
	assert_equal "$(jq .running <<<"$output")" false
	assert_equal "$(send POST "$FE/api/heartbeat/start" '{"interval": 1}')" 400
	assert_equal "$(send POST "$FE/api/heartbeat/start" '{"heartbeat_url": "ftp://x"}')" 400
	assert_equal "$(send POST "$FE/api/heartbeat/start" \
		"{\"heartbeat_url\": \"$REG/lmcache_heartbeat\", \"interval\": 1, \"initial_delay\": 0}")" 200
	wait_until 15 listed "$FE" true
	assert_equal "$(fe_status "$FE/api/heartbeat/stop" -X POST)" 200
	run curl -sf "$FE/api/heartbeat/status"
	assert_equal "$(jq .running <<<"$output")" false
	wait_until 15 listed "$FE" false
}

@test "--no-http: heartbeat only, nothing listens" {
	registry_start
	port=$(free_port)
	lmc_bg fe lmcache-frontend --no-http --port "$port" --nodes '[]' \
		--heartbeat-url "$REG/lmcache_heartbeat" --heartbeat-interval 1
	wait_until 15 listed "http://127.0.0.1:$port" true
	run curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/health"
	assert_failure
}
