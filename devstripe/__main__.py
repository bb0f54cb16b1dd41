"""Run localstripe with the test extension on 127.0.0.1: ``python -m devstripe [--port N]``.

localstripe's own command binds every interface and loads a pickled store from /tmp; this launcher
binds 127.0.0.1 only, starts from an empty store with persistence off, and prints ``PORT <n>`` once
it is listening (port 0, the default, picks a free one).
"""

from __future__ import annotations

import argparse
import logging
import socket

from aiohttp import web


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    from localstripe import server

    from devstripe import extension

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    # Listen now: aiohttp announces on_startup before its own listen(), and a client that
    # connects in between would be refused. Connections queue in the backlog until it serves.
    sock.listen(128)
    port = sock.getsockname()[1]
    extension.install(server.app, f"http://127.0.0.1:{port}")
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    async def announce(app):
        print(f"PORT {port}", flush=True)

    server.app.on_startup.append(announce)
    web.run_app(server.app, sock=sock, print=None, access_log=logging.getLogger("aiohttp.access"))


if __name__ == "__main__":
    main()
