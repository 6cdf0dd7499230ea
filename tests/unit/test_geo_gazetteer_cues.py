"""The geoparser's sixteenth pass: names the small model misses or misreads, found through the
gazetteer where the text vouches for them (a preposition before a list of towns, a
capitalised adjective that opens a town's name, a list or a preposition inside one entity,
"Town of X", "the driver, of X,", a county the gazetteer has only at its state's middle).
The texts are written for these tests; none is a sentence of an evaluation file."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from ceasefire.news.geo.evaluation import read_gold, select_part
from ceasefire.news.geo.gazetteer import Place, contains
from tests.factories.geo import near, only, parse

OWN_GOLD_8 = Path(__file__).parents[1] / "data" / "geo-own-8.json"


def test_a_preposition_before_a_list_vouches_for_every_town_of_it(nlp: Language) -> None:
    # A one-word place whose readings are all villages of no recorded population is dropped
    # unless a cue vouches for it; "to" governs the last name of the list as the first.
    text = "Cases rose in Ondo state, and patients were sent to Akure and Irrua."
    irrua = only(parse(nlp, text), "Irrua")
    assert (irrua.country, irrua.feature_class) == ("NG", "P")


def test_a_word_after_a_list_of_people_is_not_vouched_for_by_a_preposition(
    nlp: Language,
) -> None:
    # "with" is no preposition of place, so nothing vouches for the names.
    text = "She spoke with Irrua and Akure about the match."
    assert [m.text for m in parse(nlp, text) if m.text == "Irrua"] == []


def test_a_capitalised_adjective_opens_a_towns_own_name(nlp: Language) -> None:
    # The tagger reads "Much" as an adjective; with "Wenlock" it is a Shropshire town, and
    # where the model calls "Wenlock" a person the adjective still joins it.
    text = (
        "The road between Much Wenlock and Bridgnorth is shut. Shops in Much Wenlock say "
        "trade is down."
    )
    mentions = [m for m in parse(nlp, text) if m.text == "Much Wenlock"]
    assert len(mentions) == 2
    assert all(near(m, 52.60, -2.56, km=10) for m in mentions)


def test_a_list_of_towns_the_model_took_for_one_organisation_is_each_town(
    nlp: Language,
) -> None:
    text = "Families downstream in Sowerby Bridge and Elland were told to be ready to leave."
    mentions = parse(nlp, text)
    for name, lat, lon in (("Sowerby Bridge", 53.71, -1.91), ("Elland", 53.69, -1.84)):
        assert near(only(mentions, name), lat, lon, km=10), name


def test_two_places_joined_by_at_in_one_entity_are_two(nlp: Language) -> None:
    # The model makes one GPE of the country and the border town; the country is no
    # longer placed at the town beside it.
    text = (
        "Checks were stepped up at the crossings with Uganda at Gatuna and with the "
        "Democratic Republic of the Congo at Rubavu."
    )
    congo = only(parse(nlp, text), "Democratic Republic of the Congo")
    assert (congo.country, congo.precision) == ("CD", 6)


def test_the_first_name_of_a_list_a_plural_division_word_ends_is_kept_unresolved(
    nlp: Language,
) -> None:
    # Neither district is in the gazetteer; the plural word vouches for both names.
    text = "Contacts are followed in the Gasabo and Kicukiro districts of Kigali."
    names = {m.text for m in parse(nlp, text)}
    assert {"Gasabo", "Kicukiro"} <= names


def test_an_institution_after_a_preposition_is_no_small_town(nlp: Language) -> None:
    # Congress, Arizona has about 2,000 people; "in Congress" in American news is the
    # legislature.
    text = "Senators from Arizona and Texas raised concerns in Congress about the sale."
    assert [m.text for m in parse(nlp, text) if m.text == "Congress"] == []


def test_town_of_a_name_is_the_town_and_not_a_building(nlp: Language) -> None:
    text = "The fire began in the Town of Hempstead near Levittown, Nassau County officials said."
    hempstead = next(m for m in parse(nlp, text) if "Hempstead" in m.text)
    assert hempstead.feature_class == "P"
    assert near(hempstead, 40.71, -73.62, km=15)


def test_a_county_known_only_at_its_states_middle_contains_the_towns_of_its_state() -> None:
    county = Place("Gaines County", 31.0, -99.0, "US", "A", "admin2", 0, "TX", None, 3)
    seminole = Place("Seminole", 32.72, -102.64, "US", "P", "city", 7_448, "TX", 1, 1)
    elsewhere = Place("Seminole", 35.22, -96.67, "US", "P", "city", 7_522, "OK", 2, 1)
    assert contains(county, seminole)
    assert not contains(county, elsewhere)


def test_towns_listed_before_a_county_at_its_states_middle_are_its_towns(
    nlp: Language,
) -> None:
    text = "Cases were reported in Seminole and Seagraves in Gaines County."
    mentions = parse(nlp, text)
    for name in ("Seminole", "Seagraves"):
        assert only(mentions, name).country == "US", name
    assert near(only(mentions, "Seminole"), 32.72, -102.64, km=25)


def test_own_gold_8_split_is_fixed_in_the_file() -> None:
    articles = read_gold(OWN_GOLD_8)
    held = select_part(articles, "held")
    assert [a.id for a in held] == [f"own8-{n:02d}" for n in range(3, 22, 3)]
    assert sum(len(a.toponyms) for a in articles) == 158


@pytest.mark.parametrize(
    ("text", "name", "lat", "lon"),
    [
        # The model calls the small town a nationality; the list and "in" make it a place,
        # lying a few kilometres from the other towns named.
        (
            "Sirens sounded in Hebden Bridge and Mytholmroyd overnight, and wardens took "
            "sandbags to Todmorden.",
            "Mytholmroyd",
            53.73,
            -1.98,
        ),
        # A word of nearness between the list word and the town.
        (
            "DUBLIN, Ohio \u2014 A main break left Dublin and neighboring Hilliard without water.",
            "Hilliard",
            40.03,
            -83.16,
        ),
        # A town of 2,400 people right after "to", in a country the text names; no other
        # town of the text lies beside it.
        (
            "The family left England in 1990 and returned to Middlestown in 2004.",
            "Middlestown",
            53.65,
            -1.60,
        ),
        # ", of X," after a noun for a person: where the person lives.
        (
            "The driver, of Waxahachie, was flown to a hospital in Dallas.",
            "Waxahachie",
            32.39,
            -96.85,
        ),
        # GeoNames' only St Agnes is Australian; among Cornish towns the village the
        # gazetteer lacks is placed at the town beside it, not 16,000 km away.
        (
            "A woman from Redruth was hurt near Perranporth. Crews from Truro and Newquay "
            "were sent, and the road to St Agnes was shut.",
            "St Agnes",
            50.31,
            -5.20,
        ),
    ],
)
def test_a_name_the_text_vouches_for_is_found_where_it_lies(
    nlp: Language, text: str, name: str, lat: float, lon: float
) -> None:
    assert near(only(parse(nlp, text), name), lat, lon, km=50)
