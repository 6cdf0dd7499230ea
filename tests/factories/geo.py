"""Helpers of the geoparser's tests on written texts: parse with no region of interest, pick
the one mention of a name, check a distance."""

from __future__ import annotations

from spacy.language import Language

from ceasefire.news.geo import GeoContext, PlaceMention, distance_km, geoparse_doc

WORLD = GeoContext(focus_countries=())


def parse(nlp: Language, text: str) -> list[PlaceMention]:
    return geoparse_doc(nlp(text), context=WORLD)


def only(mentions: list[PlaceMention], text: str) -> PlaceMention:
    found = [m for m in mentions if m.text == text]
    assert len(found) == 1, [m.text for m in mentions]
    return found[0]


def near(mention: PlaceMention, lat: float, lon: float, km: float) -> bool:
    assert mention.lat is not None, mention
    assert mention.lon is not None, mention
    return distance_km(mention.lat, mention.lon, lat, lon) <= km
