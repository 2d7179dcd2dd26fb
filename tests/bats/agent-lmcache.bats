#!/usr/bin/env bats
# Our agent against LMCache's own answers: every exchange recorded from LMCache's internal API
# server (tests/fixtures/lmcache/node) is sent to a demo node in the recorded order, and the
# answers must agree (docs/protocol.md 3 and 9). Where we differ on purpose (docs/protocol.md
# section 7) the test asserts our documented behaviour instead.

bats_require_minimum_version 1.5.0
load ../helpers/common
load ../helpers/agent
load ../helpers/fixtures

setup() { agent_setup; }
teardown() { lmc_teardown_checked; }

# FIXTURE:MODE in the order they were recorded (state carries over: levels set, config
# posted). Modes as tests/helpers/compare-exchange.py; "ours" is checked below by hand;
# "core" (unknown path, wrong method: the shared HTTP server core's answers) has its own test.
RULES=(
	version:kind lmc_version:kind commit_id:kind
	conf:kind conf-names:keylist conf-names-unknown:exact conf-names-inf:kind
	meta:skel+keylist meta-names:skel+keylist meta-names-unknown:exact
	inference_info:keys inference_version:keys
	loglevel-get:ours loglevel-set:exact loglevel-set-bad:exact loglevel-level-only:exact
	loglevel-list:ours loglevel-unknown:exact loglevel-newline:ours loglevel-list-after:ours
	threads:ours threads-name:ours threads-id-bad:exact threads-id-none:exact
	metrics:ours
	not-found:core healthcheck:ours plugins:ours
	method-not-allowed:core method-not-allowed-delete:core
	run_script:ours run_script-no-field:ours run_script-error:ours
	conf-post:exact conf-post-partial:exact conf-post-unknown:exact conf-post-immutable:exact
	conf-post-bad-value:skel conf-post-not-object:exact conf-post-string:exact
	conf-post-invalid:skel conf-post-empty-object:exact conf-after-post:exact
)

# send FIXTURE: the recorded request to our node over TCP; sets code, ctype, body.
send() {
	local f="$LMC_FIXTURES/node/$1.json" args=()
	if jq -e '.request | has("body")' "$f" >/dev/null; then
		jq -j .request.body "$f" >"$T/req"
		args=(--data-binary "@$T/req" -H "Content-Type: $(jq -r .request.content_type "$f")")
	fi
	http tcp "$(jq -r .request.method "$f")" "$(jq -r .request.target "$f")" "${args[@]}"
}

# compare FIXTURE MODE: our answer against LMCache's; "ours" only records it.
compare() {
	local name=$1 mode=$2 m
	send "$name"
	cp "$T/body" "$T/ours-$name"
	printf '%s\n%s\n' "$code" "$ctype" >"$T/ours-$name.head"
	[ "$mode" = ours ] && return 0
	[ "$mode" = core ] && mode=exact
	for m in ${mode//+/ }; do
		python3 "$LMC_SRCDIR/tests/helpers/compare-exchange.py" "$m" \
			"$LMC_FIXTURES/node/$name.json" "$code" "$ctype" "$T/body" || return 1
	done
}

ours() { sed -n "$2p" "$T/ours-$1.head"; }

@test "every recorded exchange has a rule" {
	local f rules=" ${RULES[*]} "
	for f in "$LMC_FIXTURES"/node/*.json; do
		f=${f##*/}
		[[ "$rules" == *" ${f%.json}:"* ]] || { echo "no rule for $f" >&2; return 1; }
	done
}

@test "our agent answers as LMCache, in status, content type and body" {
	local r bad=0
	for r in "${RULES[@]}"; do
		[ "${r#*:}" = core ] && continue
		compare "${r%%:*}" "${r#*:}" || bad=1
	done
	[ "$bad" = 0 ]
}

@test "an unknown path and a wrong method: FastAPI's 404 and 405, byte for byte" {
	local r bad=0
	for r in "${RULES[@]}"; do
		[ "${r#*:}" = core ] || continue
		compare "${r%%:*}" core || bad=1
	done
	[ "$bad" = 0 ]
}

@test "where we differ on purpose, we answer as documented" {
	local r
	for r in "${RULES[@]}"; do
		compare "${r%%:*}" "${r#*:}" >/dev/null || true
	done
	# levels: effective levels, one "<name>: <LEVEL>" line each
	[[ "$(cat "$T/ours-loglevel-get")" =~ ^lmcache\.v1\.cache_engine:\ [A-Z]+$ ]]
	[ "$(head -1 "$T/ours-loglevel-list")" = "=== Loggers and Levels ===" ]
	! grep -Ev '^[^:]+: (CRITICAL|ERROR|WARNING|INFO|DEBUG|NOTSET)$' <(tail -n +2 "$T/ours-loglevel-list")
	# a name with a newline is escaped, not a forged line; reading loggers created none
	assert_equal "$(ours loglevel-newline 1) $(cat "$T/ours-loglevel-newline")" \
		'200 evil\nroot: DEBUG: NOTSET'
	! grep -q 'no.such.logger\|^evil\|root: DEBUG: NOTSET' "$T/ours-loglevel-list-after"
	# threads: LMCache's text layout, native frames
	[[ "$(head -1 "$T/ours-threads")" == "Thread: <Thread("* ]]
	grep -q '^=== Thread Summary ===$' "$T/ours-threads"
	tail -1 "$T/ours-threads" | grep -Eq '^Total threads: [0-9]+$'
	assert_equal "$(ours threads-name 1)" 200
	# metrics: the exposition's own content type
	assert_equal "$(ours metrics 2)" 'text/plain; version=0.0.4; charset=utf-8'
	# extensions: our health route and plugin list
	assert_equal "$(ours healthcheck 1) $(jq -r .status "$T/ours-healthcheck")" '200 healthy'
	assert_equal "$(ours plugins 1) $(jq -r type "$T/ours-plugins")" '200 array'
	# run_script is off by default and says how to enable it
	for r in run_script run_script-no-field run_script-error; do
		assert_equal "$(ours $r 1)" 404
		grep -q run_script_api_enabled "$T/ours-$r"
	done
}

@test "LMCache's node keeps every logger a read creates; ours keeps none" {
	grep -q '^no.such.logger: NOTSET$' <(fixture_get node/loglevel-list-after .response.body)
	for i in $(seq 1 50); do
		http tcp GET "/loglevel?logger_name=probe.$i"
		assert_equal "$body" "probe.$i: NOTSET"
	done
	http tcp GET /loglevel
	[[ "$body" != *probe.* ]]
}
