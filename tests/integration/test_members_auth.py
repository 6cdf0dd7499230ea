"""Users, passwords and tokens through the services: lifecycle, who may do what, and that
no token ever reaches the database or the ledger in clear."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text, update

from ceasefire.access import Role, Viewer
from ceasefire.db.context import ServiceContext
from ceasefire.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from ceasefire.ledger.tables import LedgerEntryRow
from ceasefire.members import auth
from ceasefire.members.setup import setup_members
from ceasefire.members.tables import ApiTokenRow, UserRow
from tests.factories.members import OPERATOR, PASSWORD, add_user_with_token, demo_cast


def _expire(ctx: ServiceContext, token_id: str) -> None:
    with ctx.unit_of_work() as session:
        session.execute(
            update(ApiTokenRow)
            .where(ApiTokenRow.id == token_id)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )


def _token_id(ctx: ServiceContext, token: str) -> str:
    with ctx.reader() as session:
        row = session.scalars(
            select(ApiTokenRow).where(ApiTokenRow.token_hash == auth.hash_token(token))
        ).one()
        return row.id


def test_token_lifecycle_create_use_expire_revoke(ctx: ServiceContext) -> None:
    cast = demo_cast(ctx)
    viewer = auth.viewer_for_token(ctx, cast.tokens["arm"])
    assert (viewer.member_id, viewer.user_id, viewer.role, viewer.party) == (
        "arm",
        "arm-user",
        Role.PARTY_LIAISON,
        "ARM",
    )
    token_id = _token_id(ctx, cast.tokens["arm"])
    listed = auth.list_tokens(ctx, OPERATOR, user_id="arm-user")
    assert [(t.id, t.state) for t in listed] == [(token_id, "active")]
    assert listed[0].last_used_at is not None

    revoked = auth.revoke_token(ctx, OPERATOR, token_id)
    assert revoked.state == "revoked"
    assert auth.revoke_token(ctx, OPERATOR, token_id).revoked_at == revoked.revoked_at
    with pytest.raises(Unauthorized, match="revoked"):
        auth.viewer_for_token(ctx, cast.tokens["arm"])

    _expire(ctx, _token_id(ctx, cast.tokens["aze"]))
    with pytest.raises(Unauthorized, match="expired"):
        auth.viewer_for_token(ctx, cast.tokens["aze"])
    with pytest.raises(Unauthorized, match="invalid"):
        auth.viewer_for_token(ctx, "cft_not-a-token")


def test_tokens_are_stored_hashed_and_never_ledgered(ctx: ServiceContext) -> None:
    setup_members(ctx, demo=True)
    _, token = add_user_with_token(ctx, "tur")
    token_id = _token_id(ctx, token)
    auth.revoke_token(ctx, OPERATOR, token_id)
    with ctx.reader() as session:
        dump = " ".join(
            str(value)
            for table in ("api_tokens", "users", "ledger_entries")
            for row in session.execute(text(f"SELECT * FROM {table}"))
            for value in row
        )
        tags = list(
            session.scalars(
                select(LedgerEntryRow.tag).where(LedgerEntryRow.subject == f"token/{token_id}")
            )
        )
    assert token not in dump
    assert token[len(auth.TOKEN_PREFIX) :] not in dump
    assert auth.hash_token(token) in dump
    assert tags == ["auth:token:created", "auth:token:revoked"]


def test_users_create_tokens_only_for_themselves(ctx: ServiceContext) -> None:
    cast = demo_cast(ctx)
    auth.set_password(ctx, OPERATOR, "tur-user", PASSWORD)
    tur = cast.viewer(ctx, "tur")
    own = auth.create_token(ctx, tur, user_id="tur-user", label="laptop", password=PASSWORD)
    assert own.info.user_id == "tur-user"
    with pytest.raises(Forbidden):
        auth.create_token(ctx, tur, user_id="rus-user", password=PASSWORD)
    with pytest.raises(Forbidden):
        auth.create_token(ctx, tur, user_id="tur-user", expires_in=None, password=PASSWORD)
    with pytest.raises(Unauthorized):
        auth.create_token(ctx, Viewer.public(), user_id="tur-user")
    with pytest.raises(InvalidInput) as exc:
        auth.create_token(
            ctx, tur, user_id="tur-user", expires_in=timedelta(days=400), password=PASSWORD
        )
    assert exc.value.details[0]["loc"] == "expires_at"
    # a user sees and revokes only its own tokens
    assert {t.user_id for t in auth.list_tokens(ctx, tur)} == {"tur-user"}
    with pytest.raises(Forbidden):
        auth.list_tokens(ctx, tur, user_id="rus-user")
    rus_token = _token_id(ctx, cast.tokens["rus"])
    with pytest.raises(NotFound):
        auth.revoke_token(ctx, tur, rus_token)
    assert auth.revoke_token(ctx, tur, own.info.id).state == "revoked"
    # an operator may create a never-expiring token (for a sensor feed)
    forever = auth.create_token(ctx, OPERATOR, user_id="tur-user", expires_in=None)
    assert forever.info.expires_at is None


def test_only_operators_add_users(ctx: ServiceContext) -> None:
    cast = demo_cast(ctx)
    with pytest.raises(Forbidden):
        auth.add_user(ctx, cast.viewer(ctx, "rus"), user_id="rus-two", member_id="rus")
    with pytest.raises(Conflict):
        auth.add_user(ctx, OPERATOR, user_id="rus-user", member_id="rus")
    with pytest.raises(NotFound) as not_found:
        auth.add_user(ctx, OPERATOR, user_id="nobody-user", member_id="nobody")
    assert not_found.value.details[0]["loc"] == "member_id"
    with pytest.raises(InvalidInput) as invalid:
        auth.add_user(ctx, OPERATOR, user_id="rus-two", member_id="rus", password="short")
    assert invalid.value.details[0]["loc"] == "password"
    assert {u.id for u in auth.list_users(ctx, cast.viewer(ctx, "rus"))} == {"rus-user"}


def test_login_with_password(ctx: ServiceContext) -> None:
    setup_members(ctx, demo=True)
    auth.add_user(ctx, OPERATOR, user_id="fra-claire", member_id="fra", password=PASSWORD)
    issued = auth.login(ctx, user_id="fra-claire", password=PASSWORD)
    assert issued.info.label == "login"
    assert issued.info.expires_at is not None
    assert issued.info.expires_at - datetime.now(UTC) <= auth.LOGIN_TOKEN_TTL
    viewer = auth.viewer_for_token(ctx, issued.token)
    assert (viewer.member_id, viewer.role) == ("fra", Role.OBSERVER)
    with pytest.raises(Unauthorized) as wrong:
        auth.login(ctx, user_id="fra-claire", password=PASSWORD + "x")
    with pytest.raises(Unauthorized) as unknown:
        auth.login(ctx, user_id="nobody", password=PASSWORD)
    # the same message either way: no hint which user names exist
    assert wrong.value.message == unknown.value.message
    with ctx.reader() as session:
        user = session.get(UserRow, "fra-claire")
        assert user is not None
        assert user.password_hash is not None
        assert user.password_hash.startswith("$argon2id$")


def test_disabled_user_cannot_use_its_tokens(ctx: ServiceContext) -> None:
    setup_members(ctx, demo=True)
    _, token = add_user_with_token(ctx, "usa")
    with ctx.unit_of_work() as session:
        session.execute(
            update(UserRow).where(UserRow.id == "usa-user").values(disabled_at=datetime.now(UTC))
        )
    with pytest.raises(Unauthorized):
        auth.viewer_for_token(ctx, token)


def test_operator_user_reads_as_operator(ctx: ServiceContext) -> None:
    setup_members(ctx, demo=False)
    _, token = add_user_with_token(ctx, "centre", "duty-operator", operator=True)
    viewer = auth.viewer_for_token(ctx, token)
    assert viewer.operator
    assert viewer.member_id == "centre"
