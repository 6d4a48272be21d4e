"""Run localstripe on 127.0.0.1 with its state pickle in a given folder (used by the ``localstripe`` fixture).

The ``localstripe`` command binds every interface and pickles its store to ``/tmp/localstripe.pickle``; this
launcher reuses localstripe's aiohttp app but binds the loopback interface only (port 0: the OS picks a free
port, printed on the first line of stdout) and keeps the store in ``--state-dir``. It also honours
``Idempotency-Key`` as Stripe does (localstripe ignores it): a POST repeating a key gets the first answer back,
so retried calls can be tested for moving money once.

    python -m tests.payments.localstripe_server --state-dir /tmp/xyz
"""
from __future__ import annotations

import argparse
import pickle
import socket
import sys
from pathlib import Path


def _store_in(state_dir: Path) -> None:
    """Point localstripe's store persistence at ``state_dir`` instead of the shared /tmp file."""
    from localstripe import resources

    state_file = state_dir / "localstripe.pickle"

    def dump_to_disk(store) -> None:
        with open(state_file, "wb") as f:
            pickle.dump(dict(store), f, protocol=pickle.HIGHEST_PROTOCOL)

    def try_load_from_disk(store) -> None:
        if state_file.exists():
            with open(state_file, "rb") as f:
                store.clear()
                store.update(pickle.load(f))

    resources.Store.dump_to_disk = dump_to_disk
    resources.Store.try_load_from_disk = try_load_from_disk


def _idempotency_middleware():
    """Stripe's idempotency: the first successful answer to a POST with a key is replayed for that key."""
    from aiohttp import web

    answers: dict[tuple[str, str], tuple[int, bytes, str]] = {}

    @web.middleware
    async def idempotency(request, handler):
        key = request.headers.get("Idempotency-Key")
        if request.method != "POST" or not key:
            return await handler(request)
        seen = answers.get((request.path, key))
        if seen is not None:
            status, body, content_type = seen
            return web.Response(status=status, body=body, content_type=content_type)
        response = await handler(request)
        if response.status < 400:
            answers[(request.path, key)] = (response.status, response.body, response.content_type)
        return response

    return idempotency


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--state-dir", required=True, type=Path)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    _store_in(args.state_dir)

    from aiohttp import web
    from localstripe.server import app

    app.middlewares.append(_idempotency_middleware())

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    print(sock.getsockname()[1], flush=True)
    web.run_app(app, sock=sock, print=None, access_log=None, handle_signals=True)


if __name__ == "__main__":
    sys.exit(main())
