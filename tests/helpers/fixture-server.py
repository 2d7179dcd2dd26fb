#!/usr/bin/env python3
"""Serves recorded HTTP exchanges (tests/fixtures/lmcache/*/NAME.json) as the server that
answered them did: same status, Content-Type and body. See docs/protocol.md, "Recorded
answers", for the file format.

  fixture-server.py (--port N [--host 127.x.y.z] | --unix PATH) [--mount PREFIX=DIR]...
                    [--record FILE] DIR...

A request matches an exchange by method, path (percent-decoded) and query (as a set of
pairs, any order or encoding); among several, the one whose recorded body equals the
request's, else one whose "body_contains" is in it, else one recorded without a body.
Unmatched requests get the exchange marked "fallback" (LMCache's 404), else 599.
Exchanges marked "after" (an answer that depends on earlier requests) are not served.
--mount serves DIR under PREFIX (the prefix is stripped first), so a central frontend's
two-hop paths can lead to a recorded node. --record appends a JSON line to FILE for every
connection accepted ({"connection": PEER}) and every request ({"method", "target",
"headers": [[name, value]...]}, repeated headers kept), so that a test can prove what was
(or was not) sent. Binds a loopback address (127.0.0.0/8) or a unix socket only."""
import argparse
import ipaddress
import json
import os
import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit


def request_key(method, target):
    parts = urlsplit(target)
    query = tuple(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return method.upper(), unquote(parts.path), query


class Book:
    """The exchanges of some directories, looked up by request."""

    def __init__(self, dirs):
        self.by_key = {}
        self.fallback = None
        for d in dirs:
            for name in sorted(os.listdir(d)):
                if name.endswith(".json"):
                    self.add(os.path.join(d, name))

    def add(self, path):
        with open(path, encoding="utf-8") as f:
            ex = json.load(f)
        if "request" not in ex or "response" not in ex or "after" in ex:
            return  # a sent request, or an answer that needs earlier requests first
        req = ex["request"]
        self.by_key.setdefault(request_key(req["method"], req["target"]), []).append(ex)
        if ex.get("fallback") and self.fallback is None:
            self.fallback = ex

    def find(self, method, target, body):
        found = self.by_key.get(request_key(method, target), [])
        text = body.decode("utf-8", "replace")
        for test in (lambda r: r.get("body") == text,
                     lambda r: r.get("body_contains") is not None and r["body_contains"] in text,
                     lambda r: "body" not in r):
            for ex in found:
                if test(dict(ex["request"], body_contains=ex.get("body_contains"))):
                    return ex
        return self.fallback


def record(entry):
    """One line of --record (appends are atomic for lines this short)."""
    if Handler.record_path is not None:
        with open(Handler.record_path, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    books = []  # (prefix, Book), longest prefix first
    record_path = None

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        record({"method": self.command, "target": self.path,
                "headers": [list(h) for h in self.headers.items()]})
        target = self.path
        for prefix, book in self.books:
            if prefix == "" or target == prefix or target.startswith(prefix + "/") \
                    or target.startswith(prefix + "?"):
                ex = book.find(self.command, target[len(prefix):] or "/", body)
                break
        else:
            ex = None
        if ex is None:
            self.send("599 no recorded exchange", "text/plain", b"no recorded exchange\n")
            return
        res = ex["response"]
        self.send(res["status"], res["content_type"], res["body"].encode("utf-8"))

    def send(self, status, ctype, out):
        if isinstance(status, str):
            code, _, reason = status.partition(" ")
            self.send_response(int(code), reason)
        else:
            self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(out)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = answer

    def log_message(self, fmt, *args):
        sys.stderr.write("fixture-server: " + (fmt % args) + "\n")


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def verify_request(self, request, client_address):
        record({"connection": client_address[0]})
        return True


class UnixServer(Server):
    address_family = socket.AF_UNIX

    def server_bind(self):
        self.socket.bind(self.server_address)
        os.chmod(self.server_address, 0o600)
        self.server_name, self.server_port = "localhost", 0

    def get_request(self):
        conn, _ = self.socket.accept()
        return conn, ("local", 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--port", type=int)
    where.add_argument("--unix")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--record", metavar="FILE")
    ap.add_argument("--mount", action="append", default=[], metavar="PREFIX=DIR")
    ap.add_argument("dirs", nargs="+")
    a = ap.parse_args()
    books = [(p.rstrip("/"), Book([d])) for p, _, d in (m.partition("=") for m in a.mount)]
    books.sort(key=lambda b: -len(b[0]))
    Handler.books = books + [("", Book(a.dirs))]
    Handler.record_path = a.record
    if not ipaddress.ip_address(a.host).is_loopback or ":" in a.host:
        ap.error("--host must be an IPv4 loopback address (127.0.0.0/8)")
    if a.unix:
        server = UnixServer(a.unix, Handler)
    else:
        server = Server((a.host, a.port), Handler)
    server.serve_forever()


if __name__ == "__main__":
    main()
