"""Ledger tags of the publishing area: a report generated and published.

The payload carries the content's SHA-256, so anyone holding the published file checks it
against the ledger; the content itself stays in ``publications``.
"""

from enum import StrEnum

from ceasefire.ledger.events import Blinded


class PublishTag(StrEnum):
    """Every ledger tag the publishing area writes."""

    GENERATED = "publish:report:generated"


class ReportGenerated(Blinded):
    """``publish:report:generated``: one stored publication."""

    publication_id: str
    kind: str
    period: str
    edition: str
    lang: str
    audience: str
    format: str
    revision: int
    agreement_id: str | None
    sha256: str
    html_sha256: str
    generator: str


PAYLOADS: dict[PublishTag, type] = {PublishTag.GENERATED: ReportGenerated}
"""The payload type of every tag."""
