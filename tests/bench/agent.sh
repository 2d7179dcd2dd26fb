#!/bin/bash
# The agent's internal API server: GET /version and /metrics, keep-alive, unix socket and TCP,
# requests/s from the C load generator. References in the same run: nginx serving the agent's
# own bodies as fixed files on the same transport (the practical limit), and LMCache's stack
# (FastAPI + uvicorn + prometheus_client) serving the same endpoints. Targets: >= 0.5x nginx,
# >= 10x FastAPI. wrk cross-checks the load generator on TCP.
. "$LMC_SRCDIR/tests/bench/lib.sh"
bench_init agent
bench_need src/demo/lmcache-demo-node tests/bench/loadgen
bench_need_cmd nginx wrk
$PY -c 'import fastapi, uvicorn, prometheus_client' 2>/dev/null ||
	bench_skip "python3-fastapi, python3-uvicorn or python3-prometheus-client missing (scripts/deps)"

export LMCACHE_INTERNAL_API_SERVER_ENABLED=true
# A worker node on a unix socket and one on TCP; ticking, so /metrics has real samples.
mkdir -p "$T/a"
bench_bg node-unix "$B/src/demo/lmcache-demo-node" --socket-prefix "$T/a/s" --tick-ms 100
AGENT_PID=$LAST_PID
AGENT_SOCK=$T/a/s_7000
AGENT_PORT=$(bench_free_port)
bench_bg node-tcp "$B/src/demo/lmcache-demo-node" --host 127.0.0.1 \
	--port-start $((AGENT_PORT - 1)) --tick-ms 100
bench_wait_file "$AGENT_SOCK"
bench_wait_http http://localhost/healthcheck --unix-socket "$AGENT_SOCK"
bench_wait_http "http://127.0.0.1:$AGENT_PORT/healthcheck"
# Histograms get buckets once the simulated engine has stored and retrieved something.
for _ in $(seq 1 100); do
	curl -s --unix-socket "$AGENT_SOCK" http://localhost/metrics >"$T/metrics.txt"
	grep -q '_bucket{' "$T/metrics.txt" && break
	sleep 0.05
done
curl -s --unix-socket "$AGENT_SOCK" http://localhost/version >"$T/version.txt"
curl -s --unix-socket "$AGENT_SOCK" http://localhost/conf >"$T/conf.txt"

# nginx: the same bodies as fixed files, one server on a unix socket and on TCP.
NGINX_SOCK=$T/nginx.sock
NGINX_PORT=$(bench_free_port)
mkdir -p "$T/ng/tmp"
cat >"$T/ng/nginx.conf" <<CONF
user $(id -un);
worker_processes auto;
error_log $T/ng/error.log;
pid $T/ng/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $T/ng/tmp; proxy_temp_path $T/ng/tmp;
    fastcgi_temp_path $T/ng/tmp; uwsgi_temp_path $T/ng/tmp; scgi_temp_path $T/ng/tmp;
    server {
        listen unix:$NGINX_SOCK;
        listen 127.0.0.1:$NGINX_PORT;
        location = /version { default_type application/json; alias $T/version.txt; }
        location = /metrics { default_type text/plain; alias $T/metrics.txt; }
        location = /healthcheck { return 200 '{"status": "healthy"}'; }
    }
}
CONF
bench_bg nginx nginx -p "$T/ng" -c "$T/ng/nginx.conf" -g 'daemon off;'
bench_wait_http http://localhost/healthcheck --unix-socket "$NGINX_SOCK"

FA_SOCK=$T/fastapi.sock
FA_PORT=$(bench_free_port)
bench_bg fastapi-unix $PY "$LMC_SRCDIR/tests/bench/fastapi_node.py" --uds "$FA_SOCK" \
	--metrics "$T/metrics.txt" --conf "$T/conf.txt"
FA_PID=$LAST_PID
bench_bg fastapi-tcp $PY "$LMC_SRCDIR/tests/bench/fastapi_node.py" --port "$FA_PORT" \
	--metrics "$T/metrics.txt"
bench_wait_file "$FA_SOCK"
bench_wait_http http://localhost/healthcheck --unix-socket "$FA_SOCK"
bench_wait_http "http://127.0.0.1:$FA_PORT/healthcheck"

echo "workload: $CONNS keep-alive connections, best of $REPEAT x ${SECS}s, GET only; /metrics body" \
	"$(wc -c <"$T/metrics.txt") bytes"

# rps TRANSPORT SERVER PATH: requests/s of one server (agent, nginx, fastapi).
rps() {
	local tr=$1 who=$2 path=$3 target line
	case $tr-$who in
	unix-agent) target=(-u "$AGENT_SOCK") ;; tcp-agent) target=(-t "127.0.0.1:$AGENT_PORT") ;;
	unix-nginx) target=(-u "$NGINX_SOCK") ;; tcp-nginx) target=(-t "127.0.0.1:$NGINX_PORT") ;;
	unix-fastapi) target=(-u "$FA_SOCK") ;; tcp-fastapi) target=(-t "127.0.0.1:$FA_PORT") ;;
	esac
	line=$(bench_loadgen "${target[@]}" "$path") || return 1
	echo "$line" >>"$T/loadgen.jsonl"
	[ "$(jf "$line" errors)" = 0 ] || echo "warning: $who $tr $path: $(jf "$line" errors) errors" >&2
	jf "$line" rps
}

for path in /version /metrics; do
	for tr in unix tcp; do
		ours=$(rps $tr agent $path)
		ng=$(rps $tr nginx $path)
		fa=$(rps $tr fastapi $path)
		work="GET $path, $tr, $CONNS conns keep-alive, ${SECS}s"
		bench_row "agent $path $tr" "$work" req/s "$ours" nginx "$ng" ratio_min 0.5
		bench_row "agent $path $tr" "$work" req/s "$ours" fastapi "$fa" ratio_min 10
	done
done

# The load generator against wrk on the same TCP server: the two should agree.
lg=$(rps tcp agent /version)
wk=$(bench_wrk_rps "http://127.0.0.1:$AGENT_PORT/version")
bench_row "cross-check: loadgen vs wrk" "GET /version tcp agent, $CONNS conns" \
	req/s "$lg" wrk "$wk" none ""

# CPU per request (issue 18 item 3): the server process' CPU time (utime + stime) over one
# load run divided by the requests it answered, so a load generator that saturates first does
# not hide the server's cost. Unix socket; the agent's process also runs the demo's simulated
# engine (a tick every 100 ms), counted against it.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# us_per_request PID SOCKET PATH: microseconds of server CPU per request.
us_per_request() {
	local t0 line
	t0=$(ticks "$1")
	line=$("$B/tests/bench/loadgen" -d "$SECS" -c "$CONNS" -u "$2" "$3") || return 1
	awk -v d=$(($(ticks "$1") - t0)) -v hz="$(getconf CLK_TCK)" -v n="$(jf "$line" requests)" \
		'BEGIN { printf "%.1f", (n > 0 ? d / hz * 1e6 / n : 0) }'
}
for path in /version /metrics /conf; do
	ours=$(us_per_request "$AGENT_PID" "$AGENT_SOCK" "$path")
	fa=$(us_per_request "$FA_PID" "$FA_SOCK" "$path")
	bench_row "agent CPU/request $path" \
		"server CPU time / requests answered, GET $path, unix, $CONNS conns, ${SECS}s" \
		us "$ours" fastapi "$fa" ratio_max 0.1
done
