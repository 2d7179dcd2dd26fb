# Helpers for the lmcache-discovery and heartbeat client tests. Load after ../helpers/common.

# start_discovery NAME ARGS...: runs lmcache-discovery on a free port; sets DISC_PORT and
# DISC_URL (and NAME_PORT for a second instance) and waits until /health answers.
start_discovery() {
	local name=$1 port
	shift
	port=$(free_port)
	lmc_bg "$name" lmcache-discovery --port "$port" "$@"
	wait_for_http "http://127.0.0.1:$port/health" 10
	DISC_PORT=$port
	DISC_URL="http://127.0.0.1:$port"
	printf -v "${name//-/_}_PORT" '%s' "$port"
}

# heartbeat URL API_ADDRESS [curl args...]: one LMCache-style heartbeat; prints the body.
heartbeat() {
	local url=$1 addr=$2
	shift 2
	curl -sS -G "$url/lmcache_heartbeat" --data-urlencode "api_address=$addr" "$@"
}

# heartbeat_status URL API_ADDRESS [curl args...]: the HTTP status of one heartbeat.
heartbeat_status() {
	local url=$1 addr=$2
	shift 2
	curl -s -o /dev/null -w '%{http_code}' -G "$url/lmcache_heartbeat" \
		--data-urlencode "api_address=$addr" "$@"
}

# listed URL: the api_addresses in the listing, sorted, one a line.
listed() {
	curl -sS "$1/lmcache_infos" | jq -r '.processInfos | keys[]' | sort
}

# count URL [QUERY]: processCount of the listing.
count() {
	curl -sS "$1/lmcache_infos${2:+?$2}" | jq -r .processCount
}

# count_is URL N: for wait_until.
count_is() {
	[ "$(count "$1")" = "$2" ]
}

# stop_bg NAME: SIGTERM to a background process, waits until it has exited.
stop_bg() {
	local pid
	pid=$(cat "$T/$1.pid")
	kill -TERM "$pid"
	wait_until 10 eval "! kill -0 $pid 2>/dev/null"
}

# start_etcd: Debian's etcd on free ports, its data in $T; sets ETCD_PORT.
start_etcd() {
	[ -n "${ETCD:-}" ] || skip "etcd not installed"
	ETCD_PORT=$(free_port)
	etcd_bg etcd
	wait_until 20 etcd_healthy
}

# etcd_bg NAME: (re)starts etcd as lmc_bg NAME on $ETCD_PORT, data in $T/etcd-data.
etcd_bg() {
	local peer
	peer=$(free_port)
	lmc_bg "$1" "$ETCD" --name t --data-dir "$T/etcd-data" \
		--listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
		--advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
		--listen-peer-urls "http://127.0.0.1:$peer" \
		--initial-advertise-peer-urls "http://127.0.0.1:$peer" \
		--initial-cluster "t=http://127.0.0.1:$peer" --log-level error
}

etcd_healthy() {
	curl -sf "http://127.0.0.1:$ETCD_PORT/health" | json_true '.health == "true"'
}
