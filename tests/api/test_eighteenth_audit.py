"""The eighteenth audit: records citing records their reader may not read, where the
sixteenth audit did not look (docs/security.md, "The eighteenth audit"; both databases).

- A deadline amendment is loaded from an agreement file by an operator, who reads every
  record: its reason, its instrument and its evidence (``ref``, ``note``) may cite an
  internal incident by id, or a public one the monitors make internal later. The agreement
  routes, the web's tracker, the compliance deadlines, the deadline alerts and the
  amendment's ledger entry showed the ids to every reader; each reader is shown now only
  those it may read (``[…]`` for the others), as a status's evidence since the sixteenth
  audit, and the entry's payload is withheld from a member that may not read one.
- A provision's history on the compliance route (``…/provisions/{p}/history``) showed the
  statuses as recorded, evidence and notes unmasked, where the agreement routes masked them.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from ceasefire.access import Classification, Viewer
from ceasefire.actor import Actor
from ceasefire.agreements import service as agreements
from ceasefire.alerts import service as alerts
from ceasefire.alerts.tables import AlertRow
from ceasefire.compliance import service as compliance
from ceasefire.db.context import ServiceContext
from ceasefire.incidents import service as incidents
from ceasefire.reports import service as reports
from tests.factories.agreements import NK_ID, edited, shipped_text
from tests.factories.members import Cast
from tests.factories.publish import Day, make_day
from tests.factories.reports import AGHDAM, shelling_body

LACHIN = "p6-lachin"
WITHHELD = "[…]"


def _ids_in(text: str) -> set[str]:
    return set(re.findall(r"inc-[0-9a-f]{21}", text))


def _get(client: TestClient, path: str, headers: dict[str, str], **params: str) -> Any:
    response = client.get(path, params=params, headers=headers)
    assert response.status_code == 200, (path, response.text)
    return response


def _amend_lachin(ctx: ServiceContext, cast: Cast) -> Day:
    """The day's incidents; then an operator loads a version of the trilateral statement in
    which the Lachin handover was put off four days, the amendment citing the internal
    checkpoint incident (reason, the note on its decision, evidence ref), the shared clash
    (evidence note) and the public shelling (instrument), which Turkey's monitor then makes
    internal."""
    day = make_day(ctx, cast)
    hidden, shared, shelling = day.ids["checkpoint"], day.ids["clash"], day.ids["shelling"]
    amendment = f"""deadline:
          due: "2020-12-05"
          amendments:
            - previous: "2020-12-01"
              due: "2020-12-05"
              decided:
                local: "2020-11-28"
                time_zone: Asia/Baku
                note: announced the day after {hidden}
              requested_by: ARM
              decided_by: [AZE]
              reason: Armenia asked for more time after {hidden} on the corridor road.
              instrument: Exchange of notes after {shelling}.
              evidence:
                - source: domain-reference
                  ref: "incident:{hidden}"
                  note: see also {shared}
        status_changes:"""
    text = edited(
        shipped_text(NK_ID),
        'deadline:\n          due: "2020-12-01"\n        status_changes:',
        amendment,
    )
    agreements.load_text(ctx, text, source_name="nk.yaml", actor=Actor.centre())
    incidents.classify(ctx, cast.viewer(ctx, "tur"), shelling, Classification.INTERNAL)
    return day


def _amendment_texts(client: TestClient, cast: Cast, member: str | None) -> str:
    """The amendment wherever a reader is shown it: the agreement routes (now and as of a
    later day), the compliance deadlines, the web's tracker."""
    headers = cast.signed_in(client, member)
    texts = [
        _get(client, f"/api/v1/agreements/{NK_ID}", headers).text,
        _get(client, f"/api/v1/agreements/{NK_ID}/provisions", headers).text,
        _get(client, f"/api/v1/agreements/{NK_ID}/provisions", headers, as_of="2030-01-01").text,
        _get(client, "/api/v1/compliance/deadlines", headers, agreement=NK_ID).text,
        _get(client, "/provisions", headers, agreement=NK_ID).text,
    ]
    return "\n".join(texts)


def test_a_deadline_amendment_shows_each_reader_only_the_incidents_it_reads(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    day = _amend_lachin(ctx, cast)
    hidden, shared, shelling = day.ids["checkpoint"], day.ids["clash"], day.ids["shelling"]

    public = _amendment_texts(client, cast, None)
    assert not {hidden, shared, shelling} & _ids_in(public)
    assert WITHHELD in public
    assert "Armenia asked for more time after" in public  # the rest of the reason is kept
    for member in ("arm", "fra"):
        assert _ids_in(_amendment_texts(client, cast, member)) == {shared}, member
    assert {hidden, shared, shelling} <= _ids_in(_amendment_texts(client, cast, "tur"))

    # The amendment's ledger entry: its payload is withheld from a member that may not read
    # a record it cites (the header kept), as a status's since the sixteenth audit.
    for member, withheld in (("arm", True), ("fra", True), ("rus", False)):
        entries = _get(
            client, "/api/v1/ledger", cast.signed_in(client, member), subject=f"{NK_ID}/{LACHIN}"
        )
        amended = [e for e in entries.json()["entries"] if e["tag"] == "agreement:deadline:amended"]
        assert len(amended) == 1, entries.text
        assert amended[0]["payload_withheld"] is withheld, member
        assert (hidden in entries.text) is not withheld, member


def test_a_deadline_alert_names_no_incident_cited_by_its_amendment(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """The deadline alerts are public records, kept and sent as raised: the Lachin handover
    falling due on the amended date names no incident its amendment cites, to any member
    (the alerts are listed to members only)."""
    day = _amend_lachin(ctx, cast)
    cited = {day.ids["checkpoint"], day.ids["clash"], day.ids["shelling"]}
    alerts.scan(ctx, datetime(2020, 11, 29, 12, tzinfo=UTC), due_within=timedelta(days=7))

    def deadline_alerts(member: str) -> list[Any]:
        listed = _get(client, "/api/v1/alerts", cast.signed_in(client, member), limit="500").json()
        found = [a for a in listed if a["subject"].endswith(f"/{LACHIN}")]
        assert found, [a["subject"] for a in listed]
        return found

    for member in ("arm", "fra", "tur"):
        assert not cited & _ids_in(str(deadline_alerts(member))), member
    # An alert raised before the eighteenth audit kept each amendment whole in its details:
    # it is shown as one raised now.
    [alert] = deadline_alerts("tur")
    with ctx.unit_of_work() as session:
        [amended] = compliance.deadline_states(
            ctx, datetime(2020, 11, 29, 12, tzinfo=UTC), reader=Viewer.cli_operator()
        )[0].due
        row = session.get(AlertRow, alert["id"])
        assert row is not None
        row.details = {**row.details, "amendments": amended.amendments}
    assert cited & _ids_in(str(amended.amendments))
    for member in ("arm", "fra", "tur"):
        assert deadline_alerts(member) == [alert], member


def test_the_compliance_history_of_a_provision_masks_its_statuses_evidence(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """Russia's monitor cites the internal checkpoint incident as evidence of the Aghdam
    withdrawal (the sixteenth audit's case): the compliance route's history of the
    provision showed it to the public, Armenia's liaison and France's observer."""
    day = make_day(ctx, cast)
    hidden, shared = day.ids["checkpoint"], day.ids["clash"]
    provision = f"/api/v1/agreements/{NK_ID}/provisions/p2-aghdam"
    recorded = client.post(
        f"{provision}/status",
        headers=cast.bearer("rus"),
        json={
            "status": "in_progress",
            "at": "2020-11-26T12:00:00Z",
            "evidence": [{"ref": f"incident:{hidden}", "note": f"see also {shared}"}],
            "note": f"as {hidden} shows",
        },
    )
    assert recorded.status_code == 201, recorded.text
    for member, seen in ((None, set()), ("arm", {shared}), ("fra", {shared})):
        history = _get(client, f"{provision}/history", cast.signed_in(client, member))
        assert _ids_in(history.text) == seen, member
        assert WITHHELD in history.text
    monitors = _get(client, f"{provision}/history", cast.signed_in(client, "tur"))
    assert _ids_in(monitors.text) == {hidden, shared}


def test_a_withdrawn_finding_is_not_shown_where_it_rested_on_a_report_since_removed(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """Shelling in Aghdam after its handover: a shared incident of Turkey's shared report
    (no perpetrator named) and its internal one (alleging Armenia). The rules find a breach
    by Armenia, which Armenia's liaison and France's observer are not shown: it rests on the
    internal report. Turkey's monitor then takes that report out of the incident: the
    breach is withdrawn, and the incident's findings rest on the shared report alone, so
    the liaison and the observer are shown them -- and were shown the withdrawn breach too,
    its party and reasons what the internal report alleged, on the incident's findings
    (``include_withdrawn``), the provision's history and the finding's ledger entries."""
    agreements.load_shipped(ctx)
    turkey = cast.viewer(ctx, "tur")
    after_handover = {
        "start": "2020-11-26T10:30:00Z",
        "end": "2020-11-26T10:50:00Z",
        "precision": "exact",
    }
    position = {"place_name": "Aghdam", "precision": 1, **AGHDAM}
    shared = shelling_body(
        observed=after_handover, event_position=position, alleged_perpetrator=None
    )
    internal = shelling_body(
        observed=after_handover, event_position=position, classification="internal"
    )
    report_ids = [reports.submit_report(ctx, turkey, b).report.id for b in (shared, internal)]
    incident = incidents.create_incident(
        ctx,
        turkey,
        report_ids=report_ids,
        title="Shelling in Aghdam district",
        classification=Classification.SHARED,
    ).id
    findings = f"/api/v1/incidents/{incident}/findings"
    history = f"/api/v1/agreements/{NK_ID}/provisions/p1-ceasefire/history"

    def parties(member: str, path: str, **params: str) -> list[Any]:
        found = _get(client, path, cast.signed_in(client, member), **params).json()
        listed = found["findings"] if isinstance(found, dict) else found
        return sorted(
            (f["party"] or "", f["withdrawn_at"] is not None)
            for f in listed
            if f["incident_id"] == incident
        )

    assert parties("tur", findings) == [("ARM", False)]
    for member in ("arm", "fra"):
        assert parties(member, findings, include_withdrawn="true") == [], member

    incidents.remove_report(
        ctx, turkey, incident, report_ids[1], reason="Filed against the wrong incident."
    )
    now = parties("tur", findings, include_withdrawn="true")
    assert ("ARM", True) in now
    assert ("ARM", False) not in now
    assert parties("tur", history) == now
    for member in ("arm", "fra"):
        for path in (findings, history):
            seen = parties(member, path, include_withdrawn="true")
            assert ("ARM", True) not in seen, (member, path)
        # Nor the withdrawn finding's entries: its recorded party and level.
        entries = _get(client, "/api/v1/ledger", cast.signed_in(client, member), tag="compliance:")
        read = [e for e in entries.json()["entries"] if not e["payload_withheld"]]
        assert len(read) < len(entries.json()["entries"]), member
        assert '"ARM"' not in json.dumps([e["payload"] for e in read]), member
