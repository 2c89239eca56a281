#!/usr/bin/python3
"""Two hostile or broken clients against a real resockd:

    faults_test.py RESOCKD RESOCK_CLIENT

- slowloris: a request head sent a byte at a time is dropped once
  handshake_timeout_ms has passed, while a normal session on the same
  server is served at once;
- a client process frozen with SIGSTOP stops answering heartbeats: the
  server drops its connection within 2x the heartbeat, the session expires
  after its TTL and the disconnect hook runs; thawed with SIGCONT, the
  client is told the session was lost, never silently.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers"))
from raw_ws import Checks, Raw, start_resockd  # noqa: E402

check = Checks()


def slowloris(resockd):
    p, port = start_resockd(resockd, "--no-demo", "--handshake-timeout", "1000")
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        head = b"GET /rs/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        t0 = time.monotonic()
        dropped_after = None
        normal_ms = None
        for i, byte in enumerate(head):
            try:
                s.sendall(bytes([byte]))
            except OSError:
                dropped_after = time.monotonic() - t0
                break
            if i == 3:  # meanwhile, a well-behaved client
                t1 = time.monotonic()
                r = Raw(port, path="/rs/ws", protocol="resock.v1")
                r.send(1, b'{"t":"hello","v":1}')
                _, _, _, payload = r.frame()
                normal_ms = (time.monotonic() - t1) * 1000 \
                    if json.loads(payload).get("t") == "welcome" else None
            time.sleep(0.1)
            s.setblocking(False)
            try:
                if s.recv(1) == b"":
                    dropped_after = time.monotonic() - t0
                    break
            except BlockingIOError:
                pass
            except OSError:
                dropped_after = time.monotonic() - t0
                break
            s.setblocking(True)
        check("slowloris (1 byte / 100 ms) dropped after the 1 s handshake timeout",
              dropped_after is not None and 0.9 <= dropped_after <= 2.5, dropped_after)
        check("a normal session meanwhile is welcomed at once",
              normal_ms is not None and normal_ms < 500, normal_ms)
    finally:
        p.terminate()
        p.wait(10)


def frozen_client(resockd, client):
    log = tempfile.NamedTemporaryFile(suffix=".log", delete=False).name
    p, port = start_resockd(resockd, "--no-demo", "--heartbeat", "500", "--session-ttl", "1500",
                            log=log)
    c = subprocess.Popen([client, f"ws://127.0.0.1:{port}/rs/ws", "--sub", "x", "--json"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        sid = None
        for line in c.stdout:
            e = json.loads(line)
            if e.get("event") == "connected":
                sid = e["sid"]
                break
        check("client connected", sid is not None)
        os.kill(c.pid, signal.SIGSTOP)
        t0 = time.monotonic()
        idle_at = expire_at = None
        while time.monotonic() - t0 < 6 and expire_at is None:
            text = open(log).read()
            if idle_at is None and re.search(rf"event=idle .*sid={sid}", text):
                idle_at = time.monotonic() - t0
            if re.search(rf"event=disconnect sid={sid} identity=\S+ reason=expired", text):
                expire_at = time.monotonic() - t0
            time.sleep(0.05)
        check("frozen client dropped within 2x the 500 ms heartbeat (+ slack)",
              idle_at is not None and idle_at <= 1.6, idle_at)
        check("its session expired after the 1.5 s TTL and disconnect ran",
              expire_at is not None and idle_at is not None and
              1.2 <= expire_at - idle_at <= 3.0, (idle_at, expire_at))
        os.kill(c.pid, signal.SIGCONT)
        lost = None
        t1 = time.monotonic()
        for line in c.stdout:
            e = json.loads(line)
            if e.get("event") == "lost":
                lost = e
                break
            if time.monotonic() - t1 > 10:
                break
        check("thawed, the client is told the session was lost",
              lost is not None and lost.get("reason") in ("expired", "unknown"), lost)
    finally:
        try:
            os.kill(c.pid, signal.SIGCONT)
        except ProcessLookupError:
            pass
        c.kill()
        c.wait(10)
        p.terminate()
        p.wait(10)
        os.unlink(log)


def stuck_log(resockd):
    """resockd's stderr is a pipe nobody reads: once it is full (64 KiB),
    a server writing its log on the loop would stop serving. Ours hands
    the log to a writer thread: 3,000 logged requests later it still
    answers at once, and it exits 0 on SIGTERM (not stuck on the log)."""
    p = subprocess.Popen([resockd, "--listen", "127.0.0.1:0", "--no-demo",
                          "--conn-rate-per-ip", "0"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    port = None
    for line in p.stdout:
        if line.startswith("PORT "):
            port = int(line.split()[1])
            break
    try:
        slowest = 0.0
        for i in range(3000):  # each is a 404, each one log line (~130 bytes)
            t0 = time.monotonic()
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=3)
                s.sendall(b"GET /nope-%d HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % i)
                data = s.recv(4096)
                s.close()
            except OSError:  # a loop blocked on its log answers nothing
                data = b""
            slowest = max(slowest, time.monotonic() - t0)
            if not data.startswith(b"HTTP/1.1 404"):
                break
        check("stderr not read (pipe full): 3,000 logged requests still answered at once",
              i == 2999 and slowest < 1.0, f"request {i}, slowest {slowest:.2f} s")
        p.send_signal(signal.SIGTERM)
        try:
            code = p.wait(10)
        except subprocess.TimeoutExpired:
            code = None
        check("and resockd exits 0 on SIGTERM without waiting for its log", code == 0, code)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def main():
    slowloris(sys.argv[1])
    frozen_client(sys.argv[1], sys.argv[2])
    stuck_log(sys.argv[1])
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
