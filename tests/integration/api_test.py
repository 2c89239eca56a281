#!/usr/bin/python3
"""Runs every example of docs/api.md against a real resockd and compares
its output with the block that follows it in the document.

    api_test.py RESOCKD DOCS_API_MD

A raw WebSocket session subscribed to "news" is the SID of the examples;
after them the test checks that it really received the published and the
sent message and the API's close (4000), so the examples' outputs are
backed by what a client saw.
"""
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers"))
from raw_ws import Checks, Raw, start_resockd  # noqa: E402

KEY = "api-test-key"
check = Checks()


def examples(markdown):
    """(command, kind, expected) for each ```sh block followed by an output block."""
    blocks = re.findall(r"```(\w+)\n(.*?)```", markdown, re.S)
    out = []
    for i, (kind, body) in enumerate(blocks):
        if kind == "sh" and i + 1 < len(blocks) and blocks[i + 1][0] in ("json", "text"):
            out.append((body.strip(), blocks[i + 1][0], blocks[i + 1][1].strip()))
    return out


def api(port, method, path, body=None):
    args = ["curl", "-s", "-X", method, "-H", f"Authorization: apikey {KEY}",
            f"http://127.0.0.1:{port}{path}"]
    if body is not None:
        args += ["-d", json.dumps(body)]
    return subprocess.run(args, capture_output=True, text=True, timeout=10).stdout.strip()


def matches(got, expected):
    """Equal, except that "…" in the document stands for any value (ports,
    timers)."""
    if expected == "…":
        return True
    if isinstance(expected, dict):
        return isinstance(got, dict) and got.keys() == expected.keys() and all(
            matches(got[k], v) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(got, list) and len(got) == len(expected) and all(
            matches(g, e) for g, e in zip(got, expected))
    return got == expected


def main():
    resockd, doc = sys.argv[1], sys.argv[2]
    p, port = start_resockd(resockd, "--no-demo", "--api-key", KEY)
    try:
        client = Raw(port, path="/rs/ws", protocol="resock.v1")
        client.send(1, b'{"t":"hello","v":1}')
        _, _, _, payload = client.frame()
        welcome = json.loads(payload)
        sid = welcome["sid"]
        client.send(1, b'{"t":"sub","ch":"news"}')
        time.sleep(0.2)  # the sub is processed before the first example
        env = dict(os.environ, PORT=str(port), KEY=KEY, SID=sid)
        runs = examples(open(doc).read())
        check("docs/api.md has at least 11 examples", len(runs) >= 11, len(runs))
        for cmd, kind, expected in runs:
            got = subprocess.run(["bash", "-c", cmd], env=env, capture_output=True, text=True,
                                 timeout=20).stdout.strip()
            if kind == "json":
                try:
                    same = matches(json.loads(got), json.loads(expected))
                except ValueError:
                    same = False
            else:
                same = got == expected
            check("example: " + cmd.split('"http')[0][:70], same, f"got {got!r}")
        seen = []
        code = None
        client.s.settimeout(5)
        while code is None:
            _, _, op, payload = client.frame()
            if op == 8:
                code = int.from_bytes(payload[:2], "big")
            elif op == 1:
                seen.append(json.loads(payload))
        msgs = [e for e in seen if e.get("t") == "msg"]
        check("the client got the publish and the send, in order",
              [m.get("d") for m in msgs] == [{"title": "hello"}, [1, 2, 3]] and
              msgs[0].get("ch") == "news" and msgs[1]["s"] == msgs[0]["s"] + 1, msgs)
        check("DELETE ?keep=1 reached the client as close 4005 without a close envelope",
              code == 4005 and not any(e.get("t") == "close" for e in seen), (code, seen[-2:]))
        # The session was deleted after the cut: its ticket resumes nothing.
        tk = welcome["tk"]
        again = Raw(port, path="/rs/ws", protocol="resock.v1")
        again.send(1, json.dumps({"t": "hello", "v": 1, "resume": {
            "sid": sid, "tk": tk, "ack": 0}}).encode())
        _, _, _, payload = again.frame()
        w = json.loads(payload)
        check("after DELETE the session cannot be resumed (lost)",
              w.get("t") == "welcome" and w.get("lost") and w["sid"] != sid, w)

        # A cut session resumes, and gets what was sent while it was away.
        b = Raw(port, path="/rs/ws", protocol="resock.v1")
        b.send(1, b'{"t":"hello","v":1}')
        wb = json.loads(b.frame()[3])
        cut = api(port, "DELETE", f"/rs/api/sessions/{wb['sid']}?keep=1")
        code_b = b.close_code()
        api(port, "POST", "/rs/api/send", {"sid": wb["sid"], "data": "while away"})
        info = json.loads(api(port, "GET", f"/rs/api/sessions/{wb['sid']}"))
        b2 = Raw(port, path="/rs/ws", protocol="resock.v1")
        b2.send(1, json.dumps({"t": "hello", "v": 1, "resume": {
            "sid": wb["sid"], "tk": wb["tk"], "ack": 0}}).encode())
        w2 = json.loads(b2.frame()[3])
        m2 = json.loads(b2.frame()[3])
        check("cut (keep=1): 4005, detached, then resumed with the message sent meanwhile",
              cut == "{}" and code_b == 4005 and info.get("state") == "detached" and
              w2.get("resumed") is True and m2.get("d") == "while away", (cut, code_b, info, w2, m2))
    finally:
        p.terminate()
        p.wait(10)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
