"""Ledger tags of the reports area: reports received, attachments received, CSV import
batches committed.

Tags have the form ``source:subject:action`` (warehouse's audit events). The writer and
the state checker both use these members, so a misspelt tag is an error, not a check
that silently never runs. A tag, once written to a ledger, never changes."""

from enum import StrEnum


class ReportTag(StrEnum):
    """Every ledger tag the reports area writes."""

    RECEIVED = "intake:report:received"
    ATTACHMENT_RECEIVED = "intake:attachment:received"
    IMPORT_BATCH_COMMITTED = "intake:import:batch-committed"
