#!/bin/bash
# lmcctl set-log-level over 16, 64 and 256 nodes (one lmcache-demo-node --count 256 process,
# reached through a frontend) against a shell loop of curl calls doing the same requests
# through the same frontend one after another. Whole commands timed by hyperfine.
# Target: at least 10x the loop at 256 nodes (lmcctl's time <= 0.1x the loop's).
. "$LMC_SRCDIR/tests/bench/lib.sh"
bench_init lmcctl
bench_need cli/lmcctl src/demo/lmcache-demo-node
bench_need_cmd hyperfine nginx
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"
bench_nodes 256
ALL_NAMES=("${NODE_NAMES[@]}") ALL_SOCKS=("${NODE_SOCKS[@]}")

LOGGER=lmcache.v1.cache_engine
for k in 16 64 256; do
	bench_slice "$k"
	bench_any_frontend "fe$k"
	listed=$("$B/cli/lmcctl" --frontend "$FE_URL" --no-headers nodes | wc -l)
	[ "$listed" = "$k" ] || { echo "lmcctl: $listed of $k nodes listed via $FE_KIND" >&2; exit 1; }
	for n in "${NODE_NAMES[@]}"; do
		echo "curl -sf -o /dev/null '$FE_URL/proxy2/$n/loglevel?logger_name=$LOGGER&level=DEBUG'" \
			"|| exit 1"
	done >"$T/loop$k.sh"
	cmd="$B/cli/lmcctl --frontend $FE_URL -q set-log-level $LOGGER DEBUG --all"
	ours=$(bench_hyperfine 5 "$cmd") || exit 1
	ref=$(bench_hyperfine 3 "bash $T/loop$k.sh") || exit 1
	target=(none "")
	[ "$k" = 256 ] && target=(ratio_max 0.1)
	bench_row "lmcctl set-log-level $k nodes" \
		"set-log-level $LOGGER DEBUG on $k nodes via $FE_KIND, hyperfine mean" \
		ms "$(ms "$ours")" "curl loop" "$(ms "$ref")" "${target[@]}"
	bench_stop "$FE_PID"
done

# Listing a big cluster (issue 14 item 5): one frontend's /api/nodes with 40,000 nodes, each
# listed twice (80,000 entries, as two frontends listing the same nodes would), served as a
# static file; lmcctl nodes reads, de-duplicates and sorts it. It was O(n^2) (3 s at 40k).
# Target: under 1 s.
big=40000
$PY - "$big" >"$T/big-nodes.json" <<'PY'
import json, sys
n = int(sys.argv[1])
kids = [{"id": "node_%d" % i, "name": "inst%d_worker%d" % (i // 8, i % 8), "host": "localhost",
         "port": str(7000 + i % 8), "is_proxy": False, "proxy_id": "proxy_0"} for i in range(n)]
print(json.dumps({"nodes": [{"id": "proxy_0", "name": "big", "host": "127.0.0.1", "port": 1,
                             "is_proxy": True, "children": kids + kids}]}))
PY
mkdir -p "$T/www/api" && mv "$T/big-nodes.json" "$T/www/api/nodes"
port=$(bench_free_port)
bench_bg bigfe "$PY" -m http.server --bind 127.0.0.1 --directory "$T/www" "$port"
bench_wait_http "http://127.0.0.1:$port/api/nodes"
listed=$("$B/cli/lmcctl" --frontend "http://127.0.0.1:$port" --no-headers nodes | wc -l)
[ "$listed" = "$big" ] || { echo "lmcctl: $listed of $big nodes listed" >&2; exit 1; }
ours=$(bench_hyperfine 3 "$B/cli/lmcctl --frontend http://127.0.0.1:$port -q nodes") || exit 1
bench_row "lmcctl nodes, $big nodes listed twice" \
	"lmcctl nodes of one /api/nodes with $((2 * big)) entries ($big distinct), hyperfine mean" \
	ms "$(ms "$ours")" "" "" max 1000
