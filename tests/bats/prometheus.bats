#!/usr/bin/env bats
# examples/prometheus and examples/grafana: the rules pass promtool's checks and unit tests,
# and a real Prometheus started from the shipped config finds every frontend through the
# registry's /http_sd and fires the shipped LMCacheNodeDown alert when a node dies.

load ../helpers/common
load ../helpers/cluster

EX="$LMC_SRCDIR/examples"

setup() { lmc_setup; }
teardown() { cluster_teardown; }

@test "prometheus examples: promtool checks the config and rules and runs the rule tests" {
	[ -n "${PROMTOOL:-}" ] || skip "promtool not installed"
	cp "$EX/prometheus/"*.yml "$T/"
	run "$PROMTOOL" check config "$T/prometheus.yml"
	assert_success
	run "$PROMTOOL" check rules "$T/lmcache-rules.yml"
	assert_success
	run "$PROMTOOL" test rules "$T/lmcache-rules.test.yml"
	assert_success
	# Every alert of the rules is tested firing (an exp_alerts with labels) and silent.
	for a in $(sed -n 's/^ *- alert: //p' "$T/lmcache-rules.yml"); do
		grep -A2 "alertname: $a\$" "$T/lmcache-rules.test.yml" | grep -q 'exp_alerts: \[\]'
		grep -A3 "alertname: $a\$" "$T/lmcache-rules.test.yml" | grep -q 'exp_labels:'
	done
	# A broken rule fails the tests: they are not vacuous.
	sed -i 's/lmcache_frontend_node_up == 0/lmcache_frontend_node_up == 2/' "$T/lmcache-rules.yml"
	run "$PROMTOOL" test rules "$T/lmcache-rules.test.yml"
	assert_failure
}

@test "grafana dashboard: valid JSON whose panels query the rules' and LMCache's series" {
	jq -e '.panels | length > 0' "$EX/grafana/lmcache-dashboard.json"
	run jq -r '.panels[].targets[].expr' "$EX/grafana/lmcache-dashboard.json"
	assert_success
	[ "${#lines[@]}" -ge 10 ]
}

# The shipped config with the test's registry and one-second intervals; the shipped rules
# with every `for:` shortened to one second. Expressions and labels are unchanged.
prometheus_start() {
	local dir="$T/prom" port=$1 reg=${REGISTRY_URL#http://}
	mkdir -p "$dir"
	sed -e "s/127.0.0.1:5000/$reg/g" -e 's/_interval: [0-9]*s/_interval: 1s/' \
		"$EX/prometheus/prometheus.yml" >"$dir/prometheus.yml"
	sed -e 's/^\( *\)for: .*/\1for: 1s/' "$EX/prometheus/lmcache-rules.yml" >"$dir/lmcache-rules.yml"
	lmc_bg prometheus prometheus --config.file="$dir/prometheus.yml" \
		--storage.tsdb.path="$dir/data" --web.listen-address="127.0.0.1:$port" \
		--log.level=warn
	PROM="http://127.0.0.1:$port"
	wait_for_http "$PROM/-/ready" 30
	wait_until 30 eval "curl -sf '$PROM/-/ready' >/dev/null"
}

prom_query() { curl -sfG "$PROM/api/v1/query" --data-urlencode "query=$1"; }

# How many frontend targets are up, as Prometheus sees them.
frontends_up() {
	curl -sf "$PROM/api/v1/targets" |
		jq '[.data.activeTargets[] | select(.labels.job == "lmcache-frontends" and .health == "up")] | length'
}

firing() {
	curl -sf "$PROM/api/v1/alerts" | jq -r --arg a "$1" \
		'.data.alerts[] | select(.labels.alertname == $a and .state == "firing") | .labels.node'
}

@test "prometheus: the shipped config discovers every frontend and fires LMCacheNodeDown" {
	command -v prometheus >/dev/null || skip "prometheus not installed"
	cluster_have_frontend || skip "needs lmcache-frontend's merged /metrics"
	cluster_registry
	cluster_node inst1 worker 0
	cluster_node inst1 worker 1
	cluster_node inst2 worker 0
	cluster_frontend fe1 inst1_worker0 inst1_worker1
	cluster_frontend fe2 inst2_worker0
	wait_until 10 eval '[ "$(curl -s "$REGISTRY_URL/http_sd" | jq length)" = 2 ]'
	run curl -sf "$REGISTRY_URL/http_sd"
	assert_success
	json_true '[.[].targets[0]] | sort == ([$a, $b] | sort)' --arg a "${FE1_URL#http://}" --arg b "${FE2_URL#http://}" <<<"$output"
	prometheus_start "$(free_port)"
	wait_until 30 eval '[ "$(frontends_up)" = 2 ]'
	# Every node is scraped through its frontend, labelled with the registry's address.
	wait_until 20 eval '[ "$(prom_query "sum(lmcache_frontend_node_up)" | jq -r ".data.result[0].value[1]")" = 3 ]'
	run prom_query 'count by (frontend) (lmcache_frontend_node_up)'
	json_true '.data.result | map(.metric.frontend) | index($a) != null' --arg a "$FE1_URL" <<<"$output"
	# Every dashboard expression is valid PromQL to this Prometheus.
	jq -r '.panels[].targets[].expr' "$EX/grafana/lmcache-dashboard.json" | sed 's/\$[a-z]*/.*/g' |
		while read -r q; do prom_query "$q" | json_true '.status == "success"' || {
			echo "dashboard query failed: $q" >&2; return 1; }; done
	[ -z "$(firing LMCacheNodeDown)" ]
	cluster_kill inst1_worker1
	wait_until 30 eval '[ "$(firing LMCacheNodeDown)" = inst1_worker1 ]'
	run firing LMCacheNodeDown
	assert_output inst1_worker1
}
