#!/usr/bin/env bats
# Every example of lmcache-security(7) runs here, as printed (groff escapes undone), on
# ports of this test.

load ../helpers/common

setup() {
	lmc_setup
	cd "$T"
	export REG_PORT FE_PORT NODE_PORT
	REG_PORT=$(free_port)
	FE_PORT=$(free_port)
	NODE_PORT=$(free_port)
}

teardown() {
	[ -s "$T/ex.pgid" ] && kill -- -"$(cat "$T/ex.pgid")" 2>/dev/null
	lmc_teardown_checked
}

# example N: the text of the Nth .EX block of the man page.
example() {
	awk -v n="$1" '/^\.EE/ { p = 0 } p { print } /^\.EX/ { p = ++i == n }' \
		"$LMC_SRCDIR/man/lmcache-security.7" |
		sed -e 's/\\-/-/g' -e 's/\\e/\\/g'
}

@test "lmcache-security(7): every example runs" {
	[ "$(grep -c '^\.EX' "$LMC_SRCDIR/man/lmcache-security.7")" = 7 ]
	# 1: exposed without tokens, refused
	run bash -c "$(example 1)"
	[ "$status" = 1 ]
	[[ "$output" == *"refusing to listen beyond loopback without a token file"* ]]
	# 3: the token files
	bash -e -c "$(example 3)"
	[ "$(stat -c %a tokens)" = 600 ]
	[ "$(wc -l <tokens)" = 4 ]
	# 4: the cluster, in a session of its own
	setsid bash -c "$(example 4)
wait" >"$T/cluster.log" 2>&1 3>&- &
	echo $! >"$T/ex.pgid"
	wait_for_http "http://127.0.0.1:$REG_PORT/health" 10
	wait_for_http "http://127.0.0.1:$FE_PORT/health" 10
	wait_until 10 grep -q 'who=frontend1 role=agent' "$T/cluster.log"
	# 5: changing through the registry and the frontend
	run bash -e -c "$(example 5)"
	[ "$status" = 0 ]
	[[ "$output" == *'"max_local_cpu_size": 4'* ]]
	# 2: the audit line, as printed
	grep -qF "$(example 2)" "$T/cluster.log"
	# 6: a viewer may not run a script
	run bash -c "$(example 6)"
	[[ "$output" == *"exit 7"* ]]
	[[ "$output" == *"vera (role viewer) may not"* ]]
	# 7: a new token, read on SIGHUP
	bash -e -c "$(example 7)"
	wait_until 10 grep -q 'reloaded: 5 tokens' "$T/cluster.log"
	tok=$(awk '$3 == "grafana" { print $1 }' tokens)
	[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" "http://127.0.0.1:$REG_PORT/lmcache_infos")" = 200 ]
}
