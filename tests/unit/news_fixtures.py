"""Fixtures of the news pipeline tests: the spaCy model and one extractor, loaded once.

Imported by the ``test_news_*`` modules. The model is the geoparser's cached ``load_nlp()``,
so the geo and news tests of one process share a single copy.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ceasefire.news.extract import NewsExtractor, article_result
from ceasefire.news.geo import load_nlp
from ceasefire.news.pipeline import NewsDoc, PipelineResources

DATA = Path(__file__).resolve().parent.parent / "data"
SEED = DATA / "asharq-al-awsat-2020-11-26-nagorno-karabakh.txt"
SEED_EXPECTED = DATA / "asharq-al-awsat-2020-11-26-nagorno-karabakh.expected.json"


@pytest.fixture(scope="session")
def extractor() -> NewsExtractor:
    return NewsExtractor.create(resources=PipelineResources.with_model(load_nlp()))


@pytest.fixture(scope="session")
def seed_result(extractor: NewsExtractor) -> dict[str, Any]:
    return article_result(extractor.analyse(extractor.read(SEED)))


def sentence(extractor: NewsExtractor, text: str, day: date | None = date(2020, 11, 26)) -> NewsDoc:
    """Run the pipeline over one sentence dated ``day`` (a Thursday by default)."""
    return extractor.extract_sentence(text, day=day)
