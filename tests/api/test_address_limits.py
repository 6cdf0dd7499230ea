"""Per-address limits through the HTTP stack: requests without a valid token share a
bucket per address (429, JSON error, Retry-After); members' requests are not limited per
address (per token: tests/api/test_import_parsing_limits.py);
sign-in attempts are limited per address for the API and the web form."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.members import auth
from ceasefire.members.tables import LoginFailureRow
from ceasefire.members.throttle import client_row_key
from ceasefire.web.session import SESSION_COOKIE
from tests.factories.members import OPERATOR, PASSWORD, add_user_with_token
from tests.factories.members import demo_cast as _demo_cast

USER = "tur-duty"
WRONG = "not the password"
BOGUS = {"Authorization": "Bearer cft_made-up-token"}


@pytest.fixture
def limited(settings: Settings) -> Iterator[ServiceContext]:
    """Three public requests and two failed sign-ins a minute per address."""
    context = ServiceContext.from_settings(
        settings.model_copy(
            update={"public_requests_per_minute": 3, "login_attempts_per_address_per_minute": 2}
        )
    )
    yield context
    context.dispose()


@pytest.fixture
def token(limited: ServiceContext) -> str:
    _demo_cast(limited)
    auth.add_user(limited, OPERATOR, user_id=USER, member_id="tur", password=PASSWORD)
    return add_user_with_token(limited, "tur", "tur-feed")[1]


def _client(ctx: ServiceContext, address: str = "203.0.113.7") -> TestClient:
    return TestClient(create_app(ctx=ctx), client=(address, 40000))


def _assert_refused(response: object, *, within: int) -> None:
    from httpx import Response

    assert isinstance(response, Response)
    assert response.status_code == 429, response.text
    error = response.json()["error"]
    assert error["code"] == "E429"
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= within
    assert error["details"]["retry_after_s"] == retry_after


def test_public_requests_are_limited_per_address(limited: ServiceContext, token: str) -> None:
    with _client(limited) as client, _client(limited, "198.51.100.9") as neighbour:
        for _ in range(3):
            assert client.get("/api/v1/agreements").status_code == 200
        refused = client.get("/api/v1/agreements")
        _assert_refused(refused, within=20)  # 3 a minute: one every 20 s
        assert "without a valid token" in refused.json()["error"]["message"]
        # every public path shares the bucket: pages, static files, health
        assert client.get("/").status_code == 429
        assert client.get("/static/web/style.css").status_code == 429
        assert client.get("/health").status_code == 429
        # another address has its own bucket
        assert neighbour.get("/api/v1/agreements").status_code == 200


def test_requests_with_a_valid_token_are_never_limited(limited: ServiceContext, token: str) -> None:
    bearer = {"Authorization": f"Bearer {token}"}
    with _client(limited) as client:
        for _ in range(3):
            client.get("/health")
        assert client.get("/health").status_code == 429
        for _ in range(40):
            assert client.get("/api/v1/auth/me", headers=bearer).json()["user_id"] == "tur-feed"
            assert client.get("/api/v1/agreements", headers=bearer).status_code == 200
        # a web session is a valid token too
        session = auth.login(limited, user_id=USER, password=PASSWORD).token
        client.cookies.set(SESSION_COOKIE, session)
        for _ in range(10):
            page = client.get("/")
            assert page.status_code == 200
            assert USER in page.text
        client.cookies.clear()
        assert client.get("/").status_code == 429


def test_a_made_up_token_or_stale_cookie_counts_as_public(
    limited: ServiceContext, token: str
) -> None:
    with _client(limited) as client:
        # the agreements list ignores the caller: the header alone must not bypass the limit
        for _ in range(3):
            assert client.get("/api/v1/agreements", headers=BOGUS).status_code == 200
        _assert_refused(client.get("/api/v1/agreements", headers=BOGUS), within=20)
        assert client.get("/api/v1/auth/me", headers=BOGUS).status_code == 429
        client.cookies.set(SESSION_COOKIE, "cft_stale")
        assert client.get("/").status_code == 429
    with _client(limited, "198.51.100.9") as other:
        other.cookies.set(SESSION_COOKIE, "cft_stale")
        for _ in range(3):
            assert other.get("/").status_code == 200
        assert other.get("/").status_code == 429


def test_a_token_revoked_after_it_was_checked_is_still_refused_by_the_route(
    limited: ServiceContext, token: str
) -> None:
    bearer = {"Authorization": f"Bearer {token}"}
    with _client(limited) as client:
        assert client.get("/api/v1/auth/me", headers=bearer).status_code == 200
        [info] = auth.list_tokens(limited, OPERATOR, user_id="tur-feed")
        auth.revoke_token(limited, OPERATOR, info.id)
        # the limiter remembers the token as valid for a while; access is still decided
        # by the route
        response = client.get("/api/v1/auth/me", headers=bearer)
        assert response.status_code == 401
        assert response.json()["error"]["message"] == "token has been revoked"


def test_sign_in_failures_are_limited_per_address_whatever_the_name(
    limited: ServiceContext, token: str
) -> None:
    with _client(limited) as client, _client(limited, "198.51.100.9") as other:
        for name in ("alice", "bob"):
            response = client.post(
                "/api/v1/auth/token",
                json={"user_id": name, "password": WRONG},
                headers={"Authorization": f"Bearer {token}"},  # not counted as public
            )
            assert response.status_code == 401
        refused = client.post(
            "/api/v1/auth/token",
            json={"user_id": USER, "password": PASSWORD},
            headers={"Authorization": f"Bearer {token}"},
        )
        _assert_refused(refused, within=30)  # 2 a minute: one every 30 s
        assert "sign-in attempts from this address" in refused.json()["error"]["message"]
        # refused before the name was counted or the password checked
        with limited.reader() as session:
            names = set(session.scalars(select(LoginFailureRow.user_name)))
        # each name's row and its client's (``members.throttle``): not USER's
        assert names == {
            *("alice", "bob"),
            *(client_row_key(name, "203.0.113.7") for name in ("alice", "bob")),
        }
        # the web form shares the same bucket, and says so on the page
        form = client.post(
            "/login",
            data={"user_id": "carol", "password": WRONG},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert form.status_code == 429
        assert "Too many sign-in attempts from this address" in form.text
        assert 1 <= int(form.headers["retry-after"]) <= 30
        # another address is not affected
        ok = other.post("/api/v1/auth/token", json={"user_id": USER, "password": PASSWORD})
        assert ok.status_code == 200


def test_successful_sign_ins_are_not_held_against_the_address(
    limited: ServiceContext, token: str
) -> None:
    bearer = {"Authorization": f"Bearer {token}"}
    with _client(limited) as client:
        for _ in range(4):
            response = client.post(
                "/login",
                data={"user_id": USER, "password": PASSWORD},
                headers=bearer,
                follow_redirects=False,
            )
            assert response.status_code == 303
        assert (
            client.post(
                "/api/v1/auth/token", json={"user_id": USER, "password": WRONG}, headers=bearer
            ).status_code
            == 401
        )


def test_zero_disables_the_limits(settings: Settings) -> None:
    context = ServiceContext.from_settings(
        settings.model_copy(
            update={"public_requests_per_minute": 0, "login_attempts_per_address_per_minute": 0}
        )
    )
    try:
        with _client(context) as client:
            for _ in range(30):
                assert client.get("/health").status_code == 200
            for name in range(12):
                response = client.post(
                    "/api/v1/auth/token", json={"user_id": f"u{name}", "password": WRONG}
                )
                assert response.status_code == 401
    finally:
        context.dispose()


def test_the_defaults_are_on() -> None:
    defaults = Settings()
    assert defaults.public_requests_per_minute == 120
    assert defaults.login_attempts_per_address_per_minute == 10
