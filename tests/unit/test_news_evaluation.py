"""The evaluation commands: the seed article's expected items, PLOVER scoring."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ceasefire.news.evaluation import Scores, evaluate_plover, evaluate_seed
from ceasefire.news.extract import NewsExtractor
from tests.factories.news import SEED, SEED_EXPECTED, SHARED_DATA


def test_seed_passes_every_required_item(extractor: NewsExtractor) -> None:
    report = evaluate_seed(extractor, SEED, SEED_EXPECTED)
    assert [c.item for c in report.required_failed] == []
    # The expected file now says 10 body paragraphs (the page's), ending with the closing mark.
    passed = {c.item: c for c in report.checks if c.passed}
    assert "10 body paragraphs" in passed
    assert "body ends" in passed
    groups = {c.group for c in report.checks if c.passed}
    assert groups == {"article", "events", "quotes", "places", "actors"}


def test_scores() -> None:
    scores = Scores()
    scores.add({"TUR", "RUS"}, {"TUR"})
    scores.add(set(), {"ARM"})
    assert (scores.tp, scores.fp, scores.fn) == (1, 1, 1)
    assert scores.precision == 0.5
    assert scores.recall == 0.5
    assert scores.f1 == 0.5


def test_plover_scoring_on_two_records(tmp_path: Path, extractor: NewsExtractor) -> None:
    records = [
        {"id": "r1", "event": "THREATEN", "text": "Turkey threatened to shell Syrian towns.",
         "source": [{"actorText": "Turkey", "code": "TUR"}], "target": [{"code": "SYR"}]},
        {"id": "r2", "event": "PROTEST", "text": "Turkey praised Azerbaijan.",
         "source": [{"actorText": "Turkey", "code": "TUR"}], "target": ""},
    ]  # fmt: skip
    path = tmp_path / "gold.json"
    path.write_text(json.dumps({"records": records}), encoding="utf-8")
    report = evaluate_plover(extractor, path)
    figures = report.to_dict(with_details=True)
    assert figures["records"] == 2
    assert figures["event_type_accuracy"] == 0.5
    assert figures["source_actor_codes"]["f1"] == 1.0
    assert figures["per_type"]["THREATEN"]["correct"] == 1
    assert figures["confusions"] == [{"gold": "PROTEST", "predicted": "SUPPORT", "count": 1}]


@pytest.mark.slow
def test_plover_dev_figures(extractor: NewsExtractor) -> None:
    path = SHARED_DATA / "plover-gsr-dev.json"
    if not path.exists():
        pytest.skip(f"gold set not available at {path}")
    report = evaluate_plover(extractor, path)
    assert report.accuracy >= 0.80
    assert report.source.f1 >= 0.80
