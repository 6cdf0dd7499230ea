"""Daily Merkle roots: a closed day is sealed by an entry, and proofs verify against it."""

from __future__ import annotations

from datetime import timedelta

from ceasefire.access import Viewer
from ceasefire.actor import Actor
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.errors import WordedText
from ceasefire.i18n import translations
from ceasefire.ledger import service as ledger
from ceasefire.ledger.keyfile import add_key
from ceasefire.ledger.merkle import verify_inclusion
from ceasefire.ledger.verify import FindingKind
from ceasefire.timeutil import utcnow
from tests.factories.ledger import ChainBuilder, insert_chain

OPERATOR = Viewer.cli_operator()

TAG = "test:entry:written"  # no area's state checker looks at it


def _yesterdays_ledger(ctx: ServiceContext, settings: Settings) -> ChainBuilder:
    """A ledger whose entries were all written two days ago (the server's key file too)."""
    start = (utcnow() - timedelta(days=2)).replace(hour=9, minute=0)
    chain = ChainBuilder(clock=start, step=timedelta(minutes=3))
    for n in range(6):
        chain.append(TAG, f"report/{n}", {"n": n}, chain.centre, user="operator")
    add_key(settings.key_file, chain.centre, created_at=start)
    with ctx.unit_of_work() as session:
        insert_chain(session, chain)
    return chain


def test_the_first_append_of_a_new_day_seals_the_previous_day(
    ctx: ServiceContext, settings: Settings
) -> None:
    chain = _yesterdays_ledger(ctx, settings)
    with ctx.unit_of_work() as session:
        seq = ledger.append(
            session, settings, tag=TAG, subject="r", payload={}, actor=Actor.centre()
        )
    (root,) = ledger.list_roots(ctx)
    assert (root.first_seq, root.last_seq, root.count) == (1, 7, 7)
    assert root.sealed_seq == seq - 1
    sealed = ledger.get_entry(ctx, OPERATOR, root.sealed_seq)
    assert sealed.tag == "ledger:root:sealed"
    assert sealed.payload["root"] == root.root
    assert root.day == chain.instants[0].date()
    assert ledger.verify(ctx).ok


def test_seal_closes_the_last_day_without_a_new_entry(
    ctx: ServiceContext, settings: Settings
) -> None:
    _yesterdays_ledger(ctx, settings)
    assert len(ledger.seal_closed_days(ctx)) == 1
    assert ledger.seal_closed_days(ctx) == []  # idempotent
    assert len(ledger.list_roots(ctx)) == 1
    assert ledger.verify(ctx).ok


def test_a_proof_verifies_against_the_published_root_alone(
    ctx: ServiceContext, settings: Settings
) -> None:
    _yesterdays_ledger(ctx, settings)
    ledger.seal_closed_days(ctx)
    (root,) = ledger.list_roots(ctx)
    for seq in (1, 4, 7):
        document = ledger.entry_proof(ctx, OPERATOR, seq)
        proof = document.proof
        assert proof.provisional is False
        assert proof.root_seq == root.sealed_seq
        assert verify_inclusion(
            proof.entry_hash, proof.leaf_index, proof.tree_size, proof.path, root.root
        )
        assert ledger.check_proof(document, root=root.root).ok is True
    # Against any other root it fails.
    assert ledger.check_proof(ledger.entry_proof(ctx, OPERATOR, 4), root="00" * 32).ok is False


def test_a_proof_of_todays_entry_is_provisional(ctx: ServiceContext, settings: Settings) -> None:
    with ctx.unit_of_work() as session:
        seq = ledger.append(
            session, settings, tag=TAG, subject="r", payload={}, actor=Actor.centre()
        )
    document = ledger.entry_proof(ctx, OPERATOR, seq)
    assert document.proof.provisional is True
    assert ledger.check_proof(document).ok is True


def test_a_tampered_entry_breaks_its_proof(ctx: ServiceContext, settings: Settings) -> None:
    _yesterdays_ledger(ctx, settings)
    ledger.seal_closed_days(ctx)
    document = ledger.entry_proof(ctx, OPERATOR, 3)
    document.entry.payload = '{"n":99}'
    result = ledger.check_proof(document)
    assert result.ok is False
    assert "payload" in result.problems[0]


def test_editing_a_sealed_root_row_is_a_state_finding(
    ctx: ServiceContext, settings: Settings
) -> None:
    from sqlalchemy import text

    _yesterdays_ledger(ctx, settings)
    ledger.seal_closed_days(ctx)
    with ctx.engine.begin() as conn:
        conn.execute(text("UPDATE ledger_roots SET root = :r"), {"r": "ab" * 32})
    result = ledger.verify(ctx)
    assert result.chain.ok
    assert [f.kind for f in result.findings] == [FindingKind.STATE_MISMATCH]
    # Its details in the reader's language too; the API's and --json's English unchanged.
    message = result.findings[0].message
    assert message.endswith(" differs from its sealed root")
    assert isinstance(message, WordedText)
    said = message.shown(translations("ru").gettext)
    assert "отличается от запечатанного корня" in said, said
    assert "differs" not in message.shown(translations("tr").gettext)
