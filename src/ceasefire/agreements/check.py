"""State check of the agreement register: its tables must say what its ledger entries say.

Every ``agreement_versions``, ``provision_status_changes`` and ``deadline_amendments`` row
keeps the sequence number of the entry that recorded it, and that entry's payload carries
the row's content (see ``ceasefire.agreements.service``). A row edited, added or deleted
directly in the database no longer matches and is reported with the entry's number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from ceasefire.access import Viewer
from ceasefire.agreements.events import AgreementTag
from ceasefire.agreements.model import iso
from ceasefire.agreements.service import (
    amendment_texts,
    status_texts,
    unreadable_in_statuses,
)
from ceasefire.agreements.tables import (
    AgreementVersionRow,
    DeadlineAmendmentRow,
    ProvisionStatusChangeRow,
)
from ceasefire.errors import worded_text
from ceasefire.i18n.markers import N_
from ceasefire.ids import record_ids_in
from ceasefire.ledger.check import EntryAbout, PayloadRule, StateChecker
from ceasefire.ledger.verify import CollectedEntry, Finding, FindingKind

_BOOKKEEPING = frozenset({"id", "recorded_at", "recorded_by", "ledger_seq"})
"""The columns of a recorded change that are the row's own (its entry carries the rest)."""


def _changed_fields(row: Any, key_of: Mapping[str, str]) -> dict[str, Any]:
    """What ``row``'s entry should say of it: every column but :data:`_BOOKKEEPING`, in the
    table's order, under the payload's name for it (``key_of``, else the column's; a dotted
    key is nested), an instant in ISO 8601 UTC and a date in ISO 8601 as the payload has them."""
    fields: dict[str, Any] = {}
    for column in inspect(row).mapper.column_attrs:
        if column.key in _BOOKKEEPING:
            continue
        value = getattr(row, column.key)
        if isinstance(value, datetime):
            value = iso(value)
        elif isinstance(value, date):
            value = value.isoformat()
        fields[key_of.get(column.key, column.key)] = value
    return fields


def _status_fields(row: ProvisionStatusChangeRow) -> dict[str, Any]:
    return _changed_fields(row, {"at_time_zone": "time_zone", "at_precision": "precision"})


def _amendment_fields(row: DeadlineAmendmentRow) -> dict[str, Any]:
    return _changed_fields(
        row,
        {
            "previous_due": "previous",
            "decided_at": "decided.at",
            "decided_local": "decided.local",
            "decided_time_zone": "decided.time_zone",
        },
    )


def _version_fields(row: AgreementVersionRow) -> dict[str, Any]:
    return {
        "agreement_id": row.agreement_id,
        "version": row.version,
        "content_sha256": row.content_sha256,
        "source_name": row.source_name,
    }


def _lookup(payload: Any, dotted: str) -> Any:
    value = payload
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _compare(
    table: str,
    what: str,
    rows: Iterable[Any],
    fields: Callable[[Any], dict[str, Any]],
    entries: Sequence[CollectedEntry],
) -> Iterator[Finding]:
    """Match rows and entries through ``ledger_seq``; report every difference."""
    by_seq = {e.seq: e for e in entries}
    matched: set[int] = set()
    for row in rows:
        seq = row.ledger_seq
        label = worded_text(N_("%(table)s row %(key)s"), table=table, key=_row_label(row))
        entry = by_seq.get(seq) if seq is not None else None
        if entry is None:
            yield Finding(
                seq,
                FindingKind.STATE_MISMATCH,
                worded_text(
                    N_(
                        "%(row)s has no %(tag)s entry (ledger_seq %(seq)s):"
                        " written without the ledger"
                    ),
                    row=label,
                    tag=what,
                    seq=seq,
                ),
            )
            continue
        if seq in matched:
            yield Finding(
                seq,
                FindingKind.STATE_MISMATCH,
                worded_text(
                    N_("%(row)s claims entry %(seq)s, already claimed"), row=label, seq=seq
                ),
            )
            continue
        matched.add(seq)
        differ = [
            name for name, value in fields(row).items() if _lookup(entry.payload, name) != value
        ]
        if differ:
            yield Finding(
                seq,
                FindingKind.STATE_MISMATCH,
                _differ(label, differ, seq, fields(row), entry.payload),
            )
    for entry in entries:
        if entry.seq not in matched:
            yield Finding(
                entry.seq,
                FindingKind.STATE_MISMATCH,
                worded_text(
                    N_(
                        "ledger entry %(seq)s (%(tag)s %(subject)s) has no %(table)s row:"
                        " the row was deleted"
                    ),
                    seq=entry.seq,
                    tag=entry.tag,
                    subject=entry.subject,
                    table=table,
                ),
            )


def _differ(label: str, differ: list[str], seq: int, fields: dict[str, Any], payload: Any) -> str:
    """A row whose ``differ`` fields are not its entry's, the first one's two values shown
    where they are short."""
    name = differ[0]
    table_value, ledger_value = fields[name], _lookup(payload, name)
    if isinstance(table_value, str | int | None) and isinstance(ledger_value, str | int | None):
        return worded_text(
            N_(
                "%(row)s: %(fields)s differ from ledger entry %(seq)s"
                " (%(name)s: table %(table)s, ledger %(ledger)s)"
            ),
            row=label,
            fields=", ".join(differ),
            seq=seq,
            name=name,
            table=repr(table_value),
            ledger=repr(ledger_value),
        )
    return worded_text(
        N_("%(row)s: %(fields)s differ from ledger entry %(seq)s"),
        row=label,
        fields=", ".join(differ),
        seq=seq,
    )


def _row_label(row: Any) -> str:
    if isinstance(row, AgreementVersionRow):
        return f"{row.agreement_id} v{row.version}"
    return f"{row.id} ({row.agreement_id}/{row.provision_id})"


_RECORDED: tuple[tuple[AgreementTag, type[Any], Callable[[Any], dict[str, Any]]], ...] = (
    (AgreementTag.VERSION_LOADED, AgreementVersionRow, _version_fields),
    (AgreementTag.PROVISION_STATUS_CHANGED, ProvisionStatusChangeRow, _status_fields),
    (AgreementTag.DEADLINE_AMENDED, DeadlineAmendmentRow, _amendment_fields),
)
"""Each table of recorded rows, the tag of their entries and what an entry says of a row."""


def check_agreements(session: Session, entries: Sequence[CollectedEntry]) -> Iterator[Finding]:
    """Compare the agreement register's recorded rows with their ledger entries."""
    by_tag: dict[str, list[CollectedEntry]] = {}
    for entry in entries:
        by_tag.setdefault(entry.tag, []).append(entry)
    for tag, row_type, fields in _RECORDED:
        rows = session.scalars(select(row_type).order_by(*row_type.__mapper__.primary_key))
        yield from _compare(row_type.__tablename__, tag, rows, fields, by_tag.get(tag, []))


CHECKER = StateChecker(
    name="agreements: versions, provision status changes, deadline amendments",
    tags=tuple(AgreementTag),
    check=check_agreements,
)


# -- who reads the payloads -------------------------------------------------------------------


def _cited(entry: EntryAbout) -> list[str | None]:
    payload = entry.payload
    evidence = [
        (e.get("ref"), e.get("note")) for e in payload.get("evidence") or [] if isinstance(e, dict)
    ]
    if entry.tag == AgreementTag.DEADLINE_AMENDED:
        decided = payload.get("decided")
        note = decided.get("note") if isinstance(decided, dict) else None
        return amendment_texts(payload.get("reason"), payload.get("instrument"), note, evidence)
    return status_texts(payload.get("note"), evidence)


def _readable(session: Session, viewer: Viewer, entries: Sequence[EntryAbout]) -> Iterator[int]:
    cited = {e.seq: _cited(e) for e in entries}
    hidden = unreadable_in_statuses(session, viewer, cited.values())
    return (
        seq
        for seq, texts in cited.items()
        if not any(found in hidden for t in texts if t for _, found in record_ids_in(t))
    )


PAYLOAD_RULE = PayloadRule(
    "agreements",
    (AgreementTag.PROVISION_STATUS_CHANGED, AgreementTag.DEADLINE_AMENDED),
    _readable,
)
"""A provision's status and a deadline's amendment are public record, but a status's
evidence and note, and an amendment's reason, instrument and evidence, may cite a report or
incident by id: their entry's payload is read by a member that may read every record it
cites (as :func:`ceasefire.agreements.service.history_as_read` shows them). Agreement
versions and retirements (loaded from files by operators) are every member's."""
