#!/usr/bin/env bats
# lmcctl against a local cluster: registry -> frontends -> /proxy2 -> demo nodes. Exit codes
# for failures of nodes, frontends and the registry. Each test has its own cluster.

bats_require_minimum_version 1.5.0
load ../helpers/common
load ../helpers/cluster

setup() {
	lmc_setup
	cluster_start
}

teardown() {
	cluster_teardown
}

@test "nodes lists all six nodes with role and instance, reached through the registry" {
	run lmcctl nodes --no-headers
	assert_success
	assert_equal "$(echo "$output" | wc -l)" 6
	assert_line --regexp '^inst1_scheduler +scheduler +inst1 +http://127\.0\.0\.1:[0-9]+/proxy2/inst1_scheduler$'
	assert_line --regexp '^inst2_worker1 +worker +inst2 '
}

@test "all succeed: version of every node (0)" {
	run lmcctl version
	assert_success
	assert_line --index 0 --regexp '^NODE +VERSION +STATUS$'
	assert_equal "$(echo "$output" | grep -cE ' 0\.1\.0-demo +ok$')" 6
}

@test "the registry given as its full /lmcache_infos URL, and on the command line" {
	LMCACHE_REGISTRY= run lmcctl --registry "$REGISTRY_URL/lmcache_infos" --no-headers nodes
	assert_success
	assert_equal "$(echo "$output" | wc -l)" 6
}

@test "--frontend lists only that frontend's nodes" {
	LMCACHE_REGISTRY= run lmcctl --frontend "$FE2_URL" --no-headers nodes
	assert_success
	assert_equal "$(echo "$output" | cut -d' ' -f1 | sort | tr '\n' ' ')" \
		"inst2_scheduler inst2_worker0 inst2_worker1 "
}

@test "a central frontend over the other frontends lists and reaches every node" {
	cluster_central central fe1 fe2
	wait_until 20 eval "[ \"\$(LMCACHE_REGISTRY= lmcctl --frontend $CENTRAL_URL --no-headers nodes | wc -l)\" -eq 6 ]"
	LMCACHE_REGISTRY= run lmcctl --frontend "$CENTRAL_URL" --no-headers nodes
	assert_success
	assert_equal "$(echo "$output" | wc -l)" 6
	# two hops: through fe2 (nginx's central lists the frontends) or through the proxy
	# named after fe2's address (a central lmcache-frontend, as LMCache's names it)
	assert_line --regexp "^inst2_worker0 +worker +inst2 +$CENTRAL_URL/proxy2/(fe2|proxy_127\.0\.0\.1_${FE2_URL##*:})/proxy2/inst2_worker0\$"
	LMCACHE_REGISTRY= run lmcctl --frontend "$CENTRAL_URL" --no-headers version
	assert_success
	assert_equal "$(echo "$output" | grep -cE ' 0\.1\.0-demo +ok$')" 6
}

@test "targets: names and globs after the arguments, -n, -l role=, --instance" {
	run lmcctl --no-headers version inst1_scheduler 'inst2_w*'
	assert_success
	assert_equal "$(echo "$output" | cut -d' ' -f1 | sort | tr '\n' ' ')" \
		"inst1_scheduler inst2_worker0 inst2_worker1 "
	run lmcctl --no-headers -l role=worker --instance inst1 version
	assert_success
	assert_equal "$(echo "$output" | cut -d' ' -f1 | tr '\n' ' ')" "inst1_worker0 inst1_worker1 "
	run lmcctl --no-headers -n inst2_scheduler -n inst1_worker1 health
	assert_success
	assert_equal "$(echo "$output" | wc -l)" 2
}

@test "unknown node: not found (4), nothing sent" {
	run lmcctl version inst1_scheduler inst9_worker0
	assert_failure 4
	assert_output --partial "no node matches 'inst9_worker0'"
	run lmcctl --instance nosuch version
	assert_failure 4
}

@test "one node killed: partial failure (3), the others reported" {
	cluster_kill inst1_worker1
	run --separate-stderr lmcctl --no-headers version
	assert_failure 3
	assert_equal "$(echo "$output" | grep -c ' ok$')" 5
	# the failed node is a row too, in node order, its STATUS the error
	assert_line --index 2 --regexp '^inst1_worker1 +- +(unreachable: |HTTP 502: )'
	[[ $stderr == *"inst1_worker1: "* ]]
}

@test "every target killed: unreachable (5)" {
	cluster_kill inst1_worker0
	cluster_kill inst1_worker1
	run lmcctl health -l role=worker --instance inst1
	assert_failure 5
	assert_output --partial 'inst1_worker0: HTTP 502'
}

@test "a hung node (SIGSTOP): timeout (6) alone, partial (3) with others" {
	cluster_hang inst2_worker0
	run lmcctl --timeout 1 version inst2_worker0
	assert_failure 6
	assert_output --partial 'inst2_worker0: timed out'
	run lmcctl --timeout 1 --no-headers version
	assert_failure 3
}

@test "registry down: unreachable (5)" {
	kill "$(cat "$T/registry.pid")"
	wait_until 10 eval "! curl -s -o /dev/null $REGISTRY_URL/health"
	run lmcctl nodes
	assert_failure 5
	assert_output --partial "cannot list nodes of registry $REGISTRY_URL"
}

@test "a frontend down: its nodes missing, the run partial (3); all frontends down: 5" {
	cluster_frontend_crash fe1
	run --separate-stderr lmcctl --no-headers version
	assert_failure 3
	assert_equal "$(echo "$output" | wc -l)" 3
	[[ $stderr == *"cannot list nodes of frontend $FE1_URL"* ]]
	run lmcctl version inst1_worker0
	assert_failure 5
	assert_output --partial "no node matches 'inst1_worker0' among the nodes that could be listed"
	run lmcctl version inst2_worker0
	assert_success
	run lmcctl version 'inst2_*'
	assert_failure 3
	cluster_frontend_crash fe2
	run lmcctl version
	assert_failure 5
}

@test "-o json: one object per node, parsed back with jq, failures included" {
	cluster_kill inst2_scheduler
	run --separate-stderr lmcctl -o json version
	assert_failure 3
	assert_equal "$(jq length <<<"$output")" 6
	assert_equal "$(jq -r '[.[] | select(.ok)] | length' <<<"$output")" 5
	assert_equal "$(jq -r '.[] | select(.node == "inst1_worker0") | .result' <<<"$output")" 0.1.0-demo
	assert_equal "$(jq -r '.[] | select(.node == "inst1_worker0") | .status' <<<"$output")" 200
	json_true '.[] | select(.node == "inst2_scheduler") | .ok == false and .result == null and
	       (.error | length > 0) and .status == 502' <<<"$output"
	json_true 'all(.[]; has("took_ms") and (.took_ms | type == "number"))' <<<"$output"
}

@test "set-log-level across all workers, read back with log-level" {
	run lmcctl set-log-level lmcache.v1.cache_engine DEBUG -l role=worker
	assert_success
	run lmcctl --no-headers log-level lmcache.v1.cache_engine
	assert_success
	assert_equal "$(echo "$output" | grep -cE ' DEBUG +ok$')" 4
	assert_equal "$(echo "$output" | grep -cE ' WARNING +ok$')" 2
	assert_line --regexp '^inst1_scheduler +lmcache\.v1\.cache_engine +WARNING +ok$'
	run lmcctl -o json log-level lmcache.v1.cache_engine -l role=worker
	assert_equal "$(jq -r '[.[].result["lmcache.v1.cache_engine"]] | unique | join(",")' <<<"$output")" DEBUG
}

@test "set-log-level needs named targets or --all (2); an unknown logger is not found (4)" {
	run lmcctl set-log-level lmcache DEBUG
	assert_failure 2
	assert_output --partial 'pass --all'
	run lmcctl set-log-level no.such.logger DEBUG --all
	assert_failure 4
	assert_output --partial "no logger matches 'no.such.logger'"
	run lmcctl --no-headers log-level 'no.such*'
	assert_failure 4
}

@test "config set on one node, then config diff shows that key only, with each node's value" {
	run lmcctl -o json config diff 'max_*' 'save_*' -l role=worker
	assert_success
	json_true 'length == 4 and all(.[]; .ok and .result == {})' <<<"$output"
	run lmcctl --no-headers config diff -n inst1_scheduler -n inst2_scheduler
	assert_line --regexp '^inst2_scheduler +lmcache_instance_id +inst2 +ok$'
	run lmcctl config set max_local_cpu_size=7.5 save_decode_cache=true -n inst2_worker1
	assert_success
	run lmcctl --no-headers config diff 'max_*' 'save_*' -l role=worker
	assert_success
	assert_line --regexp '^inst2_worker1 +max_local_cpu_size +7\.5 +ok$'
	assert_line --regexp '^inst1_worker0 +max_local_cpu_size +5\.0 +ok$'
	assert_line --regexp '^inst2_worker1 +save_decode_cache +true +ok$'
	assert_equal "$(echo "$output" | wc -l)" 8
	run lmcctl -o json config diff 'max_*' -l role=worker
	assert_equal "$(jq -c '[.[] | .result.max_local_cpu_size] | sort' <<<"$output")" '[5,5,5,7.5]'
}

# audited FE_URL: the frontend's count of changing requests and refusals (its /metrics).
audited() {
	curl -sf "$1/metrics" | awk '/^lmcache_frontend_audited_requests_total / { print $2 }'
}

@test "a frontend's nodes are asked in one batch (POST /api/fanout): the changes audited there" {
	cluster_have_frontend || skip "lmcache-frontend not built"
	before=$(audited "$FE1_URL")
	run lmcctl --no-headers set-log-level lmcache.v1.cache_engine DEBUG --all
	assert_success
	assert_equal "$(grep -c ' changed ' <<<"$output")" 6
	# two batches (the levels read, then set), and one line for each of the three changes;
	# each node asked through /proxy2 instead would leave the count as it was
	assert_equal "$(($(audited "$FE1_URL") - before))" 5
	run lmcctl --no-headers log-level lmcache.v1.cache_engine
	assert_equal "$(grep -cE ' DEBUG +ok$' <<<"$output")" 6
}

@test "a read too large for a batch is asked again alone; a change is not sent twice" {
	cluster_have_frontend || skip "lmcache-frontend not built"
	port=$(free_port)
	lmc_bg echo python3 "$FIXTURES/frontend/echo.py" "$port"
	wait_for_http "http://127.0.0.1:$port/" 10
	fport=$(free_port)
	lmc_bg fe-echo lmcache-frontend --port "$fport" --log-level debug --nodes \
		"[{\"name\":\"e1\",\"host\":\"127.0.0.1\",\"port\":$port},
		  {\"name\":\"e2\",\"host\":\"127.0.0.1\",\"port\":$port},
		  {\"name\":\"gone\",\"host\":\"localhost\",\"port\":\"$T/gone.sock\"}]"
	wait_for_http "http://127.0.0.1:$fport/health" 10
	export LMCACHE_FRONTEND=http://127.0.0.1:$fport LMCACHE_REGISTRY=
	run --separate-stderr lmcctl -o json call GET /big/300000 --all
	assert_failure 3
	assert_equal "$(jq -c 'map({node, status, ok})' <<<"$output")" \
		'[{"node":"e1","status":200,"ok":true},{"node":"e2","status":200,"ok":true},{"node":"gone","status":502,"ok":false}]'
	assert_equal "$(jq -c '[.[] | select(.ok) | .result | length]' <<<"$output")" '[300000,300000]'
	assert_equal "$(jq -r '.[2].error' <<<"$output")" "HTTP 502: Failed to connect to socket: $T/gone.sock"
	# one batch of three, then e1 and e2 alone through /proxy2
	assert_equal "$(grep -c 'POST /api/fanout -> 200' "$T/fe-echo.log")" 1
	assert_equal "$(grep -c 'GET /proxy2/e[12]/big/300000 -> 200' "$T/fe-echo.log")" 2
	run --separate-stderr lmcctl -o json call POST /big/300000 e1 e2
	assert_failure 1
	assert_equal "$(jq -c 'map(.status)' <<<"$output")" '[200,200]'
	assert_output --partial 'sent once, not again'
	assert_equal "$(grep -c 'POST /api/fanout -> 200' "$T/fe-echo.log")" 2
	refute grep -q 'POST /proxy2/e[12]/big' "$T/fe-echo.log"
}
