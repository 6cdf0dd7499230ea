"""The pipeline framework: versioned components, contracts checked, versions recorded."""

from __future__ import annotations

import pytest

from ceasefire.errors import InvalidInput
from ceasefire.news.article import Article
from ceasefire.news.extract import NewsExtractor
from ceasefire.news.pipeline import (
    DEFAULT_PIPELINE,
    NewsDoc,
    Pipeline,
    analysed_part,
    register,
    registered,
)


def test_every_default_component_is_registered_with_a_version() -> None:
    components = registered()
    for name in DEFAULT_PIPELINE:
        assert name in components
        assert name.rsplit(".", 1)[-1].startswith("v")
        assert components[name].assigns


def test_the_pipeline_records_the_versions_it_ran(extractor: NewsExtractor) -> None:
    news = extractor.extract_sentence("Turkey and Russia held talks in Moscow on Monday.")
    assert news.components == list(DEFAULT_PIPELINE)
    assert all(event.component == "news.events.v2" for event in news.events)


def test_unknown_component_is_named() -> None:
    with pytest.raises(InvalidInput) as caught:
        Pipeline(["news.parse.v1", "news.nothing.v9"])
    assert "news.nothing.v9" in caught.value.details[0]["message"]
    assert caught.value.details[0]["loc"] == "pipeline[1]"


def test_components_out_of_order_are_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        Pipeline(["news.parse.v1", "news.events.v1"])
    assert (caught.value.code, caught.value.status) == ("E-NLP002", 422)
    message = caught.value.details[0]["message"]
    assert "news.events.v1 requires" in message
    assert "actors" in message


def test_a_smaller_pipeline_runs_only_its_components(extractor: NewsExtractor) -> None:
    small = Pipeline(["news.parse.v1", "news.actors.v1"], extractor.pipeline.resources)
    news = small(Article(title="", paragraphs=["Turkish police detained ten protesters."]))
    assert news.components == ["news.parse.v1", "news.actors.v1"]
    assert news.events == []
    assert [(a.ref.code, a.ref.sector) for a in news.actors] == [("TUR", "COP")]


def test_names_must_carry_a_version() -> None:
    with pytest.raises(ValueError, match="version"):
        register("news.unversioned", assigns=["x"])


def test_a_registered_component_can_join_a_pipeline(extractor: NewsExtractor) -> None:
    class Counter:
        def __call__(self, news: NewsDoc) -> NewsDoc:
            news.notes.append(f"{len(news.events)} events")
            return news

    register("test.count-events.v1", requires=["events"], assigns=["notes"])(lambda _: Counter())
    pipeline = Pipeline([*DEFAULT_PIPELINE, "test.count-events.v1"], extractor.pipeline.resources)
    news = pipeline(Article(title="", paragraphs=["Turkey threatened to shell Syrian towns."]))
    assert news.notes[-1] == "1 events"
    assert [row["name"] for row in pipeline.analyse()][-1] == "test.count-events.v1"


def test_a_long_article_is_read_up_to_the_limit_and_returned_whole() -> None:
    paragraphs = [f"Paragraph {n} tells of shelling near Aghdam on Monday." for n in range(40)]
    article = Article(title="A long day", paragraphs=paragraphs, captions=["A caption."])
    part = analysed_part(article, limit=500)
    assert article.text.startswith(part.text)
    assert 400 < len(part.text) <= 500
    assert part.title == "A long day"
    assert part.captions == ["A caption."]
    whole = len(part.paragraphs) - 1
    assert part.paragraphs[:whole] == paragraphs[:whole]
    assert paragraphs[whole].startswith(part.paragraphs[-1])
    assert part.content_sha256 == article.content_sha256
    assert analysed_part(article, limit=len(article.text)) is article
    # One paragraph longer than the limit is cut at a space.
    single = analysed_part(Article(title="", paragraphs=["word " * 300]), limit=101)
    assert single.text == ("word " * 20).strip()


def test_the_pipeline_notes_what_it_did_not_read(extractor: NewsExtractor) -> None:
    pipeline = Pipeline(DEFAULT_PIPELINE, extractor.pipeline.resources, max_chars=120)
    article = Article(
        title="",
        paragraphs=[
            "Turkish police detained ten protesters in Ankara on Monday.",
            "Azerbaijani forces shelled Stepanakert on Tuesday, officials said.",
            "Armenian troops withdrew from Kalbajar on Wednesday.",
        ],
    )
    for news in (pipeline(article), *pipeline.pipe([article])):
        assert news.article is article
        assert news.notes[-1].startswith(f"the article's text has {len(article.text)} characters")
        assert "2 of 3 body paragraphs" in news.notes[-1]
        assert all(p.start < 120 for p in news.places)
        assert all(article.text[p.start : p.end] == p.text for p in news.places)
        assert "Kalbajar" not in {p.text for p in news.places}
