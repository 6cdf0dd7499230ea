"""Walk a chain of stored entries and say precisely what, if anything, is wrong.

The verifier is fed entries in stored order and checks, for each one: the header parses,
its ``seq`` follows the previous one, ``prev`` is the SHA-256 of the previous header, the
stored entry hash and payload hash match the stored bytes, the columns stored beside the
header agree with it, the key was valid for that member at that point of the chain, the
signature verifies, timestamps never go back, and every closed UTC day was sealed with the
right Merkle root by the first entry of the next day. It hashes stored bytes only: nothing
is canonicalised again.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ceasefire.errors import CeasefireError, WordedText, worded_text
from ceasefire.i18n.markers import N_
from ceasefire.ledger.canonical import canonical_json
from ceasefire.ledger.entry import (
    GENESIS_PREV,
    KEY_ADDED,
    KEY_REVOKED,
    KEY_ROTATED,
    ROOT_SEALED,
    USER_ADDED,
    EntryHeader,
    MalformedEntry,
    parse_ts,
)
from ceasefire.ledger.keys import (
    ALGORITHM,
    CENTRE_MEMBER_ID,
    MEMBER_CUSTODY,
    KeyRecord,
    KeyRing,
    key_id_for,
    public_key_from_hex,
    signature_is_valid,
)
from ceasefire.ledger.merkle import TREE_ALGORITHM, merkle_root

_sha256 = hashlib.sha256
_CANONICAL_HEADER = re.compile(
    # The usual header, exactly as RFC 8785 writes it (keys sorted, no white space) and
    # with no escaped characters: matched without a JSON parse. Anything else takes the
    # detailed path, which parses it and says what is wrong.
    r'\{"key":"([0-9a-f]{32})","member":"([^"\\\x00-\x1f]*)",'
    r'"payload_sha256":"([0-9a-f]{64})","prev":"([0-9a-f]{64})","seq":([1-9][0-9]{0,15}),'
    r'"subject":"([^"\\\x00-\x1f]*)","tag":"([a-z0-9:_-]{1,128})",'
    r'"ts":"([0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{6}Z)",'
    r'"user":(?:null|"([^"\\\x00-\x1f]*)"),"v":1\}'
).fullmatch


class FindingKind(StrEnum):
    """What is wrong with an entry (or with the main tables, for ``STATE_MISMATCH``)."""

    PAYLOAD_CHANGED = "payload_changed"
    ENTRY_CHANGED = "entry_changed"
    ENTRY_MISSING = "entry_missing"
    ORDER_CHANGED = "order_changed"
    CHAIN_BROKEN = "chain_broken"
    SIGNATURE_INVALID = "signature_invalid"
    KEY_NOT_VALID = "key_not_valid"
    KEY_ENTRY_INVALID = "key_entry_invalid"
    ROOT_INVALID = "root_invalid"
    MALFORMED = "malformed"
    USER_NOT_VALID = "user_not_valid"
    STATE_MISMATCH = "state_mismatch"
    COSIGNER_MISSING = "cosigner_missing"
    OTHER_INSTALLATION = "other_installation"

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]


# English (the ``what`` of ``--json`` and the API); marked, so the CLI shows them translated.
_DESCRIPTIONS = {
    FindingKind.PAYLOAD_CHANGED: N_("payload changed"),
    FindingKind.ENTRY_CHANGED: N_("entry changed"),
    FindingKind.ENTRY_MISSING: N_("entry missing"),
    FindingKind.ORDER_CHANGED: N_("order changed"),
    FindingKind.CHAIN_BROKEN: N_("chain broken"),
    FindingKind.SIGNATURE_INVALID: N_("signature invalid"),
    FindingKind.KEY_NOT_VALID: N_("key not valid at that time"),
    FindingKind.KEY_ENTRY_INVALID: N_("key entry invalid"),
    FindingKind.ROOT_INVALID: N_("daily root invalid"),
    FindingKind.MALFORMED: N_("entry unreadable"),
    FindingKind.USER_NOT_VALID: N_("user not of the signing member"),
    FindingKind.STATE_MISMATCH: N_("main tables differ from the ledger"),
    FindingKind.COSIGNER_MISSING: N_("cosigner missing"),
    FindingKind.OTHER_INSTALLATION: N_("tree head of another installation"),
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: where (a sequence number, when there is one) and what."""

    seq: int | None
    kind: FindingKind
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "kind": self.kind.value,
            "what": self.kind.description,
            "message": self.message,
        }

    def __str__(self) -> str:
        where = f"seq {self.seq}" if self.seq is not None else "state"
        return f"{where}: {self.kind.description}: {self.message}"


def presigned_user_problem(users: Mapping[str, str], user: str, member: str) -> WordedText | None:
    """Why a member's pre-signed entry may not name ``user`` (None: it may).

    ``users`` maps each user id to its member as the server's ``auth:user:added`` entries
    before the entry say (the first such entry of an id; a user never changes member). A
    member's signature covers the ``user`` it writes, but only the server adds users: an
    entry signed by Azerbaijan's key naming Armenia's liaison, the centre's operator or a
    user not yet added would put someone else's name on it.
    """
    owner = users.get(user)
    if owner is None:
        return worded_text(
            N_("user %(user)s is not a user of any member before this entry"), user=repr(user)
        )
    if owner != member:
        return worded_text(
            N_("user %(user)s is a user of %(owner)s, not of the signing member %(member)s"),
            user=repr(user),
            owner=repr(owner),
            member=repr(member),
        )
    return None


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """An entry as read from storage, before any check.

    ``columns`` holds what the store keeps beside the header, to be compared with it:
    ``(ts, tag, subject, member, user, key, payload_sha256, prev)``; None when the store
    keeps nothing beside it (a bundle line). ``payload`` is None when it is withheld (a
    member's copy of entries about records it may not read): the header, hash and signature
    are checked, the payload is not, and no state check replays it.
    """

    seq: int
    header: bytes
    payload: bytes | None
    entry_hash: str
    signature: str
    columns: tuple[str, str, str, str, str | None, str, str, str] | None = None


@dataclass(frozen=True, slots=True)
class CollectedEntry:
    """An entry whose tag a state checker asked for, with its parsed payload."""

    seq: int
    ts: str
    tag: str
    subject: str
    member: str
    payload: Any


@dataclass(frozen=True, slots=True)
class SealedRoot:
    day: str
    first_seq: int
    last_seq: int
    count: int
    root: str
    sealed_seq: int


class WithFindings:
    """``ok`` and ``first_bad`` of a report that lists its findings in chain order."""

    findings: list[Finding]

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def first_bad(self) -> Finding | None:
        """The finding with the lowest sequence number (state findings come last)."""
        located = [f for f in self.findings if f.seq is not None]
        if located:
            return min(located, key=lambda f: f.seq or 0)
        return self.findings[0] if self.findings else None


@dataclass
class ChainReport(WithFindings):
    """What a walk found: counts for the summary and every finding, in chain order."""

    entries: int = 0
    head_seq: int | None = None
    head_hash: str | None = None
    first_ts: str | None = None
    last_ts: str | None = None
    signatures_checked: int = 0
    payloads_withheld: int = 0
    open_day: str | None = None
    roots: list[SealedRoot] = field(default_factory=list)
    keys: dict[str, KeyRecord] = field(default_factory=dict)
    members: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)
    collected: list[CollectedEntry] = field(default_factory=list)


class ChainVerifier:
    """Feed entries in stored order with :meth:`feed`, then call :meth:`finish`."""

    def __init__(
        self,
        *,
        check_signatures: bool = True,
        collect_tags: Iterable[str] = (),
        max_findings: int = 100,
        workers: int = 1,
    ) -> None:
        self.check_signatures = check_signatures
        # With workers > 1, signatures are checked in other processes while this one walks
        # the chain: Ed25519 verification is the bulk of the cost and needs nothing but
        # the key, the signature and the header of each entry.
        self._parallel = _ParallelSignatures(workers) if check_signatures and workers > 1 else None
        self.collect_prefixes = tuple(collect_tags)
        self.max_findings = max_findings
        self.report = ChainReport()
        self.ring = KeyRing()
        self._expected_seq = 1
        self._prev_hash = GENESIS_PREV
        self._prev_ts = ""
        self._seen: set[int] = set()
        self._gaps: list[tuple[int, int]] = []  # (first expected, header seq found instead)
        self._day = ""
        self._day_first = 0
        self._day_hashes: list[str] = []
        self._located: list[Finding] = []
        self._genesis_header = b""
        self._genesis_signature = ""
        self._members: set[str] = set()
        self._active: dict[str, tuple[str, Ed25519PublicKey, str]] = {}
        # Keys a member holds itself (their entries are pre-signed), and the users the
        # server added so far: a pre-signed entry's ``user`` must be one of its member's.
        self._member_keys: frozenset[str] = frozenset()
        self._users: dict[str, str] = {}
        self._users_withheld = False
        self._slow_prefixes = ("ledger:", USER_ADDED, *self.collect_prefixes)

    # -- findings -----------------------------------------------------------------------

    def _find(self, seq: int | None, kind: FindingKind, message: str) -> None:
        if len(self._located) < self.max_findings:
            self._located.append(Finding(seq, kind, message))

    def _find_bad_signature(self, seq: int, key: str, member: str) -> None:
        """The finding of an entry whose signature does not verify, checked here or by the
        parallel workers."""
        self._find(
            seq,
            FindingKind.SIGNATURE_INVALID,
            worded_text(
                N_("signature does not verify with key %(key)s of %(member)s"),
                key=key,
                member=repr(member),
            ),
        )

    # -- the walk -----------------------------------------------------------------------

    def feed(self, entry: StoredEntry) -> None:
        """Check one entry against everything seen before it.

        The common case (a well-formed, correctly chained entry of the current day, signed by
        an active key) takes one flat path: two SHA-256, one C JSON parse, one signature.
        Anything unusual falls through to :meth:`_feed_detailed`, which names the problem.
        """
        header_bytes = entry.header
        computed = _sha256(header_bytes).hexdigest()
        try:
            match = _CANONICAL_HEADER(header_bytes.decode("utf-8"))
            if match is None:
                raise ValueError("not the usual canonical header")
            key, member, payload_sha256, prev, seq_text, subject, tag, ts, user = match.groups()
            seq = int(seq_text)
            active = self._active.get(key)
            columns = entry.columns
            if (
                seq == self._expected_seq
                and seq == entry.seq
                and prev == self._prev_hash
                and entry.entry_hash == computed
                and entry.payload is not None
                and _sha256(entry.payload).hexdigest() == payload_sha256
                and ts >= self._prev_ts
                and ts[:10] == self._day
                and active is not None
                and active[0] == member
                and (user is None or key not in self._member_keys)
                and not tag.startswith(self._slow_prefixes)
                and (
                    columns is None
                    or columns == (ts, tag, subject, member, user, key, payload_sha256, prev)
                )
            ):
                if self._parallel is not None:
                    self.report.signatures_checked += 1
                    self._parallel.add(seq, active[2], entry.signature, header_bytes, key, member)
                elif self.check_signatures:
                    self.report.signatures_checked += 1
                    try:
                        active[1].verify(bytes.fromhex(entry.signature), header_bytes)
                    except (InvalidSignature, ValueError):
                        self._find_bad_signature(seq, key, member)
                self._seen.add(seq)
                self._members.add(member)
                self._day_hashes.append(computed)
                self._prev_ts = ts
                self._prev_hash = computed
                self._expected_seq = seq + 1
                self.report.entries += 1
                return
        except (ValueError, KeyError, TypeError, AttributeError, IndexError):
            pass
        self._feed_detailed(entry)

    def _refresh_active(self) -> None:
        self._active = {
            k.key_id: (k.member_id, public_key_from_hex(k.public_key), k.public_key)
            for k in self.ring.keys.values()
            if k.active
            # A server-held key of a member that holds its own keys signs nothing valid:
            # the careful path names it.
            and (k.member_id not in self.ring.self_custody or k.custody == MEMBER_CUSTODY)
        }
        self._member_keys = frozenset(
            k.key_id for k in self.ring.keys.values() if k.custody == MEMBER_CUSTODY
        )

    def _feed_detailed(self, entry: StoredEntry) -> None:
        """The careful path: every check on its own, each failure named."""
        expected = self._expected_seq
        header_bytes = entry.header
        computed_hash = hashlib.sha256(header_bytes).hexdigest()
        try:
            data = json.loads(header_bytes)
            header = EntryHeader.from_dict(data)
        except (MalformedEntry, ValueError, RecursionError) as exc:
            self._find(
                entry.seq or expected,
                FindingKind.MALFORMED,
                worded_text(N_("header unreadable: %(problem)s"), problem=exc),
            )
            self._expected_seq = max(expected, entry.seq) + 1
            self._prev_hash = computed_hash
            return
        seq = header.seq
        if not _is_canonical(data, header_bytes):
            self._find(
                seq,
                FindingKind.MALFORMED,
                worded_text(N_("header is not in RFC 8785 canonical form")),
            )
        try:
            # A time that is no time ("…Tnoon") sorts after every real one of its day.
            parse_ts(header.ts)
        except MalformedEntry as exc:
            self._find(seq, FindingKind.MALFORMED, str(exc))
        self.report.entries += 1
        self._seen.add(seq)
        order_problem = False
        if seq != expected:
            order_problem = True
            if seq > expected:
                self._gaps.append((expected, seq))
            else:
                self._find(
                    seq,
                    FindingKind.ORDER_CHANGED,
                    worded_text(
                        N_("entry %(seq)s stored after entry %(previous)s"),
                        seq=seq,
                        previous=expected - 1,
                    ),
                )
        if entry.seq != seq:
            self._find(
                min(entry.seq, seq),
                FindingKind.ORDER_CHANGED,
                worded_text(
                    N_("stored as seq %(stored)s but signed as seq %(seq)s"),
                    stored=entry.seq,
                    seq=seq,
                ),
            )
            order_problem = True
        if header.prev != self._prev_hash and not order_problem:
            self._find(
                seq,
                FindingKind.CHAIN_BROKEN,
                worded_text(
                    N_("prev %(prev)s… is not the hash of entry %(previous)s (%(hash)s…)"),
                    prev=header.prev[:16],
                    previous=seq - 1,
                    hash=self._prev_hash[:16],
                ),
            )
        if entry.entry_hash != computed_hash:
            self._find(
                seq,
                FindingKind.ENTRY_CHANGED,
                worded_text(N_("stored entry hash is not the SHA-256 of the stored header")),
            )
        if entry.payload is None:
            self.report.payloads_withheld += 1
            if header.tag.startswith("ledger:"):
                # Keys and seals are every member's to read; without them nothing after
                # them can be checked.
                self._find(
                    seq,
                    FindingKind.MALFORMED,
                    worded_text(N_("the payload of %(tag)s is withheld"), tag=header.tag),
                )
        elif hashlib.sha256(entry.payload).hexdigest() != header.payload_sha256:
            self._find(
                seq,
                FindingKind.PAYLOAD_CHANGED,
                worded_text(
                    N_("SHA-256 of the stored payload differs from the signed payload_sha256")
                ),
            )
        if entry.columns is not None:
            self._compare_columns(seq, header, entry.columns)
        if header.ts < self._prev_ts:
            self._find(
                seq,
                FindingKind.ORDER_CHANGED,
                worded_text(
                    N_("timestamp %(ts)s is earlier than the previous entry's %(previous)s"),
                    ts=header.ts,
                    previous=self._prev_ts,
                ),
            )
        self._check_key_and_signature(seq, header, header_bytes, entry)
        self._check_user(seq, header, entry.payload)
        tag = header.tag
        if tag.startswith("ledger:") and entry.payload is not None:
            self._apply_ledger_entry(seq, header, entry.payload)
        self._track_day(seq, header, computed_hash)
        if self.collect_prefixes and tag.startswith(self.collect_prefixes) and entry.payload:
            self._collect(seq, header, entry.payload)
        self._members.add(header.member)
        if self.report.first_ts is None:
            self.report.first_ts = header.ts
        self._prev_ts = header.ts
        self._prev_hash = computed_hash
        self._expected_seq = seq + 1

    def _compare_columns(
        self,
        seq: int,
        header: EntryHeader,
        columns: tuple[str, str, str, str, str | None, str, str, str],
    ) -> None:
        signed = (
            header.ts,
            header.tag,
            header.subject,
            header.member,
            header.user,
            header.key,
            header.payload_sha256,
            header.prev,
        )
        if columns != signed:
            names = (
                "recorded_at",
                "tag",
                "subject",
                "member_id",
                "user_id",
                "key_id",
                "payload_hash",
                "prev_hash",
            )
            changed = [n for n, a, b in zip(names, columns, signed, strict=True) if a != b]
            self._find(
                seq,
                FindingKind.ENTRY_CHANGED,
                worded_text(
                    N_("stored %(fields)s differ from the signed header"), fields=", ".join(changed)
                ),
            )

    def _check_key_and_signature(
        self, seq: int, header: EntryHeader, header_bytes: bytes, entry: StoredEntry
    ) -> None:
        if seq == 1 and header.tag == KEY_ADDED:
            # Genesis is self-signed: checked with the key it adds, once that is read.
            self._genesis_header = header_bytes
            self._genesis_signature = entry.signature
            return
        ring_problem = self.ring.validity_problem(header.key, header.member)
        if ring_problem is not None:
            self._find(seq, FindingKind.KEY_NOT_VALID, ring_problem)
            return
        if not self.check_signatures:
            return
        record = self.ring.keys[header.key]
        self.report.signatures_checked += 1
        if self._parallel is not None:
            self._parallel.add(
                seq, record.public_key, entry.signature, header_bytes, header.key, header.member
            )
        elif not signature_is_valid(record.public_key, entry.signature, header_bytes):
            self._find_bad_signature(seq, header.key, header.member)

    def _check_user(self, seq: int, header: EntryHeader, payload: bytes | None) -> None:
        """Learn the users the server adds; check the ``user`` of a pre-signed entry."""
        signer = self.ring.get(header.key)
        presigned = signer is not None and signer.custody == MEMBER_CUSTODY
        if header.tag == USER_ADDED and not presigned:
            # A member cannot add users (the server refuses ``auth:`` entries it signs).
            user = user_added(payload)
            if user is None:
                self._users_withheld = True  # unreadable: no user can be judged after it
            else:
                self._users.setdefault(*user)
        if not presigned or header.user is None or self._users_withheld:
            return
        problem = presigned_user_problem(self._users, header.user, header.member)
        if problem is not None:
            self._find(seq, FindingKind.USER_NOT_VALID, problem)

    # -- key and root entries -------------------------------------------------------------

    def _apply_ledger_entry(self, seq: int, header: EntryHeader, payload_bytes: bytes) -> None:
        tag = header.tag
        if tag not in (KEY_ADDED, KEY_ROTATED, KEY_REVOKED, ROOT_SEALED):
            return
        kind = FindingKind.ROOT_INVALID if tag == ROOT_SEALED else FindingKind.KEY_ENTRY_INVALID
        try:
            payload = json.loads(payload_bytes)
            if not isinstance(payload, dict):
                raise ValueError("payload is not an object")
        except (ValueError, RecursionError) as exc:
            self._find(seq, kind, worded_text(N_("payload unreadable: %(problem)s"), problem=exc))
            return
        if not _is_canonical(payload, payload_bytes):
            # The payloads the verifier reads must have one reading: duplicate names
            # ({"key_id": A, "key_id": B}: Python keeps B, other parsers A), NaN, 1.0 for 1.
            self._find(seq, kind, worded_text(N_("payload is not in RFC 8785 canonical form")))
            return
        if tag == ROOT_SEALED:
            self._check_seal(seq, header, payload)
        else:
            self._apply_key_entry(seq, header, payload)
            self._refresh_active()

    def _apply_key_entry(self, seq: int, header: EntryHeader, payload: dict[str, Any]) -> None:
        member = payload.get("member_id")
        key_id = payload.get("key_id")
        if not isinstance(member, str) or not isinstance(key_id, str):
            self._find(
                seq, FindingKind.KEY_ENTRY_INVALID, worded_text(N_("member_id or key_id missing"))
            )
            return
        if header.subject != key_id:
            self._find(
                seq, FindingKind.KEY_ENTRY_INVALID, worded_text(N_("subject is not the key id"))
            )
            return
        signer = self.ring.get(header.key)
        may_sign = (
            signer is not None
            and signer.active
            and (signer.member_id == CENTRE_MEMBER_ID or signer.member_id == member)
        )
        if header.tag == KEY_REVOKED:
            if not may_sign and seq != 1:
                self._find(
                    seq,
                    FindingKind.KEY_ENTRY_INVALID,
                    worded_text(N_("revoked by a key that may not do so")),
                )
            target = self.ring.get(key_id)
            if target is None:
                self._find(
                    seq,
                    FindingKind.KEY_ENTRY_INVALID,
                    worded_text(N_("revokes unknown key %(key)s"), key=key_id),
                )
            elif target.member_id != member:
                # Naming itself as the member let any member's key revoke another's.
                self._find(
                    seq,
                    FindingKind.KEY_ENTRY_INVALID,
                    worded_text(
                        N_("revokes key %(key)s of %(owner)s as a key of %(member)s"),
                        key=key_id,
                        owner=repr(target.member_id),
                        member=repr(member),
                    ),
                )
                return
            self.ring.end(key_id, seq=seq, ts=header.ts, reason="revoked")
            return
        public_key = payload.get("public_key")
        if (
            not isinstance(public_key, str)
            or payload.get("algorithm") != ALGORITHM
            or _key_id_or_none(public_key) != key_id
        ):
            self._find(
                seq,
                FindingKind.KEY_ENTRY_INVALID,
                worded_text(N_("public key does not match its key id")),
            )
            return
        if key_id in self.ring.keys:
            self._find(
                seq,
                FindingKind.KEY_ENTRY_INVALID,
                worded_text(N_("key %(key)s added twice"), key=key_id),
            )
            return
        since = self.ring.self_custody.get(member)
        if seq == 1:
            self._check_genesis(header, payload, public_key)
        elif not may_sign:
            self._find(
                seq,
                FindingKind.KEY_ENTRY_INVALID,
                worded_text(
                    N_("key of %(member)s added by key %(key)s, which may not vouch for it"),
                    member=repr(member),
                    key=header.key,
                ),
            )
        elif since is not None and (
            signer is None or signer.member_id != member or signer.custody != MEMBER_CUSTODY
        ):
            # Once a member holds its own keys, the centre vouching for a new key would let
            # the server sign in the member's name again: only the member's key may add one.
            self._find(
                seq,
                FindingKind.KEY_ENTRY_INVALID,
                worded_text(
                    N_(
                        "key of %(member)s added by key %(key)s: %(member)s holds its own keys"
                        " since seq %(since)s, so only one of them may add another"
                    ),
                    member=repr(member),
                    key=header.key,
                    since=since,
                ),
            )
            # Not added: what it signs in the member's name is named as well.
            return
        replaces = payload.get("replaces")
        if header.tag == KEY_ROTATED:
            if not isinstance(replaces, str) or replaces not in self.ring.keys:
                self._find(
                    seq,
                    FindingKind.KEY_ENTRY_INVALID,
                    worded_text(N_("rotation of an unknown key")),
                )
            elif self.ring.keys[replaces].member_id != member:
                self._find(
                    seq, FindingKind.KEY_ENTRY_INVALID, worded_text(N_("rotation across members"))
                )
            else:
                self.ring.end(replaces, seq=seq, ts=header.ts, reason="rotated")
        custody = str(payload.get("custody", ""))
        self.ring.add(
            KeyRecord(
                key_id=key_id,
                member_id=member,
                public_key=public_key,
                custody=custody,
                valid_from=header.ts,
                added_seq=seq,
            )
        )
        if custody == MEMBER_CUSTODY and member != CENTRE_MEMBER_ID:
            self.ring.self_custody.setdefault(member, seq)

    def _check_genesis(self, header: EntryHeader, payload: dict[str, Any], public_key: str) -> None:
        # The trust anchor: entry 1 adds the centre's key and is signed by that same key.
        if payload.get("member_id") != CENTRE_MEMBER_ID or header.key != payload.get("key_id"):
            self._find(
                1,
                FindingKind.KEY_ENTRY_INVALID,
                worded_text(N_("entry 1 must add the centre's own key")),
            )
        elif self.check_signatures and not signature_is_valid(
            public_key, self._genesis_signature, self._genesis_header
        ):
            self._find(
                1,
                FindingKind.SIGNATURE_INVALID,
                worded_text(N_("genesis signature does not verify")),
            )

    def _check_seal(self, seq: int, header: EntryHeader, payload: dict[str, Any]) -> None:
        if header.member != CENTRE_MEMBER_ID:
            # Otherwise a member could carry an export past its head into new days.
            self._find(
                seq,
                FindingKind.ROOT_INVALID,
                worded_text(
                    N_("day sealed by member %(member)s: only the centre seals days"),
                    member=repr(header.member),
                ),
            )
        day = header.ts[:10]
        sealed_day = payload.get("day")
        if day == self._day or sealed_day != self._day:
            self._find(
                seq,
                FindingKind.ROOT_INVALID,
                worded_text(
                    N_("seals day %(sealed)s, but the day that just ended is %(day)s"),
                    sealed=repr(sealed_day),
                    day=repr(self._day),
                ),
            )
            return
        expected = {
            "day": self._day,
            "first_seq": self._day_first,
            "last_seq": seq - 1,
            "count": len(self._day_hashes),
            "root": merkle_root(self._day_hashes),
            "tree": TREE_ALGORITHM,
        }
        # Types compared too: Python holds true == 1 == 1.0, a strict verifier does not.
        wrong = sorted(
            k
            for k, v in expected.items()
            if payload.get(k) != v or type(payload.get(k)) is not type(v)
        )
        if wrong:
            self._find(
                seq,
                FindingKind.ROOT_INVALID,
                worded_text(
                    N_("sealed %(fields)s of %(day)s differ from the entries of that day"),
                    fields=", ".join(wrong),
                    day=self._day,
                ),
            )
        self.report.roots.append(
            SealedRoot(
                day=self._day,
                first_seq=_whole(payload.get("first_seq")),
                last_seq=_whole(payload.get("last_seq")),
                count=_whole(payload.get("count")),
                root=str(payload.get("root")),
                sealed_seq=seq,
            )
        )

    def _track_day(self, seq: int, header: EntryHeader, entry_hash: str) -> None:
        day = header.ts[:10]
        if day != self._day:
            if self._day and header.tag != ROOT_SEALED:
                self._find(
                    seq,
                    FindingKind.ROOT_INVALID,
                    worded_text(
                        N_("day %(day)s ended without its root being sealed"), day=self._day
                    ),
                )
            self._day = day
            self._day_first = seq
            self._day_hashes = []
        self._day_hashes.append(entry_hash)

    def _collect(self, seq: int, header: EntryHeader, payload_bytes: bytes) -> None:
        try:
            payload = json.loads(payload_bytes)
        except (ValueError, RecursionError):
            return  # already reported as a payload change
        self.report.collected.append(
            CollectedEntry(seq, header.ts, header.tag, header.subject, header.member, payload)
        )

    def feed_all(self, entries: Iterable[StoredEntry]) -> ChainVerifier:
        """Feed every entry of ``entries`` (in stored order)."""
        feed = self.feed
        for entry in entries:
            feed(entry)
        return self

    def finish(self) -> ChainReport:
        """Resolve gaps (missing or moved entries) and return the report."""
        if self._parallel is not None:
            for seq, key, member in self._parallel.failures():
                self._find_bad_signature(seq, key, member)
            self._parallel = None
        # Each gap looks up the first entry seen inside it (O(log n)), not every number of
        # the gap: an entry claiming seq 10**15 is one step, not 10**15.
        seen = sorted(self._seen) if self._gaps else []
        for expected, found in self._gaps:
            at = bisect_left(seen, expected)
            moved = seen[at] if at < len(seen) and seen[at] < found else None
            if moved is not None:
                self._find(
                    expected,
                    FindingKind.ORDER_CHANGED,
                    worded_text(
                        N_(
                            "entry %(found)s stored where entry %(expected)s belongs;"
                            " entry %(moved)s is stored later"
                        ),
                        found=found,
                        expected=expected,
                        moved=moved,
                    ),
                )
            else:
                missing = f"{expected}" if found == expected + 1 else f"{expected}–{found - 1}"
                self._find(
                    expected,
                    FindingKind.ENTRY_MISSING,
                    worded_text(N_("entries %(missing)s are missing"), missing=missing),
                )
        report = self.report
        if report.entries:
            report.head_seq = self._expected_seq - 1
            report.head_hash = self._prev_hash
            report.last_ts = self._prev_ts
        report.members = set(self._members)
        report.findings = sorted(self._located, key=lambda f: f.seq or 0)
        report.keys = dict(self.ring.keys)
        report.open_day = self._day or None
        return report


def user_added(payload: bytes | None) -> tuple[str, str] | None:
    """(user id, member id) of an ``auth:user:added`` payload; None when it is withheld or
    does not say."""
    try:
        data = json.loads(payload) if payload is not None else None
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    user, member = data.get("user_id"), data.get("member_id")
    if isinstance(user, str) and isinstance(member, str):
        return user, member
    return None


_BATCH = 4000


Rows = Mapping[str, Mapping[str, Mapping[str, Any]]]
"""Table name → primary key → column values: a projection of the main tables."""
ExpectedRows = Mapping[str, Mapping[str, tuple[int, Mapping[str, Any]]]]
"""Table name → primary key → (the seq of the entry that last set it, the values it set)."""


def compare_projection(
    expected: ExpectedRows,
    actual: Rows,
    *,
    differ_message: Callable[[str, str, int, list[str]], str],
) -> Iterator[Finding]:
    """Every row of ``actual`` the ledger does not describe exactly, and every described row
    that is missing. ``differ_message(table, key, seq, fields)`` words a changed row."""
    for table, rows in actual.items():
        wanted = expected.get(table, {})
        for key in sorted(set(rows) | set(wanted)):
            if key not in wanted:
                yield Finding(
                    None,
                    FindingKind.STATE_MISMATCH,
                    worded_text(
                        N_("%(table)s row %(key)s has no ledger entry: written without the ledger"),
                        table=table,
                        key=key,
                    ),
                )
                continue
            seq, fields = wanted[key]
            if key not in rows:
                yield Finding(
                    seq,
                    FindingKind.STATE_MISMATCH,
                    worded_text(
                        N_(
                            "ledger entry %(seq)s describes %(table)s row %(key)s, which is missing"
                        ),
                        seq=seq,
                        table=table,
                        key=key,
                    ),
                )
                continue
            differ = [name for name, value in fields.items() if rows[key].get(name) != value]
            if differ:
                yield Finding(
                    seq, FindingKind.STATE_MISMATCH, differ_message(table, key, seq, differ)
                )


def _invalid_signatures(batch: list[tuple[str, str, bytes]]) -> list[int]:
    """Indexes in ``batch`` of (public key, signature, message) that do not verify."""
    return [
        i
        for i, (key, sig, message) in enumerate(batch)
        if not signature_is_valid(key, sig, message)
    ]


class _ParallelSignatures:
    """Ed25519 checks in a pool of processes, batched, fed while the chain is walked."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[tuple[list[tuple[int, str, str]], Future[list[int]]]] = []
        self.batch: list[tuple[str, str, bytes]] = []
        self.labels: list[tuple[int, str, str]] = []

    def add(
        self, seq: int, public_key: str, signature: str, message: bytes, key: str, member: str
    ) -> None:
        self.batch.append((public_key, signature, message))
        self.labels.append((seq, key, member))
        if len(self.batch) >= _BATCH:
            self._submit()

    def _submit(self) -> None:
        if not self.batch:
            return
        if self.pool is None:
            self.pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn")
            )
        self.futures.append((self.labels, self.pool.submit(_invalid_signatures, self.batch)))
        self.batch, self.labels = [], []

    def failures(self) -> list[tuple[int, str, str]]:
        """(seq, key, member) of every signature that did not verify, in chain order."""
        self._submit()
        failed: list[tuple[int, str, str]] = []
        try:
            for labels, future in self.futures:
                failed.extend(labels[i] for i in future.result())
        finally:
            if self.pool is not None:
                self.pool.shutdown()
        return failed


def _is_canonical(data: Any, raw: bytes) -> bool:
    try:
        return canonical_json(data, field="header") == raw
    except CeasefireError:
        return False


def _whole(value: Any) -> int:
    """A sealed count as listed: the integer sealed, 0 for anything else (already a finding)."""
    return value if type(value) is int else 0


def _key_id_or_none(public_key: str) -> str | None:
    try:
        return key_id_for(public_key)
    except ValueError:
        return None


def verify_entries(
    entries: Iterable[StoredEntry],
    *,
    check_signatures: bool = True,
    collect_tags: Iterable[str] = (),
    workers: int = 1,
) -> ChainReport:
    """Walk ``entries`` in stored order and report every problem found."""
    verifier = ChainVerifier(
        check_signatures=check_signatures, collect_tags=collect_tags, workers=workers
    )
    return verifier.feed_all(entries).finish()
