"""``ledger verify`` compares the intake tables with the ledger: edits behind the
application's back are reported with the entry they contradict."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, text, update

from ceasefire.access import Classification
from ceasefire.db.context import ServiceContext
from ceasefire.incidents import service as incidents
from ceasefire.incidents.model import Stance
from ceasefire.incidents.tables import AssessmentRow, IncidentRow
from ceasefire.ledger import service as ledger
from ceasefire.reports import service as reports
from ceasefire.reports.tables import ReportRow
from tests.factories.members import demo_cast
from tests.factories.reports import shelling_body


@pytest.fixture
def incident_id(ctx: ServiceContext) -> str:
    cast = demo_cast(ctx)
    turkey, russia = cast.viewer(ctx, "tur"), cast.viewer(ctx, "rus")
    report = reports.submit_report(ctx, turkey, shelling_body()).report
    incident = incidents.create_incident(
        ctx, turkey, report_ids=[report.id], title="t", classification=Classification.SHARED
    )
    incidents.assign_task(ctx, russia, incident.id, team=["a team"])
    incidents.assess(ctx, russia, incident.id, stance=Stance.DISSENT, rationale="not established")
    assert ledger.verify(ctx).ok
    return incident.id


def messages(ctx: ServiceContext) -> str:
    result = ledger.verify(ctx)
    assert not result.ok
    return " ".join(f.message for f in result.findings)


def test_a_report_content_edit_is_found(ctx: ServiceContext, incident_id: str) -> None:
    with ctx.unit_of_work() as session:
        session.execute(update(ReportRow).values(content=text("replace(content, '14', '41')")))
    assert "differs from ledger entry" in messages(ctx)


def test_a_category_column_edit_is_found(ctx: ServiceContext, incident_id: str) -> None:
    with ctx.unit_of_work() as session:
        session.execute(update(ReportRow).values(category="other"))
    assert "in category" in messages(ctx)


def test_a_status_changed_without_the_ledger_is_found(
    ctx: ServiceContext, incident_id: str
) -> None:
    with ctx.unit_of_work() as session:
        session.execute(
            update(IncidentRow).values(
                status="verified", attribution="attributed", attributed_party="ARM"
            )
        )
    found = messages(ctx)
    assert f"incidents row {incident_id}" in found
    assert "attribution, status" in found


def test_a_deleted_assessment_is_found(ctx: ServiceContext, incident_id: str) -> None:
    with ctx.unit_of_work() as session:
        session.execute(delete(AssessmentRow))
    assert "incident_assessments row" in messages(ctx)
    assert "which is missing" in messages(ctx)
