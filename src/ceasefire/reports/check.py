"""State check of reports and their attachments against the ledger.

``ceasefire ledger verify`` hands this checker every ``intake:report:*``,
``intake:import:*`` and ``intake:attachment:*`` entry; it replays them into the state they
describe and reports each row that differs — a report's content edited in SQL (its stored
content no longer hashes to the ledgered SHA-256), a column copied from the content changed,
a row inserted behind the application's back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from ceasefire.access import Viewer
from ceasefire.ids import record_ids_in
from ceasefire.ledger.check import (
    ActualRows,
    EntryAbout,
    ExpectedRows,
    PayloadRule,
    picked,
    projection_checker,
    read_payload,
)
from ceasefire.ledger.verify import CollectedEntry
from ceasefire.members.scope import ReadScope
from ceasefire.reports.events import (
    AttachmentReceived,
    ImportBatchCommitted,
    ReportReceived,
    ReportTag,
)
from ceasefire.reports.service import unreadable_ids, wholly_readable_reports
from ceasefire.reports.tables import AttachmentRow, ReportRow

# The fields compared, as a ``report:received`` and an ``attachment:received`` entry give
# them (the attachment's are its columns as they are).
_REPORT_FIELDS = ("content_sha256", "channel", "category", "classification", "owner_member")
_ATTACHMENT_FIELDS = ("report_id", "sha256", "size_bytes")


def _expected(entries: Sequence[CollectedEntry]) -> ExpectedRows:
    """Table → row key → (last entry's sequence number, the fields the ledger says)."""
    state: ExpectedRows = {"reports": {}, "report_attachments": {}}
    for entry in entries:
        p = read_payload(entry)
        tag, seq = entry.tag, entry.seq
        if tag == ReportTag.RECEIVED:
            received = cast(ReportReceived, p)
            state["reports"][str(received["report_id"])] = (seq, picked(p, *_REPORT_FIELDS))
        elif tag == ReportTag.IMPORT_BATCH_COMMITTED:
            batch = cast(ImportBatchCommitted, p)
            for report_id, digest, _key in batch["reports"] or []:
                state["reports"][str(report_id)] = (
                    seq,
                    {"content_sha256": digest, "owner_member": batch["owner_member"]},
                )
        elif tag == ReportTag.ATTACHMENT_RECEIVED:
            attachment = cast(AttachmentReceived, p)
            state["report_attachments"][str(attachment["attachment_id"])] = (
                seq,
                picked(p, *_ATTACHMENT_FIELDS),
            )
    return state


def _actual(session: Session) -> ActualRows:
    reports = {}
    for r in session.scalars(select(ReportRow)):
        stored = hashlib.sha256(r.content.encode("utf-8")).hexdigest()
        try:
            content = json.loads(r.content)
        except ValueError:
            content = {}
        reports[r.id] = {
            # The stored content must still hash to what was ledgered, and the columns
            # copied from it for queries must still agree with it.
            "content_sha256": stored if stored == r.content_sha256 else f"{stored} (edited)",
            "channel": r.channel if r.channel == content.get("channel") else "(column edited)",
            "category": r.category if r.category == content.get("category") else "(column edited)",
            "classification": r.classification
            if r.classification == content.get("classification")
            else "(column edited)",
            "owner_member": r.owner_member,
        }
    return {
        "reports": reports,
        "report_attachments": {
            a.id: {name: getattr(a, name) for name in _ATTACHMENT_FIELDS}
            for a in session.scalars(select(AttachmentRow))
        },
    }


CHECKER = projection_checker("reports", ReportTag, _expected, _actual)


# -- who reads the payloads -------------------------------------------------------------------


def _reports_of(entry: EntryAbout) -> list[str]:
    """The reports an entry is about: its subject's (``report/ID``), or an import batch's."""
    if entry.tag == ReportTag.IMPORT_BATCH_COMMITTED:
        batch = cast(ImportBatchCommitted, entry.payload)
        return [str(item[0]) for item in batch["reports"] or () if item]
    kind, _, report_id = entry.subject.partition("/")
    return [report_id] if kind == "report" else []


def _filename(entry: EntryAbout) -> str | None:
    """An attachment's or an import batch's filename, which its entry holds in clear (free
    text the filer or importer chose: "inc-… follow-up.csv")."""
    if entry.tag == ReportTag.ATTACHMENT_RECEIVED:
        return cast(AttachmentReceived, entry.payload)["filename"]
    if entry.tag == ReportTag.IMPORT_BATCH_COMMITTED:
        return cast(ImportBatchCommitted, entry.payload)["filename"]
    return None


def _readable(session: Session, viewer: Viewer, entries: Sequence[EntryAbout]) -> Iterator[int]:
    about = {entry.seq: _reports_of(entry) for entry in entries}
    readable = wholly_readable_reports(session, viewer, {r for ids in about.values() for r in ids})
    # An attachment's or import batch's filename names only records the reader may read, as
    # the report shows an attachment's (masked otherwise: the entry would give the id back;
    # a batch's filename is shown nowhere else).
    names = {entry.seq: name for entry in entries if (name := _filename(entry))}
    masked = (
        unreadable_ids(session, ReadScope.load(session, viewer), names.values()) if names else set()
    )
    # An entry naming no report it could be judged by is the centre's only.
    return (
        seq
        for seq, ids in about.items()
        if ids
        and readable.issuperset(ids)
        and not (seq in names and any(found in masked for _, found in record_ids_in(names[seq])))
    )


PAYLOAD_RULE = PayloadRule("reports", tuple(ReportTag), _readable)
"""A report's entries (received, attachments) and an import batch's are read by whoever may
read the report, every report of the batch, and the post and sensor each names (the payloads
hold the content hash, which would confirm a guessed post id); an attachment's and a batch's
by whoever may also read every record its filename names by id."""
