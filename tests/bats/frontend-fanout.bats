#!/usr/bin/env bats
# POST /api/fanout, our frontend's batch of /proxy2 requests (docs/protocol.md 5.4): each
# answer is what /proxy2 answers for the same request (demo nodes on unix sockets, the echo
# server over TCP, dead and hung nodes, two hops), bad batches are refused whole, answers
# too large to hold (one over 256 KiB, or beyond the 64 MiB all batches hold) are marked
# "retry", and every request is checked as /proxy2 checks it: roles, the hop count, the
# unix-socket uid rule, one audit line per changing request.

bats_require_minimum_version 1.5.0
load ../helpers/common
load ../helpers/frontend

setup() {
	lmc_setup
	fe_instance i1 1
	NODES=$(fe_nodes_json i1_scheduler i1_worker0)
}
teardown() { lmc_teardown_checked; }

# batch URL JSON|@FILE [curl args...]: POSTs the batch; the answer in $T/answer, its status
# echoed.
batch() {
	local url=$1 body=$2
	shift 2
	curl -s -o "$T/answer" -w '%{http_code}' --max-time 30 -X POST \
		-H 'Content-Type: application/json' --data-binary "$body" "$@" "$url/api/fanout"
}

# same_as_proxy2 URL N METHOD PATH [curl args...]: answer N has the status and body
# /proxy2 gives for METHOD PATH.
same_as_proxy2() {
	local url=$1 n=$2 method=$3 path=$4 status
	shift 4
	status=$(curl -s -o "$T/direct" -w '%{http_code}' -X "$method" "$@" "$url$path")
	assert_equal "$(jq -r ".answers[$n].status" "$T/answer")" "$status"
	assert_equal "$(jq -j ".answers[$n].body" "$T/answer")" "$(cat "$T/direct")"
}

@test "each answer of a batch is the one /proxy2 gives: nodes, unknown and dead ones" {
	dead=$(jq -c --arg s "$T/gone.sock" '. + [{name: "dead", host: "localhost", port: $s}]' <<<"$NODES")
	fe_start FE --nodes "$dead"
	assert_equal "$(batch "$FE" '{"requests": [
		{"method": "GET", "path": "/proxy2/i1_worker0/version"},
		{"path": "/proxy2/i1_scheduler/loglevel?logger_name=lmcache&level=DEBUG"},
		{"path": "/proxy2/i1_scheduler/loglevel?logger_name=lmcache&level=LOUD"},
		{"path": "/proxy2/ghost/version"},
		{"path": "/proxy2/dead/version"},
		{"method": "POST", "path": "/proxy2/i1_worker0/conf", "body": "{\"no_such_key\": 1}"}]}')" 200
	same_as_proxy2 "$FE" 0 GET /proxy2/i1_worker0/version
	same_as_proxy2 "$FE" 1 GET "/proxy2/i1_scheduler/loglevel?logger_name=lmcache&level=DEBUG"
	same_as_proxy2 "$FE" 2 GET "/proxy2/i1_scheduler/loglevel?logger_name=lmcache&level=LOUD"
	same_as_proxy2 "$FE" 3 GET /proxy2/ghost/version
	same_as_proxy2 "$FE" 4 GET /proxy2/dead/version
	same_as_proxy2 "$FE" 5 POST /proxy2/i1_worker0/conf -d '{"no_such_key": 1}' \
		-H 'Content-Type: application/json'
	# the set went through: the node itself says so
	run curl -sf --unix-socket "$(fe_sock i1_scheduler)" "http://localhost/loglevel?logger_name=lmcache"
	assert_output "lmcache: DEBUG"
	json_true '.answers[0].content_type | startswith("application/json")' <"$T/answer"
	json_true '.answers[4].body | fromjson | .detail | contains("Failed to connect to socket")' <"$T/answer"
}

@test "a batch carries method, path, query, body and its type to a TCP node, with the hop count" {
	fe_echo EP
	fe_start FE --nodes "[{\"name\":\"echo\",\"host\":\"127.0.0.1\",\"port\":$EP},
		{\"name\":\"echo2\",\"host\":\"127.0.0.1\",\"port\":$EP}]"
	assert_equal "$(batch "$FE" '{"requests": [
		{"method": "PUT", "path": "/proxy2/echo/a/b%20c?x=1&y=%2F", "body": "payload",
		 "content_type": "text/x-test"},
		{"method": "DELETE", "path": "/proxy2/echo2/status/418"},
		{"method": "POST", "path": "/proxy2/echo/j", "body": "{}"}]}' \
		-H 'Authorization: Bearer caller-secret')" 200
	run jq -r '.answers[0].body | fromjson | [.method, .path, .body, .headers["content-type"],
		.headers["x-lmcache-frontend-hops"], .headers.authorization] | join(" ")' "$T/answer"
	assert_output "PUT /a/b%20c?x=1&y=%2F payload text/x-test 1 Bearer caller-secret"
	json_true '.answers[0].content_type == "application/x-echo+json"' <"$T/answer"
	json_true '.answers[1].status == 418 and (.answers[1].body | fromjson | .method) == "DELETE"' <"$T/answer"
	# a body without its type is JSON, as lmcctl sends it alone
	json_true '.answers[2].body | fromjson | .headers["content-type"] == "application/json"' <"$T/answer"
}

@test "bad batches are refused whole with 400; a bad path is that request's 400" {
	fe_start FE --nodes "$NODES"
	assert_equal "$(batch "$FE" 'not json')" 400
	assert_equal "$(batch "$FE" '{"requests": []}')" 400
	assert_equal "$(batch "$FE" '[]')" 400
	assert_equal "$(batch "$FE" '{"requests": [{"method": "get x", "path": "/proxy2/i1_worker0/version"}]}')" 400
	json_true '.detail | contains("requests[0]")' <"$T/answer"
	assert_equal "$(batch "$FE" '{"requests": [{"path": 7}]}')" 400
	assert_equal "$(batch "$FE" '{"requests": [{"path": "/proxy2/x/y", "body": {}}]}')" 400
	assert_equal "$(batch "$FE" '{"requests": [{"path": "/proxy2/x/y"}], "timeout_ms": -1}')" 400
	big=$(jq -cn '{requests: [range(257) | {path: "/proxy2/i1_worker0/version"}]}')
	assert_equal "$(batch "$FE" "$big")" 400
	json_true '.detail | contains("1 to 256")' <"$T/answer"
	assert_equal "$(batch "$FE" '{"requests": [{"path": "/metrics"}, {"path": "/proxy2/i1_worker0/version"}]}')" 200
	json_true '.answers[0].status == 400 and .answers[1].status == 200' <"$T/answer"
	full=$(jq -cn '{requests: [range(256) | {path: "/proxy2/i1_worker0/version"}]}')
	assert_equal "$(batch "$FE" "$full")" 200
	json_true '[.answers[] | select(.status == 200)] | length == 256' <"$T/answer"
}

@test "a hung node answers 504 by the batch's timeout_ms while the others answer" {
	fe_start FE --nodes "$NODES"
	kill -STOP "$(cat "$T/node-i1_worker0.pid")"
	start=$SECONDS
	assert_equal "$(batch "$FE" '{"timeout_ms": 1000, "requests": [
		{"path": "/proxy2/i1_worker0/version"}, {"path": "/proxy2/i1_scheduler/version"}]}')" 200
	kill -CONT "$(cat "$T/node-i1_worker0.pid")"
	[ $((SECONDS - start)) -lt 10 ]
	json_true '.answers[0].status == 504 and .answers[1].status == 200' <"$T/answer"
	json_true '.answers[0].body | fromjson | .detail | contains("timed out")' <"$T/answer"
}

@test "an answer larger than a batch carries: a read is marked retry, a change cut" {
	fe_echo EP
	fe_start FE --nodes "[{\"name\":\"echo\",\"host\":\"127.0.0.1\",\"port\":$EP}]"
	assert_equal "$(batch "$FE" '{"requests": [{"path": "/proxy2/echo/big/300000"},
		{"method": "POST", "path": "/proxy2/echo/big/300000"},
		{"path": "/proxy2/echo/big/10"}]}')" 200
	json_true '.answers[0] | .retry == true and .status == 0 and .body == null' <"$T/answer"
	# a change is not to be sent twice: its status, without the body
	json_true '.answers[1] | .cut == true and .status == 200 and .retry == null and .body == null' <"$T/answer"
	json_true '.answers[2] | .status == 200 and .body == "xxxxxxxxxx"' <"$T/answer"
	curl -sf -o "$T/streamed" "$FE/proxy2/echo/big/300000"
	assert_equal "$(wc -c <"$T/streamed")" 300000
}

@test "batches hold 64 MiB of answers in all: beyond, a read is marked retry, and the room comes back" {
	export ECHO_LOG="$T/echo.log"
	fe_echo EP
	fe_start FE --nodes "[{\"name\":\"echo\",\"host\":\"127.0.0.1\",\"port\":$EP}]"
	# 255 answers of 262,000 bytes (66.8 MB of the 67.1 held at most) that the batch holds
	# until its last request, which the echo server answers after 8 s
	jq -cn '{timeout_ms: 30000, requests: ([range(255) | {path: "/proxy2/echo/big/262000"}]
		+ [{path: "/proxy2/echo/sleep/8000"}])}' >"$T/first.json"
	curl -s -o "$T/first" --max-time 40 -X POST -H 'Content-Type: application/json' \
		--data-binary "@$T/first.json" "$FE/api/fanout" &
	first=$!
	wait_until 20 eval '[ "$(grep -c big "$T/echo.log" 2>/dev/null)" = 255 ]'
	assert_equal "$(grep -c big "$T/echo.log")" 255
	# and read by the frontend: no byte left queued either side of its connections to the echo
	wait_until 10 eval '[ -z "$(ss -Htn "( dport = :$EP or sport = :$EP )" | awk "\$2 + \$3 > 0")" ]'
	# room for one more such answer, not two: the one that comes in first is held
	assert_equal "$(batch "$FE" '{"requests": [{"path": "/proxy2/echo/big/262000"},
		{"path": "/proxy2/echo/big/262000"}]}')" 200
	jq -c '.answers[] | del(.body)' "$T/answer" # shown when the test fails
	json_true '[.answers[] | select(.status == 200 and (.body | length) == 262000)] | length == 1' <"$T/answer"
	json_true '[.answers[] | select(.retry == true and .status == 0 and (.detail | contains("too many")))]
		| length == 1' <"$T/answer"
	wait "$first"
	json_true '.answers | length == 256 and all(.status == 200)' <"$T/first"
	json_true '[.answers[:255][] | .body | length] | unique == [262000]' <"$T/first"
	# sent, the first batch's answers are let go of: both fit now
	assert_equal "$(batch "$FE" '{"requests": [{"path": "/proxy2/echo/big/262000"},
		{"path": "/proxy2/echo/big/262000"}]}')" 200
	json_true '.answers | map(.status) == [200, 200]' <"$T/answer"
}

@test "a batch that has made too many hops is refused for each request; two hops work" {
	fe_central
	assert_equal "$(batch "$CENTRAL" "{\"requests\": [
		{\"path\": \"/proxy2/$PROXY/proxy2/i1_worker0/version\"},
		{\"path\": \"/proxy2/i1_scheduler/version\"}]}")" 200
	json_true '.answers | map(.status) == [200, 200]' <"$T/answer"
	same_as_proxy2 "$CENTRAL" 0 GET "/proxy2/$PROXY/proxy2/i1_worker0/version"
	assert_equal "$(batch "$FE1" '{"requests": [{"path": "/proxy2/i1_worker0/version"}]}' \
		-H 'X-LMCache-Frontend-Hops: 8')" 200
	json_true '.answers[0].status == 508' <"$T/answer"
}

@test "roles: each request of a batch needs what it needs through /proxy2; changes are audited" {
	umask 077
	cat >"$T/tokens" <<-EOF
	viewer-token-0123456789abcdef   viewer    vera
	operator-token-0123456789abcdef operator  otto
	EOF
	fe_start FE --nodes "$NODES" --token-file "$T/tokens" --log-level info
	req='{"requests": [{"path": "/proxy2/i1_worker0/version"},
		{"path": "/proxy2/i1_worker0/loglevel?logger_name=lmcache&level=INFO"},
		{"method": "POST", "path": "/proxy2/i1_worker0/conf", "body": "{}"}]}'
	assert_equal "$(batch "$FE" "$req")" 401
	assert_equal "$(batch "$FE" "$req" -H 'Authorization: Bearer viewer-token-0123456789abcdef')" 200
	json_true '.answers | map(.status) == [200, 403, 403]' <"$T/answer"
	json_true '.answers[1].body | fromjson | .detail | contains("needs role operator")' <"$T/answer"
	assert_equal "$(batch "$FE" "$req" -H 'Authorization: Bearer operator-token-0123456789abcdef')" 200
	json_true '.answers | map(.status) == [200, 200, 200]' <"$T/answer"
	wait_until 5 grep -q 'who=otto .*method=POST path=/proxy2/i1_worker0/conf status=200.* via=/api/fanout' "$T/fe-FE.log"
	assert_equal "$(grep -c 'via=/api/fanout' "$T/fe-FE.log")" 4 # 2 refused, 2 changes
	refute grep -q 'path=/proxy2/i1_worker0/version' "$T/fe-FE.log"
}

@test "no confused deputy: another local user's batch may read, not change, a socket node" {
	[ "$(id -u)" = 0 ] || skip "needs root to act as another user"
	fe_start FE --nodes "$NODES"
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups curl -s -X POST --data-binary \
		'{"requests": [{"path": "/proxy2/i1_worker0/conf"},
		 {"method": "POST", "path": "/proxy2/i1_worker0/conf", "body": "{}"}]}' "$FE/api/fanout")
	json_true '.answers | map(.status) == [200, 403]' <<<"$out"
	json_true '.answers[1].body | contains("uid 65534 may not change a node")' <<<"$out"
}

@test "lmcache-frontend(8)'s example batch runs as written" {
	nodes=$(jq -cn --arg a "$(fe_sock i1_worker0)" --arg b "$(fe_sock i1_scheduler)" \
		'[{name: "inst_worker0", host: "localhost", port: $a},
		  {name: "inst_worker1", host: "localhost", port: $b}]')
	fe_start FE --nodes "$nodes"
	# the example's lines, from its comment to the blank line after it
	sed -n '/^# one request for the levels/,/^$/p' "$LMC_SRCDIR/man/lmcache-frontend.8" |
		sed "s|localhost:8000|${FE#http://}|; /^#/d" >"$T/example.sh"
	grep -q 'api/fanout' "$T/example.sh"
	run --separate-stderr bash "$T/example.sh"
	assert_success
	json_true '.answers | length == 2 and all(.status == 200)' <<<"$output"
	json_true '.answers[0].body | contains("lmcache")' <<<"$output"
}

@test "at most 1024 batched requests in flight: a batch beyond is a 503, and the count returns" {
	fe_echo EP
	fe_start FE --nodes "[{\"name\":\"echo\",\"host\":\"127.0.0.1\",\"port\":$EP}]"
	kill -STOP "$(cat "$T/echo-EP.pid")"
	# hung_batches MS: four batches of 256 requests to the hung node, each waiting MS ms
	hung_batches() {
		jq -cn --argjson ms "$1" '{timeout_ms: $ms, requests: [range(256) | {path: "/proxy2/echo/x"}]}' >"$T/hung"
		pids=()
		for i in 1 2 3 4; do
			curl -s -o "$T/hung$i" --max-time 30 -X POST --data-binary @"$T/hung" \
				"$FE/api/fanout" &
			pids+=($!)
		done
	}
	hung_batches 5000
	# once the four are in (64 connections each to the hung node), one more is refused
	wait_until 10 eval '[ "$(ss -Htn "( dport = :$EP )" | wc -l)" -ge 256 ]'
	assert_equal "$(batch "$FE" '{"timeout_ms": 200, "requests": [{"path": "/proxy2/echo/y"}]}')" 503
	json_true '.detail | contains("one by one")' <"$T/answer"
	wait "${pids[@]}"
	# all four answered (each node's 504), and 1,024 fit again: none was left counted
	for i in 1 2 3 4; do json_true '.answers | length == 256 and all(.status == 504)' <"$T/hung$i"; done
	hung_batches 1000
	wait "${pids[@]}"
	for i in 1 2 3 4; do json_true '.answers | length == 256 and all(.status == 504)' <"$T/hung$i"; done
	kill -CONT "$(cat "$T/echo-EP.pid")"
}

@test "a batch has at most 64 requests in flight; the rest go as answers come in" {
	fe_echo EP
	fe_start FE --nodes "[{\"name\":\"echo\",\"host\":\"127.0.0.1\",\"port\":$EP}]"
	kill -STOP "$(cat "$T/echo-EP.pid")"
	jq -cn '{timeout_ms: 3000, requests: [range(200) | {path: "/proxy2/echo/x"}]}' >"$T/req"
	curl -s -o "$T/slow" --max-time 30 -X POST --data-binary @"$T/req" "$FE/api/fanout" &
	pid=$!
	# the frontend's connections to the hung node: the first 64 requests, waiting
	conns() { ss -Htn "( dport = :$EP )" | wc -l; }
	wait_until 10 eval '[ "$(conns)" -ge 64 ]'
	sleep 0.5
	assert_equal "$(conns)" 64
	wait "$pid"
	kill -CONT "$(cat "$T/echo-EP.pid")"
	json_true '.answers | length == 200 and all(.status == 504)' <"$T/slow"
}
