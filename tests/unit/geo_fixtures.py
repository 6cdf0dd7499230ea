"""Fixtures of the geoparser tests: the gazetteer and the spaCy model, loaded once per process.

Imported by the ``test_geo_*`` modules; both loaders are cached, so every module shares them.
"""

from __future__ import annotations

import pytest
from spacy.language import Language

from ceasefire.news.geo import Gazetteer, load_nlp


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return Gazetteer.load()


@pytest.fixture(scope="session")
def nlp() -> Language:
    return load_nlp()
