#!/usr/bin/python3
"""The reference for the agent benchmark: LMCache's stack (FastAPI on uvicorn, metrics from
prometheus_client) serving the same endpoints as the agent.

    fastapi_node.py (--uds PATH | --port N) --metrics FILE [--conf FILE]
                    [--stuck FIFO --ready FILE]

FILE is an exposition captured from the agent; its families (name, type, help, label names,
values, histogram buckets) are rebuilt in a prometheus_client registry, so /metrics renders
the same series the way LMCache renders them (generate_latest on every request).

--conf FILE: the agent's /conf answer; GET /conf answers it as LMCache does, rebuilding the
dict from a config object's attributes and dumping it (indent 2) as text on every request.

--stuck FIFO: a thread holds the GIL in read(2) on FIFO (ctypes.PyDLL keeps the GIL) until a
line arrives, the state tests/bench/python.sh compares with a Python host of the C agent;
--ready FILE is written once it does. /threads and /loglevel answer as LMCache's do."""
import argparse
import ctypes
import json
import logging
import os
import re
import sys
import threading
import traceback

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse(text):
    """{family: {"type", "help", "samples": [(name, {labels}, value)]}}"""
    fams, cur = {}, None
    for line in text.splitlines():
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            _, kind, name, rest = (line.split(" ", 3) + [""])[:4]
            cur = fams.setdefault(name, {"type": "untyped", "help": "", "samples": []})
            cur["help" if kind == "HELP" else "type"] = rest
        elif line and not line.startswith("#") and cur is not None:
            m = SAMPLE.match(line)
            if m:
                labels = dict(LABEL.findall(m.group(2) or ""))
                cur["samples"].append((m.group(1), labels, float(m.group(3))))
    return fams


def add_histogram(reg, name, fam):
    buckets = sorted({float(l["le"]) for n, l, _ in fam["samples"]
                      if n.endswith("_bucket") and l["le"] != "+Inf"})
    names = sorted({k for _, l, _ in fam["samples"] for k in l if k != "le"})
    h = Histogram(name, fam["help"] or name, names, registry=reg, buckets=buckets or (1.0,))
    for n, l, v in fam["samples"]:
        if n.endswith("_bucket") and l["le"] != "+Inf":
            # One observation at each bucket's bound per cumulative count: the same shape.
            child = h.labels(**{k: l[k] for k in names}) if names else h
            for _ in range(min(int(v), 50)):
                child.observe(float(l["le"]))


def add_simple(reg, name, fam):
    names = sorted({k for _, l, _ in fam["samples"] for k in l})
    if fam["type"] == "counter":
        metric = Counter(name[:-6] if name.endswith("_total") else name, fam["help"] or name,
                         names, registry=reg)
    else:
        metric = Gauge(name, fam["help"] or name, names, registry=reg)
    for _, l, v in fam["samples"]:
        child = metric.labels(**l) if names else metric
        if fam["type"] == "counter":
            child.inc(max(v, 0))
        else:
            child.set(v)


def registry_from(text):
    reg = CollectorRegistry()
    for name, fam in parse(text).items():
        if fam["type"] == "histogram":
            add_histogram(reg, name, fam)
        elif fam["type"] in ("counter", "gauge"):
            add_simple(reg, name, fam)
    return reg


class Config:
    """A config object with one attribute per key, as LMCache's engine config has."""
    def __init__(self, values):
        self.keys = list(values)
        for k, v in values.items():
            setattr(self, k, v)


def make_app(reg, conf):
    app = FastAPI()

    @app.get("/conf")
    async def get_conf(names: str = None):
        keys = names.split(",") if names else conf.keys
        return PlainTextResponse(json.dumps({k: getattr(conf, k) for k in keys
                                             if hasattr(conf, k)}, indent=2))

    @app.get("/version")
    async def version():
        return JSONResponse("0.1.0-demo")

    @app.get("/metrics")
    async def metrics():
        return Response(generate_latest(reg), media_type="text/plain; version=0.0.4")

    @app.get("/healthcheck")
    async def healthcheck():
        return {"status": "healthy"}

    @app.get("/threads")
    async def threads():
        names = {t.ident: t.name for t in threading.enumerate()}
        return Response("\n".join(f"Thread: {names.get(i, i)}\n" + "".join(traceback.format_stack(f))
                                  for i, f in sys._current_frames().items()), media_type="text/plain")

    @app.get("/loglevel")
    async def loglevel():
        return Response("=== Loggers and Levels ===\n" + "".join(
            f"{n}: {logging.getLevelName(l.level)}\n" for n, l in
            logging.Logger.manager.loggerDict.items() if isinstance(l, logging.Logger)),
            media_type="text/plain")

    return app


def hold_gil(fifo, ready):
    fd = os.open(fifo, os.O_RDWR)
    read = ctypes.PyDLL(None).read
    read.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t)
    with open(ready, "w") as f:
        f.write("stuck\n")
    read(fd, ctypes.create_string_buffer(64), 64)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--uds")
    p.add_argument("--port", type=int)
    p.add_argument("--metrics", required=True)
    p.add_argument("--conf")
    p.add_argument("--stuck")
    p.add_argument("--ready")
    a = p.parse_args()
    conf = {}
    if a.conf:
        with open(a.conf) as f:
            conf = json.load(f)
    with open(a.metrics) as f:
        app = make_app(registry_from(f.read()), Config(conf))
    if a.stuck:
        app.add_event_handler("startup", lambda: threading.Thread(
            target=hold_gil, args=(a.stuck, a.ready), daemon=True).start())
    if a.uds:
        uvicorn.run(app, uds=a.uds, log_level="warning", access_log=False)
    else:
        uvicorn.run(app, host="127.0.0.1", port=a.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
