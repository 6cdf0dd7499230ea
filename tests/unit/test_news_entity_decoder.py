"""The numpy entity decoder finds exactly the entities spaCy's own ``ner`` finds."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import numpy as np
import pytest
import spacy
from spacy.attrs import ENT_IOB, ENT_KB_ID, ENT_TYPE
from spacy.tokens import Span

from ceasefire.news.entity_decoder import EntityDecoder, speed_up_entity_recognizer
from ceasefire.news.geo.geoparse import SPACY_MODEL
from ceasefire.news.pipeline import load_model
from tests.factories.news import DATA, SEED

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.pipeline import EntityRecognizer
    from spacy.tokens import Doc

# Names at the very start and end of a text, one-token texts, spaces and line breaks inside,
# a name running into the next sentence, numbers, dates and money: where the BILUO rules
# (no entity across a sentence start, none starting on a space, the last token) decide.
TRICKY = (
    "Ilham Aliyev",
    "Moscow",
    "",
    "   ",
    "The talks in Geneva ended. Paris said nothing.",
    "Armenian Prime Minister Nikol Pashinyan met Vladimir Putin in Moscow on Nov. 9, 2020",
    "The OSCE Minsk Group\n\nco-chairs met in  Vienna \t on Monday.",
    "About $1.2 billion, 23 posts and 2,000 troops; 5% of the U.N. budget.\n",
    'He said: "Stepanakert" . Lachin . Shusha',
    "New York New York New York Times",
)


def _texts() -> list[str]:
    # The copies in tests/data: a clone has no shared/.
    pages = sorted((DATA / "pages-bench").glob("*.txt"))
    paragraphs = [p for path in [SEED, *pages] for p in path.read_text("utf-8").split("\n\n")]
    return [*TRICKY, *paragraphs]


def _entities(doc: Doc) -> tuple[list[tuple[int, int, str]], list[list[int]]]:
    return (
        [(e.start, e.end, e.label_) for e in doc.ents],
        doc.to_array([ENT_IOB, ENT_TYPE, ENT_KB_ID]).tolist(),
    )


@pytest.fixture(scope="module")
def stock() -> Language:
    return spacy.load(SPACY_MODEL)


def _parsed(nlp: Language, texts: list[str]) -> list[Doc]:
    with nlp.select_pipes(disable=["ner"]):
        return list(nlp.pipe(texts))


def test_the_decoder_finds_the_entities_of_spacy_s_ner(stock: Language) -> None:
    ner = cast("EntityRecognizer", stock.get_pipe("ner"))
    decoder = EntityDecoder(ner)
    assert decoder.supported
    docs = _parsed(stock, _texts())
    assert sum(len(doc) for doc in docs) > 3000
    for batch_size in (256, 7):
        theirs = list(ner.pipe([d.copy() for d in docs], batch_size=batch_size))
        ours = list(decoder.pipe([d.copy() for d in docs], batch_size=batch_size))
        assert sum(len(doc.ents) for doc in theirs) > 300
        for a, b in zip(theirs, ours, strict=True):
            assert _entities(b) == _entities(a), a.text[:60]
    for doc in docs[:20]:  # one document at a time, as ``nlp(text)`` runs it
        assert _entities(decoder(doc.copy())) == _entities(ner(doc.copy())), doc.text[:60]


def test_entities_set_beforehand_go_through_spacy_s_own_rules(stock: Language) -> None:
    ner = cast("EntityRecognizer", stock.get_pipe("ner"))
    decoder = EntityDecoder(ner)
    (doc,) = _parsed(stock, ["Shelling was reported near Tartar and Barda on Tuesday."])
    doc.set_ents([Span(doc, 0, 1, label="EVENT")], default="unmodified")
    ours, theirs = decoder(doc.copy()), ner(doc.copy())
    assert _entities(ours) == _entities(theirs)
    assert (ours[0].ent_type_, ours[0].ent_iob_) == ("EVENT", "B")


def test_a_loaded_model_decodes_with_it_and_reads_as_the_stock_one(stock: Language) -> None:
    nlp = load_model(SPACY_MODEL)
    decoder = nlp.get_pipe("ner")
    assert isinstance(decoder, EntityDecoder)
    assert speed_up_entity_recognizer(nlp)  # done once: a second call changes nothing
    assert nlp.get_pipe("ner") is decoder
    assert decoder.labels == cast("EntityRecognizer", stock.get_pipe("ner")).labels
    texts = _texts()[:40]
    for a, b in zip(stock.pipe(texts), nlp.pipe(texts), strict=True):
        assert _entities(b) == _entities(a)
        assert np.array_equal(
            a.to_array(["DEP", "HEAD", "TAG"]), b.to_array(["DEP", "HEAD", "TAG"])
        )


def test_no_entity_runs_on_into_a_sentence_start(stock: Language) -> None:
    ner = cast("EntityRecognizer", stock.get_pipe("ner"))
    decoder = EntityDecoder(ner)
    texts = [
        "Nikol Pashinyan met Vladimir Putin in New York City with the Red Cross.",
        "The Organization for Security and Co-operation in Europe met in Minsk.",
    ]
    for every in (2, 3):
        docs = [stock.make_doc(text) for text in texts]
        for doc in docs:
            for token in doc:  # a sentence starts inside each name
                token.is_sent_start = token.i % every == 0
        theirs = list(ner.pipe([d.copy() for d in docs]))
        ours = list(decoder.pipe([d.copy() for d in docs]))
        assert any(len(e) > 1 for doc in theirs for e in doc.ents)
        for a, b in zip(theirs, ours, strict=True):
            assert _entities(b) == _entities(a)
