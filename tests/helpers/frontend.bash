# Helpers for lmcache-frontend's bats tests (tests/bats/frontend*.bats). Load after
# ../helpers/common. Nodes are lmcache-demo-node processes on unix sockets in $T.
#
#   fe_node INSTANCE ROLE [WORKER_ID]   a demo node; its socket is $(fe_sock NAME)
#   fe_instance INSTANCE NWORKERS       its scheduler and workers 0..NWORKERS-1 (fe_node each)
#   fe_sock NAME                        socket path of node NAME (<inst>_scheduler, <inst>_workerN)
#   fe_nodes_json NAME...               a --nodes list for those nodes
#   fe_start VAR [flags...]             a frontend on a free port; its URL in $VAR
#   fe_echo VAR                         the echo server (fixtures) on a free TCP port; port in $VAR
#   fe_central                          a registry, a leaf frontend FE1 for $NODES heartbeating
#                                       into it and a central frontend CENTRAL in node-supplier
#                                       mode; returns once CENTRAL lists FE1's leaves (sets FE1,
#                                       CENTRAL, PROXY: FE1's proxy name as LMCache names it)

fe_sock() {
	local port
	case $1 in
	*_scheduler) port=6999 ;;
	*) port=$((7000 + ${1##*_worker})) ;;
	esac
	echo "$T/$1/s_$port"
}

fe_node() {
	local inst=$1 role=$2 id=${3:-0} name
	if [ "$role" = scheduler ]; then name=${inst}_scheduler; else name=${inst}_worker$id; fi
	mkdir -p "$T/$name"
	lmc_bg "node-$name" lmcache-demo-node --role "$role" --worker-id "$id" --instance-id "$inst" \
		--socket-prefix "$T/$name/s" --tick-ms 0
	wait_for_socket "$(fe_sock "$name")"
	wait_for_http http://localhost/healthcheck 10 --unix-socket "$(fe_sock "$name")"
}

fe_instance() {
	local inst=$1 i
	fe_node "$inst" scheduler
	for ((i = 0; i < $2; i++)); do fe_node "$inst" worker "$i"; done
}

fe_nodes_json() {
	local n
	for n in "$@"; do
		jq -n --arg n "$n" --arg s "$(fe_sock "$n")" '{name: $n, host: "localhost", port: $s}'
	done | jq -cs .
}

fe_start() {
	local var=$1 port
	shift
	port=$(free_port)
	lmc_bg "fe-$var" lmcache-frontend --port "$port" "$@"
	printf -v "$var" 'http://127.0.0.1:%s' "$port"
	wait_for_http "http://127.0.0.1:$port/health"
}

fe_echo() {
	local port
	port=$(free_port)
	lmc_bg "echo-$1" python3 "$FIXTURES/frontend/echo.py" "$port"
	printf -v "$1" '%s' "$port"
	wait_for_http "http://127.0.0.1:$port/"
}

# fe_status URL [curl args...]: the HTTP status of a request.
fe_status() {
	local url=$1
	shift
	curl -s -o /dev/null -w '%{http_code}' --max-time 20 "$@" "$url"
}

fe_central() {
	local rport leaves
	rport=$(free_port)
	leaves=$(jq length <<<"$NODES")
	lmc_bg registry lmcache-discovery --port "$rport"
	wait_for_http "http://127.0.0.1:$rport/health"
	fe_start FE1 --nodes "$NODES" --heartbeat-url "http://127.0.0.1:$rport/lmcache_heartbeat"
	fe_start CENTRAL --node-supplier-url "http://127.0.0.1:$rport/lmcache_infos" \
		--node-supplier-interval 1
	wait_until 15 eval "[ \"\$(curl -s $CENTRAL/api/nodes | jq '.nodes[0].children | length')\" = $leaves ]"
	PROXY=proxy_127.0.0.1_${FE1##*:}
}
