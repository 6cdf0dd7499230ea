"""Cost of the per-address rate limit middleware per request, in-process (no HTTP, no DB).

Run: .venv/bin/python bench/address_limits.py [--requests N]
Measures ``AddressRateLimit`` wrapped around an ASGI app that does nothing, for a request
with a token the middleware has already checked (every member request after the first in
5 minutes), a public request (one token taken from its address's bucket), and the bare app.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from starlette.types import Message, Receive, Scope, Send

from ceasefire.api.address_limits import AddressLimits, AddressRateLimit

TOKEN = "cft_" + "x" * 43
HEADERS = [
    (b"host", b"127.0.0.1:8000"),
    (b"user-agent", b"python-httpx/0.28"),
    (b"accept", b"*/*"),
    (b"content-type", b"application/json"),
    (b"idempotency-key", b"3f1c0f4e-report-1"),
]


async def _nothing(scope: Scope, receive: Receive, send: Send) -> None:
    return None


async def _run(app: AddressRateLimit | None, scope: Scope, requests: int) -> float:
    call = app if app is not None else _nothing
    started = time.perf_counter()
    for _ in range(requests):
        await call(scope, _receive, _send)
    return (time.perf_counter() - started) / requests * 1e6


async def _receive() -> Message:
    return {"type": "http.request"}


async def _send(message: Message) -> None:
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200_000)
    args = parser.parse_args()
    limits = AddressLimits(
        # high enough that the public loop is never refused: the cost of taking a token
        public_per_minute=10**12,
        login_per_minute=10,
        check_token=lambda _token: True,
        session_cookie="ceasefire_session",
    )
    app = AddressRateLimit(_nothing, limits)
    client = ("203.0.113.7", 50000)
    member: Scope = {
        "type": "http",
        "client": client,
        "headers": [*HEADERS, (b"authorization", f"Bearer {TOKEN}".encode())],
    }
    public: Scope = {"type": "http", "client": client, "headers": HEADERS}
    asyncio.run(_run(app, member, 10))  # the one check of the token
    bare = asyncio.run(_run(None, member, args.requests))
    with_token = asyncio.run(_run(app, member, args.requests))
    without = asyncio.run(_run(app, public, args.requests))
    print(f"bare ASGI call: {bare:.2f} µs")
    print(f"with a checked token: {with_token:.2f} µs ({with_token - bare:.2f} µs added)")
    print(f"public request (bucket take): {without:.2f} µs ({without - bare:.2f} µs added)")


if __name__ == "__main__":
    main()
