#!/usr/bin/env bats
# Plugins whose descendants leave the plugin's process group (setsid, setpgid) still die
# with the host (issue: reliability), on SIGKILL and on SIGTERM of the host.

load ../helpers/common
load ../helpers/plugins

setup() { plugins_setup; }
teardown() { plugins_teardown; }

# escaping_host: worker 0 as w0 running all_escape.sh, once it has recorded everything.
escaping_host() {
	plugin_copy escape.sh all_escape.sh
	plugin_config "$T/conf.yaml"
	node_start w0 worker 0
	wait_until 20 test -s "$REC/all_escape.sh.worker.0.pid"
	pids=$(recorded_pids)
	[ "$(echo "$pids" | wc -l)" -eq 7 ]
	all_dead $pids && fail "plugins were not running"
	# They really left: at least two sessions besides the plugin's.
	[ "$(ps -o sid= -p "${pids//$'\n'/,}" | sort -u | wc -l)" -ge 3 ]
}

@test "SIGKILL of the host kills a plugin's descendants that left its group" {
	escaping_host
	kill -KILL "$(cat "$T/w0.pid")"
	wait_until 10 all_dead $pids || fail "still alive: $(ps -o pid=,sid=,args= -p "${pids//$'\n'/,}")"
}

@test "SIGTERM to the host kills a plugin's descendants that left its group" {
	escaping_host
	kill -TERM "$(cat "$T/w0.pid")"
	wait_until 10 all_dead $pids || fail "still alive: $(ps -o pid=,sid=,args= -p "${pids//$'\n'/,}")"
}
