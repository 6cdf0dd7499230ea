"""Report bodies for tests: a valid shelling observation near Aghdam, overridable."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ceasefire.access import Classification, Viewer
from ceasefire.db.context import ServiceContext
from ceasefire.reports.csvformat import COLUMNS

AGHDAM = {"lat": 39.991, "lon": 46.927}
OBSERVED = datetime(2020, 11, 26, 10, 30, tzinfo=UTC)


def shelling_body(**overrides: Any) -> dict[str, Any]:
    """A monitor's observation of shelling near Aghdam, in the JSON form of the API."""
    body: dict[str, Any] = {
        "channel": "monitor_observation",
        "observed": {
            "start": OBSERVED.isoformat(),
            "end": (OBSERVED + timedelta(minutes=20)).isoformat(),
            "precision": "exact",
        },
        "category": "shelling",
        "event_position": {"place_name": "Aghdam", "precision": 2, **AGHDAM},
        "observer_position": {"lat": 39.97, "lon": 47.05},
        "distance_m": {"min": 8000, "max": 12000},
        "bearing_deg": 285,
        "count": 14,
        "weapon_class": "artillery",
        "means": ["heard", "uav"],
        "alleged_perpetrator": "ARM",
        "narrative": "Fourteen impacts west of the post, seen on the UAV feed.",
        "reporter": "Binbaşı Ayşe Demir",
        "source_reference": "JMC patrol log 26/11 #7",
        "confidence": "high",
        "classification": "shared",
        "concerns": ["ARM", "AZE"],
        "agreement_id": "nk-2020-trilateral",
    }
    body.update(overrides)
    return body


COMPLAINT: dict[str, Any] = {
    "channel": "party_complaint",
    "observer_position": None,
    "distance_m": None,
    "bearing_deg": None,
    "reporter": None,
}
"""What a party's complaint lacks of a monitor's observation (``shelling_body(**COMPLAINT)``)."""


CSV_HEADER = [
    "client_id",
    "observed_start",
    "observed_end",
    "time_precision",
    "event_lat",
    "event_lon",
    "event_place",
    "event_precision",
    "category",
    "count",
    "weapon_class",
    "means",
    "alleged_perpetrator",
    "killed_civilian",
    "classification",
    "concerns",
    "narrative",
]
assert all(c in COLUMNS for c in CSV_HEADER)


def detection_body(**overrides: Any) -> dict[str, Any]:
    """A UAV sensor's internal detection of the same shelling (the monitors' own)."""
    return shelling_body(
        **{
            "channel": "sensor_detection",
            "sensor_id": "tur-uav-1",
            "means": ["uav"],
            "classification": "internal",
            "narrative": "Thermal signatures of impacts near the town.",
            **overrides,
        }
    )


def csv_row(index: int, **overrides: str) -> dict[str, str]:
    start = OBSERVED - timedelta(minutes=index % 5000)
    row = {
        "client_id": f"row-{index}",
        "observed_start": start.isoformat(),
        "observed_end": (start + timedelta(minutes=5)).isoformat(),
        "time_precision": "exact",
        "event_lat": f"{39.9 + (index % 100) / 1000:.3f}",
        "event_lon": f"{46.9 + (index % 77) / 1000:.3f}",
        "event_place": "Aghdam district",
        "event_precision": "2",
        "category": ["explosion_impact", "small_arms_fire", "shelling"][index % 3],
        "count": str(1 + index % 9),
        "weapon_class": "unknown",
        "means": "heard",
        "alleged_perpetrator": "",
        "killed_civilian": "",
        "classification": "internal",
        "concerns": "ARM;AZE",
        "narrative": f"Observation {index}",
    }
    row.update(overrides)
    return row


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header or CSV_HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def internal_incident(
    ctx: ServiceContext, monitor: Viewer, body: dict[str, Any] | None = None
) -> str:
    """The id of an internal incident a monitor made of its report (``body``; by default
    a shared shelling report)."""
    return incident_of(ctx, monitor, body)[1]


def incident_of(
    ctx: ServiceContext,
    monitor: Viewer,
    body: dict[str, Any] | None = None,
    *,
    filer: Viewer | None = None,
    classification: Classification = Classification.INTERNAL,
) -> tuple[str, str]:
    """The ids of a report ``filer`` (by default the monitor) filed (``body``; by default a
    shared shelling report) and of the incident of ``classification`` the monitor made of
    it."""
    from ceasefire.incidents import service as incidents
    from ceasefire.reports import service as reports

    report = reports.submit_report(ctx, filer or monitor, body or shelling_body()).report
    incident = incidents.create_incident(
        ctx,
        monitor,
        report_ids=[report.id],
        title="Shelling near Aghdam",
        classification=classification,
    )
    return report.id, incident.id


def web_report_form(**fields: str | list[str]) -> dict[str, str | list[str]]:
    """The fields of the web report form (``POST /reports/new``) for a monitor's shelling
    observation, ``fields`` changed."""
    form: dict[str, str | list[str]] = {
        "idempotency_key": "form-key-1",
        "channel": "monitor_observation",
        "category": "shelling",
        "observed_start": "2020-11-28T09:30",
        "timezone": "Asia/Baku",
        "lat": "39.9871",
        "lon": "46.9312",
        "precision": "2",
        "means": ["seen", "uav"],
        "alleged_perpetrator": "arm",
        "concerns": "ARM AZE",
        "classification": "shared",
        "agreement_id": "nk-2020-trilateral",
        "narrative": "Six impacts east of Aghdam.",
    }
    form.update(fields)
    return form
