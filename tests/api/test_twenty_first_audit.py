"""The twenty-first audit: what the twentieth audit left open (docs/security.md, "The
twenty-first audit"; both databases).

- A web form's role was asked in any agreement: France, observing the trilateral statement
  and monitoring the memorandum, posting a monitors' form about a trilateral incident it
  reads, had its body read before the service's 403. The role is asked now in the agreement
  of the incident the path names, where the member reads it (``web.common.form_of``).
- ``POST /account/password`` read its body before sending the public to sign in.
- A casualty alert kept its map cell when a report taken out of its incident moved the
  incident elsewhere; a spike alert kept counting an incident moved out of its cell. Both
  stand now, for those who are not monitors of the agreement, only while the incidents are
  where the alert says (``alerts.service._standing``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from ceasefire.access import Classification
from ceasefire.actor import Actor
from ceasefire.agreements import service as agreements
from ceasefire.alerts import service as alerts
from ceasefire.alerts.model import AlertKind
from ceasefire.alerts.schemas import DeliveryChannel, SubscriptionCreate
from ceasefire.alerts.transport import Outcome
from ceasefire.db.context import ServiceContext
from ceasefire.incidents import service as incidents
from ceasefire.reports import service as reports
from ceasefire.web.session import SESSION_COOKIE
from tests.api.test_nineteenth_audit import Body
from tests.factories.agreements import MEMO_ID, shipped_text
from tests.factories.members import Cast, grant_monitor
from tests.factories.reports import AGHDAM, shelling_body
from tests.integration.test_alerts_service import incident as one_report_incident
from tests.integration.test_alerts_service import mail

FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"}
BARDA = {"place_name": "Barda", "precision": 2, "lat": 40.374, "lon": 47.126}
"""A place some 50 km from Aghdam: another cell of the alerts' grid."""
AT_AGHDAM = {"place_name": "Aghdam", "precision": 1, **AGHDAM}


def _posted(client: TestClient, cast: Cast, member: str, path: str) -> tuple[int, bool]:
    """``member``'s browser posting a large form with a wrong CSRF token to ``path``: the
    status, and whether the body was read."""
    cast.signed_in(client, member)
    body = Body(b"csrf_token=wrong&reason=" + b"x" * 200_000)
    response = client.post(path, content=body, headers=FORM, follow_redirects=False)
    return response.status_code, body.consumed


def test_a_form_is_refused_on_the_role_in_the_agreement_of_the_incident_it_names(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """France observes the trilateral statement and monitors the memorandum. Its browser
    posts the monitors' forms of a shared trilateral incident it reads (status, notes,
    merge, split...): the body was read (it monitors *an* agreement) before the service's
    403. It is refused on its role in the incident's agreement now, before the body. An
    internal incident France does not read, and an id that names none, are asked as
    before (the service's 404 comes after the body): the early 403 tells no more than the
    service's answer did. Turkey, monitoring the trilateral, still has its body read."""
    agreements.load_text(
        ctx, shipped_text(MEMO_ID), source_name=f"{MEMO_ID}.yaml", actor=Actor.centre()
    )
    grant_monitor(ctx, "fra", MEMO_ID)
    shared = one_report_incident(ctx, cast, classification=Classification.SHARED)
    hidden = one_report_incident(ctx, cast, classification=Classification.INTERNAL)
    unknown = "inc-" + "0" * 21
    forms = ("status", "notes", "merge", "split", "edit", "decision", "reports/remove")
    for form in forms:
        assert _posted(client, cast, "fra", f"/incidents/{shared}/{form}") == (403, False), form
        assert _posted(client, cast, "tur", f"/incidents/{shared}/{form}") == (403, True), form
        for other in (hidden, unknown):
            assert _posted(client, cast, "fra", f"/incidents/{other}/{form}") == (403, True)
    # France's form about no incident (its own agreement's provisions) is read as before.
    assert _posted(client, cast, "fra", "/provisions/status") == (403, True)
    # Armenia's liaison replies to the incident; France (no liaison anywhere) is refused.
    assert _posted(client, cast, "arm", f"/incidents/{shared}/replies") == (403, True)
    assert _posted(client, cast, "fra", f"/incidents/{shared}/replies") == (403, False)


def test_the_password_form_sends_the_public_to_sign_in_before_it_is_read(
    client: TestClient, cast: Cast
) -> None:
    """The public posting the password form (no sign-in cookie, or a stale one): the body
    (up to the request limit) was read and its CSRF token checked before the route sent it
    to sign in. It is sent now before the body, as the other signed-in forms are."""
    for cookie in (None, "not-a-token"):
        cast.signed_in(client, None)
        if cookie is not None:
            client.cookies.set(SESSION_COOKIE, cookie)
        body = Body(b"csrf_token=wrong&current_password=" + b"x" * 200_000)
        response = client.post(
            "/account/password", content=body, headers=FORM, follow_redirects=False
        )
        assert response.status_code == 303, response.text
        assert response.headers["location"].startswith("/login?next=")
        assert body.consumed is False, cookie
    # A signed-in user's form is read (and its wrong CSRF token refused) as before.
    cast.signed_in(client, "arm")
    body = Body(b"csrf_token=wrong&current_password=x")
    response = client.post("/account/password", content=body, headers=FORM)
    assert response.status_code == 403
    assert body.consumed is True


def _alerts(client: TestClient, cast: Cast, member: str, kind: str) -> list[dict[str, Any]]:
    cast.signed_in(client, member)
    response = client.get("/api/v1/alerts", params={"kind": kind}, headers=cast.bearer(member))
    assert response.status_code == 200, response.text
    return list(response.json())


def test_a_casualty_alert_stands_only_while_its_incident_is_in_its_cell(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """Turkey's monitor groups an exactly placed report of shelling at Aghdam and a less
    precise one placing it at Barda, each stating two injured civilians; the casualty alert
    names Aghdam's cell, and goes to the subscribers of that cell. The monitor takes the
    Aghdam report out: the incident is at Barda now, with the same figures, and the alert
    kept telling Armenia's liaison and France's observer (and Aghdam's subscribers) of two
    injured in Aghdam's cell. It is shown and sent now to the monitors only."""
    turkey = cast.viewer(ctx, "tur")
    at = datetime.now(UTC) - timedelta(hours=1)
    observed = {"start": at.isoformat(), "end": at.isoformat(), "precision": "exact"}
    injured = {"injured_civilian": 2}
    filed = [
        reports.submit_report(
            ctx, turkey, shelling_body(observed=observed, event_position=p, casualties=injured)
        ).report.id
        for p in (AT_AGHDAM, BARDA)
    ]
    shared = incidents.create_incident(
        ctx, turkey, report_ids=filed, title="Shelling", classification=Classification.SHARED
    ).id
    (raised,) = alerts.scan(ctx, datetime.now(UTC)).raised
    assert raised.details["incident_id"] == shared
    cell = raised.area
    assert cell is not None
    for member in ("tur", "arm", "fra"):
        viewer = cast.viewer(ctx, member)
        body = SubscriptionCreate(
            channel=DeliveryChannel.EMAIL, target=f"{member}@example.org", areas=[cell]
        )
        alerts.subscribe(ctx, viewer, body)
        assert [a["id"] for a in _alerts(client, cast, member, "casualties")] == [raised.id]

    incidents.remove_report(ctx, turkey, shared, filed[0], reason="Another day's shelling.")
    moved = client.get(f"/api/v1/incidents/{shared}", headers=cast.bearer("fra")).json()
    assert moved["event_position"]["place_name"] == "Barda"
    assert [a["id"] for a in _alerts(client, cast, "tur", "casualties")] == [raised.id]
    for member in ("arm", "fra"):
        assert _alerts(client, cast, member, "casualties") == [], member
    sent: list[str] = []

    def record(work: Any, *_: Any) -> Outcome:
        sent.append(work.target)
        return Outcome(True)

    alerts.deliver_due(ctx, datetime.now(UTC), send=record)
    assert "arm@example.org" not in sent
    assert "fra@example.org" not in sent


def test_a_spike_alert_stands_only_while_its_incidents_are_in_its_cell(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """Five shared incidents at Aghdam in a day, against one every four days before: a
    spike in Aghdam's cell, told to France's observer. One of the five was placed at Aghdam
    by an exact report beside a less precise one at Barda; Turkey's monitor takes the exact
    report out, and the incident moves to Barda. The spike kept telling France of five
    incidents in Aghdam's cell, one of them no longer there. It is shown to the monitors
    only now; France reads the incident as before."""
    now = datetime(2020, 11, 26, 12, tzinfo=UTC)
    mail(ctx, cast.viewer(ctx, "fra"), kinds=[AlertKind.SPIKE])
    shared = Classification.SHARED
    for day in range(4, 29, 4):
        one_report_incident(ctx, cast, classification=shared, at=now - timedelta(days=day))
    recent = [
        one_report_incident(ctx, cast, classification=shared, at=now - timedelta(hours=h))
        for h in (1, 3, 5, 8)
    ]
    turkey = cast.viewer(ctx, "tur")
    at = now - timedelta(hours=13)
    observed = {"start": at.isoformat(), "end": at.isoformat(), "precision": "exact"}
    exact, vague = (
        reports.submit_report(
            ctx, turkey, shelling_body(observed=observed, event_position=p)
        ).report.id
        for p in (AT_AGHDAM, BARDA)
    )
    moving = incidents.create_incident(
        ctx, turkey, report_ids=[exact, vague], title="Shelling", classification=shared
    ).id
    alerts.scan(ctx, now)

    def named(member: str) -> list[list[str]]:
        return [
            sorted(a["details"]["incident_ids"]) for a in _alerts(client, cast, member, "spike")
        ]

    assert named("fra") == [sorted([*recent, moving])]
    incidents.remove_report(ctx, turkey, moving, exact, reason="Filed for another place.")
    assert client.get(f"/api/v1/incidents/{moving}", headers=cast.bearer("fra")).status_code == 200
    assert named("fra") == []
    assert sorted([*recent, moving]) in named("tur")
