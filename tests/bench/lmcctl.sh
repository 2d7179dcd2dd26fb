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
