"""Tables of the whole-ledger Merkle tree (RFC 9162): signed tree heads and cached subtrees.

``ledger_tree_heads`` keeps every signed tree head the server issued, so it can answer with
the same head for the same size and ``ceasefire check`` can hold the entries to every head
ever issued. ``ledger_tree_nodes`` caches the hashes of complete, aligned subtrees of 256
leaves and more: a new head or proof then reads only the entries since the last cached
subtree and O(log n) cached hashes, never the whole ledger. Both are derived from
``ledger_entries``; ``ceasefire check`` recomputes them from the entries.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ceasefire.db.base import Base


class LedgerTreeHeadRow(Base):
    __tablename__ = "ledger_tree_heads"

    tree_size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[str] = mapped_column(String(64))
    timestamp: Mapped[str] = mapped_column(String(32))
    """UTC, ``YYYY-MM-DDTHH:MM:SS.ffffffZ``: kept as the signed text."""
    key_id: Mapped[str] = mapped_column(String(32))
    signature: Mapped[str] = mapped_column(String(128))


class LedgerTreeNodeRow(Base):
    __tablename__ = "ledger_tree_nodes"

    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    """The subtree covers ``2**level`` leaves."""
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    """Leaves ``idx * 2**level .. (idx + 1) * 2**level - 1`` (leaf i is entry seq i + 1)."""
    hash: Mapped[str] = mapped_column(String(64))
    last_entry_hash: Mapped[str] = mapped_column(String(64))
    """The entry hash of the subtree's last leaf: a cheap check that the entries it was
    computed from are still the ones stored (truncation or a restored copy)."""
