#!/bin/bash
# lmcache-discovery: heartbeats per second (wrk, 10,000 distinct frontends, keep-alive) and
# the time to list 10,000 entries (GET /lmcache_infos, best of 5 with curl). Targets:
# > 20,000 heartbeats/s, listing < 50 ms. (Written by the discovery engineer; reporting
# moved onto tests/bench/lib.sh.)
. "$LMC_SRCDIR/tests/bench/lib.sh"
bench_init discovery
bench_need src/discovery/lmcache-discovery
bench_need_cmd wrk
port=$(bench_free_port)
bench_bg discovery "$B/src/discovery/lmcache-discovery" --port "$port" --ttl 600 --log-level warn
bench_wait_http "http://127.0.0.1:$port/health"
cat >"$T/hb.lua" <<'LUA'
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/lmcache_heartbeat?api_address=http%3A%2F%2F10.0." ..
    (counter % 10000) .. ":8000&pid=12&version=0.3.9&other_info=%7B%22nodes_count%22%3A+2%7D")
end
LUA
rps=$(for _ in $(seq 1 "$REPEAT"); do
	wrk -t1 -c"$CONNS" -d"${SECS}s" -s "$T/hb.lua" "http://127.0.0.1:$port" |
		awk '/Requests\/sec/ {print $2}'
done | sort -n | tail -1)
n=$(curl -sf "http://127.0.0.1:$port/lmcache_infos" | jq .processCount)
best=$(for _ in 1 2 3 4 5; do
	curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/lmcache_infos"
done | sort -n | head -1)
ms=$(awk -v s="$best" 'BEGIN { printf "%.1f", s * 1000 }')
size=$(curl -s "http://127.0.0.1:$port/lmcache_infos" | wc -c)
echo "workload: wrk, $CONNS conns, best of $REPEAT x ${SECS}s of heartbeats" \
	"from 10,000 distinct api_address values"
bench_row "discovery: heartbeats/s" "GET /lmcache_heartbeat, $CONNS conns keep-alive, ${SECS}s" \
	req/s "$rps" "" "" min 20000
note=""
[ "$n" = 10000 ] || note="$n entries listed, not 10000"
bench_row "discovery: /lmcache_infos" "GET /lmcache_infos of $n entries ($size bytes), best of 5" \
	ms "$ms" "" "" max 50 "$note"
