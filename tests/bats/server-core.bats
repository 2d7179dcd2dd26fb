#!/usr/bin/env bats
# The server core (src/server/srv.h) as the three daemons show it: errors in FastAPI's
# shape, the Allow header, the HEAD rule and the body limit, the same everywhere.

load ../helpers/common
load ../helpers/discovery

setup() {
	lmc_setup
	local port
	port=$(free_port)
	AGENT="http://127.0.0.1:$port"
	lmc_bg agent lmcache-demo-node --role scheduler --port-start "$port" --tick-ms 0
	wait_for_http "$AGENT/healthcheck" 10
	start_discovery disc
	port=$(free_port)
	FE="http://127.0.0.1:$port"
	lmc_bg fe lmcache-frontend --port "$port" --max-body 1000
	wait_for_http "$FE/health" 10
}

teardown() { lmc_teardown_checked; }

# call METHOD URL [curl args...]: sets $code, $ctype, $allow and $size (body bytes); the
# body is in $T/body.
call() {
	local method=(-X "$1") url=$2
	[ "$1" != HEAD ] || method=(-I) # curl -X HEAD would wait for a body
	shift 2
	code=$(curl -sS --max-time 20 "${method[@]}" -o "$T/body" -D "$T/headers" \
		-w '%{http_code} %{size_download}' "$@" "$url")
	size=${code#* } code=${code% *}
	ctype=$(sed -n 's/^content-type: *//Ip' "$T/headers" | tr -d '\r')
	allow=$(sed -n 's/^allow: *//Ip' "$T/headers" | tr -d '\r')
}

@test "an unknown path is FastAPI's 404 in the agent, the frontend and the registry" {
	for url in "$AGENT" "$FE" "$DISC_URL"; do
		call GET "$url/no/such/path"
		assert_equal "$code" 404
		assert_equal "$ctype" application/json
		assert_equal "$(cat "$T/body")" '{"detail":"Not Found"}'
	done
}

@test "a known path with another method is FastAPI's 405 with Allow, everywhere" {
	call DELETE "$AGENT/metrics"
	assert_equal "$code $allow" "405 GET, HEAD"
	assert_equal "$(cat "$T/body")" '{"detail":"Method Not Allowed"}'
	call DELETE "$FE/api/proxies"
	assert_equal "$code $allow" "405 GET, HEAD, POST"
	assert_equal "$(cat "$T/body")" '{"detail":"Method Not Allowed"}'
	call PUT "$DISC_URL/lmcache_infos"
	assert_equal "$code $allow" "405 GET, HEAD"
	assert_equal "$ctype" application/json
	assert_equal "$(cat "$T/body")" '{"detail":"Method Not Allowed"}'
}

@test "HEAD of a read-only GET answers its headers and no body; a state-changing GET refuses HEAD" {
	for url in "$AGENT/version" "$FE/health" "$DISC_URL/health"; do
		call HEAD "$url"
		assert_equal "$code $size" "200 0"
		grep -qi '^content-type: ' "$T/headers"
	done
	call HEAD "$DISC_URL/lmcache_heartbeat?api_address=127.0.0.1:1"
	assert_equal "$code $allow" "405 GET, DELETE"
	assert_equal "$(count "$DISC_URL")" 0
}

@test "a body over the limit is a 413 in FastAPI's shape and the server keeps serving" {
	head -c 2000000 /dev/zero | tr '\0' x >"$T/big"
	call POST "$FE/api/proxies" --data-binary @"$T/big"
	assert_equal "$code" 413
	assert_equal "$(cat "$T/body")" '{"detail":"Request body larger than 1000 bytes"}'
	call POST "$DISC_URL/lmcache_deregister" --data-binary @"$T/big"
	assert_equal "$code" 413
	assert_equal "$(cat "$T/body")" '{"detail":"Request body larger than 65536 bytes"}'
	call POST "$AGENT/conf" --data-binary @"$T/big"
	assert_equal "$code" 413
	assert_equal "$(cat "$T/body")" '{"detail":"Request body larger than 1048576 bytes"}'
	for url in "$AGENT/healthcheck" "$FE/health" "$DISC_URL/health"; do
		call GET "$url"
		assert_equal "$code" 200
	done
}
