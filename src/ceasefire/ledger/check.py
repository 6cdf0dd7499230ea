"""The state checker each area gives the ledger verifier (declared in its ``Area``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

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
    return f"{table} row {key} differs from ledger entry {seq} in {', '.join(sorted(fields))}"


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
