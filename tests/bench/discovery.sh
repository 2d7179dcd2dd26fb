#!/bin/bash
# lmcache-discovery (issue 18). Memory store with 100,000 entries: heartbeats per second (wrk,
# keep-alive, 100,000 distinct api_address values) and the time to list them
# (GET /lmcache_infos, best of 5 with curl). Targets: >= 50,000 heartbeats/s, listing
# < 200 ms. The etcd store (a real etcd on loopback) with 10,000 entries: the time to list,
# best of 5, target < 500 ms. DISCOVERY_ENTRIES / DISCOVERY_ETCD_ENTRIES change the counts.
. "$LMC_SRCDIR/tests/bench/lib.sh"
bench_init discovery
bench_need src/discovery/lmcache-discovery
bench_need_cmd wrk
ENTRIES=${DISCOVERY_ENTRIES:-100000}
ETCD_ENTRIES=${DISCOVERY_ETCD_ENTRIES:-10000}

# hb_lua N: a wrk script cycling through N distinct api_address values (10.x.y.z:8000).
hb_lua() {
	cat <<LUA
counter = 0
request = function()
  counter = counter + 1
  local i = counter % $1
  return wrk.format("GET", "/lmcache_heartbeat?api_address=http%3A%2F%2F10." ..
    math.floor(i / 65536) .. "." .. (math.floor(i / 256) % 256) .. "." .. (i % 256) ..
    ":8000&pid=12&version=0.3.9&other_info=%7B%22nodes_count%22%3A+2%7D")
end
LUA
}
# fill URL N: heartbeats for all N addresses, one curl process per 1,000 (keep-alive).
fill() {
	local url=$1 n=$2 i j args
	for ((i = 0; i < n; i += 1000)); do
		args=()
		for ((j = i; j < i + 1000 && j < n; j++)); do
			args+=(-o /dev/null "$url/lmcache_heartbeat?api_address=http%3A%2F%2F10.$((j / 65536)).$((j / 256 % 256)).$((j % 256))%3A8000&pid=12&version=0.3.9")
		done
		curl -sf "${args[@]}" || return 1
	done
}
# list_ms URL: best of 5 listings (curl time_total), in ms.
list_ms() {
	for _ in 1 2 3 4 5; do curl -sf -o /dev/null -w '%{time_total}\n' "$1/lmcache_infos"; done |
		sort -n | head -1 | awk '{ printf "%.1f", $1 * 1000 }'
}

# CPU time (utime + stime) of a process so far, in ms: on a loaded machine the listing's wall
# time is mostly waiting; its CPU cost, split between etcd and the registry, is not.
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' "/proc/$1/stat"; }

port=$(bench_free_port)
url="http://127.0.0.1:$port"
bench_bg discovery "$B/src/discovery/lmcache-discovery" --port "$port" --ttl 600 \
	--max-entries "$ENTRIES" --log-level warn
mem_pid=$LAST_PID
bench_wait_http "$url/health"
fill "$url" "$ENTRIES" || { echo "filling the registry failed" >&2; exit 1; }
hb_lua "$ENTRIES" >"$T/hb.lua"
# Only answered heartbeats count: a run with errors or non-2xx answers is reported as such.
rps=$(for _ in $(seq 1 "$REPEAT"); do
	wrk -t1 -c"$CONNS" -d"${SECS}s" -s "$T/hb.lua" "$url" | tee -a "$T/wrk.out" |
		awk '/Requests\/sec/ {print $2}'
done | sort -n | tail -1)
bad=$(awk '/Non-2xx|Socket errors/ { print }' "$T/wrk.out" | head -1)
n=$(curl -sf "$url/lmcache_infos" | jq .processCount)
size=$(curl -s "$url/lmcache_infos" | wc -c)
c0=$(cpu_ms "$mem_pid")
ms=$(list_ms "$url")
mem_cpu=$(( ($(cpu_ms "$mem_pid") - c0) / 5 ))
echo "workload: wrk, $CONNS conns, best of $REPEAT x ${SECS}s of heartbeats" \
	"from $ENTRIES distinct api_address values, registry holding $n entries"
bench_row "discovery: heartbeats/s" \
	"GET /lmcache_heartbeat, $CONNS conns keep-alive, ${SECS}s, $n entries" \
	req/s "$rps" "" "" min 50000 "$bad"
note="CPU per listing: registry $mem_cpu ms"
[ "$n" = "$ENTRIES" ] || note="$note; $n entries listed, not $ENTRIES"
bench_row "discovery: /lmcache_infos" "GET /lmcache_infos of $n entries ($size bytes), best of 5" \
	ms "$ms" "" "" max 200 "$note"

# The etcd store.
if ! command -v etcd >/dev/null; then
	echo "skipped: etcd not installed"
	exit 0
fi
eport=$(bench_free_port) peer=$(bench_free_port)
bench_bg etcd etcd --name b --data-dir "$T/etcd-data" \
	--listen-client-urls "http://127.0.0.1:$eport" --advertise-client-urls "http://127.0.0.1:$eport" \
	--listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
	--initial-cluster "b=http://127.0.0.1:$peer" --log-level error
etcd_pid=$LAST_PID
bench_wait_http "http://127.0.0.1:$eport/health"
dport=$(bench_free_port)
eurl="http://127.0.0.1:$dport"
bench_bg discovery-etcd "$B/src/discovery/lmcache-discovery" --port "$dport" --ttl 600 \
	--store "etcd://127.0.0.1:$eport/bench" --log-level warn
disc_pid=$LAST_PID
bench_wait_http "$eurl/health"
t0=$(date +%s.%N)
fill "$eurl" "$ETCD_ENTRIES" || { echo "filling the etcd store failed" >&2; exit 1; }
fill_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
n=$(curl -sf "$eurl/lmcache_infos" | jq .processCount)
e0=$(cpu_ms "$etcd_pid") d0=$(cpu_ms "$disc_pid")
ms=$(list_ms "$eurl")
e_cpu=$(( ($(cpu_ms "$etcd_pid") - e0) / 5 )) d_cpu=$(( ($(cpu_ms "$disc_pid") - d0) / 5 ))
note="CPU per listing: etcd $e_cpu ms, registry $d_cpu ms; filled in $fill_s s"
[ "$n" = "$ETCD_ENTRIES" ] || note="$note; $n entries listed, not $ETCD_ENTRIES"
bench_row "discovery etcd: /lmcache_infos" "GET /lmcache_infos of $n entries in etcd, best of 5" \
	ms "$ms" "" "" max 500 "$note"
