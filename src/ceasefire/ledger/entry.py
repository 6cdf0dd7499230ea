"""Ledger entries: the signed header, its hash, and how an entry is built and signed.

An entry is three byte strings and two hex strings (see docs/ledger.md):

* ``payload``: the RFC 8785 canonical JSON of what happened;
* ``header``: the RFC 8785 canonical JSON of ``{"v", "seq", "ts", "tag", "subject",
  "member", "user", "key", "payload_sha256", "prev"}`` — exactly the bytes that are signed;
* ``entry_hash`` = SHA-256(header), lowercase hex; the next entry's ``prev``;
* ``signature`` = Ed25519(header) by the key ``key``, lowercase hex.

Both byte strings are stored as they were signed, so checking an entry never needs to
canonicalise anything again: it hashes stored bytes and verifies one signature.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, overload

from ceasefire.errors import InvalidInput, problem
from ceasefire.i18n.markers import N_
from ceasefire.ledger.canonical import canonical_header_json
from ceasefire.ledger.events import LedgerTag
from ceasefire.ledger.keys import SigningKey

FORMAT_VERSION = 1
GENESIS_PREV = "0" * 64
"""The ``prev`` of the first entry: 64 zeros (there is no previous entry)."""

TAG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*:[a-z0-9][a-z0-9_-]*:[a-z0-9][a-z0-9_-]*$")
TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
MAX_SUBJECT_LENGTH = 200
MAX_TAG_LENGTH = 128

KEY_ADDED = LedgerTag.KEY_ADDED
KEY_ROTATED = LedgerTag.KEY_ROTATED
KEY_REVOKED = LedgerTag.KEY_REVOKED
ROOT_SEALED = LedgerTag.ROOT_SEALED
KEY_TAGS = frozenset({KEY_ADDED, KEY_ROTATED, KEY_REVOKED})
USER_ADDED = "auth:user:added"
"""The members area's entry adding a user (``members.events.MemberTag.USER_ADDED`` is this
value): the ledger reads it to know whose user a pre-signed entry's ``user`` names."""


class MalformedEntry(ValueError):
    """Stored or submitted bytes that are not a well-formed ledger entry header."""


def sha256_hex(data: bytes) -> str:
    """Lowercase hex SHA-256: the one way hashes are written in the ledger."""
    return hashlib.sha256(data).hexdigest()


@overload
def text_sha256(text: str) -> str: ...
@overload
def text_sha256(text: None) -> None: ...
def text_sha256(text: str | None) -> str | None:
    """The digest the ledger keeps of a text (a title, a note, an alert's summary) in place of
    the text: SHA-256 of its UTF-8, None for no text."""
    return sha256_hex(text.encode("utf-8")) if text is not None else None


def with_nonce(payload: Mapping[str, Any]) -> dict[str, Any]:
    """``payload`` with a random ``nonce`` (128 bits, hex). Every member reads every entry's
    header, whose ``payload_sha256`` would confirm a guess of a payload withheld from the
    reader; an area whose withheld payloads hold only what a reader knows or can list
    (the subject's id, its own report ids, ids read in other headers, a few causes) writes
    them with a nonce: its payload types declare ``ceasefire.ledger.events.Blinded`` and the
    ledger writer adds it (``ceasefire.ledger.service.blinded_tags``)."""
    return {**payload, "nonce": secrets.token_hex(16)}


def format_ts(value: datetime) -> str:
    """An aware datetime as the ledger writes it: UTC, microseconds, ``Z``."""
    if value.tzinfo is None:
        raise ValueError("naive datetime in a ledger timestamp")
    return value.astimezone(UTC).strftime(TS_FORMAT)


def parse_ts(text: str) -> datetime:
    """The inverse of :func:`format_ts`; anything else is malformed."""
    try:
        return datetime.strptime(text, TS_FORMAT).replace(tzinfo=UTC)
    except (TypeError, ValueError) as exc:
        raise MalformedEntry(f"timestamp {text!r} is not YYYY-MM-DDTHH:MM:SS.ffffffZ") from exc


def validate_tag(tag: str) -> str:
    """``source:subject:action`` in lowercase; raises InvalidInput naming ``tag``."""
    if not isinstance(tag, str) or len(tag) > MAX_TAG_LENGTH or not TAG_PATTERN.match(tag):
        raise InvalidInput.worded(
            N_("ledger tag %(tag)s is not of the form source:subject:action"),
            details=[problem("tag", N_("expected lowercase source:subject:action"))],
            tag=repr(tag),
        )
    return tag


def validate_subject(subject: str) -> str:
    """A non-empty subject id of at most 200 characters."""
    if not isinstance(subject, str) or not subject or len(subject) > MAX_SUBJECT_LENGTH:
        raise InvalidInput.worded(
            N_("ledger subject must be a non-empty string of at most 200 characters"),
            details=[problem("subject", N_("empty or too long"))],
        )
    return subject


@dataclass(frozen=True, slots=True)
class EntryHeader:
    """The signed part of an entry; ``payload_sha256`` commits to the payload bytes."""

    seq: int
    ts: str
    tag: str
    subject: str
    member: str
    user: str | None
    key: str
    payload_sha256: str
    prev: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "v": FORMAT_VERSION,
            "seq": self.seq,
            "ts": self.ts,
            "tag": self.tag,
            "subject": self.subject,
            "member": self.member,
            "user": self.user,
            "key": self.key,
            "payload_sha256": self.payload_sha256,
            "prev": self.prev,
        }

    def to_bytes(self) -> bytes:
        """The canonical bytes that are hashed and signed."""
        return canonical_header_json(self.as_dict())

    @property
    def instant(self) -> datetime:
        return parse_ts(self.ts)

    @classmethod
    def from_dict(cls, data: Any) -> EntryHeader:
        """Check the shape of a parsed header; raises :class:`MalformedEntry`."""
        if not isinstance(data, dict):
            raise MalformedEntry("header is not a JSON object")
        if data.get("v") != FORMAT_VERSION:
            raise MalformedEntry(f"unknown header version {data.get('v')!r}")
        expected = {"v", "seq", "ts", "tag", "subject", "member", "user", "key"}
        expected |= {"payload_sha256", "prev"}
        if set(data) != expected:
            raise MalformedEntry(f"header fields {sorted(data)} differ from {sorted(expected)}")
        seq = data["seq"]
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
            raise MalformedEntry("header seq is not a positive integer")
        for name in ("ts", "tag", "subject", "member", "key", "payload_sha256", "prev"):
            if not isinstance(data[name], str):
                raise MalformedEntry(f"header {name} is not a string")
        if data["user"] is not None and not isinstance(data["user"], str):
            raise MalformedEntry("header user is neither a string nor null")
        return cls(
            seq=seq,
            ts=data["ts"],
            tag=data["tag"],
            subject=data["subject"],
            member=data["member"],
            user=data["user"],
            key=data["key"],
            payload_sha256=data["payload_sha256"],
            prev=data["prev"],
        )

    @classmethod
    def from_bytes(cls, raw: bytes) -> EntryHeader:
        """Parse stored header bytes (they must also be canonical to be accepted on submit)."""
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise MalformedEntry(f"header is not JSON: {exc}") from exc
        return cls.from_dict(data)


@dataclass(frozen=True, slots=True)
class SignedEntry:
    """A complete entry as stored and exported."""

    header: EntryHeader
    header_bytes: bytes
    payload_bytes: bytes
    entry_hash: str
    signature: str

    @property
    def seq(self) -> int:
        return self.header.seq

    def payload(self) -> Any:
        return json.loads(self.payload_bytes)


def build_entry(
    *,
    seq: int,
    ts: datetime,
    tag: str,
    subject: str,
    actor_member: str,
    actor_user: str | None,
    payload_bytes: bytes,
    prev: str,
    signer: SigningKey,
) -> SignedEntry:
    """Assemble, hash and sign one entry (the payload is already canonical bytes)."""
    header = EntryHeader(
        seq=seq,
        ts=format_ts(ts),
        tag=tag,
        subject=subject,
        member=actor_member,
        user=actor_user,
        key=signer.key_id,
        payload_sha256=sha256_hex(payload_bytes),
        prev=prev,
    )
    header_bytes = header.to_bytes()
    return SignedEntry(
        header=header,
        header_bytes=header_bytes,
        payload_bytes=payload_bytes,
        entry_hash=sha256_hex(header_bytes),
        signature=signer.sign(header_bytes),
    )
