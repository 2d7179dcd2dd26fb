#!/usr/bin/env bats
# The Python module itself: its API from Python, its documentation (help(lmcagent)), and the
# README's five lines run as they are written.

bats_require_minimum_version 1.5.0
load ../helpers/common
load ../helpers/agent
load ../helpers/python

setup() { lmc_setup; }
teardown() { lmc_teardown_checked; }

# The README's Python example (the block after "## Python hosts").
readme_example() {
	awk '/^## Python hosts/ { s = 1 } s && /^```$/ && b { exit } b { print }
	     s && /^```python$/ { b = 1 }' "$LMC_SRCDIR/README.md"
}

@test "the API from Python: arguments, exceptions with the library's cause, metrics, with" {
	py_check "$LMC_SRCDIR/tests/python/api-check.py"
	assert_line 'ok lifecycle'
}

@test "help(lmcagent) documents the module, the Agent and its methods" {
	run $PY -c 'import lmcagent, pydoc; print(pydoc.render_doc(lmcagent, renderer=pydoc.plaintext))'
	assert_success
	assert_output --partial 'A host needs five lines'
	assert_output --partial 'Agent(role, worker_id=0, worker_count=1, *, gil_timeout=0.5'
	for m in start stop load_config register on_change get set counter gauge histogram \
		set_meta set_inference set_health add_route route labels inc observe; do
		assert_output --partial " |  $m("
	done
	# The docstring's example is the README's.
	$PY -c 'import lmcagent; print(lmcagent.__doc__)' |
		awk '/five lines:/ { s = 1; next } s && /^[^ ]/ { exit } s' |
		sed -n 's/^    //p' >"$T/doc.py"
	readme_example | sed '/^$/d' >"$T/readme.py"
	sed -i '/^$/d' "$T/doc.py"
	diff "$T/readme.py" "$T/doc.py"
}

@test "the README's five lines make a host that serves until interrupted" {
	readme_example >"$T/host.py"
	[ "$(grep -c . "$T/host.py")" -eq 5 ]
	LMCACHE_INTERNAL_API_SERVER_ENABLED=true \
	LMCACHE_INTERNAL_API_SERVER_SOCKET_PATH_PREFIX="$T/s" \
		lmc_bg host env --default-signal=INT $PY "$T/host.py" # as from a terminal
	wait_for_socket "$T/s_7000" 20
	run curl -sS --max-time 10 --unix-socket "$T/s_7000" http://localhost/threads
	assert_line --regexp '^  #[0-9]+ File ".*/host\.py", line 6, in <module>$'
	run curl -sS --max-time 10 --unix-socket "$T/s_7000" http://localhost/loglevel
	assert_line --index 0 '=== Loggers and Levels ==='
	kill -INT "$(cat "$T/host.pid")"
	wait_until 10 eval "! kill -0 $(cat "$T/host.pid") 2>/dev/null"
	[ ! -e "$T/s_7000" ]
	grep -q KeyboardInterrupt "$T/host.log"
}

@test "the tests copy the module only while no install is relinking it in the build tree" {
	so="$LMC_BUILDDIR/src/python/.libs/lmcagent.so"
	mkfifo "$T/go"
	# as libtool's relink does: the module moved aside for as long as the install holds the lock
	install_locked bash -c 'mv "$1" "$1U"; read -r -t 10 _ <"$2"; mv "$1U" "$1"' _ "$so" "$T/go" &
	holder=$!
	wait_until 5 test -e "${so}U"
	pymod_copy "$T/copy" &
	copier=$!
	sleep 0.5
	[ ! -e "$T/copy/lmcagent.so" ]
	echo go >"$T/go"
	wait "$holder"
	wait "$copier"
	cmp "$so" "$T/copy/lmcagent.so"
}

@test "make install puts the module in a site directory of the interpreter it was built for" {
	install_locked make -s -C "$LMC_BUILDDIR" install-pythonsiteLTLIBRARIES DESTDIR="$T/d" \
		>"$T/install.log" 2>&1 ||
		{ cat "$T/install.log"; false; }
	so=$(find "$T/d" -name lmcagent.so)
	[ -n "$so" ]
	dir=$(dirname "${so#"$T/d"}")
	prefix=${dir%/lib/python3.*/*-packages}
	run $PY -c 'import site, sys; print("\n".join(site.getsitepackages([sys.argv[1]])))' "$prefix"
	assert_line "$dir"
	LD_LIBRARY_PATH="$LMC_BUILDDIR/src/agent/.libs" PYTHONPATH="$(dirname "$so")" \
		run $PY -c 'import lmcagent; print(lmcagent.__file__)'
	assert_output "$so"
}
