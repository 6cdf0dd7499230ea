"""The geoparser on the kinds of text it is judged on beyond GeoWebNews: wire news
(datelines, capitals), disease-outbreak reports (provinces, foreign places) and US local
news (towns, counties, "Town, State"). The texts are written for these tests."""

from __future__ import annotations

import pytest
from spacy.language import Language

from ceasefire.news.geo import Gazetteer, distance_km
from ceasefire.news.geo.recognise import Toponym
from ceasefire.news.geo.resolve import resolve_toponyms
from tests.factories.geo import WORLD, near, only, parse


def test_a_dateline_in_capitals_names_its_town_under_an_older_spelling(nlp: Language) -> None:
    # GeoNames calls the city Kyiv; "KIEV" is one of its alternate names, which short names
    # in capitals only count for when they open a dateline (elsewhere: airport codes).
    text = "KIEV, Ukraine (AP) — Shelling hit Kharkiv overnight, officials said."
    kiev = only(parse(nlp, text), "KIEV")
    assert (kiev.name, kiev.country, kiev.feature_class) == ("Kyiv", "UA", "P")


@pytest.mark.parametrize(
    ("text", "province", "country", "seat"),
    [
        (
            "Ebola cases were confirmed in North Kivu, in eastern Congo, the WHO said.",
            "North Kivu",
            "CD",
            (-1.68, 29.22),  # Goma
        ),
        (
            "Cholera has spread to the Copperbelt, Zambia's health ministry said on Monday.",
            "Copperbelt",
            "ZM",
            (-12.96, 28.64),  # Ndola
        ),
        (
            "Egyptian troops killed six militants in North Sinai on Sunday, the army said.",
            "North Sinai",
            "EG",
            (31.13, 33.80),  # Arish
        ),
    ],
)
def test_provinces_named_after_no_town_are_found_under_their_english_names(
    nlp: Language, text: str, province: str, country: str, seat: tuple[float, float]
) -> None:
    mention = only(parse(nlp, text), province)
    assert (mention.country, mention.feature_class, mention.precision) == (country, "A", 4)
    assert near(mention, *seat, km=250)


def test_a_division_is_no_longer_placed_at_a_small_namesake_elsewhere(
    gazetteer: Gazetteer,
) -> None:
    # ISO 3166-2 names the state Santa Catarina, and the GeoNames place of that name was a
    # village in São Paulo state, 500 km from it; its seat, Florianópolis, now places it.
    (state,) = [p for p in gazetteer.lookup("Santa Catarina") if p.kind == "admin1"]
    assert state.country == "BR"
    assert distance_km(state.lat, state.lon, -27.6, -50.5) < 150


def test_a_name_followed_by_district_is_a_place_whatever_the_model_called_it(
    nlp: Language,
) -> None:
    # The small model calls "Kasese" a NORP; "district" after it says it is a division.
    text = "The ministry reported an Ebola outbreak in Kasese district, western Uganda."
    kasese = only(parse(nlp, text), "Kasese")
    assert kasese.country == "UG"
    assert near(kasese, 0.18, 30.08, km=50)


def test_a_country_name_the_model_split_in_two_is_one_place(nlp: Language) -> None:
    text = "Cases were confirmed in the Democratic Republic of the Congo's North Kivu province."
    mentions = parse(nlp, text)
    congo = only(mentions, "Democratic Republic of the Congo")
    assert (congo.country, congo.precision) == ("CD", 6)
    assert [m.country for m in mentions] == ["CD", "CD"]


def test_a_name_listed_with_states_is_a_state(nlp: Language) -> None:
    # Without the list, "Idaho" beside "Colorado" is Idaho Springs, Colorado, and
    # "Washington" the capital.
    text = "Companies moved to cheaper states such as Utah, Colorado, and Idaho."
    idaho = only(parse(nlp, text), "Idaho")
    assert (idaho.name, idaho.feature_class) == ("Idaho", "A")
    text = "Officers in England and Wales said crime had fallen."
    wales = only(parse(nlp, text), "Wales")
    assert (wales.name, wales.feature_class, wales.precision) == ("Wales", "A", 4)


def test_a_compass_adjective_makes_a_name_an_area(nlp: Language) -> None:
    # "central Washington" is the state; "Washington" alone would be the capital.
    text = "The team drove to central Washington to set up a command post for the police."
    washington = only(parse(nlp, text), "Washington")
    assert (washington.feature_class, washington.precision) == ("A", 4)
    assert near(washington, 47.4, -120.5, km=200)


def test_the_first_places_of_a_list_are_not_one_in_the_next(gazetteer: Gazetteer) -> None:
    # "Camp Zeta, Sanaa and Taiz": Sanaa is the second place of a list, not the division
    # Camp Zeta (which no gazetteer knows) lies in; it is placed near a town the text names
    # (precision 2), not as the division (4).
    text = "Clashes hit Camp Zeta, Sanaa and Taiz overnight."
    toponyms = [
        Toponym(text.index(name), text.index(name) + len(name), name, "GPE")
        for name in ("Camp Zeta", "Sanaa", "Taiz")
    ]
    camp = resolve_toponyms(toponyms, gazetteer, text, WORLD)[0]
    assert (camp.text, camp.precision, camp.feature_class) == ("Camp Zeta", 2, "P")


@pytest.mark.parametrize(
    ("text", "town", "state"),
    [
        (
            "DES MOINES, Iowa (AP) — A man from Ankeny was arrested in Urbandale.",
            "Urbandale",
            "Iowa",
        ),
        (
            "Police said the crash happened on Main Street in Elizabethtown, Ky., early Sunday.",
            "Elizabethtown",
            "Kentucky",
        ),
        (
            "Crews from Fortville and New Palestine responded, Hancock County officials said.",
            "New Palestine",
            "Indiana",
        ),
    ],
)
def test_us_local_news_places_small_towns_in_their_state(
    nlp: Language, gazetteer: Gazetteer, text: str, town: str, state: str
) -> None:
    mention = only(parse(nlp, text), town)
    (division,) = [p for p in gazetteer.lookup(state) if p.kind == "admin1" and p.country == "US"]
    assert (mention.country, mention.feature_class) == ("US", "P")
    assert near(mention, division.lat, division.lon, km=400)


@pytest.mark.parametrize(
    "text",
    [
        "OKLAHOMA CITY\nTeachers rallied at the Capitol for higher pay on Monday.",
        # The line break lost when the page was extracted.
        "OKLAHOMA CITY Teachers rallied at the Capitol for higher pay on Monday.",
    ],
)
def test_a_dateline_alone_on_its_line_is_a_place(nlp: Language, text: str) -> None:
    city = only(parse(nlp, text), "OKLAHOMA CITY")
    assert (city.name, city.country) == ("Oklahoma City", "US")


def test_where_a_person_named_with_his_age_lives_is_a_town(nlp: Language) -> None:
    # The model calls "Marion" an ORG; ", 23, of" is how local news says where someone lives.
    text = "The suspect, Austin Miller, 23, of Marion, was charged with theft on Friday."
    marion = only(parse(nlp, text), "Marion")
    assert (marion.country, marion.feature_class) == ("US", "P")
    assert not [m for m in parse(nlp, text) if m.text.startswith("Austin")]


def test_a_street_after_on_is_a_street_not_the_town_it_starts_with(nlp: Language) -> None:
    # The model calls "Van Dyke Avenue" an ORG, whose first word was read as Van, Texas.
    text = "Police in Sterling Heights said a woman was struck by a car on Van Dyke Avenue."
    avenue = only(parse(nlp, text), "Van Dyke Avenue")
    assert (avenue.name, avenue.precision, avenue.label) == ("Sterling Heights", 2, "FAC")
    assert not [m for m in parse(nlp, text) if m.text == "Van"]


def test_towns_where_those_who_speak_are_stay_towns(nlp: Language) -> None:
    # "Goris said" is a person speaking; in "officials in Ponce and Mayaguez said" the
    # towns are where the officials are (the model calls "Mayaguez" an ORG).
    text = "Power was restored to most of the island, officials in Ponce and Mayaguez said."
    mayaguez = only(parse(nlp, text), "Mayaguez")
    assert (mayaguez.name, mayaguez.country) == ("Mayagüez", "PR")


def test_a_disease_named_after_a_place_is_no_place(nlp: Language) -> None:
    # "Lassa" (the model's PERSON) is also an alternate name of Lhasa, a city of a million.
    text = "Nigeria reported an increase in Lassa fever cases in Edo and Ondo states."
    mentions = parse(nlp, text)
    assert "Lassa" not in [m.text for m in mentions]
    assert {m.country for m in mentions} == {"NG"}


def test_a_town_followed_by_city_is_the_town(nlp: Language) -> None:
    text = "The ministry reported a cluster of MERS cases in Riyadh city this week."
    riyadh = only(parse(nlp, text), "Riyadh")
    assert (riyadh.name, riyadh.country) == ("Riyadh", "SA")


def test_a_county_is_in_the_state_of_the_towns_the_text_names(nlp: Language) -> None:
    # A dozen states have a Lake County; Mundelein and Libertyville are in Illinois's.
    text = (
        "A man died after his truck left the road near Mundelein, the Lake County coroner "
        "said. He was pronounced dead at a hospital in Libertyville."
    )
    county = only(parse(nlp, text), "Lake County")
    assert near(county, 42.3, -87.95, km=60)


def test_a_long_list_of_states_reads_a_state_named_like_a_town_as_the_state(
    nlp: Language,
) -> None:
    text = (
        "Confirmed cases have been reported from Edo, Ondo, Ebonyi, Bauchi, Nasarawa, "
        "Anambra, Benue and Kogi."
    )
    nasarawa = only(parse(nlp, text), "Nasarawa")
    assert (nasarawa.country, nasarawa.feature_class, nasarawa.precision) == ("NG", "A", 4)


def test_where_a_person_named_in_full_is_from_is_a_town(nlp: Language) -> None:
    # The model calls "Sun Prairie" an ORG; "<full name> of" says where she is from.
    text = "MADISON, Wis. — Supervisor Mary Kolar of Sun Prairie proposed the change."
    town = only(parse(nlp, text), "Sun Prairie")
    assert (town.country, town.feature_class) == ("US", "P")
    assert near(town, 43.18, -89.21, km=10)


def test_a_plural_administrative_word_makes_every_name_of_its_list_a_division(
    nlp: Language,
) -> None:
    text = "The ministry reported two cases of H5N1 in Giza and Qena governorates."
    mentions = parse(nlp, text)
    # Giza governorate is known (at its seat); Qena only as the town, a division's seat.
    assert [(m.text, m.country, m.precision) for m in mentions] == [
        ("Giza", "EG", 4),
        ("Qena", "EG", 3),
    ]


@pytest.mark.parametrize(
    ("text", "toponym", "point", "km"),
    [
        # A state and a town in the list: "Washington" stays the capital, and is not a
        # Washington in New York state either ("X, Y and Z" is a list).
        ("After stops in Washington, New York and Boston, the prince flew home.", "Washington",
         (38.9, -77.04), 20),
        # The English Rockingham is below GeoNames' 500 people; its namesakes are Australian
        # and American towns. The county after the comma places it.
        ("The championship moves to Rockingham, Northamptonshire, in August.", "Rockingham",
         (52.24, -0.9), 60),
        # A list of towns: West Palm Beach is not placed in New York state.
        ("Guests flew in from West Palm Beach, New York, and Boston for the opening.",
         "West Palm Beach", (26.71, -80.05), 30),
    ],
)  # fmt: skip
def test_lists_and_qualifiers_place_towns(
    nlp: Language, text: str, toponym: str, point: tuple[float, float], km: float
) -> None:
    assert near(only(parse(nlp, text), toponym), *point, km=km)
