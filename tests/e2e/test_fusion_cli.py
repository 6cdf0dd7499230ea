"""A CSV of 1,000 reports of a few hundred events, imported in one go with the CLI, comes
out grouped without any other command; then an analyst regroups from the CLI."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.factories.cli import InProcessCli
from tests.factories.reports import csv_row, write_csv

TOWNS = [  # (name, lat, lon): 15 km and more apart
    ("Aghdam", 39.991, 46.927),
    ("Fuzuli", 39.601, 47.145),
    ("Lachin", 39.637, 46.550),
    ("Kalbajar", 40.110, 46.044),
    ("Jabrayil", 39.399, 47.028),
]
CATEGORIES = ["shelling", "small_arms_fire", "explosion_impact", "heavy_machine_gun_fire"]


def event_rows(count: int, seed: int = 13) -> tuple[list[dict[str, str]], dict[str, int]]:
    """Rows of ``count`` reports: events three hours apart, each reported 1 to 6 times
    within ten minutes and 400 m of it; the event of each row, by its client id."""
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    truth: dict[str, int] = {}
    at = datetime(2020, 11, 12, tzinfo=UTC)
    event = 0
    while len(rows) < count:
        name, lat, lon = TOWNS[event % len(TOWNS)]
        category = CATEGORIES[event % len(CATEGORIES)]
        for _ in range(min(rng.randint(1, 6), count - len(rows))):
            start = at + timedelta(minutes=rng.uniform(-10, 10))
            index = len(rows)
            rows.append(
                csv_row(
                    index,
                    observed_start=start.isoformat(),
                    observed_end=(start + timedelta(minutes=5)).isoformat(),
                    event_lat=f"{lat + rng.uniform(-0.003, 0.003):.5f}",
                    event_lon=f"{lon + rng.uniform(-0.003, 0.003):.5f}",
                    event_place=name,
                    category=category,
                )
            )
            truth[f"row-{index}"] = event
        event += 1
        at += timedelta(hours=3)
    return rows, truth


def test_a_csv_import_comes_out_grouped(cli: InProcessCli, tmp_path: Path) -> None:
    rows, truth = event_rows(1_000)
    path = write_csv(tmp_path / "reports.csv", rows)
    imported = cli("import", "csv", str(path), "--workers", "1")
    assert imported["imported"] == 1_000
    assert imported["fused"]["fusion"]["reports"] == 1_000
    assert cli("fusion", "status")["queued"] == 0

    incident_of: dict[str, str] = {}
    cursor: list[str] = []
    while True:
        page = cli("report", "list", "--limit", "500", *cursor)
        for item in page["items"]:
            incident_of[item["idempotency_key"].removeprefix("csv:")] = item["incident_id"]
        if not page["next_cursor"]:
            break
        cursor = ["--cursor", page["next_cursor"]]
    assert len(incident_of) == 1_000
    assert None not in incident_of.values()
    events: dict[int, set[str]] = defaultdict(set)
    for key, incident in incident_of.items():
        events[truth[key]].add(incident)
    # Each event is one incident, and no incident holds two events.
    assert all(len(found) == 1 for found in events.values())
    assert len({next(iter(found)) for found in events.values()}) == len(events)

    # An analyst merges two of them and undoes it, from the CLI.
    first, second = (next(iter(events[e])) for e in (0, 1))
    merged = cli("incident", "merge", first, second, "--reason", "one barrage")
    assert merged["kind"] == "merged"
    shown = cli("fusion", "show", first)
    assert shown["reports"] == len([k for k, e in truth.items() if e in (0, 1)])
    assert cli("fusion", "undo", merged["id"])["undoes"] == merged["id"]
    split = cli("incident", "split", first, "--reports", merged["report_ids"][0], code=2)
    assert split["error"]["code"] == "E422"  # not a report of that incident any more
