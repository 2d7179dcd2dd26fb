#!/usr/bin/env bats
# The plugin runtime (docs/protocol.md section 4) with real plugins in real demo nodes: a scheduler
# and two workers, who runs what, environment, output, stopping, dying with the host,
# restart backoff, broken plugins and GET /plugins.

load ../helpers/common
load ../helpers/plugins

setup() { plugins_setup; }
teardown() { plugins_teardown; }

# The three nodes of one instance, each with the same plugin directory.
start_cluster() {
	node_start sched scheduler
	SCHED=$NODE_SOCK
	node_start w0 worker 0
	W0=$NODE_SOCK
	node_start w1 worker 1
	W1=$NODE_SOCK
}

@test "each process runs the plugins its role and worker id select" {
	plugin_copy record.sh all_rec.sh
	plugin_copy record.sh scheduler_rec.sh
	plugin_copy record.py worker_rec.py
	plugin_copy record.py worker_0.py         # two parts: every worker
	plugin_copy record.sh all_1_rec.sh        # worker 1 only
	plugin_copy record.sh scheduler_0_rec.sh  # the scheduler's id is -1: nowhere
	plugin_copy record.py foo_bar.py          # unknown role: nowhere
	plugin_copy record.sh sub/deep/ALL_Deep.sh # recursive, case-insensitive
	plugin_copy record.sh plain.sh            # one part: everywhere
	plugin_config "$T/conf.yaml"
	start_cluster
	local expected=(
		all_rec.sh.scheduler.-1 all_rec.sh.worker.0 all_rec.sh.worker.1
		scheduler_rec.sh.scheduler.-1
		worker_rec.py.worker.0 worker_rec.py.worker.1
		worker_0.py.worker.0 worker_0.py.worker.1
		all_1_rec.sh.worker.1
		ALL_Deep.sh.scheduler.-1 ALL_Deep.sh.worker.0 ALL_Deep.sh.worker.1
		plain.sh.scheduler.-1 plain.sh.worker.0 plain.sh.worker.1
	)
	local id
	for id in "${expected[@]}"; do
		wait_until 10 test -s "$REC/$id.pid" || fail "$id did not run"
	done
	# Skipping is decided at start, and /plugins says so.
	assert_equal "$(plugin_field "$W0" all_1_rec.sh state)" skipped
	assert_equal "$(plugin_field "$SCHED" scheduler_0_rec.sh state)" skipped
	assert_equal "$(plugin_field "$W1" foo_bar.py state)" skipped
	assert_equal "$(plugin_field "$SCHED" worker_rec.py state)" skipped
	run bash -c "cd '$REC' && ls *.pid | sed 's/\.pid$//' | sort"
	assert_output "$(printf '%s\n' "${expected[@]}" | sort)"
}

@test "plugins get the host's environment plus both families of variables" {
	plugin_copy record.sh all_rec.sh
	plugin_copy record.py worker_rec.py
	plugin_config "$T/conf.yaml" "my_plugin_param: 42"
	start_cluster
	wait_until 10 test -s "$REC/all_rec.sh.scheduler.-1.env"
	wait_until 10 test -s "$REC/worker_rec.py.worker.1.env"
	local id=all_rec.sh.scheduler.-1 fam
	for fam in LMCACHE_RUNTIME_PLUGIN LMCACHE_PLUGIN; do
		assert_equal "$(env_of $id ${fam}_ROLE)" scheduler
		assert_equal "$(env_of $id ${fam}_WORKER_ID)" -1
		assert_equal "$(env_of $id ${fam}_WORKER_COUNT)" 2
		assert_equal "$(env_of worker_rec.py.worker.1 ${fam}_ROLE)" worker
		assert_equal "$(env_of worker_rec.py.worker.1 ${fam}_WORKER_ID)" 1
	done
	assert_equal "$(env_of $id PYTHONUNBUFFERED)" 1
	assert_equal "$(env_of $id PLUGIN_RECORD_DIR)" "$REC"
	# The whole config as JSON, extra_config included.
	assert_equal "$(env_of $id LMCACHE_RUNTIME_PLUGIN_CONFIG | jq -r .extra_config.my_plugin_param)" 42
	assert_equal "$(env_of $id LMCACHE_PLUGIN_CONFIG | jq -r .runtime_plugin_locations[0])" "$PLUGDIR"
}

@test "plugin output reaches the host's log, and the exit is logged" {
	plugin_copy record.sh all_rec.sh
	plugin_copy record.py worker_0_rec.py
	plugin_config "$T/conf.yaml"
	node_start w0 worker 0
	wait_until 10 grep -q "hello from worker_0_rec.py" "$T/w0.log"
	wait_until 10 grep -q "to stderr from all_rec.sh" "$T/w0.log"
	run grep -F "INFO [lmcache.plugin] [$PLUGDIR/all_rec.sh] hello from all_rec.sh.worker.0" "$T/w0.log"
	assert_success
	run grep -F "INFO [lmcache.plugin] [$PLUGDIR/worker_0_rec.py] hello from worker_0_rec.py.worker.0" "$T/w0.log"
	assert_success
	kill -TERM "$(cat "$T/w0.pid")"
	wait_until 10 grep -qF "Runtime plugin $PLUGDIR/all_rec.sh exited with code 0" "$T/w0.log"
	wait_until 10 grep -qF "Runtime plugin $PLUGDIR/worker_0_rec.py exited with code 0" "$T/w0.log"
}

@test "SIGTERM to the host stops plugins and their children within two seconds" {
	worker0_with_two_plugins
	local pids
	pids=$(recorded_pids)
	[ "$(echo "$pids" | wc -l)" -eq 3 ]
	all_dead $pids && fail "plugins were not running"
	kill -TERM "$(cat "$T/w0.pid")"
	wait_until 2 all_dead $pids || fail "still alive: $(ps -o pid=,args= -p "${pids//$'\n'/,}")"
	# They were asked politely first.
	assert [ -s "$REC/all_rec.sh.worker.0.term" ]
	assert [ -s "$REC/all_rec.py.worker.0.term" ]
}

@test "SIGKILL of the host kills plugins and their children within two seconds" {
	worker0_with_two_plugins
	local pids shims
	pids=$(recorded_pids)
	shims=$(pgrep -P "$(cat "$T/w0.pid")" -f lmcache-plugin-shim)
	[ -n "$shims" ]
	kill -KILL "$(cat "$T/w0.pid")"
	wait_until 2 all_dead $pids $shims || fail "still alive: $(ps -o pid=,args= -p "${pids//$'\n'/,}")"
}

@test "a plugin that ignores SIGTERM is killed after the grace period" {
	plugin_write all_ignores_term.sh <<-'EOF'
		trap 'echo "ignoring SIGTERM"' TERM
		echo $$ >"$PLUGIN_RECORD_DIR/ignores_term.pid"
		while :; do sleep 1000 & wait $!; done
	EOF
	GRACE=0.5 plugin_config "$T/conf.yaml"
	node_start w0 worker 0
	wait_until 10 test -s "$REC/ignores_term.pid"
	local pid
	pid=$(cat "$REC/ignores_term.pid")
	kill -TERM "$(cat "$T/w0.pid")"
	wait_until 10 grep -q "ignoring SIGTERM" "$T/w0.log"
	wait_until 10 all_dead "$pid"
	wait_until 10 grep -qF "Runtime plugin $PLUGDIR/all_ignores_term.sh exited with code -9" "$T/w0.log"
}

restarts_at_least() {
	local n
	n=$(plugin_field "$1" "$2" restarts) && [ "$n" -ge "$3" ]
}

@test "a crash loop backs off: restarts counted, delays growing to the cap" {
	plugin_write all_crash.sh <<-'EOF'
		echo "crash $(date +%s.%N)" >>"$PLUGIN_RECORD_DIR/crash.log"
		exit 3
	EOF
	plugin_config "$T/conf.yaml" "runtime_plugin_restart: on-failure" \
		"runtime_plugin_restart_backoff: 0.1" "runtime_plugin_restart_backoff_max: 0.4"
	node_start w0 worker 0
	W0=$NODE_SOCK
	wait_until 20 restarts_at_least "$W0" all_crash.sh 4
	# Each delay is logged as it is chosen: 0.1, 0.2, 0.4, then the cap again.
	run bash -c "grep -o 'Restarting runtime plugin $PLUGDIR/all_crash.sh in [0-9.]* s' \
		'$T/w0.log' | head -4 | awk '{print \$6}' | tr '\n' ' '"
	assert_output "0.1 0.2 0.4 0.4 "
	# /plugins shows the count and the delay in force (the cap by now).
	assert_equal "$(plugin_field "$W0" all_crash.sh restart_delay)" 0.4
	assert_equal "$(plugin_field "$W0" all_crash.sh last_exit_status)" 3
	[ "$(wc -l <"$REC/crash.log")" -ge 5 ]
	grep -qF "Runtime plugin $PLUGDIR/all_crash.sh exited with code 3" "$T/w0.log"
	run api "$W0" /metrics
	assert_output --regexp "lmcache_plugin_restarts_total\{plugin=\"$PLUGDIR/all_crash.sh\"\} [4-9]"
}

@test "broken plugins are clear errors and harm neither the host nor the others" {
	plugin_copy record.sh all_good.sh
	plugin_write all_syntax.py <<<'def broken(:'
	plugin_write nointerp/all_x.rb <<<'#!/no/such/ruby'
	plugin_write notexec/interp <<<'#!/bin/sh'
	chmod -x "$PLUGDIR/notexec/interp"
	plugin_write notexec/all_y.rb <<<"#!$PLUGDIR/notexec/interp"
	plugin_write badexec/interp <<<'not a program'
	chmod +x "$PLUGDIR/badexec/interp"
	plugin_write badexec/all_z.rb <<<"#!$PLUGDIR/badexec/interp"
	plugin_write all_plain.txt <<<'echo hi'
	LOCATIONS="$PLUGDIR $PLUGDIR/nointerp/all_x.rb $PLUGDIR/notexec/all_y.rb \
		$PLUGDIR/badexec/all_z.rb $PLUGDIR/all_plain.txt $T/missing" plugin_config "$T/conf.yaml"
	node_start w0 worker 0
	wait_until 10 test -s "$REC/all_good.sh.worker.0.pid"
	wait_until 10 plugin_state_is "$NODE_SOCK" all_syntax.py exited
	wait_until 10 plugin_state_is "$NODE_SOCK" all_z.rb exited
	assert_equal "$(plugin_field "$NODE_SOCK" all_syntax.py last_exit_status)" 1
	assert_equal "$(plugin_field "$NODE_SOCK" all_x.rb state)" failed
	assert_equal "$(plugin_field "$NODE_SOCK" all_y.rb state)" failed
	assert_equal "$(plugin_field "$NODE_SOCK" all_plain.txt state)" failed
	assert_equal "$(plugin_field "$NODE_SOCK" all_z.rb last_exit_status)" 127
	run plugin_field "$NODE_SOCK" all_z.rb error
	assert_output --partial "Exec format error"
	run plugin_field "$NODE_SOCK" all_x.rb error
	assert_output --partial "not supported"
	assert_equal "$(plugin_field "$NODE_SOCK" all_good.sh state)" running
	grep -q "SyntaxError" "$T/w0.log"
	grep -q "WARNING \[lmcache.plugin\] Runtime plugin location $T/missing does not exist" "$T/w0.log"
	grep -q "ERROR \[lmcache.plugin\] Failed to launch plugin $PLUGDIR/all_plain.txt" "$T/w0.log"
	api "$NODE_SOCK" /healthcheck
}

@test "GET /plugins describes each plugin; the process is its own group leader" {
	plugin_copy record.sh all_rec.sh
	plugin_config "$T/conf.yaml"
	node_start w0 worker 0
	wait_until 10 test -s "$REC/all_rec.sh.worker.0.pid"
	run api "$NODE_SOCK" /plugins
	assert_success
	local pid
	pid=$(cat "$REC/all_rec.sh.worker.0.pid")
	echo "$output" | json_true '
		length == 1 and .[0].name == "all_rec.sh" and .[0].path == $p and
		.[0].pid == $pid and .[0].pgid == $pid and .[0].state == "running" and
		.[0].restarts == 0 and .[0].last_exit_status == null and
		(.[0].uptime | type) == "number" and .[0].restart_policy == "never" and
		(.[0].command | last) == $p' --arg p "$PLUGDIR/all_rec.sh" --argjson pid "$pid"
	# Its own process group, not the host's; the grandchild is in it too.
	assert_equal "$(ps -o pgid= -p "$pid" | tr -d ' ')" "$pid"
	assert_equal "$(ps -o pgid= -p "$(cat "$REC/all_rec.sh.worker.0.child")" | tr -d ' ')" "$pid"
	run api "$NODE_SOCK" /metrics
	assert_output --partial "lmcache_plugins_running 1"
}

runs_at_least() {
	[ -f "$REC/runs" ] && [ "$(wc -l <"$REC/runs")" -ge "$1" ]
}

@test "a host that ignores SIGCHLD still learns exit codes and restarts" {
	plugin_write all_exit.sh <<-'EOF'
		echo x >>"$PLUGIN_RECORD_DIR/runs"
		exit 5
	EOF
	plugin_config "$T/conf.yaml" "runtime_plugin_restart: always" "runtime_plugin_restart_backoff: 0.05"
	NODE_SOCK="$T/s_7000"
	lmc_bg w0 python3 -c 'import os, signal, sys
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
os.execvp(sys.argv[1], sys.argv[1:])' lmcache-demo-node --role worker --worker-id 0 \
		--config "$T/conf.yaml" --socket-prefix "$T/s" --tick-ms 0
	wait_for_socket "$NODE_SOCK"
	# The host really ignores SIGCHLD (bit 17-1 of SigIgn).
	local ign
	ign=$(sed -n 's/^SigIgn:\t*//p' "/proc/$(cat "$T/w0.pid")/status")
	assert_equal $(((0x$ign >> 16) & 1)) 1
	wait_until 10 runs_at_least 3
	wait_until 10 grep -qF "Runtime plugin $PLUGDIR/all_exit.sh exited with code 5" "$T/w0.log"
	assert_equal "$(plugin_field "$NODE_SOCK" all_exit.sh last_exit_status)" 5
}

@test "the environment form: one path in LMCACHE_RUNTIME_PLUGIN_LOCATIONS, extra_config as JSON" {
	plugin_copy record.sh all_rec.sh
	plugin_copy record.sh plain.sh # in the same directory, but not the configured file
	NODE_SOCK="$T/s_7000"
	LMCACHE_RUNTIME_PLUGIN_LOCATIONS="$PLUGDIR/all_rec.sh" \
		LMCACHE_EXTRA_CONFIG='{"runtime_plugin_restart": "always"}' \
		lmc_bg w0 lmcache-demo-node --role worker --socket-prefix "$T/s" --tick-ms 0
	wait_for_socket "$NODE_SOCK"
	wait_until 10 test -s "$REC/all_rec.sh.worker.0.pid"
	run api "$NODE_SOCK" /plugins
	echo "$output" | json_true 'length == 1 and .[0].name == "all_rec.sh" and
		.[0].restart_policy == "always"'
}

@test "the old key plugin_locations works as an alias" {
	plugin_copy record.sh all_rec.sh
	printf 'plugin_locations:\n  - "%s"\n' "$PLUGDIR" >"$T/conf.yaml"
	node_start w0 worker 0
	wait_until 10 test -s "$REC/all_rec.sh.worker.0.pid"
	assert_equal "$(plugin_field "$NODE_SOCK" all_rec.sh state)" running
}

@test "a plugin inherits stdin from /dev/null, one output pipe, and no other descriptor" {
	plugin_copy record.py all_rec.py
	plugin_config "$T/conf.yaml"
	node_start w0 worker 0
	wait_until 10 test -s "$REC/all_rec.py.worker.0.pid"
	assert_equal "$(cat "$REC/all_rec.py.worker.0.fds")" "0 1 2"
	local pid
	pid=$(cat "$REC/all_rec.py.worker.0.pid")
	assert_equal "$(readlink "/proc/$pid/fd/0")" /dev/null
	assert_equal "$(readlink "/proc/$pid/fd/1")" "$(readlink "/proc/$pid/fd/2")"
	# The host has more open (its API socket at least), and none of it leaked.
	[ "$(ls "/proc/$(cat "$T/w0.pid")/fd" | wc -l)" -gt 3 ]
}
