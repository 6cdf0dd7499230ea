"""Time to produce a daily report and a full export with many incidents in the database.

    .venv/bin/python bench/reports.py [--database-url URL] [--incidents 100000]
                                      [--days 1000] [--public-share 0.5]
                                      [--folder DIR] [--load-only] [--reuse DIR]
                                      [--workers N]

Loading (once: ``--folder DIR --load-only``, then time as often as needed with
``--reuse DIR``, adding the same ``--database-url`` for PostgreSQL):

- a demo centre (``initialise``);
- ``--incidents`` reports through the **CSV import** (the real intake path: validated,
  stored with ``executemany``, or ``COPY`` on PostgreSQL, one ledger entry per batch), on
  every core, spread evenly over ``--days`` days from 10 Nov 2020;
- each report grouped into an incident of its own **in SQL, bypassing the incidents
  service** (``seed_incidents``: two ``INSERT … SELECT`` statements). The rows have the
  shapes ``create_incident`` writes (the incident derived from its one report, and the
  link), but not its signed, hash-chained ledger entry per incident: writing a million of
  those took most of an hour on this machine, and neither measured operation reads them
  (an export reads the ledger's head, a daily report the head at its cut-off and the
  sealed root, each by index).

At 1M incidents over 1000 days a day holds ~1000 incidents (the OSCE's busiest days
counted hundreds of violations).

Then it times, each once (the machine is shared; each step's CPU seconds are printed
beside its wall time):
- the daily report of the day in the middle of the data, public and internal editions,
  HTML (the PDF adds a fixed cost independent of the database: printed separately, once);
- the full export of incidents as ACLED CSV (public and operator) and as JSON Lines
  (operator), split over ``--workers`` processes (default: the CLI's, cores up to 4;
  ``--workers 1`` is the serial export). The CPU seconds printed include the helper
  processes'.

Without ``--database-url`` a SQLite file in the folder is used; a PostgreSQL database's
public schema is dropped and recreated when loading (use a database of its own). Prints a
table and a JSON line.
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

from sqlalchemy import bindparam, func, select, text

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.intake import fresh_settings  # noqa: E402
from tests.factories.reports import CSV_HEADER, csv_row, write_csv  # noqa: E402

from ceasefire.access import Viewer  # noqa: E402
from ceasefire.actor import Actor  # noqa: E402
from ceasefire.bootstrap import initialise  # noqa: E402
from ceasefire.config import Settings  # noqa: E402
from ceasefire.db.base import UTCDateTime  # noqa: E402
from ceasefire.db.context import ServiceContext  # noqa: E402
from ceasefire.incidents.tables import IncidentRow  # noqa: E402
from ceasefire.members.setup import DEMO_AGREEMENT_ID  # noqa: E402
from ceasefire.publish import service as publishing  # noqa: E402
from ceasefire.publish.exports import default_workers, open_export  # noqa: E402
from ceasefire.publish.model import (  # noqa: E402
    Dataset,
    Edition,
    ExportFormat,
    Kind,
    OutputFormat,
)
from ceasefire.reports import imports  # noqa: E402

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
        imports.import_csv(ctx, Viewer.cli_operator(), path, workers=os.cpu_count() or 1)
        path.unlink()


def seed_incidents(ctx: ServiceContext) -> int:
    """Each ungrouped report into an incident of its own, in SQL: two ``INSERT … SELECT``
    statements (the incident rows, the links) and the fusion queue emptied of them, one
    transaction.

    **This bypasses the incidents service** (``create_incident``) on purpose: that writes a
    signed, hash-chained ledger entry per incident, ~2 ms each here, so 1M incidents would
    take most of an hour to load, for a benchmark whose two measured operations never read
    those entries (the export reads the ledger's head; the daily report the head at its
    cut-off and the sealed root, both by index). The rows have the shapes the service
    writes: an incident derived from its single report (its category, classification,
    concerns, window and position), status ``reported``, attribution ``pending``, no
    decision, owned by the centre, and its link; the id is the report's with the
    incident prefix (``inc-`` and the same time-ordered digits), so the incidents sort as
    their reports. No ``intake:incident:created`` entries: the ledger holds the demo
    centre's entries and one per imported batch of reports.
    """
    now = datetime.now(UTC)
    actor = Actor.centre()
    unlinked = "NOT EXISTS (SELECT 1 FROM incident_reports l WHERE l.report_id = r.id)"
    incident_id = "'inc-' || substr(r.id, 5)"
    with ctx.unit_of_work() as session:
        made = (
            session.connection()
            .execute(
                text(
                    "INSERT INTO incidents (id, agreement_id, title, summary, category,"
                    " classification, concerns, status, attribution, attributed_party,"
                    " observed_start, observed_end, event_lat, event_lon, event_place,"
                    " event_precision, owner_member, created_at, updated_at, decision, emptied_by)"
                    f" SELECT {incident_id}, r.agreement_id,"
                    " replace(r.category, '_', ' ') || ' near ' || coalesce(r.event_place, '?'),"
                    " NULL, r.category, r.classification, r.concerns, 'reported', 'pending', NULL,"
                    " r.observed_start, r.observed_end, r.event_lat, r.event_lon, r.event_place,"
                    " r.event_precision, :owner, :now, :now, NULL, NULL"
                    f" FROM reports r WHERE {unlinked}"
                ).bindparams(bindparam("now", type_=UTCDateTime())),
                {"owner": actor.member_id, "now": now},
            )
            .rowcount
        )
        session.execute(
            text(
                "INSERT INTO incident_reports (incident_id, report_id, added_at, added_by)"
                f" SELECT {incident_id}, r.id, :now, 'centre' FROM reports r WHERE {unlinked}"
            ).bindparams(bindparam("now", type_=UTCDateTime())),
            {"now": now},
        )
        session.execute(
            text(
                "DELETE FROM fusion_queue WHERE report_id IN"
                " (SELECT report_id FROM incident_reports)"
            )
        )
    return int(made)


CPU: dict[str, float] = {}
"""This process's CPU seconds per step, with its child processes' (an export's helpers, the
import's validators): on a shared machine the wall time says as much about the other
processes as about this one."""


def cpu_seconds() -> float:
    used = os.times()
    return used.user + used.system + used.children_user + used.children_system


def timed(label: str, action: Any, results: dict[str, float]) -> Any:
    started, cpu = time.perf_counter(), cpu_seconds()
    value = action()
    results[label] = round(time.perf_counter() - started, 2)
    CPU[label] = round(cpu_seconds() - cpu, 2)
    print(f"{label:<44} {results[label]:>8.2f} s  (CPU {CPU[label]:.2f} s)", flush=True)
    return value


def drain(ctx: ServiceContext, viewer: Viewer, fmt: ExportFormat, out: Path, workers: int) -> int:
    export = open_export(ctx, viewer, Dataset.INCIDENTS, fmt, workers=workers)
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
    parser.add_argument(
        "--folder",
        type=Path,
        help="Load into this folder (kept, for later --reuse runs) instead of a temporary one.",
    )
    parser.add_argument(
        "--load-only", action="store_true", help="Load, time nothing (then time with --reuse)."
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="Processes sharing each export (default: the CLI's; 1: serial).",
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
        folder = args.folder or Path(tempfile.mkdtemp(prefix="cf-bench-reports-"))
        settings = fresh_settings(args.database_url, folder)
    ctx = ServiceContext.from_settings(settings)
    backend = ctx.engine.dialect.name
    results: dict[str, float] = {}
    if args.reuse:
        print(f"{backend}: the data loaded in {folder}", flush=True)
    else:
        print(
            f"{backend}: {args.incidents} incidents over {args.days} days in {folder}", flush=True
        )
    if not args.reuse:
        timed("load: demo centre", lambda: initialise(ctx, demo=True), results)
        timed(
            "load: reports (CSV import)",
            lambda: load_reports(ctx, folder, args.incidents, args.days, args.public_share),
            results,
        )
        made = timed(
            "load: incidents (SQL, bypassing the service)", lambda: seed_incidents(ctx), results
        )
        assert made == args.incidents, made
    if backend == "postgresql":
        with ctx.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    if args.load_only:
        print(f"loaded: time with --reuse {folder}", flush=True)
        print(json.dumps({"backend": backend, "seconds": results, "cpu_seconds": CPU}))
        return
    # The day of the median incident (by observation): the middle of the loaded data, which
    # the demo centre's few do not move (a --reuse run knows it from the data).
    with ctx.reader() as session:
        count = session.execute(select(func.count()).select_from(IncidentRow)).scalar_one()
        median = session.execute(
            select(IncidentRow.observed_start)
            .order_by(IncidentRow.observed_start)
            .offset(count // 2)
            .limit(1)
        ).scalar_one()
        busiest = median.date()
        per_day = session.execute(
            select(func.count()).where(
                IncidentRow.observed_start >= median - timedelta(hours=12),
                IncidentRow.observed_start < median + timedelta(hours=12),
            )
        ).scalar_one()
    print(f"{count} incidents; the day timed: {busiest} (~{per_day} incidents)", flush=True)
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
    workers = args.workers
    sizes["acled-public"] = timed(
        f"full export, ACLED CSV, public ({workers} proc.)",
        lambda: drain(ctx, Viewer.public(), ExportFormat.ACLED, folder / "public.csv", workers),
        results,
    )
    sizes["acled-all"] = timed(
        f"full export, ACLED CSV, operator ({workers} proc.)",
        lambda: drain(ctx, operator, ExportFormat.ACLED, folder / "all.csv", workers),
        results,
    )
    sizes["jsonl-all"] = timed(
        f"full export, JSON Lines, operator ({workers} proc.)",
        lambda: drain(ctx, operator, ExportFormat.JSONL, folder / "all.jsonl", workers),
        results,
    )
    print(
        json.dumps(
            {
                "backend": backend,
                "incidents": count,
                "per_day": per_day,
                "day": date.isoformat(busiest),
                "seconds": results,
                "cpu_seconds": CPU,
                "bytes": sizes,
                "workers": workers,
                "machine": f"{platform.machine()} {os.cpu_count()} cpus",
                "load": os.getloadavg(),
            }
        )
    )
    ctx.dispose()


if __name__ == "__main__":
    main()
