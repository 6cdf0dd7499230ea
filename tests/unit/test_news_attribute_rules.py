"""The indexed attribute-ruler matcher finds exactly what spaCy's Matcher finds."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import spacy

from ceasefire.news.attribute_rules import FastAttributeMatcher, speed_up_attribute_ruler
from ceasefire.news.geo.geoparse import SPACY_MODEL
from tests.factories.news import SEED

if TYPE_CHECKING:
    from spacy.pipeline import AttributeRuler

# Contractions, colloquial forms, auxiliaries, pronouns by case, expletives and spaces: what
# the ruler's exceptions are about, beside the tag map.
TRICKY = (
    "I'm gonna say y'all ain't goin' nowhere, let's go. There is nothin' here, is there? "
    "You did it; it was me who had done it. We've got ta do what he'd done. "
    "That is what those who can't wait do, and she gets it. \n\n  Spaces\there."
)


def _texts() -> list[str]:
    seed = SEED.read_text(encoding="utf-8")  # the copy in tests/data: a clone has no shared/
    return [TRICKY, *seed.split("\n\n")]


def test_the_indexed_matcher_finds_the_same_matches_as_spacy() -> None:
    stock = spacy.load(SPACY_MODEL)
    ruler = cast("AttributeRuler", stock.get_pipe("attribute_ruler"))
    fast = FastAttributeMatcher(ruler)
    assert fast.supported
    with stock.select_pipes(disable=["attribute_ruler", "lemmatizer", "ner"]):
        docs = list(stock.pipe(_texts()))
    assert sum(len(doc) for doc in docs) > 400
    for doc in docs:
        assert fast(doc) == ruler.match(doc), doc.text[:60]


def test_a_sped_up_model_annotates_as_the_stock_model() -> None:
    stock, fast = spacy.load(SPACY_MODEL), spacy.load(SPACY_MODEL)
    assert speed_up_attribute_ruler(fast)
    for a, b in zip(stock.pipe(_texts()), fast.pipe(_texts()), strict=True):
        assert [(t.pos_, str(t.morph), t.lemma_, t.dep_, t.tag_, t.ent_type_) for t in a] == [
            (t.pos_, str(t.morph), t.lemma_, t.dep_, t.tag_, t.ent_type_) for t in b
        ]
