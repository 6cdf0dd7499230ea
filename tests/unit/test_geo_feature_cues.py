"""The geoparser's fourteenth pass: a natural feature's word after a name ("the X river"), a
country's name the model reads as a people, and first- and second-level divisions the
gazetteer lacked (Myanmar's states named after peoples, the provinces of the Philippines). The
texts are written for these tests; none is a sentence of an evaluation file."""

from __future__ import annotations

from spacy.language import Language

from ceasefire.news.geo.gazetteer import Gazetteer
from ceasefire.news.geo.mention import distance_km
from tests.factories.geo import only, parse


def test_a_river_is_not_the_town_of_its_name(nlp: Language) -> None:
    text = "ZAPORIZHZHIA, Ukraine — Boats carried supplies down the Dnipro river on Friday."
    river = only(parse(nlp, text), "Dnipro")
    # Not the city of Dnipro, 70 km up the river: the gazetteer has no rivers, so the name
    # is placed in the text's area, near its dateline's town, as a place it lacks.
    assert river.name != "Dnipro"
    assert river.geonameid is None


def test_a_name_before_river_is_a_place_whatever_the_model_says(nlp: Language) -> None:
    text = "Villagers watched the Brahmaputra and the Subansiri river rise after the storm."
    assert "Subansiri" in [m.text for m in parse(nlp, text)]


def test_a_country_the_model_reads_as_a_people_is_a_place(nlp: Language) -> None:
    text = "Ministers of Uzbekistan and Tajikistan signed a water agreement in Dushanbe."
    assert only(parse(nlp, text), "Tajikistan").country == "TJ"


def test_myanmars_states_named_after_peoples_are_divisions(gazetteer: Gazetteer) -> None:
    for name, town in (("Shan State", "Taunggyi"), ("Chin State", "Hakha"), ("Mon", "Mawlamyine")):
        division = next(p for p in gazetteer.lookup(name) if p.country == "MM")
        assert division.kind == "admin1"
        seat = next(p for p in gazetteer.lookup(town) if p.country == "MM")
        assert division.admin1 == seat.admin1


def test_philippine_provinces_are_placed_at_their_capitals(gazetteer: Gazetteer) -> None:
    for name, lat, lon in (
        ("Palawan", 9.74, 118.74),
        ("Bohol", 9.65, 123.85),
        ("Compostela Valley", 7.6, 125.97),
    ):
        province = next(
            p for p in gazetteer.lookup(name) if p.country == "PH" and p.kind == "admin2"
        )
        assert distance_km(province.lat, province.lon, lat, lon) < 40
