# Helpers for the agent's bats tests (tests/bats/agent-*.bats): demo nodes in $T reached
# over a unix socket and over TCP. Load after ../helpers/common.

# agent_start_pair [demo flags...]: one scheduler on the unix socket $UNIX_SOCK and one on
# TCP at $TCP_URL, both with the given flags, both answering.
agent_start_pair() {
	local port
	port=$(free_port)
	UNIX_SOCK="$T/api/sock_6999"
	TCP_URL="http://127.0.0.1:$port"
	lmc_bg unix lmcache-demo-node --role scheduler --socket-prefix "$T/api/sock" --tick-ms 20 "$@"
	lmc_bg tcp lmcache-demo-node --role scheduler --port-start "$port" --tick-ms 20 "$@"
	wait_for_socket "$UNIX_SOCK"
	wait_for_http "http://localhost/healthcheck" 10 --unix-socket "$UNIX_SOCK"
	wait_for_http "$TCP_URL/healthcheck" 10
}

# agent_setup [demo flags...]: lmc_setup, then agent_start_pair with the flags.
agent_setup() {
	lmc_setup
	agent_start_pair "$@"
}

# agent_worker_unix NAME WORKER_ID [flags...]: a worker on $T/api/sock_<6999+1+id>.
agent_worker_unix() {
	local name=$1 id=$2
	shift 2
	lmc_bg "$name" lmcache-demo-node --role worker --worker-id "$id" \
		--socket-prefix "$T/api/sock" --tick-ms 20 "$@"
	wait_for_socket "$T/api/sock_$((7000 + id))"
	wait_for_http "http://localhost/version" 10 --unix-socket "$T/api/sock_$((7000 + id))"
}

# http VIA METHOD PATH [curl args...]: VIA is unix or tcp. Sets $code (HTTP status),
# $body and $ctype (Content-Type).
http() {
	local via=$1 method=$2 path=$3 url
	shift 3
	local args=(-sS --max-time 20 -o "$T/body" -D "$T/headers" -w '%{http_code}')
	[ "$method" = GET ] || args+=(-X "$method")
	if [ "$via" = unix ]; then
		args+=(--unix-socket "$UNIX_SOCK")
		url="http://localhost$path"
	else
		url="$TCP_URL$path"
	fi
	code=$(curl "${args[@]}" "$@" "$url") || code=000
	body=$(cat "$T/body")
	ctype=$(sed -n 's/^[Cc]ontent-[Tt]ype: *//p' "$T/headers" | tr -d '\r')
}

# still_serving VIA: the node still answers /version.
still_serving() {
	http "$1" GET /version
	[ "$code" = 200 ]
}

# metric_value FILE NAME: the first sample value of metric NAME in an exposition.
metric_value() {
	awk -v n="$2" '$1 == n || index($1, n "{") == 1 { print $NF; exit }' "$1"
}
