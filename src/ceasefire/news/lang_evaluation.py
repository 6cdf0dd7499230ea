"""Scoring the pipelines of other languages on their gold sentences (tests/data/nk2020-gold-*).

Each gold record is one sentence with its outlet's date, the PLOVER type of its main event,
the actor codes of its source and target, the places it names below country level and the
event's date where the sentence gives one. The sentence is analysed alone and its
**primary** event is scored as ``eval plover`` scores English: event-type accuracy and
micro precision/recall/F1 of the source and target code sets (the same :class:`Scores`).
Places are scored as sets per sentence (a found place is right when the gazetteer gives the
gold name that name, in the same country); dates on the records that give one.

The records are split once, in the file (each record's ``split``), into ``tune`` and ``held``:
the lexicons may be looked at on ``tune`` only; ``held`` is only scored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ceasefire.errors import InvalidInput, problem
from ceasefire.i18n.markers import N_
from ceasefire.news.evaluation import EventFigures, PrimaryEvent, Scores
from ceasefire.news.extract import NewsExtractor
from ceasefire.news.geo.normalise import name_key

GOLD_DIR = Path(__file__).resolve().parents[3] / "tests" / "data"  # src/ceasefire/news/ -> root
SPLITS = ("tune", "held")


def gold_path(language: str) -> Path:
    """The gold file of ``language`` in the repository's tests/data."""
    return GOLD_DIR / f"nk2020-gold-{language}.json"


@dataclass
class GoldReport(EventFigures):
    """Figures of one language's gold (one split or all records)."""

    language: str
    split: str
    places: Scores = field(default_factory=Scores)
    dates_given: int = 0
    dates_correct: int = 0

    def to_dict(self, *, with_details: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "language": self.language,
            "split": self.split,
            "records": self.records,
            "event_type_accuracy": round(self.accuracy, 3),
            "sentences_without_event": self.no_event,
            "source_actor_codes": self.source.to_dict(),
            "target_actor_codes": self.target.to_dict(),
            "places": self.places.to_dict(),
            "dates": {
                "given": self.dates_given,
                "correct": self.dates_correct,
                "accuracy": round(self.dates_correct / self.dates_given, 3)
                if self.dates_given
                else 0.0,
            },
            "confusions": self.top_confusions(10),
        }
        if with_details:
            out["details"] = self.details
        return out


def load_gold(path: Path) -> tuple[str, list[dict[str, Any]]]:
    """The language and records of a gold file; InvalidInput naming what is wrong."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput.worded(
            N_("%(path)s: cannot read the gold file (%(error)s)"),
            details=[problem(str(path), str(exc))],
            path=path,
            error=exc,
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("records"), list):
        raise InvalidInput.worded(
            N_("%(path)s: expected {'language', 'records': [...]}"),
            details=[problem("records", N_("missing"))],
            path=path,
        )
    return str(data.get("language", "")), data["records"]


def evaluate_gold(extractor: NewsExtractor, path: Path, *, split: str | None = None) -> GoldReport:
    """Score the primary event, places and dates of every record (of ``split`` if given)."""
    from ceasefire.news.geo import Gazetteer

    gazetteer = Gazetteer.load()
    language, records = load_gold(path)
    report = GoldReport(language=language, split=split or "all")
    for record in records:
        if split is not None and record.get("split") != split:
            continue
        day = date.fromisoformat(record["published"]) if record.get("published") else None
        news = extractor.extract_sentence(record["text"], day=day, language=language)
        primary = PrimaryEvent.of(news)
        predicted = primary.event
        gold_sources, gold_targets = set(record["source"]), set(record["target"])
        report.score(primary, record["event"], gold_sources, gold_targets)
        found = {(name_key(p.name), p.country) for p in news.places if p.precision != 6 and p.name}
        gold_places = {_gold_place(gazetteer, name, found) for name in record["places"]}
        report.places.add({f"{k}|{c}" for k, c in found}, {f"{k}|{c}" for k, c in gold_places})
        predicted_date = predicted.date.isoformat() if predicted and predicted.date else None
        if record.get("date"):
            report.dates_given += 1
            report.dates_correct += predicted_date == record["date"]
        report.details.append(
            {
                **primary.detail(record["id"], record["event"], gold_sources, gold_targets),
                "places": sorted(name for name, _ in found),
                "gold_places": record["places"],
                "date": predicted_date,
                "gold_date": record.get("date"),
            }
        )
    return report


def _gold_place(
    gazetteer: Any, name: str, found: set[tuple[str, str | None]]
) -> tuple[str, str | None]:
    """The found place that is the gold one (any gazetteer reading of the gold name), or the
    gold name's own key when none is."""
    readings = {(name_key(p.name), p.country) for p in gazetteer.lookup(name)}
    for item in found:
        if item in readings:
            return item
    return (name_key(name), None)
