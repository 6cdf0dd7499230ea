"""Ledger tags of the publishing area: a report generated and published.

The payload carries the content's SHA-256, so anyone holding the published file checks it
against the ledger; the content itself stays in ``publications``.
"""

from enum import StrEnum

from ceasefire.ledger.events import Blinded


class PublishTag(StrEnum):
    """Every ledger tag the publishing area writes."""

    GENERATED = "publish:report:generated"
    WITHDRAWN = "publish:report:withdrawn"


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


class ReportWithdrawn(Blinded):
    """``publish:report:withdrawn``: a stored publication no longer read by its audience,
    since an incident it names was classified so that the audience may not read it (the
    ``incident:classified`` entry before it). The content stays stored, as published; the
    readers that still read every incident it names (the monitors) still read it, and it
    is read again if the incident becomes readable again."""

    publication_id: str
    audience: str
    incident_id: str
    classification: str


PAYLOADS: dict[PublishTag, type] = {
    PublishTag.GENERATED: ReportGenerated,
    PublishTag.WITHDRAWN: ReportWithdrawn,
}
"""The payload type of every tag."""
