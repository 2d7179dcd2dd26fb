#!/usr/bin/env python3
"""Compares our answer to a recorded LMCache exchange (tests/fixtures/lmcache, see
docs/protocol.md section 9).

  compare-exchange.py MODE FIXTURE STATUS CONTENT_TYPE BODY_FILE

MODE says how much must agree; status and content type always must:
  exact   the body, byte for byte
  skel    the JSON skeleton: the same keys at every level, values of the same JSON type
          (lists by their first item)
  keys    the top-level keys and the JSON type of each value
  keylist the top-level keys in the same order
  kind    the top-level JSON type (text that is not JSON counts as "text")
  status  nothing more
Prints what differs and exits 1, or exits 0. Python's parser reads LMCache's Infinity."""
import json
import sys


def skel(v):
    if isinstance(v, dict):
        return {k: skel(x) for k, x in v.items()}
    if isinstance(v, list):
        return [skel(v[0])] if v else []
    return kind_of(v)


def kind_of(v):
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    return {str: "string", dict: "object", list: "array", type(None): "null"}[type(v)]


def parse(text):
    try:
        return json.loads(text)
    except ValueError:
        return None


def shape(mode, text):
    v = parse(text)
    if mode == "skel":
        return skel(v)
    if mode == "keys":
        return {k: kind_of(x) for k, x in v.items()} if isinstance(v, dict) else kind_of(v)
    if mode == "keylist":
        return list(v) if isinstance(v, dict) else kind_of(v)
    if mode == "kind":
        return "text" if v is None and text.strip() != "null" else kind_of(v)
    return None


def main():
    mode, fixture, status, ctype, body_file = sys.argv[1:6]
    with open(fixture, encoding="utf-8") as f:
        want = json.load(f)["response"]
    with open(body_file, encoding="utf-8", errors="replace") as f:
        body = f.read()
    bad = []
    if int(status) != want["status"]:
        bad.append(f"status {status}, LMCache {want['status']}")
    if ctype != want["content_type"]:
        bad.append(f"content type {ctype!r}, LMCache {want['content_type']!r}")
    if mode == "exact" and body != want["body"]:
        bad.append(f"body {body!r}, LMCache {want['body']!r}")
    elif mode in ("skel", "keys", "keylist", "kind") and shape(mode, body) != shape(mode, want["body"]):
        bad.append(f"{mode} {shape(mode, body)}, LMCache {shape(mode, want['body'])}")
    for b in bad:
        print(f"{fixture.rsplit('/', 1)[-1]}: {b}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
