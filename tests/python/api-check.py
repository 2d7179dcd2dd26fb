#!/usr/bin/python3
"""The lmcagent module's Python API, checked from Python: arguments, exceptions with the
library's cause, configuration, metrics, the context manager. Exits 1 on the first failure."""
import gc
import math
import os
import sys
import tempfile
import weakref

import lmcagent


def raises(exc, fn, *args, match="", **kw):
    try:
        fn(*args, **kw)
    except exc as e:
        assert match in str(e), f"{exc.__name__} {str(e)!r} does not say {match!r}"
        return e
    raise AssertionError(f"{fn.__name__}{args} did not raise {exc.__name__}")


def identity():
    w = lmcagent.Agent("worker", worker_id=3, worker_count=4)
    assert (w.role, w.worker_id, w.worker_count, w.index, w.port) == ("worker", 3, 4, 4, 7003)
    assert w.name == "lmcache_default_instance_worker3" and w.socket_path is None
    s = lmcagent.Agent("scheduler")
    assert (s.worker_id, s.index, s.name) == (-1, 0, "lmcache_default_instance_scheduler")
    raises(ValueError, lmcagent.Agent, "boss", match='"scheduler" or "worker"')
    raises(ValueError, lmcagent.Agent, "worker", gil_timeout=0, match="gil_timeout")
    raises(TypeError, lmcagent.Agent, "worker", 0, 1, 0.5)  # the timeouts are keywords only
    assert issubclass(lmcagent.Error, Exception)


def config():
    a = lmcagent.Agent("worker")
    a.register("chunk_size", int, 256)
    a.register("max_local_cpu_size", float, 5.0, mutable=True)
    e = raises(lmcagent.Error, a.register, "chunk_size", int, 1)
    assert "chunk_size" in str(e), str(e)  # the library's cause, as is
    raises(TypeError, a.register, "x", bytes, 1, match="bool, int, float, str, list, dict")
    assert a.get("chunk_size") == 256 and a.get("no_such_key", 9) == 9
    assert a.config["chunk_size"] == 256
    a.set("max_local_cpu_size", 2)
    assert a.get("max_local_cpu_size") == 2.0
    raises(lmcagent.Error, a.set, "chunk_size", "many", match="chunk_size")
    seen = []

    def refuse_big(key, value):
        seen.append((key, value))
        if value > 10:
            raise ValueError("no more than 10 GiB here")
    a.on_change("max_local_cpu_size", refuse_big)
    raises(lmcagent.Error, a.set, "max_local_cpu_size", 64, match="no more than 10 GiB here")
    a.set("max_local_cpu_size", 8)
    assert a.get("max_local_cpu_size") == 8.0 and seen == [("max_local_cpu_size", 64.0),
                                                            ("max_local_cpu_size", 8.0)], seen
    raises(lmcagent.Error, a.load_config, "/nonexistent/lmcache.yaml", match="/nonexistent")


def metrics():
    a = lmcagent.Agent("worker", registry=None)
    c = a.counter("lmcache:num_hit_tokens", "Hits", ("model_name", "worker_id"))
    raises(ValueError, c.inc, match="labels")
    c.labels("m", "0").inc(2)
    c.labels(worker_id="0", model_name="m").inc()
    assert c.labels("m", "0").value() == 3
    raises(ValueError, c.labels, "m", match="label values")
    g = a.gauge("lmcache:local_cache_usage")
    g.set(5)
    g.dec(2)
    assert g.value() == 3
    h = a.histogram("lmcache:time_to_retrieve", "Seconds", buckets=[0.1, 1])
    h.observe(0.5)
    raises(TypeError, a.gauge, "g2", buckets=[1], match="histograms")
    raises(lmcagent.Error, a.counter, "lmcache:num_hit_tokens", match="lmcache:num_hit_tokens")
    raises(lmcagent.Error, a.counter, "bad name")
    assert math.isnan(a.gauge("lmcache:never_set", labels=["x"]).labels("y").value())


def lifecycle():
    d = tempfile.mkdtemp(dir="/tmp")
    a = lmcagent.Agent("worker", worker_id=0)
    a.set("internal_api_server_enabled", True)
    a.set("internal_api_server_socket_path_prefix", d + "/s")
    with a as entered:
        assert entered is a and a.running and os.path.exists(d + "/s_7000")
        a.start()  # already running: nothing to do
    assert not a.running and not os.path.exists(d + "/s_7000")
    a.stop()  # idempotent
    ref = weakref.ref(a)
    del a, entered
    gc.collect()
    assert ref() is None, "an agent outlives its last reference"
    os.rmdir(d)


for check in (identity, config, metrics, lifecycle):
    check()
    print("ok", check.__name__)
