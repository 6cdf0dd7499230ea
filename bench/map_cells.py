"""The map's counts per cell (``incidents.cellcounts``): what they add to an incident write,
what a recount costs, and the low-zoom count from them against counting the incidents.

    .venv/bin/python bench/map_cells.py [--incidents 100000] [--database-url URL]

Seeds like ``bench/web.py`` (bulk, then ``recount-map``), then measures:
- the deltas of one incident write as the flush applies them (``add_change`` + ``apply``):
  created (8 upserts, one per level) and moved to another cell at every level (16), in a
  transaction rolled back, per write;
- ``incident_cells`` over the map's opening box at zoom 8, from the table and by counting
  (a window with a start: what the table cannot answer), as a monitor and as the public.
Prints one line per figure; say the machine's load with them (``uptime``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.intake import fresh_settings  # noqa: E402
from bench.web import seed  # noqa: E402

from ceasefire.access import Viewer  # noqa: E402
from ceasefire.db.context import ServiceContext  # noqa: E402
from ceasefire.incidents import cellcounts  # noqa: E402
from ceasefire.incidents import service as incidents  # noqa: E402
from ceasefire.members import auth  # noqa: E402
from ceasefire.members.grid import cell_size  # noqa: E402

OPENING_BOX = (41.0, 36.5, 52.0, 43.0)
AT, ELSEWHERE = (46.93, 39.99), (45.1, 41.2)


def _place(lon: float, lat: float) -> cellcounts.Place:
    return cellcounts.Place(
        "shared", ",ARM,AZE,", "tur", "nk-2020-trilateral", "shelling", lon, lat
    )


def write_cost(ctx: ServiceContext, repeat: int = 300) -> dict[str, float]:
    """Median µs of one write's deltas, created and moved, in a rolled-back transaction."""
    result = {}
    for label, old, new in (
        ("created", None, _place(*AT)),
        ("moved", _place(*AT), _place(*ELSEWHERE)),
    ):
        times = []
        with ctx.engine.connect() as conn, conn.begin() as tx:
            session = Session(bind=conn)
            for _ in range(repeat):
                began = time.perf_counter()
                deltas: cellcounts.Deltas = {}
                cellcounts.add_change(deltas, old, new)
                cellcounts.apply(session, deltas)
                times.append(time.perf_counter() - began)
            tx.rollback()
        result[label] = 1e6 * statistics.median(times)
    return result


def map_counts(ctx: ServiceContext, viewer: Viewer, repeat: int = 7) -> dict[str, float]:
    """Median ms of the opening view's incident cells, from the table and by counting."""
    result = {}
    end = datetime(2022, 1, 1, tzinfo=UTC)
    for label, start in (("table", None), ("counting", datetime(1990, 1, 1, tzinfo=UTC))):
        asked = incidents.IncidentFilters(start=start, end=end, bbox=OPENING_BOX)
        times = []
        for _ in range(repeat):
            began = time.perf_counter()
            incidents.incident_cells(ctx, viewer, asked, cell_deg=cell_size(8))
            times.append(time.perf_counter() - began)
        result[label] = 1e3 * statistics.median(times)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = fresh_settings(args.database_url, Path(folder))
        token = seed(settings, args.incidents)
        ctx = ServiceContext.from_settings(settings)
        try:
            began = time.perf_counter()
            rebuilt = incidents.rebuild_map_counts(ctx)
            print(
                f"recount-map: {rebuilt.cells} cells of {rebuilt.incidents} incidents in"
                f" {time.perf_counter() - began:.2f} s (check and rebuild)"
            )
            for label, us in write_cost(ctx).items():
                print(f"one incident write's deltas, {label}: {us:.0f} µs (median)")
            monitor = auth.viewer_for_token(ctx, token)
            for who, viewer in (("monitor", monitor), ("public", Viewer.public())):
                for label, ms in map_counts(ctx, viewer).items():
                    print(f"opening view at zoom 8, {who}, {label}: {ms:.1f} ms (median)")
        finally:
            ctx.dispose()


if __name__ == "__main__":
    main()
