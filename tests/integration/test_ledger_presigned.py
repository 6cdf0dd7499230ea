"""Member-held keys: registering, rotating and revoking them, and entries a member signs
itself (its key never touches the server) — the signature is the authentication."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from ceasefire.access import Viewer
from ceasefire.actor import Actor
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.errors import Conflict, Forbidden, InvalidInput, Unauthorized
from ceasefire.ledger import service as ledger
from ceasefire.ledger.canonical import canonical_json
from ceasefire.ledger.entry import SignedEntry, build_entry
from ceasefire.ledger.keyfile import load_key_file
from ceasefire.ledger.keys import SigningKey
from ceasefire.ledger.verify import FindingKind
from ceasefire.timeutil import utcnow
from tests.factories.ledger import next_entry, submit_presigned

OPERATOR = Viewer.cli_operator()


TAG = "test:entry:written"  # no area's state checker looks at it


def _signed(ctx: ServiceContext, key: SigningKey, payload: dict[str, object]) -> SignedEntry:
    return next_entry(ctx, key, subject="report/from-member", payload=payload)


@pytest.fixture
def member_key(ctx: ServiceContext, settings: Settings) -> SigningKey:
    with ctx.unit_of_work() as session:
        ledger.ensure_centre_key(session, settings)
    key = SigningKey.generate("arm")
    added = ledger.add_member_key(
        ctx, member_id="arm", public_key=key.public_key_hex, actor=Actor.centre()
    )
    assert (added.key_id, added.custody) == (key.key_id, "member")
    return key


def test_a_presigned_entry_is_appended_and_verifies(
    ctx: ServiceContext, settings: Settings, member_key: SigningKey
) -> None:
    entry = _signed(ctx, member_key, {"report_id": "r1"})
    stored = submit_presigned(ctx, entry)
    assert (stored.seq, stored.entry_hash, stored.member_id) == (
        entry.seq,
        entry.entry_hash,
        "arm",
    )
    assert ledger.verify(ctx).ok
    # The member's private key never reached the server's key file.
    assert load_key_file(settings.key_file).by_id(member_key.key_id) is None


def test_sending_the_same_entry_again_does_not_duplicate_it(
    ctx: ServiceContext, member_key: SigningKey
) -> None:
    entry = _signed(ctx, member_key, {"report_id": "r1"})
    first = submit_presigned(ctx, entry)
    again = submit_presigned(ctx, entry)
    assert again.seq == first.seq
    assert ledger.head(ctx).seq == first.seq


def test_an_entry_built_on_an_old_head_is_a_conflict(
    ctx: ServiceContext, settings: Settings, member_key: SigningKey
) -> None:
    entry = _signed(ctx, member_key, {"report_id": "r1"})
    with ctx.unit_of_work() as session:
        ledger.append(session, settings, tag=TAG, subject="x", payload={}, actor=Actor.centre())
    with pytest.raises(Conflict) as caught:
        submit_presigned(ctx, entry)
    head = ledger.head(ctx)
    assert caught.value.details[0]["head_seq"] == head.seq
    assert caught.value.details[1]["head_hash"] == head.entry_hash
    # Signed again on top of the new head, it goes in.
    assert submit_presigned(ctx, _signed(ctx, member_key, {"report_id": "r1"})).seq == head.seq + 1


def test_a_key_the_ledger_does_not_know_is_refused(
    ctx: ServiceContext, member_key: SigningKey
) -> None:
    del member_key
    stranger = SigningKey.generate("arm")
    with pytest.raises(Unauthorized):
        submit_presigned(ctx, _signed(ctx, stranger, {}))


def test_a_key_of_another_member_is_refused(ctx: ServiceContext, member_key: SigningKey) -> None:
    claiming = SigningKey.from_private("aze", member_key.private_key)
    with pytest.raises(Unauthorized):
        submit_presigned(ctx, _signed(ctx, claiming, {}))


def test_a_bad_signature_is_refused(ctx: ServiceContext, member_key: SigningKey) -> None:
    entry = _signed(ctx, member_key, {})
    with pytest.raises(Unauthorized):
        ledger.append_presigned(
            ctx,
            header=entry.header_bytes.decode(),
            payload=entry.payload_bytes.decode(),
            signature=SigningKey.generate("arm").sign(entry.header_bytes),
        )


def test_a_revoked_member_key_is_refused(ctx: ServiceContext, member_key: SigningKey) -> None:
    # The centre may revoke a member's own key (a stolen key must be stoppable).
    ledger.revoke_key(ctx, key_id=member_key.key_id, actor=Actor.centre(), reason="stolen")
    with pytest.raises(Unauthorized):
        submit_presigned(ctx, _signed(ctx, member_key, {}))


@pytest.mark.parametrize(
    ("field", "header", "payload"),
    [
        ("header", lambda h: h.replace('","', '", "', 1), lambda p: p),
        ("payload", lambda h: h, lambda p: p + " "),
        ("header.payload_sha256", lambda h: h, lambda p: '{"other":1}'),
    ],
)
def test_malformed_submissions_name_the_field(
    ctx: ServiceContext,
    member_key: SigningKey,
    field: str,
    header: Callable[[str], str],
    payload: Callable[[str], str],
) -> None:
    entry = _signed(ctx, member_key, {"a": 1})
    with pytest.raises(InvalidInput) as caught:
        ledger.append_presigned(
            ctx,
            header=header(entry.header_bytes.decode()),
            payload=payload(entry.payload_bytes.decode()),
            signature=entry.signature,
        )
    assert caught.value.details[0]["loc"] == field


def test_members_cannot_write_ledger_entries_themselves(
    ctx: ServiceContext, member_key: SigningKey
) -> None:
    head = ledger.head(ctx)
    entry = build_entry(
        seq=head.seq + 1,
        ts=utcnow(),
        tag="ledger:root:sealed",
        subject="2026-11-27",
        actor_member="arm",
        actor_user=None,
        payload_bytes=b"{}",
        prev=head.entry_hash,
        signer=member_key,
    )
    with pytest.raises(InvalidInput) as caught:
        submit_presigned(ctx, entry)
    assert caught.value.details[0]["loc"] == "header.tag"


@pytest.mark.parametrize(
    "tag",
    [
        "intake:report:received",
        "intake:incident:created",
        "intake:incident:not-a-real-action",
        "agreement:version:loaded",
        "member:role:granted",
        "auth:token:created",
        "fusion:incident:merged",
        "compliance:finding:recorded",
        "alerts:alert:raised",
        "publish:report:generated",
        "news:article:ingested",
    ],
)
def test_a_member_cannot_presign_under_an_areas_tags(
    ctx: ServiceContext, member_key: SigningKey, tag: str
) -> None:
    # An area's entries are written by the server as it changes the area's records, and
    # `ledger verify` replays them against those records: one the member signed itself
    # changes no record, so it would be a state mismatch for everyone. Refused, unwritten.
    head = ledger.head(ctx)
    entry = next_entry(ctx, member_key, tag=tag, subject="incident/forged", payload={"id": "x"})
    with pytest.raises(Forbidden) as caught:
        submit_presigned(ctx, entry)
    assert caught.value.code == "E403"
    assert caught.value.details[0]["loc"] == "header.tag"
    assert ledger.head(ctx).seq == head.seq
    assert ledger.verify(ctx).ok


def test_rotating_a_server_key_ends_the_old_one(ctx: ServiceContext, settings: Settings) -> None:
    with ctx.unit_of_work() as session:
        ledger.append(session, settings, tag=TAG, subject="r", payload={}, actor=Actor("aze"))
    (old,) = ledger.list_keys(ctx, member_id="aze")
    new = ledger.rotate_key(ctx, member_id="aze", actor=Actor.centre())
    keys = {k.key_id: k for k in ledger.list_keys(ctx, member_id="aze")}
    assert keys[old.key_id].end_reason == "rotated"
    assert keys[old.key_id].ended_seq == new.added_seq
    assert new.custody == "server"
    with ctx.unit_of_work() as session:
        seq = ledger.append(session, settings, tag=TAG, subject="r", payload={}, actor=Actor("aze"))
    assert ledger.get_entry(ctx, OPERATOR, seq).key_id == new.key_id
    assert ledger.verify(ctx).ok


def test_only_the_centre_or_the_member_changes_its_keys(
    ctx: ServiceContext, member_key: SigningKey
) -> None:
    with pytest.raises(Forbidden):
        ledger.revoke_key(ctx, key_id=member_key.key_id, actor=Actor("aze"))
    with pytest.raises(Forbidden):
        ledger.add_member_key(
            ctx,
            member_id="arm",
            public_key=SigningKey.generate("arm").public_key_hex,
            actor=Actor("aze"),
        )


def test_the_centres_last_key_cannot_be_revoked(ctx: ServiceContext, settings: Settings) -> None:
    with ctx.unit_of_work() as session:
        key_id = ledger.ensure_centre_key(session, settings)
    with pytest.raises(Conflict):
        ledger.revoke_key(ctx, key_id=key_id, actor=Actor.centre())
    rotated = ledger.rotate_key(ctx, member_id="centre", actor=Actor.centre())
    with ctx.unit_of_work() as session:
        assert ledger.ensure_centre_key(session, settings) == rotated.key_id
    assert ledger.verify(ctx).ok


def test_a_bad_public_key_names_the_field(ctx: ServiceContext) -> None:
    with pytest.raises(InvalidInput) as caught:
        ledger.add_member_key(ctx, member_id="arm", public_key="abc", actor=Actor.centre())
    assert caught.value.details[0]["loc"] == "public_key"


def test_revoking_by_the_member_itself_is_recorded_and_verifies(
    ctx: ServiceContext, settings: Settings, member_key: SigningKey
) -> None:
    # arm holds its own keys: the server cannot sign arm's revocation for it (that would
    # need a server-held key of arm) ...
    with pytest.raises(Forbidden, match="holds its own signing keys"):
        ledger.revoke_key(ctx, key_id=member_key.key_id, actor=Actor("arm"))
    # ... so arm signs it itself and the server stores it.
    head = ledger.head(ctx)
    payload = {"key_id": member_key.key_id, "member_id": "arm", "reason": "retired"}
    signed = build_entry(
        seq=head.seq + 1,
        ts=utcnow(),
        tag="ledger:key:revoked",
        subject=member_key.key_id,
        actor_member="arm",
        actor_user=None,
        payload_bytes=canonical_json(payload),
        prev=head.entry_hash,
        signer=member_key,
    )
    stored = submit_presigned(ctx, signed)
    entry = ledger.get_entry(ctx, OPERATOR, stored.seq)
    assert (entry.tag, entry.member_id) == ("ledger:key:revoked", "arm")
    assert json.loads(entry.payload_canonical or "")["key_id"] == member_key.key_id
    (key,) = ledger.list_keys(ctx, member_id="arm")
    assert key.ended_seq == stored.seq
    assert ledger.verify(ctx).ok
    del settings


def test_verify_reports_an_unauthorised_key_entry_written_in_sql(
    ctx: ServiceContext, member_key: SigningKey
) -> None:
    # A member key signing a key entry for another member is not a valid key change.
    from tests.factories.ledger import insert_entry

    head = ledger.head(ctx)
    rogue = SigningKey.generate("aze")
    payload = {
        "key_id": rogue.key_id,
        "member_id": "aze",
        "algorithm": "ed25519",
        "public_key": rogue.public_key_hex,
        "custody": "member",
    }
    entry = build_entry(
        seq=head.seq + 1,
        ts=utcnow(),
        tag="ledger:key:added",
        subject=rogue.key_id,
        actor_member="arm",
        actor_user=None,
        payload_bytes=canonical_json(payload),
        prev=head.entry_hash,
        signer=member_key,
    )
    with ctx.unit_of_work() as session:
        insert_entry(session, entry)
    first = ledger.verify(ctx).first_bad
    assert first is not None
    assert (first.seq, first.kind) == (entry.seq, FindingKind.KEY_ENTRY_INVALID)
