"""Recognition, entity correction and resolution by context, on the spaCy model."""

from __future__ import annotations

import json

import pytest
from spacy.language import Language
from spacy.tokens import Span

from ceasefire.news.geo import (
    Gazetteer,
    GeoContext,
    PlaceMention,
    correct_place_entities,
    distance_km,
    geoparse_doc,
)
from tests.factories.news import SHARED_DATA

SEED = SHARED_DATA / "asharq-al-awsat-2020-11-26-nagorno-karabakh"


def parse(nlp: Language, text: str, context: GeoContext | None = None) -> list[PlaceMention]:
    return geoparse_doc(nlp(text), context=context)


def only(mentions: list[PlaceMention], text: str) -> PlaceMention:
    found = [m for m in mentions if m.text == text]
    assert len(found) == 1, [m.text for m in mentions]
    return found[0]


def test_aghdam_called_a_person_by_the_model_is_relabelled_a_place(
    nlp: Language, gazetteer: Gazetteer
) -> None:
    doc = nlp("Azerbaijani forces entered Aghdam on Friday.")
    assert [(e.text, e.label_) for e in doc.ents if e.text == "Aghdam"] == [("Aghdam", "PERSON")]
    correct_place_entities(doc, gazetteer)
    assert [(e.text, e.label_) for e in doc.ents if e.text == "Aghdam"] == [("Aghdam", "GPE")]


@pytest.mark.parametrize(
    "text",
    ["Fuzuli and Lachin were returned to Azerbaijan.", "Residents fled Kalbajar on Sunday."],
)
def test_caucasus_names_mislabelled_by_the_model_are_resolved(nlp: Language, text: str) -> None:
    mentions = parse(nlp, text)
    assert {m.country for m in mentions} == {"AZ"}
    assert all(m.resolved for m in mentions)


def test_people_stay_people(nlp: Language, gazetteer: Gazetteer) -> None:
    doc = nlp(
        "Turkish President Tayyip Erdogan spoke to Ilham Aliyev. Erdogan said the talks went well."
    )
    correct_place_entities(doc, gazetteer)
    labels = {e.text: e.label_ for e in doc.ents}
    assert labels.get("Erdogan") == "PERSON"
    assert not parse(nlp, "Erdogan said the talks went well, President Putin said.")


def test_lachin_in_an_azerbaijani_context_is_in_azerbaijan(nlp: Language) -> None:
    mentions = parse(
        nlp, "Azerbaijani troops entered Lachin on Tuesday, after Kalbajar and Aghdam."
    )
    lachin = only(mentions, "Lachin")
    assert lachin.country == "AZ"
    assert distance_km(lachin.lat or 0, lachin.lon or 0, 39.637, 46.550) < 10


def test_lachin_in_a_turkish_context_is_in_turkey(nlp: Language) -> None:
    mentions = parse(
        nlp, "In Lachin, a village of Corum province, Turkish farmers harvested wheat."
    )
    assert only(mentions, "Lachin").country == "TR"


def test_lachin_without_context_follows_the_region_of_interest(nlp: Language) -> None:
    text = "Lachin, population 2,000, held a festival."
    assert only(parse(nlp, text), "Lachin").country == "AZ"
    assert only(parse(nlp, text, GeoContext(focus_countries=("TR",))), "Lachin").country == "TR"


def test_barda_follows_the_text(nlp: Language) -> None:
    azerbaijan = parse(nlp, "Shelling hit Barda and Tartar overnight, Azerbaijan said.")
    assert only(azerbaijan, "Barda").country == "AZ"
    russia = parse(nlp, "Barda, a village in Perm Krai, Russia, held a fair.")
    assert only(russia, "Barda").country == "RU"


def test_a_qualifier_decides(nlp: Language) -> None:
    assert only(parse(nlp, "He was born in Barda, Russia."), "Barda").country == "RU"


def test_stepanakert_and_khankendi_are_one_place(nlp: Language) -> None:
    mentions = parse(nlp, "Stepanakert, which Azerbaijan calls Khankendi, was quiet.")
    places = {(m.lat, m.lon) for m in mentions if m.text in {"Stepanakert", "Khankendi"}}
    assert len(places) == 1


@pytest.mark.parametrize(
    ("text", "toponym", "precision"),
    [
        ("Shelling hit Aghdam overnight.", "Aghdam", 1),
        ("Shelling hit a village near Tartar overnight.", "Tartar", 2),
        ("The Kalbajar district was handed over to Azerbaijan.", "Kalbajar", 4),
        ("Peacekeepers patrol the Lachin corridor.", "Lachin corridor", 5),
        ("Russian peacekeepers are in Nagorno-Karabakh.", "Nagorno-Karabakh", 5),
        ("France wants international supervision.", "France", 6),
        ("A ship sank in the Caspian Sea.", "Caspian Sea", 7),
    ],
)
def test_precision_codes(nlp: Language, text: str, toponym: str, precision: int) -> None:
    assert only(parse(nlp, text), toponym).precision == precision


def test_unresolvable_toponyms_are_kept_without_coordinates(nlp: Language) -> None:
    (mention,) = parse(nlp, "They met at the Golden Gate Bridge.")
    assert (mention.text, mention.name, mention.lat, mention.precision) == (
        "Golden Gate Bridge",
        None,
        None,
        None,
    )


def test_a_building_is_placed_near_the_town_the_text_names_beside_it(nlp: Language) -> None:
    mentions = parse(nlp, "They met at the Golden Gate Bridge in San Francisco.")
    bridge, town = only(mentions, "Golden Gate Bridge"), only(mentions, "San Francisco")
    assert (bridge.name, bridge.lat, bridge.lon, bridge.precision) == (
        town.name,
        town.lat,
        town.lon,
        2,
    )
    assert bridge.geonameid is None


def test_demonyms_are_places_only_on_request(nlp: Language) -> None:
    text = "Turkish and Russian officers met."
    assert parse(nlp, text) == []
    asked = parse(nlp, text, GeoContext(include_demonyms=True))
    assert {m.country for m in asked} == {"TR", "RU"}
    assert {m.precision for m in asked} == {6}


def test_offsets_point_at_the_text(nlp: Language) -> None:
    text = "The Kalbajar district bordering Armenia is due to be handed over to Azerbaijan."
    for mention in parse(nlp, text):
        assert text[mention.start : mention.end] == mention.text


@pytest.mark.skipif(not SEED.with_suffix(".txt").exists(), reason="../shared/data is absent")
def test_seed_article_places_are_found_within_the_stated_distances(nlp: Language) -> None:
    text = SEED.with_suffix(".txt").read_text(encoding="utf-8")
    expected = json.loads(SEED.with_suffix(".expected.json").read_text(encoding="utf-8"))
    mentions = parse(nlp, text)
    for place in expected["places"]:
        candidates = [m for m in mentions if m.text == place["name"] or m.name == place["name"]]
        assert candidates, place["name"]
        for mention in candidates:
            if "country" in place:
                assert mention.country == place["country"], mention
            if "within_km" in place:
                km = distance_km(mention.lat or 0, mention.lon or 0, place["lat"], place["lon"])
                assert km <= place["within_km"], (mention, km)


def test_places_inside_organisation_names_are_marked_org(nlp: Language) -> None:
    mentions = parse(nlp, "Turkey criticized the co-chairs of the Minsk Group for years.")
    minsk = only(mentions, "Minsk")
    assert (minsk.label, minsk.country) == ("ORG", "BY")
    assert only(mentions, "Turkey").label == "GPE"


def test_a_possessive_is_not_part_of_the_name(nlp: Language) -> None:
    mentions = parse(nlp, "Georgia's capital Tbilisi hosted the talks; Armenia's envoy came too.")
    assert only(mentions, "Armenia").country == "AM"
    assert all(m.resolved for m in mentions if m.text in {"Armenia", "Tbilisi"})


def test_a_country_at_the_end_of_an_organisation_name(nlp: Language) -> None:
    mentions = parse(nlp, "The Central Bank of Armenia raised its rate, and Air Georgia cut fares.")
    armenia = [m for m in mentions if m.text == "Armenia"]
    assert armenia
    assert (armenia[0].label, armenia[0].country) == ("ORG", "AM")


@pytest.mark.parametrize(
    ("text", "toponym", "country", "name"),
    [
        # Divisions numbered in GeoNames, found through their seats (data/subdivision_seats.csv).
        ("Wildfires spread across Alberta and British Columbia.", "Alberta", "CA", "Alberta"),
        ("Floods hit Kerala after the monsoon.", "Kerala", "IN", "Kerala"),
        ("Police in Bavaria closed the border crossing.", "Bavaria", "DE", "Bavaria"),
        # AP-style abbreviations, only in their dotted form.
        ("The plant in Portland, Ore., closed on Friday.", "Ore.", "US", "Oregon"),
        # Postal abbreviations, where the text vouches for them: a place before a comma, or
        # their country named.
        ("A fire destroyed a barn in Conway, SC on Monday.", "SC", "US", "South Carolina"),
        (
            "Wastewater in WA is treated before it reaches the ocean, Australian officials said.",
            "WA",
            "AU",
            "Western Australia",
        ),
    ],
)
def test_divisions_and_their_abbreviations(
    nlp: Language, text: str, toponym: str, country: str, name: str
) -> None:
    mention = only(parse(nlp, text, GeoContext(focus_countries=())), toponym)
    assert (mention.country, mention.name) == (country, name)


def test_ontario_is_the_province_in_a_canadian_text(nlp: Language) -> None:
    mention = only(
        parse(nlp, "Canada's most populous province, Ontario, votes on Thursday."), "Ontario"
    )
    assert (mention.country, mention.feature_class) == ("CA", "A")


def test_a_sea_named_alone_is_the_sea_not_a_town(nlp: Language) -> None:
    text = "Storms formed over the Atlantic as Florida and Texas prepared for the season."
    mention = only(parse(nlp, text, GeoContext(focus_countries=())), "Atlantic")
    assert mention.name == "Atlantic Ocean"


def test_a_single_unknown_word_called_a_place_is_dropped(nlp: Language) -> None:
    # The model calls made-up single names GPE; no gazetteer knows them: not returned.
    mentions = parse(nlp, "Officials in Zorbulania said the talks in Baku went well.")
    assert [m.text for m in mentions if not m.resolved and " " not in m.text] == []
    assert only(mentions, "Baku").country == "AZ"


def test_demonyms_as_modifiers_are_toponyms_but_people_are_not(nlp: Language) -> None:
    # GeoWebNews's scheme: "Russian" in "Russian diplomats" is an (adjectival) toponym;
    # "Russians" and "a Nigerian" name people, not places.
    text = "Russian diplomats left. Russians protested, and a Nigerian was arrested."
    asked = parse(nlp, text, GeoContext(focus_countries=(), include_demonyms=True))
    assert [(m.text, m.country, m.label) for m in asked] == [("Russian", "RU", "NORP")]


def test_an_organisation_named_with_a_demonym_gives_its_country(nlp: Language) -> None:
    text = "Troops of the Nigerian Army moved north."
    asked = parse(nlp, text, GeoContext(focus_countries=(), include_demonyms=True))
    assert only(asked, "Nigerian").country == "NG"
    assert parse(nlp, text, GeoContext(focus_countries=())) == []


def test_the_adjective_of_a_continent_is_that_continent(nlp: Language) -> None:
    text = "European leaders met African ministers on trade."
    asked = parse(nlp, text, GeoContext(focus_countries=(), include_demonyms=True))
    assert {m.text: m.name for m in asked} == {"European": "Europe", "African": "Africa"}


@pytest.mark.parametrize(
    ("text", "name", "country"),
    [
        ("TORONTO — The family of a young man said on Monday it would appeal.", "Toronto", "CA"),
        (
            "MEXICO CITY (AP) — Officials said on Monday the vote would go ahead.",
            "Mexico City",
            "MX",
        ),
        # With an abbreviation's stop, with hyphens (seventh pass).
        ("ST. LOUIS — A county judge ruled on Monday in the case.", "St. Louis", "US"),
        ("PORT-AU-PRINCE, Haiti — Cholera cases rose in the Artibonite.", "Port-au-Prince", "HT"),
    ],
)
def test_an_all_capitals_dateline_is_a_place(
    nlp: Language, text: str, name: str, country: str
) -> None:
    mention = parse(nlp, text, GeoContext(focus_countries=()))[0]
    assert (mention.name, mention.country, mention.start) == (name, country, 0)


def test_initials_before_a_comma_are_no_dateline(nlp: Language) -> None:
    text = "Voters backed the left. AMLO, as he is known, leads the polls in Mexico."
    mentions = parse(nlp, text, GeoContext(focus_countries=()))
    assert [m.text for m in mentions] == ["Mexico"]


def test_the_eu_is_a_place(nlp: Language) -> None:
    mentions = parse(nlp, "Workers in the EU won new rights.", GeoContext(focus_countries=()))
    assert only(mentions, "EU").name == "European Union"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("The court heard the case in Dewsbury.", "GPE"),  # a preposition of place
        ("The court heard Dewsbury.", "ORG"),  # no cue, no country named: left alone
    ],
)
def test_a_preposition_of_place_vouches_for_a_town_the_model_calls_an_organisation(
    nlp: Language, gazetteer: Gazetteer, text: str, label: str
) -> None:
    doc = nlp(text)
    town = next(token.i for token in doc if token.text == "Dewsbury")
    doc.ents = [Span(doc, town, town + 1, label="ORG")]
    correct_place_entities(doc, gazetteer, GeoContext(focus_countries=()))
    assert [(e.text, e.label_) for e in doc.ents] == [("Dewsbury", label)]


def test_a_county_and_a_place_inside_it_after_a_comma(nlp: Language) -> None:
    text = "The calendar: Snetterton, Norfolk. Knockhill, Fife. Silverstone, Northamptonshire."
    mentions = parse(nlp, text, GeoContext(focus_countries=()))
    assert [m.text for m in mentions] == [
        "Snetterton", "Norfolk", "Knockhill", "Fife", "Silverstone", "Northamptonshire",
    ]  # fmt: skip
    assert {m.country for m in mentions} == {"GB"}
    # A circuit no gazetteer knows is placed in the division that follows it.
    knockhill = only(mentions, "Knockhill")
    assert (knockhill.name, knockhill.precision) == ("Fife", 3)


def test_a_county_of_england_in_running_text(nlp: Language) -> None:
    mention = only(parse(nlp, "Flooding closed roads in Kent, England, on Monday."), "Kent")
    assert (mention.country, mention.precision) == ("GB", 3)


def test_places_inside_sums_and_untagged_names(nlp: Language) -> None:
    context = GeoContext(focus_countries=())
    money = parse(nlp, "The fund invested 11 billion US dollars in the region.", context)
    assert [(m.text, m.country) for m in money] == [("US", "US")]
    company = parse(nlp, "Officials from SME Mauritius Limited met the minister.", context)
    assert [(m.text, m.country) for m in company] == [("Mauritius", "MU")]


def test_a_town_listed_after_a_place_of_its_country(nlp: Language) -> None:
    # The model calls Almelo a PERSON; listed after Hilversum, it is the Dutch town.
    text = "Trains from Amsterdam to Berlin stop in Hilversum and Almelo."
    assert only(parse(nlp, text, GeoContext(focus_countries=())), "Almelo").country == "NL"


@pytest.mark.parametrize(
    "text",
    [
        "Mamo was answering questions from the committee.",  # a one-word FAC
        "The vote in red states was close.",  # lower case
        # The model calls Helen Kunz a FAC; Kunz is the surname of a person named in full.
        "The defense suggested it was Helen Kunz that killed her family. Randy Kunz died.",
    ],
)
def test_unknown_names_that_are_no_places_are_dropped(nlp: Language, text: str) -> None:
    doc = nlp(text)
    assert any(ent.label_ in {"GPE", "LOC", "FAC"} for ent in doc.ents)  # what the model says
    assert geoparse_doc(doc, context=GeoContext(focus_countries=())) == []


@pytest.mark.parametrize(
    ("text", "toponym", "country", "name"),
    [
        # Not the Ukrainian village Chechnya: the Russian republic, with or without context.
        ("Fighting resumed in Chechnya.", "Chechnya", "RU", "Chechnya"),
        ("Ramzan Kadyrov, the leader of Chechnya, spoke in Grozny.", "Chechnya", "RU", "Chechnya"),
        ("Shelling was reported across the Donetsk Oblast.", "Donetsk Oblast", "UA", None),
        # The province, not the village of the same name near its middle.
        ("Armenian troops withdrew from Syunik on Tuesday.", "Syunik", "AM", "Syunik"),
    ],
)
def test_first_level_divisions_under_their_english_names(
    nlp: Language, text: str, toponym: str, country: str, name: str | None
) -> None:
    mention = only(parse(nlp, text, GeoContext(focus_countries=())), toponym)
    assert (mention.country, mention.precision) == (country, 4)
    if name is not None:
        assert mention.name == name


def test_a_name_used_as_a_place_is_a_place_wherever_it_recurs(nlp: Language) -> None:
    # One sense per text: the model tags the first "Hinton" GPE, the others ORG and PERSON.
    text = (
        "The mayor of Hinton, Alberta, spoke. Residents of Hinton said the plan would help "
        "Hinton grow."
    )
    mentions = parse(nlp, text, GeoContext(focus_countries=()))
    assert [(m.text, m.country) for m in mentions if m.text == "Hinton"] == [("Hinton", "CA")] * 3
    # Not after a title, nor initials.
    text = (
        "Flooding hit Washington state. Gen. Washington's statue and the TNA office in Washington."
    )
    found = [
        m.start for m in parse(nlp, text, GeoContext(focus_countries=())) if m.text == "Washington"
    ]
    assert text.index("Washington's") not in found


def test_postal_abbreviations_need_a_cue(nlp: Language) -> None:
    # India's Supreme Court ("the SC") and a Dutch company's suffix ("NV") are not states.
    text = "In New Delhi, the SC said the Centre must act. Shares of Cimpress NV fell in the US."
    assert {m.text for m in parse(nlp, text, GeoContext(focus_countries=()))} == {
        "New Delhi",
        "US",
    }


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Gunmen attacked the village of Kukawa Dala on Monday.", "Kukawa Dala"),
        ("Refugees crossed into the northern province of Zarbulan last week.", "Zarbulan"),
    ],
)
def test_a_name_after_a_kind_of_place_and_of_is_a_place(
    nlp: Language, text: str, name: str
) -> None:
    # Made-up names no gazetteer knows: returned unresolved, since the text says they are
    # places; without that cue such a single word is dropped (test above).
    mention = only(parse(nlp, text, GeoContext(focus_countries=())), name)
    assert not mention.resolved


def test_an_organisation_after_the_state_of_stays_an_organisation(nlp: Language) -> None:
    mentions = parse(nlp, "He spoke of the state of Emergency Services.", GeoContext(()))
    assert mentions == []


@pytest.mark.parametrize(
    ("text", "name", "division"),
    [
        ("CAMP ZORBA, Wash. - Soldiers trained there on Monday.", "CAMP ZORBA", "Washington"),
        ("PINE HOLLOW COUNTY, SC (AP) - A man was found.", "PINE HOLLOW COUNTY", "South Carolina"),
    ],
)
def test_a_dateline_the_gazetteer_lacks_is_placed_in_the_division_it_names(
    nlp: Language, text: str, name: str, division: str
) -> None:
    mention = only(parse(nlp, text, GeoContext(focus_countries=())), name)
    assert (mention.start, mention.name, mention.country) == (0, division, "US")


def test_an_untagged_state_abbreviation_qualifies_and_names_its_country(nlp: Language) -> None:
    # The model leaves "B.C." untagged where its stop ends the sentence; it still qualifies
    # Nelson, and names Canada for the small town the text introduces with "to".
    text = "The office is in Nelson, B.C. Instead of driving to Castlegar, people walk."
    mentions = parse(nlp, text, GeoContext(focus_countries=()))
    assert only(mentions, "B.C.").name == "British Columbia"
    assert only(mentions, "Castlegar").country == "CA"


@pytest.mark.parametrize(
    "text",
    [
        "Thousands attended the Easter Vigil at the cathedral.",
        "She won the Dublin International Piano Competition last year.",
        "Parliament passed the Traditional Leadership and Governance Framework Act in 2003.",
    ],
)
def test_events_and_laws_the_model_calls_buildings_are_no_places(nlp: Language, text: str) -> None:
    assert [
        m.text for m in parse(nlp, text, GeoContext(focus_countries=())) if not m.resolved
    ] == []


def test_a_word_that_names_only_a_hamlet_needs_a_cue(nlp: Language) -> None:
    # "Salah" is only a Turkish village of 700: a name in "the next Salah", a place in "the
    # village of Salah".
    context = GeoContext(focus_countries=())
    assert parse(nlp, "The next Salah is coming, he said.", context) == []
    assert only(parse(nlp, "They met in the village of Salah last week.", context), "Salah")


@pytest.mark.parametrize(
    "text",
    [
        "Signed by Susil Premajayantha, Dayasiri Jayasekara, Dilan Perera and others.",
        "Members Kamal Perera, Nimal Jayasekara and Ruwan Senanayake voted.",
    ],
)
def test_an_unknown_name_listed_with_people_is_a_person(nlp: Language, text: str) -> None:
    # The model calls one of the names a GPE; no gazetteer knows it, and it stands in a list
    # of people.
    assert parse(nlp, text, GeoContext(focus_countries=())) == []


def test_a_building_the_model_calls_an_organisation_is_a_place_after_at(nlp: Language) -> None:
    context = GeoContext(focus_countries=())
    text = "The band plays at the Orchard Theatre on Friday, in Dartford."
    assert only(parse(nlp, text, context), "Orchard Theatre").name == "Dartford"
    # Without a preposition of place the hospital is the organisation.
    assert parse(nlp, "Kelbrook Memorial Hospital reported a surplus.", context) == []


def test_an_abbreviated_saint_is_the_place_of_that_name(nlp: Language) -> None:
    # GeoNames names the Russian city "Saint Petersburg" and the Floridian one "St.
    # Petersburg": the abbreviation gives the smaller city no edge over the larger one.
    text = "Russia will close the US consulate in St. Petersburg, officials in Washington said."
    assert only(parse(nlp, text, GeoContext(focus_countries=())), "St. Petersburg").country == "RU"


def test_initials_in_mixed_case_are_no_place(nlp: Language) -> None:
    text = "The MoD has confirmed the death. An MoD spokesman said today it was sad."
    assert parse(nlp, text, GeoContext(focus_countries=())) == []


def test_a_county_the_gazetteer_lacks_is_a_division_at_the_town_beside_it(nlp: Language) -> None:
    text = "Deputies in Tiller County arrested two men near Dalton, Ga."
    county = only(parse(nlp, text, GeoContext(focus_countries=())), "Tiller County")
    assert (county.name, county.country, county.feature_class, county.precision) == (
        "Dalton",
        "US",
        "A",
        3,
    )


def test_a_building_named_as_a_place_once_is_a_place_where_it_recurs(nlp: Language) -> None:
    text = (
        "The band plays at the Orchard Theatre in Dartford on Friday. Orchard Theatre staff "
        "said tickets had sold out."
    )
    found = [
        m for m in parse(nlp, text, GeoContext(focus_countries=())) if m.text == "Orchard Theatre"
    ]
    assert len(found) == 2


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Volunteers cleaned the shore of Kelbrook Lagoon on Sunday.", "Kelbrook Lagoon"),
        (
            "Turtles nest within the Kelbrook Environmental Protection Area each spring.",
            "Kelbrook Environmental Protection Area",
        ),
    ],
)
def test_a_natural_feature_the_model_calls_an_organisation_is_a_place(
    nlp: Language, text: str, name: str
) -> None:
    assert only(parse(nlp, text, GeoContext(focus_countries=())), name).label == "FAC"


def test_a_division_named_with_its_admin_word_is_that_division(nlp: Language) -> None:
    # The model leaves "Kebbi State" untagged.
    text = "Floods hit Kebbi State and Sokoto State last week."
    mention = only(parse(nlp, text, GeoContext(focus_countries=())), "Kebbi State")
    assert (mention.name, mention.country, mention.feature_class) == ("Kebbi", "NG", "A")


def test_a_us_county_is_placed_at_a_town_of_its_state_the_text_names(nlp: Language) -> None:
    # Walker County, Georgia, is named after no town: placed at the Georgian town beside it,
    # not at the town of Walker in another state.
    text = "Deputies in Walker County arrested two men near Dalton, Ga. on Friday."
    county = only(parse(nlp, text, GeoContext(focus_countries=())), "Walker County")
    # The county itself (not a town the gazetteer lacks it for, placed as a building is).
    assert county.name == "Walker County"
    assert (county.country, county.feature_class, county.precision) == ("US", "A", 3)
    assert county.lat is not None
    assert county.lon is not None
    assert distance_km(county.lat, county.lon, 34.77, -84.97) < 50


def test_an_english_county_council_stays_english(nlp: Language) -> None:
    text = "Kent County Council closed three roads near Maidstone, England, after the storm."
    kent = [m for m in parse(nlp, text, GeoContext(focus_countries=())) if "Kent" in m.text]
    assert [m.country for m in kent] == ["GB"]


def test_a_us_county_named_in_full_is_a_place_whatever_the_model_calls_it(
    nlp: Language,
) -> None:
    text = "A poll of 500 Cuyahoga County voters in Cleveland, Ohio, backed the levy."
    county = only(parse(nlp, text, GeoContext(focus_countries=())), "Cuyahoga County")
    assert county.country == "US"
    assert county.lat is not None
    assert county.lon is not None
    assert distance_km(county.lat, county.lon, 41.50, -81.69) < 50  # at Cleveland


def test_a_short_name_of_a_county_the_text_names_is_that_county(nlp: Language) -> None:
    text = (
        "Suffolk County police searched a house in Riverhead, New York, on Monday. "
        "Suffolk prosecutors said charges would follow."
    )
    mentions = parse(nlp, text, GeoContext(focus_countries=()))
    county = only(mentions, "Suffolk County")
    assert (county.country, county.precision) == ("US", 3)
    short = only(mentions, "Suffolk")
    assert (short.name, short.lat, short.lon) == (county.name, county.lat, county.lon)


def test_a_town_an_organisation_is_named_after_is_no_context_for_other_places(
    nlp: Language,
) -> None:
    # "Queens" (New York) starts a club's name: it says nothing of where the text is, so it
    # does not draw Sunderland and Norwich to their small American namesakes.
    text = "Queens Park Rangers lost at Sunderland and then at Norwich on Saturday."
    mentions = parse(nlp, text, GeoContext(focus_countries=()))
    assert [m.country for m in mentions if m.text in {"Sunderland", "Norwich"}] == ["GB", "GB"]


def test_short_capitals_name_a_town_only_as_its_name_or_initials(nlp: Language) -> None:
    context = GeoContext(focus_countries=())
    # "NBC" is an airport code of Nizhnekamsk in GeoNames, "DIY" one of Diyarbakir.
    text = "NBC News said the store sells DIY kits. Rents in NYC rose again."
    mentions = parse(nlp, text, context)
    assert [(m.text, m.name) for m in mentions] == [("NYC", "New York City")]


def test_an_abbreviated_title_is_no_place(nlp: Language) -> None:
    # The model sometimes calls "Sen." a GPE; GeoNames gives Southend-on-Sea the code "SEN".
    doc = nlp("Sen. Tammy Baldwin said on Tuesday that the plan would fail.")
    doc.ents = [Span(doc, 0, 1, label="GPE")]
    context = GeoContext(focus_countries=())
    assert geoparse_doc(doc, context=context, correct_entities=False) == []


def test_a_place_entity_with_its_division_after_a_comma_is_two_places(nlp: Language) -> None:
    # The model sometimes takes "Bend, Oregon" as one entity: the town, placed in the state,
    # and the state are each a toponym.
    doc = nlp("He lives in Bend, Oregon, with his family.")
    doc.ents = [Span(doc, 3, 6, label="GPE")]
    assert doc.ents[0].text == "Bend, Oregon"
    mentions = geoparse_doc(doc, context=GeoContext(focus_countries=()), correct_entities=False)
    assert [(m.text, m.name, m.country) for m in mentions] == [
        ("Bend", "Bend", "US"),
        ("Oregon", "Oregon", "US"),
    ]
