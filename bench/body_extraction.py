"""Body extraction on the 39 bench pages of tests/data/pages-bench: ours against trafilatura.

Run: .venv/bin/python bench/body_extraction.py --split tune [--errors] [--speed]

The score is the one of the article-extraction benchmarks (scrapinghub's
article-extraction-benchmark style): the extracted body and the gold body as bags of
whitespace-separated tokens, precision and recall of their multiset overlap, F1 per page,
and the mean over pages. No word segmentation is done for Japanese (a run of text without
spaces is one token, as the benchmark counts it); Korean separates words with spaces.
"trafilatura" is ``trafilatura.extract(html)`` with its defaults, as the benchmark runs it;
"ours" is ``parse_html``'s paragraphs. ``--errors`` prints, per page, the tokens each side
missed or added: only for the tune split (the held split is scored once, without looking).
``--speed`` times ``parse_html`` over all pages.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

import trafilatura

from ceasefire.errors import InvalidInput
from ceasefire.news.html import parse_html

PAGES = Path(__file__).resolve().parents[1] / "tests" / "data" / "pages-bench"


def scores(found: str, gold: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of ``found`` against ``gold`` (whitespace tokens)."""
    a, b = Counter(found.split()), Counter(gold.split())
    overlap = sum((a & b).values())
    if not overlap:
        return 0.0, 0.0, 0.0
    precision, recall = overlap / sum(a.values()), overlap / sum(b.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def ours(html: str, name: str) -> str:
    try:
        return "\n".join(parse_html(html, name=name).paragraphs)
    except InvalidInput:
        return ""


def alone(html: str) -> str:
    return trafilatura.extract(html) or ""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=["tune", "held", "all"], default="tune")
    parser.add_argument("--errors", action="store_true")
    parser.add_argument("--speed", action="store_true")
    args = parser.parse_args()
    if args.errors and args.split != "tune":
        parser.error("--errors reads the tune split only")
    manifest = json.loads((PAGES / "manifest.json").read_text(encoding="utf-8"))
    pages = [p for p in manifest if args.split in ("all", p["split"])]
    rows = []
    for page in pages:
        html = (PAGES / f"{page['page']}.html").read_text(encoding="utf-8")
        gold = (PAGES / f"{page['page']}.gold.txt").read_text(encoding="utf-8")
        mine, theirs = ours(html, page["page"]), alone(html)
        rows.append((page["page"], scores(theirs, gold), scores(mine, gold)))
        if args.errors:
            extra = Counter(mine.split()) - Counter(gold.split())
            missed = Counter(gold.split()) - Counter(mine.split())
            if extra or missed:
                print(f"== {page['page']}\n  + {' '.join(extra.elements())[:300]}")
                print(f"  - {' '.join(missed.elements())[:300]}")
    print(f"{'page':28} {'trafilatura P/R/F1':>20} {'ours P/R/F1':>20}")
    for name, (tp, tr, tf), (op, orc, of) in rows:
        print(f"{name:28} {tp:6.3f}{tr:7.3f}{tf:7.3f} {op:6.3f}{orc:7.3f}{of:7.3f}")

    def mean(side: int, field: int) -> float:
        return sum(row[side][field] for row in rows) / len(rows)

    print(
        f"{'mean (' + str(len(rows)) + ' pages)':28} {mean(1, 0):6.3f}{mean(1, 1):7.3f}"
        f"{mean(1, 2):7.3f} {mean(2, 0):6.3f}{mean(2, 1):7.3f}{mean(2, 2):7.3f}"
    )
    if args.speed:
        htmls = [(PAGES / f"{p['page']}.html").read_text(encoding="utf-8") for p in manifest] * 5
        start = time.perf_counter()
        for n, html in enumerate(htmls):
            ours(html, str(n))
        elapsed = time.perf_counter() - start
        print(f"parse_html: {len(htmls) / elapsed:.1f} pages/s on one process ({len(htmls)} pages)")


if __name__ == "__main__":
    main()
