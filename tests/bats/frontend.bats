#!/usr/bin/env bats
# lmcache-frontend's routes and forwarding with real demo nodes on unix sockets: /health,
# listings, /proxy2 (methods, query, body, status, headers, two hops), /proxy (registered
# addresses only), dead and hung nodes, bounded bodies, flags.

load ../helpers/common
load ../helpers/frontend

setup() {
	lmc_setup
	fe_instance i1 1
	NODES=$(fe_nodes_json i1_scheduler i1_worker0)
}
teardown() { lmc_teardown_checked; }

@test "GET /health answers as LMCache's frontend" {
	fe_start FE --nodes "$NODES"
	run curl -sf "$FE/health"
	assert_success
	assert_output '{"status":"healthy","service":"lmcache-monitor"}'
	assert_equal "$(fe_status "$FE/health" -X POST)" 405
	assert_equal "$(fe_status "$FE/nothing")" 404
}

@test "GET /api/nodes: one local_proxy with the --nodes leaves, socket ports as strings" {
	fe_start FE --nodes "$NODES"
	run curl -sf "$FE/api/nodes"
	assert_success
	port=${FE##*:}
	assert_equal "$(jq -c '.nodes[0] | [.id, .name, .port, .is_proxy]' <<<"$output")" \
		"[\"proxy_local_proxy\",\"local_proxy\",$port,true]"
	assert_equal "$(jq -c '[.nodes[0].children[] | [.id, .name, .port, .is_proxy, .proxy_id]]' <<<"$output")" \
		"[[\"node_i1_scheduler\",\"i1_scheduler\",\"$(fe_sock i1_scheduler)\",false,\"local_proxy\"],[\"node_i1_worker0\",\"i1_worker0\",\"$(fe_sock i1_worker0)\",false,\"local_proxy\"]]"
}

@test "GET /api/proxies and /api/proxies/{p}/nodes; 404 for an unknown proxy" {
	fe_start FE --nodes "$NODES"
	run curl -sf "$FE/api/proxies"
	assert_output "{\"proxies\":[{\"name\":\"local_proxy\",\"host\":\"127.0.0.1\",\"port\":${FE##*:}}]}"
	run curl -sf "$FE/api/proxies/local_proxy/nodes"
	assert_equal "$(jq -r '[.nodes[].name] | join(",")' <<<"$output")" "i1_scheduler,i1_worker0"
	assert_equal "$(fe_status "$FE/api/proxies/nope/nodes")" 404
	assert_equal "$(fe_status "$FE/api/proxies/nope/refresh")" 404
}

@test "/proxy2 forwards method, query and body; upstream status and content type come back" {
	fe_start FE --nodes "$NODES"
	run curl -sf "$FE/proxy2/i1_worker0/version"
	assert_output '"0.1.0-demo"'
	run curl -sf "$FE/proxy2/i1_worker0/loglevel?logger_name=lmcache&level=DEBUG"
	assert_output --partial "Set lmcache level to DEBUG"
	run curl -sf --unix-socket "$(fe_sock i1_worker0)" "http://localhost/loglevel?logger_name=lmcache"
	assert_output "lmcache: DEBUG"
	run curl -s -D "$T/h" "$FE/proxy2/i1_scheduler/loglevel?logger_name=lmcache&level=LOUD"
	assert_output --partial "Invalid log level: LOUD"
	run head -1 "$T/h"
	assert_output --partial " 400"
	run curl -s -X POST -H 'Content-Type: application/json' -d '{"no_such_key": 1}' \
		"$FE/proxy2/i1_scheduler/conf"
	assert_equal "$(jq -r '.errors.no_such_key' <<<"$output")" "Unknown config"
	run curl -s -o /dev/null -w '%{content_type}' "$FE/proxy2/i1_scheduler/metrics"
	assert_output --partial "text/plain"
}

@test "/proxy2 to an unknown node is 404 with LMCache's detail" {
	fe_start FE --nodes "$NODES"
	run curl -s -w ' %{http_code}' "$FE/proxy2/ghost/version"
	assert_output "{\"detail\":\"Node with name 'ghost' not found\"} 404"
}

@test "a dead node answers 502 while the others answer" {
	dead=$(jq -c --arg s "$T/gone.sock" '. + [{name: "dead", host: "localhost", port: $s}]' <<<"$NODES")
	fe_start FE --nodes "$dead"
	run curl -s -w ' %{http_code}' "$FE/proxy2/dead/version"
	assert_output --partial "Failed to connect to socket: $T/gone.sock"
	assert_output --partial " 502"
	assert_equal "$(fe_status "$FE/proxy2/i1_scheduler/version")" 200
	kill -KILL "$(cat "$T/node-i1_worker0.pid")"
	wait_until 10 eval "[ \"\$(fe_status $FE/proxy2/i1_worker0/version)\" = 502 ]"
	assert_equal "$(fe_status "$FE/proxy2/i1_scheduler/version")" 200
}

@test "a hung node answers 504 after --proxy-timeout and does not stall the others" {
	fe_start FE --nodes "$NODES" --proxy-timeout 3
	kill -STOP "$(cat "$T/node-i1_worker0.pid")"
	fe_status "$FE/proxy2/i1_worker0/version" >"$T/hung.status" &
	hung=$!
	# While that request waits for the hung node, the other node answers.
	assert_equal "$(fe_status "$FE/proxy2/i1_scheduler/version")" 200
	wait "$hung"
	kill -CONT "$(cat "$T/node-i1_worker0.pid")"
	assert_equal "$(cat "$T/hung.status")" 504
}

@test "/proxy reaches registered sockets only (403 otherwise, TCP too)" {
	fe_start FE --nodes "$NODES"
	enc=$(jq -rn --arg s "$(fe_sock i1_worker0)" '$s | @uri')
	run curl -sf "$FE/proxy/localhost/$enc/version"
	assert_output '"0.1.0-demo"'
	other=$(jq -rn --arg s "$T/other.sock" '$s | @uri')
	run curl -s -w ' %{http_code}' "$FE/proxy/localhost/$other/version"
	assert_output --partial "is not a registered node"
	assert_output --partial " 403"
	assert_equal "$(fe_status "$FE/proxy/127.0.0.1/22/")" 403
	assert_equal "$(fe_status "$FE/proxy/localhost/%zz/x")" 400
}

@test "hop-by-hop headers are dropped both ways; end-to-end headers pass" {
	fe_echo EP
	fe_start FE --nodes "[{\"name\":\"echo\",\"host\":\"127.0.0.1\",\"port\":$EP}]"
	run curl -s -D "$T/h" -H 'X-Trace: t1' -H 'Proxy-Authorization: secret' -H 'TE: trailers' \
		-X PUT --data-binary 'payload' "$FE/proxy2/echo/a/b%20c?x=1&y=%2F"
	assert_success
	assert_equal "$(jq -r .method <<<"$output")" PUT
	assert_equal "$(jq -r .path <<<"$output")" "/a/b%20c?x=1&y=%2F"
	assert_equal "$(jq -r .body <<<"$output")" payload
	assert_equal "$(jq -r '.headers["x-trace"]' <<<"$output")" t1
	assert_equal "$(jq -r '.headers["proxy-authorization"] // "absent"' <<<"$output")" absent
	assert_equal "$(jq -r '.headers.te // "absent"' <<<"$output")" absent
	run cat "$T/h"
	assert_output --partial "X-Echo: yes"
	assert_output --partial "application/x-echo+json"
	refute_output --partial "Proxy-Authenticate"
	refute_output --partial "Keep-Alive: timeout"
	assert_equal "$(fe_status "$FE/proxy2/echo/status/418")" 418
	assert_equal "$(fe_status "$FE/proxy/127.0.0.1/$EP/x")" 200
}

@test "bodies above --max-body are refused with 413 and the server keeps serving" {
	fe_echo EP
	fe_start FE --max-body 1000 --nodes "[{\"name\":\"echo\",\"host\":\"127.0.0.1\",\"port\":$EP}]"
	head -c 5000 /dev/zero >"$T/big"
	assert_equal "$(fe_status "$FE/proxy2/echo/x" --data-binary @"$T/big")" 413
	assert_equal "$(fe_status "$FE/proxy2/echo/x" --data-binary 'small')" 200
}

@test "two hops: a central frontend reaches a leaf of another host's frontend" {
	fe_start FE1 --nodes "$NODES"
	jq -n --arg p "${FE1##*:}" '[{name: "host1", host: "127.0.0.1", port: ($p | tonumber)}]' >"$T/central.json"
	fe_start CENTRAL --config "$T/central.json"
	run curl -sf "$CENTRAL/proxy2/host1/proxy2/i1_worker0/version"
	assert_output '"0.1.0-demo"'
	run curl -sf "$CENTRAL/proxy2/host1/api/nodes"
	assert_equal "$(jq '.nodes[0].children | length' <<<"$output")" 2
	# refresh learns host1's leaves; they are then reached by name, through host1
	run curl -sf "$CENTRAL/api/proxies/host1/refresh"
	assert_equal "$(jq -r '[.nodes[].name] | join(",")' <<<"$output")" "i1_scheduler,i1_worker0"
	run curl -sf "$CENTRAL/proxy2/i1_scheduler/version"
	assert_output '"0.1.0-demo"'
}

@test "--node-supplier-url: every frontend in the registry is a proxy with its leaves" {
	fe_central
	run curl -sf "$CENTRAL/api/proxies"
	assert_equal "$(jq -c '.proxies[0]' <<<"$output")" \
		"{\"name\":\"proxy_127.0.0.1_${FE1##*:}\",\"host\":\"127.0.0.1\",\"port\":\"${FE1##*:}\"}"
	run curl -sf "$CENTRAL/proxy2/i1_worker0/version"
	assert_output '"0.1.0-demo"'
}

@test "flags: --help, --version, bad flags and bad node lists" {
	run lmcache-frontend --help
	assert_success
	assert_output --partial "--node-supplier-url"
	run lmcache-frontend --version
	assert_output --regexp '^lmcache-frontend [0-9]'
	run lmcache-frontend --port 0
	assert_failure 2
	run lmcache-frontend --bogus
	assert_failure 2
	assert_output --partial "bad option"
	run lmcache-frontend --port "$(free_port)" --nodes '[{"name": "x"'
	assert_failure 1
	assert_output --partial -- "--nodes"
	echo '[{"name":"p","host":"h","port":"bad"}]' >"$T/bad.json"
	run lmcache-frontend --port "$(free_port)" --config "$T/bad.json"
	assert_failure 1
	assert_output --partial "port"
}

@test "a request going round between frontends is stopped with 508" {
	fe_start FE --nodes "$NODES"
	# local_proxy is this frontend itself: each /proxy2/local_proxy is one more hop
	path=$(printf '/proxy2/local_proxy%.0s' $(seq 1 12))
	run curl -s -w ' %{http_code}' "$FE$path/health"
	assert_output --partial "Loop detected"
	assert_output --partial " 508"
	run curl -sf "$FE/proxy2/local_proxy/proxy2/local_proxy/health"
	assert_output --partial healthy
	run curl -s -H 'X-LMCache-Frontend-Hops: 8' -w ' %{http_code}' "$FE/proxy2/i1_worker0/version"
	assert_output --partial " 508"
}
