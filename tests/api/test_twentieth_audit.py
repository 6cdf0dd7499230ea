"""The twentieth audit: what the nineteenth and eighteenth audits left open, and what the
last session added (docs/security.md, "The twentieth audit"; both databases).

- A casualty or zone-breach alert states what the incident's reports stated when it was
  raised. A report taken out of the incident afterwards left the alert as it was, shown and
  sent to every reader of the incident: figures the incident no longer states, a breach
  whose finding was withdrawn (and which the finding's own reads withhold since the
  eighteenth audit). Such an alert is shown and sent now only to the monitors of its
  agreement and operators (``alerts.service._standing``, through ``readable_alerts``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from ceasefire.access import Classification, Viewer
from ceasefire.agreements import service as agreements
from ceasefire.alerts import service as alerts
from ceasefire.alerts.schemas import DeliveryChannel, SubscriptionCreate
from ceasefire.alerts.transport import Outcome
from ceasefire.db.context import ServiceContext
from ceasefire.incidents import service as incidents
from ceasefire.reports import service as reports
from tests.factories.members import Cast
from tests.factories.reports import AGHDAM, shelling_body

READERS = ("arm", "fra")
"""Armenia's liaison and France's observer: readers of the shared incidents below."""

AFTER_HANDOVER = {"start": "2020-11-26T10:30:00Z", "end": "2020-11-26T10:50:00Z"}


def _alerts(client: TestClient, cast: Cast, member: str, kind: str) -> list[dict[str, Any]]:
    response = client.get(
        "/api/v1/alerts", params={"kind": kind}, headers=cast.signed_in(client, member)
    )
    assert response.status_code == 200, response.text
    return list(response.json())


def _shared_incident(ctx: ServiceContext, turkey: Viewer, *bodies: dict[str, Any]) -> tuple[str, list[str]]:
    filed = [reports.submit_report(ctx, turkey, body).report.id for body in bodies]
    incident = incidents.create_incident(
        ctx, turkey, report_ids=filed, title="Shelling", classification=Classification.SHARED
    ).id
    return incident, filed


def test_a_casualty_alert_stands_only_while_the_incident_states_its_figures(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """Turkey's monitor groups two shared reports of shelling, one stating two injured
    civilians; the casualty alert goes to the liaison and the observer. The monitor then
    takes that report out of the incident ("another day's shelling"): the alert, listed
    and queued for them, said "2 injured" of an incident whose reports state none."""
    turkey = cast.viewer(ctx, "tur")
    for member in ("tur", *READERS):
        viewer = cast.viewer(ctx, member)
        body = SubscriptionCreate(
            channel=DeliveryChannel.EMAIL, target=f"{member}@example.org"
        )
        alerts.subscribe(ctx, viewer, body)
    observed = {**AFTER_HANDOVER, "precision": "exact"}
    incident, (injured, _) = _shared_incident(
        ctx,
        turkey,
        shelling_body(observed=observed, casualties={"injured_civilian": 2}),
        shelling_body(observed=observed),
    )
    (raised,) = alerts.scan(ctx, datetime.now(UTC)).raised
    assert raised.details["incident_id"] == incident
    for member in ("tur", *READERS):
        assert [a["id"] for a in _alerts(client, cast, member, "casualties")] == [raised.id]

    incidents.remove_report(ctx, turkey, incident, injured, reason="Another day's shelling.")
    assert [a["id"] for a in _alerts(client, cast, "tur", "casualties")] == [raised.id]
    for member in READERS:
        assert _alerts(client, cast, member, "casualties") == [], member
    sent: list[str] = []

    def record(work: Any, *_: Any) -> Outcome:
        sent.append(work.target)
        return Outcome(True)

    run = alerts.deliver_due(ctx, datetime.now(UTC), send=record)
    assert sent == ["tur@example.org"]
    assert run.attempted == 3


def test_a_zone_breach_alert_falls_with_its_finding(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """Shelling in Aghdam after its handover, in two shared reports, one alleging Armenia:
    a breach by ARM, raised to every reader of the incident. Turkey's monitor takes the
    alleging report out: the finding is withdrawn (the eighteenth audit shows a withdrawn
    finding to the monitors only), but the alert kept telling the liaison and the observer
    "breach by ARM"."""
    agreements.load_shipped(ctx)
    turkey = cast.viewer(ctx, "tur")
    observed = {**AFTER_HANDOVER, "precision": "exact"}
    position = {"place_name": "Aghdam", "precision": 1, **AGHDAM}
    incident, (alleging, _) = _shared_incident(
        ctx,
        turkey,
        shelling_body(observed=observed, event_position=position),
        shelling_body(observed=observed, event_position=position, alleged_perpetrator=None),
    )
    alerts.scan(ctx, datetime.now(UTC))

    def breaches(member: str) -> set[tuple[str, Any]]:
        listed = _alerts(client, cast, member, "zone_breach")
        return {(a["id"], a["details"]["party"]) for a in listed}

    before = breaches("tur")
    assert ("ARM" in {party for _, party in before}), before
    for member in READERS:
        assert breaches(member) == before, member

    incidents.remove_report(ctx, turkey, incident, alleging, reason="Filed twice.")
    alerts.scan(ctx, datetime.now(UTC))
    after = breaches("tur")
    assert before <= after
    for member in READERS:
        seen = breaches(member)
        assert "ARM" not in {party for _, party in seen}, (member, seen)
        assert seen == {b for b in after if b not in before}, member
