"""The second adversarial audit: side channels, error answers and references that an
adversarial member (a party liaison, an observer) could use to learn of records it may not
read, or to act beyond its role. Each test is one finding, failing before its fix."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ceasefire.access import Classification
from ceasefire.db.context import ServiceContext
from ceasefire.incidents import service as incidents
from ceasefire.reports import service as reports
from tests.factories.members import Cast
from tests.factories.reports import COMPLAINT, shelling_body


def test_grouping_a_report_of_a_hidden_incident_is_refused_by_role_not_by_naming_it(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """Armenia's liaison names its own complaint (which the monitors grouped into an
    internal incident) in ``POST /api/v1/incidents``: a party may not create incidents, so
    the answer is the 403 of its role, never the 409 "rep-… is in inc-…" that names the
    hidden incident (``GET /api/v1/incidents/{id}`` answers it 404)."""
    turkey = cast.viewer(ctx, "tur")
    complaint = reports.submit_report(
        ctx, cast.viewer(ctx, "arm"), shelling_body(**COMPLAINT)
    ).report
    hidden = incidents.create_incident(
        ctx,
        turkey,
        report_ids=[complaint.id],
        title="Shelling near Aghdam",
        classification=Classification.INTERNAL,
    ).id
    body = {"report_ids": [complaint.id], "title": "Our complaint"}
    refused = client.post("/api/v1/incidents", json=body, headers=cast.bearer("arm"))
    assert refused.status_code == 403, refused.text
    assert hidden not in refused.text
