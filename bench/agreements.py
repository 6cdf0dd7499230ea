"""Cost of the agreement register: checking a file, loading it, reading it as of an instant.

Run: .venv/bin/python bench/agreements.py [--database-url URL] [--repeat N]
Defaults to a fresh SQLite file in a temporary directory. Prints one JSON object:
  check_ms     YAML + schema + semantic checks of the 2020 statement (median of N)
  first_load_ms  storing version 1 with its amendment, status changes and ledger entries
  reload_ms    loading the unchanged file again (the idempotent no-op; median of N)
  show_ms      reading the current version back as of an instant (median of N)
  statuses_per_s  provision status-as-of evaluations per second over the stored agreement
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ceasefire.actor import Actor
from ceasefire.agreements import service as agreements
from ceasefire.agreements.loader import check_file
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.db.migrate import upgrade


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    settings = Settings(
        database_url=args.database_url or f"sqlite:///{tmp / 'bench.db'}",
        key_file=tmp / "keys.json",
        data_dir=tmp / "data",
    )
    ctx = ServiceContext.from_settings(settings)
    upgrade(ctx.engine)
    path = next(p for p in agreements.shipped_agreement_paths() if p.stem == "nk-2020-trilateral")

    checks = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        check_file(path)
        checks.append(_ms(start))

    start = time.perf_counter()
    agreements.load_file(ctx, path, actor=Actor.centre())
    first_load = _ms(start)

    reloads = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        agreements.load_file(ctx, path, actor=Actor.centre())
        reloads.append(_ms(start))

    shows = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        stored = agreements.get_agreement(ctx, "nk-2020-trilateral")
        shows.append(_ms(start))

    provisions = stored.agreement.all_provisions()
    base = datetime(2020, 11, 1, tzinfo=UTC)
    evaluations = 0
    start = time.perf_counter()
    for hour in range(0, 24 * 365 * 5, 7):
        at = base + timedelta(hours=hour)
        for provision in provisions:
            provision.status_as_of(at)
            evaluations += 1
    seconds = time.perf_counter() - start

    print(
        json.dumps(
            {
                "backend": ctx.engine.dialect.name,
                "check_ms": round(statistics.median(checks), 1),
                "first_load_ms": round(first_load, 1),
                "reload_ms": round(statistics.median(reloads), 1),
                "show_ms": round(statistics.median(shows), 1),
                "statuses_per_s": round(evaluations / seconds),
            }
        )
    )
    ctx.dispose()


if __name__ == "__main__":
    main()
