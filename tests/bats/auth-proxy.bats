#!/usr/bin/env bats
# No open proxy, registry hygiene (lmcache-security(7)): the frontend sends requests only
# to its allow list (127.0.0.2 plays the address outside it), the registry accepts only
# well-formed entries from allowed hosts, and an entry belongs to the token that made it.

load ../helpers/common
load ../helpers/discovery
load ../helpers/fixtures

setup() {
	lmc_setup
	umask 077
	cat >"$T/tokens" <<-EOF
	viewer-token-0123456789abcdef   viewer    vera
	admin-token-0123456789abcdef    admin     ada
	agent-token-0123456789abcdef    agent     fe-real
	agent2-token-0123456789abcdef   agent     fe-fake
	EOF
	# A node "elsewhere": on 127.0.0.2, which is not in any default allow list.
	oport=$(free_port)
	OUTSIDE="http://127.0.0.2:$oport"
	lmc_bg outside lmcache-demo-node --role scheduler --host 127.0.0.2 --port-start "$oport" \
		--tick-ms 0
	wait_for_http "$OUTSIDE/healthcheck" 10
}

teardown() { lmc_teardown_checked; }

fe_start() {
	fport=$(free_port)
	FE="http://127.0.0.1:$fport"
	lmc_bg fe lmcache-frontend --port "$fport" --nodes '[]' "$@"
	wait_for_http "$FE/health" 10
}

code() { curl -s -o "$T/out" -w '%{http_code}' "$@"; }

@test "no open proxy: a node added through the API outside the allow list is not reached" {
	fe_start
	[ "$(code -X POST -d "{\"name\":\"evil\",\"host\":\"127.0.0.2\",\"port\":$oport}" "$FE/api/proxies")" = 200 ]
	[ "$(code "$FE/proxy2/evil/conf")" = 403 ]
	json_true '.detail | contains("allow list")' <"$T/out"
	[ "$(code "$FE/proxy/127.0.0.2/$oport/conf")" = 403 ]
	[ "$(code -X POST -d '{"name":"leaf","host":"127.0.0.1","port":1}' "$FE/api/proxies/evil/nodes")" = 200 ]
	[ "$(code -X PUT -d "{\"name\":\"leaf\",\"host\":\"127.0.0.2\",\"port\":$oport}" "$FE/api/nodes/leaf")" = 200 ]
	[ "$(code "$FE/proxy2/leaf/conf")" = 403 ]
	[ "$(code -X POST -d "{\"heartbeat_url\":\"$OUTSIDE/x\",\"interval\":1}" "$FE/api/heartbeat/start")" = 403 ]
	code "$FE/metrics" >/dev/null
	grep -q 'lmcache_frontend_audited' "$T/out"
}

@test "no open proxy: --allow-network lets the operator widen the list" {
	fe_start --allow-network 127.0.0.2/32
	code -X POST -d "{\"name\":\"n2\",\"host\":\"127.0.0.2\",\"port\":$oport}" "$FE/api/proxies"
	[ "$(code "$FE/proxy2/n2/conf")" = 200 ]
	run lmcache-frontend --nodes '[]' --allow-network 10.0.0.0/33
	[ "$status" = 1 ]
	[[ "$output" == *"not an address or a CIDR range"* ]]
}

@test "no open proxy: nodes given at start are trusted wherever they are" {
	fe_start --nodes "[{\"name\":\"o\",\"host\":\"127.0.0.2\",\"port\":$oport}]"
	[ "$(code "$FE/proxy2/o/conf")" = 200 ]
}

@test "registry: api_address outside --allow-network is refused; a central frontend refuses a spoofed entry" {
	start_discovery disc --allow-network 127.0.0.1/32
	[ "$(heartbeat_status "$DISC_URL" "$OUTSIDE")" = 403 ]
	[ "$(heartbeat_status "$DISC_URL" "http://127.0.0.1:9")" = 200 ]
	# A registry that accepts any address lists the fake; the central frontend refuses it.
	start_discovery open
	[ "$(heartbeat_status "$DISC_URL" "$OUTSIDE")" = 200 ]
	fe_start --node-supplier-url "$DISC_URL/lmcache_infos" --node-supplier-interval 1
	wait_until 10 eval 'curl -s "$FE/api/proxies" | grep -q 127.0.0.2'
	name=$(curl -s "$FE/api/proxies" | jq -r '.proxies[] | select(.host == "127.0.0.2") | .name')
	[ "$(code "$FE/proxy2/$name/conf")" = 403 ]
	json_true '.detail | contains("allow list")' <"$T/out"
	[ "$(code "$FE/proxy/127.0.0.2/$oport/conf")" = 403 ]
	json_true '.detail | contains("allow list")' <"$T/out"
}

@test "central frontend: a registry-listed frontend outside the allow list is never contacted" {
	# Two frontends as LMCache's leaf frontend answered: one on 127.0.0.2 recording every
	# connection, one on 127.0.0.1.
	fixture_serve far --host 127.0.0.2 --record "$T/far.rec" frontend-leaf
	fixture_serve near frontend-leaf
	start_discovery open
	[ "$(heartbeat_status "$DISC_URL" "$FAR_URL")" = 200 ]
	[ "$(heartbeat_status "$DISC_URL" "$NEAR_URL")" = 200 ]
	fe_start --node-supplier-url "$DISC_URL/lmcache_infos" --node-supplier-interval 1
	# The refresh that brought the near frontend's leaves went past the far one.
	near="proxy_127.0.0.1_${NEAR_URL##*:}"
	wait_until 10 eval 'curl -s "$FE/api/nodes" | json_true "any(.nodes[]; .name == \$p and (.children | length) == 2)" --arg p "$near"'
	[ ! -s "$T/far.rec" ]
	curl -s "$FE/metrics" | grep -E '^lmcache_frontend_supplier_refused_total [1-9]'
	grep -q "node supplier: not contacting $FAR_URL: 127.0.0.2 is outside this frontend's allow list" "$T/fe.log"
	# Nor does a refresh of it, which any viewer may ask for.
	name=$(curl -s "$FE/api/proxies" | jq -r '.proxies[] | select(.host == "127.0.0.2") | .name')
	[ "$(code "$FE/api/proxies/$name/refresh")" = 403 ]
	json_true '.detail | contains("allow list")' <"$T/out"
	[ ! -s "$T/far.rec" ]
}

@test "pinned resolution: targets named by a name (localhost) are checked and reached" {
	# Each place that contacts an address it was given resolves the name once, checks the
	# addresses and connects to them (tests/unit/test-netallow proves the pin is what
	# libcurl uses); here every one of them works with a name.
	fixture_serve leaf --record "$T/leaf.rec" frontend-leaf
	lport=${LEAF_URL##*:}
	start_discovery open
	[ "$(heartbeat_status "$DISC_URL" "http://localhost:$lport")" = 200 ]
	fe_start --node-supplier-url "$DISC_URL/lmcache_infos" --node-supplier-interval 1
	wait_until 10 eval 'curl -s "$FE/api/nodes" | json_true "any(.nodes[]; .name == \"proxy_localhost_$lport\" and (.children | length) == 2)"'
	[ "$(code "$FE/api/proxies/proxy_localhost_$lport/refresh")" = 200 ]
	grep -q '"target": "/api/nodes"' "$T/leaf.rec"
	# Forwarding and the merged /metrics, to a proxy and a leaf added by a name, on a
	# frontend of its own (a supplier's refresh replaces nodes added through the API).
	FE_CENTRAL=$FE
	fe_start
	[ "$FE" != "$FE_CENTRAL" ]
	[ "$(code -X POST -d "{\"name\":\"byname\",\"host\":\"localhost\",\"port\":$lport}" "$FE/api/proxies")" = 200 ]
	[ "$(code -X POST -d "{\"name\":\"leafbyname\",\"host\":\"localhost\",\"port\":$lport}" "$FE/api/proxies/byname/nodes")" = 200 ]
	[ "$(code "$FE/proxy2/byname/health")" = 200 ]
	json_true '.service == "lmcache-monitor"' <"$T/out"
	code "$FE/metrics" >/dev/null
	grep -q 'node="leafbyname"' "$T/out"
	grep -q '"target": "/metrics"' "$T/leaf.rec"
	# the heartbeat to a registry named by a name, started through the API
	[ "$(code -X POST -d "{\"heartbeat_url\":\"http://localhost:$DISC_PORT/lmcache_heartbeat\",\"interval\":1}" "$FE/api/heartbeat/start")" = 200 ]
	wait_until 10 eval 'listed "$DISC_URL" | grep -q "127.0.0.1:${FE##*:}"'
}

@test "registry: invalid UTF-8 and over-long fields are refused; the listing stays JSON" {
	start_discovery disc
	[ "$(code -G "$DISC_URL/lmcache_heartbeat" --data-urlencode api_address=http://127.0.0.1:1 --data version=%FF%FE)" = 400 ]
	json_true '.detail == "version is not valid UTF-8"' <"$T/out"
	[ "$(code "$DISC_URL/lmcache_heartbeat?api_address=http://127.0.0.1:2/%C3")" = 400 ]
	[ "$(code -G "$DISC_URL/lmcache_heartbeat" --data-urlencode api_address=http://127.0.0.1:3 --data other_info=%7B%22a%22:%22%ED%A0%80%22%7D)" = 400 ]
	[ "$(code -G "$DISC_URL/lmcache_heartbeat" --data-urlencode api_address=http://127.0.0.1:4 --data-urlencode "version=$(printf 'v%.0s' $(seq 200))")" = 400 ]
	[ "$(code -G "$DISC_URL/lmcache_heartbeat" --data-urlencode api_address=http://127.0.0.1:5 --data-urlencode "version=é-1")" = 200 ]
	curl -sS "$DISC_URL/lmcache_infos" | python3 -c 'import json, sys; d = json.loads(sys.stdin.buffer.read().decode("utf-8")); assert list(d["processInfos"]) == ["http://127.0.0.1:5"], d'
	run lmcctl --registry "$DISC_URL" nodes
	[ "$status" != 2 ]
}

@test "registry: an entry belongs to the token that registered it" {
	start_discovery disc --token-file "$T/tokens"
	addr=http://127.0.0.1:7
	real=(-H 'Authorization: Bearer agent-token-0123456789abcdef')
	fake=(-H 'Authorization: Bearer agent2-token-0123456789abcdef')
	[ "$(heartbeat_status "$DISC_URL" $addr "${real[@]}")" = 200 ]
	[ "$(heartbeat_status "$DISC_URL" $addr "${fake[@]}")" = 403 ]
	[ "$(code -X DELETE "${fake[@]}" "$DISC_URL/lmcache_heartbeat?api_address=$addr")" = 403 ]
	json_true '.detail | contains("another token")' <"$T/out"
	[ "$(heartbeat_status "$DISC_URL" $addr "${real[@]}")" = 200 ]
	[ "$(code -X DELETE -H 'Authorization: Bearer admin-token-0123456789abcdef' "$DISC_URL/lmcache_heartbeat?api_address=$addr")" = 200 ]
	[ "$(heartbeat_status "$DISC_URL" $addr "${fake[@]}")" = 200 ]
}

@test "no confused deputy: another local user may read, not change, a socket node through the frontend" {
	[ "$(id -u)" = 0 ] || skip "needs root to act as another user"
	lmc_bg sock lmcache-demo-node --role scheduler --socket-prefix "$T/api/sock" --tick-ms 0
	wait_for_socket "$T/api/sock_6999"
	fe_start --nodes "[{\"name\":\"s\",\"host\":\"localhost\",\"port\":\"$T/api/sock_6999\"}]"
	as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	[ "$(as_nobody curl -s -o /dev/null -w '%{http_code}' "$FE/proxy2/s/conf")" = 200 ]
	out=$(as_nobody curl -s -w ' %{http_code}' -X POST -d '{"max_local_cpu_size": 3}' "$FE/proxy2/s/conf")
	[[ "$out" == *"uid 65534 may not change a node"*" 403" ]]
	s=$(as_nobody curl -s -w '%{http_code}' -o /dev/null "$FE/proxy2/s/loglevel?logger_name=lmcache&level=DEBUG")
	[ "$s" = 403 ]
	[ "$(code -X POST -d '{"max_local_cpu_size": 3}' "$FE/proxy2/s/conf")" = 200 ]
}

@test "a loopback caller's uid is asked of the kernel once a connection, each connection its own" {
	[ "$(id -u)" = 0 ] || skip "needs root to act as another user"
	command -v strace >/dev/null || skip "strace not installed"
	strace -qq -o /dev/null true 2>/dev/null || skip "strace cannot trace here"
	start_discovery disc --log-level info
	strace -f -qq -e trace=socket -o "$T/socket.txt" -p "$(cat "$T/disc.pid")" 2>"$T/strace.err" &
	spid=$!
	wait_until 10 traced "$(cat "$T/disc.pid")" || fail "strace: $(cat "$T/strace.err")"
	hb=$DISC_URL/lmcache_heartbeat?api_address=http://127.0.0.1:9/
	# three heartbeats on one connection as root, then two on another as nobody
	curl -sf -o /dev/null "${hb}a" -o /dev/null "${hb}b" -o /dev/null "${hb}c"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		curl -sf -o /dev/null "${hb}d" -o /dev/null "${hb}e"
	# eval: the log is counted again on each try, not once when wait_until is called
	wait_until 5 eval '[ "$(grep -c "path=/lmcache_heartbeat status=200" "$T/disc.log")" = 5 ]'
	kill -INT "$spid"
	wait "$spid" || true
	assert_equal "$(grep -c 'audit who=uid:0 .*path=/lmcache_heartbeat' "$T/disc.log")" 3
	assert_equal "$(grep -c 'audit who=uid:65534 .*path=/lmcache_heartbeat' "$T/disc.log")" 2
	assert_equal "$(grep -c 'AF_NETLINK' "$T/socket.txt")" 2
}
