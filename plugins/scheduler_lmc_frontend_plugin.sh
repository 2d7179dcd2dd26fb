#!/bin/bash
# LMCache runtime plugin: runs lmcache-frontend on the scheduler of this host. The plugin
# runtime sets LMCACHE_PLUGIN_CONFIG (the host's config as JSON) and
# LMCACHE_PLUGIN_WORKER_COUNT; from them the frontend derives every node of this host, and
# extra_config keys plugin.frontend.<x> become its --<x> flags (for example
# plugin.frontend.port: 8000, plugin.frontend.heartbeat-url: http://registry:8500/lmcache_heartbeat).
#
# The program is LMCACHE_FRONTEND_BIN when set, else the one installed with this script
# (<prefix>/share/lmcache-tools/plugins -> <prefix>/sbin), else lmcache-frontend on PATH.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
prefix=$(cd "$here/../../.." 2>/dev/null && pwd)

find_frontend() {
	local c
	if [ -n "${LMCACHE_FRONTEND_BIN:-}" ]; then
		echo "$LMCACHE_FRONTEND_BIN"
		return 0
	fi
	for c in "$prefix/sbin/lmcache-frontend" "$prefix/bin/lmcache-frontend"; do
		if [ -x "$c" ]; then
			echo "$c"
			return 0
		fi
	done
	command -v lmcache-frontend
}

if [ -z "${LMCACHE_PLUGIN_CONFIG:-}${LMCACHE_RUNTIME_PLUGIN_CONFIG:-}" ]; then
	echo "scheduler_lmc_frontend_plugin: LMCACHE_PLUGIN_CONFIG is not set (run me as an LMCache plugin)" >&2
	exit 2
fi
if ! bin=$(find_frontend) || [ ! -x "$bin" ]; then
	echo "scheduler_lmc_frontend_plugin: lmcache-frontend not found (set LMCACHE_FRONTEND_BIN)" >&2
	exit 127
fi
# exec: the plugin runtime's SIGTERM reaches the frontend itself.
exec "$bin" "$@"
