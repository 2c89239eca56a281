#!/usr/bin/python3
"""Auth at connect with HS256 JWTs, against a real resockd:

    auth_test.py RESOCKD

Tokens are minted here with Python's hmac (independent of our signer).
Checks: a valid token in hello.auth and in the Authorization header gets a
session whose identity is "sub"; expired, not-yet-valid, forged, alg=none,
missing tokens get `error forbidden` and close 4000; the "channels" claim
limits subscribe and publish, a refused publish reaches nobody; the
identity survives a resume.
"""
import base64
import hashlib
import hmac
import json
import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers"))
from raw_ws import Checks, Raw, start_resockd  # noqa: E402

SECRET = "auth-test-secret"
check = Checks()


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint(claims, secret=SECRET, alg="HS256"):
    head = b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    mac = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(mac) if alg == 'HS256' else ''}"


def hello(port, token=None, header_token=None, resume=None):
    extra = f"Authorization: Bearer {header_token}\r\n" if header_token else ""
    r = Raw(port, path="/rs/ws", protocol="resock.v1", extra_headers=extra)
    h = {"t": "hello", "v": 1}
    if token:
        h["auth"] = token
    if resume:
        h["resume"] = resume
    r.send(1, json.dumps(h).encode())
    return r, r.envelope(("welcome", "error"))


def refused(port, name, token):
    r, env = hello(port, token)
    closed = r.envelope(("closed",)) if env and env.get("t") == "error" else None
    check(f"{name}: error forbidden, close 4000",
          env and env.get("code") == "forbidden" and closed and closed["code"] == 4000,
          f"{env} {closed}")
    return env


def main():
    resockd = sys.argv[1]
    log = tempfile.NamedTemporaryFile(suffix=".log", delete=False).name
    p, port = start_resockd(resockd, "--no-demo", "--jwt-secret", SECRET, "--jwt-skew", "30",
                            log=log)
    now = int(time.time())
    try:
        alice_tok = mint({"sub": "alice", "exp": now + 600, "channels": ["chat", "room:*"]})
        alice, w = hello(port, alice_tok)
        check("valid token in hello.auth: welcome", w and w.get("t") == "welcome", w)
        bob, w2 = hello(port, header_token=mint({"sub": "bob", "exp": now + 600}))
        check("valid token in Authorization: Bearer: welcome", w2 and w2.get("t") == "welcome", w2)
        time.sleep(0.1)
        text = open(log).read()
        check("identity is the token's sub",
              re.search(rf"sid={w['sid']} identity=alice ", text) and
              re.search(rf"sid={w2['sid']} identity=bob ", text), text[-400:])

        env = refused(port, "expired token", mint({"sub": "x", "exp": now - 100}))
        check("the reason names the cause", env and "expired" in env.get("msg", ""), env)
        refused(port, "not yet valid (nbf beyond the skew)",
                mint({"sub": "x", "exp": now + 600, "nbf": now + 300}))
        _, w3 = hello(port, mint({"sub": "y", "exp": now + 600, "nbf": now + 10}))
        check("nbf within the 30 s skew: welcome", w3 and w3.get("t") == "welcome", w3)
        refused(port, "wrong secret", mint({"sub": "x", "exp": now + 600}, secret="other"))
        refused(port, "alg none", mint({"sub": "x", "exp": now + 600}, alg="none"))
        refused(port, "no token", None)
        refused(port, "no exp", mint({"sub": "x"}))

        # Channel rights: bob (no claim: every channel) listens on two channels.
        bob.send(1, b'{"t":"sub","ch":"admin"}')
        bob.send(1, b'{"t":"sub","ch":"room:7"}')
        alice.send(1, b'{"t":"sub","ch":"admin"}')
        e = alice.envelope(("error",))
        check("sub outside the claim: error forbidden with ch",
              e and e.get("code") == "forbidden" and e.get("ch") == "admin", e)
        alice.send(1, b'{"t":"sub","ch":"room:9"}')
        alice.send(1, b'{"t":"msg","c":1,"ch":"admin","d":{"x":"must not arrive"}}')
        e = alice.envelope(("error",))
        check("publish outside the claim: error forbidden", e and e.get("code") == "forbidden", e)
        alice.send(1, b'{"t":"msg","c":2,"ch":"room:7","d":{"x":"allowed"}}')
        got = bob.envelope(("msg",))
        check("the refused publish reached nobody, the allowed one did",
              got and got.get("ch") == "room:7" and got["d"]["x"] == "allowed", got)
        zr, w4 = hello(port, mint({"sub": "z", "exp": now + 600, "channels": []}))
        zr.send(1, b'{"t":"sub","ch":"chat"}')
        e = zr.envelope(("error",))
        check("an empty channels claim: admitted, no channel allowed",
              w4 and w4.get("t") == "welcome" and e and e.get("code") == "forbidden", (w4, e))

        # Resume: same session, same identity.
        alice.s.close()
        time.sleep(0.2)
        again, w5 = hello(port, alice_tok, resume={"sid": w["sid"], "tk": w["tk"], "ack": 0})
        check("resume after a drop: resumed", w5 and w5.get("resumed") is True, w5)
        time.sleep(0.1)
        text = open(log).read()
        check("the resumed session is still alice's",
              re.search(rf"event=resume sid={w['sid']} ", text) is not None, text[-300:])

        # Alice's ticket with another identity's valid token: refused, and
        # alice's session untouched.
        again.s.close()
        time.sleep(0.2)
        bob_tok = mint({"sub": "bob", "exp": now + 600})
        thief, wt = hello(port, bob_tok, resume={"sid": w["sid"], "tk": w["tk"], "ack": 0})
        closed = thief.envelope(("closed",))
        check("alice's ticket with bob's token: error forbidden, close 4000",
              wt and wt.get("t") == "error" and wt.get("code") == "forbidden" and
              "another identity" in wt.get("msg", "") and closed and closed["code"] == 4000,
              (wt, closed))
        expired_tok = mint({"sub": "alice", "exp": now - 3600})
        late, we = hello(port, expired_tok, resume={"sid": w["sid"], "tk": w["tk"], "ack": 0})
        check("alice's ticket with her expired token: refused (forbidden)",
              we and we.get("t") == "error" and we.get("code") == "forbidden", we)
        back, wb = hello(port, alice_tok, resume={"sid": w["sid"], "tk": w["tk"], "ack": 0})
        check("alice still resumes her session afterwards",
              wb and wb.get("resumed") is True and wb.get("sid") == w["sid"], wb)
        check("the refusals were logged and counted",
              open(log).read().count('reason="resume:') == 2, open(log).read()[-400:])
    finally:
        p.terminate()
        p.wait(10)
        os.unlink(log)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
