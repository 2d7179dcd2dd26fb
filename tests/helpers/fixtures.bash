# LMCache's recorded answers (tests/fixtures/lmcache/, see docs/protocol.md) served by
# tests/helpers/fixture-server.py. Load after ../helpers/common.
#
#   fixture_serve NAME [--mount PREFIX=DIR]... DIR...
#       a server on a free 127.0.0.1 port answering as the recorded server did; sets
#       ${NAME^^}_URL (fixture_serve lmc node  ->  $LMC_URL). DIRs and mount DIRs are
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
	local name=$1 port args
	shift
	port=$(free_port)
	mapfile -t args < <(fixture_args "$@")
	lmc_bg "fixture-$name" python3 "$LMC_SRCDIR/tests/helpers/fixture-server.py" \
		--port "$port" "${args[@]}"
	wait_for_http "http://127.0.0.1:$port/" 10
	printf -v "${name^^}_URL" '%s' "http://127.0.0.1:$port"
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
