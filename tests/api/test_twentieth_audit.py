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

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from argon2 import extract_parameters
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from ceasefire.access import Classification, Viewer
from ceasefire.agreements import service as agreements
from ceasefire.alerts import service as alerts
from ceasefire.alerts.schemas import DeliveryChannel, SubscriptionCreate
from ceasefire.alerts.transport import Outcome
from ceasefire.app import create_app
from ceasefire.db.context import ServiceContext
from ceasefire.errors import Unauthorized
from ceasefire.i18n import gettext
from ceasefire.incidents import service as incidents
from ceasefire.members import auth
from ceasefire.members import service as members
from ceasefire.members.tables import UserRow
from ceasefire.reports import service as reports
from ceasefire.web.pages import STATIC
from tests.api.test_nineteenth_audit import Body
from tests.factories.members import OPERATOR, PASSWORD, Cast, add_user_with_token
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


def _shared_incident(
    ctx: ServiceContext, turkey: Viewer, *bodies: dict[str, Any]
) -> tuple[str, list[str]]:
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
        body = SubscriptionCreate(channel=DeliveryChannel.EMAIL, target=f"{member}@example.org")
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
    assert "ARM" in {party for _, party in before}, before
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


def _routes(routes: list[Any]) -> Iterator[APIRoute]:
    """Every ``APIRoute`` of ``routes``, through the routers they include."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from _routes(route.original_router.routes)


def _gated_form_routes(client: TestClient) -> dict[str, str]:
    """Every POST route of the app whose dependencies ask ``common.form_of``'s check, as a
    path with its parameters filled in, by the route's own path."""
    found = {}
    for route in _routes(client.app.routes):  # type: ignore[attr-defined]
        if "POST" not in (route.methods or ()):
            continue
        calls = {getattr(d.dependency, "__qualname__", "") for d in route.dependencies}
        if "form_of.<locals>.may_use" in calls:
            found[route.path] = re.sub(r"\{[a-z_]+\}", "x-1", route.path)
    return found


MONITOR_FORMS = {
    "/incidents",
    "/incidents/{incident_id}/reports",
    "/incidents/{incident_id}/reports/remove",
    "/incidents/{incident_id}/status",
    "/incidents/{incident_id}/classification",
    "/incidents/{incident_id}/assessments",
    "/incidents/{incident_id}/notes",
    "/incidents/{incident_id}/merge",
    "/incidents/{incident_id}/split",
    "/incidents/{incident_id}/tasks",
    "/incidents/{incident_id}/tasks/{task_id}/complete",
    "/incidents/{incident_id}/edit",
    "/incidents/{incident_id}/decision",
    "/incidents/{incident_id}/fusion/{decision_id}/undo",
    "/provisions/status",
    "/provisions/evaluate",
    "/members",
    "/members/roles",
    "/members/{member_id}/roles/end",
    "/posts",
    "/sensors",
}
LIAISON_FORMS = {"/incidents/{incident_id}/replies"}
OPERATOR_FORMS = {"/provisions/decision-rule", "/alerts/deliveries/{delivery_id}/requeue"}
FILING_FORMS = {"/reports/new"}


def test_a_form_no_role_of_the_member_uses_is_refused_before_it_is_read(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """France's observer posting an incident's status form, Armenia's liaison a provision's
    status, Turkey's monitor a party's reply or an operator's decision rule, Azerbaijan's
    liaison after its role was ended any of them: each form's body (up to the request
    limit) was read and parsed by the CSRF check before the service's 403. The role is
    asked on the session first now, for every such form (``common.form_of``)."""
    members.end_role(ctx, OPERATOR, member_id="aze", agreement_id=cast.agreement_id)
    gated = _gated_form_routes(client)
    assert set(gated) == MONITOR_FORMS | LIAISON_FORMS | OPERATOR_FORMS | FILING_FORMS
    uses = {
        "tur": MONITOR_FORMS | FILING_FORMS,
        "arm": LIAISON_FORMS | FILING_FORMS,
        "fra": set(),
        "aze": set(),
    }
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"}
    for member, used in uses.items():
        for route, path in gated.items():
            cast.signed_in(client, member)
            body = Body(b"csrf_token=wrong&text=" + b"x" * 200_000)
            response = client.post(path, content=body, headers=headers, follow_redirects=False)
            assert response.status_code == 403, (member, route, response.text)
            # Refused on its role before the body is read, or by the CSRF check reading it.
            assert body.consumed is (route in used), (member, route)


def test_the_import_page_is_answered_a_worded_page_for_an_error_before_its_own(
    ctx: ServiceContext, cast: Cast
) -> None:
    """The CSV import page's script sends the file itself and writes the answer as the page.
    A file over the request limit (413, refused on its declared length before any route),
    a stale CSRF token or no file were answered JSON, in English, and the script wrote the
    raw JSON out as the page. It asks for HTML now, and such an error is the error's page
    in the reader's language; any answer that is still no page is worded by the script from
    the page's own (translated) text."""
    client = TestClient(create_app(ctx=ctx))
    limit = ctx.settings.max_request_bytes
    cast.signed_in(client, "rus")
    page = {"Accept": "text/html", "Content-Type": "multipart/form-data; boundary=b"}
    too_big = client.post("/reports/import?lang=ru", content=b"x" * (limit + 1), headers=page)
    assert too_big.status_code == 413
    assert too_big.headers["content-type"].startswith("text/html")
    worded = gettext("ru", "request body over %(max_bytes)s bytes") % {"max_bytes": limit}
    assert worded in too_big.text
    no_csrf = client.post(
        "/reports/import?lang=tr", files={"file": ("a.csv", b"")}, headers={"Accept": "text/html"}
    )
    assert no_csrf.status_code == 403
    assert no_csrf.headers["content-type"].startswith("text/html")
    # The API's callers (no ``Accept: text/html``) are answered JSON, as before.
    machine = client.post("/reports/import", content=b"x" * (limit + 1))
    assert machine.json()["error"]["code"] == "E413"
    # The script asks for a page, and words whatever is not one from the page's text.
    script = (STATIC / "import.js").read_text(encoding="utf-8")
    assert 'setRequestHeader("Accept", "text/html")' in script
    assert "text.refused" in script
    form = client.get("/reports/import?lang=tr")
    assert 'data-refused="' in form.text
    assert "{status}" in form.text.split('data-refused="')[1].split('"')[0]


def test_a_worded_refusal_tells_a_hidden_incident_from_no_incident_in_no_way(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """Armenia's liaison replies to the monitors' internal incident and to an id that names
    none, with a body the schema refuses (an empty text, the validation refusal worded in
    Russian since the last session), then with a valid one, then cites each in a reply to a
    shared incident it reads: each answer is the other's, the id aside."""
    turkey = cast.viewer(ctx, "tur")
    hidden = incidents.create_incident(
        ctx,
        turkey,
        report_ids=[
            reports.submit_report(ctx, turkey, shelling_body(classification="internal")).report.id
        ],
        title="Shelling",
        classification=Classification.INTERNAL,
    ).id
    shared, _ = _shared_incident(
        ctx, turkey, shelling_body(observed={**AFTER_HANDOVER, "precision": "exact"})
    )
    unknown = "inc-" + "0" * 21
    headers = {**cast.signed_in(client, "arm"), "Accept-Language": "ru"}

    def answer(incident: str, body: dict[str, Any]) -> tuple[int, str]:
        response = client.post(f"/api/v1/incidents/{incident}/replies", json=body, headers=headers)
        return response.status_code, response.text.replace(incident, "ID")

    def cited(ref: str) -> tuple[int, str]:
        body = {"text": "See the other incident.", "evidence_refs": [ref]}
        response = client.post(f"/api/v1/incidents/{shared}/replies", json=body, headers=headers)
        return response.status_code, response.text.replace(ref, "ID")

    for body in ({"text": ""}, {"text": "Our positions did not fire."}):
        assert answer(hidden, body) == answer(unknown, body), body
    assert answer(hidden, {"text": ""})[0] == 422
    assert answer(hidden, {"text": "Our positions did not fire."})[0] == 404
    refused = cited(hidden)
    assert refused == cited(unknown)
    assert refused[0] == 404, refused


def test_an_unknown_name_is_verified_against_the_costs_of_the_stored_hashes(
    ctx: ServiceContext, cast: Cast
) -> None:
    """The operator raises ``CEASEFIRE_PASSWORD_HASH_TIME_COST`` after its users set their
    passwords. Each stored hash keeps its old costs until its user signs in again; an
    unknown name was verified against a dummy of the new costs, so a failed sign-in's time
    told a name not signed in since from an unknown one. An unknown name is verified now
    against a dummy with the costs of a stored hash the installation's key picks by the name:
    here, where every stored hash is of the old costs, the old costs, and the same for the
    same name every time. (What is verified is read, not timed.)"""
    for member in ("arm", "aze"):
        add_user_with_token(ctx, member, f"{member}-staff", password=PASSWORD)
    auth.login(ctx, user_id="arm-staff", password=PASSWORD)  # the installation's key is made
    old = ctx.settings.password_hash_time_cost
    raised = ServiceContext.from_settings(
        ctx.settings.model_copy(update={"password_hash_time_cost": old + 1})
    )
    hasher = auth._hasher(raised.settings)
    with raised.reader() as session:
        names = [f"nobody-{n}" for n in range(12)]
        first = [auth._verified_hash(session, hasher, name, None) for name in names]
        again = [auth._verified_hash(session, hasher, name, None) for name in names]
        stored = session.get(UserRow, "aze-staff")
        assert stored is not None
        own = auth._verified_hash(session, hasher, "aze-staff", stored.password_hash)
    assert first == again
    assert {extract_parameters(h).time_cost for h in first} == {old}
    assert own == stored.password_hash
    assert extract_parameters(own).time_cost == old
    with pytest.raises(Unauthorized):
        auth.login(raised, user_id="nobody-0", password=PASSWORD)
