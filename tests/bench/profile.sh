#!/bin/bash
# What a profile costs its host: the rounds of work of a busy host (lmcache-demo-node
# --busy 1, counter demo_busy_rounds_total) over a window with a 99 Hz GET /profile
# running, against the same window without one, best of BENCH_REPEAT windows each,
# alternated. Two figures: rounds per second (what the host gets done, which on a loaded
# machine also moves with the sampler's own CPU time) and rounds per CPU-second of the busy
# thread (the cost of the signals and stack walks it takes; immune to the load of others).
# Target: >= 95% of the unprofiled figure.
. "$LMC_SRCDIR/tests/bench/lib.sh"
bench_init profile
bench_need src/demo/lmcache-demo-node
WINDOW=${BENCH_PROFILE_SECONDS:-$SECS}
SOCK="$T/p/s_7000"

mkdir -p "$T/p"
bench_bg node "$B/src/demo/lmcache-demo-node" --role worker --socket-prefix "$T/p/s" --busy 1
NODE=$LAST_PID
bench_wait_http http://localhost/healthcheck --unix-socket "$SOCK"

rounds() {
	curl -s --unix-socket "$SOCK" http://localhost/metrics |
		awk '$1 == "demo_busy_rounds_total" { print $2 }'
}
# Clock ticks of user + system time of the busy thread.
busy_ticks() {
	local t
	for t in /proc/"$NODE"/task/*; do
		[ "$(cat "$t/comm")" = lmc-busy ] && awk '{ print $14 + $15 }' "$t/stat"
	done
}
# measure CMD...: "rounds/s rounds/cpu-s" while CMD runs.
measure() {
	local r0 t0 c0 r1 t1 c1
	r0=$(rounds) t0=$(date +%s.%N) c0=$(busy_ticks)
	"$@" >/dev/null
	r1=$(rounds) t1=$(date +%s.%N) c1=$(busy_ticks)
	awk -v a="$r0" -v b="$r1" -v s="$t0" -v e="$t1" -v c="$c0" -v d="$c1" \
		-v hz="$(getconf CLK_TCK)" \
		'BEGIN { printf "%.1f %.1f\n", (b - a) / (e - s), (d > c ? (b - a) / ((d - c) / hz) : 0) }'
}
profile() {
	curl -sf --unix-socket "$SOCK" "http://localhost/profile?seconds=$WINDOW&hz=99" >"$T/folded"
}
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b ? a : b) }'; }

pw=0 pc=0 qw=0 qc=0
for _ in $(seq 1 "$REPEAT"); do
	read -r w c < <(measure sleep "$WINDOW")
	pw=$(max "$w" "$pw") pc=$(max "$c" "$pc")
	read -r w c < <(measure profile)
	qw=$(max "$w" "$qw") qc=$(max "$c" "$qc")
done
grep -q busy_hash_round "$T/folded" || { echo "profile: the busy function was not sampled" >&2; exit 1; }
echo "workload: one busy thread; ${WINDOW}s windows with and without GET /profile?hz=99"
bench_row "profile 99 Hz: host rounds/s" "busy host while profiled, wall clock" rounds/s \
	"$qw" "unprofiled" "$pw" ratio_min 0.95
bench_row "profile 99 Hz: rounds per CPU-s" "busy thread's work per CPU second" rounds/cpu-s \
	"$qc" "unprofiled" "$pc" ratio_min 0.95
