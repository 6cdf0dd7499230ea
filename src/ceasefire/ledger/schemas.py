"""The ledger area's schemas: one family per resource (``XCreate`` what a client sends,
``XPublic`` what it reads back), shared by the use cases, the API and the CLI."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, SerializerFunctionWrapHandler, model_serializer

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
    payload: Any = Field(
        description="The payload object; null when it is withheld from this reader."
    )
    payload_withheld: bool = Field(
        default=False,
        description="True when the entry is about a record this reader may not read: the"
        " payload is withheld, the header (with payload_sha256), hashes and signature are not,"
        " so the chain still verifies (docs/ledger.md, 'Who reads what').",
    )
    payload_hash: str
    prev_hash: str
    entry_hash: str
    signature: str
    header: str
    payload_canonical: str | None = Field(
        description="The exact hashed payload text; null when the payload is withheld."
    )


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


class SignedHead(BaseModel):
    """A signed tree head (STH) over the first ``tree_size`` entries (docs/ledger.md), as
    it is signed and kept."""

    format: str
    v: int
    tree: str
    tree_size: int
    root_hash: str
    timestamp: str
    key_id: str
    signature: str


_HEX64 = r"^[0-9a-f]{64}$"
_HEX32 = r"^[0-9a-f]{32}$"


class CosignaturePublic(BaseModel):
    """A member's witness cosignature of a tree head (docs/ledger.md, "Cosignatures"): the
    body a witness submits and the server serves with the head. Every field is bounded."""

    format: str = Field(default="ceasefire-cosignature", pattern=r"^ceasefire-cosignature$")
    v: int = Field(default=1, ge=1, le=1)
    installation: str = Field(pattern=_HEX64, description="Hash of the ledger's entry 1.")
    tree_size: int = Field(ge=0, le=2**62)
    root_hash: str = Field(pattern=_HEX64)
    timestamp: str = Field(max_length=32, description="The head's timestamp, as signed.")
    centre_key_id: str = Field(pattern=_HEX32, description="The centre key that signed the head.")
    member_id: str = Field(min_length=1, max_length=64)
    key_id: str = Field(pattern=_HEX32, description="The member's key that cosigned.")
    cosigned_at: str = Field(max_length=32, description="The witness's own time (UTC).")
    signature: str = Field(pattern=r"^[0-9a-f]{128}$")


class TreeHead(SignedHead):
    """A signed tree head with the key that signed it, as the centre publishes it."""

    public_key: str | None = Field(description="The centre key that signed the head (hex).")
    installation: str | None = Field(
        default=None, description="Hash of the ledger's entry 1: what cosignatures are bound to."
    )
    cosignatures: list[CosignaturePublic] = Field(
        default_factory=list, description="Members' witness cosignatures of this head."
    )


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


class LedgerHead(BaseModel):
    """The last entry: what a pre-signed entry builds on (``seq`` 0 on an empty ledger)."""

    seq: int
    entry_hash: str
    recorded_at: str | None = Field(description="When the last entry was recorded (UTC).")


# -- an entry's proof in its day's tree


class DayInclusionProof(BaseModel):
    """The audit path of one entry in its UTC day's Merkle tree (docs/ledger.md)."""

    algorithm: str
    seq: int
    entry_hash: str
    day: str
    leaf_index: int
    tree_size: int
    path: list[str]
    root: str
    root_seq: int | None = Field(
        description="The entry that sealed the day's root; null while the day is open."
    )
    provisional: bool


class ProvenEntry(BaseModel):
    """The exact signed texts of a proven entry (enough to check it offline)."""

    seq: int
    header: str
    payload: str | None = Field(description="Null when the payload is withheld from the reader.")
    payload_withheld: bool = False
    entry_hash: str
    signature: str


class EntryProof(BaseModel):
    """An entry with its inclusion proof: what `ceasefire ledger check-proof` reads."""

    proof: DayInclusionProof
    entry: ProvenEntry


class ProofCheck(BaseModel):
    """What checking a proof document offline found."""

    ok: bool
    seq: int
    day: str
    root: str
    provisional: bool
    problems: list[str]
    payload_withheld: bool = Field(
        default=False,
        description="The document withholds the payload: the header and the path are checked,"
        " the payload against payload_sha256 is not.",
    )


class BundleSummary(BaseModel):
    """An exported bundle: where it was written and what it holds."""

    path: str
    entries: int
    head_seq: int | None
    head_hash: str | None
    keys: int
    roots: int
    bytes: int
    payloads_withheld: int = Field(
        default=0, description="Entries whose payload the server withheld from this member."
    )


class MemberKeysCheck(BaseModel):
    """A witness's check that a member has no valid key but its own."""

    member_id: str
    valid: list[str] = Field(description="Ids of the member's keys valid now.")
    ended: list[str] = Field(description="Own keys that are no longer valid.")
    unregistered: list[str] = Field(description="Own keys the ledger does not hold.")


# -- backups and the database's own check


class _LedgerHeadWhenRead(BaseModel):
    """``head_seq``/``head_hash`` are shown only where the copy's ledger head was read
    (SQLite); a PostgreSQL dump is written by pg_dump, which does not read it."""

    @model_serializer(mode="wrap")
    def _without_unread_head(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if getattr(self, "head_seq", None) is None:
            data.pop("head_seq", None)
            data.pop("head_hash", None)
        return data


class BackupSummary(_LedgerHeadWhenRead):
    """A backup written by `ceasefire backup`."""

    path: str
    backend: str
    integrity: str = Field(description="'ok' (SQLite's integrity check of the copy) or pg_dump's.")
    head_seq: int | None = None
    head_hash: str | None = None
    bytes: int
    seconds: float


class RestoreSummary(_LedgerHeadWhenRead):
    """A backup put in place of the configured database by `ceasefire restore`."""

    restored_from: str
    backend: str
    head_seq: int | None = None
    head_hash: str | None = None
    seconds: float


class DatabaseIntegrity(BaseModel):
    """The database's own integrity check (see ``ceasefire.ledger.backup.database_integrity``)."""

    ok: bool
    method: str
    problems: list[str]


# -- verification, the whole check and the witness: what the commands print with --json


class FindingPublic(BaseModel):
    """One problem a verification found: where (a sequence number, when there is one) and
    what (``kind``, its ``what`` in words, and the message)."""

    seq: int | None
    kind: str
    what: str
    message: str


class VerificationSummary(BaseModel):
    """What ``ledger verify`` found, in the database or in a bundle (``--json`` prints it)."""

    ok: bool
    entries: int
    head_seq: int | None
    head_hash: str | None
    first_ts: str | None
    last_ts: str | None
    signatures_checked: int
    payloads_withheld: int = Field(
        default=0,
        description="Entries whose payload the bundle withholds (a member's copy): their"
        " headers, hashes and signatures are checked, their payloads are not.",
    )
    days_sealed: int
    open_day: str | None
    keys: int
    members: list[str]
    state_checks: list[str]
    seconds: float
    first_bad: FindingPublic | None
    findings: list[FindingPublic]


class LedgerCheckPart(BaseModel):
    """The ledger's part of ``ceasefire check``: the verification, its first 50 findings."""

    ok: bool
    entries: int
    head_seq: int | None
    head_hash: str | None
    first_bad: FindingPublic | None
    findings: list[FindingPublic]


class KeptCosignaturePublic(BaseModel):
    """A cosignature of the current head that a witness keeps (``cosignatures.jsonl``),
    re-checked in this run against the member's keys."""

    member_id: str
    key_id: str
    cosigned_at: str
    made_here: bool = Field(description="Made by this witness (--cosign), not only seen.")
    counted: bool = Field(description="Valid now: a member-held key of the member, not ended.")
    problem: str | None = Field(default=None, description="Why it is not counted now.")


class HeadDescription(BaseModel):
    """A signed tree head, as a check or a witness names it."""

    tree_size: int
    root_hash: str
    timestamp: str


class TreeCheckPublic(BaseModel):
    """The Merkle tree recomputed from the entries alone, compared with every issued head,
    every cached subtree and the last witnessed head."""

    ok: bool
    tree_size: int
    root_hash: str
    heads_checked: int
    nodes_checked: int
    witnessed: SignedHead | None
    problems: list[str]


class CheckSummary(BaseModel):
    """``ceasefire check``: database integrity, ledger verify and the tree; ``ok`` only when
    all three hold."""

    ok: bool
    database: DatabaseIntegrity
    ledger: LedgerCheckPart
    tree: TreeCheckPublic
    seconds: float


class WitnessRun(BaseModel):
    """One witness run: the head it kept (or had kept), how it was checked against the
    previous one, and the member's keys where asked."""

    ok: bool
    member_keys: MemberKeysCheck | None
    source: str
    tree_size: int
    root_hash: str
    timestamp: str
    key_id: str
    pinned_now: bool
    previous: HeadDescription | None
    proof_nodes: int
    stored: bool
    state: str
    cosigned_by: str | None = None
    """The member whose key cosigned the head in this run (``--cosign``)."""
    cosigners: list[str] = Field(default_factory=list)
    """Members other than the centre (and this witness's) whose cosignatures were counted."""
    kept_cosignatures: list[KeptCosignaturePublic] = Field(default_factory=list)
    """The cosignatures of this head the witness keeps (made or served, this run or before),
    re-checked now."""
