#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/<target>/ (small, hand-picked
inputs that reach each parser's interesting states). Rerun after changing
the seeds; libFuzzer grows its own working corpus from these."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def frame(op, payload=b"", fin=True, rsv=0, mask=None, length=None):
    b0 = (0x80 if fin else 0) | (rsv << 4) | op
    n = len(payload) if length is None else length
    head = bytes([b0])
    mbit = 0x80 if mask is not None else 0
    if n < 126:
        head += bytes([mbit | n])
    elif n <= 0xFFFF:
        head += bytes([mbit | 126]) + struct.pack(">H", n)
    else:
        head += bytes([mbit | 127]) + struct.pack(">Q", n)
    if mask is not None:
        head += mask
        payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
    return head + payload


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


K = b"\x37\xfa\x21\x3d"
for role, mask in (("client", K), ("server", None)):
    t = "frame_parser_" + role
    # byte 0 = number of chunk sizes that follow (0: parse whole)
    write(t, "hello", b"\x00" + frame(1, b"Hello", mask=mask))
    write(t, "fragmented", b"\x02\x03\x05" + frame(1, b"Hel", fin=False, mask=mask)
          + frame(9, b"ping", mask=mask) + frame(0, b"lo", mask=mask))
    write(t, "len126", b"\x01\x07" + frame(2, bytes(256), mask=mask))
    write(t, "len127", b"\x01\x3f" + frame(2, bytes(65536), mask=mask))
    write(t, "close", b"\x00" + frame(8, b"\x03\xe8bye", mask=mask))
    write(t, "rsv", b"\x00" + frame(1, b"x", rsv=4, mask=mask))
    write(t, "badop", b"\x00" + frame(3, b"", mask=mask))
    write(t, "wrongmask", b"\x00" + frame(1, b"x", mask=None if mask else K))
    write(t, "msb", b"\x00" + bytes([0x82, (0x80 if mask else 0) | 127]) + b"\x80" + bytes(7))
    write(t, "nonminimal", b"\x00" + bytes([0x82, (0x80 if mask else 0) | 126, 0, 5])
          + (K if mask else b"") + b"hello")

# message_assembler: pairs (b0 = fin|opcode, b1 = split bit|len) + payload
def af(op, payload=b"", fin=True, split=False):
    return bytes([(0x80 if fin else 0) | op, (0x80 if split else 0) | len(payload)]) + payload

write("message_assembler", "text", af(1, b"Hello"))
write("message_assembler", "frag", af(1, b"He", fin=False) + af(9, b"p") + af(0, b"llo"))
write("message_assembler", "utf8split", af(1, "κό".encode(), fin=False, split=True)
      + af(0, "σμε".encode(), split=True))
write("message_assembler", "badutf8", af(1, b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited"))
write("message_assembler", "close", af(8, b"\x03\xe8ok"))
write("message_assembler", "close1", af(8, b"\x03"))
write("message_assembler", "badcont", af(0, b"x"))
write("message_assembler", "nested", af(1, b"a", fin=False) + af(1, b"b"))

# utf8: byte 0 = number of cuts
for name, s in {
    "ascii": b"Hello, world",
    "greek": "κόσμε".encode(),
    "four": "\U0010FFFF\U00010000".encode(),
    "surrogate": b"\xed\xa0\x80",
    "overlong": b"\xc0\x80\xe0\x80\x80",
    "above": b"\xf4\x90\x80\x80",
    "trunc": b"\xe2\x82",
    "mixed": ("a" * 20 + "é€𝄞" * 5).encode(),
}.items():
    write("utf8", name, b"\x03" + s)

# handshake: byte 0 = chunk size seed
REQ = (b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n"
       b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
       b"Origin: http://example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\n"
       b"Sec-WebSocket-Version: 13\r\n\r\n")
RESP = (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n")
write("handshake", "request", b"\x05" + REQ)
write("handshake", "response", b"\x03" + RESP + b"\x81\x02hi")
write("handshake", "keepalive", b"\x01" + REQ.replace(b"Connection: Upgrade", b"Connection: keep-alive, Upgrade"))
write("handshake", "v8", b"\x02" + REQ.replace(b"Version: 13", b"Version: 8"))
write("handshake", "lf", b"\x07" + REQ.replace(b"\r\n", b"\n"))
write("handshake", "fold", b"\x00" + REQ.replace(b"Host: server", b"Host:\r\n server"))
