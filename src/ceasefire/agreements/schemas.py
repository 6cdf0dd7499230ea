"""Typed descriptions of the agreement register's JSON: what the views and records look like.

``ceasefire.agreements.views`` builds plain dicts (the CLI prints them with ``--json``); the
API declares these models as its response models, so ``/openapi.json`` describes every
field and FastAPI checks each response against them. The models reproduce the dicts
exactly: optional keys the views leave out (an instant's ``note``, an evidence reference's
empty parts) are left out again (``exclude_if``), and instants and dates stay the strings the
views wrote (``format`` says which kind). ``tests/unit/test_agreement_schemas.py`` holds
this for the shipped agreements.

Two parts are free-form on purpose and typed ``dict[str, Any]``: a version's ``changes``
(the diff of two documents, nested by section) and a zone's GeoJSON ``geometry``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ceasefire.agreements.model import (
    MAX_EVIDENCE,
    MAX_NOTE,
    AgreementKind,
    PartyRole,
    ProvisionKind,
    ProvisionStatus,
    TimePrecision,
    ZoneKind,
)

UtcInstant = Annotated[
    str,
    Field(
        description="ISO 8601 instant in UTC with a 'Z' suffix.",
        json_schema_extra={"format": "date-time"},
        examples=["2020-11-09T21:00:00Z"],
    ),
]
LocalDate = Annotated[
    str,
    Field(
        description="Calendar date, local to the time zone beside it.",
        json_schema_extra={"format": "date"},
        examples=["2020-11-25"],
    ),
]


def _absent(value: object) -> bool:
    return value is None


class _Public(BaseModel):
    # Extra keys would mean the view and its description have drifted apart: fail loudly.
    model_config = ConfigDict(extra="forbid")


# -- shared pieces ----------------------------------------------------------------------------


class SourceInstantPublic(_Public):
    """An instant as its source states it: UTC, the local text and zone, and its precision."""

    at: UtcInstant
    local: str = Field(description="Local date or time as the source gives it, no offset.")
    time_zone: str = Field(description="IANA time zone of ``local``.")
    precision: TimePrecision
    note: str | None = Field(default=None, exclude_if=_absent)


class EvidencePublic(_Public):
    """A reference a recorded fact rests on: a source of the agreement file or an outside ref."""

    source: str | None = Field(
        default=None, exclude_if=_absent, description="Id of a source of the agreement."
    )
    ref: str | None = Field(
        default=None, exclude_if=_absent, description="Outside reference, e.g. 'incident:…'."
    )
    note: str | None = Field(default=None, exclude_if=_absent)


class StatusChangePublic(_Public):
    """One entry of a provision's status history."""

    status: ProvisionStatus
    at: SourceInstantPublic
    evidence: list[EvidencePublic]
    note: str | None


class DeadlineAmendmentPublic(_Public):
    previous: LocalDate
    due: LocalDate
    decided: SourceInstantPublic
    reason: str
    requested_by: str | None
    decided_by: list[str]
    instrument: str | None
    evidence: list[EvidencePublic]


class DeadlinePublic(_Public):
    """A deadline as in force at the view's ``as_of``, with the amendments known by then."""

    due: LocalDate
    time_zone: str
    overdue_after: UtcInstant
    original: LocalDate
    amendments: list[DeadlineAmendmentPublic]


class DisputePublic(_Public):
    note: str
    sources: list[str]


class _ProvisionFields(_Public):
    id: str
    number: str
    title: str
    kind: ProvisionKind
    status: ProvisionStatus = Field(description="Status as of the view's instant.")
    recorded_status: ProvisionStatus = Field(description="Last recorded status by then.")
    overdue: bool
    deadline: DeadlinePublic | None
    obligated: list[str]
    beneficiaries: list[str]
    zones: list[str]
    quantities: dict[str, int]
    disputed: DisputePublic | None
    notes: list[str]
    text: str
    parent: str | None
    status_history: list[StatusChangePublic]


class ProvisionPublic(_ProvisionFields):
    """A provision with its parts nested (``GET /api/v1/agreements/{id}``)."""

    parts: list[ProvisionPublic]


class ProvisionFlatPublic(_ProvisionFields):
    """A provision in a flat list: its parts are listed too and named here by id."""

    parts: list[str]


class TermPeriodPublic(_Public):
    index: int
    starts: LocalDate
    expires: LocalDate
    notice_deadline: LocalDate
    starts_at: UtcInstant
    expires_at: UtcInstant
    notice_closes_at: UtcInstant
    renews_automatically: bool


class TermNoticePublic(_Public):
    party: str
    given: SourceInstantPublic
    note: str | None


class TermPublic(_Public):
    starts: LocalDate
    time_zone: str
    length_months: int
    automatic_renewal: bool
    renewal_months: int | None
    notice_months: int
    applies_to: list[str]
    expires: LocalDate
    notice_deadline: LocalDate
    initial_period: TermPeriodPublic
    as_of: UtcInstant | None
    period_as_of: TermPeriodPublic | None
    notices: list[TermNoticePublic]


class AgreementVersionInfo(_Public):
    """Which stored version a view shows."""

    number: int
    current: int
    is_current: bool
    content_sha256: str
    source_name: str
    loaded_at: UtcInstant
    loaded_by: str
    changes: dict[str, Any] = Field(description="What this version changed (free-form diff).")


# -- GET /api/v1/agreements/{id} ----------------------------------------------------------------


class PartyPublic(_Public):
    code: str
    name: str
    roles: list[PartyRole]
    note: str | None


class SourcePublic(_Public):
    id: str
    citation: str
    url: str | None
    note: str | None


class SourceDisagreementPublic(_Public):
    id: str
    about: list[str]
    description: str
    sources: list[str]


class ZoneSummaryPublic(_Public):
    id: str
    name: str
    kind: ZoneKind
    precision: str
    geometry_type: str | None


class AgreementPublic(_Public):
    """One agreement as of an instant, provisions with their parts nested."""

    id: str
    title: str
    kind: AgreementKind
    aliases: list[str]
    version: AgreementVersionInfo | None
    as_of: UtcInstant
    signed: SourceInstantPublic | None
    effective: SourceInstantPublic
    ended: SourceInstantPublic | None
    parties: list[PartyPublic]
    term: TermPublic | None
    references: list[str]
    sources: list[SourcePublic]
    source_disagreements: list[SourceDisagreementPublic]
    notes: list[str]
    zones: list[ZoneSummaryPublic]
    provisions: list[ProvisionPublic]
    rules: list[dict[str, Any]] = Field(
        description="The compliance rules the file declares (docs/agreement-format.md)."
    )


# -- GET /api/v1/agreements/{id}/provisions ----------------------------------------------------


class AgreementRefPublic(_Public):
    id: str
    title: str
    version: AgreementVersionInfo | None


class AgreementProvisionsPublic(_Public):
    """Every provision and part, flat, as of an instant, with the deadline summary."""

    agreement: AgreementRefPublic
    as_of: UtcInstant
    due_within_days: int | None
    term: TermPublic | None
    overdue: list[str] = Field(description="Ids of provisions overdue as of the instant.")
    upcoming: list[str] = Field(description="Ids of open provisions due within the window.")
    upcoming_within_days: int
    provisions: list[ProvisionFlatPublic]


# -- GET /api/v1/agreements and /versions ----------------------------------------------------------


class EffectiveLocalPublic(_Public):
    local: str | None
    time_zone: str | None


class AgreementSummaryPublic(_Public):
    id: str
    title: str
    kind: AgreementKind
    version: int
    content_sha256: str
    loaded_at: UtcInstant
    provisions: int = Field(description="Top-level provisions.")
    provisions_and_parts: int
    effective: EffectiveLocalPublic


class AgreementListPublic(_Public):
    agreements: list[AgreementSummaryPublic]


class AgreementVersionPublic(_Public):
    version: int
    content_sha256: str
    source_name: str
    loaded_at: UtcInstant
    loaded_by: str
    ledger_seq: int | None
    changes: dict[str, Any] = Field(description="What this version changed (free-form diff).")


class AgreementVersionsPublic(_Public):
    agreement: str
    versions: list[AgreementVersionPublic]


# -- GET /api/v1/zones ----------------------------------------------------------------------------


class ZonePropertiesPublic(_Public):
    agreement: str
    agreement_version: int
    zone: str
    name: str
    kind: ZoneKind
    precision: str
    valid_from: UtcInstant | None
    valid_until: UtcInstant | None


class ZoneFeaturePublic(_Public):
    type: Literal["Feature"]
    id: str
    geometry: dict[str, Any] = Field(description="RFC 7946 geometry, WGS84 [lon, lat].")
    properties: ZonePropertiesPublic


class ZoneCollectionPublic(_Public):
    """RFC 7946 FeatureCollection of agreement zones."""

    type: Literal["FeatureCollection"]
    features: list[ZoneFeaturePublic]


# -- recording a status change -----------------------------------------------------------------


class StatusChangeRecordPublic(_Public):
    """A status change as stored: the history entry plus who recorded it and its ledger entry."""

    agreement_id: str
    provision_id: str
    status: ProvisionStatus
    at: SourceInstantPublic
    evidence: list[EvidencePublic]
    note: str | None
    origin: str = Field(description="'file' (from the agreement file) or 'service'.")
    agreement_version: int | None
    ledger_seq: int
    recorded_at: UtcInstant
    recorded_by: str


class ProvisionStatusRecorded(_Public):
    """The answer to recording a status: ``recorded`` is false when it was already recorded
    (a retry), and ``status_change`` is then the stored one, unchanged."""

    recorded: bool
    status_change: StatusChangeRecordPublic


# What a client sends to record a provision's status (the API's request bodies).


class EvidenceCreate(BaseModel):
    """One evidence reference: a ``source`` of the agreement file, an outside ``ref``, or both."""

    model_config = ConfigDict(extra="forbid")

    source: str | None = Field(
        default=None, max_length=80, description="Id of a source of the agreement file."
    )
    ref: str | None = Field(default=None, max_length=500, examples=["incident:2020-12-20-001"])
    note: str | None = Field(default=None, max_length=2000)


class ProvisionStatusCreate(BaseModel):
    """A provision's status from an instant on, with the evidence it rests on.

    Give ``at`` (UTC or with an offset), or ``local`` with ``time_zone`` as the source
    states it, or both (they must agree). ``time_zone`` alone keeps ``at``'s local time
    there. Unknown fields are refused.
    """

    model_config = ConfigDict(extra="forbid")

    status: ProvisionStatus
    at: AwareDatetime | None = Field(default=None, examples=["2020-12-14T09:00:00Z"])
    local: str | None = Field(
        default=None,
        max_length=32,
        description="Local date or time without offset ('2020-12-14' or '2020-12-14T13:00').",
    )
    time_zone: str | None = Field(default=None, max_length=64, examples=["Asia/Baku"])
    evidence: list[EvidenceCreate] = Field(min_length=1, max_length=MAX_EVIDENCE)
    note: str | None = Field(default=None, max_length=MAX_NOTE)
