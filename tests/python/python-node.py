#!/usr/bin/python3
"""A Python host of liblmcagent for the tests: an LMCache-style scheduler or worker written
with the lmcagent module. It takes lmcache-demo-node's flags and registers what the demo
registers (LMCache's config keys, its loggers, metrics moving on a thread, meta, inference
info, DELETE /cache/clear), but its loggers are Python's logging and its threads Python's.

    python-node.py [--role R] [--worker-id N] [--worker-count N] [--instance-id ID]
                   [--socket-prefix P] [--port-start N] [--host H] [--config FILE]
                   [--model NAME] [--tick-ms MS] [--stuck FIFO] [--ready FILE]

--stuck FIFO: a thread named "stuck" calls read(2) on FIFO through ctypes.PyDLL, which keeps
the GIL for the whole call, until a line is written to FIFO (the way an engine thread stuck
in a long C call holds every other Python thread). --ready FILE: written once that thread
holds the GIL, so a test knows the interpreter is stuck."""
import argparse
import ctypes
import logging
import os
import random
import signal
import sys
import threading

import lmcagent

CONF_KEYS = [  # a representative subset of LMCache's engine config, as the demo node has
    ("chunk_size", int, 256, False), ("local_cpu", bool, True, False),
    ("max_local_cpu_size", float, 5.0, True), ("local_disk", str, None, False),
    ("max_local_disk_size", float, 0.0, False), ("remote_url", str, None, False),
    ("remote_serde", str, "naive", False), ("save_decode_cache", bool, False, True),
    ("save_unfull_chunk", bool, True, True), ("use_layerwise", bool, False, False),
    ("enable_blending", bool, False, False), ("enable_p2p", bool, False, False),
    ("cache_policy", str, "LRU", True), ("min_retrieve_tokens", int, 0, True),
]
LABELS = ("model_name", "worker_id")
libc = ctypes.CDLL(None, use_errno=True)


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--role", default="worker", choices=("scheduler", "worker"))
    p.add_argument("--worker-id", type=int, default=0)
    p.add_argument("--worker-count", type=int, default=2)
    p.add_argument("--instance-id")
    p.add_argument("--socket-prefix")
    p.add_argument("--port-start", type=int)
    p.add_argument("--host")
    p.add_argument("--config")
    p.add_argument("--model", default="meta-llama/Llama-3.1-8B-Instruct")
    p.add_argument("--tick-ms", type=int, default=200)
    p.add_argument("--stuck")
    p.add_argument("--ready")
    return p.parse_args()


def make_agent(a):
    agent = lmcagent.Agent(a.role, worker_id=a.worker_id, worker_count=a.worker_count,
                           version="0.1.0", commit="demo")
    for key, type_, default, mutable in CONF_KEYS:
        agent.register(key, type_, default, mutable=mutable)
    agent.set("internal_api_server_enabled", True)
    agent.load_config(a.config)
    for key, value in (("lmcache_instance_id", a.instance_id), ("internal_api_server_host", a.host),
                       ("internal_api_server_socket_path_prefix", a.socket_prefix),
                       ("internal_api_server_port_start", a.port_start)):
        if value is not None:
            agent.set(key, value)
    return agent


class Engine:
    """LMCache's metric names moving on a Python thread, as the demo's engine does."""

    def __init__(self, agent, a):
        self.agent, self.args, self.stop = agent, a, threading.Event()
        self.wid = str(agent.worker_id)
        self.cache_bytes = 0.0
        self.log = logging.getLogger("lmcache.v1.cache_engine")
        self.cpu_log = logging.getLogger("lmcache.v1.storage_backend.local_cpu_backend")
        logging.getLogger("lmcache.v1.lookup_server")
        logging.getLogger("lmcache.v1.internal_api_server")
        names = ["retrieve_requests", "store_requests", "requested_tokens", "hit_tokens",
                 "local_cpu_evict_count"] if a.role == "worker" else \
                ["lookup_requests", "lookup_tokens", "lookup_hits"]
        self.counters = {n: agent.counter("lmcache:" + ("" if n.startswith("local") else "num_") + n,
                                          "Total number of " + n.replace("_", " "), LABELS)
                         for n in names}
        rate = "retrieve_hit_rate" if a.role == "worker" else "lookup_hit_rate"
        self.rate = agent.gauge("lmcache:" + rate, "Hit rate of lmcache requests", LABELS)
        self.time = agent.histogram("lmcache:time_to_retrieve", "Time to retrieve (seconds)",
                                    LABELS, buckets=(0.001, 0.01, 0.1, 1.0))
        for c in self.counters.values():
            c.labels(a.model, self.wid).inc(0)
        self.rate.labels(a.model, self.wid).set(0)
        agent.on_change("max_local_cpu_size", self.capacity_changed)

    def capacity_changed(self, key, value):
        if not value > 0:
            raise ValueError(f"{key} must be a positive number of GiB")
        self.cpu_log.info("local CPU cache capacity is now %.2f GiB", value)

    def step(self, rnd):
        m, tokens = self.args.model, 256.0 * rnd.randint(1, 16)
        hit = (tokens * rnd.uniform(0.2, 0.9)) // 256 * 256  # whole chunks, as LMCache hits
        first = next(iter(self.counters.values()))
        first.labels(m, self.wid).inc()
        for name, c in self.counters.items():
            if "tokens" in name or "hits" in name:
                c.labels(m, self.wid).inc(hit if "hit" in name else tokens)
        self.rate.labels(m, self.wid).set(hit / tokens)
        self.time.labels(m, self.wid).observe(0.002 + hit / 20000.0)
        self.cache_bytes += tokens * 131072
        self.log.debug("retrieved %.0f of %.0f tokens", hit, tokens)

    def run(self):
        name = b"lmc-worker-%d" % (self.agent.worker_id % 10000) \
            if self.args.role == "worker" else b"lmc-scheduler"
        libc.prctl(15, name)  # PR_SET_NAME: the thread's name in /threads
        rnd = random.Random(7919 * (self.agent.worker_id + 2))
        while not self.stop.wait(self.args.tick_ms / 1000.0 if self.args.tick_ms else None):
            self.step(rnd)

    def clear(self, request):
        freed, self.cache_bytes = self.cache_bytes, 0.0
        return {"status": "success", "freed_bytes": int(freed)}


def meta(agent, a):
    return {"model_name": a.model, "world_size": agent.worker_count, "worker_id": agent.worker_id,
            "fmt": "vllm", "kv_dtype": "torch.bfloat16", "kv_shape": [32, 2, 256, 8, 128],
            "use_mla": False, "first_rank": agent.worker_id <= 0}


def inference(agent, a):
    return {"vllm_version": "0.10.1.1", "lmcache_version": lmcagent.__version__,
            "vllm_config": {"tensor_parallel_size": max(agent.worker_count, 1),
                            "pipeline_parallel_size": 1, "kv_transfer_config": "LMCacheConnectorV1"},
            "model_config": {"model": a.model, "dtype": "bfloat16", "max_model_len": 131072},
            "cache_config": {"block_size": 16, "gpu_memory_utilization": 0.9,
                             "cache_dtype": "auto"}}


def stuck(fifo, ready):
    """Holds the GIL in read(2) until a line arrives on fifo."""
    fd = os.open(fifo, os.O_RDWR)  # RDWR: opening does not wait for a writer
    hold = ctypes.PyDLL(None).read  # PyDLL: the call keeps the GIL
    hold.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t)
    buf = ctypes.create_string_buffer(64)
    with open(ready, "w") as f:
        f.write("stuck\n")
    hold(fd, buf, 64)
    os.close(fd)


def main():
    a = parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s [%(name)s] %(message)s")
    agent = make_agent(a)
    engine = Engine(agent, a)
    agent.set_meta(lambda: meta(agent, a))
    agent.set_inference(inference(agent, a))
    agent.add_route("DELETE", "/cache/clear", engine.clear)

    @agent.route("PUT", "/capacity")
    def set_capacity(request):  # calls back into the agent: on_change runs from a route
        agent.set("max_local_cpu_size", float(request.body))
        return {"max_local_cpu_size": agent.get("max_local_cpu_size")}
    # As the demo node: the stop signals are taken with sigwait (blocked before any thread
    # starts). signal.pause() would not do: it returns on any signal, the agent's stack
    # capture signal included.
    stop = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop)
    with agent:
        print(f"{agent.name}: serving on {agent.socket_path or agent.bound_port}", file=sys.stderr)
        threading.Thread(target=engine.run, name="engine", daemon=True).start()
        if a.stuck:
            threading.Thread(target=stuck, args=(a.stuck, a.ready), name="stuck",
                             daemon=True).start()
        signal.sigwait(stop)
        engine.stop.set()


if __name__ == "__main__":
    main()
