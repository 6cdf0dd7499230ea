"""Tampering with the database behind the application's back is detected, and the first
bad entry is named — on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from ceasefire.access import Viewer
from ceasefire.actor import Actor
from ceasefire.agreements import service as agreements
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.errors import WordedText
from ceasefire.i18n import translations
from ceasefire.ledger import service as ledger
from ceasefire.ledger.canonical import canonical_json
from ceasefire.ledger.entry import build_entry
from ceasefire.ledger.keyfile import load_key_file
from ceasefire.ledger.keys import SigningKey
from ceasefire.ledger.verify import FindingKind
from tests.factories.ledger import insert_entry

OPERATOR = Viewer.cli_operator()

TAG = "test:entry:written"  # no area's state checker looks at it


@dataclass
class Record:
    """A small but real record: the 2020 agreement loaded, then reports by two members."""

    arm_seqs: list[int]
    aze_seqs: list[int]


@pytest.fixture
def record(ctx: ServiceContext, settings: Settings) -> Record:
    agreements.load_shipped(ctx)
    arm, aze = [], []
    for n in range(3):
        with ctx.unit_of_work() as session:
            arm.append(
                ledger.append(
                    session,
                    settings,
                    tag=TAG,
                    subject=f"report/arm-{n}",
                    payload={"report_id": f"arm-{n}", "status": "received", "n": n},
                    actor=Actor("arm", "arm-user"),
                )
            )
            aze.append(
                ledger.append(
                    session,
                    settings,
                    tag=TAG,
                    subject=f"report/aze-{n}",
                    payload={"report_id": f"aze-{n}", "status": "received", "n": n},
                    actor=Actor("aze", "aze-user"),
                )
            )
    assert ledger.verify(ctx).ok
    return Record(arm, aze)


def _sql(ctx: ServiceContext, statement: str, **params: object) -> None:
    with ctx.engine.begin() as conn:
        conn.execute(text(statement), params)


def _first_bad(ctx: ServiceContext) -> tuple[int | None, FindingKind]:
    result = ledger.verify(ctx)
    assert not result.ok
    first = result.first_bad
    assert first is not None
    return first.seq, first.kind


def _server_key(settings: Settings, member: str) -> SigningKey:
    keys = load_key_file(settings.key_file).for_member(member)
    assert keys, f"no key of {member} in the key file"
    return keys[0]


def _shown(message: str, lang: str) -> str:
    """A finding's message as ``ledger verify --lang`` shows it."""
    assert isinstance(message, WordedText), message
    return message.shown(translations(lang).gettext)


def test_changing_one_payload_field(ctx: ServiceContext, record: Record) -> None:
    seq = record.arm_seqs[1]
    _sql(
        ctx,
        "UPDATE ledger_entries SET payload = replace(payload, '\"received\"', '\"withdrawn\"')"
        " WHERE seq = :seq",
        seq=seq,
    )
    assert _first_bad(ctx) == (seq, FindingKind.PAYLOAD_CHANGED)


def test_deleting_an_entry(ctx: ServiceContext, record: Record) -> None:
    seq = record.aze_seqs[0]
    _sql(ctx, "DELETE FROM ledger_entries WHERE seq = :seq", seq=seq)
    assert _first_bad(ctx) == (seq, FindingKind.ENTRY_MISSING)


def test_swapping_two_entries(ctx: ServiceContext, record: Record) -> None:
    first, second = record.arm_seqs[1], record.aze_seqs[2]
    _sql(ctx, "UPDATE ledger_entries SET seq = -1 WHERE seq = :a", a=first)
    _sql(ctx, "UPDATE ledger_entries SET seq = :a WHERE seq = :b", a=first, b=second)
    _sql(ctx, "UPDATE ledger_entries SET seq = :b WHERE seq = -1", b=second)
    assert _first_bad(ctx) == (first, FindingKind.ORDER_CHANGED)


def test_replacing_a_signature_with_one_by_another_members_key(
    ctx: ServiceContext, settings: Settings, record: Record
) -> None:
    seq = record.arm_seqs[2]
    entry = ledger.get_entry(ctx, OPERATOR, seq)
    forged = _server_key(settings, "aze").sign(entry.header.encode())
    _sql(ctx, "UPDATE ledger_entries SET signature = :s WHERE seq = :seq", s=forged, seq=seq)
    assert _first_bad(ctx) == (seq, FindingKind.SIGNATURE_INVALID)


def test_signing_with_a_key_after_its_revocation(
    ctx: ServiceContext, settings: Settings, record: Record
) -> None:
    arm_key = _server_key(settings, "arm")
    revoked = ledger.revoke_key(ctx, key_id=arm_key.key_id, actor=Actor.centre(), reason="lost")
    assert revoked.ended_seq is not None
    # Whoever kept the revoked key writes an entry with it, chained correctly on the head.
    head = ledger.head(ctx)
    entry = build_entry(
        seq=head.seq + 1,
        ts=datetime.now(UTC),
        tag=TAG,
        subject="report/arm-late",
        actor_member="arm",
        actor_user="arm-user",
        payload_bytes=canonical_json({"report_id": "arm-late"}),
        prev=head.entry_hash,
        signer=arm_key,
    )
    with ctx.unit_of_work() as session:
        insert_entry(session, entry)
    seq, kind = _first_bad(ctx)
    assert (seq, kind) == (entry.seq, FindingKind.KEY_NOT_VALID)
    message = ledger.verify(ctx).first_bad
    assert message is not None
    assert f"revoked at seq {revoked.ended_seq}" in message.message


def test_after_a_revocation_the_server_signs_with_a_new_key(
    ctx: ServiceContext, settings: Settings, record: Record
) -> None:
    old = _server_key(settings, "arm")
    ledger.revoke_key(ctx, key_id=old.key_id, actor=Actor.centre())
    with ctx.unit_of_work() as session:
        ledger.append(session, settings, tag=TAG, subject="r", payload={}, actor=Actor("arm"))
    assert _server_key(settings, "arm").key_id != old.key_id
    assert ledger.verify(ctx).ok


def test_editing_a_provision_status_row_without_a_ledger_entry(
    ctx: ServiceContext, record: Record
) -> None:
    del record
    with ctx.engine.connect() as conn:
        row_id, seq = conn.execute(
            text("SELECT id, ledger_seq FROM provision_status_changes ORDER BY id LIMIT 1")
        ).one()
    _sql(ctx, "UPDATE provision_status_changes SET status = 'breached' WHERE id = :i", i=row_id)
    result = ledger.verify(ctx)
    assert result.chain.ok  # the chain itself is intact ...
    assert not result.ok  # ... but the table no longer says what the ledger says
    first = result.first_bad
    assert first is not None
    assert (first.seq, first.kind) == (seq, FindingKind.STATE_MISMATCH)
    assert "status" in first.message
    assert "'breached'" in first.message
    # In the CLI's language too (``ledger verify --lang ru``); the English above for --json.
    said = _shown(first.message, "ru")
    assert "расходятся с записью журнала" in said, said
    assert "'breached'" in said
    assert "differ" not in _shown(first.message, "tr")


def test_deleting_a_provision_status_row(ctx: ServiceContext, record: Record) -> None:
    del record
    with ctx.engine.connect() as conn:
        row_id, seq = conn.execute(
            text("SELECT id, ledger_seq FROM provision_status_changes ORDER BY id LIMIT 1")
        ).one()
    _sql(ctx, "DELETE FROM provision_status_changes WHERE id = :i", i=row_id)
    result = ledger.verify(ctx)
    assert [(f.seq, f.kind) for f in result.findings] == [(seq, FindingKind.STATE_MISMATCH)]
    assert "deleted" in result.findings[0].message
    assert "строка удалена" in _shown(result.findings[0].message, "ru")
    assert "satır silinmiş" in _shown(result.findings[0].message, "tr")


def test_editing_an_indexed_column_beside_the_header(ctx: ServiceContext, record: Record) -> None:
    seq = record.aze_seqs[1]
    _sql(ctx, "UPDATE ledger_entries SET subject = 'report/other' WHERE seq = :seq", seq=seq)
    assert _first_bad(ctx) == (seq, FindingKind.ENTRY_CHANGED)


def test_editing_the_key_projection(
    ctx: ServiceContext, settings: Settings, record: Record
) -> None:
    del record
    key_id = _server_key(settings, "aze").key_id
    _sql(ctx, "UPDATE ledger_keys SET member_id = 'arm' WHERE key_id = :k", k=key_id)
    result = ledger.verify(ctx)
    assert result.chain.ok
    assert [f.kind for f in result.findings] == [FindingKind.STATE_MISMATCH]
    assert key_id in result.findings[0].message
    said = _shown(result.findings[0].message, "ru")
    assert f"строка ledger_keys ключа {key_id} расходится" in said, said
