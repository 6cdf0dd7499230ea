"""What each area gives the ledger (declared in its ``Area``): the state checker the
verifier runs, and the payload rule that decides which entries' payloads a reader may see."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from ceasefire.access import Viewer
from ceasefire.errors import worded_text
from ceasefire.i18n.markers import N_
from ceasefire.ledger.verify import CollectedEntry, Finding, compare_projection

StateCheck = Callable[[Session, Sequence[CollectedEntry]], Iterable[Finding]]


@dataclass(frozen=True)
class StateChecker:
    """Compares one area's main tables with what the ledger says about them.

    ``tags`` are tag prefixes: the verifier hands ``check`` every entry whose tag starts
    with one of them (payload parsed), in chain order, and ``check`` returns a
    ``STATE_MISMATCH`` finding for every row that differs from its entries. Each area
    declares its checker in its ``Area`` (``ceasefire.areas``).
    """

    name: str
    tags: tuple[str, ...]
    check: StateCheck


class Payload(dict[str, Any]):
    """An entry's payload as a checker reads it: a key it lacks reads as ``None``.

    A checker casts it to the tag's payload type (``cast(IncidentCreated, payload)``) and
    indexes it, so mypy checks every key it reads; a payload written by an older version or
    pre-signed by a member with other keys is still replayed, never a ``KeyError``: its
    missing keys compare as ``None``, exactly as ``dict.get`` would.
    """

    def __missing__(self, key: str) -> None:
        return None


def read_payload(entry: CollectedEntry) -> Payload:
    """``entry``'s payload for a checker (one that is not a JSON object reads as empty)."""
    return Payload(entry.payload) if isinstance(entry.payload, dict) else Payload()


@dataclass(frozen=True, slots=True)
class EntryAbout:
    """What a payload rule is told about one entry: where it is, what it is about, who
    signed it, and its payload (as a checker reads it)."""

    seq: int
    tag: str
    subject: str
    member_id: str
    payload: Payload


PayloadReadable = Callable[[Session, Viewer, Sequence[EntryAbout]], Iterable[int]]
"""``(session, viewer, entries) -> the seqs of those entries whose payload viewer may read``."""


@dataclass(frozen=True)
class PayloadRule:
    """Who may read the payloads of one area's entries (``docs/ledger.md``, "Who reads
    what").

    ``tags`` are tag prefixes, as a checker's. The ledger hands ``readable`` a batch of the
    entries it is about to show a member (never the public, never an operator: the public
    reads no entry, an operator every payload) whose tag starts with one of them, and shows
    the payload of those whose seq it returns; the others are served with the payload
    withheld (header, hashes and signature kept, so the chain still verifies). The rule
    judges each entry by the record it is about *as it stands now*, with the area's own
    read rule. Entries of tags no area's rule claims are shown to every member.
    """

    name: str
    tags: tuple[str, ...]
    readable: PayloadReadable


ExpectedRows = dict[str, dict[str, tuple[int, dict[str, Any]]]]
"""Table → row key → (the last entry's sequence number, the fields the ledger says)."""
ActualRows = dict[str, dict[str, dict[str, Any]]]
"""Table → row key → the same fields as the table holds them."""


def changed_row(
    rows: dict[str, tuple[int, dict[str, Any]]], key: str, seq: int, changes: Mapping[str, Any]
) -> None:
    """Replay entry ``seq``, which changed some fields of row ``key`` of one table: the
    fields the earlier entries gave it (none, for a row no entry created) with ``changes``
    over them."""
    before = rows.get(key, (seq, {}))[1]
    rows[key] = (seq, {**before, **changes})


def picked(payload: Mapping[str, Any], *names: str) -> dict[str, Any]:
    """The fields ``names`` of an entry's payload, as the row it describes holds them (a
    :class:`Payload` reads a field it lacks as ``None``)."""
    return {name: payload[name] for name in names}


def _differs(table: str, key: str, seq: int, fields: list[str]) -> str:
    return worded_text(
        N_("%(table)s row %(key)s differs from ledger entry %(seq)s in %(fields)s"),
        table=table,
        key=key,
        seq=seq,
        fields=", ".join(sorted(fields)),
    )


def projection_checker(
    name: str,
    tags: Iterable[str],
    expected: Callable[[Sequence[CollectedEntry]], ExpectedRows],
    actual: Callable[[Session], ActualRows],
    *,
    differ_message: Callable[[str, str, int, list[str]], str] = _differs,
) -> StateChecker:
    """The usual checker: replay the area's entries into the rows they describe
    (``expected``), read the rows as stored (``actual``), and report every difference
    (worded by ``differ_message(table, key, seq, fields)``)."""

    def check(session: Session, entries: Sequence[CollectedEntry]) -> Iterator[Finding]:
        yield from compare_projection(
            expected(entries), actual(session), differ_message=differ_message
        )

    return StateChecker(name=name, tags=tuple(tags), check=check)
