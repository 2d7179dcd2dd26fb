#!/usr/bin/python3
"""Key to screen: the time from a key sent to a program in a tmux pane to the pane's output
that answers it, in ms, one line per key.

    keylat.py SOCKET KEY TEXT...

For each TEXT in turn: sends KEY, and waits for output that contains TEXT (what the answer to
that key draws, e.g. the next tab's label " 2 Metrics "). One tmux client in control mode
(tmux -C) sends the keys and reads the pane's output as tmux reads it from the terminal, so
the figure holds neither a tmux client's start (20 ms on a loaded machine) nor the polling
of capture-pane, which a shell loop pays for each look at the screen. 5000 when no answer
came within 5 s.
"""
import os
import select
import subprocess
import sys
import time

TIMEOUT = 5.0


def unescape(data):
    """A %output line's data: tmux writes bytes below 32 and backslashes as \\ooo."""
    out, i = bytearray(), 0
    while i < len(data):
        if data[i] == ord("\\") and i + 4 <= len(data) and data[i + 1:i + 4].isdigit():
            out.append(int(data[i + 1:i + 4], 8))
            i += 4
        else:
            out.append(data[i])
            i += 1
    return bytes(out)


class Client:
    def __init__(self, sock):
        self.p = subprocess.Popen(["tmux", "-S", sock, "-C", "attach"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, bufsize=0)
        self.pending = b""

    def lines(self, until):
        """The client's output lines as they come, until the monotonic time until."""
        fd = self.p.stdout.fileno()
        while True:
            while b"\n" in self.pending:
                line, self.pending = self.pending.split(b"\n", 1)
                yield line
            left = until - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return
            chunk = os.read(fd, 65536)
            if not chunk:
                return
            self.pending += chunk

    def drain(self, seconds):
        for _ in self.lines(time.monotonic() + seconds):
            pass

    def key_ms(self, key, text):
        self.drain(0.3)  # what was drawn before the key is not its answer
        want = text.encode()
        t0 = time.monotonic()
        self.p.stdin.write(b"send-keys " + key.encode() + b"\n")
        for line in self.lines(t0 + TIMEOUT):
            if line.startswith(b"%output ") and want in unescape(line.split(b" ", 2)[2]):
                return (time.monotonic() - t0) * 1000
        return TIMEOUT * 1000

    def close(self):
        self.p.stdin.close()
        self.p.wait(5)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    client = Client(sys.argv[1])
    try:
        for text in sys.argv[3:]:
            print("%.1f" % client.key_ms(sys.argv[2], text), flush=True)
    finally:
        client.close()


if __name__ == "__main__":
    main()
