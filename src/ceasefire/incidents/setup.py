"""The intake step of ``ceasefire init --demo``: the joint centre's first disputed incident.

A Turkish monitor reports shelling near Aghdam and a Russian patrol hears it too; the two
reports become one shared incident; a joint team investigates; Turkey concurs "verified,
attributed to Armenia", Russia dissents, so the incident is disputed with both views kept;
Armenia's liaison replies. Idempotent: the reports carry idempotency keys and the incident
is only made while its report belongs to none, so running init again adds nothing.
"""

from __future__ import annotations

from typing import Any

from ceasefire.access import Classification, Role, Viewer
from ceasefire.db.context import ServiceContext
from ceasefire.incidents import service as incidents
from ceasefire.incidents.model import Attribution, AttributionKind, OccurrenceStatus, Stance
from ceasefire.members.setup import DEMO_AGREEMENT_ID
from ceasefire.reports import service as reports

AGHDAM = {"lat": 39.991, "lon": 46.927, "place_name": "Aghdam", "precision": 2}


def _demo_reports() -> list[tuple[str, str, dict[str, Any]]]:
    """(member, idempotency key, body) of the demo reports."""
    common: dict[str, Any] = {
        "category": "shelling",
        "event_position": AGHDAM,
        "weapon_class": "artillery",
        "alleged_perpetrator": "ARM",
        "concerns": ["ARM", "AZE"],
        "classification": "shared",
        "agreement_id": DEMO_AGREEMENT_ID,
    }
    return [
        (
            "tur",
            "demo-tur-2020-11-26-1",
            {
                **common,
                "channel": "monitor_observation",
                "observed": {"start": "2020-11-26T14:30", "timezone": "Asia/Baku"},
                "observer_position": {"lat": 39.97, "lon": 47.05},
                "distance_m": {"min": 8000, "max": 12000},
                "bearing_deg": 285,
                "count": 14,
                "means": ["heard", "uav"],
                "confidence": "high",
                "narrative": "Fourteen impacts west of the post, seen on the UAV feed.",
            },
        ),
        (
            "rus",
            "demo-rus-2020-11-26-1",
            {
                **common,
                "channel": "monitor_observation",
                "observed": {
                    "start": "2020-11-26T14:25",
                    "end": "2020-11-26T14:55",
                    "timezone": "Asia/Baku",
                },
                "count": 10,
                "means": ["heard"],
                "confidence": "medium",
                "narrative": "About ten detonations to the north-west, origin not seen.",
            },
        ),
    ]


def _member(member_id: str) -> Viewer:
    return Viewer(member_id=member_id, user_id=None, role=Role.MONITOR)


def setup_intake(ctx: ServiceContext, *, demo: bool) -> list[str]:
    """With ``demo``, file the demo reports and the disputed demo incident (once)."""
    if not demo:
        return []
    filed = [
        reports.submit_report(ctx, _member(member), body, idempotency_key=key).report
        for member, key, body in _demo_reports()
    ]
    if filed[0].incident_id is not None:
        return ["demo incident already present"]
    turkey, russia = _member("tur"), _member("rus")
    incident = incidents.create_incident(
        ctx,
        turkey,
        report_ids=[r.id for r in filed],
        title="Shelling near Aghdam, 26 November 2020",
        summary="Artillery impacts west of the Joint Monitoring Centre, reported by both monitors.",
        classification=Classification.SHARED,
    )
    incidents.assign_task(ctx, russia, incident.id, team=["Joint patrol 3"])
    incidents.assess(
        ctx,
        turkey,
        incident.id,
        stance=Stance.CONCUR,
        status=OccurrenceStatus.VERIFIED,
        attribution=Attribution(AttributionKind.ATTRIBUTED, "ARM"),
        rationale="UAV footage shows the firing positions.",
        evidence_refs=[filed[0].id],
    )
    incidents.assess(
        ctx, russia, incident.id, stance=Stance.DISSENT, rationale="Origin of fire not established."
    )
    incidents.reply(
        ctx,
        Viewer(member_id="arm", user_id=None, role=Role.PARTY_LIAISON, party="ARM"),
        incident.id,
        text="Armenian units did not fire on 26 November.",
    )
    return [f"demo intake: {len(filed)} reports, disputed incident {incident.id}"]
