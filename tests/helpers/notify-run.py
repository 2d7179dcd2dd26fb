#!/usr/bin/env python3
"""Runs a daemon as systemd's Type=notify would: NOTIFY_SOCKET names a datagram socket
this script reads. Prints what the daemon said and when:
  READY=1            (then "health 200" if HEALTH_URL answered right after READY)
  STOPPING=1         (after this script sent SIGTERM)
  exit N
Usage: notify-run.py DIR HEALTH_URL CMD... (the socket is DIR/notify). Bounded: 20 s."""
import os
import signal
import socket
import subprocess
import sys
import urllib.request


def expect(sock, want):
    while True:
        msg = sock.recv(4096).decode()
        for line in msg.split("\n"):
            if line:
                print(line, flush=True)
        if want in msg.split("\n"):
            return


def main():
    sockdir, health, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
    path = os.path.join(sockdir, "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(20)
    proc = subprocess.Popen(cmd, env=dict(os.environ, NOTIFY_SOCKET=path))
    try:
        expect(sock, "READY=1")
        with urllib.request.urlopen(health, timeout=5) as r:
            print("health", r.status, flush=True)
        proc.send_signal(signal.SIGTERM)
        expect(sock, "STOPPING=1")
        print("exit", proc.wait(timeout=20), flush=True)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


main()
