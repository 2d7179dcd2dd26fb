# LMCache's recorded answers (tests/fixtures/lmcache/, see docs/protocol.md) served by
# tests/helpers/fixture-server.py. Load after ../helpers/common.
#
#   fixture_serve NAME [--host 127.X.Y.Z] [--record FILE] [--mount PREFIX=DIR]... DIR...
#       a server on a free port of 127.0.0.1 (or --host) answering as the recorded server
#       did; sets ${NAME^^}_URL (fixture_serve lmc node  ->  $LMC_URL). --record FILE gets a
#       JSON line per connection and per request (with its headers), from after the server
#       is ready. DIRs and mount DIRs are
#       relative to tests/fixtures/lmcache (node, node-json-threads, mp, mp-unhealthy,
#       frontend-leaf, frontend-central).
#   fixture_serve_unix NAME SOCKET DIR...   the same on a unix socket
#   fixture_central NAME   LMCache's central frontend (node-supplier mode) as recorded:
#       its /api/nodes names the child proxy $FIXTURE_PROXY, and the two-hop path
#       /proxy2/$FIXTURE_PROXY/proxy2/inst1_scheduler/... reaches the recorded node
#   fixture_get FILE FIELD   a field of a recorded exchange (jq path, e.g. .response.status)

LMC_FIXTURES="$FIXTURES/lmcache"
FIXTURE_PROXY=proxy_127.0.0.1_39995

fixture_args() {
	local a
	for a in "$@"; do
		case $a in
		--mount) printf '%s\n' "$a" ;;
		*=*) printf '%s\n' "${a%%=*}=$LMC_FIXTURES/${a#*=}" ;;
		*) printf '%s\n' "$LMC_FIXTURES/$a" ;;
		esac
	done
}

fixture_serve() {
	local name=$1 port args host=127.0.0.1 opts=() i
	shift
	while [ "$1" = --host ] || [ "$1" = --record ]; do
		[ "$1" = --host ] && host=$2
		opts+=("$1" "$2")
		shift 2
	done
	port=$(free_port)
	mapfile -t args < <(fixture_args "$@")
	lmc_bg "fixture-$name" python3 "$LMC_SRCDIR/tests/helpers/fixture-server.py" \
		--port "$port" "${opts[@]}" "${args[@]}"
	wait_for_http "http://$host:$port/" 10
	# The record starts empty: it holds what the test causes, not this readiness probe.
	[ "${#opts[@]}" = 0 ] || for ((i = 0; i < ${#opts[@]}; i += 2)); do
		[ "${opts[i]}" != --record ] || : >"${opts[i + 1]}"
	done
	printf -v "${name^^}_URL" '%s' "http://$host:$port"
}

fixture_serve_unix() {
	local name=$1 sock=$2 args
	shift 2
	mapfile -t args < <(fixture_args "$@")
	lmc_bg "fixture-$name" python3 "$LMC_SRCDIR/tests/helpers/fixture-server.py" \
		--unix "$sock" "${args[@]}"
	wait_for_socket "$sock"
}

fixture_central() {
	fixture_serve "$1" --mount "/proxy2/$FIXTURE_PROXY/proxy2/inst1_scheduler=node" \
		frontend-central
}

fixture_get() {
	jq -r "$2" "$LMC_FIXTURES/$1.json"
}
