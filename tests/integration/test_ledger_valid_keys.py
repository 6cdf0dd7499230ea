"""Which of a member's keys are still valid (``ledger.custody.valid_keys``) decides what a
rotation replaces and whether the centre's key may be revoked."""

from __future__ import annotations

import pytest

from ceasefire.actor import Actor
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.errors import Conflict, NotFound
from ceasefire.ledger import service as ledger
from ceasefire.ledger.keys import CENTRE_MEMBER_ID

TAG = "test:entry:written"


def _valid(ctx: ServiceContext, member_id: str) -> list[str]:
    return [k.key_id for k in ledger.list_keys(ctx, member_id=member_id) if k.ended_seq is None]


def test_the_centres_only_valid_key_is_not_revoked(ctx: ServiceContext, settings: Settings) -> None:
    with ctx.unit_of_work() as session:
        ledger.append(session, settings, tag=TAG, subject="s", payload={}, actor=Actor.centre())
    (only,) = _valid(ctx, CENTRE_MEMBER_ID)
    with pytest.raises(Conflict, match="only valid key"):
        ledger.revoke_key(ctx, key_id=only, actor=Actor.centre())
    assert _valid(ctx, CENTRE_MEMBER_ID) == [only]


def test_a_rotation_replaces_a_valid_key_never_an_ended_one(
    ctx: ServiceContext, settings: Settings
) -> None:
    with ctx.unit_of_work() as session:
        ledger.append(session, settings, tag=TAG, subject="s", payload={}, actor=Actor("arm"))
    (first,) = _valid(ctx, "arm")
    second = ledger.rotate_key(ctx, member_id="arm", actor=Actor.centre())
    assert _valid(ctx, "arm") == [second.key_id]
    with pytest.raises(NotFound, match="no valid key"):
        ledger.rotate_key(ctx, member_id="arm", actor=Actor.centre(), key_id=first)
    third = ledger.rotate_key(ctx, member_id="arm", actor=Actor("arm"), key_id=second.key_id)
    assert _valid(ctx, "arm") == [third.key_id]
