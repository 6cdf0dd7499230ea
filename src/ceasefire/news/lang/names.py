"""``news.places.names.v1``: places of a text in a language without a pipeline of its own.

For a page in Portuguese, French or Indonesian (any language written with capital letters)
the capitalised names are looked up in the gazetteer, Latin names by their ASCII keys and
Cyrillic, Armenian or Georgian ones by their own (``Gazetteer.lookup_native``). Only readings
that a bare capitalised word can be trusted with are kept: countries, divisions, regions,
cities of 100,000 or more, and towns of the watched region (``resources.geo_focus``).
Scripts without capital letters (Korean, Japanese, Chinese, Arabic) get no places.
"""

from __future__ import annotations

from typing import Any

from ceasefire.news.lang import tr
from ceasefire.news.pipeline import NewsDoc, PipelineResources, register

NAME = "news.places.names.v1"


@register(NAME, requires=["article"], assigns=["places"])
def make_places(resources: PipelineResources) -> Any:
    """Capitalised names of any language through the gazetteer (no parser, no lexicon)."""
    focus = resources.geo_focus

    def places(news: NewsDoc) -> NewsDoc:
        sentences: list[tr.Sentence] = []
        for block in news.article.blocks:
            sentences.extend(tr.tokenize(block.text, block.start))
        news.places = tr.find_places(news, sentences, {}, (), focus)
        return news

    return places
