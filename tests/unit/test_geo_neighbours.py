"""The geoparser's twelfth pass: a name the model misreads is a small town when a cue of
place stands before it and a town of that name lies beside another place of the text; a
country's name the model cut short; lists before a plural word for divisions. The texts are
written for these tests, not taken from any gold file."""

from __future__ import annotations

import pytest
from spacy.language import Language

from tests.factories.geo import near, only, parse


@pytest.mark.parametrize(
    ("text", "name", "where"),
    [
        (
            # A village listed with a city beside it (the model calls it an ORG).
            "A new bus will link Ponteland, Wylam and Newcastle from September, the council said.",
            "Ponteland",
            (55.05, -1.74),
        ),
        (
            # Essex has a bigger Maldon; Victoria's lies beside the other town of the text.
            "Crews from Castlemaine battled a grass fire near Maldon on Wednesday.",
            "Maldon",
            (-37.0, 144.07),
        ),
    ],
)
def test_a_cued_name_beside_a_place_of_the_text_is_that_town(
    nlp: Language, text: str, name: str, where: tuple[float, float]
) -> None:
    assert near(only(parse(nlp, text), name), *where, km=40)


def test_a_list_of_people_is_not_a_list_of_places(nlp: Language) -> None:
    mentions = parse(
        nlp, "Relatives of Helen, Clarence, Irene and Randy Kunz met in Paris, Texas, today."
    )
    assert not [m for m in mentions if m.text in {"Clarence", "Irene"}]


def test_a_country_name_the_model_cut_short_is_read_whole(nlp: Language) -> None:
    mentions = parse(nlp, "Ebola disease - Democratic Republic of the Congo. Cases rose.")
    congo = [m for m in mentions if "Congo" in m.text]
    assert [(m.text, m.country) for m in congo] == [("Democratic Republic of the Congo", "CD")]


def test_names_before_a_plural_word_for_divisions_are_each_a_place(nlp: Language) -> None:
    mentions = parse(
        nlp,
        "Dengue - Bangladesh. Outside the capital, Barishal and Chattogram divisions reported "
        "the most patients.",
    )
    assert {"Barishal", "Chattogram"} <= {m.text for m in mentions if m.label == "GPE"}
