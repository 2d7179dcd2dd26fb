#!/bin/bash
# An LMCache runtime plugin for the scheduler only (the name starts with "scheduler_").
# Every HEARTBEAT_INTERVAL seconds (default 30) it logs one line; a real plugin would, for
# example, register the node with lmcache-discovery or start lmcache-frontend here.
interval=${HEARTBEAT_INTERVAL:-30}
echo "scheduler_heartbeat: role=$LMCACHE_RUNTIME_PLUGIN_ROLE worker_id=$LMCACHE_RUNTIME_PLUGIN_WORKER_ID"
trap 'echo "scheduler_heartbeat: stopping"; exit 0' TERM
n=0
while :; do
	sleep "$interval" &
	wait $!
	n=$((n + 1))
	echo "scheduler_heartbeat: beat $n"
done
