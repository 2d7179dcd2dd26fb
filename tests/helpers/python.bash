# Helpers for the Python host's tests (tests/bats/python-*.bats): Debian's python3 with the
# lmcagent module built in the build tree, and python-node.py (an LMCache-style node written
# with it) on a unix socket in $T. Load after ../helpers/common and ../helpers/agent.

# pymod_copy DIR: the built module copied into DIR (once), under the install lock: the
# build tree's is missing or half-written while an install test relinks it.
pymod_copy() {
	[ -e "$1/lmcagent.so" ] && return 0
	mkdir -p "$1"
	install_locked -s cp "$LMC_BUILDDIR/src/python/.libs/lmcagent.so" "$1/.lmcagent.so" &&
		mv "$1/.lmcagent.so" "$1/lmcagent.so"
}

# Each test file imports its own copy.
export PYTHONPATH="$BATS_FILE_TMPDIR/lmcagent"
pymod_copy "$PYTHONPATH"
PYNODE="$LMC_SRCDIR/tests/python/python-node.py"
export LMCACHE_PLUGIN_SHIM="$LMC_BUILDDIR/src/agent/lmcache-plugin-shim"
# $PY runs Python (word-split where used). A module built with sanitizers needs their
# runtime loaded first into the interpreter (and only there); Python's own allocations are
# not the module's to answer for (no leak report).
PY=${LMC_PYTHON:-/usr/bin/python3}
if ldd "$PYTHONPATH/lmcagent.so" 2>/dev/null | grep -q libasan; then
	PY="env LD_PRELOAD=$(gcc -print-file-name=libasan.so) ASAN_OPTIONS=detect_leaks=0 $PY"
fi

# python_node NAME [python-node.py flags...]: a worker 0 on $T/NAME/s_7000 (sets NODE_SOCK).
python_node() {
	local name=$1
	shift
	mkdir -p "$T/$name"
	NODE_SOCK="$T/$name/s_7000"
	lmc_bg "$name" $PY "$PYNODE" --role worker --worker-id 0 --socket-prefix "$T/$name/s" \
		--tick-ms 20 "$@"
	wait_for_socket "$NODE_SOCK" 20
	wait_for_http "http://localhost/healthcheck" 10 --unix-socket "$NODE_SOCK"
}

# python_pair [flags...]: python-node.py as agent_start_pair starts demo nodes, so the
# agent helpers' `http unix|tcp` reach it ($UNIX_SOCK, $TCP_URL).
python_pair() {
	local port
	port=$(free_port)
	UNIX_SOCK="$T/api/sock_7000"
	TCP_URL="http://127.0.0.1:$port"
	mkdir -p "$T/api"
	lmc_bg unix $PY "$PYNODE" --socket-prefix "$T/api/sock" --tick-ms 20 "$@"
	lmc_bg tcp $PY "$PYNODE" --port-start $((port - 1)) --tick-ms 20 "$@"
	wait_for_socket "$UNIX_SOCK" 20
	wait_for_http "http://localhost/healthcheck" 10 --unix-socket "$UNIX_SOCK"
	wait_for_http "$TCP_URL/healthcheck" 10
}

# python_stuck_node NAME [flags...]: a node whose thread "stuck" holds the GIL in read(2)
# until python_release NAME; returns once the thread is in the call.
python_stuck_node() {
	local name=$1
	shift
	mkdir -p "$T/$name"
	mkfifo "$T/$name/fifo"
	python_node "$name" --stuck "$T/$name/fifo" --ready "$T/$name/ready" "$@"
	wait_until 10 test -s "$T/$name/ready"
}

python_release() { echo go >"$T/$1/fifo"; }

# py_check FILE: runs a Python file of assertions with the module; its output on failure.
py_check() {
	run $PY "$@"
	[ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
}
