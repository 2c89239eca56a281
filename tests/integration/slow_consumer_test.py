#!/usr/bin/python3
"""A subscriber that stops reading, against a real resockd:

    slow_consumer_test.py RESOCKD

A publisher floods a channel (400 x 64 KiB) that a well-behaved and a
stalled subscriber share. The stalled one fills the kernel buffers and
resockd's 1 MiB queue; after --slow-consumer (2 s here) resockd drops it
(event=slow_consumer, code 4004) and keeps its session: the same client
resumes and gets the messages it missed. The well-behaved session's
round-trip time is measured before and during the stall (printed).
"""
import json
import os
import re
import socket
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers"))
from raw_ws import Checks, Raw, start_resockd  # noqa: E402

check = Checks()


def session(port):
    r = Raw(port, path="/rs/ws", protocol="resock.v1")
    r.send(1, b'{"t":"hello","v":1}')
    _, _, _, payload = r.frame()
    return r, json.loads(payload)


def next_envelope(r, kind):
    while True:
        _, _, op, payload = r.frame()
        if op == 1:
            e = json.loads(payload)
            if e.get("t") == kind:
                return e


def rtt_ms(r, c):
    """Round trip of one "count" route call, skipping channel traffic."""
    t0 = time.monotonic()
    r.send(1, json.dumps({"t": "msg", "c": c, "r": "count", "d": {}}).encode())
    while True:
        e = next_envelope(r, "msg")
        if "ch" not in e:
            return (time.monotonic() - t0) * 1000


def main():
    log = tempfile.NamedTemporaryFile(suffix=".log", delete=False).name
    p, port = start_resockd(sys.argv[1], "--no-demo", "--slow-consumer", "2000",
                            "--replay-bytes", "100000000", log=log)
    try:
        good, _ = session(port)
        slow, w = session(port)
        pub, _ = session(port)
        slow.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        for r in (slow,):
            r.send(1, b'{"t":"sub","ch":"flood"}')
        c = 0
        before = []
        for _ in range(5):
            c += 1
            before.append(rtt_ms(good, c))
        chunk = "x" * 65536
        during = []
        t0 = time.monotonic()
        for i in range(400):
            pub.send(1, json.dumps({"t": "msg", "c": i + 1, "ch": "flood",
                                    "d": {"i": i, "pad": chunk}}).encode())
            if i % 20 == 19:  # the stall builds up meanwhile
                c += 1
                during.append(rtt_ms(good, c))
        # The stalled client reads nothing; wait for resockd to give up on it.
        dropped = None
        while time.monotonic() - t0 < 15 and dropped is None:
            c += 1
            during.append(rtt_ms(good, c))
            m = re.search(rf"event=detach sid={w['sid']} code=(\d+)", open(log).read())
            if m:
                dropped = (time.monotonic() - t0, int(m.group(1)))
            time.sleep(0.05)
        text = open(log).read()
        check("the stalled subscriber is dropped with 4004",
              dropped is not None and dropped[1] == 4004 and "event=slow_consumer" in text,
              (dropped, text[-500:]))
        check("its session is kept (no disconnect hook)",
              not re.search(rf"event=disconnect sid={w['sid']} ", text))
        print(f"     rtt of a well-behaved session: before p50 {statistics.median(before):.1f} ms,"
              f" during the stall p50 {statistics.median(during):.1f} ms"
              f" max {max(during):.1f} ms ({len(during)} calls)")
        check("well-behaved session keeps answering during the stall (p50 < 250 ms)",
              statistics.median(during) < 250, during)
        slow.s.close()
        again = Raw(port, path="/rs/ws", protocol="resock.v1")
        again.send(1, json.dumps({"t": "hello", "v": 1, "resume": {
            "sid": w["sid"], "tk": w["tk"], "ack": 0}}).encode())
        welcome = next_envelope(again, "welcome")
        first = next_envelope(again, "msg")
        check("it resumes and gets what it missed from the first message",
              welcome.get("resumed") is True and first["d"]["i"] == 0, (welcome, first.get("s")))
    finally:
        p.terminate()
        p.wait(10)
        os.unlink(log)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
