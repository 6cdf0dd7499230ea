"""A small, known day of incidents for the publishing tests, made through the services.

Around the daily report of 26 Nov 2020 (cut-off 19:30 Moscow time = 16:30 UTC): the
period is 25 Nov 16:30 UTC to 26 Nov 16:30 UTC. Classifications are mixed so that each
edition and export has something to leave out; the monitors' observer position
(39.97, 47.05) is in every report and must reach no public output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ceasefire.access import Classification, Viewer
from ceasefire.agreements import service as agreements
from ceasefire.db.context import ServiceContext
from ceasefire.incidents import service as incidents
from ceasefire.incidents.model import Attribution, AttributionKind, OccurrenceStatus, Stance
from ceasefire.publish.exports import Export, open_export
from ceasefire.publish.model import Dataset, ExportFormat
from ceasefire.reports import service as reports
from ceasefire.reports.model import Category
from tests.factories.members import Cast
from tests.factories.reports import shelling_body

OBSERVER = {"lat": 39.97, "lon": 47.05}
LACHIN = {"lat": 39.637, "lon": 46.55}
KALBAJAR = {"lat": 40.11, "lon": 46.044}


@dataclass
class Day:
    """The incidents made, by name, and who may read each."""

    ids: dict[str, str] = field(default_factory=dict)
    classification: dict[str, Classification] = field(default_factory=dict)


SCENARIO: list[dict[str, Any]] = [
    # name, classification, category, when (UTC), where, casualties
    {
        "name": "shelling",
        "classification": Classification.PUBLIC,
        "category": Category.SHELLING,
        "at": datetime(2020, 11, 26, 10, 30, tzinfo=UTC),
        "where": {"lat": 39.991, "lon": 46.927, "place_name": "Aghdam"},
        "casualties": {"killed_civilian": {"low": 1, "best": 2, "high": 3}, "injured_civilian": 4},
        "title": "Shelling near Aghdam",
    },
    {
        "name": "clash",
        "classification": Classification.SHARED,
        "category": Category.SMALL_ARMS_FIRE,
        "at": datetime(2020, 11, 26, 8, 0, tzinfo=UTC),
        "where": {**LACHIN, "place_name": "Lachin"},
        "casualties": None,
        "title": "Small-arms fire near Lachin",
    },
    {
        "name": "checkpoint",
        "classification": Classification.INTERNAL,
        "category": Category.FREEDOM_OF_MOVEMENT_RESTRICTION,
        "at": datetime(2020, 11, 26, 12, 0, tzinfo=UTC),
        "where": {**KALBAJAR, "place_name": "Kalbajar"},
        "casualties": None,
        "title": "Patrol stopped at a checkpoint (internal)",
    },
    {
        "name": "exchange",
        "classification": Classification.PUBLIC,
        "category": Category.DETENTION_EXCHANGE,
        "at": datetime(2020, 11, 26, 9, 0, tzinfo=UTC),
        "where": {"lat": 39.818, "lon": 46.753, "place_name": "Khankendi"},
        "casualties": None,
        "title": "Exchange of detainees",
    },
    {
        "name": "yesterday",
        "classification": Classification.PUBLIC,
        "category": Category.ARMED_CLASH,
        "at": datetime(2020, 11, 25, 12, 0, tzinfo=UTC),
        "where": {"lat": 39.991, "lon": 46.927, "place_name": "Aghdam"},
        "casualties": {"killed_military": 1},
        "title": "Armed clash near Aghdam",
    },
]


def report_body(spec: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    at: datetime = spec["at"]
    return shelling_body(
        observed={
            "start": at.isoformat(),
            "end": (at + timedelta(minutes=20)).isoformat(),
            "precision": "exact",
        },
        category=spec["category"].value,
        event_position={**spec["where"], "precision": 2},
        observer_position=OBSERVER,
        casualties=spec["casualties"],
        classification=spec["classification"].value,
        **overrides,
    )


def make_day(ctx: ServiceContext, cast: Cast) -> Day:
    """The shipped agreements, and the scenario's incidents, each of one report of its own
    classification."""
    agreements.load_shipped(ctx)
    turkey = cast.viewer(ctx, "tur")
    day = Day()
    for spec in SCENARIO:
        report = reports.submit_report(ctx, turkey, report_body(spec)).report
        incident = incidents.create_incident(
            ctx,
            turkey,
            report_ids=[report.id],
            title=spec["title"],
            summary=f"Reported by Binbaşı Ayşe Demir from the post ({spec['name']}).",
            classification=spec["classification"],
        )
        day.ids[spec["name"]] = incident.id
        day.classification[spec["name"]] = spec["classification"]
    # The monitors disagree on who fired near Lachin: a dispute, with both views on record.
    clash = day.ids["clash"]
    incidents.assign_task(ctx, cast.viewer(ctx, "rus"), clash, team=["Maj. Ivan Petrov"])
    for member, party in (("rus", "AZE"), ("tur", "ARM")):
        incidents.assess(
            ctx,
            cast.viewer(ctx, member),
            clash,
            stance=Stance.CONCUR,
            rationale=f"Fire came from the {party} side of the corridor.",
            status=OccurrenceStatus.VERIFIED,
            attribution=Attribution(AttributionKind.ATTRIBUTED, party),
        )
    return day


def export_text(
    ctx: ServiceContext, viewer: Viewer, dataset: Dataset, fmt: ExportFormat, **options: Any
) -> tuple[Export, str]:
    """A whole export as one string: ``open_export`` with ``options``, its chunks joined."""
    export = open_export(ctx, viewer, dataset, fmt, **options)
    return export, "".join(export.chunks)
