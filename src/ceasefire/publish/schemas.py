"""Response shapes of the publishing area."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class PublicationPublic(BaseModel):
    """A stored publication, without its content (``GET .../content`` serves that)."""

    id: str
    kind: str
    period: str
    edition: str
    lang: str
    audience: str
    format: str
    revision: int
    agreement_id: str | None
    period_start: datetime | None
    period_end: datetime | None
    sha256: str
    html_sha256: str
    generator: str
    generated_at: datetime
    ledger_seq: int
    created: bool = False
    """Whether this request generated it (False: the same content was already stored)."""
