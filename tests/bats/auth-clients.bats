#!/usr/bin/env bats
# Clients with tokens (lmcache-security(7)): lmcctl and lmcache-top send --token-file or
# $LMCACHE_TOKEN; 401/403 are lmcctl's exit 7 with the reason; the frontend's heartbeats
# carry its agent token; the frontend forwards with its own token.

bats_require_minimum_version 1.5.0

load ../helpers/common
load ../helpers/discovery
load ../helpers/fixtures
load ../helpers/tui

setup() {
	lmc_setup
	umask 077
	cat >"$T/tokens" <<-EOF
	viewer-token-0123456789abcdef   viewer    vera
	operator-token-0123456789abcdef operator  otto
	agent-token-0123456789abcdef    agent     fe1
	EOF
	echo viewer-token-0123456789abcdef >"$T/viewer"
	echo operator-token-0123456789abcdef >"$T/operator"
	echo agent-token-0123456789abcdef >"$T/agent"
	port=$(free_port)
	NODE="http://127.0.0.1:$port"
	LMCACHE_INTERNAL_API_SERVER_TOKEN_FILE=$T/tokens lmc_bg node lmcache-demo-node \
		--role scheduler --port-start "$port" --tick-ms 0
	wait_for_http "$NODE/healthcheck" 10
}

teardown() {
	tui_stop 2>/dev/null || true
	lmc_teardown_checked
}

@test "lmcctl: no token is exit 7 with the reason; --token-file and LMCACHE_TOKEN are sent" {
	run lmcctl --url "$NODE" config get chunk_size
	[ "$status" = 7 ]
	[[ "$output" == *"HTTP 401"*"Not authenticated"* ]]
	run lmcctl --url "$NODE" --token-file "$T/viewer" config get chunk_size
	[ "$status" = 0 ]
	[[ "$output" == *256* ]]
	run lmcctl --url "$NODE" --token-file "$T/viewer" config set max_local_cpu_size=3
	[ "$status" = 7 ]
	[[ "$output" == *"HTTP 403"*"needs role operator"* ]]
	LMCACHE_TOKEN=operator-token-0123456789abcdef run lmcctl --url "$NODE" \
		config set max_local_cpu_size=3
	[ "$status" = 0 ]
	grep -q 'audit who=otto role=operator .* path=/conf status=200' "$T/node.log"
}

# auth_headers FILE: each recorded request as "TARGET COUNT VALUE...", COUNT the number of
# Authorization headers it carried.
auth_headers() {
	jq -r 'select(.method) | [.target, ([.headers[] | select(.[0] | ascii_downcase == "authorization") | .[1]] | (length | tostring), .[])] | join(" ")' "$1"
}

@test "lmcctl: one token path: --token-file over LMCACHE_TOKEN over the context, once on every request" {
	fixture_serve central --record "$T/rec" \
		--mount "/proxy2/$FIXTURE_PROXY/proxy2/inst1_scheduler=node" frontend-central
	export XDG_CONFIG_HOME=$T/xdg
	mkdir -p "$XDG_CONFIG_HOME/lmcctl"
	printf 'current-context = c\n[context c]\nfrontend = %s\ntoken = context-token-0123456789\n' \
		"$CENTRAL_URL" >"$XDG_CONFIG_HOME/lmcctl/config"
	echo file-token-0123456789 >"$T/file-token"
	for who in file env context; do
		: >"$T/rec"
		case $who in
		file) LMCACHE_TOKEN=env-token-0123456789 run --separate-stderr lmcctl --token-file "$T/file-token" -o json version ;;
		env) LMCACHE_TOKEN=env-token-0123456789 run --separate-stderr lmcctl -o json version ;;
		context) run --separate-stderr lmcctl -o json version ;;
		esac
		# the recorded node answers, the recorded worker was down (exit 3)
		[ "$(jq -r '.[] | select(.node == "inst1_scheduler") | .result' <<<"$output")" = 0.3.9-6ae0e8b ]
		auth_headers "$T/rec" >"$T/auth"
		cat "$T/auth"
		grep -q '^/api/nodes 1 ' "$T/auth" # the listing carries it
		grep -q "^/proxy2/$FIXTURE_PROXY/proxy2/inst1_scheduler/version 1 " "$T/auth"
		! grep -v " 1 Bearer $who-token-0123456789\$" "$T/auth"
	done
}

@test "lmcctl: a token file readable by others is refused" {
	chmod 644 "$T/viewer"
	run lmcctl --url "$NODE" --token-file "$T/viewer" version
	[ "$status" = 2 ]
	[[ "$output" == *"readable by others"* ]]
}

@test "lmcache-top: sends its token; without one the node refuses it" {
	tui_start --url "$NODE" --token-file "$T/viewer" --readonly
	tui_wait "0.1.0-demo"
	tui_stop
	! grep -q 'status=401' "$T/node.log"
	tui_start --url "$NODE" --readonly
	wait_until 15 grep -q 'status=401' "$T/node.log"
}

@test "heartbeats carry the agent token; the frontend forwards with its own token" {
	start_discovery disc --token-file "$T/tokens"
	fport=$(free_port)
	lmc_bg fe lmcache-frontend --port "$fport" --heartbeat-url "$DISC_URL/lmcache_heartbeat" \
		--heartbeat-token-file "$T/agent" --node-token-file "$T/viewer" \
		--nodes "[{\"name\":\"n1\",\"host\":\"127.0.0.1\",\"port\":${NODE##*:}}]"
	wait_until 10 grep -q 'who=fe1 role=agent .*path=/lmcache_heartbeat status=200' "$T/disc.log"
	run lmcctl --registry "$DISC_URL" --token-file "$T/viewer" nodes
	[ "$status" = 0 ]
	[[ "$output" == *n1*127.0.0.1* ]] || { echo "$output"; false; }
	# The frontend has no token file (loopback): its callers reach the node as its viewer.
	run lmcctl --frontend "http://127.0.0.1:$fport" config get chunk_size
	[ "$status" = 0 ]
	run lmcctl --frontend "http://127.0.0.1:$fport" config set max_local_cpu_size=3 --all
	[ "$status" = 7 ]
	[[ "$output" == *"vera (role viewer)"* ]]
}
