#!/usr/bin/python3
"""resockd's connection limits, Origin allowlist and /metrics, each against
a real resockd on loopback:

    limits_test.py RESOCKD

- max_connections: past it a new connection is answered 503, the open
  sessions keep working, and a slot freed is usable again;
- conn_rate_per_ip: past it in one second, 429; the next second, 200;
- origins (from a config file): another origin gets 403, a listed one and a
  client without Origin get 101;
- /metrics after a known workload: the counts match it exactly.
Each check prints one line; exit 0 when all pass.
"""
import json
import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers"))
from raw_ws import Checks, Raw, http_get, start_resockd  # noqa: E402

check = Checks()



def session(port, **kw):
    """A raw resock.v1 session: hello sent, welcome read."""
    r = Raw(port, path="/rs/ws", protocol="resock.v1", **kw)
    if r.status != 101:
        return r, None
    r.send(1, b'{"t":"hello","v":1}')
    return r, read_envelope(r)


def read_envelope(r, want=None):
    while True:
        _, _, op, payload = r.frame()
        if op == 1:
            env = json.loads(payload)
            if want is None or env.get("t") == want:
                return env


def count_reply(r, c):
    r.send(1, json.dumps({"t": "msg", "c": c, "r": "count", "d": {}}).encode())
    return read_envelope(r, "msg")


def max_connections(resockd):
    p, port = start_resockd(resockd, "--no-demo", "--max-connections", "5",
                            "--conn-rate-per-ip", "0")
    try:
        held = [session(port) for _ in range(5)]
        check("max_connections=5: five sessions welcomed",
              all(w and w.get("t") == "welcome" for _, w in held))
        extra = Raw(port, path="/rs/ws", protocol="resock.v1")
        check("the sixth connection gets 503", extra.status == 503, extra.status)
        status, body = http_get(port, "/rs/info")
        check("plain HTTP past the limit gets 503 too", status == 503 and "full" in body, status)
        reply = count_reply(held[0][0], 1)
        check("open sessions unharmed past the limit", reply.get("d", {}).get("c") == 1, reply)
        held[4][0].send(8, b"\x03\xe8")
        held[4][0].close_code()
        held[4][0].s.close()
        extra.s.close()  # the refused one counts until its socket is gone
        time.sleep(0.3)
        again, w = session(port)
        check("a freed slot is usable again", again.status == 101 and w.get("t") == "welcome",
              again.status)
    finally:
        p.terminate()
        p.wait(10)


def rate_per_ip(resockd):
    p, port = start_resockd(resockd, "--no-demo", "--conn-rate-per-ip", "20")
    try:
        # 60 connections in well under a second span at most two of the
        # server's one-second windows: 20 to 40 served, the rest refused.
        t0 = time.monotonic()
        answers = [http_get(port, "/rs/info") for _ in range(60)]
        elapsed = time.monotonic() - t0
        statuses = [st for st, _ in answers]
        ok_count, limited = statuses.count(200), statuses.count(429)
        check("conn_rate_per_ip=20: 60 connections at once, 20-40 served, the rest 429",
              elapsed < 1 and 20 <= ok_count <= 40 and ok_count + limited == 60,
              f"{ok_count} served, {limited} refused in {elapsed:.2f} s")
        check("429 says why", all("too many" in b for st, b in answers if st == 429))
        time.sleep(1.1)
        check("the next second, served again", http_get(port, "/rs/info")[0] == 200)
    finally:
        p.terminate()
        p.wait(10)


def origins(resockd):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"origins": "https://good.example, https://also.example", "metrics": True}, f)
    p, port = start_resockd(resockd, "--no-demo", "--config", f.name)
    try:
        evil = Raw(port, path="/rs/ws", protocol="resock.v1", origin="https://evil.example")
        check("origins (config file): another origin gets 403", evil.status == 403, evil.status)
        good, w = session(port, origin="https://also.example")
        check("a listed origin gets a session", good.status == 101 and w.get("t") == "welcome")
        bare, w = session(port)
        check("a client without Origin gets a session", bare.status == 101)
        text = http_get(port, "/metrics")[1]
        check("the 403 is counted in /metrics",
              re.search(r'^resock_http_rejected_total\{status="403"\} 1$', text, re.M), text)
    finally:
        p.terminate()
        p.wait(10)
        os.unlink(f.name)


def metric(text, name, labels=""):
    pattern = "^" + re.escape(name + ("{" + labels + "}" if labels else "")) + r" (\d+)$"
    m = re.search(pattern, text, re.M)
    return int(m.group(1)) if m else None


def metrics(resockd):
    p, port = start_resockd(resockd, "--no-demo")
    try:
        a, _ = session(port)
        b, _ = session(port)
        a.send(1, b'{"t":"sub","ch":"m"}')
        read_envelope(a, "suback")  # subscribed before anything is published
        for c in (1, 2, 3):
            b.send(1, json.dumps({"t": "msg", "c": c, "ch": "m", "d": {"n": c}}).encode())
        got = [read_envelope(a, "msg")["d"]["n"] for _ in range(3)]
        reply = count_reply(b, 4)
        check("workload: 3 publishes delivered, 1 route reply", got == [1, 2, 3] and reply)
        status, text = http_get(port, "/metrics")
        check("GET /metrics answers 200 with TYPE lines",
              status == 200 and "# TYPE resock_sessions gauge" in text, status)
        expect = {
            ("resock_sessions", ""): 2,
            ("resock_connections", 'transport="websocket"'): 2,
            ("resock_messages_total", 'direction="in"'): 4,
            ("resock_publishes_total", ""): 3,
            ("resock_payload_encodings_total", ""): 4,  # 3 publishes + 1 send
            ("resock_deliveries_total", ""): 4,  # 3 to the subscriber + the reply
            ("resock_resumes_total", 'result="ok"'): 0,
        }
        for (name, labels), want in expect.items():
            got_value = metric(text, name, labels)
            check(f"{name}{{{labels}}} == {want}", got_value == want, got_value)
        bytes_in = metric(text, "resock_bytes_total", 'direction="in"') or 0
        check("bytes in counted", bytes_in > 300, bytes_in)
        # Nothing was acknowledged (raw clients do not ack): all 4 are held
        # for replay. Then b's connection drops: a 1006 disconnect, b waits
        # detached for a resume.
        check("resock_replay_messages == 4", metric(text, "resock_replay_messages") == 4,
              metric(text, "resock_replay_messages"))
        check("resock_replay_bytes > 0", (metric(text, "resock_replay_bytes") or 0) > 0)
        b.s.close()
        time.sleep(0.3)
        text = http_get(port, "/metrics")[1]
        after = {
            ("resock_sessions_detached", ""): 1,
            ("resock_sessions_attached", 'transport="websocket"'): 1,
            ("resock_sessions_attached", 'transport="sse"'): 0,
            ("resock_sessions", ""): 2,
            ("resock_disconnects_total", 'code="1006",reason="abnormal"'): 1,
            ("resock_connections", 'transport="websocket"'): 1,
        }
        for (name, labels), want in after.items():
            got_value = metric(text, name, labels)
            check(f"after a drop: {name}{{{labels}}} == {want}", got_value == want, got_value)
    finally:
        p.terminate()
        p.wait(10)
    p, port = start_resockd(resockd, "--no-demo", "--no-metrics")
    try:
        check("--no-metrics: /metrics is 404", http_get(port, "/metrics")[0] == 404)
    finally:
        p.terminate()
        p.wait(10)


def main():
    resockd = sys.argv[1]
    max_connections(resockd)
    rate_per_ip(resockd)
    origins(resockd)
    metrics(resockd)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
