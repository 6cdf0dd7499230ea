"""Who reads what in the ledger: an entry about a record the reader may not read comes with
its payload withheld, and what the reader receives still verifies.

A party liaison (Armenia's) must not learn an internal incident's category, status or
attribution through ``GET /api/v1/ledger`` or ``/ledger/N``; a monitor of the agreement
reads them; once the incident is shared with Armenia, so does its liaison (readability is
judged by the record as it stands now).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from ceasefire.access import Classification
from ceasefire.agreements import service as agreements
from ceasefire.areas import drain_intake
from ceasefire.db.context import ServiceContext
from ceasefire.incidents import service as incidents
from ceasefire.ledger import service as ledger
from ceasefire.ledger.bundle import bundle_header, served_entry, verify_bundle, write_bundle
from ceasefire.members import auth
from ceasefire.reports import service as reports
from ceasefire.web.session import SESSION_COOKIE
from tests.factories.members import Cast
from tests.factories.reports import detection_body, internal_incident


def _entries(client: TestClient, headers: dict[str, str], **query: Any) -> list[dict[str, Any]]:
    """Every entry the caller may list (paged), in order."""
    found: list[dict[str, Any]] = []
    after = 0
    while True:
        response = client.get(
            "/api/v1/ledger", params={"after": after, "limit": 100, **query}, headers=headers
        )
        assert response.status_code == 200, response.text
        body = response.json()
        found += body["entries"]
        if body["next_after"] is None:
            return found
        after = body["next_after"]


def _bundle_of(entries: list[dict[str, Any]], path: Path) -> Path:
    """What a member keeps of what it was served (as ``ceasefire ledger fetch`` writes it)."""
    last = entries[-1]
    with path.open("w", encoding="utf-8") as handle:
        write_bundle(
            handle,
            bundle_header(
                exported_at="2026-12-06T00:00:00.000000Z",
                entries=len(entries),
                head_seq=last["seq"],
                head_hash=last["entry_hash"],
            ),
            [served_entry(e) for e in entries],
        )
    return path


def test_a_liaison_gets_an_internal_incidents_entries_without_payload_and_they_verify(
    client: TestClient, ctx: ServiceContext, cast: Cast, tmp_path: Path
) -> None:
    incident_id = internal_incident(ctx, cast.viewer(ctx, "tur"))
    subject = f"incident/{incident_id}"
    liaison, monitor = cast.bearer("arm"), cast.bearer("tur")

    listed = _entries(client, liaison, subject=subject)
    assert listed, "the incident's entries are listed (headers stay: the chain needs them)"
    for entry in listed:
        assert entry["payload"] is None
        assert entry["payload_canonical"] is None
        assert entry["payload_withheld"] is True
        assert entry["payload_hash"]
        assert entry["signature"]
        one = client.get(f"/api/v1/ledger/{entry['seq']}", headers=liaison).json()
        assert (one["payload"], one["payload_withheld"]) == (None, True)
        proof = client.get(f"/api/v1/ledger/{entry['seq']}/proof", headers=liaison).json()
        assert proof["entry"]["payload"] is None
        assert proof["entry"]["payload_withheld"] is True
        checked = ledger.check_proof(proof)
        assert checked.ok, checked.problems
        assert checked.payload_withheld
    # Nothing of the incident's structured fields reaches the liaison anywhere in the ledger.
    everything = _entries(client, liaison)
    served = json.dumps(everything)
    assert "Shelling near Aghdam" not in served
    withheld = [e for e in everything if e["payload_withheld"]]
    # (Besides the demo's posts and sensors Armenia may not list: the last test below.)
    assert {e["subject"] for e in withheld if not e["tag"].startswith("member:")} == {subject}
    # The shared report it groups stays readable to Armenia's liaison.
    assert any(e["tag"] == "intake:report:received" and e["payload"] for e in everything)

    # The whole of what the liaison received verifies: chain, keys, signatures, daily roots.
    report = verify_bundle(_bundle_of(everything, tmp_path / "arm.jsonl"))
    assert report.ok, [str(f) for f in report.findings]
    assert report.chain.payloads_withheld == len(withheld)
    # ...exactly as much as the operator's full export: every signature, the same head.
    full = verify_bundle(Path(ledger.export_bundle(ctx, tmp_path / "full.jsonl").path))
    assert full.ok
    assert full.chain.payloads_withheld == 0
    assert report.chain.signatures_checked == full.chain.signatures_checked
    assert report.chain.head_hash == full.chain.head_hash

    # A monitor of the agreement reads the payloads, and so does the operator.
    for entry in _entries(client, monitor, subject=subject):
        assert entry["payload_withheld"] is False
        assert entry["payload"]["incident_id"] == incident_id
    created = ledger.list_entries(ctx, cast.viewer(ctx, "tur"), subject=subject)[0]
    assert created.payload is not None
    assert created.payload["classification"] == "internal"


def test_once_shared_the_liaison_reads_the_incidents_entries(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    incident_id = internal_incident(ctx, cast.viewer(ctx, "tur"))
    subject = f"incident/{incident_id}"
    liaison = cast.bearer("arm")
    assert all(e["payload_withheld"] for e in _entries(client, liaison, subject=subject))

    incidents.classify(ctx, cast.viewer(ctx, "tur"), incident_id, Classification.SHARED)
    shared = _entries(client, liaison, subject=subject)
    assert shared
    assert not any(e["payload_withheld"] for e in shared)
    assert shared[0]["payload"]["incident_id"] == incident_id
    # An internal note on the (now shared) incident stays the monitors' own.
    incidents.add_note(ctx, cast.viewer(ctx, "tur"), incident_id, text="Deliberation.")
    (noted,) = _entries(client, liaison, tag="intake:incident:noted", subject=subject)
    assert noted["payload_withheld"] is True
    (seen,) = _entries(client, cast.bearer("tur"), tag="intake:incident:noted", subject=subject)
    assert seen["payload"]["note_id"]


def test_the_web_page_marks_a_withheld_payload(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    incident_id = internal_incident(ctx, cast.viewer(ctx, "tur"))
    (first, *_) = _entries(client, cast.bearer("arm"), subject=f"incident/{incident_id}")
    client.cookies.set(SESSION_COOKIE, cast.tokens["arm"])
    page = client.get(f"/ledger/{first['seq']}")
    assert page.status_code == 200
    assert "data-payload-withheld" in page.text
    assert "incident_id" not in page.text
    assert "The inclusion proof checks" in page.text
    client.cookies.set(SESSION_COOKIE, cast.tokens["tur"])
    shown = client.get(f"/ledger/{first['seq']}")
    assert "data-payload-withheld" not in shown.text
    assert "incident_id" in shown.text


def test_fusion_and_compliance_entries_follow_the_records_they_name(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    # Filed by Turkey, whose UAV it names.
    detection = reports.submit_report(ctx, cast.viewer(ctx, "tur"), detection_body()).report
    drain_intake(ctx)  # fusion opens an (internal) incident for it
    liaison = _entries(client, cast.bearer("arm"))
    fused = [e for e in liaison if e["tag"].startswith("fusion:")]
    assert fused
    assert all(e["payload_withheld"] for e in fused)
    (received,) = [e for e in liaison if e["subject"] == f"report/{detection.id}"]
    assert received["payload_withheld"] is True
    hidden = {
        e["subject"].partition("/")[0]
        for e in liaison
        if e["payload_withheld"] and not e["tag"].startswith("member:")  # posts, sensors: below
    }
    assert {"report", "incident", "fusion"} <= hidden
    assert hidden <= {"report", "incident", "fusion", "finding"}
    # The monitors read all of it: the fusion decision names the report and its incident.
    monitor = _entries(client, cast.bearer("tur"))
    assert not any(e["payload_withheld"] for e in monitor)
    (decision,) = [e for e in monitor if e["tag"].startswith("fusion:")]
    assert decision["payload"]["report_ids"] == [detection.id]


def test_posts_and_sensors_entries_follow_who_may_read_them(
    ctx: ServiceContext, cast: Cast, client: TestClient
) -> None:
    """An observation post's or a sensor's entry (its position, name, notes) is read by whoever
    reads the post or sensor through ``/api/v1/posts`` and ``/sensors``, no one else: a party
    liaison must not learn through the ledger where the monitors' posts and UAVs are."""
    withheld_somewhere = False
    for member in ("rus", "tur", "aze", "arm", "fra"):
        headers = cast.bearer(member)
        for kind, listing in (("post", "/api/v1/posts"), ("sensor", "/api/v1/sensors")):
            listed = client.get(listing, headers=headers)
            assert listed.status_code == 200, listed.text
            readable = {item["id"] for item in listed.json()}
            entries = _entries(client, headers, tag=f"member:{kind}:added")
            assert entries, f"the demo registers a {kind}"
            for entry in entries:
                record_id = entry["subject"].partition("/")[2]
                assert entry["payload_withheld"] is (record_id not in readable), (member, entry)
                withheld_somewhere |= entry["payload_withheld"]
    assert withheld_somewhere, "the demo has a post or sensor some member may not read"


def test_a_users_preferences_are_its_own_in_the_ledger(
    ctx: ServiceContext, cast: Cast, client: TestClient
) -> None:
    """As Azerbaijan's liaison: the time zone Armenia's duty officer chose for its pages may
    tell where it is, and no page or API shows it to anyone else; its ledger entry comes with
    the payload withheld from every other user, the monitors included."""
    auth.set_preferences(ctx, cast.viewer(ctx, "arm"), lang="ru", time_zone="Asia/Yerevan")
    tag = "auth:user:preferences-set"
    (own,) = _entries(client, cast.bearer("arm"), tag=tag)
    assert own["payload"]["time_zone"] == "Asia/Yerevan"
    for member in ("aze", "tur", "fra"):
        (entry,) = _entries(client, cast.bearer(member), tag=tag)
        assert (entry["payload"], entry["payload_withheld"]) == (None, True)


def test_a_members_own_publication_is_its_own_in_the_ledger(
    ctx: ServiceContext, cast: Cast, client: TestClient
) -> None:
    """As Azerbaijan's liaison: Armenia's internal edition of a day is 404 to it through
    ``/api/v1/publications``; its ledger entry (kind, period, audience, digests) comes with
    the payload withheld. The public edition's entry is read by every member."""
    agreements.load_shipped(ctx)
    query = {"date": "2020-11-26", "format": "html"}
    made = {}
    for member, edition in (("arm", "internal"), ("tur", "public")):
        response = client.post(
            "/api/v1/publications/daily",
            params={**query, "edition": edition},
            headers=cast.bearer(member),
        )
        assert response.status_code == 200, response.text
        made[edition] = response.headers["x-publication-id"]
    hidden = client.get(
        f"/api/v1/publications/{made['internal']}/content", headers=cast.bearer("aze")
    )
    assert hidden.status_code == 404

    def payloads(member: str) -> dict[str, dict[str, Any] | None]:
        entries = _entries(client, cast.bearer(member), tag="publish:report:generated")
        return {e["subject"].removeprefix("publication/"): e["payload"] for e in entries}

    own = payloads("arm")[made["internal"]]
    assert own is not None
    assert own["audience"] == "member:arm"
    for other in ("aze", "tur"):
        seen = payloads(other)
        assert seen[made["internal"]] is None
        assert seen[made["public"]] is not None
