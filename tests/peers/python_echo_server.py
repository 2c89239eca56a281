#!/usr/bin/python3
"""Echo server on Debian's python3-websockets: the first reference peer of
the conformance tests. Listens on 127.0.0.1 (port 0 = any free port),
prints "PORT <n>" once it accepts connections, echoes every message.

Run it with /usr/bin/python3 (Debian's Python sees python3-websockets).
Settings mirror the websockets project's own Autobahn test server: no
compression (sections 12/13 are not run), messages up to 32 MiB (9.x sends
16 MiB), no ping timeouts during the long cases.
"""
import argparse
import asyncio
import signal
import sys

import websockets


async def echo(ws, path=None):
    try:
        async for message in ws:
            await ws.send(message)
    except websockets.ConnectionClosed:
        pass


async def main(port):
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    async with websockets.serve(echo, "127.0.0.1", port, compression=None, max_size=2**25,
                                ping_interval=None, max_queue=1) as server:
        bound = server.sockets[0].getsockname()[1]
        print(f"PORT {bound}", flush=True)
        await stop


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, default=0)
    sys.exit(asyncio.run(main(ap.parse_args().port)))
