#!/bin/bash
# A big fleet (issue 18 items 4 and 6): 4,096 nodes (16 lmcache-demo-node --count 256
# processes, unix sockets) behind 64 lmcache-frontends, registered with one lmcache-discovery.
#  - lmcctl set-log-level ... --all through the registry: hyperfine mean, target < 1 s, and
#    lmcctl's peak RSS; reference: curl --parallel (64 at once) on the same proxy2 URLs.
#  - lmcache-top --registry in tmux at the default 2 s refresh: CPU over a window (target
#    < 5% of a core), peak RSS, and the time from a key (Tab) to the changed screen.
# FLEET_FRONTENDS, FLEET_PER_FRONTEND (64 each) and BENCH_TOP_SECONDS (20) change the sizes;
# BENCH_TOP_REF=path measures another lmcache-top (main's) on the same fleet as the reference.
. "$LMC_SRCDIR/tests/bench/lib.sh"
bench_init fleet
bench_need cli/lmcctl tui/lmcache-top src/demo/lmcache-demo-node src/frontend/lmcache-frontend \
	src/discovery/lmcache-discovery
bench_need_cmd hyperfine tmux
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
NFE=${FLEET_FRONTENDS:-64} PER=${FLEET_PER_FRONTEND:-64} PROC=256
N=$((NFE * PER))
WINDOW=${BENCH_TOP_SECONDS:-20}
LOGGER=lmcache.v1.cache_engine

port=$(bench_free_port)
REG=http://127.0.0.1:$port
bench_bg registry "$B/src/discovery/lmcache-discovery" --port "$port" --ttl 3600 --log-level warn
bench_wait_http "$REG/health"

export LMCACHE_INTERNAL_API_SERVER_ENABLED=true
nprocs=$(((N + PROC - 1) / PROC))
for ((p = 0; p < nprocs; p++)); do
	mkdir -p "$T/n$p"
	bench_bg "nodes$p" "$B/src/demo/lmcache-demo-node" --count "$PROC" --worker-count "$PROC" \
		--instance-id "fleet$p" --socket-prefix "$T/n$p/s" --tick-ms 1000
done
for ((p = 0; p < nprocs; p++)); do bench_wait_file "$T/n$p/s_$((7000 + PROC - 1))"; done

# frontend_nodes F: the --nodes JSON of frontend F (nodes F*PER .. F*PER+PER-1).
frontend_nodes() {
	local g p w
	for ((g = $1 * PER; g < ($1 + 1) * PER; g++)); do
		p=$((g / PROC)) w=$((g % PROC))
		printf '{"name":"fleet%d_worker%d","host":"localhost","port":"%s"}\n' "$p" "$w" \
			"$T/n$p/s_$((7000 + w))"
	done | jq -cs .
}
FE_URLS=()
for ((f = 0; f < NFE; f++)); do
	port=$(bench_free_port)
	bench_bg "fe$f" "$B/src/frontend/lmcache-frontend" --host 127.0.0.1 --port "$port" \
		--nodes "$(frontend_nodes "$f")" --log-level warn
	FE_URLS+=("http://127.0.0.1:$port")
done
for u in "${FE_URLS[@]}"; do
	bench_wait_http "$u/health"
	curl -sf -o /dev/null -G "$REG/lmcache_heartbeat" --data-urlencode "api_address=$u" ||
		{ echo "fleet: registering $u failed" >&2; exit 1; }
done
listed=$("$B/cli/lmcctl" --registry "$REG" --no-headers nodes | wc -l)
[ "$listed" = "$N" ] || { echo "fleet: lmcctl lists $listed of $N nodes" >&2; exit 1; }
echo "workload: $N nodes in $nprocs processes behind $NFE frontends, one registry"

# lmcctl set-log-level --all.
for ((f = 0; f < NFE; f++)); do
	for ((g = f * PER; g < (f + 1) * PER; g++)); do
		printf 'url = "%s/proxy2/fleet%d_worker%d/loglevel?logger_name=%s&level=DEBUG"\n' \
			"${FE_URLS[$f]}" $((g / PROC)) $((g % PROC)) "$LOGGER"
		echo 'output = "/dev/null"'
	done
done >"$T/curl.cfg"
cmd="$B/cli/lmcctl --registry $REG -q set-log-level $LOGGER DEBUG --all"
ours=$(bench_hyperfine 3 "$cmd") || exit 1
ref=$(bench_hyperfine 3 "curl -sf --parallel --parallel-max 64 -K $T/curl.cfg") || exit 1
rss=$(/usr/bin/time -f %M $cmd 2>&1 >/dev/null | tail -1)
bench_row "lmcctl set-log-level $N nodes" \
	"set-log-level --all via the registry, $NFE frontends, hyperfine mean" \
	ms "$(ms "$ours")" "curl -Z 64" "$(ms "$ref")" max 1000 "lmcctl peak RSS ${rss} KiB"
# cpu_ms CMD...: the CPU (user + system) CMD itself spends, in ms: the client's share of the
# chain, which the load of the machine changes less than the wall time.
cpu_ms() { /usr/bin/time -f "%U %S" "$@" 2>&1 >/dev/null | tail -1 | awk '{ printf "%.0f", ($1 + $2) * 1000 }'; }
# shellcheck disable=SC2086
bench_row "lmcctl set-log-level CPU, $N nodes" "the client's own CPU for one run (user + system)" \
	ms "$(cpu_ms $cmd)" "curl -Z 64" "$(cpu_ms curl -sf --parallel --parallel-max 64 -K "$T/curl.cfg")" \
	none ""

# lmcache-top: a reference first when BENCH_TOP_REF=path names one (main's build), then ours,
# on the same fleet in the same run. top_measure BIN sets cpu (over the window, once every
# node is up on the screen), keys (median ms from a Tab to the next tab's label drawn, over
# one turn of the seven tabs: keylat.py, a tmux control-mode client, reads the pane's output
# as it comes) and hwm (peak RSS, MB).
TABS=(" 2 Metrics " " 3 Threads " " 4 LogLevel " " 5 Config " " 6 Meta " " 7 Inference "
	" 1 Overview ")
top_measure() {
	local end=$((SECONDS + 120))
	BENCH_TOP_BIN=$1 bench_top --registry "$REG"
	until bench_top_screen | grep -qE "nodes $N, $N up"; do
		[ "$SECONDS" -lt "$end" ] || { echo "fleet: $1 did not show every node up:" >&2;
			bench_top_screen >&2; top_end; return 1; }
		sleep 0.05
	done
	cpu=$(bench_cpu "$TOP_PID" "$WINDOW")
	keys=$("$PY" "$LMC_SRCDIR/tests/bench/keylat.py" "$T/tmux.sock" Tab "${TABS[@]}" |
		sort -n | sed -n 4p)
	hwm=$(awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$TOP_PID/status")
	top_end
}
# Ends lmcache-top and its tmux server, and waits until both are gone: a server still
# exiting would remove the socket of the next one.
top_end() {
	local server
	server=$(tmux -S "$T/tmux.sock" display-message -p '#{pid}' 2>/dev/null)
	tmux -S "$T/tmux.sock" kill-server 2>/dev/null
	while kill -0 "$TOP_PID" 2>/dev/null || { [ -n "$server" ] && kill -0 "$server" 2>/dev/null; }; do
		sleep 0.1
	done
}
ref_cpu="" ref_keys="" ref_hwm="" refn=""
if [ -n "${BENCH_TOP_REF:-}" ] && top_measure "$BENCH_TOP_REF"; then
	ref_cpu=$cpu ref_keys=$keys ref_hwm=$hwm refn=reference
fi
top_measure "$B/tui/lmcache-top" || exit 1
bench_row "lmcache-top CPU, $N nodes" "--registry, $NFE frontends, default 2 s refresh, ${WINDOW}s" \
	"%core" "$cpu" "$refn" "$ref_cpu" max 5
bench_row "lmcache-top key to screen, $N nodes" "Tab to the next tab drawn, median of 7" \
	ms "$keys" "$refn" "$ref_keys" max 100
bench_row "lmcache-top peak RSS, $N nodes" "VmHWM after the window and the keys" \
	MB "$hwm" "$refn" "$ref_hwm" none ""
