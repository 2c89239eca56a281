"""A blocking WebSocket client for tests that writes every frame itself
(masking, RSV bits, fragments), so a server is checked bit by bit, and
helpers to start resockd on a free port. Used by the Python integration
tests; no dependency beyond the standard library.
"""
import base64
import json
import os
import socket
import struct
import subprocess
import time


class Checks:
    """check(name, ok, detail): prints one "ok"/"FAIL" line per check and
    counts the failures (check.failures)."""

    def __init__(self):
        self.failures = 0

    def __call__(self, name, ok, detail=""):
        print(("ok   " if ok else "FAIL ") + name + (f" ({detail})" if detail and not ok else ""))
        if not ok:
            self.failures += 1

    def summary(self):
        """Prints the count; returns the exit status (0: all passed)."""
        print(f"{self.failures} failure(s)")
        return 1 if self.failures else 0


def start_resockd(resockd, *args, log=None):
    """Starts resockd on 127.0.0.1:0; returns (process, port). `log`: a
    path for its stderr (connection events), else discarded."""
    err = open(log, "w") if log else subprocess.DEVNULL
    p = subprocess.Popen([resockd, "--listen", "127.0.0.1:0", *args],
                         stdout=subprocess.PIPE, stderr=err, text=True)
    for line in p.stdout:
        if line.startswith("PORT "):
            return p, int(line.split()[1])
    raise SystemExit("resockd did not report its port")


def http_get(port, path, headers=""):
    """One HTTP/1.1 GET; returns (status, body)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Connection: close\r\n\r\n"
              .encode())
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head else 0
    return status, body.decode(errors="replace")


class Raw:
    """A blocking WebSocket client that writes every frame itself."""

    def __init__(self, port, path="/echo", offer=None, protocol=None, origin=None,
                 extra_headers="", tls=None):
        """`tls`: an ssl.SSLContext for wss:// (the name checked is 127.0.0.1)."""
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        if tls is not None:
            self.s = tls.wrap_socket(self.s, server_hostname="127.0.0.1")
        key = base64.b64encode(os.urandom(16)).decode()
        head = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n")
        if offer:
            head += f"Sec-WebSocket-Extensions: {offer}\r\n"
        if protocol:
            head += f"Sec-WebSocket-Protocol: {protocol}\r\n"
        if origin:
            head += f"Origin: {origin}\r\n"
        head += extra_headers
        self.s.sendall((head + "\r\n").encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise ConnectionError("closed during the handshake")
            self.buf += chunk
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {}
        if self.status != 101:
            return
        for line in lines[1:]:
            k, v = line.split(":", 1)
            self.headers[k.strip().lower()] = v.strip()

    def send(self, opcode, payload, fin=True, rsv1=False):
        b0 = (0x80 if fin else 0) | (0x40 if rsv1 else 0) | opcode
        n = len(payload)
        if n < 126:
            hdr = struct.pack("!BB", b0, 0x80 | n)
        elif n < 65536:
            hdr = struct.pack("!BBH", b0, 0x80 | 126, n)
        else:
            hdr = struct.pack("!BBQ", b0, 0x80 | 127, n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload)) if n < 65536 else \
            (int.from_bytes(payload, "big") ^ int.from_bytes((mask * (n // 4 + 1))[:n], "big")
             ).to_bytes(n, "big")
        self.s.sendall(hdr + mask + masked)

    def _need(self, n):
        while len(self.buf) < n:
            chunk = self.s.recv(1 << 20)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk

    def frame(self):
        """(fin, rsv1, opcode, payload) of the next frame."""
        self._need(2)
        b0, b1 = self.buf[0], self.buf[1]
        n, at = b1 & 0x7F, 2
        if n == 126:
            self._need(4)
            n, at = struct.unpack("!H", self.buf[2:4])[0], 4
        elif n == 127:
            self._need(10)
            n, at = struct.unpack("!Q", self.buf[2:10])[0], 10
        self._need(at + n)
        payload, self.buf = self.buf[at:at + n], self.buf[at + n:]
        return bool(b0 & 0x80), bool(b0 & 0x40), b0 & 0x0F, payload

    def close_code(self):
        """Reads frames until a close; returns its code (or None on EOF)."""
        try:
            while True:
                _, _, op, payload = self.frame()
                if op == 8:
                    return struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
        except (ConnectionError, socket.timeout):
            return None

    def envelope(self, want=None, timeout=5):
        """The next session envelope whose "t" is in `want` (any when None),
        as a dict; a close frame gives {"t": "closed", "code": n}; None
        after `timeout` seconds of others."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            _, _, op, payload = self.frame()
            if op == 8:
                return {"t": "closed", "code": int.from_bytes(payload[:2], "big")}
            if op == 1:
                env = json.loads(payload)
                if want is None or env.get("t") in want:
                    return env
        return None
