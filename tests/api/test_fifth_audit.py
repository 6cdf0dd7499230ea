"""The fifth adversarial audit: the fourth one's leftovers (ids typed into an incident's
title or a report's narrative, the ledger's digests of masked texts, posts' and sensors'
payloads without a nonce), then what a party liaison, an observer or another organisation's
monitor could still learn from lists, exports, pages and the ledger. Each test is one
finding, failing before its fix."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi.testclient import TestClient

from ceasefire.access import Classification
from ceasefire.alerts import service as alerts
from ceasefire.db.context import ServiceContext
from ceasefire.fusion import service as fusion
from ceasefire.incidents import service as incidents
from ceasefire.incidents.events import IncidentTag
from ceasefire.incidents.model import OccurrenceStatus
from ceasefire.ledger.entry import text_sha256
from ceasefire.members import auth, posts
from ceasefire.members.events import MemberTag
from ceasefire.members.model import Sensor, SensorKind
from ceasefire.reports.events import ReportTag
from ceasefire.reports.model import canonical_sha256
from ceasefire.web.session import SESSION_COOKIE
from tests.api.test_fourth_audit import _confirmable
from tests.factories.members import OPERATOR, Cast, add_posts
from tests.factories.reports import incident_of, shelling_body

MASK = "[\u2026]"
MAP_TABLE = "/map/table?zoom=14"
SUBSCRIPTIONS = "/api/v1/alerts/subscriptions"


def _entries(client: TestClient, cast: Cast, member: str, query: str) -> list[Any]:
    response = client.get(f"/api/v1/ledger?{query}", headers=cast.bearer(member))
    assert response.status_code == 200, response.text
    return list(response.json()["entries"])


def _page(client: TestClient, cast: Cast, member: str, path: str) -> str:
    client.cookies.set(SESSION_COOKIE, cast.tokens[member])
    page = client.get(path, headers={"Accept": "text/html"})
    client.cookies.clear()
    assert page.status_code == 200, page.text
    return str(page.text)


def _hidden_records(ctx: ServiceContext, cast: Cast) -> tuple[str, str]:
    """An internal report and an internal incident of Turkey's monitors."""
    return incident_of(ctx, cast.viewer(ctx, "tur"), shelling_body(classification="internal"))


def _shared_incident_edited(
    client: TestClient, ctx: ServiceContext, cast: Cast, **edit: str
) -> str:
    """A shared incident whose title or summary Turkey's monitor sets to ``edit``."""
    _, shared = incident_of(ctx, cast.viewer(ctx, "tur"), classification=Classification.SHARED)
    edited = client.patch(f"/api/v1/incidents/{shared}", json=edit, headers=cast.bearer("tur"))
    assert edited.status_code == 200, edited.text
    return shared


def test_an_incidents_title_names_to_a_reader_only_the_records_it_may_read(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """The fourth audit masked the ids a shared incident's summary names and left its title
    (300 characters, "a name"): Turkey's monitor titles a shared incident "Shelling, as in
    inc-…" (an internal incident) and Armenia's liaison and France's observer read the id in
    the incident, the list, the exports (JSON Lines, GeoJSON, ACLED's ``notes``), the pages
    and the map. The title is masked where the summary is; the ``created`` and ``edited``
    entries, whose ``title_sha256`` would confirm a guess of the masked id among the ids
    every ledger header shows, are withheld from such a reader."""
    hidden_report, hidden_incident = _hidden_records(ctx, cast)
    title = f"Shelling, as in {hidden_incident} ({hidden_report})"
    shared = _shared_incident_edited(client, ctx, cast, title=title)
    shown = f"Shelling, as in {MASK} ({MASK})"
    for member in ("arm", "fra"):
        bearer = cast.bearer(member)
        one = client.get(f"/api/v1/incidents/{shared}", headers=bearer)
        assert one.status_code == 200, one.text
        assert one.json()["title"] == shown
        listed = client.get("/api/v1/incidents", headers=bearer).json()["items"]
        assert [i["title"] for i in listed if i["id"] == shared] == [shown]
        for fmt in ("jsonl", "geojson", "acled", "ucdp"):
            exported = client.get(f"/api/v1/exports/incidents?format={fmt}", headers=bearer)
            assert exported.status_code == 200, exported.text
            assert hidden_incident not in exported.text, fmt
            assert hidden_report not in exported.text, fmt
        for path in (f"/incidents/{shared}", "/incidents", MAP_TABLE):
            assert hidden_incident not in _page(client, cast, member, path), path
        titled = [
            e
            for e in _entries(client, cast, member, f"subject=incident/{shared}")
            if e["tag"] in (IncidentTag.CREATED.value, IncidentTag.EDITED.value)
        ]
        assert len(titled) == 2
        assert all(e["payload_withheld"] for e in titled), titled
    mine = client.get(f"/api/v1/incidents/{shared}", headers=cast.bearer("tur")).json()
    assert mine["title"] == title
    assert hidden_incident in _page(client, cast, "tur", MAP_TABLE)
    [last] = [
        e
        for e in _entries(client, cast, "tur", f"subject=incident/{shared}")
        if e["tag"] == IncidentTag.EDITED.value
    ]
    assert last["payload"]["title_sha256"] == text_sha256(title)


def test_the_acled_export_shows_a_summary_as_masked_as_the_api(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """The fourth audit masked an incident's summary in the API, the pages and the JSON
    Lines and GeoJSON exports; the ACLED CSV's ``notes`` (title — summary) were built from
    the stored summary and showed Armenia's liaison the internal incident's id."""
    _, hidden_incident = _hidden_records(ctx, cast)
    shared = _shared_incident_edited(
        client, ctx, cast, summary=f"Same battery as {hidden_incident}."
    )
    exported = client.get("/api/v1/exports/incidents?format=acled", headers=cast.bearer("arm"))
    assert exported.status_code == 200, exported.text
    [row] = [r for r in csv.DictReader(io.StringIO(exported.text)) if r["event_id_cnty"] == shared]
    assert row["notes"].endswith(f"Same battery as {MASK}."), row["notes"]
    mine = client.get("/api/v1/exports/incidents?format=acled", headers=cast.bearer("tur"))
    assert hidden_incident in mine.text


def test_a_reports_narrative_names_to_a_reader_only_the_records_it_may_read(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """Turkey's monitor files a shared report whose narrative reads "same impacts as
    rep-…" (an internal report) and groups it into a shared incident. Armenia's liaison read
    the id in the report (API, list, export, page) and in the incident's reports. It is now
    masked there; the report is shown without its content hash, and its ``received`` entry is
    withheld from that reader (both would confirm a guess of the masked id)."""
    hidden_report, _ = _hidden_records(ctx, cast)
    narrative = f"Same impacts as {hidden_report}, seen on the UAV feed."
    report, shared = incident_of(
        ctx,
        cast.viewer(ctx, "tur"),
        shelling_body(narrative=narrative),
        classification=Classification.SHARED,
    )
    shown = f"Same impacts as {MASK}, seen on the UAV feed."
    for member in ("arm", "fra"):
        bearer = cast.bearer(member)
        one = client.get(f"/api/v1/reports/{report}", headers=bearer)
        assert one.status_code == 200, one.text
        assert (one.json()["narrative"], one.json()["content_sha256"]) == (shown, None)
        listed = client.get("/api/v1/reports", headers=bearer).json()["items"]
        assert [r["narrative"] for r in listed if r["id"] == report] == [shown]
        grouped = client.get(f"/api/v1/incidents/{shared}", headers=bearer).json()["reports"]
        assert [r["narrative"] for r in grouped] == [shown]
        for fmt in ("jsonl", "acled"):
            exported = client.get(f"/api/v1/exports/reports?format={fmt}", headers=bearer)
            assert exported.status_code == 200, exported.text
            assert hidden_report not in exported.text, fmt
        for path in (f"/reports/{report}", f"/incidents/{shared}"):
            assert hidden_report not in _page(client, cast, member, path), path
        [received] = _entries(
            client, cast, member, f"subject=report/{report}&tag={ReportTag.RECEIVED.value}"
        )
        assert received["payload_withheld"], received
    mine = client.get(f"/api/v1/reports/{report}", headers=cast.bearer("tur")).json()
    assert mine["narrative"] == narrative
    assert mine["content_sha256"] is not None


def test_the_ledger_shows_no_masked_id_of_an_assessment_a_reply_or_a_note(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """The fourth audit masks the ids a shared assessment, reply or note names on the
    incident's page; their ledger entries, read by the same readers, gave them back: a shared
    assessment's ``view.evidence_refs`` in clear ("report:rep-…", an internal report), and
    a note's ``text_sha256`` that confirms which of the ids every header shows the "[…]"
    was. Such an entry's payload is now withheld from a reader shown the text masked."""
    turkey = cast.viewer(ctx, "tur")
    hidden_report, hidden_incident = _hidden_records(ctx, cast)
    _, shared = incident_of(ctx, turkey, classification=Classification.SHARED)
    incidents.change_status(
        ctx, turkey, shared, OccurrenceStatus.UNDER_INVESTIGATION, reason="a team goes"
    )
    view = {"stance": "abstain", "rationale": "the crater analysis", "classification": "shared"}
    assessed = client.post(
        f"/api/v1/incidents/{shared}/assessments",
        json={**view, "evidence_refs": [f"report:{hidden_report}"]},
        headers=cast.bearer("tur"),
    )
    assert assessed.status_code == 201, assessed.text
    note = f"see {hidden_incident}"
    incidents.add_note(ctx, turkey, shared, text=note, classification=Classification.SHARED)
    entries = {
        e["tag"]: e
        for e in _entries(client, cast, "arm", f"subject=incident/{shared}")
        if e["tag"] in (IncidentTag.ASSESSED.value, IncidentTag.NOTED.value)
    }
    assert len(entries) == 2
    for entry in entries.values():
        assert entry["payload_withheld"], entry
        assert hidden_report not in str(entry["payload"])
    # What the liaison could do with the note's payload: substitute each id it reads in a
    # header for the mask and compare digests.
    shown = client.get(f"/api/v1/incidents/{shared}", headers=cast.bearer("arm")).json()
    [masked] = [n["text"] for n in shown["notes"]]
    assert masked == f"see {MASK}"
    mine = {
        e["tag"]: e
        for e in _entries(client, cast, "tur", f"subject=incident/{shared}")
        if e["tag"] == IncidentTag.NOTED.value
    }
    assert mine[IncidentTag.NOTED.value]["payload"]["text_sha256"] == text_sha256(
        masked.replace(MASK, hidden_incident)
    )


def test_a_withheld_post_sensor_report_or_preference_cannot_be_confirmed_from_its_header(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """The fourth audit gave a nonce to the payloads of incidents, fusion, compliance and
    alerts; those of posts, sensors, reports and a user's preferences were withheld from the
    readers they concern and still confirmed by a guess hashed against the header. A shared
    post's sensor: its id is the subject, its member the header's, its kind one of a few, its
    post one of the ids every ``member:post:added`` header shows -- the guess names the post
    a liaison may not read. A shared report filed from that post, which Armenia's liaison
    reads with ``post_id`` and ``content_sha256`` withheld: the content is all it reads but
    the post id, so a guess per post id confirms which (what withholding the hash was for).
    Preferences: three languages and a few hundred time zones. The guess here is each payload
    exactly as its reader reads it, less the nonce the ledger writer now adds to every
    payload whose type declares one (``ledger.events.Blinded``)."""
    add_posts(ctx, "tur-post-7", owners=("tur",))
    posts.add_sensor(
        ctx, OPERATOR, Sensor("tur-cam-7", SensorKind.CAMERA, "Camera 7", post_id="tur-post-7")
    )
    assert _confirmable(client, cast, "arm", "subject=post/tur-post-7") == []
    assert _confirmable(client, cast, "arm", "subject=sensor/tur-cam-7") == []
    report = client.post(
        "/api/v1/reports", json=shelling_body(post_id="tur-post-7"), headers=cast.bearer("tur")
    )
    assert report.status_code == 201, report.text
    shown = client.get(f"/api/v1/reports/{report.json()['id']}", headers=cast.bearer("arm"))
    assert (shown.json()["post_id"], shown.json()["content_sha256"]) == (None, None)
    assert _confirmable(client, cast, "arm", f"subject=report/{report.json()['id']}") == []
    auth.set_preferences(ctx, cast.viewer(ctx, "tur"), lang="tr", time_zone="Europe/Istanbul")
    assert _confirmable(client, cast, "arm", f"tag={MemberTag.USER_PREFERENCES_SET.value}") == []


def test_a_fusion_entry_confirms_no_masked_reason_nor_withheld_evidence(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """The fourth audit masks an analyst's merge reason ("same barrage as inc-…", an
    internal incident) for Armenia's liaison, who reads the decision; the decision's
    ``fusion:`` entry, whose payload it reads too, holds ``evidence_sha256``, the digest of
    the evidence unmasked: substituting each incident id the headers show for the "[…]"
    confirms which one it was. The entry is now withheld from a reader shown the evidence
    with anything withheld or masked (here: the reason; for an automatic decision, the
    number of incidents compared, which only the monitors read)."""
    turkey = cast.viewer(ctx, "tur")
    _, hidden = _hidden_records(ctx, cast)
    _, target = incident_of(ctx, turkey, classification=Classification.SHARED)
    _, source = incident_of(ctx, turkey, classification=Classification.SHARED)
    decision = fusion.merge(ctx, turkey, target, source, reason=f"same barrage as {hidden}").id
    shown = client.get(f"/api/v1/fusion/decisions/{decision}", headers=cast.bearer("arm"))
    assert shown.status_code == 200, shown.text
    evidence = shown.json()["evidence"]
    assert evidence["reason"] == f"same barrage as {MASK}"
    [entry] = _entries(client, cast, "arm", f"subject=fusion/{decision}")
    assert entry["payload_withheld"], entry
    [full] = _entries(client, cast, "tur", f"subject=fusion/{decision}")
    guess = {**evidence, "reason": evidence["reason"].replace(MASK, hidden)}
    assert full["payload"]["evidence_sha256"] == canonical_sha256(guess)
    # An automatic decision: its evidence counts the incidents compared, of every
    # classification, which only the monitors are shown.
    day = {"start": "2020-11-20T10:00:00+00:00", "precision": "day"}
    filed = client.post(
        "/api/v1/reports", json=shelling_body(observed=day), headers=cast.bearer("tur")
    )
    assert filed.status_code == 201, filed.text
    fusion.drain(ctx)
    grouped = client.get(f"/api/v1/reports/{filed.json()['id']}", headers=cast.bearer("arm"))
    summary = client.get(
        f"/api/v1/incidents/{grouped.json()['incident_id']}/fusion", headers=cast.bearer("arm")
    )
    assert summary.status_code == 200, summary.text
    [automatic] = [d for d in summary.json()["decisions"] if d["matcher"]]
    assert automatic["evidence"]["candidates"] is None
    for member, withheld in (("arm", True), ("tur", False)):
        [entry] = _entries(client, cast, member, f"subject=fusion/{automatic['id']}")
        assert entry["payload_withheld"] is withheld, member


def test_an_alerts_entry_names_no_other_members_subscription(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """A subscription is its member's: ``GET /api/v1/alerts/subscriptions`` and
    ``/deliveries`` list only the caller's, and the subscription's own entries are withheld
    from other members. An alert's ``alerts:alert:raised`` payload, read by every reader of
    the alert, listed every delivery it queued with its ``subscription_id``, and each
    ``alerts:delivery:*`` payload (its alert, its attempts) was read alike: Azerbaijan's
    liaison learnt that Turkey's duty officer is told of casualties in that area, and when
    its deliveries failed. Those entries are now withheld from a member that a delivery
    named is not its own."""
    for member in ("tur", "aze"):
        subscribed = client.post(
            SUBSCRIPTIONS,
            json={"channel": "email", "target": f"duty@{member}.example.org"},
            headers=cast.bearer(member),
        )
        assert subscribed.status_code == 201, subscribed.text
    turkey = cast.viewer(ctx, "tur")
    incident_of(
        ctx,
        turkey,
        shelling_body(casualties={"injured_military": 3}),
        classification=Classification.SHARED,
    )
    alerts.scan(ctx)
    alerts.deliver_due(ctx)
    raised = _entries(client, cast, "aze", "tag=alerts:")
    assert any(e["tag"] == "alerts:alert:raised" for e in raised)
    own, theirs = (
        {s["id"] for s in client.get(SUBSCRIPTIONS, headers=cast.bearer(member)).json()}
        for member in ("aze", "tur")
    )
    assert own
    assert theirs
    assert not own & theirs
    for entry in raised:
        assert not any(sub in str(entry["payload"]) for sub in theirs), entry
    alert_ids = {a["id"] for a in client.get("/api/v1/alerts", headers=cast.bearer("aze")).json()}
    assert alert_ids, "Azerbaijan's liaison reads the alert"
    mine = _entries(client, cast, "tur", "tag=alerts:")
    assert any(sub in str(e["payload"]) for e in mine for sub in theirs)
