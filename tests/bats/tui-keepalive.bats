#!/usr/bin/env bats
# lmcache-top keeps its connections to the registry and the frontend from one refresh to the
# next: the cluster walk runs on the collector's HTTP client (src/common/cluster.h, http).
# nginx stands in front of a real registry and a real frontend and logs, for each request,
# the serial number of the connection it came on.

load ../helpers/common
load ../helpers/cluster
load ../helpers/tui

setup() {
	lmc_setup
	cluster_node inst1 scheduler
	cluster_frontend fe1 inst1_scheduler # before the registry: it does not register itself
	cluster_registry
	RP=$(free_port) FP=$(free_port)
	cluster_nginx_log "$T/ng" "$RP" "$REGISTRY_URL" "$FP" "$FE1_URL"
	wait_for_http "http://127.0.0.1:$FP/health" 10
	cluster_register "http://127.0.0.1:$FP"
}

teardown() {
	tui_stop
	lmc_teardown
}

# conns PORT: how many connections nginx took on PORT; reqs PORT PATH: requests for PATH.
conns() { awk -v p="$1" '$1 == p { c[$2] = 1 } END { print length(c) }' "$T/ng/req.log"; }
reqs() { awk -v p="$1" -v u="$2" '$1 == p && $3 == u' "$T/ng/req.log" | wc -l; }

@test "twelve refreshes of lmcache-top on one connection to the registry, few to the frontend" {
	: >"$T/ng/req.log" # the checks above are not lmcache-top's
	tui_start --registry "http://127.0.0.1:$RP" -d 0.1 --max-iterations 12
	wait_until 60 eval '! tui_running'
	assert_equal "$(tui_status)" 0
	# the listing in refreshes 1, 6 and 11 (every fifth: nothing changed), on one connection
	assert_equal "$(reqs "$RP" /lmcache_infos)" 3
	assert_equal "$(conns "$RP")" 1
	# the frontend: its /api/nodes with each listing, its merged /metrics every refresh and
	# the node's endpoints through /proxy2, on as many connections as one refresh asks at
	# once, not a new one per refresh
	assert_equal "$(reqs "$FP" /api/nodes)" 3
	[ "$(awk -v p="$FP" '$1 == p && $3 ~ /^\/metrics\?/' "$T/ng/req.log" | wc -l)" -eq 12 ]
	local n
	n=$(conns "$FP")
	[ "$n" -ge 1 ] && [ "$n" -lt 6 ] || fail "$n connections to the frontend in 12 refreshes"
}

@test "a frontend listed but not reached: the listing is read again every refresh" {
	cluster_register "http://127.0.0.1:$(free_port)" # nothing listens there
	: >"$T/ng/req.log"
	tui_start --registry "http://127.0.0.1:$RP" -d 0.1 --max-iterations 6
	wait_until 60 eval '! tui_running'
	assert_equal "$(tui_status)" 0
	# its /api/nodes fails each time, so each refresh lists again (2 of 6 when nothing fails)
	assert_equal "$(reqs "$RP" /lmcache_infos)" 6
}

@test "a frontend gone between its listing and its /metrics: the listing is read again next refresh" {
	local port
	port=$(free_port)
	lmc_bg once python3 "$FIXTURES/tui/once-frontend.py" "$port"
	wait_for_http "http://127.0.0.1:$port/health" 10
	cluster_register "http://127.0.0.1:$port"
	: >"$T/ng/req.log"
	tui_start --registry "http://127.0.0.1:$RP" -d 0.1 --max-iterations 3
	wait_until 60 eval '! tui_running'
	assert_equal "$(tui_status)" 0
	# refresh 1 lists it and then finds it gone at its merged /metrics, so refresh 2 lists
	# again, and its failed listing makes refresh 3 list again (1 of 3 when nothing fails)
	assert_equal "$(reqs "$RP" /lmcache_infos)" 3
}
