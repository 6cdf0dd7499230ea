"""The geoparser's thirteenth pass: cues of world wire news (a city the model reads as a
people, a common noun it tags as a building, a division the gazetteer lacks that the word after
it names, a country's name that is also a division of the text's own country, a
Romance name with lower-case particles). The texts are written for these tests; none is a
sentence of an evaluation file."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import pytest
from spacy.language import Language

from ceasefire.news.geo.gazetteer import Place
from ceasefire.news.geo.recognise import Toponym
from ceasefire.news.geo.resolve import _Choice, _divisions_of_the_text
from tests.factories.geo import near, only, parse

if TYPE_CHECKING:
    from ceasefire.news.geo.gazetteer import PlaceKind


def test_a_large_city_the_model_reads_as_a_people_is_a_place(nlp: Language) -> None:
    text = "BEIRUT (Reuters) — Government troops retook Aleppo and Hama after a week of fighting."
    doc = nlp(text)
    assert any(ent.text == "Aleppo" and ent.label_ == "NORP" for ent in doc.ents)
    assert near(only(parse(nlp, text), "Aleppo"), 36.2, 37.16, km=25)


def test_a_demonym_the_model_tags_stays_out(nlp: Language) -> None:
    mentions = parse(nlp, "Syrian and Turkish officials met in Ankara on Monday.")
    assert [m.text for m in mentions] == ["Ankara"]


def test_a_lower_case_common_noun_is_no_place(nlp: Language) -> None:
    text = "Officials said the metro to the airport would open in Hyderabad next year."
    doc = nlp(text)
    assert any(ent.text == "metro" for ent in doc.ents)  # the model's FAC
    assert "metro" not in [m.text for m in parse(nlp, text)]


def test_a_name_the_word_after_calls_a_district_is_a_place(nlp: Language) -> None:
    text = "KATHMANDU — Officials in Chitwan district said the road had reopened."
    # Not in the gazetteer: placed in the text's area, at the dateline's town.
    assert near(only(parse(nlp, text), "Chitwan"), 27.72, 85.32, km=161)


def test_the_country_stays_the_country_beside_its_own_towns(nlp: Language) -> None:
    text = "TBILISI, Georgia — Protesters gathered in Batumi and Kutaisi on Sunday."
    assert only(parse(nlp, text), "Georgia").country == "GE"


def test_a_romance_name_runs_on_through_its_particles(nlp: Language) -> None:
    text = "PORTO ALEGRE, Brazil — Rain fell again across Rio Grande do Sul on Monday."
    state = only(parse(nlp, text), "Rio Grande do Sul")
    assert near(state, -29.6, -52.7, km=50)  # the state, not the town of Rio Grande


def _town(name: str, country: str, admin1: str, kind: str = "city") -> Place:
    return Place(name, 0.0, 0.0, country, "P", cast("PlaceKind", kind), 100_000, admin1, None, 1)


def _chosen(*places: Place) -> list[tuple[Toponym, _Choice]]:
    return [(Toponym(0, len(p.name), p.name, "GPE"), _Choice(p, 1.0)) for p in places]


GEORGIA_COUNTRY = _town("Georgia", "GE", "", "country")
GEORGIA_STATE = _town("Georgia", "US", "GA", "admin1")


@pytest.mark.parametrize(
    ("others", "country"),
    [
        # Two other names in the US state, none in the country: the smallest common area.
        ([_town("Atlanta", "US", "GA"), _town("Savannah", "US", "GA")], "US"),
        # One is not enough; nor are two when a third lies in the country.
        ([_town("Atlanta", "US", "GA")], "GE"),
        (
            [
                _town("Atlanta", "US", "GA"),
                _town("Savannah", "US", "GA"),
                _town("Batumi", "GE", "04"),
            ],
            "GE",
        ),
        # Towns of another state do not lie in Georgia.
        ([_town("Dallas", "US", "TX"), _town("Austin", "US", "TX")], "GE"),
    ],
)
def test_a_country_gives_way_to_a_division_the_other_names_lie_in(
    others: list[Place], country: str
) -> None:
    chosen = _chosen(GEORGIA_COUNTRY, *others)
    readings = [[GEORGIA_COUNTRY, GEORGIA_STATE], *[[p] for p in others]]
    result = _divisions_of_the_text(chosen, readings)
    assert result[0][1].place.country == country
    assert [c.place for _, c in result[1:]] == others
