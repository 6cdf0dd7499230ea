"""Fixtures of the unit tests: the news seed article's result, the gazetteer and the spaCy model.

All are session-scoped and their loaders cached, so every module of a process shares one copy
(the ``extractor`` they build on is in tests/conftest.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.factories.news import SEED

if TYPE_CHECKING:
    from spacy.language import Language

    from ceasefire.news.extract import NewsExtractor
    from ceasefire.news.geo import Gazetteer


@pytest.fixture(scope="session")
def seed_result(extractor: NewsExtractor) -> dict[str, Any]:
    from ceasefire.news.extract import article_result

    return article_result(extractor.analyse(extractor.read(SEED)))


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    from ceasefire.news.geo import Gazetteer

    return Gazetteer.load()


@pytest.fixture(scope="session")
def nlp() -> Language:
    from ceasefire.news.geo import load_nlp

    return load_nlp()
