"""Per-address limits in a real server process (``ceasefire serve``): the address is what
Uvicorn makes of ``X-Forwarded-For``, trusted only from ``FORWARDED_ALLOW_IPS``."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.factories.cli import run_here
from tests.factories.served import installation_env, serving


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], str]:
    """A SQLite installation with the demo members, and a member's API token."""
    folder = tmp_path_factory.mktemp("served")
    env = installation_env(folder, CEASEFIRE_PUBLIC_REQUESTS_PER_MINUTE="3")
    run_here("init", "--demo", "--no-demo-month", env=env, check=True)
    run_here("user", "add", "tur-feed", "--member", "tur", "--no-password", env=env, check=True)
    issued = run_here("token", "create", "--user", "tur-feed", "--json", env=env, check=True)
    return env, json.loads(issued.stdout)["token"]


def _from(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


def test_behind_a_trusted_proxy_each_forwarded_address_has_its_bucket(
    installation: tuple[dict[str, str], str],
) -> None:
    env, token = installation
    with serving(env) as base, httpx.Client(base_url=base) as client:
        codes = [client.get("/health", headers=_from("203.0.113.1")).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        refused = client.get("/api/v1/agreements", headers=_from("203.0.113.1"))
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "E429"
        assert 1 <= int(refused.headers["retry-after"]) <= 20
        assert client.get("/health", headers=_from("203.0.113.2")).status_code == 200
        # a member with a valid token is not limited by the address (only per token)
        member = {**_from("203.0.113.1"), "Authorization": f"Bearer {token}"}
        for _ in range(20):
            assert client.get("/api/v1/auth/me", headers=member).json()["user_id"] == "tur-feed"


def test_forwarded_addresses_from_an_untrusted_peer_are_ignored(
    installation: tuple[dict[str, str], str],
) -> None:
    env, _ = installation
    untrusting = {**env, "FORWARDED_ALLOW_IPS": "192.0.2.1"}
    with serving(untrusting) as base, httpx.Client(base_url=base) as client:
        # every request is the peer 127.0.0.1, whatever it claims to forward for
        codes = [
            client.get("/health", headers=_from(f"203.0.113.{n}")).status_code for n in range(4)
        ]
        assert codes == [200, 200, 200, 429]
