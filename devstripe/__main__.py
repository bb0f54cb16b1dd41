"""Run the local Stripe (localstripe with our extension) on 127.0.0.1: ``python -m devstripe --help``.

localstripe's own command binds every interface and loads a pickled store from /tmp; this launcher
binds 127.0.0.1 only and prints ``PORT <n>`` once it is listening (port 0, the default, picks a free
one). Without ``--store`` it starts empty and keeps nothing (the tests); with ``--store PATH`` it
loads PATH at start, saves it after every write request and registers the stored webhook endpoints
again, so ``make run`` keeps its customers, prices and endpoints across restarts.
"""

from __future__ import annotations

import argparse
import logging
import os
import pickle
import socket
from pathlib import Path

from aiohttp import web

DESCRIPTION = "A local stand-in for Stripe (test mode, no money moves), served on 127.0.0.1."
EPILOG = """\
pages a person uses (served by this process; the sessions' "url" fields point at them):
  /_test/checkout/<session id>   Checkout: what is bought, a card field, Pay
  /_test/portal/<session id>     Billing portal: plan, card, cancel at period end
test cards: 4242 4242 4242 4242 pays; 4000 0000 0000 0341 is declined;
            4000 0027 6000 3184 asks for authentication first.
The API key is any sk_test_... key; webhook endpoints created through /v1/webhook_endpoints receive
signed events a second after each change.
"""


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m devstripe", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0,
                        help="port on 127.0.0.1 to listen on (default 0: any free port, printed as 'PORT <n>')")
    parser.add_argument("--store", metavar="PATH", type=Path,
                        help="keep everything (customers, prices, subscriptions, webhook endpoints...) in this "
                             "file across restarts; its folder is created. Without it nothing is kept.")
    return parser.parse_args(argv)


def keep_store(path: Path) -> int:
    """Load the store from ``path`` if it exists and save it there after every write; return the objects loaded.

    localstripe pickles its whole store on each object it adds and after each POST/PUT/DELETE; here
    only the second remains (one save per write request), written to a temporary file and moved into
    place so a stopped server never leaves half a file.
    """
    from localstripe import resources as R
    from localstripe import webhooks as W

    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)

    def save(store) -> None:
        partial = path.with_name(path.name + ".partial")
        try:
            with open(partial, "wb") as f:
                pickle.dump(dict(store), f, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # the request still succeeds; the file keeps the last good save
            logging.getLogger("devstripe").exception("store not saved to %s", path)
            return
        os.replace(partial, path)

    R.Store.__setitem__ = dict.__setitem__
    R.Store.__delitem__ = dict.__delitem__
    R.Store.dump_to_disk = save
    if path.exists():
        with open(path, "rb") as f:
            R.store.update(pickle.load(f))
    for key, endpoint in R.store.items():
        if key.startswith("webhook_endpoint:"):
            events = None if "*" in endpoint.enabled_events else list(endpoint.enabled_events)
            W.register_webhook(endpoint.id, endpoint.url, endpoint.secret, events)
    return len(R.store)


def main() -> None:
    args = arguments()

    from localstripe import server

    from devstripe import extension  # turns localstripe's own persistence off

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.store:
        loaded = keep_store(args.store)
        logging.getLogger("devstripe").info("store %s: %d objects loaded", args.store, loaded)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    # Listen now: aiohttp announces on_startup before its own listen(), and a client that
    # connects in between would be refused. Connections queue in the backlog until it serves.
    sock.listen(128)
    port = sock.getsockname()[1]
    extension.install(server.app, f"http://127.0.0.1:{port}")

    async def announce(app):
        print(f"PORT {port}", flush=True)

    server.app.on_startup.append(announce)
    web.run_app(server.app, sock=sock, print=None, access_log=logging.getLogger("aiohttp.access"))


if __name__ == "__main__":
    main()
