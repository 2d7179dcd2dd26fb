#!/usr/bin/env python3
"""An LMCache runtime plugin for worker 0 only (the name is worker_<id>_<anything>).

It shows the environment the runtime passes, reads its own parameters from the config's
extra_config, and exits cleanly on SIGTERM. Python's output is unbuffered
(PYTHONUNBUFFERED=1), so each print reaches the host's log at once.
"""
import json
import os
import signal
import sys
import threading

stop = threading.Event()


def on_term(signum, frame):
    print("worker_0_stats: SIGTERM, leaving")
    stop.set()


def main():
    signal.signal(signal.SIGTERM, on_term)
    config = json.loads(os.environ.get("LMCACHE_RUNTIME_PLUGIN_CONFIG") or "{}")
    extra = config.get("extra_config") or {}
    interval = float(extra.get("stats_plugin_interval", 60))
    print("worker_0_stats: role=%s worker_id=%s worker_count=%s" % (
        os.environ.get("LMCACHE_RUNTIME_PLUGIN_ROLE"),
        os.environ.get("LMCACHE_RUNTIME_PLUGIN_WORKER_ID"),
        os.environ.get("LMCACHE_RUNTIME_PLUGIN_WORKER_COUNT")))
    print("worker_0_stats: instance %s, %d config keys" % (
        config.get("lmcache_instance_id"), len(config)))
    ticks = 0
    while not stop.wait(interval):
        ticks += 1
        print("worker_0_stats: tick %d" % ticks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
