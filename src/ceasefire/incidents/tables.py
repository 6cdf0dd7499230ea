"""Tables of the incidents area: incidents, their assessments, replies, notes,
investigation tasks, and the decision rule of each agreement.

Which reports an incident groups is the reports area's ``incident_reports`` table (a
report's grouping is a fact about the report); foreign keys name tables by string, so this
module imports no other area.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ceasefire.db.base import Base, UTCDateTime


class IncidentRow(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        Index("ix_incidents_observed", "observed_start", "observed_end"),
        # The map's boxes and the lists' bbox filter (migration 0009).
        Index("ix_incidents_position", "event_lon", "event_lat"),
        # The edge of the map's box, south and north (migration 0016, incidents.cellcounts).
        Index("ix_incidents_event_lat", "event_lat"),
        # The map's grid counts read only this index (migration 0012, members.grid).
        Index(
            "ix_incidents_map_cells",
            "concerns",
            "classification",
            "owner_member",
            "agreement_id",
            "event_lon",
            "event_lat",
            "observed_start",
            "category",
        ),
    )

    # ``active_history``: the columns that place an incident in the map's cell counts
    # (``incidents.cellcounts``) keep their old value when set, loaded if need be, so the
    # flush that writes a change knows which count it leaves.
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    agreement_id: Mapped[str | None] = mapped_column(
        String(64), nullable=True, index=True, active_history=True
    )
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    category: Mapped[str] = mapped_column(String(48), index=True, active_history=True)
    classification: Mapped[str] = mapped_column(String(16), active_history=True)
    concerns: Mapped[str] = mapped_column(String(200), active_history=True)
    status: Mapped[str] = mapped_column(String(24), index=True)
    attribution: Mapped[str] = mapped_column(String(24), index=True)
    attributed_party: Mapped[str | None] = mapped_column(String(16), nullable=True)
    observed_start: Mapped[datetime] = mapped_column(UTCDateTime())
    observed_end: Mapped[datetime] = mapped_column(UTCDateTime())
    event_lat: Mapped[float | None] = mapped_column(Float, nullable=True, active_history=True)
    event_lon: Mapped[float | None] = mapped_column(Float, nullable=True, active_history=True)
    event_place: Mapped[str | None] = mapped_column(String(500), nullable=True)
    event_precision: Mapped[int] = mapped_column(Integer)
    owner_member: Mapped[str] = mapped_column(String(64), active_history=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decision: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    emptied_by: Mapped[str | None] = mapped_column(String(40), nullable=True, active_history=True)
    """The fusion decision (a merge, a split's undo, an undo) that took this incident's last
    report; an emptied incident keeps its row and history, and leaves the lists. Cleared
    when a report comes back (the decision is undone)."""


class MapCellCountRow(Base):
    """How many live, placed incidents one cell of the map's grid holds, per group of the
    access rule's columns and per category (migration 0016): the map's low-zoom counts read
    these rows instead of counting the incidents. Kept by ``incidents.cellcounts`` in the
    flush of every incident write; ``ceasefire check`` compares them with a recount.

    ``level`` is the grid's: a cell is ``90 / 2**level`` degrees, anchored at (-180, -90),
    ``ix``/``iy`` its column and row. ``agreement_key`` is the incident's agreement, ``""``
    for none (a key column cannot be NULL). ``lon_sum``/``lat_sum`` give the cell's mean
    position. A row whose count fell to 0 is deleted."""

    __tablename__ = "incident_map_cells"

    level: Mapped[int] = mapped_column(Integer, primary_key=True)
    ix: Mapped[int] = mapped_column(Integer, primary_key=True)
    iy: Mapped[int] = mapped_column(Integer, primary_key=True)
    classification: Mapped[str] = mapped_column(String(16), primary_key=True)
    concerns: Mapped[str] = mapped_column(String(200), primary_key=True)
    owner_member: Mapped[str] = mapped_column(String(64), primary_key=True)
    agreement_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    category: Mapped[str] = mapped_column(String(48), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    lon_sum: Mapped[float] = mapped_column(Float)
    lat_sum: Mapped[float] = mapped_column(Float)


class _MemberRecord:
    """What every member's record on an incident holds (an assessment, a reply, a note):
    the incident, who wrote it and when, and who may read it."""

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    member_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    classification: Mapped[str] = mapped_column(String(16))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AssessmentRow(_MemberRecord, Base):
    """One member's view; never updated: a later row of the same member supersedes it."""

    __tablename__ = "incident_assessments"

    stance: Mapped[str] = mapped_column(String(16))
    finding_status: Mapped[str | None] = mapped_column(String(24), nullable=True)
    finding_attribution: Mapped[str | None] = mapped_column(String(24), nullable=True)
    finding_party: Mapped[str | None] = mapped_column(String(16), nullable=True)
    rationale: Mapped[str] = mapped_column(Text)
    evidence_refs: Mapped[list[str]] = mapped_column(JSON)
    supersedes: Mapped[str | None] = mapped_column(String(40), nullable=True)


class ReplyRow(_MemberRecord, Base):
    """A party liaison's right of reply to an incident."""

    __tablename__ = "incident_replies"

    party: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    evidence_refs: Mapped[list[str]] = mapped_column(JSON)


class NoteRow(_MemberRecord, Base):
    """A working note on an incident (internal by default: the monitors' deliberation)."""

    __tablename__ = "incident_notes"

    text: Mapped[str] = mapped_column(Text)


class InvestigationTaskRow(Base):
    __tablename__ = "investigation_tasks"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    team: Mapped[list[str]] = mapped_column(JSON)
    lead_member: Mapped[str | None] = mapped_column(String(64), nullable=True)
    party_representatives: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    instructions: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    assigned_by: Mapped[str] = mapped_column(String(64))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    findings: Mapped[str | None] = mapped_column(Text, nullable=True)


class DecisionRuleRow(Base):
    """The decision rule configured for one agreement (absent: unanimity of monitors)."""

    __tablename__ = "decision_rules"

    agreement_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    rule: Mapped[dict[str, Any]] = mapped_column(JSON)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime())
    set_by: Mapped[str] = mapped_column(String(64))


class RequestKeyRow(Base):
    """A client's ``Idempotency-Key`` for a request that makes a record with an id of ours
    (an incident, a task, a note): a retry with the same key and request is answered with
    the record the first one made, the same key with another request is a conflict.

    Kept per member, as reports' keys are; written in the unit of work that makes the
    record, so a key never names a record that was rolled back. Not ledgered: it says how
    a request was answered, not what happened."""

    __tablename__ = "incident_request_keys"

    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    action: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_sha256: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(40))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
