#!/bin/sh
# lmcache-discovery: heartbeats per second (wrk, 10,000 distinct frontends) and the time
# to list 10,000 entries. Targets: > 20,000 heartbeats/s, listing < 50 ms.
set -eu
B="$LMC_BUILDDIR/src/discovery/lmcache-discovery"
T=$(mktemp -d /tmp/lmcb.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$B" --port "$port" --ttl 600 --log-level warn &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.05; done
cat >"$T/hb.lua" <<'LUA'
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/lmcache_heartbeat?api_address=http%3A%2F%2F10.0." ..
    (counter % 10000) .. ":8000&pid=12&version=0.3.9&other_info=%7B%22nodes_count%22%3A+2%7D")
end
LUA
rps=$(wrk -t2 -c32 -d5s -s "$T/hb.lua" "http://127.0.0.1:$port" | awk '/Requests\/sec/ {print $2}')
n=$(curl -sf "http://127.0.0.1:$port/lmcache_infos" | jq .processCount)
best=$(for _ in 1 2 3 4 5; do
	curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/lmcache_infos"
done | sort -n | head -1)
ms=$(awk -v s="$best" 'BEGIN { printf "%.1f", s * 1000 }')
echo "heartbeats/s: $rps (target > 20000); listing $n entries: $ms ms (target < 50)"
printf '{"bench":"discovery","heartbeats_per_s":%s,"listing_entries":%s,"listing_ms":%s}\n' \
	"$rps" "$n" "$ms" >>"$LMC_BUILDDIR/bench-results.jsonl"
