"""API tokens on the account page (both databases): created with the user's password and
shown once, listed, revoked; never in a URL or a log line; another user's is unknown."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient

from ceasefire.app import create_app
from ceasefire.db.context import ServiceContext
from ceasefire.errors import Unauthorized
from ceasefire.members import auth
from ceasefire.web import csrf
from ceasefire.web.session import DEVICE_COOKIE, SESSION_COOKIE
from tests.factories.members import OPERATOR, PASSWORD, Cast, add_user_with_token
from tests.web.conftest import HTML, Browser


def test_a_user_creates_lists_and_revokes_its_tokens(
    ctx: ServiceContext,
    cast: Cast,
    browsers: dict[str, Browser],
    caplog: pytest.LogCaptureFixture,
) -> None:
    user_id, session = add_user_with_token(ctx, "arm", "arm-officer", password=PASSWORD)
    with TestClient(create_app(ctx=ctx), headers=HTML) as client:
        client.cookies.set(SESSION_COOKIE, session)
        me = Browser(client, csrf.token_for(session))
        page = client.get("/account/password")
        assert 'action="/account/tokens"' in page.text
        form = {"label": "monitoring script", "expires_in_days": "10", "password": PASSWORD}
        viewer = auth.viewer_for_token(ctx, session)
        before = {t.id for t in auth.list_tokens(ctx, viewer)}

        assert me.post("/account/tokens", form, token=False).status_code == 403
        bad = me.post("/account/tokens", {**form, "expires_in_days": "400"})
        assert bad.status_code == 422
        assert 'id="err-expires_in_days"' in bad.text
        assert 'value="monitoring script"' in bad.text
        wrong = me.post("/account/tokens", {**form, "password": "not the password at all"})
        assert wrong.status_code == 403
        assert {t.id for t in auth.list_tokens(ctx, viewer)} == before

        with caplog.at_level(logging.DEBUG):
            made = me.post("/account/tokens", form)
        assert made.status_code == 201, made.text
        secret = re.search(r'id="new-token">([^<]+)<', made.text)
        assert secret is not None
        token = secret.group(1)
        assert "shown this once" in made.text
        assert re.search(r'href="/ledger/\d+"', made.text)
        assert token not in caplog.text
        assert "location" not in made.headers
        assert made.headers["cache-control"] == "no-store"
        # The token works as an API token, and is listed (its secret never again).
        assert auth.viewer_for_token(ctx, token).user_id == user_id
        (new,) = [t for t in auth.list_tokens(ctx, viewer) if t.id not in before]
        assert new.label == "monitoring script"
        listed = client.get("/account/password")
        assert new.id in listed.text
        assert token not in listed.text

        # Another user's token is unknown to this one; its own is revoked.
        other = auth.list_tokens(ctx, cast.viewer(ctx, "tur"))[0]
        assert me.post(f"/account/tokens/{other.id}/revoke", {}).status_code == 404
        assert me.post(f"/account/tokens/{new.id}/revoke", {}, token=False).status_code == 403
        revoked = me.post(f"/account/tokens/{new.id}/revoke", {})
        assert revoked.status_code == 303
        assert re.search(r"done=\d+", revoked.headers["location"])
        (after,) = [t for t in auth.list_tokens(ctx, viewer) if t.id == new.id]
        assert after.state == "revoked"
    assert (
        browsers["public"].client.get("/account/password", follow_redirects=False).status_code
        == 303
    )


def test_an_operator_revokes_another_users_token_on_the_web(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    """What ``DELETE /api/v1/auth/tokens/{id}`` and ``ceasefire token revoke`` let an operator
    do, the account page does too: the other users' active tokens, with their owner, each
    with its revoke form (the same ``auth.revoke_token``); no one else sees them."""
    operator = browsers["operator"]
    (tur_session,) = auth.list_tokens(ctx, cast.viewer(ctx, "tur"))
    page = operator.client.get("/account/password")
    assert page.status_code == 200
    others = page.text[page.text.index('id="all-tokens"') :]
    assert tur_session.id in others
    assert f"<td>{cast.users['tur']}</td>" in others
    assert f'action="/account/tokens/{tur_session.id}/revoke"' in others
    # A monitor sees its own tokens only, and another user's is unknown to it.
    monitor = browsers["rus"].client.get("/account/password").text
    assert 'id="all-tokens"' not in monitor
    assert tur_session.id not in monitor
    assert browsers["rus"].post(f"/account/tokens/{tur_session.id}/revoke", {}).status_code == 404

    forged = operator.post(f"/account/tokens/{tur_session.id}/revoke", {}, token=False)
    assert forged.status_code == 403
    revoked = operator.post(f"/account/tokens/{tur_session.id}/revoke", {})
    assert revoked.status_code == 303
    location = revoked.headers["location"]
    assert location.endswith("#all-tokens")
    (after,) = auth.list_tokens(ctx, OPERATOR, user_id=cast.users["tur"])
    assert after.state == "revoked"
    back = operator.client.get(location)
    shown = back.text[back.text.index('id="all-tokens"') :]
    assert 'id="done"' in shown
    assert tur_session.id not in shown
    # The Turkish monitor's browser is signed out.
    signed_out = browsers["tur"].client.get("/account/password", follow_redirects=False)
    assert signed_out.status_code == 303


def _row_of(page: str, token_id: str) -> str:
    return page.split(f"<code>{token_id}</code>")[1].split("</tr>")[0]


def test_the_sessions_own_token_is_marked_and_ended_by_signing_out(
    ctx: ServiceContext, cast: Cast
) -> None:
    """The account page lists the user's sign-in sessions with its API tokens: the one of
    this very browser is marked "this session" and offers "sign out", not "revoke"; a
    revoke of it all the same (a page left open) signs out, as it says."""
    user_id, session = add_user_with_token(ctx, "centre", "duty-operator", operator=True)
    other_browser = auth.create_token(ctx, OPERATOR, user_id=user_id, label="login").token
    viewer = auth.viewer_for_token(ctx, session)
    ids = {t.id for t in auth.list_tokens(ctx, viewer, user_id=user_id)}
    mine = auth.token_id_of(ctx, session)
    assert mine is not None
    assert ids - {mine}
    (elsewhere,) = ids - {mine}
    assert auth.token_id_of(ctx, other_browser) == elsewhere
    with TestClient(create_app(ctx=ctx), headers=HTML) as client:
        client.cookies.set(SESSION_COOKIE, session)
        me = Browser(client, csrf.token_for(session))
        page = client.get("/account/password?lang=ru").text
        this = _row_of(page, mine)
        assert "(этот сеанс)" in this
        assert 'action="/logout"' in this
        assert "/revoke" not in this
        other = _row_of(page, elsewhere)
        assert "этот сеанс" not in other
        assert f"/account/tokens/{elsewhere}/revoke" in other

        # Another browser's session is revoked as before; this one stays signed in.
        assert me.post(f"/account/tokens/{elsewhere}/revoke", {}).status_code == 303
        assert client.get("/account/password", follow_redirects=False).status_code == 200
        # Revoking this session's own token is a sign-out: to the public dashboard.
        ended = me.post(f"/account/tokens/{mine}/revoke", {})
        assert (ended.status_code, ended.headers["location"]) == (303, "/")
        assert SESSION_COOKIE in ended.headers["set-cookie"]
        assert {t.id: t.state for t in auth.list_tokens(ctx, OPERATOR)}[mine] == "revoked"


def test_minting_on_the_account_page_gives_a_marker_that_passes_the_name_lock(
    ctx: ServiceContext, cast: Cast
) -> None:
    """A token minted with the password leaves a device marker in the browser (never in the
    page); with it, the password check of the next mint is not refused by a lock of the name
    that others' failures caused, without it it is (docs/access.md, "Sign-in throttling")."""
    _, session = add_user_with_token(ctx, "arm", "arm-officer", password=PASSWORD)
    form = {"label": "monitoring script", "expires_in_days": "10", "password": PASSWORD}
    with TestClient(create_app(ctx=ctx), headers=HTML) as client:
        client.cookies.set(SESSION_COOKIE, session)
        me = Browser(client, csrf.token_for(session))
        made = me.post("/account/tokens", form)
        assert made.status_code == 201, made.text
        marker = client.cookies.get(DEVICE_COOKIE)
        assert marker
        assert marker not in made.text
        for _ in range(ctx.settings.login_max_failures):
            with pytest.raises(Unauthorized):
                auth.login(ctx, user_id="arm-officer", password="not the password at all")
        assert me.post("/account/tokens", form).status_code == 201
        client.cookies.delete(DEVICE_COOKIE)
        refused = me.post("/account/tokens", form)
        assert refused.status_code == 429
        assert "set-cookie" not in refused.headers
