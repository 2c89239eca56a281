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


def main():
    resockd, doc = sys.argv[1], sys.argv[2]
    p, port = start_resockd(resockd, "--no-demo", "--api-key", KEY)
    try:
        client = Raw(port, path="/rs/ws", protocol="resock.v1")
        client.send(1, b'{"t":"hello","v":1}')
        _, _, _, payload = client.frame()
        sid = json.loads(payload)["sid"]
        client.send(1, b'{"t":"sub","ch":"news"}')
        time.sleep(0.2)  # the sub is processed before the first example
        env = dict(os.environ, PORT=str(port), KEY=KEY, SID=sid)
        runs = examples(open(doc).read())
        check("docs/api.md has at least 7 examples", len(runs) >= 7, len(runs))
        for cmd, kind, expected in runs:
            got = subprocess.run(["bash", "-c", cmd], env=env, capture_output=True, text=True,
                                 timeout=20).stdout.strip()
            if kind == "json":
                try:
                    same = json.loads(got) == json.loads(expected)
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
        check("the API's close reached the client with 4000", code == 4000, code)
    finally:
        p.terminate()
        p.wait(10)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
