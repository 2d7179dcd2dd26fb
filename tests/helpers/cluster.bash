# A local LMCache-style cluster made of real processes, for the lmcctl and lmcache-top tests.
# Load after ../helpers/common (it uses $T, lmc_bg, free_port, wait_for_*).
#
#   cluster_start              registry + two instances (inst1, inst2), each a scheduler and
#                              two workers (lmcache-demo-node on unix sockets in $T/n) behind
#                              its own frontend (fe1, fe2) registered in the registry; returns
#                              once every node is listed through the registry.
#   cluster_registry           only the registry (sets REGISTRY_URL, LMCACHE_REGISTRY)
#   cluster_node INSTANCE ROLE [WORKER_ID] [demo flags...]
#                              one more demo node; its socket is $T/n/<name>.sock
#                              (CLUSTER_NODE_CMD: another program taking the demo's
#                              flags, e.g. "python3 tests/python/python-node.py")
#   cluster_hello_script FILE  a /run_script script printing "hello from 42" on these nodes
#   cluster_frontend NAME NODE...   a frontend for those nodes (sets <NAME>_URL, e.g. FE1_URL)
#   cluster_frontend_crash NAME     a frontend dies (without deregistering)
#   cluster_central NAME FE...  a frontend whose nodes are other frontends (two hops)
#   cluster_fixture_node DIR   an HTTP server answering like an LMCache node from the
#                              captured answers in DIR (sets FIXTURE_URL)
#   cluster_register URL       a heartbeat for a frontend at URL into the registry
#   cluster_nginx_log DIR PORT URL...  nginx in front of URLs, logging requests (DIR/req.log)
#   cluster_sock NAME          the unix socket of node NAME
#   cluster_pid NAME           the pid of node NAME's process
#   cluster_kill NAME          SIGKILL to a node, waits until it is gone
#   cluster_hang NAME          SIGSTOP to a node (it accepts connections, never answers)
#   cluster_teardown           use instead of lmc_teardown: resumes hung nodes first
#   cluster_wait_listed N      until the registry lists N nodes
#
# Variables: REGISTRY_URL (also exported as LMCACHE_REGISTRY), FE1_URL, FE2_URL, NODES (the
# six node names).
#
# Frontends are lmcache-frontend when it is built; otherwise (or with CLUSTER_NGINX=1)
# nginx (Debian's nginx-light) serving the frontend protocol's /api/nodes document and
# forwarding /proxy2/<node>/ to each node's socket; a node whose socket is gone answers 502
# through either.

cluster_sock() { echo "$T/n/$1.sock"; }
cluster_pid() { cat "$T/node-$1.pid"; }

# cluster_node INSTANCE ROLE [WORKER_ID] [flags...]
cluster_node() {
	local inst=$1 role=$2 id=${3:-0} name port
	shift 2
	[ $# -gt 0 ] && shift
	if [ "$role" = scheduler ]; then name=${inst}_scheduler port=6999; else
		name=${inst}_worker$id port=$((7000 + id)); fi
	mkdir -p "$T/n/$name"
	lmc_bg "node-$name" ${CLUSTER_NODE_CMD:-lmcache-demo-node} --role "$role" --worker-id "$id" \
		--instance-id "$inst" --socket-prefix "$T/n/$name/s" --tick-ms 100 "$@"
	wait_for_socket "$T/n/$name/s_$port"
	ln -sf "$T/n/$name/s_$port" "$(cluster_sock "$name")"
	wait_for_http "http://localhost/healthcheck" 10 --unix-socket "$(cluster_sock "$name")"
}

cluster_hello_script() {
	case ${CLUSTER_NODE_CMD:-} in
	*.py) printf 'result = "hello from %%d" %% (6 * 7)\n' ;; # Python nodes run Python, as LMCache's
	*) printf 'echo hello from $((6 * 7))\n' ;;               # the demo node runs sh
	esac >"$1"
}

cluster_kill() {
	local pid
	pid=$(cluster_pid "$1")
	kill -KILL "$pid"
	wait_until 10 eval "! kill -0 $pid 2>/dev/null"
}

cluster_hang() {
	cluster_pid "$1" >>"$T/stopped"
	kill -STOP "$(cluster_pid "$1")"
}

# cluster_teardown: lets hung nodes go on (so they stop at once), then lmc_teardown.
cluster_teardown() {
	local pid
	if [ -n "${T:-}" ] && [ -f "$T/stopped" ]; then
		while read -r pid; do kill -CONT "$pid" 2>/dev/null; done <"$T/stopped"
	fi
	lmc_teardown
}

# The /api/nodes document of a frontend for nodes $2... on port $1, as LMCache's frontend
# started with --nodes writes it: one proxy called local_proxy.
cluster_nodes_json() {
	local port=$1 n
	shift
	for n in "$@"; do
		jq -n --arg n "$n" --arg s "$(cluster_sock "$n")" \
			'{id: "node_\($n)", name: $n, host: "localhost", port: $s, is_proxy: false,
			  proxy_id: "local_proxy"}'
	done | jq -s --argjson p "$port" \
		'{nodes: [{id: "proxy_local_proxy", name: "local_proxy", host: "127.0.0.1", port: $p,
		  is_proxy: true, children: .}]}'
}

# cluster_nginx_head DIR: the start of an nginx.conf that runs from DIR (its log, pid and
# temp files there), up to the inside of http { }; the caller adds servers and the "}".
cluster_nginx_head() {
	cat <<-CONF
	user $(id -un);
	worker_processes 1;
	error_log $1/error.log;
	pid $1/nginx.pid;
	events { worker_connections 256; }
	http {
	    access_log off;
	    client_body_temp_path $1/tmp; proxy_temp_path $1/tmp;
	    fastcgi_temp_path $1/tmp; uwsgi_temp_path $1/tmp; scgi_temp_path $1/tmp;
	CONF
}

# cluster_nginx_log DIR PORT URL [PORT URL...]: nginx forwarding each loopback PORT to URL
# and logging every request to DIR/req.log as "port connection uri". NGINX_LOCATION, when
# set, is one more line of each server (a location of its own, answering instead of URL).
cluster_nginx_log() {
	local dir=$1
	shift
	mkdir -p "$dir/tmp"
	{
		cluster_nginx_head "$dir"
		echo "    log_format req '\$server_port \$connection \$request_uri';"
		while [ $# -ge 2 ]; do
			printf '    server { listen 127.0.0.1:%s; access_log %s/req.log req;\n' "$1" "$dir"
			[ -z "${NGINX_LOCATION:-}" ] || printf '             %s\n' "$NGINX_LOCATION"
			printf '             location / { proxy_pass %s; } }\n' "$2"
			shift 2
		done
		echo "}"
	} >"$dir/nginx.conf"
	lmc_bg "nginx-$(basename "$dir")" nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;'
}

cluster_nginx_conf() {
	local dir=$1 port=$2 n
	shift 2
	cluster_nginx_head "$dir"
	cat <<-CONF
	    server {
	        listen 127.0.0.1:$port;
	        location = /health { default_type application/json; return 200 '{"status": "healthy"}'; }
	        location = /api/nodes { default_type application/json; alias $dir/nodes.json; }
	CONF
	for n in "$@"; do
		printf '        location /proxy2/%s/ { proxy_pass http://unix:%s:/; }\n' "$n" "$(cluster_sock "$n")"
	done
	printf '        location /proxy2/ { default_type application/json; return 404 %s; }\n    }\n}\n' \
		"'{\"detail\": \"Node not found\"}'"
}

# cluster_frontend NAME NODE...: sets ${NAME^^}_URL. lmcache-frontend when it is built
# (heartbeating into the registry when one runs), else nginx.
cluster_frontend() {
	local fe=$1 port
	shift
	port=$(free_port)
	if cluster_have_frontend; then
		cluster_frontend_real "$fe" "$port" "$@"
	else
		cluster_frontend_nginx "$fe" "$port" "$@"
	fi
	wait_for_http "http://127.0.0.1:$port/health" 10
	printf -v "${fe^^}_URL" '%s' "http://127.0.0.1:$port"
}

cluster_have_frontend() {
	[ -z "${CLUSTER_NGINX:-}" ] && command -v lmcache-frontend >/dev/null
}

cluster_frontend_real() {
	local fe=$1 port=$2 n hb=()
	shift 2
	[ -n "${REGISTRY_URL:-}" ] && hb=(--heartbeat-url "$REGISTRY_URL/lmcache_heartbeat")
	for n in "$@"; do
		jq -n --arg n "$n" --arg s "$(cluster_sock "$n")" '{name: $n, host: "localhost", port: $s}'
	done | jq -sc . >"$T/fe-$fe.nodes"
	lmc_bg "fe-$fe" lmcache-frontend --port "$port" --nodes "$(cat "$T/fe-$fe.nodes")" \
		"${hb[@]}" --log-level error
}

cluster_frontend_nginx() {
	local fe=$1 port=$2 dir="$T/fe-$1"
	shift 2
	mkdir -p "$dir/tmp"
	cluster_nodes_json "$port" "$@" >"$dir/nodes.json"
	cluster_nginx_conf "$dir" "$port" "$@" >"$dir/nginx.conf"
	lmc_bg "fe-$fe" nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;'
}

# cluster_frontend_crash NAME: the frontend dies without deregistering; waits until its
# port is closed. (lmcache-frontend deregisters on SIGTERM, so it gets SIGKILL; nginx
# never registers itself, and its workers outlive a killed master, so it gets SIGTERM.)
cluster_frontend_crash() {
	local url=${1^^}_URL sig=TERM
	cluster_have_frontend && sig=KILL
	kill -"$sig" "$(cat "$T/fe-$1.pid")"
	wait_until 10 eval "! curl -s -o /dev/null ${!url}/health"
}

# cluster_central NAME FE...: a frontend whose nodes are the frontends FE (started with
# cluster_frontend): lmcache-frontend with the registry as its node supplier, or nginx
# listing them as proxy nodes and forwarding /proxy2/<FE>/ to them (the two-hop form);
# sets ${NAME^^}_URL.
cluster_central() {
	local name=$1 dir="$T/fe-$1" port fe url
	shift
	port=$(free_port)
	if cluster_have_frontend; then
		lmc_bg "fe-$name" lmcache-frontend --port "$port" --log-level error \
			--node-supplier-url "$REGISTRY_URL/lmcache_infos"
		wait_for_http "http://127.0.0.1:$port/health" 10
		printf -v "${name^^}_URL" '%s' "http://127.0.0.1:$port"
		return
	fi
	mkdir -p "$dir/tmp"
	for fe in "$@"; do
		url=${fe^^}_URL
		jq -n --arg n "$fe" --argjson p "${!url##*:}" \
			'{name: $n, host: "127.0.0.1", port: $p, is_proxy: true, proxy_id: "proxy_0"}'
	done | jq -s --arg c "$name" '{nodes: [{id: "proxy_0", name: $c, is_proxy: true, children: .}]}' \
		>"$dir/nodes.json"
	{
		cluster_nginx_conf "$dir" "$port" | sed '/location \/proxy2\/ /,$d'
		for fe in "$@"; do
			url=${fe^^}_URL
			printf '        location /proxy2/%s/ { proxy_pass %s/; }\n' "$fe" "${!url}"
		done
		printf '    }\n}\n'
	} >"$dir/nginx.conf"
	lmc_bg "fe-$name" nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;'
	wait_for_http "http://127.0.0.1:$port/health" 10
	printf -v "${name^^}_URL" '%s' "http://127.0.0.1:$port"
}

# cluster_fixture_node DIR: nginx serving LMCache's answers captured in DIR (version.json,
# threads.txt, loglevel.txt, conf.txt, meta.txt, healthcheck.json, metrics.txt) with
# LMCache's content types (text JSON as text/plain), and an unhealthy node's 503 under the
# prefix /unhealthy (--url $FIXTURE_URL/unhealthy), a node without /healthcheck under
# /nohealth; every other route is 404.
cluster_fixture_node() {
	local src=$1 dir="$T/fixture-node" port
	port=$(free_port)
	mkdir -p "$dir/tmp"
	{
		cluster_nginx_conf "$dir" "$port" | sed '/location = \/health /,$d'
		printf '        location = /version { default_type application/json; alias %s/version.json; }\n' "$src"
		printf '        location = /healthcheck { default_type application/json; alias %s/healthcheck.json; }\n' "$src"
		for f in threads loglevel conf meta metrics; do
			printf '        location = /%s { default_type text/plain; alias %s/%s.txt; }\n' "$f" "$src" "$f"
		done
		printf '        location = /unhealthy/healthcheck { default_type application/json; return 503 %s; }\n' \
			"'{\"status\": \"unhealthy\", \"reason\": \"cache engine not initialized\"}'"
		# LMCache's in-process server: no health route (every other route of it answers)
		printf '        location = /nohealth/version { default_type application/json; alias %s/version.json; }\n' "$src"
		# a node whose /meta answers JSON that is not an object
		printf '        location = /list/meta { default_type text/plain; return 200 %s; }\n' "'[1, 2]'"
		printf '        location / { return 404 %s; }\n    }\n}\n' "'{\"detail\": \"Not Found\"}'"
	} >"$dir/nginx.conf"
	lmc_bg fixture-node nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;'
	wait_for_http "http://127.0.0.1:$port/version" 10
	FIXTURE_URL="http://127.0.0.1:$port"
}

cluster_register() {
	curl -sS -G "$REGISTRY_URL/lmcache_heartbeat" --data-urlencode "api_address=$1" \
		--data-urlencode "pid=$$" --data-urlencode "version=test" >/dev/null
}

cluster_registry() {
	local port
	port=$(free_port)
	lmc_bg registry lmcache-discovery --port "$port" --ttl 3600 --log-level error
	wait_for_http "http://127.0.0.1:$port/health" 10
	REGISTRY_URL="http://127.0.0.1:$port"
	export LMCACHE_REGISTRY=$REGISTRY_URL
}

cluster_listed_count() {
	lmcctl --registry "$REGISTRY_URL" --no-headers nodes 2>/dev/null | wc -l
}

cluster_wait_listed() {
	wait_until 20 eval "[ \"\$(cluster_listed_count)\" -eq $1 ]"
}

cluster_start() {
	local inst id
	NODES=()
	cluster_registry
	for inst in inst1 inst2; do
		cluster_node "$inst" scheduler
		NODES+=("${inst}_scheduler")
		for id in 0 1; do
			cluster_node "$inst" worker "$id"
			NODES+=("${inst}_worker$id")
		done
	done
	cluster_frontend fe1 inst1_scheduler inst1_worker0 inst1_worker1
	cluster_frontend fe2 inst2_scheduler inst2_worker0 inst2_worker1
	if ! cluster_have_frontend; then # lmcache-frontend heartbeats by itself
		cluster_register "$FE1_URL"
		cluster_register "$FE2_URL"
	fi
	cluster_wait_listed 6
}
