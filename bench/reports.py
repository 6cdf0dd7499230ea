"""Time to produce a daily report and a full export with many incidents in the database.

    .venv/bin/python bench/reports.py [--database-url URL] [--incidents 100000]
                                      [--days 1000] [--public-share 0.5]

Loads a demo centre, then ``--incidents`` reports through the CSV import (the real intake
path: validated, stored and ledgered in batches) spread evenly over ``--days`` days from
10 Nov 2020, and groups each report into an incident of its own with the bulk loader
below, which writes exactly what ``incidents.service.create_incident`` writes (the
incident row derived from its report, the link, and a signed ``intake:incident:created``
ledger entry) but a batch of thousands per transaction instead of one. At 1M incidents
over 1000 days a day holds ~1000 incidents (the OSCE's busiest days counted hundreds of
violations).

Then it times, each once (the machine is shared):
- the daily report of the busiest day, public and internal editions, HTML (the PDF adds a
  fixed cost independent of the database: printed separately, once);
- the full export of incidents as ACLED CSV (public and operator) and as JSON Lines
  (operator).

Without ``--database-url`` a fresh SQLite file is used; a PostgreSQL database's public
schema is dropped and recreated. Prints a table and a JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.intake import fresh_settings  # noqa: E402
from tests.factories.reports import CSV_HEADER, csv_row, write_csv  # noqa: E402

from ceasefire.access import Viewer  # noqa: E402
from ceasefire.actor import Actor  # noqa: E402
from ceasefire.bootstrap import initialise  # noqa: E402
from ceasefire.config import Settings  # noqa: E402
from ceasefire.db.context import ServiceContext  # noqa: E402
from ceasefire.ids import new_ids  # noqa: E402
from ceasefire.incidents.events import IncidentTag  # noqa: E402
from ceasefire.incidents.tables import IncidentRow  # noqa: E402
from ceasefire.ledger.service import NewEntry, append_many  # noqa: E402
from ceasefire.members.setup import DEMO_AGREEMENT_ID  # noqa: E402
from ceasefire.publish import service as publishing  # noqa: E402
from ceasefire.publish.exports import open_export  # noqa: E402
from ceasefire.publish.model import (  # noqa: E402
    Dataset,
    Edition,
    ExportFormat,
    Kind,
    OutputFormat,
)
from ceasefire.reports import imports  # noqa: E402
from ceasefire.reports.tables import IncidentReportRow, ReportRow  # noqa: E402

START = datetime(2020, 11, 10, 6, 0, tzinfo=UTC)
PLACES = [  # (lat, lon, name): the handover areas, the corridor, the line
    (39.991, 46.927, "Aghdam"),
    (40.11, 46.044, "Kalbajar"),
    (39.637, 46.55, "Lachin"),
    (39.76, 46.75, "Shusha"),
    (39.601, 47.145, "Fuzuli"),
]
CATEGORIES = [
    "shelling",
    "small_arms_fire",
    "explosion_impact",
    "freedom_of_movement_restriction",
    "damage_to_civilian_object",
    "armed_clash",
    "troop_or_vehicle_movement",
]


def load_reports(ctx: ServiceContext, folder: Path, count: int, days: int, public: float) -> None:
    """``count`` reports through the CSV import, spread evenly over ``days`` days."""
    step = timedelta(days=days) / max(count, 1)
    header = [*CSV_HEADER, "agreement_id"]
    chunk = 100_000
    for first in range(0, count, chunk):
        rows = []
        for i in range(first, min(first + chunk, count)):
            at = START + step * i
            lat, lon, name = PLACES[i % len(PLACES)]
            rows.append(
                csv_row(
                    i,
                    observed_start=at.isoformat(),
                    observed_end=(at + timedelta(minutes=10)).isoformat(),
                    event_lat=f"{lat + (i % 97) / 2000:.4f}",
                    event_lon=f"{lon + (i % 89) / 2000:.4f}",
                    event_place=name,
                    category=CATEGORIES[i % len(CATEGORIES)],
                    means="seen",
                    killed_civilian=str(i % 3) if i % 11 == 0 else "",
                    classification="public" if (i % 100) < public * 100 else "shared",
                    agreement_id=DEMO_AGREEMENT_ID,
                )
            )
        path = write_csv(folder / f"reports-{first}.csv", rows, header=header)
        imports.import_csv(ctx, Viewer.cli_operator(), path)
        path.unlink()


def group_all(ctx: ServiceContext, batch: int = 5000) -> int:
    """Each ungrouped report into an incident of its own: the rows and the signed ledger
    entry ``create_incident`` writes, a batch per transaction."""
    actor = Actor.centre()
    made = 0
    after = ""
    while True:
        with ctx.unit_of_work() as session:
            reports = session.execute(
                select(
                    ReportRow.id,
                    ReportRow.category,
                    ReportRow.classification,
                    ReportRow.concerns,
                    ReportRow.observed_start,
                    ReportRow.observed_end,
                    ReportRow.event_lat,
                    ReportRow.event_lon,
                    ReportRow.event_place,
                    ReportRow.event_precision,
                    ReportRow.agreement_id,
                )
                .outerjoin(IncidentReportRow, IncidentReportRow.report_id == ReportRow.id)
                .where(ReportRow.id > after, IncidentReportRow.report_id.is_(None))
                .order_by(ReportRow.id)
                .limit(batch)
            ).all()
            if not reports:
                return made
            after = reports[-1].id
            ids = new_ids("inc", len(reports))
            now = datetime.now(UTC)
            session.execute(
                insert(IncidentRow),
                [
                    {
                        "id": incident_id,
                        "agreement_id": r.agreement_id,
                        "title": f"{r.category.replace('_', ' ')} near {r.event_place}",
                        "summary": None,
                        "category": r.category,
                        "classification": r.classification,
                        "concerns": r.concerns,
                        "status": "reported",
                        "attribution": "pending",
                        "attributed_party": None,
                        "observed_start": r.observed_start,
                        "observed_end": r.observed_end,
                        "event_lat": r.event_lat,
                        "event_lon": r.event_lon,
                        "event_place": r.event_place,
                        "event_precision": r.event_precision,
                        "owner_member": actor.member_id,
                        "created_at": now,
                        "updated_at": now,
                        "decision": None,
                    }
                    for incident_id, r in zip(ids, reports, strict=True)
                ],
            )
            session.execute(
                insert(IncidentReportRow),
                [
                    {"incident_id": i, "report_id": r.id, "added_at": now, "added_by": "centre"}
                    for i, r in zip(ids, reports, strict=True)
                ],
            )
            append_many(
                session,
                ctx.settings,
                [
                    NewEntry(
                        IncidentTag.CREATED,
                        f"incident/{i}",
                        {
                            "incident_id": i,
                            "agreement_id": r.agreement_id,
                            "report_ids": [r.id],
                            "grouped_by": "bench.bulk",
                            "category": r.category,
                            "classification": r.classification,
                            "concerns": [p for p in r.concerns.split(",") if p],
                            "title_sha256": None,
                            "summary_sha256": None,
                        },
                        actor,
                    )
                    for i, r in zip(ids, reports, strict=True)
                ],
            )
            made += len(reports)


CPU: dict[str, float] = {}
"""This process's CPU seconds per step: on a shared machine the wall time says as much
about the other processes as about this one."""


def timed(label: str, action: Any, results: dict[str, float]) -> Any:
    started, cpu = time.perf_counter(), time.process_time()
    value = action()
    results[label] = round(time.perf_counter() - started, 2)
    CPU[label] = round(time.process_time() - cpu, 2)
    print(f"{label:<44} {results[label]:>8.2f} s  (CPU {CPU[label]:.2f} s)", flush=True)
    return value


def drain(ctx: ServiceContext, viewer: Viewer, fmt: ExportFormat, out: Path) -> int:
    export = open_export(ctx, viewer, Dataset.INCIDENTS, fmt)
    size = 0
    with out.open("w", encoding="utf-8") as handle:
        for chunk in export.chunks:
            handle.write(chunk)
            size += len(chunk)
    return size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=1000)
    parser.add_argument("--public-share", type=float, default=0.5)
    parser.add_argument(
        "--reuse",
        type=Path,
        help="The folder of an earlier run (its keys, and its SQLite database unless "
        "--database-url names the PostgreSQL one): time, load nothing.",
    )
    args = parser.parse_args()
    if args.reuse:
        folder = args.reuse
        settings = Settings(
            database_url=args.database_url or f"sqlite:///{folder / 'bench.db'}",
            key_file=folder / "keys.json",
            data_dir=folder / "data",
        )
    else:
        folder = Path(tempfile.mkdtemp(prefix="cf-bench-reports-"))
        settings = fresh_settings(args.database_url, folder)
    ctx = ServiceContext.from_settings(settings)
    backend = ctx.engine.dialect.name
    results: dict[str, float] = {}
    print(f"{backend}: {args.incidents} incidents over {args.days} days in {folder}", flush=True)
    if not args.reuse:
        timed("load: demo centre", lambda: initialise(ctx, demo=True), results)
        timed(
            "load: reports (CSV import)",
            lambda: load_reports(ctx, folder, args.incidents, args.days, args.public_share),
            results,
        )
        made = timed("load: incidents (bulk, ledgered)", lambda: group_all(ctx), results)
        assert made == args.incidents, made
    if backend == "postgresql":
        with ctx.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    busiest = (START + timedelta(days=args.days // 2)).date()
    per_day = args.incidents / args.days
    operator = Viewer.cli_operator()

    def daily(edition: Edition, fmt: OutputFormat = OutputFormat.HTML) -> int:
        request = publishing.Request(Kind.DAILY, edition, "en", fmt, DEMO_AGREEMENT_ID, day=busiest)
        return len(publishing.generate(ctx, operator, request).content)

    # The first report of a process imports matplotlib and WeasyPrint and loads fonts: a
    # fixed cost, timed apart (a report of another day, then the measured ones).
    warm = publishing.Request(
        Kind.DAILY, Edition.PUBLIC, "en", OutputFormat.PDF, DEMO_AGREEMENT_ID, day=START.date()
    )
    timed(
        "first report of the process (imports, fonts)",
        lambda: publishing.generate(ctx, operator, warm),
        results,
    )
    timed("daily report, public edition (HTML)", lambda: daily(Edition.PUBLIC), results)
    timed("daily report, internal edition (HTML)", lambda: daily(Edition.INTERNAL), results)
    timed(
        "daily report, internal edition (PDF)",
        lambda: daily(Edition.INTERNAL, OutputFormat.PDF),
        results,
    )
    sizes = {}
    sizes["acled-public"] = timed(
        "full export, ACLED CSV, public",
        lambda: drain(ctx, Viewer.public(), ExportFormat.ACLED, folder / "public.csv"),
        results,
    )
    sizes["acled-all"] = timed(
        "full export, ACLED CSV, operator",
        lambda: drain(ctx, operator, ExportFormat.ACLED, folder / "all.csv"),
        results,
    )
    sizes["jsonl-all"] = timed(
        "full export, JSON Lines, operator",
        lambda: drain(ctx, operator, ExportFormat.JSONL, folder / "all.jsonl"),
        results,
    )
    print(
        json.dumps(
            {
                "backend": backend,
                "incidents": args.incidents,
                "per_day": per_day,
                "day": date.isoformat(busiest),
                "seconds": results,
                "cpu_seconds": CPU,
                "bytes": sizes,
                "machine": f"{platform.machine()} {os.cpu_count()} cpus",
                "load": os.getloadavg(),
            }
        )
    )
    ctx.dispose()


if __name__ == "__main__":
    main()
