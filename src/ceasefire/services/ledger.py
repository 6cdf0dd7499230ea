"""Ledger use cases: append (inside the caller's unit of work), keys, sealing, reads.

Every state change of the centre's record is written with :func:`append` *inside the
service's own unit of work*, so the entry commits or rolls back with the change itself::

    with ctx.unit_of_work() as session:
        ...  # change the main tables
        ledger.append(session, ctx.settings, tag="agreement:provision:status-changed",
                      subject=provision_id, payload={...}, actor=actor)

Appends are serialised: on PostgreSQL by a transaction-scoped advisory lock taken before the
head is read, on SQLite by the unit of work's ``BEGIN IMMEDIATE`` (one writer). The head, the
lock and the signing keys are remembered for the rest of the transaction, so appending many
entries in one unit of work costs one look-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ceasefire.config import Settings
from ceasefire.db.models.ledger import LedgerEntryRow, LedgerKeyRow, LedgerRootRow
from ceasefire.domain.actor import Actor
from ceasefire.domain.timeutil import utcnow
from ceasefire.errors import IntegrityError, InvalidInput, problem
from ceasefire.ledger.canonical import canonical_json
from ceasefire.ledger.entry import (
    GENESIS_PREV,
    KEY_ADDED,
    KEY_ROTATED,
    ROOT_SEALED,
    SignedEntry,
    build_entry,
    validate_subject,
    validate_tag,
)
from ceasefire.ledger.keyfile import add_key, load_key_file
from ceasefire.ledger.keys import ALGORITHM, CENTRE_MEMBER_ID, SigningKey
from ceasefire.ledger.merkle import TREE_ALGORITHM, merkle_root

LEDGER_LOCK_ID = 0x6365617365666972
"""Key of the PostgreSQL advisory lock that serialises appends ("ceasefir" in ASCII)."""

_WRITER_KEY = "ceasefire.ledger.writer"


@dataclass
class _Head:
    seq: int
    entry_hash: str
    recorded_at: datetime


@dataclass
class _Writer:
    """Per-transaction append state: the lock is held, the head and keys are known."""

    session: Session
    settings: Settings
    head: _Head | None
    signers: dict[str, SigningKey] = field(default_factory=dict)

    # -- chain ------------------------------------------------------------------------

    def next_instant(self) -> datetime:
        now = utcnow()
        # Entries are in time order: a clock step backwards never reorders the record.
        if self.head is not None and now < self.head.recorded_at:
            return self.head.recorded_at
        return now

    def write(
        self,
        *,
        tag: str,
        subject: str,
        payload_bytes: bytes,
        member_id: str,
        user_id: str | None,
        signer: SigningKey,
        ts: datetime | None = None,
    ) -> SignedEntry:
        """Chain, sign and add one entry; seals the previous day first when it has ended."""
        instant = ts or self.next_instant()
        if tag != ROOT_SEALED:
            self.seal_if_day_changed(instant)
        entry = build_entry(
            seq=self.head.seq + 1 if self.head else 1,
            ts=instant,
            tag=tag,
            subject=subject,
            actor_member=member_id,
            actor_user=user_id,
            payload_bytes=payload_bytes,
            prev=self.head.entry_hash if self.head else GENESIS_PREV,
            signer=signer,
        )
        self.store(entry, instant)
        return entry

    def store(self, entry: SignedEntry, instant: datetime) -> None:
        header = entry.header
        self.session.add(
            LedgerEntryRow(
                seq=header.seq,
                recorded_at=instant,
                tag=header.tag,
                subject=header.subject,
                member_id=header.member,
                user_id=header.user,
                key_id=header.key,
                payload=entry.payload_bytes.decode("utf-8"),
                payload_hash=header.payload_sha256,
                prev_hash=header.prev,
                entry_hash=entry.entry_hash,
                header=entry.header_bytes.decode("utf-8"),
                signature=entry.signature,
            )
        )
        self.head = _Head(header.seq, entry.entry_hash, instant)

    # -- daily roots --------------------------------------------------------------------

    def seal_if_day_changed(self, instant: datetime) -> None:
        if self.head is None:
            return
        day = self.head.recorded_at.date()
        if day >= instant.date():
            return
        self.seal_day(day, instant)

    def seal_day(self, day: date, instant: datetime) -> None:
        """Append the ``ledger:root:sealed`` entry of ``day`` (whose last entry is the head)."""
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        rows = self.session.execute(
            select(LedgerEntryRow.seq, LedgerEntryRow.entry_hash)
            .where(LedgerEntryRow.recorded_at >= start)
            .where(LedgerEntryRow.recorded_at < start + timedelta(days=1))
            .order_by(LedgerEntryRow.seq)
        ).all()
        if not rows:
            return
        root = merkle_root([r.entry_hash for r in rows])
        payload = {
            "day": day.isoformat(),
            "first_seq": rows[0].seq,
            "last_seq": rows[-1].seq,
            "count": len(rows),
            "root": root,
            "tree": TREE_ALGORITHM,
        }
        centre = self.signer_for(CENTRE_MEMBER_ID)
        entry = self.write(
            tag=ROOT_SEALED,
            subject=day.isoformat(),
            payload_bytes=canonical_json(payload),
            member_id=CENTRE_MEMBER_ID,
            user_id=None,
            signer=centre,
            ts=instant,
        )
        self.session.add(
            LedgerRootRow(
                day=day,
                first_seq=rows[0].seq,
                last_seq=rows[-1].seq,
                leaf_count=len(rows),
                root=root,
                sealed_seq=entry.seq,
            )
        )

    # -- keys -----------------------------------------------------------------------------

    def signer_for(self, member_id: str) -> SigningKey:
        """A server-held key of ``member_id`` that the ledger says is valid now.

        A member without one gets a new key: it is written to the key file and its public
        key ledgered (``ledger:key:added``, vouched for by the centre's key).
        """
        cached = self.signers.get(member_id)
        if cached is not None:
            return cached
        key_file = load_key_file(self.settings.key_file)
        active = set(
            self.session.scalars(
                select(LedgerKeyRow.key_id)
                .where(LedgerKeyRow.member_id == member_id)
                .where(LedgerKeyRow.ended_seq.is_(None))
            )
        )
        for key in key_file.for_member(member_id):
            if key.key_id in active:
                self.signers[member_id] = key
                return key
        if member_id == CENTRE_MEMBER_ID and self.head is not None:
            raise IntegrityError(
                "the centre's signing key is not in the key file"
                f" {self.settings.key_file}: restore the key file of this installation"
            )
        key = self._new_server_key(member_id)
        self.register_key(key.member_id, key.public_key_hex, custody="server", own_key=key)
        self.signers[member_id] = key
        return key

    def _new_server_key(self, member_id: str) -> SigningKey:
        """An unused key of the member from the key file (left by a rolled-back
        transaction), or a fresh one added to the file."""
        known = set(self.session.scalars(select(LedgerKeyRow.key_id)))
        key_file = load_key_file(self.settings.key_file)
        for key in key_file.for_member(member_id):
            if key.key_id not in known:
                return key
        key = SigningKey.generate(member_id)
        add_key(self.settings.key_file, key, created_at=utcnow())
        return key

    def register_key(
        self,
        member_id: str,
        public_key_hex: str,
        *,
        custody: str,
        own_key: SigningKey | None = None,
        actor: Actor | None = None,
        replaces: str | None = None,
    ) -> SignedEntry:
        """Ledger a public key (``added``, or ``rotated`` when it ``replaces`` another)."""
        from ceasefire.ledger.keys import key_id_for

        key_id = key_id_for(public_key_hex)
        payload: dict[str, Any] = {
            "key_id": key_id,
            "member_id": member_id,
            "algorithm": ALGORITHM,
            "public_key": public_key_hex,
            "custody": custody,
        }
        if replaces is not None:
            payload["replaces"] = replaces
        if self.head is None:
            # Genesis: the centre's first key signs its own entry; it is the trust anchor.
            if own_key is None or member_id != CENTRE_MEMBER_ID:
                raise IntegrityError("the first ledger entry must add the centre's own key")
            signer = own_key
        else:
            signer = self.signer_for(CENTRE_MEMBER_ID)
        acting = actor or Actor.centre(user_id=None)
        entry = self.write(
            tag=KEY_ROTATED if replaces else KEY_ADDED,
            subject=key_id,
            payload_bytes=canonical_json(payload),
            member_id=acting.member_id if self.head is not None else CENTRE_MEMBER_ID,
            user_id=acting.user_id,
            signer=signer if acting.member_id == CENTRE_MEMBER_ID else self._signer_of(acting),
        )
        instant = self.head.recorded_at if self.head else utcnow()
        if replaces is not None:
            self._end_key(replaces, seq=entry.seq, instant=instant, reason="rotated")
        self.session.add(
            LedgerKeyRow(
                key_id=key_id,
                member_id=member_id,
                algorithm=ALGORITHM,
                public_key=public_key_hex,
                custody=custody,
                valid_from=instant,
                added_seq=entry.seq,
            )
        )
        self.session.flush()
        return entry

    def _signer_of(self, actor: Actor) -> SigningKey:
        return self.signer_for(actor.member_id)

    def _end_key(self, key_id: str, *, seq: int, instant: datetime, reason: str) -> None:
        row = self.session.get(LedgerKeyRow, key_id)
        if row is not None:
            row.ended_seq = seq
            row.valid_until = instant
            row.end_reason = reason
        self.signers = {m: k for m, k in self.signers.items() if k.key_id != key_id}


def _writer(session: Session, settings: Settings) -> _Writer:
    """The append state of this transaction: takes the lock and reads the head once."""
    writer = session.info.get(_WRITER_KEY)
    if isinstance(writer, _Writer):
        return writer
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LEDGER_LOCK_ID})
    row = session.execute(
        select(LedgerEntryRow.seq, LedgerEntryRow.entry_hash, LedgerEntryRow.recorded_at)
        .order_by(LedgerEntryRow.seq.desc())
        .limit(1)
    ).first()
    head = _Head(row.seq, row.entry_hash, row.recorded_at) if row is not None else None
    writer = _Writer(session=session, settings=settings, head=head)
    session.info[_WRITER_KEY] = writer
    if head is None:
        writer.signer_for(CENTRE_MEMBER_ID)  # genesis: the centre's key is entry 1
    return writer


def append(
    session: Session,
    settings: Settings,
    *,
    tag: str,
    subject: str,
    payload: Mapping[str, Any],
    actor: Actor,
) -> int:
    """Append one signed, hash-chained entry in the caller's transaction; its sequence number.

    ``tag`` is ``source:subject:action`` (e.g. ``agreement:provision:status-changed``),
    ``subject`` the id of what changed, ``payload`` a JSON object (datetimes as ISO
    strings). The entry is signed with the acting member's key from the key file; a member
    without a key gets one, and its public key is ledgered first. Bad input raises
    InvalidInput naming the field and writes nothing.
    """
    validate_tag(tag)
    validate_subject(subject)
    if not isinstance(payload, Mapping):
        raise InvalidInput(
            "ledger payload must be a JSON object", details=[problem("payload", "not an object")]
        )
    payload_bytes = canonical_json(payload)
    writer = _writer(session, settings)
    signer = writer.signer_for(actor.member_id)
    entry = writer.write(
        tag=tag,
        subject=subject,
        payload_bytes=payload_bytes,
        member_id=actor.member_id,
        user_id=actor.user_id,
        signer=signer,
    )
    return entry.seq


def ensure_centre_key(session: Session, settings: Settings) -> str:
    """Make sure the centre has a signing key (key file 0600 + ledgered); its key id."""
    return _writer(session, settings).signer_for(CENTRE_MEMBER_ID).key_id
