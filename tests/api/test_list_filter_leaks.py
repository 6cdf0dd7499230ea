"""List filters as an adversarial member uses them: a filter may only select by what the
caller may read. An incident's ``channels`` are those of the reports the caller may read,
so ``?channel=`` must not match an incident by a report the caller may not read (Armenia's
liaison, or the public, would learn that a UAV detection kept internal backs it)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ceasefire.access import Classification
from ceasefire.db.context import ServiceContext
from ceasefire.incidents import service as incidents
from ceasefire.reports import service as reports
from tests.factories.members import Cast
from tests.factories.reports import detection_body, shelling_body


def test_the_channel_filter_matches_only_reports_the_caller_may_read(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    turkey = cast.viewer(ctx, "tur")
    seen = reports.submit_report(ctx, turkey, shelling_body()).report  # shared with ARM, AZE
    detection = reports.submit_report(ctx, turkey, detection_body()).report  # its UAV's
    incident = incidents.create_incident(
        ctx,
        turkey,
        report_ids=[seen.id, detection.id],
        title="Shelling near Aghdam",
        classification=Classification.SHARED,  # the monitors share it, not the detection
    )

    def listed(channel: str, headers: dict[str, str]) -> set[str]:
        response = client.get(f"/api/v1/incidents?channel={channel}", headers=headers)
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["items"]}

    arm = cast.bearer("arm")
    (shown,) = client.get("/api/v1/incidents", headers=arm).json()["items"]
    assert shown["channels"] == ["monitor_observation"]
    assert listed("monitor_observation", arm) == {incident.id}
    assert listed("sensor_detection", arm) == set()
    assert listed("sensor_detection", cast.bearer("tur")) == {incident.id}
    page = client.get("/incidents?channel=sensor_detection", headers=arm)
    assert page.status_code == 200
    assert incident.id not in page.text

    incidents.classify(ctx, turkey, incident.id, Classification.PUBLIC)
    assert listed("monitor_observation", {}) == set()  # the public reads neither report
    assert listed("sensor_detection", {}) == set()
    assert listed("sensor_detection", arm) == set()
