"""Ledger tags of the reports area: reports received, attachments received, CSV import
batches committed.

One payload type per tag, written by ``ceasefire.reports.service``, ``.imports``.
How tags and payloads are used: docs/ledger.md, "Writing entries". Times are ISO 8601 strings.
"""

from enum import StrEnum

from ceasefire.ledger.events import Blinded


class ReportTag(StrEnum):
    """Every ledger tag the reports area writes."""

    RECEIVED = "intake:report:received"
    ATTACHMENT_RECEIVED = "intake:attachment:received"
    IMPORT_BATCH_COMMITTED = "intake:import:batch-committed"


class ReportReceived(Blinded):
    """``intake:report:received``: a report's content digest and the columns taken from it."""

    report_id: str
    content_sha256: str
    channel: str
    category: str
    classification: str
    owner_member: str
    idempotency_key: str | None
    received_at: str


class AttachmentReceived(Blinded):
    """``intake:attachment:received``: a file attached to a report (its SHA-256 and size)."""

    attachment_id: str
    report_id: str
    sha256: str
    size_bytes: int
    media_type: str
    filename: str | None


class ImportBatchCommitted(Blinded):
    """``intake:import:batch-committed``: one batch of a CSV import, in one transaction;
    ``reports`` holds ``[report id, content SHA-256, idempotency key]`` per report."""

    file_sha256: str
    filename: str
    received_at: str
    owner_member: str
    reports: list[list[str | None]]


PAYLOADS: dict[ReportTag, type] = {
    ReportTag.RECEIVED: ReportReceived,
    ReportTag.ATTACHMENT_RECEIVED: AttachmentReceived,
    ReportTag.IMPORT_BATCH_COMMITTED: ImportBatchCommitted,
}
"""The payload type of every tag."""
