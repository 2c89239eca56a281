#!/usr/bin/python3
"""resockd over TLS (wss:// and https://) with a CA made for this run:

    tls_test.py RESOCKD RESOCK_CLIENT MAKE_CERTS

- python-websockets (a real peer) opens a session over wss:// verified
  against the CA, talks to a route and resumes after a dropped connection;
- curl fetches https:// resources (verified), refuses them without the CA;
  plain http:// to the TLS port gets a readable 400;
- resock-client: --ca works, no CA / wrong name fail at once with error
  tls_certificate and exit 1, --insecure accepts a self-signed server;
- bad configuration: a missing file, a key that does not match the
  certificate, a certificate without its key, each a clear error;
- hostile TLS peers: a ClientHello a byte at a time and a silent TCP
  connection are dropped at the handshake timeout; garbage records get the
  connection closed; the server keeps serving.
"""
import asyncio
import json
import re
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers"))
from raw_ws import Checks, Raw, start_resockd  # noqa: E402

import websockets  # noqa: E402  (Debian's python3-websockets)

check = Checks()


def client_ctx(ca):
    ctx = ssl.create_default_context(cafile=ca)
    return ctx


async def websockets_session(port, ca):
    """Session over wss with python-websockets: welcome, a route reply,
    then a resume on a new connection after an abrupt drop."""
    url = f"wss://127.0.0.1:{port}/rs/ws"
    ws = await websockets.connect(url, ssl=client_ctx(ca), subprotocols=["resock.v1"])
    await ws.send(json.dumps({"t": "hello", "v": 1, "auth": "tess"}))
    welcome = json.loads(await asyncio.wait_for(ws.recv(), 5))
    await ws.send(json.dumps({"t": "msg", "c": 1, "r": "count", "d": {}}))
    reply = None
    while reply is None:
        env = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if env.get("t") == "msg":
            reply = env
    ws.transport.abort()  # a dropped connection, no close handshake
    await asyncio.sleep(0.2)
    ws2 = await websockets.connect(url, ssl=client_ctx(ca), subprotocols=["resock.v1"])
    await ws2.send(json.dumps({"t": "hello", "v": 1, "auth": "tess", "resume": {
        "sid": welcome["sid"], "tk": welcome["tk"], "ack": reply["s"]}}))
    resumed = json.loads(await asyncio.wait_for(ws2.recv(), 5))
    await ws2.close()
    return welcome, reply, resumed


def curl(*args):
    r = subprocess.run(["curl", "-sS", "--max-time", "10", *args], capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def client(resock_client, url, *args, stdin='"hi"\n', timeout=15):
    r = subprocess.run([resock_client, url, "--route", "chat", "--json", *args], input=stdin,
                       capture_output=True, text=True, timeout=timeout)
    events = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    return r.returncode, events, r.stderr


def start_fails(resockd, *args):
    r = subprocess.run([resockd, "--listen", "127.0.0.1:0", "--no-demo", *args],
                       capture_output=True, text=True, timeout=10)
    return r.returncode, r.stderr


def main():
    resockd, resock_client, make_certs = sys.argv[1:4]
    certs = tempfile.mkdtemp(prefix="resock-tls-")
    subprocess.run(["bash", make_certs, certs], check=True)
    ca, cert, key = (os.path.join(certs, n) for n in ("ca.pem", "cert.pem", "key.pem"))
    log = os.path.join(certs, "resockd.log")
    p, port = start_resockd(resockd, "--tls-cert", cert, "--tls-key", key,
                            "--handshake-timeout", "1000", "--api-key", "k", log=log)
    try:
        # A real peer: python-websockets, certificate verified.
        welcome, reply, resumed = asyncio.run(websockets_session(port, ca))
        check("python-websockets over wss: welcome", welcome.get("t") == "welcome", welcome)
        check("python-websockets over wss: route reply", reply.get("t") == "msg", reply)
        check("python-websockets over wss: resumed after a drop",
              resumed.get("t") == "welcome" and resumed.get("resumed") is True, resumed)

        # HTTPS on the same port: resources, metrics, the API.
        rc, out, err = curl("--cacert", ca, f"https://127.0.0.1:{port}/rs/info")
        check("curl https:// with the CA: /rs/info", rc == 0 and '"resock.v1"' in out, err)
        rc, out, err = curl("--cacert", ca, f"https://localhost:{port}/metrics")
        check("curl https://localhost: /metrics", rc == 0 and "resock_" in out, err)
        rc, out, err = curl("--cacert", ca, "-H", "Authorization: apikey k",
                            f"https://127.0.0.1:{port}/rs/api/stats")
        check("curl https:// API with key: stats", rc == 0 and '"sessions"' in out, out + err)
        rc, out, err = curl(f"https://127.0.0.1:{port}/rs/info")
        check("curl without the CA: refused (exit 60)", rc == 60, f"rc={rc} {err}")
        rc, out, err = curl("-i", f"http://127.0.0.1:{port}/rs/info")
        check("plain http:// to the TLS port: 400 saying so",
              " 400 " in out.split("\r\n")[0] and "TLS port" in out, out[:200])

        # resock-client.
        url = f"wss://127.0.0.1:{port}/rs/ws"
        rc, ev, err = client(resock_client, url, "--ca", ca)
        check("resock-client --ca: connected, exit 0",
              rc == 0 and any(e["event"] == "connected" for e in ev), f"rc={rc} {ev} {err[-300:]}")
        t0 = time.monotonic()
        rc, ev, err = client(resock_client, url)
        took = time.monotonic() - t0
        errs = [e for e in ev if e["event"] == "error"]
        check("resock-client without the CA: error tls_certificate, exit 1, no retry loop",
              rc == 1 and errs and errs[0]["code"] == "tls_certificate" and
              "not trusted" in errs[0]["msg"] and took < 5, f"rc={rc} {ev} {took:.1f}s")

        # Raw client over TLS: a malformed envelope gets an error, the
        # connection survives (the TLS record path of the native server).
        r = Raw(port, path="/rs/ws", protocol="resock.v1", tls=client_ctx(ca))
        r.send(1, b'{"t":"hello","v":1}')
        w = r.envelope(("welcome",))
        r.send(1, b"not json")
        e = r.envelope(("error",))
        r.send(1, b'{"t":"msg","c":1,"r":"count","d":{}}')
        m = r.envelope(("msg",))
        check("raw wss: malformed envelope -> error, connection survives",
              w and e and e.get("code") and m, (w, e, m))
        big = json.dumps({"t": "msg", "c": 2, "r": "count", "d": "x" * 300000}).encode()
        r.send(1, big)  # many TLS records, one message
        m2 = r.envelope(("msg", "error"), timeout=10)
        check("raw wss: a 300 KB envelope across TLS records is handled", m2 and m2["t"] == "msg", m2)
        r.send(8, b"\x03\xe8")
        check("raw wss: close handshake", r.close_code() == 1000)

        # Hostile peers.
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        t0 = time.monotonic()
        try:
            gone = s.recv(10) == b""
        except ConnectionResetError:
            gone = True
        took = time.monotonic() - t0
        check("silent TCP connection on the TLS port: dropped at the handshake timeout",
              gone and 0.8 <= took <= 3.0, f"{took:.2f}s")
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"\x16\x03\x01\x00\x05garbage-that-is-no-tls" * 3)
        try:
            gone = s.recv(100) is not None  # an alert or EOF, never a hang
        except (ConnectionResetError, socket.timeout):
            gone = True
        check("garbage TLS records: the connection is closed", gone)
        rc, out, err = curl("--cacert", ca, f"https://127.0.0.1:{port}/rs/info")
        check("after the hostile peers: still serving", rc == 0, err)
        text = open(log).read()
        check("the log names the TLS failure", "reason=\"tls:" in text, text[-500:])
    finally:
        p.terminate()
        p.wait(10)
    check("resockd exits 0 on SIGTERM", p.returncode == 0, p.returncode)

    # A certificate for another name, and a self-signed one.
    other = (os.path.join(certs, "other.pem"), os.path.join(certs, "other.key"))
    p, port = start_resockd(resockd, "--no-demo", "--tls-cert", other[0], "--tls-key", other[1])
    try:
        rc, ev, err = client(resock_client, f"wss://127.0.0.1:{port}/rs/ws", "--ca", ca)
        errs = [e for e in ev if e["event"] == "error"]
        check("resock-client: a certificate for another name is refused",
              rc == 1 and errs and "mismatch" in errs[0]["msg"], f"rc={rc} {ev}")
    finally:
        p.terminate()
        p.wait(10)
    selfs = (os.path.join(certs, "self.pem"), os.path.join(certs, "self.key"))
    p, port = start_resockd(resockd, "--no-demo", "--tls-cert", selfs[0], "--tls-key", selfs[1])
    try:
        rc, ev, err = client(resock_client, f"wss://127.0.0.1:{port}/rs/ws", "--insecure")
        check("resock-client --insecure: a self-signed server is accepted",
              rc == 0 and any(e["event"] == "connected" for e in ev), f"rc={rc} {ev}")
        rc, ev, err = client(resock_client, f"wss://127.0.0.1:{port}/rs/ws")
        check("resock-client: the same self-signed server without --insecure is refused",
              rc == 1, f"rc={rc} {ev}")
    finally:
        p.terminate()
        p.wait(10)

    # Over the per-IP rate, a TLS connection is closed before its handshake
    # (no CPU spent on refused clients); the refusals are counted.
    p, port = start_resockd(resockd, "--no-demo", "--tls-cert", cert, "--tls-key", key,
                            "--conn-rate-per-ip", "5")
    try:
        served = refused = 0
        for _ in range(20):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            try:
                client_ctx(ca).wrap_socket(s, server_hostname="127.0.0.1").close()
                served += 1
            except (ssl.SSLError, ConnectionError, OSError):
                refused += 1
        rc, out, err = curl("--cacert", ca, f"https://127.0.0.1:{port}/metrics")
        for _ in range(20):  # curl counts against the rate too: the next second serves it
            if rc == 0 and "resock_http_rejected_total" in out:
                break
            time.sleep(0.3)
            rc, out, err = curl("--cacert", ca, f"https://127.0.0.1:{port}/metrics")
        counted = re.search(r'^resock_http_rejected_total\{status="429"\} (\d+)$', out, re.M)
        check("TLS over the per-IP rate: refused before the handshake, counted as 429",
              served <= 10 and refused >= 10 and counted and int(counted.group(1)) >= refused,
              f"served={served} refused={refused} {counted and counted.group(0)}")
    finally:
        p.terminate()
        p.wait(10)

    # Configuration errors: clear, at start, exit 1 (or 2 for usage).
    rc, err = start_fails(resockd, "--tls-cert", "/nonexistent.pem", "--tls-key", key)
    check("missing certificate file: exit 1 naming it",
          rc == 1 and "/nonexistent.pem" in err, f"rc={rc} {err}")
    rc, err = start_fails(resockd, "--tls-cert", cert, "--tls-key", other[1])
    check("key of another certificate: exit 1, 'does not match'",
          rc == 1 and "does not match" in err, f"rc={rc} {err}")
    rc, err = start_fails(resockd, "--tls-cert", cert)
    check("certificate without key: usage error (exit 2)", rc == 2 and "--tls-key" in err,
          f"rc={rc} {err}")
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
