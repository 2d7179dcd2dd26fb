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
	[ "$(grep -c '^\.EX' "$LMC_SRCDIR/man/lmcache-security.7")" = 8 ]
	# 1: exposed without tokens, refused
	run bash -c "$(example 1)"
	[ "$status" = 1 ]
	[[ "$output" == *"refusing to listen beyond loopback without a token file"* ]]
	# 4: the token files
	bash -e -c "$(example 4)"
	[ "$(stat -c %a tokens)" = 600 ]
	[ "$(wc -l <tokens)" = 4 ]
	# 5: the cluster, in a session of its own
	setsid bash -c "$(example 5)
wait" >"$T/cluster.log" 2>&1 3>&- &
	echo $! >"$T/ex.pgid"
	wait_for_http "http://127.0.0.1:$REG_PORT/health" 10
	wait_for_http "http://127.0.0.1:$FE_PORT/health" 10
	wait_for_http "http://127.0.0.1:$NODE_PORT/health" 10 # any answer: the node listens
	wait_until 10 grep -q 'who=frontend1 role=agent' "$T/cluster.log"
	# 6: changing through the registry and the frontend
	run bash -e -c "$(example 6)"
	[ "$status" = 0 ]
	[[ "$output" == *'"max_local_cpu_size": 4'* ]]
	# 2: the audit line, as printed
	grep -qF "$(example 2)" "$T/cluster.log"
	# 7: a viewer may not run a script
	run bash -c "$(example 7)"
	[[ "$output" == *"exit 7"* ]]
	[[ "$output" == *"vera (role viewer) may not"* ]]
	# 8: a new token, read on SIGHUP
	bash -e -c "$(example 8)"
	wait_until 10 grep -q 'reloaded: 5 tokens' "$T/cluster.log"
	tok=$(awk '$3 == "grafana" { print $1 }' tokens)
	[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" "http://127.0.0.1:$REG_PORT/lmcache_infos")" = 200 ]
}

@test "lmcache-security(7): the https node example runs" {
	# ca.pem, and a server and a client certificate it signed, as the example expects
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj /CN=ca -keyout ca.key -out ca.pem 2>/dev/null
	for who in server client; do
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$who" \
			-keyout "$who.key" -out "$who.csr" 2>/dev/null
		openssl x509 -req -in "$who.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
			-extfile <(printf 'subjectAltName=IP:127.0.0.1\n') -out "$who.pem" 2>/dev/null
	done
	chmod 600 ./*.key
	LMCACHE_INTERNAL_API_SERVER_TLS_CERT=server.pem LMCACHE_INTERNAL_API_SERVER_TLS_KEY=server.key \
		LMCACHE_INTERNAL_API_SERVER_TLS_CLIENT_CA=ca.pem \
		lmc_bg node lmcache-demo-node --role scheduler --port-start "$NODE_PORT" --tick-ms 0
	wait_for_http "https://127.0.0.1:$NODE_PORT/healthcheck" 10 --cacert ca.pem --cert client.pem \
		--key client.key
	setsid bash -c "$(example 3)" >"$T/fe.log" 2>&1 3>&- &
	echo $! >"$T/ex.pgid"
	wait_for_http "http://127.0.0.1:$FE_PORT/health" 10
	[ "$(curl -s "http://127.0.0.1:$FE_PORT/proxy2/n1/version")" = '"0.1.0-demo"' ]
}
