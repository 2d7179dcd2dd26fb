#!/bin/bash
# The merged /metrics' CPU work (issue 18): tests/bench/prom-bench parses and merges K
# nodes' expositions (the agent's, tests/fixtures/prom/agent.prom, values varied per node)
# as lmcache-frontend does, against memcpy of the same bytes, in CPU time of the process.
# Targets: >= 200 MB/s of input per core; 1,024 nodes in < 100 ms; time growing no faster
# than the node count (16 -> 1,024). With valgrind: instructions per input byte (callgrind),
# and the memory lines a 2 MB cache would miss per KB of input in a round after the first,
# at 16 and at 1,024 nodes (callgrind's cache simulation), which the machine's load does not
# change.
. "$LMC_SRCDIR/tests/bench/lib.sh"
bench_init prom
bench_need tests/bench/prom-bench
fixture="$LMC_SRCDIR/tests/fixtures/prom/agent.prom"
pairs=15
"$B/tests/bench/prom-bench" --rounds 7 --pairs $pairs "$fixture" 16 64 256 1024 >"$T/prom.jsonl" || exit 1
get() { jq -r --arg m "$1" --argjson k "$2" "select(.mode == \$m and .nodes == \$k) | .$3" "$T/prom.jsonl"; }
# grow OF FIELD: the growth 16 -> 1,024 of copy, scan or merge, measured in pairs (prom-bench.c).
grow() { jq -r --arg of "$1" "select(.mode == \"growth\" and .of == \$of) | .$2" "$T/prom.jsonl"; }
echo "workload: prom_merge of K copies of agent.prom ($(wc -c <"$fixture") bytes, values varied), best of 7, CPU time"
for k in 16 64 256 1024; do
	bench_row "prom parse+merge $k nodes" "prom_merge of $k bodies ($(get merge "$k" in_bytes) bytes)" \
		MB/s "$(get merge "$k" mb_s)" memcpy "$(get copy "$k" mb_s)" min 200 \
		"$(get merge "$k" ms) ms CPU"
	bench_row "prom unchanged bodies $k nodes" "prom_cache_merge, no body changed since the last merge" \
		MB/s "$(get cached "$k" mb_s)" "parse+merge" "$(get merge "$k" mb_s)" none "" \
		"$(get cached "$k" ms) ms CPU"
done
bench_row "prom merge 1024 nodes" "prom_merge of 1024 bodies, CPU time" ms "$(get merge 1024 ms)" \
	"" "" max 100
note="pairs $(grow merge min)-$(grow merge max)x; its scan alone: $(grow scan median)x"
note+="; memcpy of the same bytes: $(grow copy median)x"
bench_row "prom merge growth 16->1024" \
	"time(1024) / time(16), median of $pairs pairs, against the node count's x64" \
	x "$(grow merge median)" "node count" 64 ratio_max 1.0 "$note"
if ! command -v valgrind >/dev/null; then
	echo "skipped: valgrind not installed (instructions per byte)"
	exit 0
fi
# ir NAME PATTERN: instructions callgrind counts inside the function(s) PATTERN matches for
# 256 nodes, one round.
ir() {
	valgrind --tool=callgrind --toggle-collect="$2" --callgrind-out-file="$T/cg.$1" \
		"$B/tests/bench/prom-bench" --rounds 1 "$fixture" 256 >/dev/null 2>"$T/cg.$1.log" &&
		awk '/^summary:|^totals:/ { print $2; exit }' "$T/cg.$1"
}
bytes=$(get merge 256 in_bytes)
# copy_all is static: gcc may clone it (copy_all.constprop.0), which its bare name misses
# (the row read 0.000 for memcpy until session 15). prom_merge is exported, never renamed.
merge_ir=$(ir prom_merge prom_merge) copy_ir=$(ir copy_all 'copy_all*')
bench_row "prom parse+merge instructions/byte" "callgrind, prom_merge of 256 bodies" Ir/B \
	"$(awk -v i="$merge_ir" -v b="$bytes" 'BEGIN { printf "%.1f", i / b }')" memcpy \
	"$(awk -v i="$copy_ir" -v b="$bytes" 'BEGIN { printf "%.3f", i / b }')" none ""
# misses K R: the lines a simulated 2 MB, 16-way last-level cache misses (reads and writes)
# inside prom_merge over R rounds of K nodes.
misses() {
	valgrind --tool=callgrind --cache-sim=yes --LL=2097152,16,64 --toggle-collect=prom_merge \
		--callgrind-out-file="$T/cs.$1.$2" "$B/tests/bench/prom-bench" --rounds "$2" "$fixture" "$1" \
		>/dev/null 2>"$T/cs.$1.$2.log" &&
		awk '/^events:/ { for (i = 2; i <= NF; i++) col[$i] = i }
			/^summary:|^totals:/ { print $col["DLmr"] + $col["DLmw"]; exit }' "$T/cs.$1.$2"
}
# lines K: the misses of a round of K nodes after the first (whose cold misses a scrape
# between others does not have), per KB of input: 3 rounds' less 1 round's, halved.
lines() {
	local three one
	three=$(misses "$1" 3) && one=$(misses "$1" 1) &&
		awk -v a="$three" -v b="$one" -v kb="$(get merge "$1" in_bytes)" \
			'BEGIN { printf "%.1f", (a - b) / 2 / (kb / 1024) }'
}
bench_row "prom merge memory lines/KB" \
	"callgrind cache simulation (2 MB LL), a merge after the first, 1024 nodes vs 16" \
	lines/KB "$(lines 1024)" "16 nodes" "$(lines 16)" none ""
