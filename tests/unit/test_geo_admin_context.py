"""The geoparser on the admin context of local news outside the US and of outbreak reports
(tenth pass): "X and Y in southern Z", "the X zone of Y", "residents of X", lists after "the
districts of", a county in the state of the text's towns. The texts are written for these
tests (not taken from any evaluation file)."""

from __future__ import annotations

from spacy.language import Language

from ceasefire.news.geo import Gazetteer
from tests.factories.geo import near, only, parse


def test_towns_listed_before_in_and_their_state_are_found(nlp: Language) -> None:
    # The model calls both towns persons and leaves the state's postal abbreviation
    # untagged: "in southern NSW" contains them.
    text = "Bushfire crews from Cooma and Tumut in southern NSW were sent north on Monday."
    mentions = parse(nlp, text)
    cooma, tumut = only(mentions, "Cooma"), only(mentions, "Tumut")
    assert (cooma.country, tumut.country) == ("AU", "AU")
    assert near(cooma, -36.24, 149.12, km=30)
    assert near(tumut, -35.30, 148.22, km=30)
    nsw = only(mentions, "NSW")
    assert (nsw.name, nsw.feature_class) == ("New South Wales", "A")


def test_an_area_of_a_named_division_is_a_place_inside_it(nlp: Language) -> None:
    # "Borana" is no town the gazetteer knows; "the X zone of Y" says where it is.
    text = "Measles spread through the Borana zone of Oromia region, Ethiopia, in March."
    borana = only(parse(nlp, text), "Borana")
    assert borana.resolved
    assert borana.country == "ET"


def test_a_ward_of_a_town_lies_in_the_town(nlp: Language) -> None:
    # No Sherwood of GeoNames' towns is in England: the ward is placed at the city, and the
    # American Sherwoods no longer draw Nottingham to New Hampshire.
    text = "A by-election will be held in the Sherwood ward of Nottingham next month."
    mentions = parse(nlp, text)
    city, ward = only(mentions, "Nottingham"), only(mentions, "Sherwood")
    assert (city.country, ward.country) == ("GB", "GB")
    assert near(ward, 52.95, -1.15, km=10)


def test_the_districts_of_a_list_are_each_a_place(nlp: Language) -> None:
    # The model tags the first district as an organisation.
    text = "Lassa fever cases rose in the districts of Kenema, Kailahun and Tonkolili."
    mentions = parse(nlp, text)
    assert {m.text for m in mentions} >= {"Kenema", "Kailahun"}
    assert all(m.country == "SL" for m in mentions if m.text in {"Kenema", "Kailahun"})


def test_a_town_the_tokenizer_and_model_cut_in_two_is_one_place(nlp: Language) -> None:
    text = "A man was arrested in Merthyr Tydfil after a fight outside a pub on Friday."
    town = only(parse(nlp, text), "Merthyr Tydfil")
    assert (town.country, town.feature_class) == ("GB", "P")


def test_a_province_abbreviation_whose_stop_the_tokenizer_cut_off(nlp: Language) -> None:
    text = "KINGSTON, Ont. — Police are looking for a driver who hit a cyclist on Monday."
    province = only(parse(nlp, text), "Ont.")
    assert (province.name, province.country) == ("Ontario", "CA")


def test_residents_of_a_small_town_are_where_they_live(nlp: Language) -> None:
    # Attawapiskat has 1,500 people: "residents of" vouches for it, as "in" does for larger
    # towns.
    text = "Residents of Attawapiskat have been without clean water for a month."
    town = only(parse(nlp, text), "Attawapiskat")
    assert town.country == "CA"


def test_a_county_is_in_the_state_of_the_towns_the_text_names(nlp: Language) -> None:
    # Neither town is certain alone (many Lexingtons, several Frankforts), but both are read
    # as Kentucky's, so "Fayette County" is Kentucky's, not one of its ten namesakes.
    text = (
        "Lexington police said a woman from Frankfort was hurt in the crash, and Fayette "
        "County deputies closed the road."
    )
    county = only(parse(nlp, text), "Fayette County")
    assert near(county, 38.04, -84.46, km=60)


def test_an_irish_county_is_named_with_its_word_first(gazetteer: Gazetteer) -> None:
    (cork,) = [p for p in gazetteer.lookup("County Cork") if p.kind == "admin2"]
    assert cork.country == "IE"
    (antrim,) = gazetteer.lookup("Co. Antrim")
    assert (antrim.country, antrim.kind) == ("GB", "admin2")


def test_a_small_town_of_an_unnamed_country_is_no_reading_in_a_text_about_another(
    nlp: Language,
) -> None:
    # GeoNames' Castillas are Spanish, Colombian and Philippine towns: in a Peruvian report
    # "Castilla" is a district of Piura the gazetteer lacks, placed at the town beside it.
    text = "In Peru, dengue cases rose in Piura and in the districts of Castilla and Sullana."
    castilla = only(parse(nlp, text), "Castilla")
    assert castilla.country == "PE"
