"""Backfill throughput: articles/s of ``ceasefire backfill`` with 1 and 2 Dask workers.

    .venv/bin/python bench/backfill.py [--pages 240] [--workers 1 2] [--scheduler distributed]

The archive is the pages of ``tests/data/pages`` (Russian, Turkish, Portuguese, Korean,
Japanese and English pages written for the tests), **replicated** round-robin to ``--pages``
files, with every ninth file a generated English article of ~600 words (the seed article with
extra paragraphs in a different order each, as ``bench/news.py`` makes them). Each replica gets
its number in the title (" [r17]"; in plain-text pages at the end of every line, since lines
before the title are dropped), so that every file and every text is distinct: the store keys
files by the sha256 of their bytes (a stored file is skipped unread) and articles by their
text, so unmarked copies would be skipped or found ``known`` and make the run a no-op. The run
checks this: every page must come back ``stored`` (none ``skipped`` or ``known``), else the
bench fails. The replicas are still the same eight pages analysed again and again: the
figures say how fast the machinery goes, not how varied news behaves. No public page
benchmark is in this repository or in ../shared.

Each worker count runs in a fresh process against a fresh SQLite database (``ceasefire
init``), end to end: read the files, hash them against the store, ship them to the workers,
parse and analyse them there (one pipeline per worker process, loaded once), store each
article with its events and reports in its own unit of work. Reported: the whole run's rate
(cluster start and model loading included), the steady rate (from the first stored article
to the last), scaling efficiency (the steady rate with N workers over N times the rate with
one), peak RSS of the largest worker process and of the driver.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "data" / "pages"
SEED = ROOT / "tests" / "data" / "asharq-al-awsat-2020-11-26-nagorno-karabakh.txt"


def _replica(text: str, suffix: str, number: int) -> str:
    """The page with its title marked as replica ``number`` (HTML: <title> and <h1>)."""
    marker = f" [r{number}]"
    if suffix == ".html":
        for closing in ("</title>", "</h1>"):
            text = text.replace(closing, marker + closing, 1)
        return text
    # Plain text: every line, since a banner or date line before the title is dropped.
    return "\n".join(line + marker if line.strip() else line for line in text.split("\n"))


def make_archive(folder: Path, count: int) -> list[Path]:
    spec = importlib.util.spec_from_file_location("bench_news", Path(__file__).parent / "news.py")
    assert spec is not None
    assert spec.loader is not None
    news = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(news)  # bench/news.py: the generated English articles
    generated_article = news.generated_article

    sources = [*sorted(PAGES.iterdir()), SEED]
    paths = []
    for number in range(count):
        source = sources[number % len(sources)]
        original = (
            generated_article(number) if source == SEED else source.read_text(encoding="utf-8")
        )
        text = _replica(original, source.suffix, number)
        path = folder / f"{number:05d}-{source.name}"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def run_one(archive: Path, workers: int, scheduler: str) -> dict[str, object]:
    """One backfill in this process (called through ``--one``), against the env's database."""
    from ceasefire.access import Viewer
    from ceasefire.config import Settings
    from ceasefire.db.context import ServiceContext
    from ceasefire.news.backfill import PageOutcome, backfill
    from ceasefire.news.service import NewsIngester

    ctx = ServiceContext.from_settings(Settings())
    times: list[float] = []

    def stamp(outcome: PageOutcome) -> None:
        if outcome.status == "stored":
            times.append(time.perf_counter())

    summary = backfill(
        NewsIngester(ctx),
        [archive],
        Viewer.cli_operator(),
        scheduler=scheduler,
        workers=workers,
        on_outcome=stamp,
    )
    figures = summary.to_dict()
    steady = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    return {
        "workers": workers,
        "scheduler": scheduler,
        "pages": figures["pages"],
        "stored": figures["stored"],
        "failed": figures["failed"],
        "seconds": figures["seconds"],
        "articles_per_s_whole_run": figures["articles_per_second"],
        "articles_per_s_steady": round(steady, 2),
        "peak_rss_mib_largest_worker": round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        ),
        "peak_rss_mib_driver": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "known": figures["known"],
        "skipped": figures["skipped"],
        "failures": figures["failures"][:5],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=240)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--scheduler", default="distributed")
    parser.add_argument("--one", nargs=2, metavar=("ARCHIVE", "WORKERS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(Path(args.one[0]), int(args.one[1]), args.scheduler)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "archive"
        archive.mkdir()
        make_archive(archive, args.pages)
        results = []
        for workers in args.workers:
            data = Path(tmp) / f"data-{workers}"
            env = dict(os.environ)
            env.update(
                CEASEFIRE_DATABASE_URL=f"sqlite:///{data}/ceasefire.db",
                CEASEFIRE_DATA_DIR=str(data),
                CEASEFIRE_KEY_FILE=str(data / "keys.json"),
            )
            data.mkdir()
            ceasefire = shutil.which("ceasefire", path=str(Path(sys.executable).parent))
            subprocess.run(
                [ceasefire or "ceasefire", "init"], env=env, check=True, capture_output=True
            )
            load_before = os.getloadavg()[0]
            out = subprocess.run(
                [sys.executable, __file__, "--one", str(archive), str(workers),
                 "--scheduler", args.scheduler],
                env=env, check=True, capture_output=True, text=True,
            )  # fmt: skip
            result = json.loads(out.stdout.strip().splitlines()[-1])
            result["load_average_before"] = round(load_before, 1)
            result["load_average_after"] = round(os.getloadavg()[0], 1)
            results.append(result)
            print(json.dumps(result), flush=True)
            if result["stored"] != args.pages:
                # A skipped or known page was not analysed and stored: the rate would lie.
                sys.exit(f"only {result['stored']} of {args.pages} pages stored: not a full run")
        one = [r for r in results if r["workers"] == 1 and r["articles_per_s_steady"]]
        if one:
            base = float(one[0]["articles_per_s_steady"])
            for result in results:
                workers = int(result["workers"])
                if workers > 1:
                    rate = float(result["articles_per_s_steady"])
                    print(f"scaling efficiency, {workers} workers: {rate / (workers * base):.2f}")


if __name__ == "__main__":
    main()
