"""Cost of authentication: token look-ups per second and a password login, per backend.

Run: .venv/bin/python bench/auth.py [--database-url URL] [--requests N]
A token look-up is what every API request with a token pays (``viewer_for_token``); it is
measured both as a service call and through the HTTP stack (``GET /api/v1/auth/me``).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from ceasefire.access import Viewer
from ceasefire.app import create_app
from ceasefire.bootstrap import initialise
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.members import auth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="ceasefire-bench-auth-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    settings = Settings(
        database_url=url,
        key_file=workdir / "keys.json",
        data_dir=workdir,
        # The baseline is thousands of public requests from one address: kept under the
        # per-address limit (still checked, so its cost is in the figures).
        public_requests_per_minute=10_000_000,
    )
    ctx = ServiceContext.from_settings(settings)
    initialise(ctx, demo=True)
    operator = Viewer.cli_operator()
    password = "a long benchmark password"
    user_id = f"bench-{int(time.time())}"
    auth.add_user(ctx, operator, user_id=user_id, member_id="tur", password=password)
    token = auth.create_token(ctx, operator, user_id=user_id).token

    started = time.perf_counter()
    for _ in range(args.requests):
        auth.viewer_for_token(ctx, token)
    service_rate = args.requests / (time.perf_counter() - started)

    client = TestClient(create_app(ctx=ctx))
    headers = {"Authorization": f"Bearer {token}"}
    started = time.perf_counter()
    for _ in range(args.requests):
        assert client.get("/health").status_code == 200
    baseline_rate = args.requests / (time.perf_counter() - started)
    started = time.perf_counter()
    for _ in range(args.requests):
        assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    http_rate = args.requests / (time.perf_counter() - started)

    started = time.perf_counter()
    logins = 5
    for _ in range(logins):
        auth.login(ctx, user_id=user_id, password=password)
    login_ms = (time.perf_counter() - started) / logins * 1000

    backend = ctx.engine.dialect.name
    print(f"backend {backend}")
    print(f"viewer_for_token: {service_rate:,.0f} look-ups/s ({args.requests} calls)")
    print(f"GET /health, no token (HTTP stack baseline): {baseline_rate:,.0f} requests/s")
    print(f"GET /api/v1/auth/me with a token: {http_rate:,.0f} requests/s (one client)")
    print(f"password login (argon2id verify + token issue): {login_ms:,.0f} ms")
    ctx.dispose()


if __name__ == "__main__":
    main()
