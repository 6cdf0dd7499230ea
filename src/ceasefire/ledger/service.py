"""Ledger use cases: append (inside the caller's unit of work), keys, sealing, reads.

Every state change of the centre's record is written with :func:`append` *inside the
service's own unit of work*, so the entry commits or rolls back with the change itself::

    with ctx.unit_of_work() as session:
        ...  # change the main tables
        ledger.append(session, ctx.settings, tag=AgreementTag.PROVISION_STATUS_CHANGED,
                      subject=provision_id, payload={...}, actor=actor)

Appends are serialised: on PostgreSQL by a transaction-scoped advisory lock taken before the
head is read, on SQLite by the unit of work's ``BEGIN IMMEDIATE`` (one writer). The head, the
lock and the signing keys are remembered for the rest of the transaction, so appending many
entries in one unit of work costs one look-up.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from itertools import takewhile
from pathlib import Path
from typing import Any, Unpack, cast

from sqlalchemy import Row, Table, func, insert, select, text
from sqlalchemy.orm import Session

from ceasefire.access import Viewer
from ceasefire.actor import Actor
from ceasefire.config import Settings
from ceasefire.db.base import shape_of
from ceasefire.db.context import SESSION_CONTEXT_KEY, ServiceContext
from ceasefire.db.writelock import POSTGRES_WRITE_LOCK_KEY
from ceasefire.errors import (
    Conflict,
    Forbidden,
    IntegrityError,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    Unauthorized,
    Unavailable,
    problem,
    worded_text,
)
from ceasefire.i18n.markers import N_
from ceasefire.ledger import custody as ledger_custody
from ceasefire.ledger import tree_heads as ledger_tree
from ceasefire.ledger.bundle import (
    BundleChecks,
    bundle_header,
    verify_bundle,
    write_bundle,
)
from ceasefire.ledger.canonical import canonical_json, unreadable
from ceasefire.ledger.check import EntryAbout, Payload, PayloadRule, StateChecker
from ceasefire.ledger.entry import (
    GENESIS_PREV,
    KEY_ADDED,
    KEY_REVOKED,
    KEY_ROTATED,
    ROOT_SEALED,
    USER_ADDED,
    EntryHeader,
    MalformedEntry,
    SignedEntry,
    build_entry,
    format_ts,
    parse_ts,
    sha256_hex,
    validate_subject,
    validate_tag,
    with_nonce,
)
from ceasefire.ledger.events import KeyAdded, KeyRevoked, KeyRotated, RootSealed, blinded
from ceasefire.ledger.keyfile import add_key, load_key_file
from ceasefire.ledger.keys import (
    ALGORITHM,
    CENTRE_MEMBER_ID,
    MEMBER_CUSTODY,
    SigningKey,
    key_id_for,
    public_key_from_hex,
    signature_is_valid,
)
from ceasefire.ledger.merkle import (
    TREE_ALGORITHM,
    InclusionProof,
    inclusion_path,
    merkle_root,
)
from ceasefire.ledger.schemas import (
    BundleSummary,
    DayInclusionProof,
    EntryProof,
    EntryPublic,
    FindingPublic,
    KeyPublic,
    LedgerHead,
    ProofCheck,
    ProvenEntry,
    RootPublic,
    VerificationSummary,
)
from ceasefire.ledger.tables import LedgerEntryRow, LedgerKeyRow, LedgerRootRow
from ceasefire.ledger.verify import (
    ChainReport,
    ChainVerifier,
    Finding,
    FindingKind,
    StoredEntry,
    presigned_user_problem,
    user_added,
)
from ceasefire.timeutil import utcnow

log = logging.getLogger(__name__)

LEDGER_LOCK_ID = POSTGRES_WRITE_LOCK_KEY
"""Key of the PostgreSQL advisory lock that serialises appends: the writers' lock, which
every unit of work already holds (``ceasefire.db.writelock``)."""

_WRITER_KEY = "ceasefire.ledger.writer"


SignerCache = dict[tuple[str, str], tuple[int, str, dict[str, SigningKey]]]
"""Per service context: the head this context last wrote and the signing keys valid then,
per database and key file. When a transaction finds the head it left, nobody has appended
since (the hash proves it is the same chain), so no key can have been added, rotated or
revoked and the keys need not be looked up again. Anything else falls back to the look-up.
A session that is not a unit of work of a context (a test's, a script's) has no cache."""


def _day_leaves(session: Session, day: date) -> Sequence[Row[int, str]]:
    """Sequence number and hash of every entry recorded on ``day`` (UTC), in chain order:
    the leaves of the day's Merkle tree."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return session.execute(
        select(LedgerEntryRow.seq, LedgerEntryRow.entry_hash)
        .where(LedgerEntryRow.recorded_at >= start)
        .where(LedgerEntryRow.recorded_at < start + timedelta(days=1))
        .order_by(LedgerEntryRow.seq)
    ).all()


def _entry_row(session: Session, seq: int) -> LedgerEntryRow:
    row = session.get(LedgerEntryRow, seq)
    if row is None:
        raise NotFound.worded(
            N_("no ledger entry %(id)s"), details=[problem("seq", N_("unknown entry"))], id=seq
        )
    return row


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
    cache_key: tuple[str, str]
    signer_cache: SignerCache | None = None
    signers: dict[str, SigningKey] = field(default_factory=dict)
    pending: list[dict[str, Any]] | None = None

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
        row = {
            "seq": header.seq,
            "recorded_at": instant,
            "tag": header.tag,
            "subject": header.subject,
            "member_id": header.member,
            "user_id": header.user,
            "key_id": header.key,
            "payload": entry.payload_bytes.decode("utf-8"),
            "payload_hash": header.payload_sha256,
            "prev_hash": header.prev,
            "entry_hash": entry.entry_hash,
            "header": entry.header_bytes.decode("utf-8"),
            "signature": entry.signature,
        }
        if self.pending is not None:
            self.pending.append(row)
        else:
            # A Core insert: the ORM's bookkeeping costs more than the row itself.
            self.session.execute(_INSERT_ENTRY, row)
        self.head = _Head(header.seq, entry.entry_hash, instant)
        if self.signer_cache is not None:
            self.signer_cache[self.cache_key] = (header.seq, entry.entry_hash, self.signers)

    def flush_pending(self) -> None:
        """Insert the rows held back by :func:`append_many` (one executemany)."""
        if self.pending:
            self.session.execute(_INSERT_ENTRY, self.pending)
            self.pending = []

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
        self.flush_pending()  # the day's entries must all be in the table to be read back
        rows = _day_leaves(self.session, day)
        if not rows:
            return
        root = merkle_root([r.entry_hash for r in rows])
        payload = RootSealed(
            {
                "day": day.isoformat(),
                "first_seq": rows[0].seq,
                "last_seq": rows[-1].seq,
                "count": len(rows),
                "root": root,
                "tree": TREE_ALGORITHM,
            }
        )
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
        ledger_custody.check_server_may_sign(self.session, member_id)
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
            raise IntegrityError.worded(
                N_(
                    "the centre's signing key is not in the key file %(key_file)s: restore the "
                    "key file of this installation"
                ),
                key_file=self.settings.key_file,
            )
        key = self.new_server_key(member_id)
        self.register_key(
            key.member_id,
            key.public_key_hex,
            custody="server",
            actor=Actor(CENTRE_MEMBER_ID),
            own_key=key,
        )
        self.signers[member_id] = key
        return key

    def new_server_key(self, member_id: str) -> SigningKey:
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
        actor: Actor,
        own_key: SigningKey | None = None,
        replaces: str | None = None,
    ) -> SignedEntry:
        """Ledger a public key: ``ledger:key:added``, or ``ledger:key:rotated`` when it
        ``replaces`` another key of the member (which then stops being valid).

        Signed by the acting member's key (the centre's, or the member's own); the very
        first entry instead adds the centre's key and is signed by that key itself.
        """
        key_id = key_id_for(public_key_hex)
        payload: KeyAdded | KeyRotated = KeyAdded(
            {
                "key_id": key_id,
                "member_id": member_id,
                "algorithm": ALGORITHM,
                "public_key": public_key_hex,
                "custody": custody,
            }
        )
        if replaces is not None:
            payload = KeyRotated({**payload, "replaces": replaces})
        if self.head is None:
            # Genesis: the centre's first key signs its own entry; it is the trust anchor.
            if own_key is None or member_id != CENTRE_MEMBER_ID:
                raise IntegrityError.worded(
                    N_("the first ledger entry must add the centre's own key")
                )
            signer, acting = own_key, Actor(CENTRE_MEMBER_ID, actor.user_id)
        else:
            signer, acting = self.signer_for(actor.member_id), actor
        entry = self.write(
            tag=KEY_ROTATED if replaces else KEY_ADDED,
            subject=key_id,
            payload_bytes=canonical_json(payload),
            member_id=acting.member_id,
            user_id=acting.user_id,
            signer=signer,
        )
        assert self.head is not None
        instant = self.head.recorded_at
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

    def revoke(self, row: LedgerKeyRow, *, actor: Actor, reason: str) -> SignedEntry:
        """Ledger ``ledger:key:revoked`` for ``row``'s key and end it in the projection."""
        payload = KeyRevoked({"key_id": row.key_id, "member_id": row.member_id, "reason": reason})
        entry = self.write(
            tag=KEY_REVOKED,
            subject=row.key_id,
            payload_bytes=canonical_json(payload),
            member_id=actor.member_id,
            user_id=actor.user_id,
            signer=self.signer_for(actor.member_id),
        )
        assert self.head is not None
        self._end_key(row.key_id, seq=entry.seq, instant=self.head.recorded_at, reason="revoked")
        return entry

    def _end_key(self, key_id: str, *, seq: int, instant: datetime, reason: str) -> None:
        row = self.session.get(LedgerKeyRow, key_id)
        if row is not None:
            row.ended_seq = seq
            row.valid_until = instant
            row.end_reason = reason
        # In place: the context's cache holds this very dict (see SignerCache).
        for member in [m for m, k in self.signers.items() if k.key_id == key_id]:
            del self.signers[member]


_ENTRIES = cast(Table, LedgerEntryRow.__table__)
_INSERT_ENTRY = insert(_ENTRIES)
_HEAD = (
    select(_ENTRIES.c.seq, _ENTRIES.c.entry_hash, _ENTRIES.c.recorded_at)
    .order_by(_ENTRIES.c.seq.desc())
    .limit(1)
)

_SIGNER_CACHE_KEY = "ledger.signers"


def _signer_cache(session: Session) -> SignerCache | None:
    ctx = session.info.get(SESSION_CONTEXT_KEY)
    if not isinstance(ctx, ServiceContext):
        return None
    cache: SignerCache = ctx.caches.setdefault(_SIGNER_CACHE_KEY, {})
    return cache


def _writer(session: Session, settings: Settings) -> _Writer:
    """The append state of this transaction: takes the lock and reads the head once."""
    writer = session.info.get(_WRITER_KEY)
    if isinstance(writer, _Writer):
        return writer
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LEDGER_LOCK_ID})
    row = session.execute(_HEAD).first()
    head = _Head(row.seq, row.entry_hash, row.recorded_at) if row is not None else None
    cache_key = (settings.database_url, str(settings.key_file))
    signer_cache = _signer_cache(session)
    writer = _Writer(
        session=session,
        settings=settings,
        head=head,
        cache_key=cache_key,
        signer_cache=signer_cache,
    )
    cached = signer_cache.get(cache_key) if signer_cache is not None else None
    if cached is not None and head is not None and cached[:2] == (head.seq, head.entry_hash):
        writer.signers = dict(cached[2])
    session.info[_WRITER_KEY] = writer
    if head is None:
        writer.signer_for(CENTRE_MEMBER_ID)  # genesis: the centre's key is entry 1
    return writer


@cache
def blinded_tags() -> frozenset[str]:
    """The tags whose payload type declares ``ceasefire.ledger.events.Blinded`` (each area's
    ``PAYLOADS``, named by its ``Area.payloads``): :func:`append` writes their payloads with a
    random nonce, so that no payload withheld from a member is confirmed by a guess hashed
    against its header's ``payload_sha256``. The declaration is the area's, the nonce the
    writer's: no writer of such a tag can forget it."""
    from ceasefire.areas import contributions

    return frozenset(
        str(tag)
        for payloads in contributions("payloads")
        for tag, payload_type in payloads.items()
        if blinded(payload_type)
    )


def _checked_payload(tag: str, subject: str, payload: object) -> bytes:
    """The canonical bytes of an entry's payload once its tag, subject and payload pass the
    checks every append makes (InvalidInput naming the field otherwise), with a nonce where
    the tag's payload type declares one (:func:`blinded_tags`)."""
    validate_tag(tag)
    validate_subject(subject)
    if not isinstance(payload, Mapping):
        raise InvalidInput.worded(
            N_("ledger payload must be a JSON object"),
            details=[problem("payload", N_("not an object"))],
        )
    if tag in blinded_tags():
        payload = with_nonce(payload)
    return canonical_json(payload)


def subjects_recorded_by(
    session: Session, *, tag: str, subjects: Sequence[str], actor: Actor
) -> set[str]:
    """Which of ``subjects`` have an entry ``tag`` that ``actor`` (member and user) wrote."""
    if not subjects:
        return set()
    found = session.scalars(
        select(LedgerEntryRow.subject).where(
            LedgerEntryRow.tag == tag,
            LedgerEntryRow.subject.in_(sorted(set(subjects))),
            LedgerEntryRow.member_id == actor.member_id,
            LedgerEntryRow.user_id == actor.user_id,
        )
    )
    return set(found)


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
    payload_bytes = _checked_payload(tag, subject, payload)
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


def add_ledgered(
    session: Session,
    settings: Settings,
    row: object,
    *,
    tag: str,
    subject: str,
    payload: Mapping[str, Any],
    actor: Actor,
) -> int:
    """Insert ``row`` (flushed, so its constraints are checked first) and :func:`append` the
    entry that ledgers it, in the caller's transaction; the entry's sequence number."""
    session.add(row)
    session.flush()
    return append(session, settings, tag=tag, subject=subject, payload=payload, actor=actor)


@dataclass(frozen=True)
class NewEntry:
    """One entry for :func:`append_many`."""

    tag: str
    subject: str
    payload: Mapping[str, Any]
    actor: Actor


def append_many(session: Session, settings: Settings, entries: Sequence[NewEntry]) -> list[int]:
    """Append several entries in the caller's transaction with one multi-row insert.

    The same as calling :func:`append` for each (same order, same checks: a bad entry
    raises InvalidInput naming its index and writes none of them), for bulk changes such
    as CSV imports. Returns the sequence numbers.
    """
    checked = []
    for index, item in enumerate(entries):
        try:
            checked.append((item, _checked_payload(item.tag, item.subject, item.payload)))
        except InvalidInput as exc:
            details = [
                {**d, "loc": f"entries[{index}].{d.get('loc', '')}"} for d in exc.details or []
            ]
            raise InvalidInput.worded(
                N_("entries[%(index)s]: %(message)s"),
                details=details,
                index=index,
                message=exc.message,
            ) from exc
    writer = _writer(session, settings)
    writer.flush_pending()
    writer.pending = []
    try:
        seqs = []
        for item, payload_bytes in checked:
            entry = writer.write(
                tag=item.tag,
                subject=item.subject,
                payload_bytes=payload_bytes,
                member_id=item.actor.member_id,
                user_id=item.actor.user_id,
                signer=writer.signer_for(item.actor.member_id),
            )
            seqs.append(entry.seq)
        writer.flush_pending()
    except BaseException:
        # The held-back rows are gone: the next append must read the head again.
        session.info.pop(_WRITER_KEY, None)
        raise
    finally:
        writer.pending = None
    return seqs


def ensure_centre_key(session: Session, settings: Settings) -> str:
    """Make sure the centre has a signing key (key file 0600 + ledgered); its key id."""
    return _writer(session, settings).signer_for(CENTRE_MEMBER_ID).key_id


# -- keys ---------------------------------------------------------------------------------


def _key_public(row: LedgerKeyRow) -> KeyPublic:
    return KeyPublic.model_validate(row, from_attributes=True)


def list_keys(ctx: ServiceContext, *, member_id: str | None = None) -> list[KeyPublic]:
    """Every public key the ledger knows, oldest first."""
    with ctx.reader() as session:
        query = select(LedgerKeyRow).order_by(LedgerKeyRow.added_seq)
        if member_id is not None:
            query = query.where(LedgerKeyRow.member_id == member_id)
        return [_key_public(row) for row in session.scalars(query)]


def _check_public_key(public_key_hex: str) -> str:
    value = public_key_hex.strip().lower()
    try:
        public_key_from_hex(value)
    except ValueError as exc:
        raise InvalidInput.worded(
            N_("public_key must be 64 hex digits (a raw Ed25519 public key)"),
            details=[problem("public_key", str(exc))],
        ) from exc
    return value


def _check_key_actor(actor: Actor, member_id: str) -> None:
    # The verifier accepts key changes signed by the centre or by the member itself only.
    if actor.member_id not in (CENTRE_MEMBER_ID, member_id):
        raise Forbidden.worded(
            N_("only the centre or %(member_id)s itself may change %(member_id)s's keys"),
            details=[problem("member_id", N_("another member's keys"))],
            member_id=repr(member_id),
        )


def add_member_key(
    ctx: ServiceContext, *, member_id: str, public_key: str, actor: Actor
) -> KeyPublic:
    """Register a public key whose private key the member keeps (custody ``member``).

    The member can then submit pre-signed entries. Adding the same key again is a no-op.
    """
    public_key = _check_public_key(public_key)
    validate_subject(member_id)
    _check_key_actor(actor, member_id)
    key_id = key_id_for(public_key)
    with ctx.unit_of_work() as session:
        existing = session.get(LedgerKeyRow, key_id)
        if existing is not None:
            if existing.member_id != member_id:
                raise Conflict.worded(
                    N_("key %(key_id)s is registered to %(member_id)s"),
                    details=[problem("public_key", N_("registered to another member"))],
                    key_id=key_id,
                    member_id=repr(existing.member_id),
                )
            return _key_public(existing)
        # The centre vouching for another key would let the server sign as the member.
        ledger_custody.check_server_may_sign(session, member_id)
        writer = _writer(session, ctx.settings)
        writer.register_key(member_id, public_key, custody="member", actor=actor)
        session.flush()
        # From now on only the member's own keys sign for it: its server-held keys end.
        centre = Actor(CENTRE_MEMBER_ID, actor.user_id)
        for server_key in ledger_custody.server_keys_to_end(session, member_id):
            writer.revoke(server_key, actor=centre, reason=ledger_custody.REVOKE_REASON)
        session.flush()
        row = session.get(LedgerKeyRow, key_id)
        assert row is not None
        return _key_public(row)


def rotate_key(
    ctx: ServiceContext,
    *,
    member_id: str,
    actor: Actor,
    public_key: str | None = None,
    key_id: str | None = None,
) -> KeyPublic:
    """Replace the member's active key (``key_id``, when it has several) by a new one.

    Without ``public_key`` the server makes the new key and keeps it in the key file;
    with it, the member keeps the private key. The old key stops being valid at once.
    """
    _check_key_actor(actor, member_id)
    new_public = _check_public_key(public_key) if public_key is not None else None
    with ctx.unit_of_work() as session:
        ledger_custody.check_server_may_sign(session, member_id)
        writer = _writer(session, ctx.settings)
        old = _active_key(session, member_id, key_id)
        if new_public is None:
            new_key = writer.new_server_key(member_id)
            new_public, custody = new_key.public_key_hex, "server"
        else:
            custody = "member"
            if session.get(LedgerKeyRow, key_id_for(new_public)) is not None:
                raise Conflict.worded(
                    N_("that key is already registered"),
                    details=[problem("public_key", N_("already registered"))],
                )
        if member_id == CENTRE_MEMBER_ID and custody != "server":
            raise InvalidInput.worded(
                N_("the centre signs on the server: its key must be kept in the key file"),
                details=[problem("public_key", N_("not allowed for the centre"))],
            )
        # Sign with the old key's authority before it ends (the centre, or the member).
        writer.register_key(
            member_id, new_public, custody=custody, actor=actor, replaces=old.key_id
        )
        session.flush()
        row = session.get(LedgerKeyRow, key_id_for(new_public))
        assert row is not None
        return _key_public(row)


def revoke_key(ctx: ServiceContext, *, key_id: str, actor: Actor, reason: str = "") -> KeyPublic:
    """End a key's validity now: entries it signs later do not verify."""
    with ctx.unit_of_work() as session:
        writer = _writer(session, ctx.settings)
        row = session.get(LedgerKeyRow, key_id)
        if row is None:
            raise NotFound.unknown(
                N_("no key %(id)s"), key_id, field="key_id", reason=N_("unknown key")
            )
        _check_key_actor(actor, row.member_id)
        if row.ended_seq is not None:
            return _key_public(row)
        if (
            row.member_id == CENTRE_MEMBER_ID
            and len(ledger_custody.valid_keys(session, CENTRE_MEMBER_ID)) < 2
        ):
            raise Conflict.worded(
                N_("this is the centre's only valid key: rotate it instead of revoking it"),
                details=[problem("key_id", N_("the centre's last valid key"))],
            )
        writer.revoke(row, actor=actor, reason=reason)
        session.flush()
        return _key_public(row)


def _active_key(session: Session, member_id: str, key_id: str | None) -> LedgerKeyRow:
    active = ledger_custody.valid_keys(session, member_id)
    if key_id is not None:
        active = [k for k in active if k.key_id == key_id]
    if not active:
        raise NotFound.worded(
            N_("%(member_id)s has no valid key %(key_id)s to rotate")
            if key_id
            else N_("%(member_id)s has no valid key to rotate"),
            details=[problem("key_id" if key_id else "member_id", N_("no valid key"))],
            member_id=repr(member_id),
            key_id=key_id,
        )
    if len(active) > 1:
        raise InvalidInput.worded(
            N_("%(member_id)s has %(count)s valid keys: say which one to rotate"),
            details=[problem("key_id", N_("ambiguous"))],
            member_id=repr(member_id),
            count=len(active),
        )
    return active[0]


# -- pre-signed entries ---------------------------------------------------------------------


PRESIGNED_CLOCK_SKEW = timedelta(minutes=5)
MAX_PRESIGNED_PAYLOAD_BYTES = 64 * 1024
"""The largest payload a member may pre-sign (its key entries and statements are a few
hundred bytes). Every member keeps and verifies the whole ledger for ever and no entry is
ever removed from the chain, so a member's 10 MiB statements, 120 a minute from one
address, grew everyone's copy by a gigabyte a minute."""


def append_presigned(
    ctx: ServiceContext, *, header: str, payload: str, signature: str
) -> EntryPublic:
    """Append an entry a member signed itself (its key never touches the server).

    The member builds the header on top of the current head (``seq`` = head + 1, ``prev``
    = head hash), within five minutes of the server's clock, and signs it with a key the
    ledger holds as valid for it: that signature is the authentication. When the head has
    moved meanwhile the answer is a Conflict naming the new head (sign again on top of it);
    sending the same entry again returns it, so retries do not duplicate.
    """
    header_bytes = header.encode("utf-8")
    payload_bytes = payload.encode("utf-8")
    if len(payload_bytes) > MAX_PRESIGNED_PAYLOAD_BYTES:
        raise PayloadTooLarge.worded(
            N_("a pre-signed payload holds at most %(limit)s bytes"),
            details=[
                problem(
                    "payload",
                    N_("%(size)s bytes, over %(limit)s"),
                    size=len(payload_bytes),
                    limit=MAX_PRESIGNED_PAYLOAD_BYTES,
                )
            ],
            limit=MAX_PRESIGNED_PAYLOAD_BYTES,
        )
    parsed = _check_presigned(header_bytes, payload_bytes, signature)
    seal_closed_days(ctx)
    with ctx.unit_of_work() as session:
        writer = _writer(session, ctx.settings)
        key = session.get(LedgerKeyRow, parsed.key)
        if key is None or key.member_id != parsed.member or key.ended_seq is not None:
            raise Unauthorized.worded(
                N_("key %(key)s is not a currently valid key of member %(member)s"),
                key=parsed.key,
                member=repr(parsed.member),
            )
        if not signature_is_valid(key.public_key, signature, header_bytes):
            raise Unauthorized.worded(N_("the signature does not verify with the member's key"))
        since = ledger_custody.holds_own_keys(session, parsed.member)
        if since is not None and key.custody != "member":
            raise ledger_custody.refuse_server_signature(parsed.member, since)
        if parsed.user is not None:
            _check_presigned_user(session, parsed.user, parsed.member)
        project: Callable[[Session, int, datetime], None] | None = None
        if parsed.tag in ledger_custody.KEY_TAGS:
            project = ledger_custody.check_key_entry(
                session, parsed, json.loads(payload_bytes), key
            )
        # Authenticated: the same entry sent again (a retry) is answered with the stored one.
        entry_hash = sha256_hex(header_bytes)
        existing = session.scalar(
            select(LedgerEntryRow).where(LedgerEntryRow.entry_hash == entry_hash)
        )
        if existing is not None:
            return _entry_public(existing)
        head = writer.head
        if head is None or parsed.seq != head.seq + 1 or parsed.prev != head.entry_hash:
            raise Conflict.worded(
                N_("the ledger head has moved: sign the entry again on top of the current head"),
                details=[
                    problem(
                        "header.seq",
                        N_("expected head + 1"),
                        extra={"head_seq": head.seq if head else 0},
                    ),
                    problem(
                        "header.prev",
                        N_("expected the head hash"),
                        extra={"head_hash": head.entry_hash if head else GENESIS_PREV},
                    ),
                ],
            )
        instant = parsed.instant
        now = utcnow()
        if instant < head.recorded_at or abs(now - instant) > PRESIGNED_CLOCK_SKEW:
            raise InvalidInput.worded(
                N_("header.ts must be now (within 5 minutes) and not before the head"),
                details=[problem("header.ts", N_("server time is %(now)s"), now=format_ts(now))],
            )
        if instant.date() != head.recorded_at.date():
            raise Conflict.worded(
                N_("a new day has started: the previous day is being sealed; sign again"),
                details=[problem("header.ts", N_("day changed since the head"))],
            )
        entry = SignedEntry(
            header=parsed,
            header_bytes=header_bytes,
            payload_bytes=payload_bytes,
            entry_hash=entry_hash,
            signature=signature,
        )
        writer.store(entry, instant)
        session.flush()
        if project is not None:
            project(session, parsed.seq, instant)
            session.flush()
            writer.signers.clear()  # the member's keys changed: look them up again
        row = session.get(LedgerEntryRow, parsed.seq)
        assert row is not None
        return _entry_public(row)


def _check_presigned_user(session: Session, user: str, member: str) -> None:
    """Refuse a pre-signed entry whose ``user`` is not one of the signing member's users.

    Judged as ``ledger verify`` judges it (``verify.presigned_user_problem``), from the
    ledger itself: the ``auth:user:added`` entries the server wrote before this one (the
    head, under the write lock). A user never changes member, so what the first of them says
    holds at the entry's time; a user added later, or by a member's own key, counts for
    nothing."""
    added = session.execute(
        select(LedgerEntryRow.payload, LedgerKeyRow.custody)
        .join(LedgerKeyRow, LedgerKeyRow.key_id == LedgerEntryRow.key_id)
        .where(LedgerEntryRow.subject == f"user/{user}", LedgerEntryRow.tag == USER_ADDED)
        .order_by(LedgerEntryRow.seq)
    ).all()
    users: dict[str, str] = {}
    for payload, custody in added:
        found = user_added(payload.encode("utf-8"))
        if custody != MEMBER_CUSTODY and found is not None:
            users.setdefault(*found)
    if presigned_user_problem(users, user, member) is not None:
        raise Forbidden.worded(
            N_(
                "%(user)s is not a user of member %(member)s: "
                "a member's entry names only its own users"
            ),
            details=[
                problem(
                    "header.user",
                    N_("not a user of the signing member"),
                    extra={"member": users.get(user)},
                )
            ],
            user=repr(user),
            member=repr(member),
        )


@cache
def _area_tag_sources() -> dict[str, str]:
    """Tag source (``intake`` of ``intake:report:received``) → the areas whose records its
    entries describe: every source a state checker or payload rule claims, and the tags an
    area declares it writes (``Area.ledger_tags``)."""
    from ceasefire.areas import areas, resolve

    sources: dict[str, dict[str, None]] = {}
    for area in areas():
        claimed = [
            tag for ref in (area.checker, area.payload_rule) if ref for tag in resolve(ref).tags
        ]
        if area.ledger_tags:
            claimed += [str(tag) for tag in resolve(area.ledger_tags)]
        for tag in claimed:
            sources.setdefault(tag.partition(":")[0], {})[area.name] = None
    return {source: ", ".join(names) for source, names in sources.items()}


def _check_presigned_tag(tag: str) -> None:
    """Refuse a pre-signed entry under a tag the server writes (docs/ledger.md, "Pre-signed
    entries"). The ledger stores a pre-signed entry and changes nothing else, while
    ``ledger verify`` replays an area's entries against its records: an entry a member signed
    under an area's tag would change no record and make verification fail for everyone. A
    member pre-signs its own key entries and entries of tags no area writes (its own
    statements, recorded in the ledger only)."""
    if tag.startswith("ledger:") and tag not in ledger_custody.KEY_TAGS:
        raise InvalidInput.worded(
            N_("ledger:* entries are written by the server (keys through the key commands)"),
            details=[problem("header.tag", N_("reserved"))],
        )
    area = _area_tag_sources().get(tag.partition(":")[0])
    if area is not None:
        raise Forbidden.worded(
            N_(
                "%(tag)s is a tag of the server's records (%(area)s): their entries are written "
                "by the server as it changes those records, never pre-signed by a member"
            ),
            details=[problem("header.tag", N_("written by the server"), extra={"areas": area})],
            tag=tag,
            area=area,
        )


def _too_deep(field: str) -> InvalidInput:
    return InvalidInput.worded(
        N_("%(field)s is nested too deeply"),
        details=[problem(field, N_("nested too deeply"))],
        field=field,
    )


def _check_presigned(header_bytes: bytes, payload_bytes: bytes, signature: str) -> EntryHeader:
    """The header of a pre-signed entry, once header and payload are well formed. Anyone may
    send one (the signature, checked next, is the authentication): JSON nested past the
    decoder's or the canonical form's recursion limit is a 422 naming the field, never a
    server error with a traceback in the log."""
    try:
        parsed = EntryHeader.from_bytes(header_bytes)
        canonical_header = canonical_json(json.loads(header_bytes), field="header")
    except MalformedEntry as exc:
        raise unreadable(N_("header: %(error)s"), "header", exc) from exc
    except RecursionError:
        raise _too_deep("header") from None
    if canonical_header != header_bytes:
        raise InvalidInput.worded(
            N_("header is not in RFC 8785 canonical form"),
            details=[problem("header", N_("not canonical"))],
        )
    try:
        payload_value = json.loads(payload_bytes)
        canonical_payload = (
            canonical_json(payload_value) if isinstance(payload_value, dict) else b""
        )
    except ValueError as exc:
        raise InvalidInput.worded(
            N_("payload is not JSON"), details=[problem("payload", str(exc))]
        ) from exc
    except RecursionError:
        raise _too_deep("payload") from None
    if not isinstance(payload_value, dict) or canonical_payload != payload_bytes:
        raise InvalidInput.worded(
            N_("payload must be a JSON object in RFC 8785 canonical form"),
            details=[problem("payload", N_("not a canonical JSON object"))],
        )
    if sha256_hex(payload_bytes) != parsed.payload_sha256:
        raise InvalidInput.worded(
            N_("header.payload_sha256 is not the SHA-256 of the payload"),
            details=[problem("header.payload_sha256", N_("does not match the payload"))],
        )
    validate_tag(parsed.tag)
    validate_subject(parsed.subject)
    _check_presigned_tag(parsed.tag)
    try:
        parse_ts(parsed.ts)
    except MalformedEntry as exc:
        raise InvalidInput(str(exc), details=[problem("header.ts", str(exc))]) from exc
    if len(signature) != 128 or any(c not in "0123456789abcdef" for c in signature):
        raise InvalidInput.worded(
            N_("signature must be 128 lowercase hex digits"),
            details=[problem("signature", N_("not an Ed25519 signature in hex"))],
        )
    return parsed


# -- daily roots -----------------------------------------------------------------------------


def seal_closed_days(ctx: ServiceContext) -> list[str]:
    """Seal the last day with entries once it has ended (appends do it on their own when
    the next day's first entry comes); returns the days sealed."""
    with ctx.reader() as session:
        last = session.scalar(select(func.max(LedgerEntryRow.recorded_at)))
        sealed = session.scalar(select(func.max(LedgerRootRow.day)))
    if last is None or last.date() >= utcnow().date() or sealed == last.date():
        return []
    with ctx.unit_of_work() as session:
        writer = _writer(session, ctx.settings)
        head = writer.head
        now = writer.next_instant()
        if head is None or head.recorded_at.date() >= now.date():
            return []
        day = head.recorded_at.date()
        writer.seal_day(day, now)
        return [day.isoformat()]


def list_roots(ctx: ServiceContext) -> list[RootPublic]:
    """Every sealed day, oldest first."""
    with ctx.reader() as session:
        return [
            _root_public(row)
            for row in session.scalars(select(LedgerRootRow).order_by(LedgerRootRow.day))
        ]


def _root_public(row: LedgerRootRow) -> RootPublic:
    return shape_of(RootPublic, row, count=row.leaf_count)


def _require_reader(viewer: Viewer) -> None:
    """Entries are about shared and internal records: members only (each reading only the
    payloads the areas' payload rules let it: :func:`withheld_payloads`).

    The head, the daily roots and the keys stay public so that an outsider can anchor an
    exported bundle to what the centre published.
    """
    if viewer.is_public:
        raise Unauthorized.worded(N_("ledger entries are for members: send an API token"))


def entry_proof(ctx: ServiceContext, viewer: Viewer, seq: int) -> EntryProof:
    """The inclusion proof of entry ``seq`` in its day's Merkle tree, with the entry itself.

    For a sealed day the root is the one published by its ``ledger:root:sealed`` entry;
    for the current day it is the root of the entries so far, marked provisional.
    """
    _require_reader(viewer)
    with ctx.reader() as session:
        row = _entry_row(session, seq)
        day = row.recorded_at.date()
        leaves = _day_leaves(session, day)
        sealed_row = session.get(LedgerRootRow, day)
        sealed = (sealed_row.root, sealed_row.sealed_seq) if sealed_row is not None else None
        entry = _entry_public(row, withheld=bool(withheld_payloads(session, viewer, [row])))
    hashes = [leaf.entry_hash for leaf in leaves]
    index = [leaf.seq for leaf in leaves].index(seq)
    proof = InclusionProof(
        seq=seq,
        entry_hash=entry.entry_hash,
        day=day.isoformat(),
        leaf_index=index,
        tree_size=len(hashes),
        path=tuple(inclusion_path(hashes, index)),
        root=sealed[0] if sealed is not None else merkle_root(hashes),
        root_seq=sealed[1] if sealed is not None else None,
    )
    if not proof.verify():
        raise IntegrityError.worded(
            N_(
                "the stored entries of %(day)s do not give the root sealed at seq %(root_seq)s: "
                "run `ceasefire ledger verify`"
            ),
            code="E601",
            day=day,
            root_seq=proof.root_seq,
        )
    return EntryProof(
        proof=DayInclusionProof.model_validate(proof.as_dict()),
        entry=shape_of(ProvenEntry, entry, payload=entry.payload_canonical),
    )


def check_proof(document: Mapping[str, Any] | EntryProof, *, root: str | None = None) -> ProofCheck:
    """Check a proof document offline: the entry's hash, payload and path to the root.

    ``root`` is the published root to check against (default: the one in the document).
    """
    if isinstance(document, EntryProof):
        document = document.model_dump()
    try:
        proof = InclusionProof.from_dict(document.get("proof"))
        entry = document.get("entry") or {}
        header_bytes = str(entry["header"]).encode("utf-8")
        withheld = entry.get("payload") is None and entry.get("payload_withheld") is True
        payload_bytes = None if withheld else str(entry["payload"]).encode("utf-8")
        parsed = EntryHeader.from_bytes(header_bytes)
    except (ValueError, KeyError, TypeError) as exc:
        raise unreadable(N_("not a ledger proof: %(error)s"), "proof", exc) from exc
    problems = []
    if sha256_hex(header_bytes) != proof.entry_hash:
        problems.append("the entry's header does not hash to the proven entry hash")
    if payload_bytes is not None and sha256_hex(payload_bytes) != parsed.payload_sha256:
        problems.append("the entry's payload does not match its header")
    if root is not None and root != proof.root:
        problems.append(f"the proof is for root {proof.root}, not the published {root}")
    # The words printed ("entry N is in the tree of DAY") must be the entry's own.
    if proof.seq != parsed.seq:
        problems.append(f"the proof names seq {proof.seq}, the entry is seq {parsed.seq}")
    if proof.day != parsed.ts[:10]:
        problems.append(f"the proof names day {proof.day}, the entry is of {parsed.ts[:10]}")
    if not proof.verify():
        problems.append("the audit path does not lead to the root")
    return ProofCheck(
        ok=not problems,
        seq=parsed.seq,
        day=proof.day,
        root=proof.root,
        provisional=proof.root_seq is None,
        problems=problems,
        payload_withheld=withheld,
    )


# -- reading ------------------------------------------------------------------------------------


def _entry_public(row: LedgerEntryRow, *, withheld: bool = False) -> EntryPublic:
    """The entry as shown; ``withheld``: without its payload (the reader may not read the
    record it is about), everything that verifies the chain kept."""
    return shape_of(
        EntryPublic,
        row,
        payload=None if withheld else json.loads(row.payload),
        payload_withheld=withheld,
        payload_canonical=None if withheld else row.payload,
    )


def _payload_rules() -> list[PayloadRule]:
    from ceasefire.areas import contributions

    return contributions("payload_rule")


def withheld_payloads(session: Session, viewer: Viewer, rows: Sequence[LedgerEntryRow]) -> set[int]:
    """The seqs of ``rows`` whose payload ``viewer`` may not read.

    Each area's :class:`~ceasefire.ledger.check.PayloadRule` (declared in its ``Area``)
    judges the entries of its tags, in one batch; an operator reads every payload, and an
    entry no rule claims is shown to every member (agreements, members, keys, seals...).
    """
    if viewer.operator or not rows:
        return set()
    withheld: set[int] = set()
    for rule in _payload_rules():
        about = [
            EntryAbout(
                seq=row.seq,
                tag=row.tag,
                subject=row.subject,
                member_id=row.member_id,
                payload=_payload_of(row.payload),
            )
            for row in rows
            if row.tag.startswith(rule.tags)
        ]
        if about:
            readable = set(rule.readable(session, viewer, about))
            withheld |= {entry.seq for entry in about if entry.seq not in readable}
    return withheld


def _payload_of(text: str) -> Payload:
    value = json.loads(text)
    return Payload(value) if isinstance(value, dict) else Payload()


MAX_PAGE = 1000


def list_entries(
    ctx: ServiceContext,
    viewer: Viewer,
    *,
    after: int = 0,
    limit: int = 100,
    tag: str | None = None,
    subject: str | None = None,
) -> list[EntryPublic]:
    """Entries with ``seq > after`` in order, at most ``limit`` (1..1000); members only."""
    _require_reader(viewer)
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput.worded(
            N_("limit must be 1..%(max_page)s"),
            details=[problem("limit", N_("out of range"))],
            max_page=MAX_PAGE,
        )
    with ctx.reader() as session:
        query = (
            select(LedgerEntryRow)
            .where(LedgerEntryRow.seq > after)
            .order_by(LedgerEntryRow.seq)
            .limit(limit)
        )
        if tag is not None:
            query = query.where(LedgerEntryRow.tag.startswith(tag, autoescape=True))
        if subject is not None:
            query = query.where(LedgerEntryRow.subject == subject)
        rows = list(session.scalars(query))
        withheld = withheld_payloads(session, viewer, rows)
        return [_entry_public(row, withheld=row.seq in withheld) for row in rows]


def get_entry(ctx: ServiceContext, viewer: Viewer, seq: int) -> EntryPublic:
    """Entry ``seq``, its payload withheld when it is about a record ``viewer`` may not
    read; NotFound when there is none; members only."""
    _require_reader(viewer)
    with ctx.reader() as session:
        row = _entry_row(session, seq)
        return _entry_public(row, withheld=bool(withheld_payloads(session, viewer, [row])))


def head(ctx: ServiceContext) -> LedgerHead:
    """The last entry's sequence number, hash and time (what a pre-signed entry builds on)."""
    with ctx.reader() as session:
        row = session.execute(
            select(LedgerEntryRow.seq, LedgerEntryRow.entry_hash, LedgerEntryRow.recorded_at)
            .order_by(LedgerEntryRow.seq.desc())
            .limit(1)
        ).first()
    if row is None:
        return LedgerHead(seq=0, entry_hash=GENESIS_PREV, recorded_at=None)
    return LedgerHead(
        seq=row.seq, entry_hash=row.entry_hash, recorded_at=format_ts(row.recorded_at)
    )


# -- verification ---------------------------------------------------------------------------


@dataclass
class Verification:
    """The outcome of ``ceasefire ledger verify``: chain report plus state findings."""

    chain: ChainReport
    state_findings: list[Finding]
    state_checks: list[str]
    seconds: float

    @property
    def findings(self) -> list[Finding]:
        return [*self.chain.findings, *self.state_findings]

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def first_bad(self) -> Finding | None:
        return self.chain.first_bad or (self.state_findings[0] if self.state_findings else None)

    def summary(self) -> VerificationSummary:
        return verification_summary(
            self.chain, self.findings, self.first_bad, self.seconds, state_checks=self.state_checks
        )


def verification_summary(
    chain: ChainReport,
    findings: Sequence[Finding],
    first_bad: Finding | None,
    seconds: float,
    *,
    state_checks: Sequence[str] = (),
) -> VerificationSummary:
    """The summary both verify commands print (``--json`` prints it as is)."""
    return VerificationSummary(
        ok=not findings,
        entries=chain.entries,
        head_seq=chain.head_seq,
        head_hash=chain.head_hash,
        first_ts=chain.first_ts,
        last_ts=chain.last_ts,
        signatures_checked=chain.signatures_checked,
        payloads_withheld=chain.payloads_withheld,
        days_sealed=len(chain.roots),
        open_day=chain.open_day,
        keys=len(chain.keys),
        members=sorted(chain.members),
        state_checks=list(state_checks),
        seconds=round(seconds, 3),
        first_bad=finding_public(first_bad) if first_bad else None,
        findings=[finding_public(f) for f in findings],
    )


def finding_public(finding: Finding) -> FindingPublic:
    """``finding`` as the API and ``--json`` answer it; built without validation so that its
    message keeps its wording (a :class:`~ceasefire.errors.WordedText`: the English, which
    the CLI shows in the reader's language)."""
    return FindingPublic.model_construct(**finding.as_dict())


_READ_ENTRIES = text(
    "SELECT seq, header, payload, entry_hash, signature, recorded_at, tag, subject,"
    " member_id, user_id, key_id, payload_hash, prev_hash"
    " FROM ledger_entries WHERE seq > :after ORDER BY seq LIMIT :limit"
)


def _ts_text(value: Any) -> str:
    """A stored ``recorded_at`` as the header writes it, without building a datetime when
    the driver hands back SQLite's text (``YYYY-MM-DD HH:MM:SS.ffffff``)."""
    if isinstance(value, str):
        if len(value) == 26 and value[10] == " ":
            return f"{value[:10]}T{value[11:]}Z"
        return format_ts(datetime.fromisoformat(value).replace(tzinfo=UTC))
    return format_ts(value)


def _stored_entries(session: Session, *, batch: int = 5000) -> Iterator[StoredEntry]:
    """Every entry in ``seq`` order, read in keyset pages (no server-side cursor needed).

    A plain text query: the rows are only hashed and compared, so SQLAlchemy's type
    processing (which costs more than the verification itself) is skipped.
    """
    after = -(2**62)  # below any seq, even one a tamperer made negative
    while True:
        rows = session.execute(_READ_ENTRIES, {"after": after, "limit": batch}).all()
        for r in rows:
            yield StoredEntry(
                r[0],
                r[1].encode("utf-8"),
                r[2].encode("utf-8"),
                r[3],
                r[4],
                (_ts_text(r[5]), r[6], r[7], r[8], r[9], r[10], r[11], r[12]),
            )
        if len(rows) < batch:
            return
        after = rows[-1][0]


def _one_snapshot(session: Session) -> None:
    """Read everything that follows from one snapshot, however long it takes.

    On PostgreSQL that needs REPEATABLE READ (the first statement of the transaction);
    otherwise entries and rows appended meanwhile would make the chain and the tables
    disagree. A SQLite read transaction is one snapshot already (WAL).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))


def verify(
    ctx: ServiceContext,
    *,
    check_signatures: bool = True,
    check_state: bool = True,
    workers: int = 1,
) -> Verification:
    """Walk the whole chain, check keys, signatures and daily roots, then the main tables.

    ``workers`` > 1 checks signatures in that many other processes meanwhile.
    """
    from ceasefire.areas import contributions

    started = time.perf_counter()
    checkers: list[StateChecker] = contributions("checker") if check_state else []
    prefixes = tuple(p for c in checkers for p in c.tags)
    with ctx.reader() as session:
        _one_snapshot(session)
        verifier = ChainVerifier(
            check_signatures=check_signatures, collect_tags=prefixes, workers=workers
        )
        chain = verifier.feed_all(_stored_entries(session)).finish()
        state: list[Finding] = []
        names: list[str] = []
        if check_state:
            state.extend(_check_projections(session, chain))
            names.append("ledger keys and roots")
            for checker in checkers:
                relevant = [e for e in chain.collected if e.tag.startswith(checker.tags)]
                state.extend(checker.check(session, relevant))
                names.append(checker.name)
    return Verification(
        chain=chain,
        state_findings=state,
        state_checks=names,
        seconds=time.perf_counter() - started,
    )


def _check_projections(session: Session, chain: ChainReport) -> Iterator[Finding]:
    """The ``ledger_keys`` and ``ledger_roots`` tables must say what the entries say."""
    yield from _projection_findings(
        {row.key_id: row for row in session.scalars(select(LedgerKeyRow))},
        chain.keys,
        ("member_id", "public_key", "added_seq", "ended_seq"),
        "key",
        (
            N_("ledger_keys lacks key %(key)s"),
            N_("ledger_keys has an unledgered key %(key)s"),
            N_("ledger_keys row of key %(key)s differs from its key entries"),
        ),
        made=lambda key: key.added_seq,
        changed=lambda key: key.ended_seq or key.added_seq,
    )
    yield from _projection_findings(
        {row.day.isoformat(): row for row in session.scalars(select(LedgerRootRow))},
        {root.day: root for root in chain.roots},
        ("root", "sealed_seq"),
        "day",
        (
            N_("ledger_roots lacks day %(day)s"),
            N_("ledger_roots has an unsealed day %(day)s"),
            N_("ledger_roots row of %(day)s differs from its sealed root"),
        ),
        made=lambda root: root.sealed_seq,
        changed=lambda root: root.sealed_seq,
    )


def _projection_findings(
    rows: Mapping[str, Any],
    ledgered: Mapping[str, Any],
    fields: tuple[str, ...],
    name: str,
    words: tuple[str, str, str],
    *,
    made: Callable[[Any], int],
    changed: Callable[[Any], int | None],
) -> Iterator[Finding]:
    """A table's ``rows`` against what the entries say (``ledgered``), both by ``name``
    (the ``%(name)s`` of ``words``): a row no entry made, an entry with no row (``words``
    say which: lacks, unledgered, differs), or a row whose ``fields`` differ. The finding
    names the entry that ``made`` the thing, or for a difference the one that last
    ``changed`` it."""
    lacks, unledgered, differs = words
    for label in sorted(set(rows) | set(ledgered)):
        row, item = rows.get(label), ledgered.get(label)
        if row is None or item is None:
            yield Finding(
                made(item) if item else None,
                FindingKind.STATE_MISMATCH,
                worded_text(lacks if row is None else unledgered, **{name: label}),
            )
        elif any(getattr(row, field) != getattr(item, field) for field in fields):
            yield Finding(
                changed(item),
                FindingKind.STATE_MISMATCH,
                worded_text(differs, **{name: label}),
            )


# -- export -------------------------------------------------------------------------------------


def export_bundle(ctx: ServiceContext, out: Path) -> BundleSummary:
    """Write the self-contained bundle to ``out`` (atomically); returns its summary.

    The chain is walked while writing (hashes only), so the bundle's key and root lines
    are derived from the very entries it contains.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.partial")
    served_head = _served_head(ctx)
    with ctx.reader() as session:
        _one_snapshot(session)
        count = session.scalar(select(func.count()).select_from(LedgerEntryRow)) or 0
        last = session.execute(
            select(LedgerEntryRow.seq, LedgerEntryRow.entry_hash)
            .order_by(LedgerEntryRow.seq.desc())
            .limit(1)
        ).first()
        last_seq = last.seq if last else 0
        with tmp.open("w", encoding="utf-8") as handle:
            chain = write_bundle(
                handle,
                bundle_header(
                    exported_at=format_ts(utcnow()),
                    entries=count,
                    head_seq=last.seq if last else None,
                    head_hash=last.entry_hash if last else None,
                ),
                takewhile(lambda entry: entry.seq <= last_seq, _stored_entries(session)),
                served_head,
            )
    tmp.replace(out)
    return BundleSummary(
        path=str(out),
        entries=count,
        head_seq=last.seq if last else None,
        head_hash=last.entry_hash if last else None,
        keys=len(chain.keys),
        roots=len(chain.roots),
        bytes=out.stat().st_size,
    )


def _served_head(ctx: ServiceContext) -> dict[str, Any] | None:
    """The signed tree head with its cosignatures, for a bundle: taken before the entries
    are read, so the bundle holds its tree. None where no head can be signed (no centre
    key yet, or its key file is not here): the bundle then carries none."""
    try:
        return ledger_tree.public_head(ctx).model_dump(mode="json")
    except (IntegrityError, Unavailable) as exc:
        log.warning("the bundle carries no tree head: %s", exc)
        return None


def verify_bundle_file(path: Path, **checks: Unpack[BundleChecks]) -> VerificationSummary:
    """Verify an exported bundle offline (no database); the same summary as ``verify``;
    ``checks`` as :func:`~ceasefire.ledger.bundle.verify_bundle` takes them.

    ``witnessed``: the last head a witness kept (``witness.witnessed_head``), signed with
    ``witnessed_key``; the bundle must then hold its tree (the bundle's own header is
    unsigned: a bundle cut short passes without one)."""
    path = Path(path)
    if not path.is_file():
        raise NotFound.worded(
            N_("no bundle at %(path)s"), details=[problem("bundle", N_("no such file"))], path=path
        )
    started = time.perf_counter()
    report = verify_bundle(path, **checks)
    return verification_summary(
        report.chain, report.findings, report.first_bad, time.perf_counter() - started
    )


# -- installation ---------------------------------------------------------------------------


def setup_ledger(ctx: ServiceContext) -> list[str]:
    """``ceasefire init`` step: the key file (0600) with the centre's key, ledgered. Idempotent."""
    with ctx.unit_of_work() as session:
        key_id = ensure_centre_key(session, ctx.settings)
    return [f"ledger: the centre signs with key {key_id} from {ctx.settings.key_file} (0600)"]


# -- for publishing: what changed, and the head at an instant -------------------------------


@dataclass(frozen=True)
class RecordedChange:
    """One ledger entry as a change feed reads it: when, what kind, about what."""

    seq: int
    recorded_at: datetime
    tag: str
    subject: str
    payload: dict[str, Any]


def changes(
    session: Session,
    *,
    since: datetime | None = None,
    subjects: Sequence[str] | None = None,
    chunk: int = 5000,
) -> Iterator[RecordedChange]:
    """Entries recorded after ``since`` (all when None), or only those about ``subjects``,
    in chain order; payloads parsed. The caller's session: it reads in its own snapshot."""
    query = select(
        LedgerEntryRow.seq,
        LedgerEntryRow.recorded_at,
        LedgerEntryRow.tag,
        LedgerEntryRow.subject,
        LedgerEntryRow.payload,
    ).order_by(LedgerEntryRow.seq)
    if since is not None:
        query = query.where(LedgerEntryRow.recorded_at > since)
    parts: list[Sequence[str] | None] = [None]
    if subjects is not None:
        listed = sorted(set(subjects))
        parts = [listed[i : i + chunk] for i in range(0, len(listed), chunk)]
    for part in parts:
        page = query if part is None else query.where(LedgerEntryRow.subject.in_(part))
        for seq, at, tag, subject, payload in session.execute(page):
            loaded = json.loads(payload)
            yield RecordedChange(seq, at, tag, subject, loaded if isinstance(loaded, dict) else {})


def head_at(session: Session, at: datetime | None = None) -> tuple[int, datetime | None, str]:
    """The last entry recorded at or before ``at`` (the newest when None): its sequence
    number, time and hash; ``(0, None, GENESIS_PREV)`` for an empty ledger."""
    query = select(LedgerEntryRow.seq, LedgerEntryRow.recorded_at, LedgerEntryRow.entry_hash)
    if at is not None:
        query = query.where(LedgerEntryRow.recorded_at <= at)
    row = session.execute(query.order_by(LedgerEntryRow.seq.desc()).limit(1)).first()
    if row is None:
        return 0, None, GENESIS_PREV
    return int(row.seq), row.recorded_at, str(row.entry_hash)


def root_of_day(session: Session, before: date) -> RootPublic | None:
    """The sealed daily root of the last UTC day before ``before`` (None: none sealed)."""
    row = session.scalars(
        select(LedgerRootRow).where(LedgerRootRow.day < before).order_by(LedgerRootRow.day.desc())
    ).first()
    return None if row is None else _root_public(row)
