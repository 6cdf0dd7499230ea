"""The second adversarial audit: side channels, error answers and references that an
adversarial member (a party liaison, an observer) could use to learn of records it may not
read, or to act beyond its role. Each test is one finding, failing before its fix."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ceasefire.access import Classification
from ceasefire.alerts import service as alerts
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


def test_an_alert_follows_its_incident_when_the_monitors_close_it(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """A casualty alert about a shared incident is read by Armenia's liaison and France's
    observer; once the monitors make the incident internal, ``GET /api/v1/alerts`` (and the
    alert's ledger payload) must no longer name it to them: the incident id is then answered
    404, and its casualty figures are the monitors' alone. Judged on the incident as it
    stands now, as the ledger's payload rule judges records."""
    turkey = cast.viewer(ctx, "tur")
    report = reports.submit_report(
        ctx, turkey, shelling_body(casualties={"injured_military": 3})
    ).report
    incident_id = incidents.create_incident(
        ctx, turkey, report_ids=[report.id], title="x", classification=Classification.SHARED
    ).id
    alerts.scan(ctx)

    def alerted(member: str) -> list[str]:
        response = client.get("/api/v1/alerts", headers=cast.bearer(member))
        assert response.status_code == 200, response.text
        return [a["details"]["incident_id"] for a in response.json()]

    def payloads(member: str) -> list[object]:
        response = client.get("/api/v1/ledger?tag=alerts:alert", headers=cast.bearer(member))
        assert response.status_code == 200, response.text
        return [e["payload"] for e in response.json()["entries"]]

    for member in ("tur", "arm", "fra"):
        assert alerted(member) == [incident_id]
        assert [p is not None for p in payloads(member)] == [True]
    incidents.classify(ctx, turkey, incident_id, Classification.INTERNAL, reason="deliberating")
    assert alerted("tur") == [incident_id]
    assert [p is not None for p in payloads("tur")] == [True]
    for member in ("arm", "fra"):
        assert (
            client.get(f"/api/v1/incidents/{incident_id}", headers=cast.bearer(member)).status_code
            == 404
        )
        assert alerted(member) == []
        assert payloads(member) == [None]
