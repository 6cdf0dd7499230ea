"""Ledger tags of the agreements area: agreement versions loaded, deadlines amended,
provisions retired and their status.

One payload type per tag, written by ``ceasefire.agreements.service``.
How tags and payloads are used: docs/ledger.md, "Writing entries".
Times are ISO 8601 strings (``...Z`` from :func:`ceasefire.agreements.model.iso`).
"""

from enum import StrEnum
from typing import Any, NotRequired, TypedDict

from ceasefire.ledger.events import Blinded


class AgreementTag(StrEnum):
    """Every ledger tag the agreements area writes."""

    VERSION_LOADED = "agreement:version:loaded"
    DEADLINE_AMENDED = "agreement:deadline:amended"
    PROVISION_RETIRED = "agreement:provision:retired"
    PROVISION_STATUS_CHANGED = "agreement:provision:status-changed"


class EvidenceRef(TypedDict):
    """A reference supporting a recorded fact (``Evidence.to_dict``): only the keys set."""

    source: NotRequired[str]
    ref: NotRequired[str]
    note: NotRequired[str]


class DecidedAt(TypedDict):
    """When an amendment was decided (``SourceInstant.to_dict``)."""

    at: str
    local: str
    time_zone: str
    precision: str
    note: NotRequired[str]


class VersionLoaded(TypedDict):
    """``agreement:version:loaded``: a new version of an agreement file, with what changed."""

    agreement_id: str
    version: int
    content_sha256: str
    source_name: str
    title: str
    kind: str
    provisions: list[str]
    zones: list[str]
    changes: dict[str, Any]


class DeadlineAmended(Blinded):
    """``agreement:deadline:amended``: a provision's deadline moved (one amendment)
    (blinded: its payload is withheld from a member that may not read a record its reason,
    instrument or evidence cites, ``agreements.check.PAYLOAD_RULE``)."""

    agreement_id: str
    provision_id: str
    seq: int
    previous: str
    due: str
    time_zone: str
    decided: DecidedAt
    requested_by: str | None
    decided_by: list[str]
    reason: str
    instrument: str | None
    evidence: list[EvidenceRef]
    agreement_version: int


class ProvisionRetired(TypedDict):
    """``agreement:provision:retired``: a provision missing from a new version."""

    agreement_id: str
    provision_id: str
    retired_in_version: int
    last_version: int


class ProvisionStatusChanged(Blinded):
    """``agreement:provision:status-changed``: everything the status change's row holds
    (blinded: its payload is withheld from a member that may not read a record its evidence
    or note cites, ``agreements.check.PAYLOAD_RULE``)."""

    agreement_id: str
    provision_id: str
    status: str
    at: str
    at_local: str
    time_zone: str
    precision: str
    evidence: list[EvidenceRef]
    note: str | None
    origin: str
    agreement_version: int | None


PAYLOADS: dict[AgreementTag, type] = {
    AgreementTag.VERSION_LOADED: VersionLoaded,
    AgreementTag.DEADLINE_AMENDED: DeadlineAmended,
    AgreementTag.PROVISION_RETIRED: ProvisionRetired,
    AgreementTag.PROVISION_STATUS_CHANGED: ProvisionStatusChanged,
}
"""The payload type of every tag."""
