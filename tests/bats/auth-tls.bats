#!/usr/bin/env bats
# TLS (lmcache-security(7)): the daemons serve HTTPS with openssl-made certificates, mutual
# TLS accepts a client certificate of its CA and refuses others, and https registry and
# frontend addresses work end to end with lmcctl.

load ../helpers/common
load ../helpers/discovery

# mkcert NAME CA: an EC key and a certificate for 127.0.0.1 signed by CA ("self": a CA).
mkcert() {
	local name=$1 ca=$2
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$name" \
		-keyout "$T/$name.key" -out "$T/$name.csr" 2>/dev/null
	if [ "$ca" = self ]; then
		openssl x509 -req -in "$T/$name.csr" -signkey "$T/$name.key" -days 2 \
			-extfile <(printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign\n') \
			-out "$T/$name.pem" 2>/dev/null
	else
		openssl x509 -req -in "$T/$name.csr" -CA "$T/$ca.pem" -CAkey "$T/$ca.key" \
			-CAcreateserial -days 2 -out "$T/$name.pem" \
			-extfile <(printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n') 2>/dev/null
	fi
}

setup() {
	lmc_setup
	umask 077
	mkcert ca self
	mkcert server ca
	mkcert client ca
	mkcert other-ca self
	mkcert stranger other-ca
}

teardown() { lmc_teardown_checked; }

# start_tls NAME ARGS...: lmcache-discovery over HTTPS; sets URL.
start_tls() {
	local name=$1 port
	shift
	port=$(free_port)
	URL="https://127.0.0.1:$port"
	lmc_bg "$name" lmcache-discovery --port "$port" --tls-cert "$T/server.pem" \
		--tls-key "$T/server.key" "$@"
	wait_for_http "$URL/health" 10 --cacert "$T/ca.pem" --cert "$T/client.pem" --key "$T/client.key"
}

@test "tls: lmcache-discovery serves HTTPS; lmcctl verifies it with --cacert" {
	start_tls disc
	[ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/ca.pem" "$URL/health")" = 200 ]
	run curl -s --max-time 5 "http://${URL#https://}/health"
	[ "$status" != 0 ] || [ -z "$output" ]
	# An empty registry: read over TLS, it lists no frontend (exit 4).
	run lmcctl --registry "$URL" --cacert "$T/ca.pem" nodes
	[ "$status" = 4 ]
	[[ "$output" == *"lists no frontend"* ]]
	run lmcctl --registry "$URL" nodes
	[ "$status" != 0 ]
	[[ "$output" == *"certificate"* || "$output" == *SSL* ]]
}

@test "tls: mutual TLS accepts its CA's client certificate and refuses the rest" {
	start_tls disc --tls-client-ca "$T/ca.pem"
	s=$(curl -s -o "$T/out" -w '%{http_code}' --cacert "$T/ca.pem" "$URL/lmcache_infos")
	[ "$s" = 403 ]
	json_true '.detail | contains("client certificate")' <"$T/out"
	s=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/ca.pem" --cert "$T/client.pem" \
		--key "$T/client.key" "$URL/lmcache_infos")
	[ "$s" = 200 ]
	s=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/ca.pem" --cert "$T/stranger.pem" \
		--key "$T/stranger.key" "$URL/lmcache_infos") || true
	[ "$s" != 200 ]
	run lmcctl --registry "$URL" --cacert "$T/ca.pem" --cert "$T/client.pem" \
		--key "$T/client.key" nodes
	[[ "$output" == *"lists no frontend"* ]]
	run lmcctl --registry "$URL" --cacert "$T/ca.pem" nodes
	[[ "$output" != *"lists no frontend"* ]]
}

@test "tls: a key readable by others, or a certificate without its key, is refused" {
	chmod 644 "$T/server.key"
	run lmcache-discovery --port "$(free_port)" --tls-cert "$T/server.pem" --tls-key "$T/server.key"
	[ "$status" = 1 ]
	[[ "$output" == *"mode 0600"* ]]
	run lmcache-frontend --nodes '[]' --tls-cert "$T/server.pem"
	[ "$status" = 1 ]
	[[ "$output" == *"--tls-cert and --tls-key go together"* ]]
}

@test "tls: https registry and frontend addresses end to end" {
	start_tls disc
	nport=$(free_port)
	lmc_bg node lmcache-demo-node --role scheduler --port-start "$nport" --tick-ms 0
	wait_for_http "http://127.0.0.1:$nport/healthcheck" 10
	fport=$(free_port)
	lmc_bg fe lmcache-frontend --port "$fport" --tls-cert "$T/server.pem" \
		--tls-key "$T/server.key" --cacert "$T/ca.pem" --heartbeat-url "$URL/lmcache_heartbeat" \
		--nodes "[{\"name\":\"n1\",\"host\":\"127.0.0.1\",\"port\":$nport}]"
	wait_until 10 eval 'curl -s --cacert "$T/ca.pem" "$URL/lmcache_infos" | grep -q "https://127.0.0.1:$fport"'
	run lmcctl --registry "$URL" --cacert "$T/ca.pem" config get chunk_size --all
	[ "$status" = 0 ]
	[[ "$output" == *n1*256* ]]
}

@test "tls: the agent serves HTTPS from its configuration" {
	port=$(free_port)
	LMCACHE_INTERNAL_API_SERVER_TLS_CERT=$T/server.pem LMCACHE_INTERNAL_API_SERVER_TLS_KEY=$T/server.key \
		lmc_bg node lmcache-demo-node --role scheduler --port-start "$port" --tick-ms 0
	wait_for_http "https://127.0.0.1:$port/healthcheck" 10 --cacert "$T/ca.pem"
	run lmcctl --url "https://127.0.0.1:$port" --cacert "$T/ca.pem" version
	[ "$status" = 0 ]
}

@test "tls: the frontend reaches https nodes and a central frontend https frontends" {
	# A node serving HTTPS that wants a client certificate of the CA.
	nport=$(free_port)
	LMCACHE_INTERNAL_API_SERVER_TLS_CERT=$T/server.pem LMCACHE_INTERNAL_API_SERVER_TLS_KEY=$T/server.key \
		LMCACHE_INTERNAL_API_SERVER_TLS_CLIENT_CA=$T/ca.pem \
		lmc_bg node lmcache-demo-node --role scheduler --port-start "$nport" --tick-ms 0
	wait_for_http "https://127.0.0.1:$nport/healthcheck" 10 --cacert "$T/ca.pem" \
		--cert "$T/client.pem" --key "$T/client.key"
	nodes="[{\"name\":\"n1\",\"host\":\"127.0.0.1\",\"port\":$nport,\"scheme\":\"https\"}]"
	# A frontend serving HTTPS itself, reaching the node with the CA and its certificate.
	rport=$(free_port)
	lmc_bg reg lmcache-discovery --port "$rport"
	fport=$(free_port)
	FE="https://127.0.0.1:$fport"
	lmc_bg fe lmcache-frontend --port "$fport" --tls-cert "$T/server.pem" --tls-key "$T/server.key" \
		--cacert "$T/ca.pem" --cert "$T/client.pem" --key "$T/client.key" --nodes "$nodes" \
		--heartbeat-url "http://127.0.0.1:$rport/lmcache_heartbeat" --heartbeat-interval 1
	tls=(--cacert "$T/ca.pem")
	wait_for_http "$FE/health" 10 "${tls[@]}"
	[ "$(curl -s "${tls[@]}" "$FE/proxy2/n1/version")" = '"0.1.0-demo"' ]
	[ "$(curl -s "${tls[@]}" "$FE/proxy/127.0.0.1/$nport/version")" = '"0.1.0-demo"' ]
	curl -s "${tls[@]}" "$FE/metrics" | grep -q '^lmcache_frontend_node_up{node="n1"} 1'
	[ "$(curl -s "${tls[@]}" "$FE/api/nodes" | jq -r '.nodes[0].children[0].scheme')" = https ]
	# local_proxy is the frontend itself, https too
	[ "$(curl -s "${tls[@]}" "$FE/api/proxies" | jq -r '.proxies[0].scheme')" = https ]
	[ "$(curl -s "${tls[@]}" "$FE/proxy2/local_proxy/health" | jq -r .service)" = lmcache-monitor ]
	# So is a frontend in LMCache's plugin mode serving TLS.
	pport=$(free_port)
	LMCACHE_PLUGIN_CONFIG="{\"internal_api_server_socket_path_prefix\": \"$T/ps\"}" \
		lmc_bg pfe lmcache-frontend --port "$pport" --tls-cert "$T/server.pem" \
		--tls-key "$T/server.key"
	wait_for_http "https://127.0.0.1:$pport/health" 10 "${tls[@]}"
	[ "$(curl -s "${tls[@]}" "https://127.0.0.1:$pport/api/proxies" | jq -r '.proxies[0].scheme')" = https ]
	# Without the node's CA the frontend does not trust it, and says so.
	port2=$(free_port)
	lmc_bg fe2 lmcache-frontend --port "$port2" --nodes "$nodes"
	wait_for_http "http://127.0.0.1:$port2/health" 10
	[ "$(curl -s -o "$T/out" -w '%{http_code}' "http://127.0.0.1:$port2/proxy2/n1/version")" = 502 ]
	json_true '.detail | test("certificate|SSL")' <"$T/out"
	# A central frontend reads the https frontend from the registry, and reaches the node
	# through it.
	cport=$(free_port)
	lmc_bg central lmcache-frontend --port "$cport" --cacert "$T/ca.pem" \
		--node-supplier-url "http://127.0.0.1:$rport/lmcache_infos" --node-supplier-interval 1
	C="http://127.0.0.1:$cport"
	wait_until 10 eval 'curl -s "$C/api/nodes" | json_true "any(.nodes[]; .scheme == \"https\" and (.children | length) == 1)"'
	[ "$(curl -s "$C/proxy2/proxy_127.0.0.1_$fport/proxy2/n1/version")" = '"0.1.0-demo"' ]
	[ "$(curl -s "$C/proxy2/n1/version")" = '"0.1.0-demo"' ]
}

# etcd over TLS (a client certificate required) with its username/password authentication.
start_secure_etcd() {
	[ -n "${ETCD:-}" ] || skip "etcd not installed"
	ETCD_PORT=$(free_port)
	local peer
	peer=$(free_port)
	lmc_bg etcd "$ETCD" --name t --data-dir "$T/etcd-data" \
		--listen-client-urls "https://127.0.0.1:$ETCD_PORT" \
		--advertise-client-urls "https://127.0.0.1:$ETCD_PORT" \
		--listen-peer-urls "http://127.0.0.1:$peer" \
		--initial-advertise-peer-urls "http://127.0.0.1:$peer" \
		--initial-cluster "t=http://127.0.0.1:$peer" --log-level error \
		--cert-file "$T/server.pem" --key-file "$T/server.key" \
		--client-cert-auth --trusted-ca-file "$T/ca.pem"
	ectl() {
		ETCDCTL_API=3 etcdctl --endpoints "https://127.0.0.1:$ETCD_PORT" --cacert "$T/ca.pem" \
			--cert "$T/client.pem" --key "$T/client.key" "$@"
	}
	wait_until 20 ectl endpoint health
	ectl user add root:root-pw-123 >/dev/null
	ectl user grant-role root root >/dev/null
	ectl user add lmc:lmc-pw-123 >/dev/null
	ectl role add lmc >/dev/null
	ectl role grant-permission lmc --prefix=true readwrite /lmcache/ >/dev/null
	ectl user grant-role lmc lmc >/dev/null
	ectl auth enable >/dev/null
	echo lmc-pw-123 >"$T/etcd-pw"
	# etcd's JSON gateway refuses a client certificate with a CommonName once auth is on.
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /O=lmcache-tools \
		-keyout "$T/etcd-client.key" -out "$T/etcd-client.csr" 2>/dev/null
	openssl x509 -req -in "$T/etcd-client.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" \
		-CAcreateserial -days 2 -out "$T/etcd-client.pem" \
		-extfile <(printf 'extendedKeyUsage=clientAuth\n') 2>/dev/null
}

@test "tls: the etcd store speaks TLS and etcd's username/password authentication" {
	start_secure_etcd
	etcd_args=(--etcd-cacert "$T/ca.pem" --etcd-cert "$T/etcd-client.pem"
		--etcd-key "$T/etcd-client.key")
	start_discovery reg --store "etcds://127.0.0.1:$ETCD_PORT" "${etcd_args[@]}" \
		--etcd-user lmc --etcd-password-file "$T/etcd-pw"
	[ "$(heartbeat_status "$DISC_URL" http://127.0.0.1:9)" = 200 ]
	[ "$(listed "$DISC_URL")" = http://127.0.0.1:9 ]
	ectl --user root:root-pw-123 get --prefix /lmcache/ --keys-only | grep -q 'http://127.0.0.1:9'
	echo wrong-pw >"$T/etcd-pw"
	run lmcache-discovery --port "$(free_port)" --store "etcds://127.0.0.1:$ETCD_PORT" \
		"${etcd_args[@]}" --etcd-user lmc --etcd-password-file "$T/etcd-pw"
	[ "$status" = 1 ]
	[[ "$output" == *"refused user lmc"* ]]
	# Without etcd's CA the registry does not trust it.
	echo lmc-pw-123 >"$T/etcd-pw"
	run lmcache-discovery --port "$(free_port)" --store "etcds://127.0.0.1:$ETCD_PORT" \
		--etcd-cert "$T/etcd-client.pem" --etcd-key "$T/etcd-client.key" --etcd-user lmc \
		--etcd-password-file "$T/etcd-pw"
	[ "$status" = 1 ]
	[[ "$output" == *"certificate"* ]]
}

@test "tls: the frontend's server loops serve HTTPS and forward to a unix-socket node" {
	lmc_bg unode python3 "$FIXTURES/frontend/unix-node.py" "$T/u.sock"
	wait_for_socket "$T/u.sock"
	fport=$(free_port)
	lmc_bg fe lmcache-frontend --port "$fport" --tls-cert "$T/server.pem" \
		--tls-key "$T/server.key" --nodes "[{\"name\":\"u\",\"host\":\"localhost\",\"port\":\"$T/u.sock\"}]"
	wait_for_http "https://127.0.0.1:$fport/health" 10 --cacert "$T/ca.pem"
	# One TLS connection, its requests forwarded on its loop; then a streamed answer.
	urls=()
	for i in $(seq 1 10); do urls+=(-o /dev/null -w '%{http_code}\n' "https://127.0.0.1:$fport/proxy2/u/echo"); done
	curl -s --cacert "$T/ca.pem" "${urls[@]}" >"$T/codes"
	run sh -c "sort $T/codes | uniq -c"
	assert_output "     10 200"
	got=$(curl -s --cacert "$T/ca.pem" --max-time 60 "https://127.0.0.1:$fport/proxy2/u/big/5" | sha256sum)
	assert_equal "$got" "$(head -c $((5 << 20)) /dev/zero | tr '\0' x | sha256sum)"
}
