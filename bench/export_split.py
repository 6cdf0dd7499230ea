"""Time one full export of incidents, serial and split over processes, and check that the
two files are the same bytes (a database loaded by ``bench/reports.py --load-only``).

    .venv/bin/python bench/export_split.py --reuse DIR [--database-url URL]
        [--format acled] [--public] [--workers 1 2]

Prints, per worker count: wall seconds, CPU seconds of this process and its helpers, the
load average before and after, and the file's SHA-256.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.reports import cpu_seconds  # noqa: E402

from ceasefire.access import Viewer  # noqa: E402
from ceasefire.config import Settings  # noqa: E402
from ceasefire.db.context import ServiceContext  # noqa: E402
from ceasefire.publish.exports import open_export  # noqa: E402
from ceasefire.publish.model import Dataset, ExportFormat  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reuse", type=Path, required=True)
    parser.add_argument("--database-url")
    parser.add_argument("--format", default="acled", choices=[f.value for f in ExportFormat])
    parser.add_argument("--public", action="store_true", help="As the public (default: operator).")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    folder: Path = args.reuse
    settings = Settings(
        database_url=args.database_url or f"sqlite:///{folder / 'bench.db'}",
        key_file=folder / "keys.json",
        data_dir=folder / "data",
    )
    ctx = ServiceContext.from_settings(settings)
    viewer = Viewer.public() if args.public else Viewer.cli_operator()
    fmt = ExportFormat(args.format)
    results = []
    for workers in args.workers:
        out = folder / f"export-{fmt.value}-{workers}.out"
        load = os.getloadavg()[0]
        started, cpu = time.perf_counter(), cpu_seconds()
        export = open_export(ctx, viewer, Dataset.INCIDENTS, fmt, workers=workers)
        digest = hashlib.sha256()
        with out.open("w", encoding="utf-8", newline="") as handle:
            for chunk in export.chunks:
                handle.write(chunk)
        wall, used = time.perf_counter() - started, cpu_seconds() - cpu
        with out.open("rb") as written:
            while block := written.read(1 << 20):
                digest.update(block)
        out.unlink()
        result = {
            "backend": ctx.engine.dialect.name,
            "format": fmt.value,
            "viewer": "public" if args.public else "operator",
            "workers": workers,
            "wall_s": round(wall, 1),
            "cpu_s": round(used, 1),
            "load": [round(load, 2), round(os.getloadavg()[0], 2)],
            "sha256": digest.hexdigest(),
        }
        print(json.dumps(result), flush=True)
        results.append(result)
    same = len({r["sha256"] for r in results}) == 1
    print(f"identical output: {same}", flush=True)
    ctx.dispose()


if __name__ == "__main__":
    main()
