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
TM=(tmux -S "$T/tmux.sock")
TERM=xterm-256color "${TM[@]}" -f /dev/null new-session -d -x 120 -y 40 \
	"exec $B/tui/lmcache-top --frontend $FE_URL --no-color"
pid=$("${TM[@]}" display-message -p '#{pane_pid}')
for _ in $(seq 1 200); do
	"${TM[@]}" capture-pane -p 2>/dev/null | grep -q 'bench_worker' && break
	sleep 0.05
done
"${TM[@]}" capture-pane -p | grep -q 'bench_worker' || {
	echo "top: lmcache-top did not show the nodes:" >&2
	"${TM[@]}" capture-pane -p >&2
	exit 1
}
sleep 3 # past the first full collection of 256 nodes: measure the steady state
ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
t0=$(ticks)
sleep "$WINDOW"
t1=$(ticks)
cpu=$(awk -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v w="$WINDOW" \
	'BEGIN { printf "%.2f", d / hz / w * 100 }')
shown=$("${TM[@]}" capture-pane -p | grep -c 'bench_worker')
bench_row "lmcache-top CPU, 256 nodes" \
	"default refresh, ${WINDOW}s window, tmux 120x40, via $FE_KIND; $shown node rows on screen" \
	"%core" "$cpu" "" "" max 2
