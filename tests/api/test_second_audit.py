"""The second adversarial audit: side channels, error answers and references that an
adversarial member (a party liaison, an observer) could use to learn of records it may not
read, or to act beyond its role. Each test is one finding, failing before its fix."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ceasefire.access import Classification
from ceasefire.alerts import service as alerts
from ceasefire.db.context import ServiceContext
from ceasefire.incidents import service as incidents
from ceasefire.incidents.model import Attribution, OccurrenceStatus, Stance
from ceasefire.ledger.entry import text_sha256
from tests.factories.members import Cast
from tests.factories.reports import COMPLAINT, incident_of, shelling_body


def test_grouping_a_report_of_a_hidden_incident_is_refused_by_role_not_by_naming_it(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """Armenia's liaison names its own complaint (which the monitors grouped into an
    internal incident) in ``POST /api/v1/incidents``: a party may not create incidents, so
    the answer is the 403 of its role, never the 409 "rep-… is in inc-…" that names the
    hidden incident (``GET /api/v1/incidents/{id}`` answers it 404)."""
    complaint, hidden = incident_of(
        ctx, cast.viewer(ctx, "tur"), shelling_body(**COMPLAINT), filer=cast.viewer(ctx, "arm")
    )
    body = {"report_ids": [complaint], "title": "Our complaint"}
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
    body = shelling_body(casualties={"injured_military": 3})
    _, incident_id = incident_of(ctx, turkey, body, classification=Classification.SHARED)
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


def test_the_decision_names_no_member_whose_view_the_reader_may_not_read(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """Russia dissents from Turkey's finding on a shared incident, both in internal
    assessments (the default: the monitors' deliberation). The incident is disputed, which
    its readers see (its attribution), and its decision's views are filtered to the
    assessments a reader may read; its ``reason`` must not then say "dissent by rus" to
    Armenia's liaison or France's observer, nor "waiting for rus" while Turkey alone has
    spoken: who holds which view is in the assessments they may not read."""
    turkey, russia = cast.viewer(ctx, "tur"), cast.viewer(ctx, "rus")
    _, incident_id = incident_of(ctx, turkey, classification=Classification.SHARED)
    incidents.change_status(
        ctx, turkey, incident_id, OccurrenceStatus.UNDER_INVESTIGATION, reason="a team goes"
    )
    incidents.assess(
        ctx,
        turkey,
        incident_id,
        stance=Stance.CONCUR,
        rationale="UAV",
        status=OccurrenceStatus.VERIFIED,
        attribution=Attribution.parse("attributed(ARM)"),
    )

    def decision(member: str) -> dict[str, object]:
        response = client.get(f"/api/v1/incidents/{incident_id}", headers=cast.bearer(member))
        assert response.status_code == 200, response.text
        found: dict[str, object] = response.json()["decision"]
        return found

    assert decision("tur")["reason"] == "waiting for rus"
    for member in ("arm", "fra"):
        assert decision(member)["reason"] is None
    incidents.assess(ctx, russia, incident_id, stance=Stance.DISSENT, rationale="No footage")
    assert decision("rus")["reason"] == "dissent by rus"
    for member in ("arm", "fra"):
        shown = decision(member)
        assert shown["state"] == "disputed"
        assert shown["views"] == []
        assert shown["reason"] is None
    # The ledger's entry of the decision, which the liaison reads (it reads the incident),
    # keeps the reason behind a digest: one a reader can confirm a guess against ("dissent
    # by" each monitor, a handful of texts) would say as much as the reason.
    entries = client.get(
        f"/api/v1/ledger?subject=incident/{incident_id}&tag=intake:incident:decided",
        headers=cast.bearer("arm"),
    ).json()["entries"]
    digests = {e["payload"]["decision"]["reason_sha256"] for e in entries}
    assert len(digests) == len(entries) == 2
    guesses = {
        text_sha256(f"{why} {who}")
        for why in ("dissent by", "waiting for")
        for who in ("rus", "tur", "rus, tur")
    }
    assert not digests & guesses


def test_a_retried_submission_names_no_incident_its_filer_may_not_read(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """Armenia files a complaint with an ``Idempotency-Key``; the monitors group it into an
    internal incident. Armenia sends the same complaint again (a retry, or on purpose): the
    answer is the stored report, which must name no incident, as ``GET
    /api/v1/reports/{id}`` shows it to Armenia; by the header key and by
    ``client_report_id`` alike."""
    body = shelling_body(**COMPLAINT)
    headers = {**cast.bearer("arm"), "Idempotency-Key": "arm-2020-11-26-1"}
    first = client.post("/api/v1/reports", json=body, headers=headers)
    assert first.status_code == 201, first.text
    report_id = first.json()["id"]
    hidden = incidents.create_incident(
        ctx,
        cast.viewer(ctx, "tur"),
        report_ids=[report_id],
        title="Shelling near Aghdam",
        classification=Classification.INTERNAL,
    ).id
    shown = client.get(f"/api/v1/reports/{report_id}", headers=cast.bearer("arm")).json()
    assert shown["incident_id"] is None
    for again in (
        client.post("/api/v1/reports", json=body, headers=headers),
        client.post(
            "/api/v1/reports",
            json={**body, "client_report_id": "arm-2020-11-26-1"},
            headers=cast.bearer("arm"),
        ),
    ):
        assert again.status_code == 200, again.text
        assert again.json()["id"] == report_id
        assert hidden not in again.text
        assert again.json() == shown
    # Turkey's monitors read the incident: the same report names it to them.
    assert (
        client.get(f"/api/v1/reports/{report_id}", headers=cast.bearer("tur")).json()["incident_id"]
        == hidden
    )


def test_one_monitor_cannot_make_another_member_speak_for_a_party(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """Turkey's monitor ends France's observer role (a monitor may) and makes France the
    party liaison of ARM: France's users would then read what concerns Armenia, file
    complaints as Armenia and answer for it under the right of reply. A party liaison role
    that a monitor grants names the member's own party (a state, its ISO 3166 code); any
    other member speaking for a party is the operator's to record once the members agree,
    as monitor roles are."""
    agreement = "nk-2020-trilateral"
    turkey = cast.bearer("tur")
    ended = client.post(
        "/api/v1/members/fra/roles/end", json={"agreement_id": agreement}, headers=turkey
    )
    assert ended.status_code == 200, ended.text
    for party, status in (("ARM", 403), ("FRA", 201)):
        granted = client.post(
            "/api/v1/members/fra/roles",
            json={"agreement_id": agreement, "role": "party_liaison", "party": party},
            headers=turkey,
        )
        assert granted.status_code == status, granted.text
        if status == 403:
            assert granted.json()["error"]["details"][0]["loc"] == "party"
    roles = client.get("/api/v1/members/fra").json()["roles"]
    assert [(r["role"], r["party"]) for r in roles if r["current"]] == [("party_liaison", "FRA")]
