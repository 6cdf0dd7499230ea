"""Tables of the tamper-evident ledger.

``ledger_entries`` is the record itself: the signed header and canonical payload are kept as
the exact text that was hashed and signed; the other columns repeat header fields so the
record can be queried, and verification checks that they agree with the header.
``ledger_keys`` and ``ledger_roots`` are projections of the key and root entries, kept in the
same transaction for fast look-ups; ``ceasefire ledger verify`` checks them against the
entries. Hashes, public keys and signatures are lowercase hex everywhere.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ceasefire.db.base import Base, UTCDateTime


class LedgerEntryRow(Base):
    __tablename__ = "ledger_entries"
    __table_args__ = (
        Index("ix_ledger_entries_subject_tag", "subject", "tag"),
        Index("ix_ledger_entries_recorded_at", "recorded_at"),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    tag: Mapped[str] = mapped_column(String(128), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    member_id: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    key_id: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)
    """RFC 8785 canonical JSON of the payload, exactly as hashed."""
    payload_hash: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)
    header: Mapped[str] = mapped_column(Text)
    """RFC 8785 canonical JSON of the signed header, exactly as signed."""
    signature: Mapped[str] = mapped_column(String(128))


class LedgerKeyRow(Base):
    __tablename__ = "ledger_keys"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64), index=True)
    algorithm: Mapped[str] = mapped_column(String(16))
    public_key: Mapped[str] = mapped_column(String(64))
    custody: Mapped[str] = mapped_column(String(16))
    """``server``: the private key is in the server's key file; ``member``: it never is."""
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())
    added_seq: Mapped[int] = mapped_column(BigInteger)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ended_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    end_reason: Mapped[str | None] = mapped_column(String(16), nullable=True)


class LedgerRootRow(Base):
    __tablename__ = "ledger_roots"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    first_seq: Mapped[int] = mapped_column(BigInteger)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    leaf_count: Mapped[int] = mapped_column(Integer)
    root: Mapped[str] = mapped_column(String(64))
    sealed_seq: Mapped[int] = mapped_column(BigInteger, unique=True)


# -- the tree over the whole ledger (RFC 9162): signed heads and cached complete subtrees
# Tables of the whole-ledger Merkle tree (RFC 9162): signed tree heads and cached subtrees.
#
# ``ledger_tree_heads`` keeps every signed tree head the server issued, so it can answer with
# the same head for the same size and ``ceasefire check`` can hold the entries to every head
# ever issued. ``ledger_tree_nodes`` caches the hashes of complete, aligned subtrees of 256
# leaves and more: a new head or proof then reads only the entries since the last cached
# subtree and O(log n) cached hashes, never the whole ledger. Both are derived from
# ``ledger_entries``; ``ceasefire check`` recomputes them from the entries.


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


class LedgerCosignatureRow(Base):
    """A member's witness cosignature of a stored tree head (one per member per head)."""

    __tablename__ = "ledger_cosignatures"

    tree_size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32))
    cosigned_at: Mapped[str] = mapped_column(String(32))
    """The witness's own time, as signed."""
    signature: Mapped[str] = mapped_column(String(128))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
