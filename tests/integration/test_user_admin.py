"""Disabling, enabling and re-passwording users: who may, what it does to tokens and
sign-ins, the ledger entries (no secrets in them) and their replay by ``ledger verify``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select, update

from ceasefire.access import Viewer
from ceasefire.db.context import ServiceContext
from ceasefire.errors import Forbidden, InvalidInput, NotFound, Unauthorized
from ceasefire.ledger import service as ledger
from ceasefire.ledger.tables import LedgerEntryRow
from ceasefire.members import auth
from ceasefire.members.setup import setup_members
from ceasefire.members.tables import UserRow
from ceasefire.timeutil import utcnow
from tests.factories.members import OPERATOR, PASSWORD, add_user_with_token

USER = "fra-duty"
NEW_PASSWORD = "a new and longer passphrase"


@pytest.fixture
def user(ctx: ServiceContext) -> str:
    setup_members(ctx, demo=True)
    auth.add_user(ctx, OPERATOR, user_id=USER, member_id="fra", password=PASSWORD)
    return USER


def _entries(ctx: ServiceContext, subject: str) -> list[tuple[str, dict[str, Any]]]:
    with ctx.reader() as session:
        rows = session.execute(
            select(LedgerEntryRow.tag, LedgerEntryRow.payload)
            .where(LedgerEntryRow.subject == subject)
            .order_by(LedgerEntryRow.seq)
        ).all()
    return [(tag, json.loads(payload)) for tag, payload in rows]


def test_a_disabled_user_cannot_sign_in_and_its_tokens_are_refused(
    ctx: ServiceContext, user: str
) -> None:
    token = auth.create_token(ctx, OPERATOR, user_id=user, label="laptop").token
    disabled = auth.disable_user(ctx, OPERATOR, user)
    assert disabled.disabled_at is not None
    with pytest.raises(Unauthorized, match="disabled"):
        auth.viewer_for_token(ctx, token)
    with pytest.raises(Unauthorized, match="wrong user name or password"):
        auth.login(ctx, user_id=user, password=PASSWORD)

    again = auth.disable_user(ctx, OPERATOR, user)  # a retry changes nothing
    assert again.disabled_at == disabled.disabled_at

    enabled = auth.enable_user(ctx, OPERATOR, user)
    assert enabled.disabled_at is None
    assert auth.viewer_for_token(ctx, token).user_id == user  # kept, not revoked
    assert auth.login(ctx, user_id=user, password=PASSWORD).info.user_id == user

    tags = [tag for tag, _ in _entries(ctx, f"user/{user}")]
    assert tags == ["auth:user:added", "auth:user:disabled", "auth:user:enabled"]
    assert ledger.verify(ctx).ok


def test_only_an_operator_disables_or_enables(ctx: ServiceContext, user: str) -> None:
    _, monitor_token = add_user_with_token(ctx, "rus")
    monitor = auth.viewer_for_token(ctx, monitor_token)
    with pytest.raises(Forbidden):
        auth.disable_user(ctx, monitor, user)
    with pytest.raises(Forbidden):
        auth.enable_user(ctx, monitor, user)
    with pytest.raises(Unauthorized):
        auth.disable_user(ctx, Viewer.public(), user)
    with pytest.raises(NotFound):
        auth.disable_user(ctx, OPERATOR, "no-such-user")
    assert [tag for tag, _ in _entries(ctx, f"user/{user}")] == ["auth:user:added"]


def test_an_operator_resets_a_password_and_ends_its_sign_in_sessions(
    ctx: ServiceContext, user: str
) -> None:
    session_token = auth.login(ctx, user_id=user, password=PASSWORD).token
    api_token = auth.create_token(ctx, OPERATOR, user_id=user, label="sensor feed").token

    result = auth.set_password(ctx, OPERATOR, user, NEW_PASSWORD)
    assert result.has_password

    with pytest.raises(Unauthorized, match="revoked"):
        auth.viewer_for_token(ctx, session_token)
    assert auth.viewer_for_token(ctx, api_token).user_id == user
    with pytest.raises(Unauthorized):
        auth.login(ctx, user_id=user, password=PASSWORD)
    auth.login(ctx, user_id=user, password=NEW_PASSWORD)

    entries = _entries(ctx, f"user/{user}")
    assert [tag for tag, _ in entries] == ["auth:user:added", "auth:user:password-set"]
    assert entries[1][1] == {"user_id": user, "member_id": "fra", "by_self": False}
    with ctx.reader() as session:
        everything = " ".join(str(p) for p in session.scalars(select(LedgerEntryRow.payload)))
    for secret in (PASSWORD, NEW_PASSWORD, "$argon2", session_token, api_token):
        assert secret not in everything
    assert ledger.verify(ctx).ok


def test_a_password_for_a_token_only_user_is_replayed_by_verify(ctx: ServiceContext) -> None:
    setup_members(ctx, demo=True)
    auth.add_user(ctx, OPERATOR, user_id="feed", member_id="tur")
    assert auth.set_password(ctx, OPERATOR, "feed", NEW_PASSWORD).has_password
    assert ledger.verify(ctx).ok


def test_a_user_changes_its_own_password_with_the_current_one(
    ctx: ServiceContext, user: str
) -> None:
    me = auth.viewer_for_token(ctx, auth.login(ctx, user_id=user, password=PASSWORD).token)
    with pytest.raises(Forbidden, match="current password is wrong"):
        auth.set_password(ctx, me, user, NEW_PASSWORD, current_password="guess guess guess")
    with pytest.raises(Forbidden, match="current password is wrong"):
        auth.set_password(ctx, me, user, NEW_PASSWORD)
    with pytest.raises(InvalidInput) as short:
        auth.set_password(ctx, me, user, "short", current_password=PASSWORD)
    assert short.value.details[0]["loc"] == "password"

    _, other_token = add_user_with_token(ctx, "usa")
    other = auth.viewer_for_token(ctx, other_token)
    with pytest.raises(Forbidden, match="only its own password"):
        auth.set_password(ctx, other, user, NEW_PASSWORD)

    auth.set_password(ctx, me, user, NEW_PASSWORD, current_password=PASSWORD)
    auth.login(ctx, user_id=user, password=NEW_PASSWORD)
    assert _entries(ctx, f"user/{user}")[-1][1]["by_self"] is True


def test_verify_names_a_user_disabled_or_enabled_behind_the_ledger(
    ctx: ServiceContext, user: str
) -> None:
    with ctx.unit_of_work() as session:
        session.execute(update(UserRow).where(UserRow.id == user).values(disabled_at=utcnow()))
    assert _disabled_mismatch(ctx, user)
    with ctx.unit_of_work() as session:
        session.execute(update(UserRow).where(UserRow.id == user).values(disabled_at=None))
    assert ledger.verify(ctx).ok

    auth.disable_user(ctx, OPERATOR, user)
    with ctx.unit_of_work() as session:
        session.execute(update(UserRow).where(UserRow.id == user).values(disabled_at=None))
    assert _disabled_mismatch(ctx, user)


def _disabled_mismatch(ctx: ServiceContext, user: str) -> bool:
    report = ledger.verify(ctx)
    return any(f"users row {user}: disabled differ" in f.message for f in report.findings)
