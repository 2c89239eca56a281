#!/usr/bin/python3
"""What TLS costs resockd: idle memory per session and the rate of new
sessions, with and without TLS, measured in one run on loopback.

    tls_cost.py RESOCKD MAKE_CERTS [--sessions N]

Prints one JSON object per figure:
  {"figure":"tls_idle","plain_kb":..,"tls_kb":..,"ratio":..}   KB of VmRSS per idle session
  {"figure":"tls_rate","plain_per_s":..,"tls_per_s":..,"ratio":..}  hello/welcome per second
The clients are Python asyncio (the same for both sides), so the rates
are a floor set by the client; the ratio is what to read.
"""
import asyncio
import json
import os
import ssl
import subprocess
import sys
import tempfile
import time

HELLO = b'{"t":"hello","v":1}'


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def start(resockd, *extra):
    p = subprocess.Popen([resockd, "--listen", "127.0.0.1:0", "--no-demo",
                          "--conn-rate-per-ip", "0", "--max-connections", "0", *extra],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in p.stdout:
        if line.startswith("PORT "):
            return p, int(line.split()[1])
    raise SystemExit("resockd did not start")


def frame(payload):
    mask = os.urandom(4)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes([0x81, 0x80 | len(payload)]) + mask + body


async def session(port, ctx):
    r, w = await asyncio.open_connection("127.0.0.1", port, ssl=ctx,
                                         server_hostname="127.0.0.1" if ctx else None)
    w.write(b"GET /rs/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            b"Sec-WebSocket-Protocol: resock.v1\r\n\r\n")
    await r.readuntil(b"\r\n\r\n")
    w.write(frame(HELLO))
    head = await r.readexactly(2)
    n = head[1] & 0x7F
    if n == 126:
        n = int.from_bytes(await r.readexactly(2), "big")
    await r.readexactly(n)  # the welcome
    return r, w


async def measure(resockd, n, tls_args, ctx):
    p, port = start(resockd, *tls_args)
    try:
        await asyncio.sleep(0.3)
        before = rss_kb(p.pid)
        t0 = time.monotonic()
        held = []
        for i in range(0, n, 100):  # batches: the accept backlog is not the subject
            held += await asyncio.gather(*(session(port, ctx) for _ in range(min(100, n - i))))
        rate = n / (time.monotonic() - t0)
        await asyncio.sleep(0.5)
        after = rss_kb(p.pid)
        for _, w in held:
            w.close()
        return (after - before) / n, rate
    finally:
        p.terminate()
        p.wait(10)


def main():
    resockd, make_certs = sys.argv[1], sys.argv[2]
    n = int(sys.argv[sys.argv.index("--sessions") + 1]) if "--sessions" in sys.argv else 1000
    certs = tempfile.mkdtemp(prefix="resock-tls-bench-")
    subprocess.run(["bash", make_certs, certs], check=True)
    ctx = ssl.create_default_context(cafile=os.path.join(certs, "ca.pem"))
    tls = ["--tls-cert", os.path.join(certs, "cert.pem"), "--tls-key", os.path.join(certs, "key.pem")]
    plain_kb, plain_rate = asyncio.run(measure(resockd, n, [], None))
    tls_kb, tls_rate = asyncio.run(measure(resockd, n, tls, ctx))
    print(json.dumps({"figure": "tls_idle", "sessions": n, "plain_kb": round(plain_kb, 2),
                      "tls_kb": round(tls_kb, 2), "ratio": round(tls_kb / max(plain_kb, 0.01), 2)}))
    print(json.dumps({"figure": "tls_rate", "sessions": n, "plain_per_s": round(plain_rate),
                      "tls_per_s": round(tls_rate), "ratio": round(tls_rate / plain_rate, 2)}))


if __name__ == "__main__":
    main()
