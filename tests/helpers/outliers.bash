# Four worker nodes with fixed answers behind nginx speaking the frontend protocol
# (/api/nodes, /proxy2/<node>/...), for the bottleneck hints (lmcctl diagnose, lmcache-top's
# Overview): inst_worker3's hit rate is low, inst_worker2 has a thread in disk-sleep, the
# rest are alike. Load after ../helpers/common and ../helpers/cluster; outliers_frontend
# sets FX_URL.

# fixture_metrics HIT REQUESTED RETRIEVE_SUM RETRIEVE_COUNT USAGE
fixture_metrics() {
	cat <<-EOF
	# TYPE lmcache:num_requested_tokens_total counter
	lmcache:num_requested_tokens_total{model_name="m",worker_id="0"} $2
	# TYPE lmcache:num_hit_tokens_total counter
	lmcache:num_hit_tokens_total{model_name="m",worker_id="0"} $1
	# TYPE lmcache:time_to_retrieve histogram
	lmcache:time_to_retrieve_bucket{model_name="m",worker_id="0",le="+Inf"} $4
	lmcache:time_to_retrieve_count{model_name="m",worker_id="0"} $4
	lmcache:time_to_retrieve_sum{model_name="m",worker_id="0"} $3
	# TYPE lmcache:local_cache_usage gauge
	lmcache:local_cache_usage{model_name="m",worker_id="0"} $5
	EOF
}

fixture_threads() {
	jq -n --arg s "$1" '[{thread_id: 1, name: "main", state: "sleeping", cpu_time: 1, frames: []},
		{thread_id: 2, name: "io", state: $s, cpu_time: 0, frames: []}]'
}

outliers_frontend() {
	local dir="$T/fx" port n
	port=$(free_port)
	mkdir -p "$dir/tmp"
	for n in 0 1 2 3; do mkdir -p "$dir/inst_worker$n"; done
	fixture_metrics 6000 10000 0.2 100 1073741824 >"$dir/inst_worker0/metrics"
	fixture_metrics 6100 10000 0.21 100 1073741824 >"$dir/inst_worker1/metrics"
	fixture_metrics 5900 10000 0.19 100 1173741824 >"$dir/inst_worker2/metrics"
	fixture_metrics 1000 10000 0.2 100 1073741824 >"$dir/inst_worker3/metrics"
	for n in 0 1 3; do fixture_threads sleeping >"$dir/inst_worker$n/threads"; done
	fixture_threads disk-sleep >"$dir/inst_worker2/threads"
	for n in 0 1 2 3; do
		jq -n --arg n "inst_worker$n" '{name: $n, host: "localhost", port: "/nonexistent", is_proxy: false, proxy_id: "proxy_0"}'
	done | jq -s --argjson p "$port" \
		'{nodes: [{id: "proxy_0", name: "local_proxy", host: "127.0.0.1", port: $p, is_proxy: true,
		  children: [to_entries[] | .value + {id: "node_\(.key)"}]}]}' >"$dir/nodes.json"
	{
		cluster_nginx_head "$dir"
		cat <<-CONF
	    server {
	        listen 127.0.0.1:$port;
	        default_type text/plain;
	        location = /health { return 200 '{"status": "healthy"}'; }
	        location = /api/nodes { default_type application/json; alias $dir/nodes.json; }
	        location /proxy2/ { alias $dir/; }
	    }
	}
	CONF
	} >"$dir/nginx.conf"
	lmc_bg fx nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;'
	wait_for_http "http://127.0.0.1:$port/health" 10
	FX_URL="http://127.0.0.1:$port"
}

