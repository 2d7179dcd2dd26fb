#!/usr/bin/env bats
# The fixture server replays every recorded LMCache exchange exactly (status, content type,
# body), so tests that use it test against LMCache's own answers.

load ../helpers/common
load ../helpers/fixtures

setup() { lmc_setup; }
teardown() { lmc_teardown; }

# replay URL FILE: sends the recorded request of FILE to URL; fails on any difference.
replay() {
	local url=$1 f=$2 method target code ctype args=()
	method=$(jq -r .request.method "$f")
	target=$(jq -r .request.target "$f")
	if jq -e '.request | has("body")' "$f" >/dev/null; then
		jq -j .request.body "$f" >"$T/req"
		args=(--data-binary "@$T/req" -H "Content-Type: $(jq -r .request.content_type "$f")")
	fi
	code=$(curl -sS -o "$T/got" -D "$T/hdr" -w '%{http_code}' -X "$method" "${args[@]}" "$url$target")
	ctype=$(sed -n 's/^[Cc]ontent-[Tt]ype: *//p' "$T/hdr" | tr -d '\r')
	jq -j .response.body "$f" >"$T/want"
	[ "$code" = "$(jq -r .response.status "$f")" ] || { echo "$f: status $code" >&2; return 1; }
	[ "$ctype" = "$(jq -r .response.content_type "$f")" ] || { echo "$f: type $ctype" >&2; return 1; }
	cmp -s "$T/got" "$T/want" || { echo "$f: body differs" >&2; diff "$T/want" "$T/got" >&2; return 1; }
}

@test "every recorded exchange of each server is replayed exactly" {
	local d f
	for d in node node-json-threads mp mp-unhealthy frontend-leaf frontend-central; do
		fixture_serve fx "$d"
		for f in "$LMC_FIXTURES/$d"/*.json; do
			jq -e 'has("after")' "$f" >/dev/null && continue
			replay "$FX_URL" "$f"
		done
	done
}

@test "unmatched requests get the recorded 404; query order and encoding do not matter" {
	fixture_serve lmc node
	run curl -sS -w ' %{http_code}' "$LMC_URL/no/such/thing"
	assert_output '{"detail":"Not Found"} 404'
	run curl -sS "$LMC_URL/conf?names=chunk_size%2Cextra_config"
	assert_output "$(fixture_get node/conf-names .response.body)"
	run curl -sS "$LMC_URL/loglevel?level=debug&logger_name=lmcache.v1.cache_engine"
	assert_output 'Set lmcache.v1.cache_engine level to DEBUG (including all handlers)'
}

@test "a central frontend's two-hop path leads to the recorded node; one hop is not found" {
	fixture_central central
	run curl -sS "$CENTRAL_URL/api/nodes"
	assert_equal "$(jq -r '.nodes[0].name' <<<"$output")" "$FIXTURE_PROXY"
	run curl -sS "$CENTRAL_URL/proxy2/$FIXTURE_PROXY/proxy2/inst1_scheduler/threads?thread_id=abc"
	assert_output --partial '"loc":["query","thread_id"]'
	run curl -sS "$CENTRAL_URL/proxy2/$FIXTURE_PROXY/proxy2/inst1_scheduler/meta"
	assert_equal "$(jq -r .first_rank <<<"$output")" 0
	run curl -sS -w ' %{http_code}' "$CENTRAL_URL/proxy2/inst1_scheduler/version"
	assert_output "{\"detail\":\"Node with name 'inst1_scheduler' not found\"} 404"
}

@test "on a unix socket, as a node with a socket prefix" {
	fixture_serve_unix node "$T/sock_6999" node
	run curl -sS --unix-socket "$T/sock_6999" http://localhost/version
	assert_output '"0.3.9-6ae0e8b"'
	[ "$(stat -c %a "$T/sock_6999")" = 600 ]
}
