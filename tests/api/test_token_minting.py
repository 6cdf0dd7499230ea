"""A token alone cannot mint tokens: ``POST /api/v1/auth/tokens`` needs the user's password.

Otherwise whoever holds a leaked token mints a 366-day token with it, and revoking the leaked
one changes nothing. A wrong password counts as a failed sign-in (of the name and of the
address), as for a password change.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ceasefire.db.context import ServiceContext
from ceasefire.members import auth
from ceasefire.members.setup import setup_members
from tests.factories.members import OPERATOR, PASSWORD

USER = "tur-duty"


@pytest.fixture
def leaked(ctx: ServiceContext) -> str:
    """A token of a user with a password, as a thief would hold it."""
    setup_members(ctx, demo=True)
    auth.add_user(ctx, OPERATOR, user_id=USER, member_id="tur", password=PASSWORD)
    return auth.create_token(ctx, OPERATOR, user_id=USER, label="laptop").token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_leaked_token_cannot_mint_a_token_that_outlives_its_revocation(
    client: TestClient, ctx: ServiceContext, leaked: str
) -> None:
    for body in (
        {"label": "backdoor", "expires_in_days": 366},
        {"label": "backdoor", "password": "a guess at the password"},
    ):
        minted = client.post("/api/v1/auth/tokens", json=body, headers=bearer(leaked))
        assert minted.status_code in {403, 422}, minted.text
        assert "token" not in minted.json()
    (info,) = auth.list_tokens(ctx, OPERATOR, user_id=USER)
    auth.revoke_token(ctx, OPERATOR, info.id)
    assert client.get("/api/v1/auth/me", headers=bearer(leaked)).status_code == 401
    assert [t.state for t in auth.list_tokens(ctx, OPERATOR, user_id=USER)] == ["revoked"]


def test_the_user_mints_a_token_with_its_password(
    client: TestClient, ctx: ServiceContext, leaked: str
) -> None:
    missing = client.post("/api/v1/auth/tokens", json={"label": "x"}, headers=bearer(leaked))
    assert missing.status_code == 422
    assert missing.json()["error"]["details"][0]["loc"] == "password"
    minted = client.post(
        "/api/v1/auth/tokens",
        json={"label": "script", "password": PASSWORD},
        headers=bearer(leaked),
    )
    assert minted.status_code == 201, minted.text
    assert client.get("/api/v1/auth/me", headers=bearer(minted.json()["token"])).status_code == 200
