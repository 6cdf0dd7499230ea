"""The geoparser's eleventh pass: the smallest area that explains the names of a text
(round four of resolution), and recognition cues of outbreak reports, wire and US local
news. The texts are written for these tests, not taken from any gold file."""

from __future__ import annotations

import pytest
from spacy.language import Language

from tests.factories.geo import near, only, parse


@pytest.mark.parametrize(
    ("text", "names", "where"),
    [
        (
            # Guyana's capital and the French town stand alone; Kentucky's towns lie together.
            "The parade will pass through Versailles and Georgetown before it ends in "
            "Lexington on Saturday.",
            ("Versailles", "Georgetown"),
            (38.1, -84.6),
        ),
        (
            # Every name has bigger namesakes elsewhere; only north-east Texas has all three.
            "Storms knocked out power in Paris, Honey Grove and Clarksville overnight.",
            ("Paris", "Honey Grove", "Clarksville"),
            (33.6, -95.5),
        ),
        (
            # A county of several states, beside a town of one of them.
            "Relatives in Warren County and Bowling Green were told to boil water.",
            ("Warren County",),
            (36.99, -86.44),
        ),
    ],
)
def test_namesakes_are_read_in_the_area_the_other_names_share(
    nlp: Language, text: str, names: tuple[str, ...], where: tuple[float, float]
) -> None:
    mentions = parse(nlp, text)
    for name in names:
        assert near(only(mentions, name), *where, km=120), name


def test_two_capitals_are_not_moved_to_a_pair_of_small_namesakes(nlp: Language) -> None:
    mentions = parse(nlp, "Paris and London agreed on a joint statement on Tuesday.")
    assert (only(mentions, "Paris").country, only(mentions, "London").country) == ("FR", "GB")


@pytest.mark.parametrize(
    ("text", "name", "country"),
    [
        # An outbreak report's headline, which the model reads as one name.
        ("Dengue fever - Sri Lanka: The number of cases rose again this week.", "Sri Lanka", "LK"),
        (
            "Measles - Democratic Republic of the Congo: Since March, 12 zones have declared "
            "outbreaks.",
            "Democratic Republic of the Congo",
            "CD",
        ),
        # A town before its police; names listed after "including" a plural place noun; a
        # hyphenated name the tokenizer split.
        ("Fresno police said the suspect fled on foot.", "Fresno", "US"),
        (
            "Shelling hit several towns on Monday, including Avdiivka and Toretsk, officials said.",
            "Toretsk",
            "UA",
        ),
        ("Officials in Baden-Württemberg said the roads were closed.", "Baden-Württemberg", "DE"),
    ],
)
def test_cues_of_outbreak_local_and_wire_news_find_the_place(
    nlp: Language, text: str, name: str, country: str
) -> None:
    assert only(parse(nlp, text), name).country == country


def test_a_demonym_heading_a_ministry_is_no_place(nlp: Language) -> None:
    # Kazakh is also a district of Azerbaijan; "the Kazakh Defence Ministry" is Kazakhstan's.
    mentions = parse(nlp, "The Kazakh Defence Ministry announced drills near Aktau.")
    assert [m.text for m in mentions] == ["Aktau"]
