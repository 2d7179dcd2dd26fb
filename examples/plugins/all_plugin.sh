#!/bin/bash
# An LMCache runtime plugin that runs in every process (the name starts with "all_").
# It prints what the runtime gives it, then idles until it is stopped. Its output reaches
# the host's log as "[<this file>] <line>" (logger lmcache.plugin).
role=${LMCACHE_RUNTIME_PLUGIN_ROLE:-?}
id=${LMCACHE_RUNTIME_PLUGIN_WORKER_ID:-?}
echo "all_plugin: started as $role (worker id $id of ${LMCACHE_RUNTIME_PLUGIN_WORKER_COUNT:-?}), pid $$"
echo "all_plugin: config has $(printf '%s' "$LMCACHE_RUNTIME_PLUGIN_CONFIG" | wc -c) bytes of JSON"

# The runtime stops a plugin with SIGTERM to its process group (SIGKILL after the grace
# period): clean up and leave promptly.
trap 'echo "all_plugin: SIGTERM, leaving"; exit 0' TERM

# Sleep in the background and wait for it, so the trap runs as soon as the signal comes.
while :; do
	sleep 3600 &
	wait $!
done
