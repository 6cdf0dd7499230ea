"""The ninth audit: authentication and sessions, attacked as one member's staff would attack
another member's accounts (both databases; docs/security.md, "Sign-in, sessions and tokens").

- A password known to someone else used to be turned into a 366-day API token (minting one
  only needs the password) that outlived the password change meant to shut that person
  out. Setting a password now also ends the tokens the user minted itself; the tokens an
  operator issued (sensor feeds) stay.
- Signing in again over a session left the replaced session's token active for the rest of
  its twelve hours, though no browser held it any more.
- A sign-in session had no idle limit: a browser left signed in on a shared machine stayed
  so for twelve hours. Now it ends after ``session_idle_s`` (two hours) unused.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import update

from ceasefire.db.context import ServiceContext
from ceasefire.ledger import service as ledger
from ceasefire.members import auth
from ceasefire.members.tables import ApiTokenRow
from ceasefire.timeutil import utcnow
from ceasefire.web.session import SESSION_COOKIE
from tests.api.test_web_login import token_state
from tests.factories.members import OPERATOR, PASSWORD, Cast

USER = "arm-duty"
NEW_PASSWORD = "a brand new passphrase"


def _add_user(ctx: ServiceContext) -> None:
    auth.add_user(ctx, OPERATOR, user_id=USER, member_id="arm", password=PASSWORD)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _mint(client: TestClient, session_token: str) -> str:
    """What whoever knows the password does: a year-long API token of the user's own."""
    response = client.post(
        "/api/v1/auth/tokens",
        json={"password": PASSWORD, "label": "backup", "expires_in_days": 366},
        headers=_bearer(session_token),
    )
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


def _change_password(client: TestClient, token: str) -> Response:
    response: Response = client.post(  # Any to mypy: starlette types TestClient on httpx2
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=_bearer(token),
    )
    return response


def _intruder_and_feed(ctx: ServiceContext, client: TestClient) -> tuple[str, str]:
    """The user; a token minted by someone else who knows its password, and the token an
    operator issued for the user's program (not derived from the password)."""
    _add_user(ctx)
    intruder = _mint(client, auth.login(ctx, user_id=USER, password=PASSWORD).token)
    return intruder, auth.create_token(ctx, OPERATOR, user_id=USER, label="feed").token


def test_a_password_change_ends_the_tokens_minted_with_the_old_password(
    ctx: ServiceContext, cast: Cast, client: TestClient
) -> None:
    intruder, issued = _intruder_and_feed(ctx, client)
    # The user notices and changes its password, with a token it minted itself: the token a
    # change is made with is kept.
    own = _mint(client, auth.login(ctx, user_id=USER, password=PASSWORD).token)
    response = _change_password(client, own)
    assert response.status_code == 200, response.text
    assert client.get("/api/v1/auth/me", headers=_bearer(intruder)).status_code == 401
    assert token_state(ctx, intruder) == "revoked"
    assert client.get("/api/v1/auth/me", headers=_bearer(own)).json()["user_id"] == USER
    assert client.get("/api/v1/auth/me", headers=_bearer(issued)).json()["user_id"] == USER
    revoked = {t.id for t in auth.list_tokens(ctx, OPERATOR, user_id=USER) if t.state == "revoked"}
    assert set(response.json()["sessions_revoked"]) == revoked
    assert ledger.verify(ctx).ok


def test_an_operator_reset_ends_the_tokens_the_user_minted(
    ctx: ServiceContext, cast: Cast, client: TestClient
) -> None:
    intruder, issued = _intruder_and_feed(ctx, client)
    auth.set_password(ctx, OPERATOR, USER, NEW_PASSWORD)
    assert client.get("/api/v1/auth/me", headers=_bearer(intruder)).status_code == 401
    assert client.get("/api/v1/auth/me", headers=_bearer(issued)).status_code == 200


def test_signing_in_again_ends_the_replaced_session(
    ctx: ServiceContext, cast: Cast, client: TestClient
) -> None:
    _add_user(ctx)
    form = {"user_id": USER, "password": PASSWORD}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    first = client.cookies.get(SESSION_COOKIE)
    assert first is not None
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    second = client.cookies.get(SESSION_COOKIE)
    assert second is not None
    assert second != first
    assert token_state(ctx, first) == "revoked"
    assert token_state(ctx, second) == "active"
    assert client.get("/api/v1/auth/me", headers=_bearer(first)).status_code == 401


def _unused_for(ctx: ServiceContext, token: str, idle: timedelta) -> None:
    with ctx.unit_of_work() as session:
        session.execute(
            update(ApiTokenRow)
            .where(ApiTokenRow.token_hash == auth.hash_token(token))
            .values(last_used_at=utcnow() - idle)
        )


def test_a_sign_in_session_ends_when_left_unused(
    ctx: ServiceContext, cast: Cast, client: TestClient
) -> None:
    _add_user(ctx)
    idle = timedelta(hours=2)  # CEASEFIRE_SESSION_IDLE_S by default
    form = {"user_id": USER, "password": PASSWORD}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    browser = client.cookies.get(SESSION_COOKIE)
    assert browser is not None
    program = auth.create_token(ctx, OPERATOR, user_id=USER, label="feed").token
    in_use = auth.login(ctx, user_id=USER, password=PASSWORD).token

    _unused_for(ctx, browser, idle + timedelta(seconds=1))
    _unused_for(ctx, program, idle * 10)
    _unused_for(ctx, in_use, idle - timedelta(minutes=5))
    # The idle browser's page is the public's, and the cookie is dropped.
    page = client.get("/account/password", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login")
    assert client.get("/api/v1/auth/me", headers=_bearer(browser)).status_code == 401
    # An API token has no idle limit; a session used lately goes on.
    assert client.get("/api/v1/auth/me", headers=_bearer(program)).status_code == 200
    assert client.get("/api/v1/auth/me", headers=_bearer(in_use)).status_code == 200
