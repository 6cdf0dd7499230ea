"""The geoparser's eighth pass: cues of US and UK local news and of disease-outbreak reports
(a state named like a country, counties named together, the town a local outlet is named
after, state abbreviations in datelines, short district names, rivers, diseases). The texts
are written for these tests; none is a sentence of an evaluation file."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest
from spacy.language import Language

from ceasefire.errors import InvalidInput
from ceasefire.news.geo import Gazetteer
from ceasefire.news.geo.evaluation import read_gold, select_part
from ceasefire.news.geo.gazetteer import Place
from ceasefire.news.geo.recognise import Toponym
from ceasefire.news.geo.resolve import _Choice, _region
from tests.factories.geo import near, only, parse

if TYPE_CHECKING:
    from ceasefire.news.geo.gazetteer import PlaceKind

OWN_GOLD = Path(__file__).parents[1] / "data" / "geo-own-local.json"


@pytest.mark.parametrize(
    "text",
    [
        # Jacksonville may be in Florida, North Carolina or Arkansas, but it is American.
        "Two Georgia teenagers were hurt in a crash in Jacksonville on Friday, police said.",
        "A Georgia man was charged in Columbus after a chase on Friday.",
    ],
)
def test_a_state_named_like_a_country_is_the_state_beside_american_towns(
    nlp: Language, text: str
) -> None:
    georgia = only(parse(nlp, text), "Georgia")
    assert (georgia.country, georgia.precision) == ("US", 4)


def test_the_country_georgia_stays_the_country_among_its_neighbours(nlp: Language) -> None:
    georgia = only(parse(nlp, "Georgia and Armenia signed a transit deal on Monday."), "Georgia")
    assert georgia.country == "GE"


def test_counties_named_together_are_in_a_state_that_has_both(nlp: Language) -> None:
    # California has an Orange County and Oklahoma a Seminole County; Florida has both.
    text = "Commissioners in Orange County and Seminole County approved the new toll road."
    mentions = parse(nlp, text)
    for name in ("Orange County", "Seminole County"):
        assert near(only(mentions, name), 28.5, -81.5, km=250), name  # central Florida


def test_a_county_is_in_the_state_of_the_outlet_that_reports_it(nlp: Language) -> None:
    # A newspaper named after its town reports on its area: Colorado's Adams County.
    text = "The Denver Post reported that Adams County and Jefferson County will share the cost."
    mentions = parse(nlp, text)
    for name in ("Adams County", "Jefferson County"):
        assert near(only(mentions, name), 39.7, -105.0, km=200), name


def test_the_own_gold_file_reads_with_its_fixed_split(tmp_path: Path) -> None:
    articles = read_gold(OWN_GOLD)
    tune, held = select_part(articles, "tune"), select_part(articles, "held")
    assert len(articles) >= 40
    assert len(tune) + len(held) == len(articles)
    assert held
    for article in articles:
        for toponym in article.toponyms:
            assert article.text[toponym.start : toponym.end] == toponym.text
    broken = json.loads(OWN_GOLD.read_text(encoding="utf-8"))
    broken["records"][0]["toponyms"][0]["start"] += 1
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(InvalidInput):
        read_gold(path)


@pytest.mark.parametrize(
    ("text", "town"),
    [
        ("HATTIESBURG, Miss. — A tornado damaged dozens of homes overnight.", "HATTIESBURG"),
        ("Crews in Tupelo, Miss., cleared fallen trees on Sunday.", "Tupelo"),
    ],
)
def test_a_state_abbreviated_like_a_title_after_its_town_is_the_state(
    nlp: Language, text: str, town: str
) -> None:
    mentions = parse(nlp, text)
    state = only(mentions, "Miss.")
    assert (state.name, state.country, state.precision) == ("Mississippi", "US", 4)
    assert only(mentions, town).country == "US"


def test_an_abbreviated_title_before_a_name_is_still_no_place(nlp: Language) -> None:
    assert [m.text for m in parse(nlp, "Sen. Ben Sasse spoke in Omaha on Friday.")] == ["Omaha"]


def test_a_two_letter_name_followed_by_district_is_the_district(nlp: Language) -> None:
    text = "Cases were reported in Bo district and Kailahun district of Sierra Leone."
    bo = only(parse(nlp, text), "Bo")
    assert bo.country == "SL"
    assert near(bo, 7.96, -11.74, km=50)


@pytest.mark.parametrize(
    ("text", "feature"),
    [
        ("Residents were told to prepare as the River Calder rose near Todmorden.", "River Calder"),
        ("Hikers were rescued from Mount Snowdon on Saturday.", "Mount Snowdon"),
    ],
)
def test_a_river_or_mountain_named_first_is_a_place(nlp: Language, text: str, feature: str) -> None:
    only(parse(nlp, text), feature)


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("Middle East respiratory syndrome infections were reported in Qatar.", "Qatar"),
        ("Two cases of Crimean-Congo haemorrhagic fever were confirmed in Iraq.", "Iraq"),
        # A verb between: the country reports the disease.
        ("Only Venezuela reported yellow fever cases.", "Venezuela"),
    ],
)
def test_a_disease_named_after_a_place_with_an_adjective_is_no_place(
    nlp: Language, text: str, country: str
) -> None:
    assert [m.text for m in parse(nlp, text)] == [country]


@pytest.mark.parametrize(
    "text",
    [
        "Cases of the Tai Forest ebolavirus are rare.",
        "The Reston ebolavirus does not sicken people.",
    ],
)
def test_a_virus_species_named_after_a_place_is_no_place(nlp: Language, text: str) -> None:
    assert parse(nlp, text) == []


def test_a_town_after_in_nearby_is_a_place(nlp: Language) -> None:
    pullman = only(parse(nlp, "Students at the university in nearby Pullman returned."), "Pullman")
    assert (pullman.country, pullman.feature_class) == ("US", "P")


def test_a_name_tagged_as_an_adjective_opening_a_list_of_divisions_is_one(
    nlp: Language,
) -> None:
    # The model tags "Taroudant" ADJ here; "provinces" after the list says what it is.
    taroudant = only(
        parse(nlp, "Morocco: Taroudant and Tiznit provinces closed schools."), "Taroudant"
    )
    assert taroudant.country == "MA"


def test_a_division_the_gazetteer_lacks_is_a_place_when_cued(nlp: Language) -> None:
    text = "Aid reached families in Kie-Ntem province on Friday."
    only(parse(nlp, text), "Kie-Ntem")
    # A noun after the administrative word: a court, not a division.
    assert [m.text for m in parse(nlp, "He appeared in Tarrow district court.")] == []


@pytest.mark.parametrize(
    ("text", "town"),
    [
        # The model calls "Racine" a NORP here, and leaves "Glen Ellyn" untagged.
        ("The crash in Somers killed a Racine woman, police said.", "Racine"),
        ("Wheaton police arrested a Glen Ellyn teenager after a fight.", "Glen Ellyn"),
    ],
)
def test_a_town_between_a_and_a_noun_for_people_is_where_they_live(
    nlp: Language, text: str, town: str
) -> None:
    place = only(parse(nlp, text), town)
    assert (place.country, place.feature_class) == ("US", "P")


def test_a_part_of_a_city_is_not_a_town_its_name_is_an_alternate_name_of(
    nlp: Language,
) -> None:
    # GeoNames gives "South Side" as an alternate name of Southside, Arkansas.
    mentions = parse(nlp, "A South Side man has been charged, Chicago police said.")
    assert all(m.name != "Southside" for m in mentions)


def test_a_town_listed_before_a_place_is_a_place(nlp: Language) -> None:
    text = "Mattoon and Charleston schools will close early Friday, Coles County officials said."
    mattoon = only(parse(nlp, text), "Mattoon")
    assert near(mattoon, 39.48, -88.37, km=20)


def test_a_datelines_town_names_its_country_for_the_smaller_towns(nlp: Language) -> None:
    # Somers (8,000 people) after "in" counts where the text names its country: the dateline
    # KENOSHA, a town of 100,000 with no namesake as large abroad, does.
    text = "KENOSHA — A man was sentenced Monday for a 2009 crash in Somers."
    somers = only(parse(nlp, text), "Somers")
    assert near(somers, 42.64, -87.91, km=20)


@pytest.mark.parametrize(
    ("name", "country"),
    [
        ("Republic of Korea", "KR"),  # ISO's "Korea, Republic of", as WHO writes it
        ("Democratic Republic of the Congo", "CD"),
        ("Republic of Moldova", "MD"),
        ("Hong Kong SAR", "HK"),
        ("Macao SAR", "MO"),
    ],
)
def test_countries_under_the_names_outbreak_reports_give_them(
    gazetteer: Gazetteer, name: str, country: str
) -> None:
    assert [p.country for p in gazetteer.lookup(name) if p.kind == "country"] == [country]


def test_a_special_administrative_region_beside_china_is_itself(nlp: Language) -> None:
    hong_kong = only(parse(nlp, "Cases were reported in Hong Kong SAR, China."), "Hong Kong SAR")
    assert hong_kong.country == "HK"


def test_a_town_is_in_the_division_the_text_names_when_round_two_settles_it(
    nlp: Language,
) -> None:
    # "Georgia" is the state only in round two (the country reads as well in round one):
    # round three's document region then reads "Columbus" as Georgia's, not Ohio's.
    text = "A Georgia man was charged in Columbus after a chase on Friday."
    assert near(only(parse(nlp, text), "Columbus"), 32.46, -84.99, km=50)


def test_an_undecided_town_is_in_the_country_most_names_of_the_text_point_to(
    nlp: Language,
) -> None:
    # Wembley and Northumberland both read as British without a margin to anchor anything;
    # together they make Britain the text's country, so Newcastle is not the Australian city.
    text = "Fans travelled to Wembley from Newcastle and across Northumberland on Saturday."
    assert only(parse(nlp, text), "Newcastle").country == "GB"


def _choice(name: str, *places: tuple[str, str, str]) -> tuple[Toponym, _Choice]:
    readings = tuple(
        Place(name, 0.0, 0.0, country, "P", cast("PlaceKind", kind), 1_000, admin1, None, 1)
        for country, admin1, kind in places
    )
    return Toponym(0, len(name), name, "GPE"), _Choice(readings[0], 0.5, 0.5, readings)


def test_the_document_region_is_where_most_names_may_be_and_only_there() -> None:
    georgia = _choice("Georgia", ("US", "GA", "admin1"), ("GE", "", "country"))
    columbus = _choice("Columbus", ("US", "OH", "city"), ("US", "GA", "city"))
    assert _region([georgia, columbus]) == ("US", "GA")
    # A division no name was read as does not count ("New York" read as the city).
    assert _region([columbus, _choice("Dayton", ("US", "OH", "city"))]) == ("US", "")
    # One name alone, or a tie between two countries, makes no region.
    assert _region([columbus]) == ("", "")
    assert _region(
        [_choice("Perth", ("AU", "08", "city")), _choice("Leeds", ("GB", "ENG", "city"))]
    ) == ("", "")
    # A town an organisation is named after is no evidence of where the text is.
    team = (replace(columbus[0], label="ORG"), columbus[1])
    assert _region([georgia, team]) == ("", "")
