# Shared helpers of the benchmark scripts (bash). Source it, then call bench_init NAME.
#
#   bench_init NAME        temp dir $T, cleanup of everything started on exit, $B (builddir)
#   bench_need PROG...     exits 0 with "skipped: PROG not built" when a program is missing
#   bench_bg NAME CMD...   runs CMD in the background (log $T/NAME.log), stopped at exit
#   bench_free_port        a free loopback TCP port
#   bench_wait_http URL [curl args]  until URL answers 2xx (10 s)
#   bench_wait_file PATH   until PATH exists (10 s)
#   bench_loadgen ARGS...  the C load generator's JSON line
#   bench_row ...          prints a row of the table and appends it to $RESULTS as JSON
#
# BENCH_SECONDS (default 3) per load run, BENCH_CONNS (default 16) connections,
# BENCH_REPEAT (default 2) runs of which the best counts.

set -u
B=$LMC_BUILDDIR
RESULTS=${BENCH_RESULTS:-$LMC_BUILDDIR/bench-results.jsonl}
SECS=${BENCH_SECONDS:-3}
CONNS=${BENCH_CONNS:-16}
REPEAT=${BENCH_REPEAT:-2}
PY=/usr/bin/python3
BENCH_PIDS=()
RUN_ID=${BENCH_RUN_ID:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}

bench_cleanup() {
	[ -n "${BENCH_KEEP:-}" ] && echo "kept $T" >&2
	local p
	[ -S "$T/tmux.sock" ] && tmux -S "$T/tmux.sock" kill-server 2>/dev/null
	for p in "${BENCH_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${BENCH_PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	[ -n "${BENCH_KEEP:-}" ] || rm -rf "$T"
}

bench_init() {
	BENCH=$1
	T=$(mktemp -d /tmp/lmcb.XXXXXX)
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
}

bench_skip() {
	echo "skipped: $1"
	printf '{"run":"%s","bench":"%s","skipped":"%s"}\n' "$RUN_ID" "$BENCH" "$1" >>"$RESULTS"
	exit 0
}

bench_need() {
	local p
	for p in "$@"; do
		[ -x "$B/$p" ] || bench_skip "${p##*/} not built"
	done
}

bench_need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || bench_skip "$c not installed (scripts/deps)"
	done
}

bench_bg() {
	local name=$1
	shift
	"$@" >"$T/$name.log" 2>&1 &
	BENCH_PIDS+=("$!")
	LAST_PID=$!
}

bench_free_port() {
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

bench_wait_http() {
	local url=$1 i
	shift
	for i in $(seq 1 200); do
		curl -sf -o /dev/null "$@" "$url" && return 0
		sleep 0.05
	done
	echo "bench: $url did not answer" >&2
	return 1
}

bench_wait_file() {
	local i
	for i in $(seq 1 200); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	echo "bench: $1 did not appear" >&2
	return 1
}

# The best of BENCH_REPEAT (default 2) runs: other work on a shared machine only ever slows
# a run down, so the fastest run is the closest to what the server can do.
bench_loadgen() {
	local i line best=""
	for i in $(seq 1 "$REPEAT"); do
		line=$("$B/tests/bench/loadgen" -d "$SECS" -c "$CONNS" "$@") || return 1
		[ "$(jq '.stalled + .failed_connects' <<<"$line")" = 0 ] ||
			echo "warning: loadgen $*: $line" >&2
		if [ -z "$best" ] ||
			[ "$(jq -n --argjson a "$line" --argjson b "$best" '$a.rps > $b.rps')" = true ]; then
			best=$line
		fi
	done
	echo "$best"
}

# requests/s of wrk against URL (TCP), best of BENCH_REPEAT runs: the cross-check of loadgen.
bench_wrk_rps() {
	local i
	for i in $(seq 1 "$REPEAT"); do
		wrk -t1 -c"$CONNS" -d"${SECS}s" "$1" | awk '/Requests\/sec/ {print $2}'
	done | sort -n | tail -1
}

# A field of a JSON line.
jf() { jq -r ".$2" <<<"$1"; }

# bench_row ROW WORKLOAD UNIT OURS REFNAME REFVALUE KIND TARGET [NOTE]
#   KIND ratio_min: OURS/REFVALUE >= TARGET;  ratio_max: OURS/REFVALUE <= TARGET;
#   max: OURS <= TARGET;  min: OURS >= TARGET;  none: no target, just the figure.
# The ratio OURS/REFVALUE is shown whenever there is a reference value.
bench_row() {
	local row=$1 work=$2 unit=$3 ours=$4 refn=$5 refv=$6 kind=$7 target=$8 note=${9:-}
	local ratio met tdesc
	ratio=$(awk -v a="$ours" -v b="$refv" -v k="$kind" 'BEGIN {
		if (b == "" || b + 0 == 0) print ""; else printf "%.2f", a / b }')
	met=$(awk -v k="$kind" -v r="$ratio" -v o="$ours" -v t="$target" 'BEGIN {
		if (k == "ratio_min") m = (r != "" && r + 0 >= t); else if (k == "ratio_max") m = (r != "" && r + 0 <= t);
		else if (k == "max") m = (o + 0 <= t); else if (k == "min") m = (o + 0 >= t); else { print "null"; exit }
		print m ? "true" : "false" }')
	case $kind in
	ratio_min) tdesc=">= ${target}x $refn" ;; ratio_max) tdesc="<= ${target}x $refn" ;;
	max) tdesc="<= $target $unit" ;; min) tdesc=">= $target $unit" ;; *) tdesc="-" ;;
	esac
	printf '%-34s %12s %-8s | %-10s %12s | ratio %6s | target %-18s %s%s\n' "$row" "$ours" "$unit" \
		"${refn:--}" "${refv:--}" "${ratio:--}" "$tdesc" \
		"$(case $met in true) echo MET ;; false) echo MISSED ;; *) echo ;; esac)" "${note:+  ($note)}"
	jq -cn --arg run "$RUN_ID" --arg bench "$BENCH" --arg row "$row" --arg work "$work" \
		--arg unit "$unit" --arg ours "$ours" --arg refn "$refn" --arg refv "$refv" \
		--arg ratio "$ratio" --arg kind "$kind" --arg target "$target" --argjson met "$met" \
		--arg note "$note" \
		'{run: $run, bench: $bench, row: $row, workload: $work, unit: $unit,
		  ours: ($ours | tonumber? // $ours), reference: (if $refn == "" then null else $refn end),
		  reference_value: ($refv | tonumber? // null), ratio: ($ratio | tonumber? // null),
		  target_kind: $kind, target: ($target | tonumber? // null), met: $met}
		 + (if $note == "" then {} else {note: $note} end)' >>"$RESULTS"
}

# bench_nodes K: K worker nodes in one lmcache-demo-node process (instance "bench"), each on
# its unix socket; sets NODE_NAMES and NODE_SOCKS. Ticking slowly: real metrics, little CPU.
bench_nodes() {
	local k=$1 i
	mkdir -p "$T/n$k"
	bench_bg "nodes$k" env LMCACHE_INTERNAL_API_SERVER_ENABLED=true \
		"$B/src/demo/lmcache-demo-node" --count "$k" --worker-count "$k" --instance-id bench \
		--socket-prefix "$T/n$k/s" --tick-ms 1000
	NODES_PID=$LAST_PID
	NODE_NAMES=() NODE_SOCKS=()
	for i in $(seq 0 $((k - 1))); do
		NODE_NAMES+=("bench_worker$i")
		NODE_SOCKS+=("$T/n$k/s_$((7000 + i))")
	done
	bench_wait_file "${NODE_SOCKS[$((k - 1))]}"
	bench_wait_http http://localhost/healthcheck --unix-socket "${NODE_SOCKS[$((k - 1))]}"
}

# The frontend protocol's node list of the current nodes: --nodes JSON of lmcache-frontend.
bench_nodes_json() {
	local i
	for i in "${!NODE_NAMES[@]}"; do
		printf '{"name":"%s","host":"localhost","port":"%s"}\n' "${NODE_NAMES[$i]}" "${NODE_SOCKS[$i]}"
	done | jq -cs .
}

# bench_frontend NAME: lmcache-frontend for the current nodes; sets FE_URL, FE_PID.
bench_frontend() {
	local port
	port=$(bench_free_port)
	bench_nodes_json >"$T/$1-nodes.json"
	bench_bg "$1" "$B/src/frontend/lmcache-frontend" --host 127.0.0.1 --port "$port" \
		--nodes "$(cat "$T/$1-nodes.json")" --log-level warn
	FE_PID=$LAST_PID
	FE_URL=http://127.0.0.1:$port
	bench_wait_http "$FE_URL/health"
}

# bench_nginx_frontend NAME: nginx speaking the frontend protocol's /api/nodes and /proxy2 for
# the current nodes (upstream keep-alive), the stand-in while lmcache-frontend is not built
# and the reference of the frontend benchmark; sets FE_URL, FE_PID.
bench_nginx_frontend() {
	local dir=$T/$1 port i
	port=$(bench_free_port)
	mkdir -p "$dir/tmp"
	bench_nodes_json | jq -c --arg n "$1" --argjson p "$port" \
		'{nodes: [{id: "proxy_0", name: $n, host: "127.0.0.1", port: $p, is_proxy: true,
		  children: [to_entries[] | .value + {id: "node_\(.key)", is_proxy: false,
		  proxy_id: "proxy_0"}]}]}' >"$dir/nodes.json"
	{
		cat <<-CONF
		user $(id -un);
		worker_processes auto;
		error_log $dir/error.log;
		pid $dir/nginx.pid;
		worker_rlimit_nofile 8192;
		events { worker_connections 4096; }
		http {
		    access_log off;
		    keepalive_requests 1000000;
		    client_body_temp_path $dir/tmp; proxy_temp_path $dir/tmp;
		    fastcgi_temp_path $dir/tmp; uwsgi_temp_path $dir/tmp; scgi_temp_path $dir/tmp;
		    proxy_http_version 1.1;
		    proxy_set_header Connection "";
		CONF
		for i in "${!NODE_NAMES[@]}"; do
			printf '    upstream n%d { server unix:%s; keepalive 8; }\n' "$i" "${NODE_SOCKS[$i]}"
		done
		printf '    server {\n        listen 127.0.0.1:%s;\n' "$port"
		printf '        location = /health { return 200 "{\\"status\\": \\"healthy\\"}"; }\n'
		printf '        location = /api/nodes { default_type application/json; alias %s; }\n' \
			"$dir/nodes.json"
		for i in "${!NODE_NAMES[@]}"; do
			printf '        location /proxy2/%s/ { proxy_pass http://n%d/; }\n' "${NODE_NAMES[$i]}" "$i"
		done
		printf '    }\n}\n'
	} >"$dir/nginx.conf"
	bench_bg "$1" nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;'
	FE_PID=$LAST_PID
	FE_URL=http://127.0.0.1:$port
	bench_wait_http "$FE_URL/health"
}

# Mean seconds of a shell command run by hyperfine (RUNS runs after one warm-up).
bench_hyperfine() {
	local runs=$1
	shift
	hyperfine -N --style none --warmup 1 --runs "$runs" --export-json "$T/hf.json" "$@" \
		>/dev/null 2>"$T/hf.err" || { cat "$T/hf.err" >&2; return 1; }
	jq -r '.results[0].mean' "$T/hf.json"
}

# Milliseconds from seconds, one decimal.
ms() { awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }'; }

# Stops one process started with bench_bg (the rest are stopped at exit).
bench_stop() {
	kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# bench_slice K: keeps the first K of NODE_NAMES / NODE_SOCKS (from ALL_NAMES / ALL_SOCKS).
bench_slice() {
	NODE_NAMES=("${ALL_NAMES[@]:0:$1}")
	NODE_SOCKS=("${ALL_SOCKS[@]:0:$1}")
}

# bench_any_frontend NAME: lmcache-frontend when built, else the nginx stand-in; sets FE_KIND.
bench_any_frontend() {
	if [ -x "$B/src/frontend/lmcache-frontend" ]; then
		FE_KIND=lmcache-frontend
		bench_frontend "$1"
	else
		FE_KIND="nginx stand-in"
		bench_nginx_frontend "$1"
	fi
}

# bench_top ARGS...: lmcache-top (BENCH_TOP_BIN, else the build's) with ARGS and
# --no-color in a detached tmux 120x40 on $T/tmux.sock; sets TOP_PID. bench_top_screen
# prints its screen.
bench_top() {
	TERM=xterm-256color tmux -S "$T/tmux.sock" -f /dev/null new-session -d -x 120 -y 40 \
		"exec ${BENCH_TOP_BIN:-$B/tui/lmcache-top} $* --no-color"
	TOP_PID=$(tmux -S "$T/tmux.sock" display-message -p '#{pane_pid}')
}
bench_top_screen() { tmux -S "$T/tmux.sock" capture-pane -p 2>/dev/null; }

# bench_top_wait NAME REGEX SECONDS: until lmcache-top's screen matches REGEX; else says
# so with the screen and exits (NAME: the bench's).
bench_top_wait() {
	local end=$((SECONDS + $3))
	while [ "$SECONDS" -lt "$end" ]; do
		bench_top_screen | grep -qE "$2" && return 0
		sleep 0.05
	done
	bench_top_screen | grep -qE "$2" && return 0
	echo "$1: lmcache-top did not show $2:" >&2
	bench_top_screen >&2
	exit 1
}

# bench_cpu PID SECONDS: the process's CPU (utime + stime from /proc/PID/stat) over the
# next SECONDS, as % of one core.
bench_cpu() {
	local t0 t1
	t0=$(awk '{ print $14 + $15 }' "/proc/$1/stat")
	sleep "$2"
	t1=$(awk '{ print $14 + $15 }' "/proc/$1/stat")
	awk -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v w="$2" \
		'BEGIN { printf "%.2f", d / hz / w * 100 }'
}
