"""The ledger area's schemas: one family per resource (``XCreate`` what a client sends,
``XPublic`` what it reads back), shared by the use cases, the API and the CLI."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from ceasefire.ledger.merkle import (
    TREE_ALGORITHM,
)


class KeyPublic(BaseModel):
    """A member's public key and the stretch of the record in which it may sign."""

    key_id: str
    member_id: str
    algorithm: str
    public_key: str
    custody: str
    valid_from: datetime
    added_seq: int
    valid_until: datetime | None
    ended_seq: int | None
    end_reason: str | None


class RootPublic(BaseModel):
    """The published Merkle root of one closed UTC day."""

    day: date
    first_seq: int
    last_seq: int
    count: int
    root: str
    sealed_seq: int
    tree: str = TREE_ALGORITHM


class EntryPublic(BaseModel):
    """One ledger entry as the API and CLI show it (with the exact signed texts)."""

    seq: int
    recorded_at: datetime
    tag: str
    subject: str
    member_id: str
    user_id: str | None
    key_id: str
    payload: Any
    payload_hash: str
    prev_hash: str
    entry_hash: str
    signature: str
    header: str
    payload_canonical: str


class EntryPage(BaseModel):
    entries: list[EntryPublic]
    next_after: int | None = Field(
        description="Pass as `after` for the next page; null when this page is the last."
    )


class PresignedEntry(BaseModel):
    """An entry signed by the member itself (see docs/ledger.md, "Pre-signed entries")."""

    header: str = Field(description="The RFC 8785 canonical header, exactly as signed.")
    payload: str = Field(description="The RFC 8785 canonical payload (a JSON object).")
    signature: str = Field(description="Ed25519 signature of the header bytes, 128 hex digits.")


# -- the tree over the whole ledger (RFC 9162)


class TreeHead(BaseModel):
    """A signed tree head (STH) over the first ``tree_size`` entries (docs/ledger.md)."""

    format: str
    v: int
    tree: str
    tree_size: int
    root_hash: str
    timestamp: str
    key_id: str
    signature: str
    public_key: str | None = Field(description="The centre key that signed the head (hex).")


class ConsistencyProof(BaseModel):
    """RFC 9162 section 2.1.4 proof that the first tree is a prefix of the second."""

    tree: str
    first: int
    second: int
    first_root: str
    second_root: str
    path: list[str]


class TreeInclusionProof(BaseModel):
    """RFC 9162 section 2.1.3 audit path of one entry in the tree of ``tree_size``."""

    tree: str
    seq: int
    leaf_index: int
    tree_size: int
    entry_hash: str
    path: list[str]
    root: str
