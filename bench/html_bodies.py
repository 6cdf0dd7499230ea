"""Body extraction on the HTML pages of tests/data/pages: trafilatura alone and with fallback.

Run: .venv/bin/python bench/html_bodies.py

The gold body of each page is the text of the element that holds the article as written
(``<article>`` without its heading and figure, or the story's own block); the score is the
token F1 of the extracted body against it, as the article-extraction benchmarks score it
(bag of words, multiset overlap). "trafilatura" is ``trafilatura.bare_extraction`` with the
settings of ``news/html.py``; "ceasefire" is ``parse_html`` (trafilatura, readability-lxml
where trafilatura finds no body).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import lxml.html  # type: ignore[import-untyped]
import trafilatura

from ceasefire.errors import InvalidInput
from ceasefire.news.html import parse_html

PAGES = Path(__file__).resolve().parents[1] / "tests" / "data" / "pages"
# Where the article is in each page (XPath); heading, figure and captions are not body.
GOLD = {
    "en-table-layout.html": "//td[@class='story']",
    "ko-yonhap-style.html": "//article",
    "pt-lusa-style.html": "//article",
    "ru-br-paragraphs.html": "//div[@class='article-text']",
    "ru-tass-style.html": "//article",
    "tr-links.html": "//div[@id='news-body']",
}
_TOKEN = re.compile(r"\w+", re.UNICODE)


def tokens(text: str) -> Counter[str]:
    """The words of a text, lower case, with their counts."""
    return Counter(word.casefold() for word in _TOKEN.findall(text))


def f1(found: str, gold: str) -> float:
    """Token F1 of ``found`` against ``gold``."""
    a, b = tokens(found), tokens(gold)
    overlap = sum((a & b).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(a.values()), overlap / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def gold_body(html: str, xpath: str) -> str:
    node = lxml.html.fromstring(html).xpath(xpath)[0]
    for unwanted in node.xpath(".//h1|.//figure|.//b"):
        unwanted.getparent().remove(unwanted)
    return " ".join(node.text_content().split())


def main() -> None:
    rows = []
    for name, xpath in GOLD.items():
        html = (PAGES / name).read_text(encoding="utf-8")
        gold = gold_body(html, xpath)
        document = trafilatura.bare_extraction(
            html, with_metadata=True, include_comments=False, include_tables=False,
            favor_precision=True,
        )  # fmt: skip
        data = document if isinstance(document, dict) or document is None else document.as_dict()
        alone = (data or {}).get("text") or ""
        try:
            ours = " ".join(parse_html(html, name=name).paragraphs)
        except InvalidInput:
            ours = ""
        rows.append((name, f1(alone, gold), f1(ours, gold)))
    print(f"{'page':28} {'trafilatura':>12} {'ceasefire':>10}")
    for name, alone_f1, ours_f1 in rows:
        print(f"{name:28} {alone_f1:12.3f} {ours_f1:10.3f}")
    print(
        f"{'mean':28} {sum(r[1] for r in rows) / len(rows):12.3f} "
        f"{sum(r[2] for r in rows) / len(rows):10.3f}"
    )


if __name__ == "__main__":
    main()
