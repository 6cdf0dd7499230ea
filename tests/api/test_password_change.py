"""A signed-in user changes its own password, through the API and the web form: the current
password is required (failures count as failed sign-ins), the other sign-in sessions end,
the API tokens an operator issued and the current session stay, one ledger entry without any
secret (the tokens a user minted itself end: test_ninth_audit.py)."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.ledger import service as ledger
from ceasefire.ledger.tables import LedgerEntryRow
from ceasefire.members import auth
from ceasefire.members.setup import setup_members
from ceasefire.members.tables import ApiTokenRow
from ceasefire.web import csrf
from ceasefire.web.session import SESSION_COOKIE
from tests.factories.members import OPERATOR, PASSWORD

USER = "tur-duty"
NEW_PASSWORD = "a brand new passphrase"
WRONG = "not the password"
ROUTE = "/api/v1/auth/password"


@pytest.fixture
def user(ctx: ServiceContext) -> str:
    setup_members(ctx, demo=True)
    auth.add_user(ctx, OPERATOR, user_id=USER, member_id="tur", password=PASSWORD)
    return USER


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _states(ctx: ServiceContext, *tokens: str) -> list[str]:
    states = []
    with ctx.reader() as session:
        for token in tokens:
            row = session.scalars(
                select(ApiTokenRow).where(ApiTokenRow.token_hash == auth.hash_token(token))
            ).one()
            states.append("revoked" if row.revoked_at is not None else "active")
    return states


def _ledger(ctx: ServiceContext) -> list[tuple[str, str, dict[str, Any]]]:
    with ctx.reader() as session:
        rows = session.execute(
            select(LedgerEntryRow.tag, LedgerEntryRow.subject, LedgerEntryRow.payload).order_by(
                LedgerEntryRow.seq
            )
        ).all()
    return [(tag, subject, json.loads(payload)) for tag, subject, payload in rows]


def _sign_in(client: TestClient, password: str = PASSWORD) -> int:
    response = client.post("/api/v1/auth/token", json={"user_id": USER, "password": password})
    status: int = response.status_code  # Any to mypy: starlette types TestClient on httpx2
    return status


def test_a_user_changes_its_password_from_a_sign_in_session(
    ctx: ServiceContext, client: TestClient, user: str, caplog: pytest.LogCaptureFixture
) -> None:
    current = auth.login(ctx, user_id=USER, password=PASSWORD).token
    other_session = auth.login(ctx, user_id=USER, password=PASSWORD).token
    api_token = auth.create_token(ctx, OPERATOR, user_id=USER, label="laptop").token
    before = len(_ledger(ctx))

    with caplog.at_level(logging.DEBUG):
        response = client.post(
            ROUTE,
            json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            headers=_bearer(current),
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"]["id"] == USER
    [other_info] = [
        t for t in auth.list_tokens(ctx, OPERATOR, user_id=USER) if t.state == "revoked"
    ]
    assert body["sessions_revoked"] == [other_info.id]
    # the session it was made from and the API token stay; the other session ends
    assert _states(ctx, current, other_session, api_token) == ["active", "revoked", "active"]
    assert client.get("/api/v1/auth/me", headers=_bearer(current)).json()["user_id"] == USER
    assert client.get("/api/v1/auth/me", headers=_bearer(other_session)).status_code == 401

    assert _sign_in(client, PASSWORD) == 401
    assert _sign_in(client, NEW_PASSWORD) == 200

    entries = _ledger(ctx)[before:]
    assert [(tag, subject) for tag, subject, _ in entries[:2]] == [
        ("auth:user:password-set", f"user/{USER}"),
        ("auth:token:revoked", f"token/{other_info.id}"),
    ]
    assert entries[0][2] == {"user_id": USER, "member_id": "tur", "by_self": True}
    assert entries[1][2]["via"] == "password-set"
    recorded = json.dumps(_ledger(ctx))
    logged = caplog.text
    for secret in (PASSWORD, NEW_PASSWORD, "$argon2", current, other_session, api_token):
        assert secret not in recorded
        assert secret not in logged
    assert ledger.verify(ctx).ok


def test_from_an_api_token_every_sign_in_session_ends_and_api_tokens_stay(
    ctx: ServiceContext, client: TestClient, user: str
) -> None:
    sessions = [auth.login(ctx, user_id=USER, password=PASSWORD).token for _ in range(2)]
    api_token = auth.create_token(ctx, OPERATOR, user_id=USER, label="script").token
    response = client.post(
        ROUTE,
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=_bearer(api_token),
    )
    assert response.status_code == 200
    assert len(response.json()["sessions_revoked"]) == 2
    assert _states(ctx, *sessions, api_token) == ["revoked", "revoked", "active"]


def test_refusals(ctx: ServiceContext, client: TestClient, user: str) -> None:
    token = auth.create_token(ctx, OPERATOR, user_id=USER).token
    bearer = _bearer(token)

    public = client.post(ROUTE, json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert public.status_code == 401

    wrong = client.post(
        ROUTE, json={"current_password": WRONG, "new_password": NEW_PASSWORD}, headers=bearer
    )
    assert wrong.status_code == 403
    assert wrong.json()["error"]["code"] == "E403"
    assert wrong.json()["error"]["details"][0]["loc"] == "current_password"

    short = client.post(
        ROUTE, json={"current_password": PASSWORD, "new_password": "short"}, headers=bearer
    )
    assert short.status_code == 422
    assert short.json()["error"]["details"][0]["loc"] == "new_password"

    same = client.post(
        ROUTE, json={"current_password": PASSWORD, "new_password": PASSWORD}, headers=bearer
    )
    assert same.status_code == 422
    assert "differ" in same.json()["error"]["message"]

    missing = client.post(ROUTE, json={"new_password": NEW_PASSWORD}, headers=bearer)
    assert missing.status_code == 422
    assert NEW_PASSWORD not in missing.text  # a validation error does not echo the input

    assert _sign_in(client, PASSWORD) == 200  # nothing changed


def test_wrong_current_passwords_lock_the_name_like_failed_sign_ins(
    settings: Settings, user: str
) -> None:
    strict = ServiceContext.from_settings(settings.model_copy(update={"login_max_failures": 2}))
    try:
        token = auth.create_token(strict, OPERATOR, user_id=USER).token
        with TestClient(create_app(ctx=strict)) as client:
            for _ in range(2):
                response = client.post(
                    ROUTE,
                    json={"current_password": WRONG, "new_password": NEW_PASSWORD},
                    headers=_bearer(token),
                )
                assert response.status_code == 403
            locked = client.post(
                ROUTE,
                json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
                headers=_bearer(token),
            )
            assert locked.status_code == 429
            assert int(locked.headers["retry-after"]) > 0
            # the name itself is locked: signing in is refused too
            assert _sign_in(client, PASSWORD) == 429
            auth.unlock_user(strict, OPERATOR, USER)
            assert _sign_in(client, PASSWORD) == 200  # the password did not change
    finally:
        strict.dispose()


def test_wrong_current_passwords_count_per_address(settings: Settings, user: str) -> None:
    limited = ServiceContext.from_settings(
        settings.model_copy(update={"login_attempts_per_address_per_minute": 2})
    )
    try:
        token = auth.create_token(limited, OPERATOR, user_id=USER).token
        with TestClient(create_app(ctx=limited)) as client:
            codes = [
                client.post(
                    ROUTE,
                    json={"current_password": WRONG, "new_password": NEW_PASSWORD},
                    headers=_bearer(token),
                ).status_code
                for _ in range(3)
            ]
            assert codes == [403, 403, 429]
    finally:
        limited.dispose()


# --- the web form -------------------------------------------------------------------------


def _web_sign_in(client: TestClient) -> str:
    response = client.post(
        "/login", data={"user_id": USER, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303
    token: str | None = client.cookies.get(SESSION_COOKIE)
    assert token is not None
    return token


def _form(current: str, new: str, again: str | None = None) -> dict[str, str]:
    return {
        "current_password": current,
        "new_password": new,
        "new_password_again": new if again is None else again,
    }


def test_the_form_needs_a_signed_in_user(client: TestClient, user: str) -> None:
    page = client.get("/account/password", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/account/password"
    posted = client.post(
        "/account/password", data=_form(PASSWORD, NEW_PASSWORD), follow_redirects=False
    )
    assert posted.status_code == 303
    assert _sign_in(client, PASSWORD) == 200


def test_the_web_form_changes_the_password_and_keeps_this_session(
    ctx: ServiceContext, user: str
) -> None:
    app = create_app(ctx=ctx)
    with TestClient(app) as browser, TestClient(app) as other_browser:
        mine = _web_sign_in(browser)
        theirs = _web_sign_in(other_browser)
        token = {"csrf_token": csrf.token_for(mine)}
        api_token = auth.create_token(ctx, OPERATOR, user_id=USER).token

        form = browser.get("/account/password")
        assert form.status_code == 200
        assert 'action="/account/password"' in form.text
        assert form.headers["cache-control"] == "no-store"
        assert '<a href="/account/password">account</a>' in browser.get("/").text

        differ = browser.post(
            "/account/password", data={**_form(PASSWORD, NEW_PASSWORD, "typo"), **token}
        )
        assert differ.status_code == 422
        assert "The two new passwords differ." in differ.text
        wrong = browser.post("/account/password", data={**_form(WRONG, NEW_PASSWORD), **token})
        assert wrong.status_code == 403
        assert "The current password is wrong." in wrong.text
        short = browser.post("/account/password", data={**_form(PASSWORD, "short"), **token})
        assert short.status_code == 422
        assert "at least 10 characters" in short.text
        forged = browser.post(
            "/account/password",
            data={**_form(PASSWORD, NEW_PASSWORD), **token},
            headers={"Origin": "https://evil.example"},
        )
        assert forged.status_code == 403
        assert _sign_in(browser, PASSWORD) == 200  # none of them changed it

        unsigned = browser.post("/account/password", data=_form(PASSWORD, NEW_PASSWORD))
        assert unsigned.status_code == 403  # no CSRF token
        done = browser.post(
            "/account/password",
            data={**_form(PASSWORD, NEW_PASSWORD), **token},
            headers={"Origin": "http://testserver"},
            follow_redirects=False,
        )
        assert done.status_code == 303
        assert done.headers["location"] == "/account/password?changed=true"
        assert "Password changed." in browser.get(done.headers["location"]).text
        assert f"signed in as <strong>{USER}</strong>" in browser.get("/").text
        assert "public view" in other_browser.get("/").text
        assert _states(ctx, mine, theirs, api_token) == ["active", "revoked", "active"]
    assert _sign_in(TestClient(app), NEW_PASSWORD) == 200
