#!/bin/bash
# A Python host whose thread holds the GIL (a long C call: read(2) through ctypes.PyDLL):
# the C agent in it (the lmcagent module, tests/python/python-node.py) against LMCache's own
# stack (FastAPI + uvicorn + prometheus_client, tests/bench/fastapi_node.py) in the same
# state. Per endpoint: seconds to the answer and its status, at most LIMIT (5 s) waited.
# Targets: /threads within 0.1 s; what needs the GIL within the agent's gil_timeout (0.5 s)
# plus 0.1 s. FastAPI is expected not to answer at all (its figure is then LIMIT).
. "$LMC_SRCDIR/tests/bench/lib.sh"
bench_init python
bench_need src/python/.libs/lmcagent.so src/demo/lmcache-demo-node
$PY -c 'import fastapi, uvicorn, prometheus_client' 2>/dev/null ||
	bench_skip "python3-fastapi, python3-uvicorn or python3-prometheus-client missing (scripts/deps)"
LIMIT=5
export PYTHONPATH=$B/src/python/.libs

mkfifo "$T/ours.fifo" "$T/fa.fifo"
mkdir -p "$T/a"
bench_bg ours $PY "$LMC_SRCDIR/tests/python/python-node.py" --socket-prefix "$T/a/s" \
	--tick-ms 100 --stuck "$T/ours.fifo" --ready "$T/ours.ready"
OURS=$T/a/s_7000
bench_wait_file "$T/ours.ready"
curl -s --max-time $LIMIT --unix-socket "$OURS" http://localhost/metrics >"$T/metrics.txt"
bench_bg fastapi $PY "$LMC_SRCDIR/tests/bench/fastapi_node.py" --uds "$T/fa.sock" \
	--metrics "$T/metrics.txt" --stuck "$T/fa.fifo" --ready "$T/fa.ready"
bench_wait_file "$T/fa.ready"
# Both threads are in their call now (the ready files are written just before it).
echo "workload: one GET at a time on a unix socket while a thread holds the GIL; curl waits" \
	"at most ${LIMIT}s"

# answer SOCK PATH: "<seconds> <status>" (000: no answer within LIMIT).
answer() {
	curl -s -o /dev/null --max-time $LIMIT --unix-socket "$1" -w '%{time_total} %{http_code}' \
		"http://localhost$2" || true
}

for path in /threads /metrics /loglevel /healthcheck; do
	read -r ours ours_code <<<"$(answer "$OURS" "$path")"
	read -r fa fa_code <<<"$(answer "$T/fa.sock" "$path")"
	[ "$fa_code" = 000 ] && fa=$LIMIT
	target=0.6
	[ $path = /threads ] && target=0.1
	bench_row "GIL held: GET $path" "a thread holds the GIL, $path, unix" s "$ours" \
		fastapi "$fa" max "$target" "ours $ours_code, fastapi ${fa_code/000/no answer}"
done
echo go >"$T/ours.fifo"
echo go >"$T/fa.fifo"
