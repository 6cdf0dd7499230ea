"""State check of the stored publications against the ledger.

``ceasefire ledger verify`` hands this checker every ``publish:*`` entry; each stored
publication must match its ``publish:report:generated`` entry, and its content must still
hash to the digest that entry holds (a file altered after publication is found).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from ceasefire.access import Viewer
from ceasefire.ledger.check import (
    ActualRows,
    EntryAbout,
    ExpectedRows,
    PayloadRule,
    projection_checker,
    read_payload,
)
from ceasefire.ledger.verify import CollectedEntry
from ceasefire.publish.events import PublishTag, ReportGenerated
from ceasefire.publish.service import readable_publications
from ceasefire.publish.tables import KEY_COLUMNS, PublicationRow

_FIELDS = (*KEY_COLUMNS, "sha256")


def _expected(entries: Sequence[CollectedEntry]) -> ExpectedRows:
    rows: dict[str, tuple[int, dict[str, object]]] = {}
    for entry in entries:
        if entry.tag != PublishTag.GENERATED:
            continue
        payload = cast(ReportGenerated, read_payload(entry))
        rows[str(payload["publication_id"])] = (
            entry.seq,
            {name: payload[name] for name in _FIELDS},  # type: ignore[literal-required]
        )
    return {"publications": dict(rows)}


def _actual(session: Session) -> ActualRows:
    rows = {}
    for row in session.scalars(select(PublicationRow)):
        fields: dict[str, object] = {name: getattr(row, name) for name in _FIELDS}
        # The content as stored now, not the digest column: altered content shows.
        fields["sha256"] = hashlib.sha256(row.content).hexdigest()
        rows[row.id] = fields
    return {"publications": rows}


CHECKER = projection_checker("publish", [f"{PublishTag.GENERATED}"], _expected, _actual)


# -- who reads the payloads -------------------------------------------------------------------


def _readable(session: Session, viewer: Viewer, entries: Sequence[EntryAbout]) -> Iterator[int]:
    about = {e.seq: e.subject.removeprefix("publication/") for e in entries}
    readable = readable_publications(session, viewer, about.values())
    return (seq for seq, publication in about.items() if publication in readable)


PAYLOAD_RULE = PayloadRule("publish", tuple(tag.value for tag in PublishTag), _readable)
"""A publication's entries (its kind, period, edition, audience and digests; its withdrawal
and the incident that caused it) are read by whoever may read the publication: a member's own
internal edition is that member's, as ``GET /api/v1/publications`` lists it; the public and
the monitors' editions as theirs, less the readers it was withdrawn from."""
