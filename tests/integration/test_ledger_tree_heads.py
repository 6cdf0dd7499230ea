"""Signed tree heads over the whole ledger, proofs from the cached tree, and the
from-scratch check, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, text, update

from ceasefire.actor import Actor
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.errors import InvalidInput, NotFound, Unavailable
from ceasefire.ledger import service as ledger
from ceasefire.ledger import tree_heads as ledger_tree
from ceasefire.ledger.merkle import leaf_hash, merkle_root
from ceasefire.ledger.tables import LedgerEntryRow, LedgerTreeHeadRow, LedgerTreeNodeRow
from ceasefire.ledger.tree import mth, verify_consistency, verify_inclusion

TAG = "test:entry:written"


def append_entries(ctx: ServiceContext, settings: Settings, count: int, start: int = 0) -> None:
    """``count`` entries by one member, in one unit of work."""
    with ctx.unit_of_work() as session:
        ledger.append_many(
            session,
            settings,
            [
                ledger.NewEntry(TAG, f"item/{n}", {"n": n}, Actor("arm", "arm-user"))
                for n in range(start, start + count)
            ],
        )


def all_hashes(ctx: ServiceContext) -> list[str]:
    with ctx.reader() as session:
        return list(session.scalars(select(LedgerEntryRow.entry_hash).order_by(LedgerEntryRow.seq)))


def test_heads_proofs_and_cache(ctx: ServiceContext, settings: Settings) -> None:
    append_entries(ctx, settings, 300)
    first = ledger_tree.tree_head(ctx)
    hashes = all_hashes(ctx)
    assert first.tree_size == len(hashes) > 300  # the centre's key entries come first
    assert first.root_hash == merkle_root(hashes)
    assert ledger_tree.public_head(ctx).public_key is not None
    with ctx.reader() as session:
        centre_key = session.execute(
            text("SELECT public_key FROM ledger_keys WHERE key_id = :k"), {"k": first.key_id}
        ).scalar_one()
    assert first.verify(centre_key)
    # The same size is answered with the very same stored head.
    assert ledger_tree.tree_head(ctx) == first

    append_entries(ctx, settings, 270, start=300)
    second = ledger_tree.tree_head(ctx)
    hashes = all_hashes(ctx)
    assert second.tree_size == len(hashes)
    assert second.root_hash == merkle_root(hashes)
    with ctx.reader() as session:
        nodes = {(n.level, n.idx): n.hash for n in session.scalars(select(LedgerTreeNodeRow))}
        assert set(nodes) == {(8, 0), (8, 1), (9, 0)}
        assert (
            session.scalar(
                select(LedgerTreeHeadRow.tree_size)
                .order_by(LedgerTreeHeadRow.tree_size.desc())
                .limit(1)
            )
            == second.tree_size
        )
    leaves = [leaf_hash(bytes.fromhex(h)) for h in hashes]
    assert nodes[(8, 0)] == mth(leaves[:256]).hex()
    assert nodes[(9, 0)] == mth(leaves[:512]).hex()

    proof = ledger_tree.consistency_proof(ctx, first.tree_size, second.tree_size)
    assert proof.first_root == first.root_hash
    assert verify_consistency(
        first.tree_size, second.tree_size, first.root_hash, second.root_hash, proof.path
    )
    for m in (0, 1, 255, 256, 257, 511, 512, second.tree_size):
        p = ledger_tree.consistency_proof(ctx, m, second.tree_size)
        assert p.first_root == (mth(leaves[:m]).hex())
        assert verify_consistency(m, second.tree_size, p.first_root, second.root_hash, p.path)
    for seq in (1, 256, 257, second.tree_size):
        inc = ledger_tree.inclusion_proof(ctx, seq)
        assert verify_inclusion(hashes[seq - 1], seq - 1, second.tree_size, inc.path, inc.root)
        assert inc.root == second.root_hash
    old = ledger_tree.inclusion_proof(ctx, 5, first.tree_size)
    assert verify_inclusion(hashes[4], 4, first.tree_size, old.path, first.root_hash)

    with pytest.raises(InvalidInput) as refused:
        ledger_tree.consistency_proof(ctx, 3, second.tree_size + 1)
    assert refused.value.details[0]["loc"] == "second"
    with pytest.raises(InvalidInput):
        ledger_tree.consistency_proof(ctx, 10, 9)
    with pytest.raises(NotFound):
        ledger_tree.inclusion_proof(ctx, second.tree_size + 1)

    check = ledger_tree.check_tree(ctx, witnessed=second, witnessed_key=centre_key)
    assert check.ok, check.problems
    assert check.heads_checked == 2
    assert check.nodes_checked == 3


def test_truncation_and_rewrites_are_named(ctx: ServiceContext, settings: Settings) -> None:
    append_entries(ctx, settings, 280)
    witnessed = ledger_tree.tree_head(ctx)
    size = witnessed.tree_size
    # Drop the last 10 entries behind the application's back.
    with ctx.unit_of_work() as session:
        session.execute(delete(LedgerEntryRow).where(LedgerEntryRow.seq > size - 10))
    check = ledger_tree.check_tree(ctx, witnessed=witnessed)
    assert not check.ok
    text_ = " ".join(check.problems)
    assert f"tree head of size {size}" in text_
    assert f"witness saw a tree of {size} entries" in text_
    assert f"holds only {size - 10}" in text_
    # A new head is computed from the entries that are there, not from the stale cache.
    head = ledger_tree.tree_head(ctx)
    assert head.tree_size == size - 10
    assert head.root_hash == merkle_root(all_hashes(ctx))

    # Rewrite an early entry's hash (as a re-signing operator would) and the cache.
    with ctx.unit_of_work() as session:
        session.execute(
            update(LedgerEntryRow).where(LedgerEntryRow.seq == 7).values(entry_hash="ab" * 32)
        )
    check = ledger_tree.check_tree(ctx, witnessed=head)
    assert any("history was rewritten" in p for p in check.problems)
    assert any("cached subtrees" in p for p in check.problems)


def test_an_empty_ledger_has_no_head_to_sign(ctx: ServiceContext) -> None:
    with pytest.raises(Unavailable, match="ceasefire init"):
        ledger_tree.tree_head(ctx)
