"""Time a member's exports and lists (what the fifth audit's id masking runs on): the best
of five of each, as Turkey's monitor and Armenia's liaison, on the database the
``CEASEFIRE_*`` settings name (``ceasefire init --demo`` makes one).

    CEASEFIRE_DATABASE_URL=sqlite:////tmp/demo/c.db CEASEFIRE_KEY_FILE=/tmp/demo/keys.json \\
        PYTHONPATH=src .venv/bin/python bench/masking.py

Run it with ``PYTHONPATH`` pointing at two checkouts to compare them.
"""

from __future__ import annotations

import time

from ceasefire.access import Role, Viewer
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.incidents import service as incidents
from ceasefire.publish import exports
from ceasefire.publish.model import Dataset, ExportFormat
from ceasefire.reports import service as reports

VIEWERS = {
    "tur monitor": Viewer(member_id="tur", user_id="tur-monitor", role=Role.MONITOR),
    "arm liaison": Viewer(
        member_id="arm", user_id="arm-liaison", role=Role.PARTY_LIAISON, party="ARM"
    ),
}
EXPORTS = (
    (Dataset.INCIDENTS, ExportFormat.ACLED),
    (Dataset.INCIDENTS, ExportFormat.JSONL),
    (Dataset.REPORTS, ExportFormat.JSONL),
)


def main() -> None:
    ctx = ServiceContext.from_settings(Settings())
    for name, viewer in VIEWERS.items():
        for dataset, fmt in EXPORTS:
            best, size = float("inf"), 0
            for _ in range(5):
                start = time.perf_counter()
                size = sum(len(c) for c in exports.open_export(ctx, viewer, dataset, fmt).chunks)
                best = min(best, time.perf_counter() - start)
            print(f"{name}: export {dataset.value} {fmt.value}: {best * 1000:.0f} ms ({size} B)")
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            incidents.list_incidents(ctx, viewer, limit=500)
            reports.list_reports(ctx, viewer, limit=500)
            best = min(best, time.perf_counter() - start)
        print(f"{name}: list 500 incidents and 500 reports: {best * 1000:.0f} ms")


if __name__ == "__main__":
    main()
