#!/usr/bin/python3
"""permessage-deflate (RFC 7692) on resockd, against two independent peers:
raw frames built here with Python's zlib (so every bit on the wire is
checked) and Debian's python3-websockets client (a real implementation that
offers the extension by default).

    deflate_test.py RESOCKD

Starts `resockd --listen 127.0.0.1:0 --echo --no-demo` and, for the
"off" checks, a second one with --no-deflate. Exit 0 when every check
passes; each check prints one line.
"""
import asyncio
import json
import re
import os
import socket
import struct
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "peers"))
from raw_ws import Checks, Raw, http_get, start_resockd  # noqa: E402

DEFLATE_OFFER = "permessage-deflate; client_max_window_bits"

TAIL = b"\x00\x00\xff\xff"
check = Checks()



def deflate(data, wbits=15):
    c = zlib.compressobj(6, zlib.DEFLATED, -wbits)
    out = c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)
    assert out.endswith(TAIL)
    return out[:-4]


def inflate(data):
    return zlib.decompressobj(-15).decompress(data + TAIL)


def raw_checks(port, port_off):
    text = json.dumps({"text": "hello resock " * 800}).encode()

    r = Raw(port, offer=DEFLATE_OFFER)
    ext = r.headers.get("sec-websocket-extensions", "")
    check("handshake: permessage-deflate accepted, no context takeover",
          r.status == 101 and ext == "permessage-deflate; server_no_context_takeover; "
          "client_no_context_takeover", ext)
    r.send(1, deflate(text), rsv1=True)
    fin, rsv1, op, payload = r.frame()
    check("compressed text in, compressed echo out (RSV1)", fin and rsv1 and op == 1)
    check("echo inflates to the message", inflate(payload) == text)
    check("the echo is smaller than the message", len(payload) < len(text) // 4,
          f"{len(payload)} of {len(text)}")
    r.send(1, b"hi")
    fin, rsv1, op, payload = r.frame()
    check("short uncompressed message: echoed uncompressed", not rsv1 and payload == b"hi")
    blob = bytes(range(256)) * 64
    z = deflate(blob)
    r.send(2, z[:10], fin=False, rsv1=True)
    r.send(9, b"ping!")  # a ping between the fragments
    r.send(0, z[10:])
    _, _, op, payload = r.frame()
    check("ping between compressed fragments answered", op == 10 and payload == b"ping!")
    fin, rsv1, op, payload = r.frame()
    check("fragmented compressed binary echoed",
          op == 2 and (inflate(payload) if rsv1 else payload) == blob)
    for i in range(3):  # no context takeover: each message stands alone
        r.send(1, deflate(text), rsv1=True)
        _, rsv1, _, payload = r.frame()
        if inflate(payload) != text:
            break
    check("repeated messages each inflate on their own", inflate(payload) == text)
    r.send(8, struct.pack("!H", 1000))
    check("close handshake", r.close_code() == 1000)

    r = Raw(port, offer=DEFLATE_OFFER)
    r.send(1, deflate(b"ab"), fin=False, rsv1=True)
    r.send(0, deflate(b"cd"), rsv1=True)
    check("RSV1 on a continuation frame: 1002", r.close_code() == 1002)

    r = Raw(port, offer=DEFLATE_OFFER)
    r.send(1, b"\xff\xff\xff\xff", rsv1=True)
    check("corrupt compressed data: 1007", r.close_code() == 1007)

    r = Raw(port, offer=DEFLATE_OFFER)
    r.send(1, deflate(b"valid \xc0\xaf invalid"), rsv1=True)
    check("compressed text that is not UTF-8: 1007", r.close_code() == 1007)

    r = Raw(port, offer=DEFLATE_OFFER)
    bomb = deflate(b"\0" * (80 << 20))  # 80 MiB of zeros in ~80 KiB; /echo allows 64 MiB
    r.send(2, bomb, rsv1=True)
    check("a message inflating past the limit: 1009", r.close_code() == 1009,
          f"{len(bomb)} compressed bytes")

    r = Raw(port, offer="permessage-deflate; server_max_window_bits=10, permessage-deflate")
    ext = r.headers.get("sec-websocket-extensions", "")
    check("server_max_window_bits=10 honoured", "server_max_window_bits=10" in ext, ext)
    r.send(1, deflate(text), rsv1=True)
    _, rsv1, _, payload = r.frame()
    d = zlib.decompressobj(-10)
    check("the echo inflates with a 2^10 window", rsv1 and d.decompress(payload + TAIL) == text)

    r = Raw(port, offer="permessage-deflate; unknown_param, x-webkit-deflate-frame")
    check("unusable offers: no extension",
          r.status == 101 and "sec-websocket-extensions" not in r.headers)
    r.send(1, deflate(b"abc"), rsv1=True)
    check("RSV1 without the extension: 1002", r.close_code() == 1002)

    r = Raw(port_off, offer=DEFLATE_OFFER)
    check("--no-deflate: offer declined",
          r.status == 101 and "sec-websocket-extensions" not in r.headers)

    # Sessions: hello and welcome compressed, like a browser does it.
    r = Raw(port, path="/rs/ws", offer=DEFLATE_OFFER, protocol="resock.v1")
    check("session endpoint: deflate with resock.v1",
          r.headers.get("sec-websocket-protocol") == "resock.v1" and
          "permessage-deflate" in r.headers.get("sec-websocket-extensions", ""))
    r.send(1, deflate(b'{"t":"hello","v":1}'), rsv1=True)
    _, rsv1, op, payload = r.frame()
    env = json.loads(inflate(payload) if rsv1 else payload)
    check("compressed hello gets a welcome", env.get("t") == "welcome", env)


async def library_checks(port):
    import websockets
    big = "resock " * 20000
    async with websockets.connect(f"ws://127.0.0.1:{port}/echo", max_size=None) as ws:
        ext = ws.response_headers.get("Sec-WebSocket-Extensions", "") \
            if hasattr(ws, "response_headers") else ws.response.headers.get(
                "Sec-WebSocket-Extensions", "")
        check("python-websockets negotiates permessage-deflate", "permessage-deflate" in ext, ext)
        for msg in (big, "x", big.encode(), "€" * 5000):
            await ws.send(msg)
            back = await ws.recv()
            if back != msg:
                break
        check("python-websockets echo round trips (text, binary, multibyte)", back == msg)
    async with websockets.connect(f"ws://127.0.0.1:{port}/rs/ws",
                                  subprotocols=["resock.v1"]) as ws:
        await ws.send('{"t":"hello","v":1}')
        welcome = json.loads(await ws.recv())
        await ws.send(json.dumps({"t": "sub", "ch": "news"}))
        await ws.send(json.dumps({"t": "msg", "c": 1, "ch": "news",
                                  "d": {"body": "x" * 5000}}))
        got = None
        for _ in range(10):
            env = json.loads(await asyncio.wait_for(ws.recv(), 5))
            if env.get("t") == "msg":
                got = env
                break
        check("python-websockets session: welcome, publish and delivery over deflate",
              welcome.get("t") == "welcome" and got is not None and
              got["d"]["body"] == "x" * 5000, got)


def metric(port, name):
    _, text = http_get(port, "/metrics")
    m = re.search(rf"^{name} (\d+)$", text, re.M)
    return int(m.group(1)) if m else None


async def fanout_checks(port):
    """20 python-websockets subscribers with deflate, one publish: every one
    inflates the same message with its own seq, and the body was
    compressed once (resock_deflate_bodies_total)."""
    import websockets
    subs = []
    for _ in range(20):
        ws = await websockets.connect(f"ws://127.0.0.1:{port}/rs/ws", subprotocols=["resock.v1"])
        await ws.send('{"t":"hello","v":1}')
        await ws.recv()
        await ws.send(json.dumps({"t": "sub", "ch": "fan"}))
        while json.loads(await asyncio.wait_for(ws.recv(), 5)).get("t") != "suback":
            pass
        subs.append(ws)
    before = metric(port, "resock_deflate_bodies_total")
    body = {"text": "fan-out " * 500, "n": 1}
    # Two messages first, so that subscribers' seqs differ in width over the
    # run (each head is its own stored block).
    for i in range(3):
        body["n"] = i
        await subs[0].send(json.dumps({"t": "msg", "c": i + 1, "ch": "fan", "d": body}))
    ok = True
    for ws in subs:
        got = []
        while len(got) < 3:
            env = json.loads(await asyncio.wait_for(ws.recv(), 5))
            if env.get("t") == "msg":
                got.append(env)
        ok = ok and [g["d"]["n"] for g in got] == [0, 1, 2] and \
            all(g["d"]["text"] == body["text"] for g in got) and \
            got[1]["s"] == got[0]["s"] + 1
    after = metric(port, "resock_deflate_bodies_total")
    check("fan-out with deflate: 20 subscribers inflate every message, in order", ok)
    check("fan-out with deflate: each body compressed once (3 publishes -> 3)",
          before is not None and after - before == 3, f"{before} -> {after}")
    for ws in subs:
        await ws.close()


def main():
    resockd = sys.argv[1]
    on, port = start_resockd(resockd, "--echo", "--no-demo")
    off, port_off = start_resockd(resockd, "--echo", "--no-demo", "--no-deflate")
    try:
        raw_checks(port, port_off)
        asyncio.run(library_checks(port))
        asyncio.run(fanout_checks(port))
    finally:
        for p in (on, off):
            p.terminate()
            p.wait(10)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
