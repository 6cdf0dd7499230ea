"""The sixth adversarial audit: the fifth one's leftovers (unsalted digests of reasons,
digests of an incident's earlier texts, free text of a report not masked yet). Each test is
one finding, failing before its fix."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from ceasefire.access import Classification
from ceasefire.agreements import service as agreements
from ceasefire.db.context import ServiceContext
from ceasefire.incidents import service as incidents
from ceasefire.incidents.events import IncidentTag
from ceasefire.incidents.model import OccurrenceStatus
from ceasefire.incidents.tables import IncidentRow
from ceasefire.ledger import service as ledger
from ceasefire.ledger.entry import text_sha256
from tests.api.test_cross_agreement import AGREEMENT_B, make_monitor_of_b
from tests.api.test_fifth_audit import (
    MAP_TABLE,
    MASK,
    _entries,
    _hidden_records,
    _page,
    _shared_incident_edited,
)
from tests.api.test_fourth_audit import AGREEMENT, append_as_before, read_only_by_monitors
from tests.factories.members import Cast
from tests.factories.reports import AGHDAM, incident_of, shelling_body


def _of_incident(
    client: TestClient, cast: Cast, member: str, incident_id: str, tags: Any
) -> list[Any]:
    """The entries of ``incident_id`` of one of ``tags``, as ``member`` reads them."""
    entries = _entries(client, cast, member, f"subject=incident/{incident_id}")
    return [e for e in entries if e["tag"] in tags]


def test_a_reasons_digest_confirms_no_guess(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """A status change's, a reclassification's and a report's removal's entry held
    ``reason_sha256``, the plain digest of a short reason ("a team goes", "duplicate"), read
    by every reader of the incident: Armenia's liaison confirms a guess from a short list.
    The digest is now salted with the incident's secret (as the decision's are)."""
    turkey = cast.viewer(ctx, "tur")
    _, shared = incident_of(ctx, turkey, classification=Classification.SHARED)
    filed = client.post(
        "/api/v1/reports", json=shelling_body(classification="shared"), headers=cast.bearer("tur")
    )
    assert filed.status_code == 201, filed.text
    second = filed.json()["id"]
    incidents.add_reports(ctx, turkey, shared, [second])
    reasons = {
        IncidentTag.STATUS_CHANGED.value: "a team goes",
        IncidentTag.REPORT_REMOVED.value: "duplicate",
        IncidentTag.CLASSIFIED.value: "public now",
    }
    incidents.change_status(
        ctx,
        turkey,
        shared,
        OccurrenceStatus.UNDER_INVESTIGATION,
        reason=reasons[IncidentTag.STATUS_CHANGED.value],
    )
    incidents.remove_report(
        ctx, turkey, shared, second, reason=reasons[IncidentTag.REPORT_REMOVED.value]
    )
    incidents.classify(
        ctx,
        turkey,
        shared,
        Classification.PUBLIC,
        reason=reasons[IncidentTag.CLASSIFIED.value],
    )
    read = _of_incident(client, cast, "arm", shared, reasons)
    assert sorted(e["tag"] for e in read) == sorted(reasons)
    for entry in read:
        assert not entry["payload_withheld"], entry
        guess = text_sha256(reasons[entry["tag"]])
        assert guess not in str(entry["payload"]), entry
        assert entry["payload"]["reason_salted_sha256"], entry
    # The salt is never shown.
    shown = client.get(f"/api/v1/incidents/{shared}", headers=cast.bearer("tur")).json()
    assert "digest_salt" not in str(shown)
    assert shown["decision"] is None


def test_a_reasons_unsalted_digest_of_the_earlier_format_is_read_only_by_the_monitors(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """Entries written before this audit keep their unsalted ``reason_sha256`` (the chain is
    signed): withheld from a reader who may not read the incident's internal records (no
    surface shows it the reason), read by the monitors as before; ``ledger verify`` (chain
    and state) still passes over them."""
    turkey = cast.viewer(ctx, "tur")
    _, shared = incident_of(ctx, turkey, classification=Classification.SHARED)
    olds: dict[IncidentTag, dict[str, Any]] = {
        IncidentTag.STATUS_CHANGED: {
            "incident_id": shared,
            "from": "reported",
            "to": "under_investigation",
            "attribution": {"from": "pending", "to": "pending"},
            "reason_sha256": text_sha256("a team goes"),
        },
        IncidentTag.CLASSIFIED: {
            "incident_id": shared,
            "from": "shared",
            "to": "shared",
            "reason_sha256": text_sha256("as agreed"),
        },
    }
    seqs = {tag: append_as_before(ctx, tag, shared, old) for tag, old in olds.items()}
    with ctx.unit_of_work() as session:
        # What the release that wrote the status change did to the row.
        session.get_one(IncidentRow, shared).status = "under_investigation"
    for tag, old in olds.items():
        read_only_by_monitors(client, cast, f"subject=incident/{shared}", seqs[tag], old)
    assert ledger.verify(ctx).ok


def test_an_earlier_titles_digest_is_withheld_once_the_title_changed(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """The fifth audit withholds the ``created``/``edited`` entry of a title shown masked,
    judged on the title as it stands now: Turkey's monitor titles a shared incident "as in
    inc-…" (an internal incident), then edits it to a plain title; the first edit's entry,
    whose ``title_sha256`` confirms which id the title named, became readable to Armenia's
    liaison. An entry whose digests are not of the incident's current texts is now withheld
    from a reader who is not one of the incident's monitors."""
    _, hidden_incident = _hidden_records(ctx, cast)
    named = f"Shelling, as in {hidden_incident}"
    shared = _shared_incident_edited(client, ctx, cast, title=named)
    edited = client.patch(
        f"/api/v1/incidents/{shared}", json={"title": "Shelling"}, headers=cast.bearer("tur")
    )
    assert edited.status_code == 200, edited.text
    titled = (IncidentTag.CREATED.value, IncidentTag.EDITED.value)
    for member in ("arm", "fra"):
        entries = _of_incident(client, cast, member, shared, titled)
        assert len(entries) == 3
        assert [e["payload_withheld"] for e in entries] == [True, True, False], member
        assert text_sha256(named) not in str(entries)
    mine = _of_incident(client, cast, "tur", shared, titled)
    assert [e["payload"]["title_sha256"] for e in mine][1:] == [
        text_sha256(named),
        text_sha256("Shelling"),
    ]
    assert MASK not in client.get(f"/api/v1/incidents/{shared}", headers=cast.bearer("arm")).text


def test_a_reports_place_reporter_and_filenames_name_only_records_the_reader_may_read(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """The fifth audit masked the ids a report's narrative names and left its other free
    text: Turkey's monitor files a shared report whose place is "crater of rep-…", whose
    reporter is "relay of inc-…" and with an attachment named "rep-….jpg" (an internal
    report and incident). Armenia's liaison read both ids in the report (API, list, export,
    the download's filename, the page, the map's report points) and in the attachment's
    ``intake:attachment:received`` entry (the filename in clear). They are masked there like
    the narrative; the report is shown without its content hash, and both entries are
    withheld from that reader."""
    hidden_report, hidden_incident = _hidden_records(ctx, cast)
    body = shelling_body(
        event_position={"place_name": f"crater of {hidden_report}", "precision": 2, **AGHDAM},
        reporter=f"relay of {hidden_incident}",
    )
    filed = client.post("/api/v1/reports", json=body, headers=cast.bearer("tur"))
    assert filed.status_code == 201, filed.text
    report = filed.json()["id"]
    attached = client.post(
        f"/api/v1/reports/{report}/attachments?filename={hidden_report}.jpg",
        content=b"\xff\xd8\xff a crater",
        headers={**cast.bearer("tur"), "Content-Type": "image/jpeg"},
    )
    assert attached.status_code == 201, attached.text
    attachment = attached.json()["id"]
    for member in ("arm", "fra"):
        bearer = cast.bearer(member)
        one = client.get(f"/api/v1/reports/{report}", headers=bearer)
        assert one.status_code == 200, one.text
        shown = one.json()
        assert shown["event_position"]["place_name"] == f"crater of {MASK}"
        assert shown["reporter"] == f"relay of {MASK}"
        assert [a["filename"] for a in shown["attachments"]] == [f"{MASK}.jpg"]
        assert shown["content_sha256"] is None
        listed = client.get("/api/v1/reports", headers=bearer)
        exported = client.get("/api/v1/exports/reports?format=jsonl", headers=bearer)
        downloaded = client.get(
            f"/api/v1/reports/{report}/attachments/{attachment}", headers=bearer
        )
        assert downloaded.status_code == 200, downloaded.text
        pages = [_page(client, cast, member, path) for path in (f"/reports/{report}", MAP_TABLE)]
        for text in (listed.text, exported.text, str(downloaded.headers), *pages):
            assert hidden_report not in text
            assert hidden_incident not in text
        entries = _entries(client, cast, member, f"subject=report/{report}")
        assert len(entries) == 2
        assert all(e["payload_withheld"] for e in entries), entries
    mine = client.get(f"/api/v1/reports/{report}", headers=cast.bearer("tur")).json()
    assert mine["reporter"] == f"relay of {hidden_incident}"
    assert [a["filename"] for a in mine["attachments"]] == [f"{hidden_report}.jpg"]


def test_the_monitors_edition_names_only_records_every_monitor_of_its_agreement_reads(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """The internal edition of agreement A is one publication for all of A's monitors
    (``monitors`` audience), rendered as the monitor who generated it: Turkey, which also
    monitors agreement B, titles an incident of A "as in inc-…" (an internal incident of B)
    and publishes A's daily report; Russia's monitor (of A only) read the id of B's incident
    in it. The edition is now read as a monitor of A only, so the id is masked."""
    agreements.load_shipped(ctx)
    make_monitor_of_b(ctx, "tur")
    turkey = cast.viewer(ctx, "tur")
    _, hidden = incident_of(ctx, turkey, shelling_body(agreement_id=AGREEMENT_B))
    named = f"Shelling, as in {hidden}"
    _shared_incident_edited(client, ctx, cast, title=named)
    query = {"date": "2020-11-26", "format": "html", "edition": "internal", "agreement": AGREEMENT}
    made = client.post("/api/v1/publications/daily", params=query, headers=cast.bearer("tur"))
    assert made.status_code == 200, made.text
    publication = made.headers["x-publication-id"]
    read = client.get(f"/api/v1/publications/{publication}/content", headers=cast.bearer("rus"))
    assert read.status_code == 200, read.text
    assert "Shelling, as in" in read.text
    assert hidden not in read.text


def test_an_incidents_place_names_only_records_the_reader_may_read(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """An incident's place is its best-placed report's place name, free text the filer
    wrote: Turkey's monitor files a shared report placed at "crater of rep-…" (an internal
    report) and groups it into a shared incident. Armenia's liaison read the id as the
    incident's place (API, list, exports, pages, the map). It is masked there as the
    report's own place is."""
    hidden_report, _ = _hidden_records(ctx, cast)
    place = f"crater of {hidden_report}"
    body = shelling_body(event_position={"place_name": place, "precision": 2, **AGHDAM})
    _, shared = incident_of(
        ctx, cast.viewer(ctx, "tur"), body, classification=Classification.SHARED
    )
    for member in ("arm", "fra"):
        bearer = cast.bearer(member)
        one = client.get(f"/api/v1/incidents/{shared}", headers=bearer)
        assert one.status_code == 200, one.text
        assert one.json()["event_position"]["place_name"] == f"crater of {MASK}"
        texts = [client.get("/api/v1/incidents", headers=bearer).text]
        for fmt in ("jsonl", "geojson", "acled", "ucdp"):
            exported = client.get(f"/api/v1/exports/incidents?format={fmt}", headers=bearer)
            assert exported.status_code == 200, exported.text
            texts.append(exported.text)
        texts += [_page(client, cast, member, path) for path in (f"/incidents/{shared}", MAP_TABLE)]
        assert not [t for t in texts if hidden_report in t]
    mine = client.get(f"/api/v1/incidents/{shared}", headers=cast.bearer("tur")).json()
    assert mine["event_position"]["place_name"] == place
