"""A report names the incident that groups it, but only to a reader of that incident.

As the adversary: a report the public (or a party liaison) may read, grouped by the
monitors into an incident it may not read (kept internal while they deliberate). Every
surface that shows the report -- the API's list and detail, the ``unassigned`` filter,
the web page, the map's report points and the reports export -- must answer as if the
report were in no incident: an incident id the reader is then answered 404 for would
reveal that a hidden incident exists and which reports it groups."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from ceasefire.access import Classification
from ceasefire.db.context import ServiceContext
from ceasefire.fusion import service as fusion
from ceasefire.incidents import service as incidents
from ceasefire.reports import service as reports
from ceasefire.web.session import SESSION_COOKIE
from tests.factories.members import Cast
from tests.factories.reports import COMPLAINT, internal_incident, shelling_body


def test_a_report_hides_the_incident_its_reader_may_not_read(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    turkey = cast.viewer(ctx, "tur")
    public = reports.submit_report(ctx, turkey, shelling_body(classification="public")).report
    complaint = reports.submit_report(
        ctx, cast.viewer(ctx, "arm"), shelling_body(**COMPLAINT)
    ).report
    hidden = incidents.create_incident(
        ctx,
        turkey,
        report_ids=[public.id, complaint.id],
        title="Shelling near Aghdam",
        classification=Classification.INTERNAL,
    ).id
    arm = cast.bearer("arm")

    def incident_of(report_id: str, headers: dict[str, str]) -> str | None:
        response = client.get(f"/api/v1/reports/{report_id}", headers=headers)
        assert response.status_code == 200, response.text
        found: str | None = response.json()["incident_id"]
        return found

    def listed(headers: dict[str, str], query: str = "") -> dict[str, str | None]:
        response = client.get(f"/api/v1/reports{query}", headers=headers)
        assert response.status_code == 200, response.text
        return {r["id"]: r["incident_id"] for r in response.json()["items"]}

    # The monitors read the incident: its reports name it.
    assert incident_of(public.id, cast.bearer("tur")) == hidden
    assert listed(cast.bearer("rus"))[complaint.id] == hidden
    assert listed(cast.bearer("tur"), "?unassigned=true") == {}
    assert client.get(f"/api/v1/incidents/{hidden}", headers=arm).status_code == 404
    # The public and Armenia (its own complaint, the public report) read the reports only.
    assert incident_of(public.id, {}) is None
    assert incident_of(public.id, arm) is None
    assert incident_of(complaint.id, arm) is None
    assert listed({}) == {public.id: None}
    assert listed(arm) == {public.id: None, complaint.id: None}
    # "In no incident" is judged by the incidents the caller reads, as the field is.
    assert listed(arm, "?unassigned=true") == {public.id: None, complaint.id: None}
    assert listed({}, "?unassigned=true") == {public.id: None}

    exported = client.get("/api/v1/exports/reports?format=jsonl", headers=arm)
    assert exported.status_code == 200
    assert hidden not in exported.text
    assert hidden not in client.get("/api/v1/exports/reports?format=jsonl").text

    def web(path: str, member: str | None) -> str:
        client.cookies.clear()
        if member is not None:
            client.cookies.set(SESSION_COOKIE, cast.tokens[member])
        response = client.get(path)
        assert response.status_code == 200, response.text
        return str(response.text)

    assert hidden not in web(f"/reports/{public.id}", None)
    assert hidden not in web(f"/reports/{complaint.id}", "arm")
    assert hidden not in web("/reports", "arm")
    assert hidden in web(f"/reports/{complaint.id}", "tur")
    window = "/map/data.json?days=0&until=2020-11-27"
    for member in (None, "arm"):
        mapped = json.loads(web(window, member))
        assert {p["incident_url"] for p in mapped["reports"]["points"]} == {None}
        assert hidden not in json.dumps(mapped)
    urls = {p["id"]: p["incident_url"] for p in json.loads(web(window, "tur"))["reports"]["points"]}
    assert urls == {public.id: f"/incidents/{hidden}", complaint.id: f"/incidents/{hidden}"}


def test_undoing_a_decision_about_hidden_incidents_names_none_of_them(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """As Armenia's liaison, with a fusion decision's id (ledger headers name it): asking to
    undo it must answer as for a decision that does not exist, not name the internal
    incident it merged into (which ``GET /api/v1/incidents/{id}`` answers 404)."""
    turkey = cast.viewer(ctx, "tur")
    target, source = (internal_incident(ctx, turkey) for _ in range(2))
    decision = fusion.merge(ctx, turkey, target, source).id
    unknown = client.post(
        "/api/v1/fusion/decisions/fus-0000000000000000000000/undo",
        json={},
        headers=cast.bearer("arm"),
    )
    assert unknown.status_code == 404
    for member in ("arm", "fra"):  # a party liaison, an observer: neither reads them
        refused = client.post(
            f"/api/v1/fusion/decisions/{decision}/undo", json={}, headers=cast.bearer(member)
        )
        assert refused.status_code == 404, refused.text
        assert target not in refused.text
        assert source not in refused.text
        assert refused.json()["error"]["message"] == unknown.json()["error"]["message"].replace(
            "fus-0000000000000000000000", decision
        )


def test_completing_a_task_of_a_hidden_incident_names_no_incident(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """A task id names its incident: asked to complete the task of an internal incident, the
    liaison is answered as for a task that does not exist."""
    turkey = cast.viewer(ctx, "tur")
    hidden = internal_incident(ctx, turkey)
    task = incidents.assign_task(ctx, turkey, hidden, team=["Maj. Ivan Petrov"]).id
    body = {"findings": "Craters west of the post."}
    unknown = client.post(
        "/api/v1/tasks/tsk-0000000000000000000000/complete", json=body, headers=cast.bearer("arm")
    )
    refused = client.post(f"/api/v1/tasks/{task}/complete", json=body, headers=cast.bearer("arm"))
    assert (unknown.status_code, refused.status_code) == (404, 404)
    assert hidden not in refused.text
    assert refused.json()["error"]["message"] == unknown.json()["error"]["message"].replace(
        "tsk-0000000000000000000000", task
    )
