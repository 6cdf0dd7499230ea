"""Evaluation of the geoparser on GeoWebNews (Gritta et al. 2019).

GeoWebNews annotates every toponym of 200 news articles by character offsets and type, with
GeoNames coordinates for those that are places. Following the paper, the gold toponyms are the
annotations that carry coordinates, literal (``Literal``, ``Mixed``, ``Coercion``,
``Embedded_Literal``, ``Literal_Modifier``) and associative (``Metonymic``,
``Non_Literal_Modifier``, ``Embedded_Non_Lit``) alike; demonyms, homonyms, language names,
non-toponyms and generic expressions ("the city") are not toponyms.

Recognition: a predicted mention and a gold toponym match when their spans overlap (each used
once; "strict" also requires equal offsets). Resolution is measured on matched pairs: the share
of resolved predictions within 161 km (100 miles) of the gold coordinates, the same share over
all matched toponyms (an unresolved prediction counts as wrong), and the median error.

The split (fixed 2026-12-06, before any change it was used to judge, and never to be changed):
an article is **held** when the first byte of ``sha256("ceasefire-geo-split-v1:" + file)`` is
below 85 (63 articles, 828 gold toponyms), else **tune** (137 articles, 1,773 toponyms). Changes
to the geoparser are judged on the tune part; the held part is only scored as a whole.

Own gold (``read_own_gold``, 2026-12-07): a JSON file of sentences written for the project in the
styles of the corpora we do not have (tests/data/geo-own-local.json: US and UK local news, WHO
disease outbreak news; tests/data/geo-own-2.json: local news outside the US, outbreak reports,
US towns named like bigger places; tests/data/geo-own-3.json: US local, outbreak and wire news,
written before the eleventh pass; tests/data/geo-own-4.json: US, UK and Australian local news and
outbreak reports, written before the twelfth pass; tests/data/geo-own-5.json: world wire news
of 2019-2024 with ambiguous names, written before the thirteenth pass), each record with its
fixed ``split`` and
toponyms with coordinates. Its gold ``type`` is the record's ``style``, so that recall is
reported per style.
"""

from __future__ import annotations

import json
import statistics
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ceasefire.errors import InvalidInput, problem
from ceasefire.i18n.markers import N_
from ceasefire.news.geo.mention import PlaceMention, distance_km
from ceasefire.news.split import FixedSplit

ACCURACY_KM = 161.0

GeoPart = Literal["tune", "held", "all"]
GEO_SPLIT = FixedSplit("ceasefire-geo-split-v1:", held_below=85)


def geowebnews_part(article_id: str) -> Literal["tune", "held"]:
    """The part of the fixed split a GeoWebNews article (its ``file`` attribute) belongs to."""
    return GEO_SPLIT.part(article_id)


def select_part(articles: Iterable[GoldArticle], part: GeoPart) -> list[GoldArticle]:
    """The articles of one part of the fixed split (all of them for ``"all"``)."""
    if part not in ("tune", "held", "all"):
        raise InvalidInput.worded(
            N_("unknown part %(part)s"),
            details=[problem("--part", N_("expected tune, held or all"))],
            part=repr(part),
        )
    return [a for a in articles if part in ("all", a.part or geowebnews_part(a.id))]


@dataclass(frozen=True, slots=True)
class GoldToponym:
    start: int
    end: int
    text: str
    type: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class GoldArticle:
    id: str
    text: str
    toponyms: tuple[GoldToponym, ...]
    part: Literal["tune", "held"] | None = None  # None: GeoWebNews's hashed split


@dataclass
class GeoScores:
    """Counts and figures of one evaluation run."""

    articles: int = 0
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    matched_strict: int = 0
    resolved: int = 0
    errors_km: list[float] = field(default_factory=list)
    gold_by_type: dict[str, int] = field(default_factory=dict)
    matched_by_type: dict[str, int] = field(default_factory=dict)

    @staticmethod
    def _ratio(part: float, whole: float) -> float:
        return part / whole if whole else 0.0

    @property
    def precision(self) -> float:
        return self._ratio(self.matched, self.predicted)

    @property
    def recall(self) -> float:
        return self._ratio(self.matched, self.gold)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def strict_f1(self) -> float:
        p = self._ratio(self.matched_strict, self.predicted)
        r = self._ratio(self.matched_strict, self.gold)
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def within_161km(self) -> int:
        return sum(1 for km in self.errors_km if km <= ACCURACY_KM)

    @property
    def accuracy_161(self) -> float:
        """Share of resolved matched toponyms within 161 km of the gold coordinates."""
        return self._ratio(self.within_161km, self.resolved)

    @property
    def accuracy_161_all(self) -> float:
        """The same over every matched toponym, unresolved ones counting as wrong."""
        return self._ratio(self.within_161km, self.matched)

    @property
    def median_km(self) -> float:
        return statistics.median(self.errors_km) if self.errors_km else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "gold_toponyms": self.gold,
            "predicted": self.predicted,
            "matched": self.matched,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "strict_f1": round(self.strict_f1, 4),
            "resolved": self.resolved,
            "accuracy_161km": round(self.accuracy_161, 4),
            "accuracy_161km_all_matched": round(self.accuracy_161_all, 4),
            "median_error_km": round(self.median_km, 1),
            "recall_by_type": {
                kind: round(self._ratio(self.matched_by_type.get(kind, 0), n), 4)
                for kind, n in sorted(self.gold_by_type.items())
            },
        }


def read_geowebnews(path: Path) -> list[GoldArticle]:
    """The articles and gold toponyms of a GeoWebNews XML file."""
    try:
        # The gold file is a local, trusted dataset; expat resolves no external entities.
        root = ET.parse(path).getroot()  # noqa: S314
    except (OSError, ET.ParseError) as exc:
        raise InvalidInput.worded(
            N_("cannot read the GeoWebNews file: %(error)s"),
            details=[problem("file", str(exc))],
            error=exc,
        ) from exc
    articles = []
    for number, article in enumerate(root.iter("article")):
        toponyms = []
        for node in article.iterfind("toponyms/toponym"):
            lat, lon = node.findtext("latitude"), node.findtext("longitude")
            if not lat or not lon:
                continue  # not a place: demonym, homonym, non-toponym, expression
            toponyms.append(
                GoldToponym(
                    start=int(node.findtext("start") or 0),
                    end=int(node.findtext("end") or 0),
                    text=node.findtext("extractedName") or "",
                    type=node.findtext("type") or "",
                    lat=float(lat),
                    lon=float(lon),
                )
            )
        articles.append(
            GoldArticle(
                id=article.get("file", str(number)),
                text=article.findtext("text") or "",
                toponyms=tuple(sorted(toponyms, key=lambda t: t.start)),
            )
        )
    if not articles:
        raise InvalidInput.worded(
            N_("no <article> in the GeoWebNews file"), details=[problem("file", N_("no articles"))]
        )
    return articles


def read_own_gold(path: Path) -> list[GoldArticle]:
    """The records of an own gold file (``{"records": [{"id", "style", "split", "text",
    "toponyms": [{"start", "end", "text", "lat", "lon"}]}]}``), each checked against its text."""
    try:
        records = json.loads(path.read_text(encoding="utf-8"))["records"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput.worded(
            N_("cannot read the gold file: %(error)s"),
            details=[problem("file", str(exc))],
            error=exc,
        ) from exc
    articles = []
    problems = []
    for number, record in enumerate(records):
        text, split = record["text"], record["split"]
        if split not in ("tune", "held"):
            problems.append(problem(f"records[{number}].split", N_("expected tune or held")))
            continue
        toponyms = []
        for item in record["toponyms"]:
            if text[item["start"] : item["end"]] != item["text"]:
                problems.append(
                    problem(f"records[{number}]", N_("span of %(text)s"), text=repr(item["text"]))
                )
            toponyms.append(
                GoldToponym(
                    start=item["start"],
                    end=item["end"],
                    text=item["text"],
                    type=record.get("style", ""),
                    lat=float(item["lat"]),
                    lon=float(item["lon"]),
                )
            )
        articles.append(
            GoldArticle(
                id=record["id"],
                text=text,
                toponyms=tuple(sorted(toponyms, key=lambda t: t.start)),
                part=split,
            )
        )
    if problems or not articles:
        raise InvalidInput.worded(
            N_("bad gold file"), details=problems or [problem("records", N_("no records"))]
        )
    return articles


def read_gold(path: Path) -> list[GoldArticle]:
    """GeoWebNews XML, or an own gold file when ``path`` ends with ``.json``."""
    return read_own_gold(path) if path.suffix == ".json" else read_geowebnews(path)


def score_article(scores: GeoScores, gold: GoldArticle, predicted: Sequence[PlaceMention]) -> None:
    """Add one article's matches to ``scores``."""
    scores.articles += 1
    scores.gold += len(gold.toponyms)
    scores.predicted += len(predicted)
    for toponym in gold.toponyms:
        scores.gold_by_type[toponym.type] = scores.gold_by_type.get(toponym.type, 0) + 1
    used: set[int] = set()
    for mention in predicted:
        match = next(
            (
                i
                for i, toponym in enumerate(gold.toponyms)
                if i not in used and mention.start < toponym.end and toponym.start < mention.end
            ),
            None,
        )
        if match is None:
            continue
        used.add(match)
        toponym = gold.toponyms[match]
        scores.matched += 1
        scores.matched_by_type[toponym.type] = scores.matched_by_type.get(toponym.type, 0) + 1
        if (mention.start, mention.end) == (toponym.start, toponym.end):
            scores.matched_strict += 1
        if mention.lat is not None and mention.lon is not None:
            scores.resolved += 1
            scores.errors_km.append(distance_km(mention.lat, mention.lon, toponym.lat, toponym.lon))


def evaluate(
    articles: Iterable[GoldArticle],
    geoparse_many: Callable[[list[str]], Iterable[Sequence[PlaceMention]]],
) -> GeoScores:
    """Run ``geoparse_many`` (texts → mentions per text) over the articles and score it."""
    articles = list(articles)
    scores = GeoScores()
    for gold, predicted in zip(articles, geoparse_many([a.text for a in articles]), strict=True):
        score_article(scores, gold, predicted)
    return scores
