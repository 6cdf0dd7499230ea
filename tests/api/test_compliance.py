"""Compliance rules on both backends, through the services and the API: the Aghdam
rule-finding scenario, re-evaluation after a rule change, who may read findings, and the
Kalbajar deadline as amended."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from ceasefire.access import Classification, Role, Viewer
from ceasefire.actor import Actor
from ceasefire.agreements import service as agreements
from ceasefire.agreements.model import Evidence
from ceasefire.alerts import service as alerts
from ceasefire.alerts.model import AlertKind
from ceasefire.compliance import service as compliance
from ceasefire.compliance.tables import FindingRow
from ceasefire.db.context import ServiceContext
from ceasefire.incidents import service as incidents
from ceasefire.ledger import service as ledger
from ceasefire.ledger.tables import LedgerEntryRow
from ceasefire.members.model import MemberRole
from ceasefire.members.service import grant_role
from ceasefire.reports import service as reports
from tests.factories.agreements import NK_ID, edited, shipped_text
from tests.factories.members import OPERATOR, Cast, demo_cast
from tests.factories.reports import shelling_body

AGHDAM = {"lat": 39.991, "lon": 46.927}
OPERATOR_ACTOR = Actor.centre()
AFTER_HANDOVER = {"start": "2020-11-26T10:30:00Z", "end": "2020-11-26T10:50:00Z"}


@pytest.fixture
def cast(cast: Cast, ctx: ServiceContext) -> Cast:
    """tests/conftest.py's cast, and the shipped agreements."""
    agreements.load_shipped(ctx)
    return cast


def shelling_incident(
    ctx: ServiceContext,
    cast: Cast,
    position: dict[str, Any],
    classification: Classification = Classification.SHARED,
) -> str:
    """Shelling in Aghdam district after its handover, alleged against Armenia."""
    turkey = cast.viewer(ctx, "tur")
    body = shelling_body(
        observed={**AFTER_HANDOVER, "precision": "exact"},
        event_position=position,
        classification=classification.value,
    )
    report = reports.submit_report(ctx, turkey, body).report
    return incidents.create_incident(
        ctx,
        turkey,
        report_ids=[report.id],
        title="Shelling in Aghdam district",
        classification=classification,
    ).id


def levels(client: TestClient, cast: Cast, who: str, incident_id: str) -> Any:
    response = client.get(f"/api/v1/incidents/{incident_id}/findings", headers=cast.bearer(who))
    if response.status_code != 200:
        return response.status_code
    return [(f["level"], f["provision_id"], f["zone_id"], f["party"]) for f in response.json()]


def test_aghdam_shelling_breaches_point_1_only_when_the_place_is_exact(
    ctx: ServiceContext, cast: Cast, client: TestClient
) -> None:
    exact = shelling_incident(ctx, cast, {"place_name": "Aghdam", "precision": 1, **AGHDAM})
    district = shelling_incident(
        ctx, cast, {"place_name": "Aghdam district", "precision": 3, **AGHDAM}
    )
    # Found by themselves when the incidents were made, and ledgered.
    assert levels(client, cast, "rus", exact) == [
        ("breach", "p1-ceasefire", "aghdam-district", "ARM")
    ]
    assert levels(client, cast, "rus", district) == [
        ("possible", "p1-ceasefire", "aghdam-district", "ARM")
    ]
    [finding] = compliance.incident_findings(ctx, cast.viewer(ctx, "rus"), exact)
    assert (finding.rule_id, finding.rule) == (
        "hostilities-in-aghdam-after-handover",
        "compliance.zone_breach.v1",
    )
    assert any("alleged against ARM" in r for r in finding.reasons)
    history = client.get(
        f"/api/v1/agreements/{NK_ID}/provisions/p1-ceasefire/history", headers=cast.bearer("tur")
    ).json()
    assert {f["incident_id"] for f in history["findings"]} == {exact, district}
    with ctx.reader() as session:
        tags = session.scalars(
            select(LedgerEntryRow.tag).where(LedgerEntryRow.tag.like("compliance:%"))
        ).all()
    assert tags == ["compliance:finding:recorded"] * 2

    # A rule changes (a wider margin for the zone's edge): re-evaluation says what changed.
    wider = edited(
        shipped_text(NK_ID), "    margin_m: 2000\n    note: >-", "    margin_m: 20000\n    note: >-"
    )
    # Loading the version re-evaluates by itself, in its unit of work; a manual evaluation
    # then finds nothing left to change.
    agreements.load_text(ctx, wider, source_name="nk.yaml", actor=OPERATOR_ACTOR)
    withdrawn = client.get(
        f"/api/v1/incidents/{exact}/findings?include_withdrawn=true", headers=cast.bearer("rus")
    ).json()
    assert [(f["level"], f["withdrawn_by"]) for f in withdrawn] == [
        ("breach", "agreement_loaded"),
        ("possible", None),
    ]
    [result] = compliance.evaluate(ctx, OPERATOR, NK_ID)
    assert (result.new, result.withdrawn, result.unchanged) == ([], [], 2)
    assert ledger.verify(ctx).ok

    # A finding changed behind the ledger's back is caught.
    with ctx.unit_of_work() as session:
        session.execute(update(FindingRow).values(level="breach"))
    assert not ledger.verify(ctx).ok


def _without(text: str, start: str, end: str) -> str:
    """``text`` less the lines from the first ``start`` up to the next ``end``."""
    first = text.index(start)
    return text[:first] + text[text.index(end, first) :]


def test_a_recorded_handover_and_a_removed_rule_re_evaluate_by_themselves(
    ctx: ServiceContext, client: TestClient
) -> None:
    cast = demo_cast(ctx)
    # The 2020 statement as if Aghdam's handover had not been recorded yet.
    shipped = shipped_text(NK_ID)
    aghdam = shipped.index("  - id: p2-aghdam\n")
    unrecorded = shipped[:aghdam] + _without(
        shipped[aghdam:], "    status_changes:\n", "  - id: p3-peacekeepers\n"
    )
    agreements.load_text(ctx, unrecorded, source_name="nk.yaml", actor=OPERATOR_ACTOR)
    exact = shelling_incident(ctx, cast, {"place_name": "Aghdam", "precision": 1, **AGHDAM})
    assert levels(client, cast, "rus", exact) == []  # the rule waits for the handover

    recorded = client.post(
        f"/api/v1/agreements/{NK_ID}/provisions/p2-aghdam/status",
        headers=cast.bearer("rus"),
        json={
            "status": "fulfilled",
            "local": "2020-11-20",
            "time_zone": "Asia/Baku",
            "evidence": [{"source": "azerbaijan-mod"}],
        },
    )
    assert recorded.status_code in (200, 201), recorded.text
    assert levels(client, cast, "rus", exact) == [
        ("breach", "p1-ceasefire", "aghdam-district", "ARM")
    ]

    # A version without the Aghdam rule withdraws its finding as it is loaded.
    agreements.load_text(
        ctx,
        _without(
            unrecorded,
            "  - id: hostilities-in-aghdam-after-handover\n",
            "  - id: hostilities-in-kalbajar-after-handover\n",
        ),
        source_name="nk.yaml",
        actor=OPERATOR_ACTOR,
    )
    assert levels(client, cast, "rus", exact) == []
    with ctx.reader() as session:
        rows = session.execute(select(FindingRow.incident_id, FindingRow.withdrawn_by)).all()
        entries = session.execute(
            select(LedgerEntryRow.tag, LedgerEntryRow.payload)
            .where(LedgerEntryRow.tag.like("compliance:%"))
            .order_by(LedgerEntryRow.seq)
        ).all()
    assert [tuple(r) for r in rows] == [(exact, "agreement_loaded")]
    assert [(tag, json.loads(payload)["cause"]) for tag, payload in entries] == [
        ("compliance:finding:recorded", "provision_status_recorded"),
        ("compliance:finding:withdrawn", "agreement_loaded"),
    ]
    assert ledger.verify(ctx).ok


def test_findings_are_read_only_by_those_who_read_the_incident(
    ctx: ServiceContext, cast: Cast, client: TestClient
) -> None:
    internal = shelling_incident(
        ctx, cast, {"place_name": "Aghdam", "precision": 1, **AGHDAM}, Classification.INTERNAL
    )
    grant_role(
        ctx,
        OPERATOR,
        MemberRole(
            member_id="usa",
            agreement_id="tr-ru-2020-memorandum",
            role=Role.MONITOR,
            valid_from=datetime(2020, 1, 1, tzinfo=UTC),
        ),
    )
    assert levels(client, cast, "tur", internal) == [
        ("breach", "p1-ceasefire", "aghdam-district", "ARM")
    ]
    # Armenia's liaison (the party accused), an observer, a monitor of another agreement,
    # and the public: no finding, and no sign the incident exists.
    for who in ("arm", "fra", "usa"):
        assert levels(client, cast, who, internal) == 404, who
    assert client.get(f"/api/v1/incidents/{internal}/findings").status_code == 404
    for who in ("arm", "usa"):
        history = client.get(
            f"/api/v1/agreements/{NK_ID}/provisions/p1-ceasefire/history",
            headers=cast.bearer(who),
        )
        assert history.status_code == 200
        assert history.json()["findings"] == []
    assert client.post("/api/v1/compliance/evaluate", headers=cast.bearer("arm")).status_code == 403


def test_kalbajar_deadline_as_amended_and_fulfilled(
    ctx: ServiceContext, cast: Cast, client: TestClient
) -> None:
    # The 2020 statement as if Kalbajar's handover had not been recorded yet.
    text = shipped_text(NK_ID)
    start = text.index("        status_changes:\n", text.index("- id: p6-kalbajar"))
    recorded = text[start : text.index("      - id: p6-lachin\n")]
    agreements.load_text(
        ctx,
        edited(text, recorded, "").replace("id: nk-2020-trilateral", "id: nk-2020-unrecorded"),
        source_name="unrecorded.yaml",
        actor=OPERATOR_ACTOR,
    )

    def kalbajar(day: int) -> tuple[list[str], list[str]]:
        [group] = client.get(
            "/api/v1/compliance/deadlines",
            params={"agreement": "nk-2020-unrecorded", "as_of": f"2020-11-{day}T12:00:00Z"},
        ).json()
        overdue = [f"{s['number']} {s['provision']} due {s['due']}" for s in group["overdue"]]
        return overdue, [s["provision"] for s in group["fulfilled"]]

    assert kalbajar(20) == ([], ["p2-aghdam"])  # 15 Nov became 25 Nov on 15 Nov
    assert kalbajar(26) == (["6.1 p6-kalbajar due 2020-11-25"], ["p2-aghdam"])
    agreements.record_provision_status(
        ctx,
        OPERATOR,
        "nk-2020-unrecorded",
        "p6-kalbajar",
        status="fulfilled",
        local="2020-11-25",
        time_zone="Asia/Baku",
        evidence=[Evidence(source="azerbaijan-mod")],
    )
    assert kalbajar(26) == ([], ["p2-aghdam", "p6-kalbajar"])
    [group] = compliance.deadline_states(
        ctx,
        datetime(2020, 11, 26, 12, tzinfo=UTC),
        reader=Viewer.public(),
        agreement_id="nk-2020-unrecorded",
    )
    assert [s.late for s in group.fulfilled] == [False, False]


def test_a_standing_finding_is_raised_as_a_zone_breach_alert_by_the_scan(
    ctx: ServiceContext, cast: Cast
) -> None:
    exact = shelling_incident(ctx, cast, {"place_name": "Aghdam", "precision": 1, **AGHDAM})
    district = shelling_incident(
        ctx, cast, {"place_name": "Aghdam district", "precision": 3, **AGHDAM}
    )
    raised = alerts.scan(ctx).raised
    breaches = {
        (a.details["incident_id"], a.severity, a.area)
        for a in raised
        if a.kind == AlertKind.ZONE_BREACH
    }
    assert breaches == {
        (exact, "critical", "aghdam-district"),
        (district, "warning", "aghdam-district"),
    }
    assert not [a for a in alerts.scan(ctx).raised if a.kind == AlertKind.ZONE_BREACH]
    # A possible breach later confirmed (an exact report grouped into the incident) is
    # raised again, as critical.
    turkey = cast.viewer(ctx, "tur")
    exact_report = reports.submit_report(
        ctx,
        turkey,
        shelling_body(
            observed={**AFTER_HANDOVER, "precision": "exact"},
            event_position={"place_name": "Aghdam", "precision": 1, **AGHDAM},
        ),
    ).report.id
    incidents.add_reports(ctx, turkey, district, [exact_report])
    confirmed = [a for a in alerts.scan(ctx).raised if a.kind == AlertKind.ZONE_BREACH]
    assert [(a.details["incident_id"], a.severity) for a in confirmed] == [(district, "critical")]


def shared_with_internal_report(
    ctx: ServiceContext, cast: Cast, seen: dict[str, Any], hidden: dict[str, Any]
) -> tuple[str, str]:
    """A shared incident in Aghdam of a shared report (``seen``: its overrides) and an
    internal one (``hidden``); the incident and its shared report."""
    turkey = cast.viewer(ctx, "tur")
    place = {"place_name": "Aghdam", "precision": 1, **AGHDAM}
    observed = {**AFTER_HANDOVER, "precision": "exact"}
    ids = [
        reports.submit_report(
            ctx, turkey, shelling_body(observed=observed, event_position=place, **fields)
        ).report.id
        for fields in (seen, {**hidden, "classification": "internal"})
    ]
    incident = incidents.create_incident(
        ctx,
        turkey,
        report_ids=ids,
        title="Shelling in Aghdam district",
        classification=Classification.SHARED,
    ).id
    return incident, ids[0]


def allegation_kept_internal(ctx: ServiceContext, cast: Cast) -> tuple[str, str]:
    """A shared report that alleges no one and an internal one alleging Azerbaijan, whose
    finding's party comes from the internal report alone."""
    return shared_with_internal_report(
        ctx, cast, {"alleged_perpetrator": None}, {"alleged_perpetrator": "AZE"}
    )


def test_a_finding_resting_on_a_report_the_reader_may_not_read_is_withheld(
    ctx: ServiceContext, cast: Cast, client: TestClient
) -> None:
    """Azerbaijan's liaison, who reads the incident and its shared report only, must not
    learn from the finding ("alleged against AZE") what the internal report alleges."""
    incident, seen = allegation_kept_internal(ctx, cast)
    # The monitors read both reports and the finding as made.
    assert levels(client, cast, "tur", incident) == [
        ("breach", "p1-ceasefire", "aghdam-district", "AZE")
    ]
    # Azerbaijan's liaison reads the incident, not the internal report nor what it alleges.
    shown = client.get(f"/api/v1/incidents/{incident}", headers=cast.bearer("aze")).json()
    assert [r["id"] for r in shown["reports"]] == [seen]
    findings = client.get(f"/api/v1/incidents/{incident}/findings", headers=cast.bearer("aze"))
    assert findings.status_code == 200
    assert "AZE" not in json.dumps(findings.json())
    history = client.get(
        f"/api/v1/agreements/{NK_ID}/provisions/p1-ceasefire/history", headers=cast.bearer("aze")
    ).json()
    assert "AZE" not in json.dumps(history["findings"])
    assert compliance.findings_of_incidents(ctx, cast.viewer(ctx, "aze"), [incident]) == {}
    # Nor from the ledger: the finding's entry is served with its payload withheld.
    page = client.get("/api/v1/ledger", params={"limit": 1000}, headers=cast.bearer("aze"))
    [recorded] = [e for e in page.json()["entries"] if e["tag"] == "compliance:finding:recorded"]
    assert recorded["payload"] is None


def test_a_breach_alert_resting_on_an_internal_report_is_for_the_monitors(
    ctx: ServiceContext, cast: Cast
) -> None:
    """The finding's zone-breach alert carries its party and reasons: it is raised for the
    monitors only, not for every reader of the shared incident."""
    incident, _ = allegation_kept_internal(ctx, cast)
    [alert] = [a for a in alerts.scan(ctx).raised if a.kind == AlertKind.ZONE_BREACH]
    assert (alert.details["incident_id"], alert.details["party"]) == (incident, "AZE")
    assert alert.classification == Classification.INTERNAL.value
    for who in ("aze", "fra"):
        assert alerts.list_alerts(ctx, cast.viewer(ctx, who), kind=AlertKind.ZONE_BREACH) == []
    assert alerts.list_alerts(ctx, cast.viewer(ctx, "rus"), kind=AlertKind.ZONE_BREACH)


def test_a_report_the_reader_may_not_read_that_changes_no_finding_withholds_none(
    ctx: ServiceContext, cast: Cast, client: TestClient
) -> None:
    """An internal report that adds only a category no rule asks about (a detention) and
    alleges no one: the rules find the same with or without it, so the liaison is shown the
    finding its own reports make."""
    incident, _ = shared_with_internal_report(
        ctx, cast, {}, {"category": "detention_exchange", "alleged_perpetrator": None}
    )
    made = [("breach", "p1-ceasefire", "aghdam-district", "ARM")]
    assert levels(client, cast, "tur", incident) == made
    assert levels(client, cast, "aze", incident) == made
