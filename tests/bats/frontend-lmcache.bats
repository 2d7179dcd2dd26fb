#!/usr/bin/env bats
# lmcache-frontend as LMCache's frontend (docs/protocol.md 5): in node-supplier mode its
# proxies are named and shaped as LMCache's (tests/fixtures/lmcache/frontend-central), and
# it accepts LMCache's two-hop paths while keeping its one-hop convenience.

load ../helpers/common
load ../helpers/frontend
load ../helpers/fixtures

setup() {
	lmc_setup
	fe_instance i1 1
	NODES=$(fe_nodes_json i1_scheduler i1_worker0)
}
teardown() { lmc_teardown_checked; }

@test "supplier mode: /api/nodes names and shapes proxies and leaves as LMCache's" {
	fe_central
	run curl -sf "$CENTRAL/api/nodes"
	assert_success
	echo "$output" >"$T/ours.json"
	# the same members at each level as LMCache's central frontend
	fixture_get frontend-central/api-nodes .response.body >"$T/lmcache.json"
	for f in ours lmcache; do
		jq -c '[(.nodes[0] | keys), (.nodes[0].children[0] | keys)]' "$T/$f.json" >"$T/$f.keys"
	done
	assert_equal "$(cat "$T/ours.keys")" "$(cat "$T/lmcache.keys")"
	# LMCache's names: the proxy after its address, its port a string, ids from names
	json_true '.nodes[0] |
		.name == $p and .id == "proxy_" + $p and .host == "127.0.0.1" and .port == $port
		and .is_proxy == true' --arg p "$PROXY" --arg port "${FE1##*:}" <"$T/ours.json"
	json_true '[.nodes[0].children[] | .id == "node_" + .name and
		.proxy_id == $p and .is_proxy == false] | all' --arg p "$PROXY" <"$T/ours.json"
	json_true '.nodes[0].children | map(.name) | sort == ["i1_scheduler", "i1_worker0"]' <"$T/ours.json"
}

@test "supplier mode: LMCache's two-hop path reaches a leaf, and so does our one hop" {
	fe_central
	run curl -sf "$CENTRAL/proxy2/$PROXY/proxy2/i1_worker0/version"
	assert_output '"0.1.0-demo"'
	run curl -sf "$CENTRAL/proxy2/$PROXY/proxy2/i1_scheduler/conf?names=chunk_size"
	assert_equal "$(jq -c . <<<"$output")" '{"chunk_size":256}'
	run curl -sf "$CENTRAL/proxy2/i1_worker0/version"
	assert_output '"0.1.0-demo"'
	run curl -s -w ' %{http_code}' "$CENTRAL/proxy2/$PROXY/proxy2/no_such_node/version"
	assert_output "{\"detail\":\"Node with name 'no_such_node' not found\"} 404"
}

@test "a leaf frontend serves /proxy2/local_proxy/proxy2/<leaf> itself (LMCache's heartbeat path)" {
	fe_start FE --nodes "$NODES"
	run curl -sf "$FE/proxy2/local_proxy/proxy2/i1_scheduler/version"
	assert_output '"0.1.0-demo"'
	run curl -sf -X POST "$FE/proxy2/local_proxy/proxy2/i1_worker0/conf" -d '{"min_retrieve_tokens": 3}'
	assert_equal "$(jq -c .updated <<<"$output")" '{"min_retrieve_tokens":3}'
}

# registry_version URL: the version the registry at URL lists for its one frontend.
registry_version() {
	curl -sf "$1/lmcache_infos" | jq -r '[.processInfos[].lmCacheInfoEntities[].version] | .[0] // empty'
}

@test "heartbeat: the version reported is the nodes' LMCache version, as LMCache's frontend does" {
	local rport
	rport=$(free_port)
	lmc_bg registry lmcache-discovery --port "$rport"
	wait_for_http "http://127.0.0.1:$rport/health"
	# an LMCache node (its recorded answers) as the scheduler, a demo worker
	fixture_serve_unix lmc "$T/lmc.sock" node
	fe_start FE --nodes "$(jq -nc --arg s "$T/lmc.sock" --arg w "$(fe_sock i1_worker0)" \
		'[{name: "lmc_worker0", host: "localhost", port: $w},
		  {name: "lmc_scheduler", host: "localhost", port: $s}]')" \
		--heartbeat-url "http://127.0.0.1:$rport/lmcache_heartbeat" --heartbeat-interval 1
	wait_until 15 eval "[ -n \"\$(registry_version http://127.0.0.1:$rport)\" ]"
	assert_equal "$(registry_version "http://127.0.0.1:$rport")" 0.3.9-6ae0e8b
	# LMCache's frontend sends its node's /version the same way (recorded)
	assert_equal "$(fixture_get sent/heartbeat .sent.query.version)" \
		"$(fixture_get node/version .response.body | jq -r .)"
}

@test "heartbeat: with no node answering, the version is ours" {
	local rport
	rport=$(free_port)
	lmc_bg registry lmcache-discovery --port "$rport"
	wait_for_http "http://127.0.0.1:$rport/health"
	fe_start FE --nodes '[{"name": "gone_scheduler", "host": "localhost", "port": "/nonexistent/sock"}]' \
		--heartbeat-url "http://127.0.0.1:$rport/lmcache_heartbeat" --heartbeat-interval 1
	wait_until 15 eval "[ -n \"\$(registry_version http://127.0.0.1:$rport)\" ]"
	assert_equal "$(registry_version "http://127.0.0.1:$rport")" "$(lmcache-frontend --version | awk '{print $NF}')"
}
