# Helpers for the plugin runtime's bats tests (tests/bats/plugins*.bats).
# Plugins record what they saw in $REC; hosts are lmcache-demo-node processes on unix
# sockets in $T, configured through a YAML file like any LMCache host.

plugins_setup() {
	lmc_setup
	export LMCACHE_PLUGIN_SHIM="$LMC_BUILDDIR/src/agent/lmcache-plugin-shim"
	export PLUGIN_RECORD_DIR="$T/rec"
	REC=$PLUGIN_RECORD_DIR
	PLUGDIR="$T/plugins"
	mkdir -p "$REC" "$PLUGDIR"
}

# plugins_teardown: kills what a failed test left behind (the recorded plugins and their
# children), then lmc_teardown_checked.
plugins_teardown() {
	local pid
	for pid in $(recorded_pids); do kill -KILL "$pid" 2>/dev/null || true; done
	lmc_teardown_checked
}

# plugin_copy FIXTURE NAME: installs fixture (record.sh, record.py) as $PLUGDIR/NAME.
plugin_copy() {
	mkdir -p "$(dirname "$PLUGDIR/$2")"
	cp "$FIXTURES/plugins/$1" "$PLUGDIR/$2"
}

# plugin_write NAME: installs stdin as $PLUGDIR/NAME.
plugin_write() {
	mkdir -p "$(dirname "$PLUGDIR/$1")"
	cat >"$PLUGDIR/$1"
}

# plugin_config FILE [KEY: VALUE...]: a YAML config whose plugin location is $PLUGDIR (or
# $LOCATIONS, a space-separated list) and whose extra_config holds the given lines.
plugin_config() {
	local file=$1 loc
	shift
	{
		echo "runtime_plugin_locations:"
		for loc in ${LOCATIONS:-$PLUGDIR}; do echo "  - \"$loc\""; done
		echo "extra_config:"
		echo "  runtime_plugin_stop_grace: ${GRACE:-3}"
		for kv in "$@"; do echo "  $kv"; done
	} >"$file"
}

# node_start NAME ROLE [WORKER_ID]: starts a demo node with $T/conf.yaml; its API socket is
# $T/s_<port> (scheduler 6999, worker N 7000+N). Sets NODE_SOCK.
node_start() {
	local name=$1 role=$2 id=${3:-0} port
	[ "$role" = scheduler ] && port=6999 || port=$((7000 + id))
	NODE_SOCK="$T/s_$port"
	lmc_bg "$name" lmcache-demo-node --role "$role" --worker-id "$id" --worker-count 2 \
		--config "${CONF:-$T/conf.yaml}" --socket-prefix "$T/s" --tick-ms 0
	wait_for_socket "$NODE_SOCK"
}

# api SOCK PATH: GET over the node's unix socket.
api() {
	curl -sf --max-time 5 --unix-socket "$1" "http://localhost$2"
}

# plugin_field SOCK NAME FIELD: one field of one plugin in GET /plugins.
plugin_field() {
	api "$1" /plugins | jq -r --arg n "$2" --arg f "$3" '.[] | select(.name == $n) | .[$f]'
}

plugin_state_is() {
	[ "$(plugin_field "$1" "$2" state)" = "$3" ]
}

# all_dead PID...: none of the processes exists any more (zombies count as dead).
all_dead() {
	local pid st
	for pid in "$@"; do
		st=$(ps -o stat= -p "$pid" 2>/dev/null) || continue
		case $st in Z*) ;; *) return 1 ;; esac
	done
	return 0
}

# worker0_with_two_plugins: worker 0 as w0 running all_rec.sh and all_rec.py (the record
# fixtures), once both have recorded their pids.
worker0_with_two_plugins() {
	plugin_copy record.sh all_rec.sh
	plugin_copy record.py all_rec.py
	plugin_config "$T/conf.yaml"
	node_start w0 worker 0
	wait_until 10 test -s "$REC/all_rec.sh.worker.0.pid"
	wait_until 10 test -s "$REC/all_rec.py.worker.0.pid"
}

# recorded_pids: the pids of every plugin and grandchild that recorded itself.
recorded_pids() {
	cat "$REC"/*.pid "$REC"/*.child 2>/dev/null
}

# env_of ID VAR: a variable from a plugin's recorded environment.
env_of() {
	sed -n "s/^$2=//p" "$REC/$1.env"
}
