"""A member that holds its own signing key: the server cannot write in its name (issue 12).

The server (or whoever has its database and key file) tries every way to produce an entry
that verifies as the member's: signing with the member's old server-held key, vouching with
the centre's key for a new server-held key of the member, or for a key it labels as the
member's own. ``ledger verify`` rejects each; the service refuses to sign for the member at
all; the member's own pre-signed entries, key rotation included, verify.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ceasefire.actor import Actor
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.errors import Forbidden, IntegrityError, Unauthorized
from ceasefire.ledger import service as ledger
from ceasefire.ledger import witness as ledger_witness
from ceasefire.ledger.entry import SignedEntry
from ceasefire.ledger.keyfile import load_key_file
from ceasefire.ledger.keys import SigningKey
from ceasefire.ledger.tables import LedgerKeyRow
from ceasefire.ledger.verify import FindingKind
from ceasefire.timeutil import utcnow
from tests.factories.ledger import insert_entry, next_entry, submit_presigned

TAG = "test:entry:written"


def _forge(ctx: ServiceContext, entry: SignedEntry) -> None:
    """Write an entry straight into the table, as the operator of the database could."""
    with ctx.unit_of_work() as session:
        insert_entry(session, entry)


@pytest.fixture
def arm_key(ctx: ServiceContext, settings: Settings) -> SigningKey:
    """arm acted through the server first (a server-held key), then registered its own."""
    with ctx.unit_of_work() as session:
        ledger.append(session, settings, tag=TAG, subject="before", payload={}, actor=Actor("arm"))
    key = SigningKey.generate("arm")
    ledger.add_member_key(ctx, member_id="arm", public_key=key.public_key_hex, actor=Actor.centre())
    return key


def _server_key(settings: Settings, member: str) -> SigningKey:
    (stored,) = load_key_file(settings.key_file).for_member(member)
    return stored


def test_registering_its_own_key_ends_the_members_server_keys(
    ctx: ServiceContext, settings: Settings, arm_key: SigningKey
) -> None:
    keys = {k.key_id: k for k in ledger.list_keys(ctx, member_id="arm")}
    server = _server_key(settings, "arm")
    assert keys[server.key_id].ended_seq is not None
    assert keys[arm_key.key_id].custody == "member"
    assert keys[arm_key.key_id].ended_seq is None
    # The server refuses to sign anything in arm's name from now on.
    with ctx.unit_of_work() as session, pytest.raises(Forbidden, match="holds its own"):
        ledger.append(session, settings, tag=TAG, subject="s", payload={}, actor=Actor("arm"))
    with pytest.raises(Forbidden):
        ledger.add_member_key(
            ctx,
            member_id="arm",
            public_key=SigningKey.generate("arm").public_key_hex,
            actor=Actor.centre(),
        )
    with pytest.raises(Forbidden):
        ledger.rotate_key(ctx, member_id="arm", actor=Actor.centre())
    # arm's own entries go in and verify; other members are unaffected.
    submit_presigned(ctx, next_entry(ctx, arm_key, member="arm"))
    with ctx.unit_of_work() as session:
        ledger.append(session, settings, tag=TAG, subject="s", payload={}, actor=Actor("aze"))
    assert ledger.verify(ctx).ok


def test_the_servers_old_key_of_the_member_forges_nothing(
    ctx: ServiceContext, settings: Settings, arm_key: SigningKey
) -> None:
    del arm_key
    _forge(ctx, next_entry(ctx, _server_key(settings, "arm"), member="arm"))
    result = ledger.verify(ctx, check_state=False)
    assert not result.ok
    assert result.first_bad is not None
    assert result.first_bad.kind is FindingKind.KEY_NOT_VALID


@pytest.mark.parametrize("custody", ["server", "member"])
def test_the_centre_cannot_vouch_for_a_new_key_of_the_member(
    ctx: ServiceContext, settings: Settings, arm_key: SigningKey, custody: str
) -> None:
    """Even a key the server labels as the member's own ("member" custody) is refused when
    the centre vouches for it: only arm's own key may add one."""
    del arm_key
    centre = _server_key(settings, "centre")
    forged_key = SigningKey.generate("arm")
    payload = {
        "key_id": forged_key.key_id,
        "member_id": "arm",
        "algorithm": "ed25519",
        "public_key": forged_key.public_key_hex,
        "custody": custody,
    }
    _forge(
        ctx,
        next_entry(
            ctx,
            centre,
            member="centre",
            tag="ledger:key:added",
            subject=forged_key.key_id,
            payload=payload,
        ),
    )
    forged = next_entry(ctx, forged_key, member="arm")
    _forge(ctx, forged)
    result = ledger.verify(ctx, check_state=False)
    found = {(f.seq, f.kind) for f in result.chain.findings}
    assert (forged.seq - 1, FindingKind.KEY_ENTRY_INVALID) in found
    assert (forged.seq, FindingKind.KEY_NOT_VALID) in found
    assert result.first_bad is not None
    assert "holds its own keys" in result.first_bad.message


def test_the_member_rotates_its_own_key_with_a_presigned_entry(
    ctx: ServiceContext, settings: Settings, arm_key: SigningKey
) -> None:
    new_key = SigningKey.generate("arm")
    rotation = next_entry(
        ctx,
        arm_key,
        member="arm",
        tag="ledger:key:rotated",
        subject=new_key.key_id,
        payload={
            "key_id": new_key.key_id,
            "member_id": "arm",
            "algorithm": "ed25519",
            "public_key": new_key.public_key_hex,
            "custody": "member",
            "replaces": arm_key.key_id,
        },
    )
    stored = submit_presigned(ctx, rotation)
    keys = {k.key_id: k for k in ledger.list_keys(ctx, member_id="arm")}
    assert keys[arm_key.key_id].ended_seq == stored.seq
    assert keys[new_key.key_id].added_seq == stored.seq
    submit_presigned(ctx, next_entry(ctx, new_key, member="arm"))
    assert ledger.verify(ctx).ok
    # The old key no longer signs.
    with pytest.raises(Unauthorized):
        submit_presigned(ctx, next_entry(ctx, arm_key, member="arm"))
    # A member cannot pre-sign a key entry for another member.
    other = SigningKey.generate("aze")
    for_aze = next_entry(
        ctx,
        new_key,
        member="arm",
        tag="ledger:key:added",
        subject=other.key_id,
        payload={
            "key_id": other.key_id,
            "member_id": "aze",
            "algorithm": "ed25519",
            "public_key": other.public_key_hex,
            "custody": "member",
        },
    )
    with pytest.raises(Forbidden):
        submit_presigned(ctx, for_aze)
    assert ledger.verify(ctx).ok


def test_the_members_witness_sees_a_key_it_did_not_make(
    ctx: ServiceContext, settings: Settings, arm_key: SigningKey, tmp_path: Path
) -> None:
    """arm's witness knows its own key ids: a valid key of arm it did not make (here planted
    in the key table behind the server's back) is named; its own revoked key is reported."""
    source = ledger_witness.DatabaseSource(ctx)
    state = tmp_path / "arm-witness"
    seen = ledger_witness.witness(source, state, member_id="arm", own_keys={arm_key.key_id})
    assert seen.member_keys is not None
    assert seen.member_keys.valid == [arm_key.key_id]
    planted = SigningKey.generate("arm")
    with ctx.unit_of_work() as session:
        session.add(
            LedgerKeyRow(
                key_id=planted.key_id,
                member_id="arm",
                algorithm="ed25519",
                public_key=planted.public_key_hex,
                custody="server",
                valid_from=utcnow(),
                added_seq=1,
            )
        )
    with pytest.raises(IntegrityError) as caught:
        ledger_witness.witness(source, state, member_id="arm", own_keys={arm_key.key_id})
    assert caught.value.details["kind"] == "foreign_key"
    assert planted.key_id in caught.value.message
