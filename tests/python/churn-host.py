#!/usr/bin/python3
"""A Python host whose threads come and go and whose stacks grow and shrink all the time
(threads started and joined in a loop, recursion, a generator), for reading its stacks
without the GIL while they change. The agent serves on the socket prefix argv[1]."""
import sys
import threading

import lmcagent


def recurse(n):
    if n > 0:
        recurse(n - 1)
    else:
        sum(range(1000))


def churn():
    while True:
        ts = [threading.Thread(target=recurse, args=(i * 7 % 50,)) for i in range(8)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()


def generate():
    def steps():
        while True:
            yield recurse(20)
    for _ in steps():
        pass


agent = lmcagent.Agent("worker")
agent.set("internal_api_server_enabled", True)
agent.set("internal_api_server_socket_path_prefix", sys.argv[1])
with agent:
    for fn in (churn, churn, generate):
        threading.Thread(target=fn, daemon=True).start()
    threading.Event().wait()
