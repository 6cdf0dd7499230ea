"""Build ledger chains without the database, and put them into one (for tamper tests).

``ChainBuilder`` follows docs/ledger.md on its own (genesis, key entries, a seal as the
first entry of each new day), so the verifier is checked against an independent writer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ceasefire.actor import Actor
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.ledger import service as ledger
from ceasefire.ledger.canonical import canonical_json
from ceasefire.ledger.entry import (
    GENESIS_PREV,
    KEY_ADDED,
    KEY_REVOKED,
    ROOT_SEALED,
    SignedEntry,
    build_entry,
)
from ceasefire.ledger.keys import SigningKey
from ceasefire.ledger.merkle import TREE_ALGORITHM, merkle_root
from ceasefire.ledger.schemas import EntryPublic
from ceasefire.ledger.tables import LedgerEntryRow, LedgerKeyRow, LedgerRootRow
from ceasefire.ledger.verify import StoredEntry
from ceasefire.timeutil import utcnow

START = datetime(2026, 11, 27, 22, 0, tzinfo=UTC)


@dataclass
class ChainBuilder:
    """A growing chain; ``centre`` is its genesis key."""

    clock: datetime = START
    step: timedelta = timedelta(seconds=7)
    centre: SigningKey = field(default_factory=lambda: SigningKey.generate("centre"))
    entries: list[SignedEntry] = field(default_factory=list)
    instants: list[datetime] = field(default_factory=list)
    revoked: dict[str, int] = field(default_factory=dict)
    custody: dict[str, str] = field(default_factory=dict)
    keys_by_id: dict[str, SigningKey] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.entries:
            self.add_key(self.centre, signer=self.centre)

    def _next(self, ts: datetime | None) -> datetime:
        self.clock = ts or self.clock + self.step
        return self.clock

    def append(
        self,
        tag: str,
        subject: str,
        payload: dict[str, Any],
        signer: SigningKey,
        *,
        user: str | None = None,
        ts: datetime | None = None,
        seal: bool = True,
    ) -> SignedEntry:
        instant = self._next(ts)
        if seal and self.entries and self.instants[-1].date() < instant.date():
            self._seal(self.instants[-1].date().isoformat(), instant)
        entry = build_entry(
            seq=len(self.entries) + 1,
            ts=instant,
            tag=tag,
            subject=subject,
            actor_member=signer.member_id,
            actor_user=user,
            payload_bytes=canonical_json(payload),
            prev=self.entries[-1].entry_hash if self.entries else GENESIS_PREV,
            signer=signer,
        )
        self.entries.append(entry)
        self.instants.append(instant)
        return entry

    def _seal(self, day: str, instant: datetime) -> SignedEntry:
        of_day = [
            e
            for e, t in zip(self.entries, self.instants, strict=True)
            if t.date().isoformat() == day
        ]
        payload = {
            "day": day,
            "first_seq": of_day[0].seq,
            "last_seq": of_day[-1].seq,
            "count": len(of_day),
            "root": merkle_root([e.entry_hash for e in of_day]),
            "tree": TREE_ALGORITHM,
        }
        return self.append(ROOT_SEALED, day, payload, self.centre, ts=instant, seal=False)

    def add_key(
        self, key: SigningKey, *, signer: SigningKey | None = None, custody: str = "server"
    ) -> SignedEntry:
        self.custody[key.key_id] = custody
        self.keys_by_id[key.key_id] = key
        payload = {
            "key_id": key.key_id,
            "member_id": key.member_id,
            "algorithm": "ed25519",
            "public_key": key.public_key_hex,
            "custody": custody,
        }
        return self.append(KEY_ADDED, key.key_id, payload, signer or self.centre)

    def revoke(self, key: SigningKey) -> SignedEntry:
        payload = {"key_id": key.key_id, "member_id": key.member_id, "reason": "test"}
        entry = self.append(KEY_REVOKED, key.key_id, payload, self.centre)
        self.revoked[key.key_id] = entry.seq
        return entry

    def stored(self) -> list[StoredEntry]:
        return [stored_entry(e) for e in self.entries]


def stored_entry(entry: SignedEntry, *, seq: int | None = None) -> StoredEntry:
    return StoredEntry(
        seq=entry.seq if seq is None else seq,
        header=entry.header_bytes,
        payload=entry.payload_bytes,
        entry_hash=entry.entry_hash,
        signature=entry.signature,
    )


def insert_entry(session: Session, entry: SignedEntry) -> None:
    """Write an entry straight into ``ledger_entries``, as someone with database access could."""
    h = entry.header
    session.add(
        LedgerEntryRow(
            seq=h.seq,
            recorded_at=h.instant,
            tag=h.tag,
            subject=h.subject,
            member_id=h.member,
            user_id=h.user,
            key_id=h.key,
            payload=entry.payload_bytes.decode(),
            payload_hash=h.payload_sha256,
            prev_hash=h.prev,
            entry_hash=entry.entry_hash,
            header=entry.header_bytes.decode(),
            signature=entry.signature,
        )
    )


def insert_chain(session: Session, chain: ChainBuilder) -> None:
    """Store a whole built chain with its key and root projections (a valid ledger)."""
    for entry in chain.entries:
        insert_entry(session, entry)
        payload = entry.payload()
        if entry.header.tag == KEY_ADDED:
            session.add(
                LedgerKeyRow(
                    key_id=payload["key_id"],
                    member_id=payload["member_id"],
                    algorithm="ed25519",
                    public_key=payload["public_key"],
                    custody=payload["custody"],
                    valid_from=entry.header.instant,
                    added_seq=entry.seq,
                )
            )
        elif entry.header.tag == KEY_REVOKED:
            session.flush()
            row = session.get(LedgerKeyRow, payload["key_id"])
            assert row is not None
            row.ended_seq, row.valid_until, row.end_reason = (
                entry.seq,
                entry.header.instant,
                "revoked",
            )
        elif entry.header.tag == ROOT_SEALED:
            session.add(
                LedgerRootRow(
                    day=datetime.fromisoformat(payload["day"]).date(),
                    first_seq=payload["first_seq"],
                    last_seq=payload["last_seq"],
                    leaf_count=payload["count"],
                    root=payload["root"],
                    sealed_seq=entry.seq,
                )
            )
    session.flush()


TEST_TAG = "test:entry:written"


def append_test_entries(
    ctx: ServiceContext,
    settings: Settings,
    count: int,
    *,
    start: int = 0,
    member: str = "arm",
    subject: str = "s",
) -> None:
    """``count`` entries through the ledger's writer in one unit of work, numbered from
    ``start``: tag ``test:entry:written``, subject ``{subject}/{n}``, payload ``{"n": n}``,
    by ``member`` (a tree to prove things about, a head for a witness to see)."""
    with ctx.unit_of_work() as session:
        ledger.append_many(
            session,
            settings,
            [
                ledger.NewEntry(TEST_TAG, f"{subject}/{n}", {"n": n}, Actor(member))
                for n in range(start, start + count)
            ],
        )


def next_entry(
    ctx: ServiceContext,
    signer: SigningKey,
    *,
    member: str | None = None,
    user: str | None = None,
    tag: str = TEST_TAG,
    subject: str = "report/x",
    payload: Mapping[str, object] | None = None,
) -> SignedEntry:
    """The entry that would follow the ledger's head now, built and signed outside the server
    as a member's own software does (``member``: the signer's member unless said otherwise;
    ``payload``: ``{"n": 1}`` unless given)."""
    head = ledger.head(ctx)
    return build_entry(
        seq=head.seq + 1,
        ts=utcnow(),
        tag=tag,
        subject=subject,
        actor_member=signer.member_id if member is None else member,
        actor_user=user,
        payload_bytes=canonical_json({"n": 1} if payload is None else payload),
        prev=head.entry_hash,
        signer=signer,
    )


def submit_presigned(ctx: ServiceContext, entry: SignedEntry) -> EntryPublic:
    """Hand a pre-signed entry to the ledger as its text arrives over the API."""
    return ledger.append_presigned(
        ctx,
        header=entry.header_bytes.decode(),
        payload=entry.payload_bytes.decode(),
        signature=entry.signature,
    )


DOC = Path(__file__).resolve().parents[2] / "docs" / "ledger.md"


def reference_verifier() -> dict[str, Any]:
    """The functions of the reference verifier printed in docs/ledger.md, run as written."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## A reference verifier", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert code is not None, "docs/ledger.md lost its reference verifier"
    namespace: dict[str, Any] = {"__name__": "reference"}
    exec(compile(code.group(1), str(DOC), "exec"), namespace)
    return namespace
