#!/usr/bin/env bats
# Tokens with roles in the three daemons (lmcache-security(7)): every changing endpoint
# against every role (allowed, 401, 403), the unix socket's owner without a token, the
# token file's rules, SIGHUP, the audit lines.

load ../helpers/common
load ../helpers/agent
load ../helpers/discovery

setup() {
	lmc_setup
	umask 077
	cat >"$T/tokens" <<-EOF
	# token                        role      name
	viewer-token-0123456789abcdef   viewer    vera
	operator-token-0123456789abcdef operator  otto
	admin-token-0123456789abcdef    admin     ada
	agent-token-0123456789abcdef    agent     node-a
	EOF
}

teardown() { lmc_teardown_checked; }

tok() {
	case $1 in
	none) ;;
	bad) echo "not-a-token-at-all-000000" ;;
	*) echo "$1-token-0123456789abcdef" ;;
	esac
}

# status ROLE METHOD URL [curl args...]: the HTTP status with ROLE's token (none, bad,
# viewer, operator, admin, agent).
status() {
	local role=$1 method=$2 url=$3 t
	shift 3
	t=$(tok "$role")
	curl -s -o "$T/out" -w '%{http_code}' --max-time 20 -X "$method" \
		${t:+-H "Authorization: Bearer $t"} "$@" "$url"
}

# expect URL METHOD NEED [curl args...]: 401 without a token and with a bad one, 403 for
# each role below NEED, not 401/403 for NEED and above. ROLE in URL becomes the role's name
# (a registry entry belongs to the token that made it).
expect() {
	local url=$1 method=$2 need=$3 role s allowed
	shift 3
	for role in none bad; do
		s=$(status $role "$method" "${url//ROLE/$role}" "$@")
		[ "$s" = 401 ] || { echo "$role $method $url: $s, wanted 401" >&2; return 1; }
		json_true '.detail | type == "string"' <"$T/out" >/dev/null
	done
	for role in viewer operator admin agent; do
		case $need:$role in
		viewer:agent | operator:viewer | operator:agent | admin:viewer | admin:operator | \
			admin:agent | agent:viewer | agent:operator) allowed=no ;;
		*) allowed=yes ;;
		esac
		s=$(status $role "$method" "${url//ROLE/$role}" "$@")
		if [ $allowed = yes ]; then
			[[ $s != 401 && $s != 403 ]] || { echo "$role $method $url: $s" >&2; return 1; }
		else
			[ "$s" = 403 ] || { echo "$role $method $url: $s, wanted 403" >&2; return 1; }
			json_true '.detail | contains("needs role")' <"$T/out" >/dev/null
		fi
	done
}

start_node() {
	local port
	port=$(free_port)
	NODE="http://127.0.0.1:$port"
	LMCACHE_INTERNAL_API_SERVER_TOKEN_FILE=$T/tokens LMCACHE_RUN_SCRIPT_API_ENABLED=true \
		lmc_bg node lmcache-demo-node --role scheduler --port-start "$port" --tick-ms 0 "$@"
	wait_for_http "$NODE/healthcheck" 10
}

@test "auth: the agent's endpoints against every role" {
	start_node
	printf 'echo hi\n' >"$T/s.sh"
	expect "$NODE/conf" GET viewer
	expect "$NODE/env" GET viewer
	expect "$NODE/metrics" GET viewer
	expect "$NODE/loglevel" GET viewer
	expect "$NODE/conf" POST operator -d '{"max_local_cpu_size": 2.5}'
	expect "$NODE/metrics/reset" POST operator
	expect "$NODE/loglevel?logger_name=lmcache&level=DEBUG" GET operator
	expect "$NODE/run_script" POST admin -F "script=@$T/s.sh"
	[ "$(status admin POST "$NODE/run_script" -F "script=@$T/s.sh")" = 200 ]
	grep -q 'hi' "$T/out"
	[ "$(status none GET "$NODE/conf" -I)" = 401 ]
	grep -qi '^WWW-Authenticate: Bearer' "$T/out"
}

@test "auth: the agent audits each changing request in one line" {
	start_node
	status operator POST "$NODE/conf" -d '{"max_local_cpu_size": 2.5}'
	status viewer POST "$NODE/metrics/reset"
	status none GET "$NODE/loglevel?logger_name=lmcache&level=DEBUG"
	status viewer GET "$NODE/conf"
	wait_until 5 grep -q 'path=/loglevel' "$T/node.log"
	grep -q 'audit who=otto role=operator from=127.0.0.1 method=POST path=/conf status=200 result=ok' "$T/node.log"
	grep -q 'audit who=vera role=viewer from=127.0.0.1 method=POST path=/metrics/reset status=403 result=refused' "$T/node.log"
	grep -q "audit who=uid:$(id -u) role=none from=127.0.0.1 method=GET path=/loglevel status=401 result=refused" "$T/node.log"
	! grep -q 'method=GET path=/conf ' "$T/node.log"
}

@test "auth: the unix socket's owner needs no token" {
	LMCACHE_INTERNAL_API_SERVER_TOKEN_FILE=$T/tokens lmc_bg node lmcache-demo-node \
		--role scheduler --socket-prefix "$T/sock" --tick-ms 0
	wait_for_socket "$T/sock_6999"
	s=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$T/sock_6999" \
		-X POST -d '{"max_local_cpu_size": 2.5}' http://localhost/conf)
	[ "$s" = 200 ]
	wait_until 5 grep -q "audit who=uid:$(id -u) role=admin from=unix method=POST path=/conf" "$T/node.log"
}

@test "auth: lmcache-discovery's heartbeats need the agent role, its listing a viewer" {
	start_discovery disc --token-file "$T/tokens"
	expect "$DISC_URL/lmcache_heartbeat?api_address=http://127.0.0.1:9/ROLE" GET agent
	expect "$DISC_URL/lmcache_deregister?api_address=http://127.0.0.1:9/ROLE" POST agent
	expect "$DISC_URL/lmcache_heartbeat?api_address=http://127.0.0.1:9/ROLE" DELETE agent
	expect "$DISC_URL/lmcache_infos" GET viewer
	expect "$DISC_URL/metrics" GET viewer
	grep -q 'audit who=node-a role=agent from=127.0.0.1 method=GET path=/lmcache_heartbeat status=200' "$T/disc.log"
}

@test "auth: lmcache-frontend's changing endpoints against every role" {
	start_node
	port=$(free_port)
	FE="http://127.0.0.1:$port"
	echo "admin-token-0123456789abcdef" >"$T/node-token"
	lmc_bg fe lmcache-frontend --port "$port" --token-file "$T/tokens" \
		--node-token-file "$T/node-token" \
		--nodes "[{\"name\":\"n1\",\"host\":\"127.0.0.1\",\"port\":${NODE##*:}}]"
	wait_for_http "$FE/health" 10
	printf 'echo hi\n' >"$T/s.sh"
	expect "$FE/api/nodes" GET viewer
	expect "$FE/api/proxies" POST admin -d '{"name":"p9","host":"127.0.0.1","port":9}'
	expect "$FE/api/proxies/local_proxy/nodes" POST admin -d '{"name":"x","host":"127.0.0.1","port":9}'
	expect "$FE/api/nodes/x" PUT admin -d '{"host":"127.0.0.1","port":9}'
	expect "$FE/api/nodes/nope" DELETE admin
	expect "$FE/api/heartbeat/stop" POST admin
	expect "$FE/api/proxies/p9/refresh" POST operator
	expect "$FE/proxy2/n1/conf" GET viewer
	expect "$FE/proxy2/n1/conf" POST operator -d '{"max_local_cpu_size": 2.5}'
	expect "$FE/proxy2/n1/loglevel?logger_name=lmcache&level=DEBUG" GET operator
	expect "$FE/proxy2/n1/run_script" POST admin -F "script=@$T/s.sh"
	expect "$FE/proxy2/n1/run%5Fscript/" POST admin -F "script=@$T/s.sh"
	# The frontend's own token reached the node: a viewer's read went through.
	s=$(status viewer GET "$FE/proxy2/n1/conf")
	[ "$s" = 200 ] || { echo "$s"; cat "$T/out"; false; }
	# in a batch too; what a request needs is checked for each (a viewer may not set)
	s=$(status viewer POST "$FE/api/fanout" -d '{"requests": [{"path": "/proxy2/n1/conf"},
		{"path": "/proxy2/n1/loglevel?logger_name=lmcache&level=DEBUG"}]}')
	[ "$s" = 200 ] || { echo "$s"; cat "$T/out"; false; }
	json_true '.answers | map(.status) == [200, 403]' <"$T/out"
	# an operator's change in a batch reaches the node with the frontend's token, not the caller's
	n=$(grep -c 'who=ada role=admin .*method=POST path=/conf ' "$T/node.log")
	s=$(status operator POST "$FE/api/fanout" -d '{"requests": [{"method": "POST",
		"path": "/proxy2/n1/conf", "body": "{\"max_local_cpu_size\": 2.5}"}]}')
	[ "$s" = 200 ] || { echo "$s"; cat "$T/out"; false; }
	json_true '.answers[0].status == 200' <"$T/out"
	wait_until 5 eval '[ "$(grep -c "who=ada role=admin .*method=POST path=/conf " "$T/node.log")" = $((n + 1)) ]'
	refute grep -q 'who=otto' "$T/node.log"
	[ "$(status none POST "$FE/api/fanout" -d '{"requests": [{"path": "/proxy2/n1/conf"}]}')" = 401 ]
	grep -q 'who=ada role=admin' "$T/node.log"
}

@test "auth: the token file must be private; SIGHUP re-reads it and a broken one is kept" {
	chmod 644 "$T/tokens"
	port=$(free_port)
	run lmcache-discovery --port "$port" --token-file "$T/tokens"
	[ "$status" = 1 ]
	[[ "$output" == *"mode 0600"* ]]
	chmod 600 "$T/tokens"
	start_discovery disc --token-file "$T/tokens"
	[ "$(status viewer GET "$DISC_URL/lmcache_infos")" = 200 ]
	echo "later-token-000000000000000 viewer late" >>"$T/tokens"
	kill -HUP "$(cat "$T/disc.pid")"
	wait_until 5 grep -q 'reloaded: 5 tokens' "$T/disc.log"
	s=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer later-token-000000000000000' "$DISC_URL/lmcache_infos")
	[ "$s" = 200 ]
	echo "broken line" >>"$T/tokens"
	kill -HUP "$(cat "$T/disc.pid")"
	wait_until 5 grep -q 'not reloaded' "$T/disc.log"
	s=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer later-token-000000000000000' "$DISC_URL/lmcache_infos")
	[ "$s" = 200 ]
}

@test "auth: the agent re-reads a changed token file" {
	start_node
	[ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer later-token-000000000000000' "$NODE/conf")" = 401 ]
	echo "later-token-000000000000000 viewer late" >>"$T/tokens"
	[ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer later-token-000000000000000' "$NODE/conf")" = 200 ]
}

@test "auth: beyond loopback without a token file is refused, unless --insecure (logged)" {
	port=$(free_port)
	run lmcache-discovery --host 0.0.0.0 --port "$port"
	[ "$status" = 1 ]
	[[ "$output" == *"refusing to listen beyond loopback without a token file"* ]]
	run lmcache-frontend --host 0.0.0.0 --port "$port" --nodes '[]'
	[ "$status" = 1 ]
	[[ "$output" == *"refusing to listen beyond loopback"* ]]
	LMCACHE_INTERNAL_API_SERVER_ENABLED=true run lmcache-demo-node --role scheduler \
		--host 0.0.0.0 --port-start "$port" --tick-ms 0
	[ "$status" != 0 ]
	[[ "$output" == *"refusing to listen beyond loopback"* ]]
	lmc_bg disc lmcache-discovery --host 0.0.0.0 --port "$port" --insecure
	wait_for_http "http://127.0.0.1:$port/health" 10
	grep -q 'INSECURE: listening beyond loopback without a token file' "$T/disc.log"
	# Loopback keeps working without tokens, as LMCache's clients expect.
	start_discovery plain
	[ "$(heartbeat_status "$DISC_URL" http://127.0.0.1:9)" = 200 ]
}

@test "secrets: /env and /conf show every role redacted values only" {
	REDIS_PASSWD=pw1 MINIO_PASS=pw2 PROXY_AUTH=pw3 JWT=pw4 BEARER=pw5 SESSION_COOKIE=pw6 \
		SERVER_PEM=pw7 DB_URL='postgres://bob:pw8@db/x' \
		LMCACHE_EXTRA_CONFIG='{"s3_password": "pw9", "note": "visible"}' start_node
	for role in viewer operator admin; do
		[ "$(status $role GET "$NODE/env")" = 200 ]
		! grep -q 'pw[0-9]' "$T/out"
		json_true '.DB_URL == "postgres://bob:<redacted>@db/x"' <"$T/out"
		[ "$(status $role GET "$NODE/conf")" = 200 ]
		! grep -q 'pw[0-9]' "$T/out"
		json_true '.extra_config.note == "visible"' <"$T/out"
	done
}

@test "audit: the three daemons count changing requests and refusals in /metrics" {
	start_node # its health probe, without a token, was refused already
	status viewer GET "$NODE/metrics"
	before=$(metric_value "$T/out" 'lmcache_internal_api_audited_requests_total{result="refused"}')
	status operator POST "$NODE/conf" -d '{"max_local_cpu_size": 2.5}'
	status viewer POST "$NODE/conf" -d '{"max_local_cpu_size": 2.5}'
	status viewer GET "$NODE/metrics"
	[ "$(metric_value "$T/out" 'lmcache_internal_api_audited_requests_total{result="ok"}')" = 1.0 ]
	after=$(metric_value "$T/out" 'lmcache_internal_api_audited_requests_total{result="refused"}')
	[ "${after%.0}" = $((${before%.0} + 1)) ]
	start_discovery disc --token-file "$T/tokens"
	status viewer GET "$DISC_URL/metrics"
	before=$(metric_value "$T/out" lmcache_discovery_refused_requests_total)
	status viewer GET "$DISC_URL/lmcache_heartbeat?api_address=http://127.0.0.1:9"
	status agent GET "$DISC_URL/lmcache_heartbeat?api_address=http://127.0.0.1:9"
	status viewer GET "$DISC_URL/metrics"
	[ "$(metric_value "$T/out" lmcache_discovery_refused_requests_total)" = $((before + 1)) ]
	[ "$(metric_value "$T/out" lmcache_discovery_audited_requests_total)" = $((before + 2)) ]
	port=$(free_port)
	lmc_bg fe lmcache-frontend --port "$port" --token-file "$T/tokens" --nodes '[]'
	wait_for_http "http://127.0.0.1:$port/health" 10
	status viewer GET "http://127.0.0.1:$port/metrics"
	before=$(metric_value "$T/out" lmcache_frontend_refused_requests_total)
	status operator POST "http://127.0.0.1:$port/api/heartbeat/stop"
	status viewer GET "http://127.0.0.1:$port/metrics"
	[ "$(metric_value "$T/out" lmcache_frontend_refused_requests_total)" = $((before + 1)) ]
	[ "$(metric_value "$T/out" lmcache_frontend_audited_requests_total)" = $((before + 1)) ]
	promtool_check "$T/out"
}
