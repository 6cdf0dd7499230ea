"""How many independent sources support an incident, and of which kind.

GDELT counts articles, so one wire story reprinted by thirty outlets becomes thirty events.
Here reports are first grouped into *sources*:

- a monitoring post, patrol or reporter is one source however often it reports
  (``post_id``, else the reporter; a report naming neither is its own source);
- a sensor (a UAV, a camera) is one source;
- a party's complaints are one source of kind ``complaint`` per filing member;
- news: articles crediting the same wire agency ("(Reuters)", "according to AFP") are one
  source, and so are near-identical texts (a copied wire without credit) and articles of one
  outlet; otherwise each article is its own source;
- a hotline caller or an imported row is its own source unless it names the same reporter
  or reference.

Two posts are two sources; a post and a UAV are two sources of different kinds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from rapidfuzz import fuzz

from ceasefire.fusion.model import FusionReport
from ceasefire.reports.model import Channel

CORROBORATION_NAME = "fusion.corroboration.v1"

SOURCE_KINDS: dict[Channel, str] = {
    Channel.MONITOR_OBSERVATION: "monitor",
    Channel.SENSOR_DETECTION: "sensor",
    Channel.PARTY_COMPLAINT: "complaint",
    Channel.NEWS: "news",
    Channel.PUBLIC_HOTLINE: "hotline",
    Channel.CSV_IMPORT: "import",
}

WIRE_AGENCIES: dict[str, str] = {
    "reuters": "reuters",
    "afp": "afp",
    "agence france-presse": "afp",
    "agence france presse": "afp",
    "associated press": "ap",
    "ap": "ap",
    "tass": "tass",
    "ria novosti": "ria",
    "interfax": "interfax",
    "anadolu": "anadolu",
    "anadolu agency": "anadolu",
    "armenpress": "armenpress",
    "azertac": "azertac",
    "apa": "apa",
    "trend": "trend",
    "sputnik": "sputnik",
}
"""Wire and national news agencies whose copy outlets reprint, by the names they are
credited with; the value is the agency."""

_AGENCY = "|".join(sorted((re.escape(k) for k in WIRE_AGENCIES), key=len, reverse=True))
# A credit, not a mention: "(Reuters)", "Reuters reported", "according to AFP", "- TASS".
_CREDIT = re.compile(
    rf"\(\s*(?P<a>{_AGENCY})\s*\)"
    rf"|\b(?P<b>{_AGENCY})\s+(?:reported|reports|said|says|news agency)\b"
    rf"|\baccording to (?:the )?(?P<c>{_AGENCY})\b"
    rf"|^\s*(?P<d>{_AGENCY})\s*[-–—:]",
    re.IGNORECASE,
)

NEAR_IDENTICAL_TEXT = 90.0
"""rapidfuzz ``token_sort_ratio`` at or above which two articles are one copy."""


def wire_credit(text: str | None) -> str | None:
    """The agency an article credits, if it credits one (``"reuters"``, ``"afp"``...)."""
    if not text:
        return None
    match = _CREDIT.search(text)
    if match is None:
        return None
    name = next(g for g in match.groups() if g is not None)
    return WIRE_AGENCIES[name.lower()]


def outlet(reference: str | None) -> str | None:
    """The outlet of an article from its reference: the host of a URL, without ``www.``."""
    if not reference:
        return None
    host = urlsplit(reference.strip()).hostname
    if not host:
        return None
    return host.removeprefix("www.")


@dataclass(frozen=True, slots=True)
class Source:
    """One independent source: its kind, a key naming it, the reports it made and why they
    count as one."""

    kind: str
    key: str
    report_ids: tuple[str, ...]
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "report_ids": list(self.report_ids),
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Corroboration:
    """The independent sources behind an incident."""

    sources: tuple[Source, ...]
    reports: int
    method: str = CORROBORATION_NAME

    @property
    def independent_sources(self) -> int:
        return len(self.sources)

    def by_kind(self) -> dict[str, int]:
        """How many independent sources of each kind."""
        counts: dict[str, int] = {}
        for source in self.sources:
            counts[source.kind] = counts.get(source.kind, 0) + 1
        return dict(sorted(counts.items()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "reports": self.reports,
            "independent_sources": self.independent_sources,
            "by_kind": self.by_kind(),
            "sources": [s.to_dict() for s in self.sources],
        }


def corroboration(
    reports: Sequence[FusionReport], *, narratives: dict[str, str] | None = None
) -> Corroboration:
    """Group an incident's reports into independent sources.

    ``narratives`` (report id → original narrative) lets wire credits be read from the text
    as written; without it the normalised text is searched (it keeps the agency's name but
    not its brackets, so only "reported"/"according to" credits are found there).
    """
    raw = narratives or {}
    groups: dict[tuple[str, str], list[str]] = {}
    reasons: dict[tuple[str, str], str] = {}
    news: list[FusionReport] = []
    for report in reports:
        kind = SOURCE_KINDS[report.channel]
        if report.channel is Channel.NEWS:
            news.append(report)
            continue
        if report.source_key:
            key, reason = report.source_key, "same observer"
        else:
            key, reason = f"report:{report.id}", "names no observer: counted alone"
        groups.setdefault((kind, key), []).append(report.id)
        reasons.setdefault((kind, key), reason)
    for key, (ids, reason) in _news_sources(news, raw).items():
        groups[("news", key)] = ids
        reasons[("news", key)] = reason
    sources = tuple(
        Source(kind, key, tuple(ids), reasons[kind, key])
        for (kind, key), ids in sorted(groups.items(), key=lambda item: item[1][0])
    )
    return Corroboration(sources, len(reports))


def _news_sources(
    articles: Sequence[FusionReport], narratives: dict[str, str]
) -> dict[str, tuple[list[str], str]]:
    """Articles grouped by wire credit, near-identical text and outlet (union-find)."""
    parent = list(range(len(articles)))
    reason = ["one article"] * len(articles)

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int, why: str) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
            reason[min(ri, rj)] = why

    credits = [
        wire_credit(narratives.get(a.id) or a.text) or wire_credit(a.source_reference)
        for a in articles
    ]
    outlets = [outlet(a.source_reference) for a in articles]
    for i, a in enumerate(articles):
        for j in range(i):
            b = articles[j]
            if credits[i] is not None and credits[i] == credits[j]:
                union(i, j, f"same wire: {credits[i]}")
            elif outlets[i] is not None and outlets[i] == outlets[j]:
                union(i, j, f"same outlet: {outlets[i]}")
            elif (
                a.text
                and b.text
                and fuzz.token_sort_ratio(a.text, b.text, processor=None) >= NEAR_IDENTICAL_TEXT
            ):
                union(i, j, "near-identical text")
    result: dict[str, tuple[list[str], str]] = {}
    for i, article in enumerate(articles):
        root = find(i)
        label = (
            f"wire:{credits[root]}"
            if credits[root]
            else (f"outlet:{outlets[root]}" if outlets[root] else f"article:{articles[root].id}")
        )
        ids, _ = result.setdefault(label, ([], reason[root]))
        ids.append(article.id)
    return result
