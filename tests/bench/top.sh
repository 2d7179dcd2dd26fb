#!/bin/bash
# lmcache-top's CPU while showing 256 nodes (one lmcache-demo-node --count 256 process behind
# a frontend) at the default refresh, inside tmux (120x40): utime + stime of the lmcache-top
# process from /proc/<pid>/stat over a fixed window after the first screen of nodes.
# Target: under 2% of one core.
. "$LMC_SRCDIR/tests/bench/lib.sh"
bench_init top
bench_need tui/lmcache-top src/demo/lmcache-demo-node
bench_need_cmd tmux nginx
WINDOW=${BENCH_TOP_SECONDS:-20}
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"
bench_nodes 256
bench_any_frontend fe
bench_top --frontend "$FE_URL"
bench_top_wait top bench_worker 10
sleep 3 # past the first full collection of 256 nodes: measure the steady state
cpu=$(bench_cpu "$TOP_PID" "$WINDOW")
shown=$(bench_top_screen | grep -c 'bench_worker')
bench_row "lmcache-top CPU, 256 nodes" \
	"default refresh, ${WINDOW}s window, tmux 120x40, via $FE_KIND; $shown node rows on screen" \
	"%core" "$cpu" "" "" max 2
