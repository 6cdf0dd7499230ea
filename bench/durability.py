"""The cost of durable commits on SQLite: ``synchronous=FULL`` against ``NORMAL`` (WAL).

    .venv/bin/python bench/durability.py [--reports 400] [--threads 16] [--rounds 3] [--dir D]

With ``FULL`` SQLite syncs the write-ahead log at every commit, so a report the service has
acknowledged survives a power cut; ``NORMAL`` syncs only at checkpoints. The cost is one
``fsync`` per transaction, so it shows most when every report is its own transaction (one
client filing one after another) and least when concurrent reports share a commit. Both
cases are measured through the real service path (``reports.submit_report``: validation,
report row, ledger entry), the two settings interleaved ``--rounds`` times, each in a fresh
database under ``--dir`` (default: a temporary directory: put it on the disk the database
will live on, since the figure is the disk's sync latency).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Literal

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.factories.members import demo_cast  # noqa: E402
from tests.factories.reports import shelling_body  # noqa: E402

from ceasefire.config import Settings  # noqa: E402
from ceasefire.db.context import ServiceContext  # noqa: E402
from ceasefire.db.migrate import upgrade  # noqa: E402
from ceasefire.reports import service as reports  # noqa: E402

Mode = Literal["full", "normal"]


def _context(directory: Path, mode: Mode, tag: str) -> ServiceContext:
    settings = Settings(
        database_url=f"sqlite:///{directory / f'{tag}.db'}",
        key_file=directory / f"{tag}-keys.json",
        data_dir=directory / f"{tag}-data",
        sqlite_synchronous=mode,
    )
    ctx = ServiceContext.from_settings(settings)
    upgrade(ctx.engine)
    return ctx


def one_run(directory: Path, mode: Mode, tag: str, count: int, threads: int) -> tuple[float, float]:
    """(reports/s one at a time, reports/s from ``threads`` threads) in a fresh database."""
    ctx = _context(directory, mode, tag)
    try:
        viewer = demo_cast(ctx).viewer(ctx, "tur")
        started = time.perf_counter()
        for n in range(count):
            reports.submit_report(
                ctx, viewer, shelling_body(count=1 + n % 50), idempotency_key=f"s-{n}"
            )
        sequential = count / (time.perf_counter() - started)

        per_thread = max(1, count // threads)

        def writer(number: int) -> None:
            for n in range(per_thread):
                reports.submit_report(
                    ctx,
                    viewer,
                    shelling_body(count=1 + n % 50),
                    idempotency_key=f"t{number}-{n}",
                )

        workers = [threading.Thread(target=writer, args=(i,)) for i in range(threads)]
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        concurrent = per_thread * threads / (time.perf_counter() - started)
        return sequential, concurrent
    finally:
        ctx.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=400)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        directory = Path(tmp)
        results: dict[str, list[tuple[float, float]]] = {"full": [], "normal": []}
        modes: tuple[Mode, Mode] = ("normal", "full")
        for round_ in range(args.rounds):
            for mode in modes:
                rates = one_run(directory, mode, f"{mode}-{round_}", args.reports, args.threads)
                results[mode].append(rates)
                print(
                    f"round {round_ + 1} {mode:>6}: {rates[0]:7.1f} reports/s one at a time,"
                    f" {rates[1]:7.1f} reports/s from {args.threads} threads",
                    flush=True,
                )
    print()
    for mode in ("normal", "full"):
        seq = statistics.median(r[0] for r in results[mode])
        conc = statistics.median(r[1] for r in results[mode])
        print(
            f"median {mode:>6}: {seq:7.1f} one at a time, {conc:7.1f} from {args.threads} threads"
        )
    full_seq = statistics.median(r[0] for r in results["full"])
    normal_seq = statistics.median(r[0] for r in results["normal"])
    print(
        f"FULL costs {1000 / full_seq - 1000 / normal_seq:+.2f} ms per report filed alone"
        f" ({full_seq / normal_seq - 1:+.0%} throughput)"
    )


if __name__ == "__main__":
    main()
