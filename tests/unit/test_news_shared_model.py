"""Pipelines built without a model of their own share one per process; a test can swap it."""

from __future__ import annotations

from ceasefire.news.geo import load_nlp
from ceasefire.news.pipeline import PipelineResources, shared_model


def test_pipelines_share_the_process_model_and_the_cache_can_be_cleared() -> None:
    first = PipelineResources().nlp
    # Another pipeline (each context's extractor builds its own) and the geoparser: the same.
    assert PipelineResources(geo_focus=("AZ",)).nlp is first
    assert load_nlp() is first
    shared_model.cache_clear()
    fresh = PipelineResources().nlp
    assert fresh is not first
    assert load_nlp() is fresh
    # A model of one's own is used as given.
    assert PipelineResources.with_model(first).nlp is first
