#!/usr/bin/env bats
# The installed layout (make install DESTDIR=<temp root>, as the Debian packages do): the
# systemd units verify and name the installed programs, the daemons tell systemd when they
# are ready and stopping, log with journald's levels, and the registry's packaged file store
# keeps its entries across a restart. Nothing here touches the machine's own services.

load ../helpers/common
load ../helpers/discovery
load ../helpers/plugins

setup_file() {
	export ROOT="$BATS_FILE_TMPDIR/root"
	install_locked env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$LMC_BUILDDIR" install \
		DESTDIR="$ROOT" >"$BATS_FILE_TMPDIR/install.log" 2>&1
}

setup() { plugins_setup; }
teardown() { plugins_teardown; }

# unit NAME: the installed unit file of NAME.
unit() {
	find "$ROOT" -name "$1.service" -path '*/systemd/system/*'
}

# installed NAME: the program NAME.service runs (its ExecStart), under $ROOT.
installed() {
	echo "$ROOT$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$(unit "$1")")"
}

# defaults NAME: the installed options file the unit reads (its EnvironmentFile), under $ROOT.
defaults() {
	echo "$ROOT$(sed -n 's/^EnvironmentFile=-//p' "$(unit "$1")")"
}

# unit_for_verify NAME: the unit with its paths moved under $ROOT, in $T/units.
unit_for_verify() {
	mkdir -p "$T/units"
	sed -e "s|^ExecStart=/|ExecStart=$ROOT/|" -e "s|^EnvironmentFile=-/|EnvironmentFile=-$ROOT/|" \
		"$(unit "$1")" >"$T/units/$1.service"
}

@test "systemd-analyze verify passes on the installed units, and fails on a broken one" {
	command -v systemd-analyze || skip "systemd-analyze not installed"
	unit_for_verify lmcache-discovery
	unit_for_verify lmcache-frontend
	run systemd-analyze verify --man=no "$T/units/lmcache-discovery.service" \
		"$T/units/lmcache-frontend.service"
	assert_success
	# the control: a unit whose program is missing does not verify
	sed -i "s|^ExecStart=$ROOT/|ExecStart=$T/missing/|" "$T/units/lmcache-discovery.service"
	run systemd-analyze verify --man=no "$T/units/lmcache-discovery.service"
	assert_failure
}

@test "the units are Type=notify, hardened, with a state and a runtime directory" {
	local u
	for u in lmcache-discovery lmcache-frontend; do
		run cat "$(unit $u)"
		assert_line Type=notify
		assert_line User=$u
		assert_line ProtectSystem=strict
		assert_line NoNewPrivileges=yes
		assert_line PrivateTmp=yes
		assert_line CapabilityBoundingSet=
		assert_line RuntimeDirectory=$u
		[ -x "$(installed $u)" ]
		[ -f "$(defaults $u)" ]
	done
	run cat "$(unit lmcache-discovery)"
	assert_line StateDirectory=lmcache-discovery
}

@test "the daemons notify READY=1 once they answer, STOPPING=1 on SIGTERM" {
	local port u
	for u in lmcache-discovery lmcache-frontend; do
		port=$(free_port)
		mkdir -p "$T/$u"
		python3 "$LMC_SRCDIR/tests/helpers/notify-run.py" "$T/$u" \
			"http://127.0.0.1:$port/health" "$(installed $u)" --port "$port" \
			>"$T/$u.out" 2>"$T/$u.err"
		run cat "$T/$u.out"
		assert_output "READY=1
health 200
STOPPING=1
exit 0"
	done
}

@test "with stderr as journald's stream the log carries <N> levels and no stamp" {
	local port
	port=$(free_port)
	: >"$T/err"
	JOURNAL_STREAM=$(stat -c '%d:%i' "$T/err") python3 "$LMC_SRCDIR/tests/helpers/notify-run.py" \
		"$T" "http://127.0.0.1:$port/health" "$(installed lmcache-discovery)" --port "$port" \
		2>"$T/err" >/dev/null
	run cat "$T/err"
	assert_line --regexp '^<6>info: listening on 127\.0\.0\.1 port [0-9]+'
	assert_line '<6>info: signal 15: stopping'
	# another stream named in JOURNAL_STREAM (a redirected stderr): the plain format
	port=$(free_port)
	rm "$T/notify"
	JOURNAL_STREAM=1:1 python3 "$LMC_SRCDIR/tests/helpers/notify-run.py" \
		"$T" "http://127.0.0.1:$port/health" "$(installed lmcache-discovery)" --port "$port" \
		2>"$T/err" >/dev/null
	run cat "$T/err"
	assert_line --regexp '^[0-9T:-]+Z lmcache-discovery info: listening on'
	refute_output --partial $'\e['
}

@test "the packaged registry options keep the entries across a restart (state under /var/lib)" {
	local opts
	# shellcheck disable=SC1090
	opts=$(. "$(defaults lmcache-discovery)" && echo "$LMCACHE_DISCOVERY_OPTS")
	[[ $opts == *"--store file:/var/lib/lmcache-discovery/"* ]]
	opts=${opts//\/var\/lib\//$ROOT/var/lib/}
	mkdir -p "$ROOT/var/lib/lmcache-discovery"
	local port
	port=$(free_port)
	# shellcheck disable=SC2086
	lmc_bg disc "$(installed lmcache-discovery)" $opts --port "$port" --ttl 600
	wait_for_http "http://127.0.0.1:$port/health" 10
	heartbeat "http://127.0.0.1:$port" http://127.0.0.2:8000
	stop_bg disc
	[ -s "$ROOT/var/lib/lmcache-discovery/registry.json" ]
	# shellcheck disable=SC2086
	lmc_bg disc2 "$(installed lmcache-discovery)" $opts --port "$port" --ttl 600
	wait_for_http "http://127.0.0.1:$port/health" 10
	run listed "http://127.0.0.1:$port"
	assert_output http://127.0.0.2:8000
}

@test "an uninstalled demo node finds the build tree's plugin shim without LMCACHE_PLUGIN_SHIM" {
	unset LMCACHE_PLUGIN_SHIM
	plugin_copy record.sh all_rec.sh
	plugin_config "$T/conf.yaml"
	node_start w0 worker 0
	wait_until 10 test -s "$REC/all_rec.sh.worker.0.pid"
	run plugin_field "$NODE_SOCK" all_rec.sh state
	assert_output running
	# the plugin's parent is the shim of this build tree
	local ppid
	ppid=$(ps -o ppid= -p "$(cat "$REC/all_rec.sh.worker.0.pid")")
	run readlink -f "/proc/${ppid// /}/exe"
	assert_output "$(readlink -f "$LMC_BUILDDIR/src/agent/lmcache-plugin-shim")"
}
