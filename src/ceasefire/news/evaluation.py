"""Figures of the news pipeline on gold data: the seed article and PLOVER gold records.

``evaluate_seed`` checks every item of the seed article's ``.expected.json`` (an item passes
when one of the pipeline's outputs matches every field it gives); ``evaluate_plover`` scores
the primary event of each gold sentence: event-type accuracy, source- and target-actor code
precision/recall/F1, and figures per event type.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from ceasefire.errors import InvalidInput, problem
from ceasefire.i18n.markers import N_
from ceasefire.news.extract import NewsExtractor, article_result
from ceasefire.news.geo.mention import distance_km
from ceasefire.news.model import Event
from ceasefire.news.pipeline import NewsDoc
from ceasefire.news.split import FixedSplit

SHARED_DATA = Path("../shared/data")
SEED_ARTICLE = SHARED_DATA / "asharq-al-awsat-2020-11-26-nagorno-karabakh.txt"
PLOVER_DEV = SHARED_DATA / "plover-gsr-dev.json"

PloverPart = Literal["tune", "held", "all"]
# The split of the PLOVER development records, fixed once before the coder was tuned
# (2026-12-06) and never changed since: a record is "held" when the first byte of
# sha256("ceasefire-split-v1:" + id) is below 85 (about a third), else "tune". Rules are
# judged on the tune part; the held part is only ever scored as a whole.
PLOVER_SPLIT = FixedSplit("ceasefire-split-v1:", held_below=85)


def plover_part(record_id: str) -> Literal["tune", "held"]:
    """The part of the fixed split a PLOVER record belongs to."""
    return PLOVER_SPLIT.part(record_id)


def record_part(record: dict[str, Any]) -> str:
    """A record's part: the one its file fixes (``"part"``), else :func:`plover_part`."""
    fixed = record.get("part")
    return str(fixed) if fixed else plover_part(str(record.get("id", "")))


def has_fixed_parts(path: Path) -> bool:
    """Whether a gold file's records name their part (own check sets with a held half)."""
    data = _load_json(path, "PLOVER file")
    records = data.get("records") if isinstance(data, dict) else data
    return isinstance(records, list) and any(isinstance(r, dict) and r.get("part") for r in records)


@dataclass(frozen=True)
class Check:
    """One item of the expected file and whether the pipeline's output satisfies it."""

    group: str
    item: str
    passed: bool
    optional: bool = False
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "item": self.item,
            "passed": self.passed,
            "optional": self.optional,
            "detail": self.detail,
        }


@dataclass
class SeedReport:
    article: str
    checks: list[Check] = field(default_factory=list)

    @property
    def required_failed(self) -> list[Check]:
        return [c for c in self.checks if not c.passed and not c.optional]

    @property
    def passed(self) -> bool:
        return not self.required_failed

    def to_dict(self) -> dict[str, Any]:
        required = [c for c in self.checks if not c.optional]
        optional = [c for c in self.checks if c.optional]
        return {
            "article": self.article,
            "passed": self.passed,
            "required": {"total": len(required), "passed": sum(c.passed for c in required)},
            "optional": {"total": len(optional), "passed": sum(c.passed for c in optional)},
            "checks": [c.to_dict() for c in self.checks],
        }


def expected_path_for(article: Path) -> Path:
    return article.with_name(article.stem + ".expected.json")


def _load_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InvalidInput.worded(
            N_("%(what)s not found: %(path)s"),
            details=[problem(what, N_("no file %(path)s"), path=path)],
            what=what,
            path=path,
        ) from exc
    except ValueError as exc:
        raise InvalidInput.worded(
            N_("%(what)s %(path)s: not JSON (%(error)s)"),
            details=[problem(what, str(exc))],
            what=what,
            path=path,
            error=exc,
        ) from exc


def evaluate_seed(
    extractor: NewsExtractor, article_path: Path = SEED_ARTICLE, expected_path: Path | None = None
) -> SeedReport:
    """Check the pipeline's output on an article against its ``.expected.json``."""
    expected = _load_json(expected_path or expected_path_for(article_path), "expected file")
    result = article_result(extractor.analyse(extractor.read(article_path)))
    report = SeedReport(article=str(article_path))
    report.checks.extend(_article_checks(expected.get("article", {}), result["article"]))
    report.checks.extend(_event_checks(expected.get("events", []), result["events"]))
    report.checks.extend(_quote_checks(expected.get("quotes", []), result["quotes"]))
    report.checks.extend(_place_checks(expected.get("places", []), result["places"]))
    report.checks.extend(_actor_checks(expected.get("actors", []), result))
    return report


def _article_checks(expected: dict[str, Any], article: dict[str, Any]) -> list[Check]:
    checks: list[Check] = []

    def add(item: str, passed: bool, detail: str) -> None:
        checks.append(Check("article", item, passed, detail=detail))

    for key in ("outlet", "title", "published_local"):
        if key in expected:
            add(key, article.get(key) == expected[key], f"got {article.get(key)!r}")
    if "credits" in expected:
        add(
            "credits",
            set(article["credits"]) == set(expected["credits"]),
            f"got {article['credits']}",
        )
    for line in expected.get("boilerplate_removed", []):
        gone = line in article["boilerplate_removed"] and line not in article["text"]
        add(f"boilerplate removed: {line[:40]}", gone, "removed" if gone else "still in the text")
    if "caption_starts_with" in expected:
        prefix = expected["caption_starts_with"]
        in_caption = any(c.startswith(prefix) for c in article["captions"])
        in_body = any(prefix in p for p in article["paragraphs"])
        add(
            "caption apart from the body",
            in_caption and not in_body,
            f"captions {len(article['captions'])}",
        )
    paragraphs = article["paragraphs"]
    first = paragraphs[0] if paragraphs else ""
    last = paragraphs[-1].rstrip() if paragraphs else ""
    if "body_starts_with" in expected:
        add("body starts", first.startswith(expected["body_starts_with"]), repr(first[:50]))
    if "body_ends_with" in expected:
        # The words as the page has them, closing quotation mark included ("… whatsoever.”").
        add("body ends", last.endswith(expected["body_ends_with"].rstrip()), repr(last[-50:]))
    if "body_paragraphs" in expected:
        add(
            f"{expected['body_paragraphs']} body paragraphs",
            len(paragraphs) == expected["body_paragraphs"],
            f"got {len(paragraphs)} (blank-line separated paragraphs of the source)",
        )
    return checks


def _codes(actors: Iterable[dict[str, Any]]) -> set[str]:
    return {a["code"] for a in actors if a.get("code")}


def _event_matches(item: dict[str, Any], event: dict[str, Any]) -> bool:
    types = item.get("any_of_event") or [item["event"]]
    if event["event"] not in types:
        return False
    if not set(item.get("source", [])) <= _codes(event["source"]):
        return False
    if not set(item.get("target", [])) <= _codes(event["target"]):
        return False
    if "date" in item and event["date"] != item["date"]:
        return False
    if "location" in item:
        location = event.get("location") or {}
        if (location.get("name") or "").casefold() != item["location"].casefold():
            return False
    if "sentence_contains" in item and item["sentence_contains"] not in event["sentence"]["text"]:
        return False
    wanted = item.get("target_text_contains")
    return not wanted or any(wanted in t["text"] for t in event["target"])


def _describe(event: dict[str, Any]) -> str:
    source, target = sorted(_codes(event["source"])), sorted(_codes(event["target"]))
    return f"{event['event']} {source}→{target}"


def _event_checks(items: list[dict[str, Any]], events: list[dict[str, Any]]) -> list[Check]:
    checks = []
    for item in items:
        match = next((e for e in events if _event_matches(item, e)), None)
        if match is not None:
            detail = _describe(match)
        else:
            near = [
                e for e in events if item.get("sentence_contains", "\0") in e["sentence"]["text"]
            ]
            detail = (
                "; ".join(
                    f"got {e['event']} {sorted(_codes(e['source']))}→{sorted(_codes(e['target']))} "
                    f"date={e['date']} loc={(e.get('location') or {}).get('name')}"
                    for e in near
                )
                or "no event in that sentence"
            )
        checks.append(
            Check(
                "events", item.get("id", "?"), match is not None, bool(item.get("optional")), detail
            )
        )
    return checks


def _speaker_names(quote: dict[str, Any]) -> list[str]:
    speaker = quote.get("speaker") or {}
    return [s for s in (speaker.get("text"), speaker.get("name")) if s]


def _quote_checks(items: list[dict[str, Any]], quotes: list[dict[str, Any]]) -> list[Check]:
    checks = []
    for item in items:
        match = next(
            (
                q for q in quotes if item["contains"] in q["text"]
                and any(item["speaker"] in name for name in _speaker_names(q))
            ),
            None,
        )  # fmt: skip
        found = [q for q in quotes if item["contains"] in q["text"]]
        detail = (
            f"speaker {_speaker_names(match)}" if match
            else f"quotes containing it: {[_speaker_names(q) for q in found]}"
        )  # fmt: skip
        checks.append(
            Check(
                "quotes",
                f"{item['speaker']}: {item['contains'][:30]}",
                match is not None,
                detail=detail,
            )
        )
    return checks


def _place_checks(items: list[dict[str, Any]], places: list[dict[str, Any]]) -> list[Check]:
    checks = []
    for item in items:
        best: str = "not found"
        passed = False
        for place in places:
            if (place.get("name") or "").casefold() != item["name"].casefold():
                continue
            if "country" in item and place.get("country") != item["country"]:
                best = f"country {place.get('country')}"
                continue
            if "lat" in item and place.get("lat") is not None:
                km = distance_km(item["lat"], item["lon"], place["lat"], place["lon"])
                if km > item.get("within_km", 161):
                    best = f"{km:.0f} km away"
                    continue
                best = f"{km:.1f} km"
            elif "lat" in item:
                best = "no coordinates"
                continue
            else:
                best = "found"
            passed = True
            break
        checks.append(Check("places", item["name"], passed, detail=best))
    return checks


def _actor_fits(actor: dict[str, Any], item: dict[str, Any], codes: list[str]) -> bool:
    if actor.get("code") not in codes and actor.get("id") not in codes:
        return False
    return "sector" not in item or actor.get("sector") == item["sector"]


def _actor_checks(items: list[dict[str, Any]], result: dict[str, Any]) -> list[Check]:
    checks = []
    actors = result["actors"]
    roles = [a for e in result["events"] for a in (*e["source"], *e["target"])]
    speakers = [q["speaker"] for q in result["quotes"] if q.get("speaker")]
    everything = [*actors, *roles, *speakers]
    for item in items:
        text = item["text"]
        if "code" not in item and "any_of_code" not in item:
            # A news agency: credited, never an actor.
            as_actor = [a["text"] for a in everything if text in a["text"]]
            credited = text in result["article"]["credits"]
            checks.append(
                Check(
                    "actors",
                    f"{text} is a credit, not an actor",
                    credited and not as_actor,
                    detail=f"credited={credited}, as actor: {as_actor[:3]}",
                )
            )
            continue
        codes = item.get("any_of_code") or [item["code"]]
        match = next((a for a in actors if text in a["text"] and _actor_fits(a, item, codes)), None)
        got = [(a["text"], a.get("code"), a.get("sector")) for a in actors if text in a["text"]]
        checks.append(Check("actors", text, match is not None, detail=f"got {got[:3]}"))
    for credit in result["article"]["credits"]:
        if any(c.item.startswith(f"{credit} is a credit") for c in checks):
            continue
        as_actor = [a["text"] for a in everything if credit in a["text"].split()]
        checks.append(
            Check(
                "actors",
                f"{credit} is a credit, not an actor",
                not as_actor,
                detail=f"as actor: {as_actor[:3]}",
            )
        )
    return checks


# --- PLOVER gold standard records ------------------------------------------------------------


@dataclass
class Scores:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: set[str], gold: set[str]) -> None:
        self.tp += len(predicted & gold)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, float]:
        return {
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
        }


@dataclass
class TypeFigures:
    records: int = 0
    correct: int = 0
    predicted: int = 0
    source: Scores = field(default_factory=Scores)

    def to_dict(self) -> dict[str, Any]:
        precision = self.correct / self.predicted if self.predicted else 0.0
        recall = self.correct / self.records if self.records else 0.0
        return {
            "records": self.records,
            "correct": self.correct,
            "predicted": self.predicted,
            "precision": round(precision, 3),
            "recall": round(recall, 3),
            "source_f1": round(self.source.f1, 3),
        }


@dataclass(frozen=True)
class PrimaryEvent:
    """The primary event found in a gold sentence (the first one when none is marked)."""

    event: Event | None
    type: str
    sources: set[str]
    targets: set[str]

    @classmethod
    def of(cls, news: NewsDoc) -> PrimaryEvent:
        events = [e for e in news.events if e.primary] or news.events[:1]
        event = events[0] if events else None
        return cls(
            event=event,
            type=event.event if event else "NONE",
            sources={a.code for a in event.source if a.code} if event else set(),
            targets={a.code for a in event.target if a.code} if event else set(),
        )

    def detail(
        self, record_id: Any, gold_type: str, gold_sources: set[str], gold_targets: set[str]
    ) -> dict[str, Any]:
        """The line of a report's details: what was found beside what the gold says."""
        return {
            "id": record_id,
            "gold": gold_type,
            "predicted": self.type,
            "trigger": self.event.trigger if self.event else [],
            "source": sorted(self.sources),
            "gold_source": sorted(gold_sources),
            "target": sorted(self.targets),
            "gold_target": sorted(gold_targets),
        }


@dataclass(kw_only=True)
class EventFigures:
    """Event-type accuracy and actor-code scores of the primary events of gold sentences."""

    records: int = 0
    correct: int = 0
    no_event: int = 0
    source: Scores = field(default_factory=Scores)
    target: Scores = field(default_factory=Scores)
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    details: list[dict[str, Any]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.records if self.records else 0.0

    def score(
        self,
        primary: PrimaryEvent,
        gold_type: str,
        gold_sources: set[str],
        gold_targets: set[str],
    ) -> None:
        """Count one gold sentence."""
        self.records += 1
        self.correct += primary.type == gold_type
        self.no_event += primary.event is None
        self.source.add(primary.sources, gold_sources)
        self.target.add(primary.targets, gold_targets)
        if primary.type != gold_type:
            self.confusions[(gold_type, primary.type)] += 1

    def top_confusions(self, most: int) -> list[dict[str, Any]]:
        """The ``most`` commonest (gold type, predicted type) mistakes, commonest first."""
        return [
            {"gold": g, "predicted": p, "count": n}
            for (g, p), n in self.confusions.most_common(most)
        ]


@dataclass
class PloverReport(EventFigures):
    path: str
    part: str = "all"
    any_correct: int = 0
    per_type: dict[str, TypeFigures] = field(default_factory=lambda: defaultdict(TypeFigures))

    def to_dict(self, *, with_details: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.path,
            "part": self.part,
            "records": self.records,
            "event_type_accuracy": round(self.accuracy, 3),
            "gold_type_among_events": round(self.any_correct / self.records, 3)
            if self.records
            else 0.0,
            "sentences_without_event": self.no_event,
            "source_actor_codes": self.source.to_dict(),
            "target_actor_codes": self.target.to_dict(),
            "per_type": {k: v.to_dict() for k, v in sorted(self.per_type.items())},
            "confusions": self.top_confusions(15),
        }
        if with_details:
            out["details"] = self.details
        return out


def _gold_codes(actors: Any) -> set[str]:
    if not isinstance(actors, list):
        return set()
    return {a["code"] for a in actors if isinstance(a, dict) and a.get("code")}


def evaluate_plover(
    extractor: NewsExtractor,
    path: Path = PLOVER_DEV,
    *,
    part: PloverPart = "all",
    progress: Callable[[int, int], None] | None = None,
) -> PloverReport:
    """Score the primary event of every gold sentence against its gold record.

    ``part`` keeps the records of one part: the one a record names, else the fixed split of
    the dev records (:func:`record_part`).
    """
    if part not in {"tune", "held", "all"}:
        raise InvalidInput.worded(
            N_("part %(part)s: expected tune, held or all"),
            details=[problem("part", N_("expected tune, held or all"))],
            part=repr(part),
        )
    data = _load_json(path, "PLOVER file")
    records = data.get("records") if isinstance(data, dict) else data
    if not isinstance(records, list):
        raise InvalidInput.worded(
            N_("%(path)s: no records list"), details=[problem("records", N_("missing"))], path=path
        )
    if part != "all":
        records = [r for r in records if record_part(r) == part]
    report = PloverReport(path=str(path), part=part)
    for index, record in enumerate(records):
        text = str(record.get("text", "")).strip().strip("{}").strip()
        day = _record_date(record.get("date"))
        news = extractor.extract_sentence(text, day=day)
        primary = PrimaryEvent.of(news)
        gold_type = record["event"]
        gold_sources, gold_targets = (
            _gold_codes(record.get("source")),
            _gold_codes(record.get("target")),
        )
        report.score(primary, gold_type, gold_sources, gold_targets)
        report.any_correct += any(e.event == gold_type for e in news.events)
        figures = report.per_type[gold_type]
        figures.records += 1
        figures.correct += primary.type == gold_type
        figures.source.add(primary.sources, gold_sources)
        if primary.event is not None:
            report.per_type[primary.type].predicted += 1
        report.details.append(
            primary.detail(record.get("id"), gold_type, gold_sources, gold_targets)
        )
        if progress is not None:
            progress(index + 1, len(records))
    return report


def _record_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


# --- quotes ------------------------------------------------------------------------------------

QUOTES_GOLD = Path("tests/data/quotes-gold.json")


@dataclass
class QuoteReport:
    path: str
    gold: int = 0
    predicted: int = 0
    matched_gold: int = 0
    matched_predicted: int = 0
    misses: list[dict[str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.matched_predicted / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched_gold / self.gold if self.gold else 0.0

    def to_dict(self) -> dict[str, Any]:
        p, r = self.precision, self.recall
        return {
            "path": self.path,
            "gold": self.gold,
            "predicted": self.predicted,
            "precision": round(p, 3),
            "recall": round(r, 3),
            "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
            "misses": self.misses,
        }


def _quote_key(text: str) -> str:
    return (
        " ".join(text.replace("“", " ").replace("”", " ").replace('"', " ").split())
        .strip(" ,.;:")
        .lower()
    )


def _same_quote_by_same_speaker(gold: dict[str, Any], found: dict[str, Any]) -> bool:
    return _same_quote(gold["text"], found["text"]) and _same_speaker(
        gold["speaker"], found["speaker"]
    )


def _same_quote(gold: str, found: str) -> bool:
    """The same words, allowing a few characters of difference at the edges."""
    a, b = _quote_key(gold), _quote_key(found)
    if not a or not b:
        return False
    if a == b:
        return True
    shorter, longer = sorted((a, b), key=len)
    return shorter in longer and len(shorter) >= 0.8 * len(longer)


def _same_speaker(gold: str, speaker: dict[str, Any] | None) -> bool:
    if speaker is None:
        return False
    said = f"{speaker.get('text') or ''} {speaker.get('name') or ''}".lower()
    return gold.lower() in said


def evaluate_quotes(extractor: NewsExtractor, path: Path = QUOTES_GOLD) -> QuoteReport:
    """Precision and recall of (speaker, quote) pairs on a quote gold file.

    A found quote counts when its words and its speaker match a gold quote (the gold
    speaker's words appear in the speaker's text or name).
    """
    data = _load_json(path, "quote gold file")
    articles = data.get("articles") if isinstance(data, dict) else None
    if not isinstance(articles, list):
        raise InvalidInput.worded(
            N_("%(path)s: no articles list"),
            details=[problem("articles", N_("missing"))],
            path=path,
        )
    report = QuoteReport(path=str(path))
    for item in articles:
        article = extractor.read_bytes(str(item["text"]).encode("utf-8"), name=f"{item['id']}.txt")
        found = [q.to_dict() for q in extractor.analyse(article).quotes]
        gold = list(item.get("quotes") or [])
        report.gold += len(gold)
        report.predicted += len(found)
        for g in gold:
            if any(_same_quote_by_same_speaker(g, q) for q in found):
                report.matched_gold += 1
            else:
                report.misses.append({"article": item["id"], "missed": g["text"][:60]})
        for q in found:
            if any(_same_quote_by_same_speaker(g, q) for g in gold):
                report.matched_predicted += 1
            else:
                speaker = (q["speaker"] or {}).get("text")
                report.misses.append(
                    {"article": item["id"], "wrong": f"{speaker}: {q['text'][:60]}"}
                )
    return report
