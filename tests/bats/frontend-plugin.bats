#!/usr/bin/env bats
# Plugin mode: a demo scheduler whose runtime_plugin_locations names the shipped
# scheduler_lmc_frontend_plugin.sh launches lmcache-frontend, which derives the host's nodes
# from LMCACHE_PLUGIN_CONFIG, takes its flags from extra_config, registers with a real
# lmcache-discovery and proxies to the scheduler and its workers.

load ../helpers/common
load ../helpers/frontend

PLUGIN="$LMC_SRCDIR/plugins/scheduler_lmc_frontend_plugin.sh"

setup() {
	lmc_setup
	export LMCACHE_PLUGIN_SHIM="$LMC_BUILDDIR/src/agent/lmcache-plugin-shim"
	export LMCACHE_FRONTEND_BIN="$LMC_BUILDDIR/src/frontend/lmcache-frontend"
}
teardown() { lmc_teardown_checked; }

write_config() {
	cat >"$T/conf.yaml" <<-YAML
	lmcache_instance_id: pi
	internal_api_server_socket_path_prefix: "$T/s"
	runtime_plugin_locations:
	  - "$PLUGIN"
	extra_config:
	  runtime_plugin_stop_grace: 3
	  plugin.frontend.port: $FEPORT
	  plugin.frontend.heartbeat-url: "http://127.0.0.1:$RPORT/lmcache_heartbeat"
	  plugin.frontend.heartbeat-interval: 1
	YAML
}

host() {
	lmc_bg "$1" lmcache-demo-node --role "$2" --worker-id "${3:-0}" --worker-count 2 \
		--config "$T/conf.yaml" --tick-ms 0
}

@test "a scheduler launches the frontend plugin: registered, all nodes of the host reachable" {
	RPORT=$(free_port)
	FEPORT=$(free_port)
	lmc_bg registry lmcache-discovery --port "$RPORT"
	wait_for_http "http://127.0.0.1:$RPORT/health"
	write_config
	host w0 worker 0
	host w1 worker 1
	host sched scheduler
	FE="http://127.0.0.1:$FEPORT"
	wait_until 20 eval "curl -s http://127.0.0.1:$RPORT/lmcache_infos | json_true '.processInfos | has(\$a)' --arg a $FE"
	run curl -sf "$FE/api/nodes"
	assert_equal "$(jq -c '[.nodes[0].children[] | [.name, .port]]' <<<"$output")" \
		"[[\"pi_scheduler\",\"$T/s_6999\"],[\"pi_worker0\",\"$T/s_7000\"],[\"pi_worker1\",\"$T/s_7001\"]]"
	run curl -sf "$FE/proxy2/pi_worker1/meta"
	assert_equal "$(jq -r .worker_id <<<"$output")" 1
	run curl -sf "$FE/proxy2/pi_scheduler/meta"
	assert_equal "$(jq -r .worker_id <<<"$output")" -1
	run curl -sf "http://127.0.0.1:$RPORT/lmcache_infos"
	assert_equal "$(jq -r --arg a "$FE" '.processInfos[$a].lmCacheInfoEntities[0].otherInfo | fromjson | .nodes_count' <<<"$output")" 3
	# the frontend is the scheduler's plugin: it stops with its host
	kill -TERM "$(cat "$T/sched.pid")"
	wait_until 15 eval "! curl -s -o /dev/null --max-time 1 $FE/health"
}

@test "the plugin script refuses to run outside a plugin runtime and without a frontend" {
	run env -u LMCACHE_PLUGIN_CONFIG -u LMCACHE_RUNTIME_PLUGIN_CONFIG bash "$PLUGIN"
	assert_failure 2
	assert_output --partial "LMCACHE_PLUGIN_CONFIG"
	LMCACHE_PLUGIN_CONFIG='{}' LMCACHE_FRONTEND_BIN="$T/none" run bash "$PLUGIN"
	assert_failure 127
}

@test "the installed plugin script finds the frontend installed with it" {
	mkdir -p "$T/prefix/share/lmcache-tools/plugins" "$T/prefix/sbin"
	cp "$PLUGIN" "$T/prefix/share/lmcache-tools/plugins/"
	printf '#!/bin/sh\necho installed-frontend "$@"\n' >"$T/prefix/sbin/lmcache-frontend"
	chmod +x "$T/prefix/sbin/lmcache-frontend"
	unset LMCACHE_FRONTEND_BIN
	LMCACHE_PLUGIN_CONFIG='{}' run "$T/prefix/share/lmcache-tools/plugins/scheduler_lmc_frontend_plugin.sh" --x
	assert_success
	assert_output "installed-frontend --x"
}

@test "plugin mode honours include_index_list and explicit flags override extra_config" {
	port=$(free_port)
	cfg=$(jq -cn --arg p "$T/s" --argjson port 1 \
		'{lmcache_instance_id: "q", internal_api_server_socket_path_prefix: $p,
		  internal_api_server_include_index_list: [0, 2],
		  extra_config: {"plugin.frontend.port": $port, "plugin.frontend.log-level": "debug"}}')
	LMCACHE_PLUGIN_CONFIG=$cfg LMCACHE_PLUGIN_WORKER_COUNT=2 \
		lmc_bg fe lmcache-frontend --port "$port"
	wait_for_http "http://127.0.0.1:$port/health"
	run curl -sf "http://127.0.0.1:$port/api/nodes"
	assert_equal "$(jq -c '[.nodes[0].children[].name]' <<<"$output")" '["q_scheduler","q_worker1"]'
	LMCACHE_PLUGIN_CONFIG='{"extra_config": {"plugin.frontend.bogus": 1}}' run lmcache-frontend
	assert_failure 2
	assert_output --partial "bogus"
}
