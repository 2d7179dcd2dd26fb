#!/bin/bash
# lmcache-top on a big cluster of odd nodes (issue 14, item 5): one frontend listing 2,000
# nodes, each answering a 110 KB /version, served by a small Python server on loopback.
# Measured inside tmux (120x40) once every node is listed: the resident memory of lmcache-top
# and its CPU over a fixed window. Targets: under 100 MB and under one core (before the fix:
# 100% CPU and 1 GB).
. "$LMC_SRCDIR/tests/bench/lib.sh"
bench_init top-big
bench_need tui/lmcache-top
bench_need_cmd tmux
N=${BENCH_TOP_NODES:-2000}
WINDOW=${BENCH_TOP_SECONDS:-20}
port=$(bench_free_port)
cat >"$T/fe.py" <<'PY'
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
port, n = int(sys.argv[1]), int(sys.argv[2])
names = ["big%04d_worker0" % i for i in range(n)]
nodes = json.dumps({"nodes": [{"id": "p", "name": "fe", "is_proxy": True, "children": [
    {"id": "node_" + x, "name": x, "host": "127.0.0.1", "port": 1, "is_proxy": False}
    for x in names]}]}).encode()
version = json.dumps("0.3.9-" + "x" * (110 * 1024)).encode()
metrics = b"# TYPE lmcache:num_hit_tokens counter\nlmcache:num_hit_tokens_total 5\n"
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_GET(self):
        p = self.path
        body, code = (nodes, 200) if p == "/api/nodes" else (b'{"status":"healthy"}', 200) \
            if p == "/health" else (version, 200) if p.endswith("/version") else \
            (metrics, 200) if p.endswith("/metrics") else (b'{"detail":"Not Found"}', 404)
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
PY
bench_bg fe "$PY" "$T/fe.py" "$port" "$N"
bench_wait_http "http://127.0.0.1:$port/health"
bench_top --frontend "http://127.0.0.1:$port"
bench_top_wait top-big "nodes $N, $N up" 60
cpu=$(bench_cpu "$TOP_PID" "$WINDOW")
rss=$(awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$TOP_PID/status")
bench_row "lmcache-top peak RSS, $N big nodes" "$N nodes, 110 KB versions, tmux 120x40" \
	"MB" "$rss" "" "" max 100
bench_row "lmcache-top CPU, $N big nodes" "default refresh, ${WINDOW}s window" \
	"%core" "$cpu" "" "" max 100
