"""ACLED's admin1–admin3 from the gazetteer: the division a resolved place lies in, nothing
for a place the gazetteer does not know or a name that is not the place the position shows."""

from __future__ import annotations

import pytest

from ceasefire.news.geo.gazetteer import Gazetteer
from ceasefire.publish.admin import AdminLookup
from ceasefire.publish.model import NO_ADMIN


@pytest.fixture(scope="module")
def lookup(gazetteer: Gazetteer) -> AdminLookup:
    return AdminLookup(gazetteer)


@pytest.mark.parametrize(
    ("name", "lat", "lon", "precision", "expected"),
    [
        # Towns of the 2020 statement's area: their Azerbaijani rayon, or Armenian marz.
        ("Aghdam", 39.991, 46.927, 2, ("Aghdam", "", "")),
        ("Goris", 39.511, 46.342, 1, ("Syunik", "", "")),
        # Other spellings the gazetteer knows, Cyrillic included.
        ("Stepanakert", 39.818, 46.753, 2, ("Khankendi", "", "")),
        ("Лачин", 39.637, 46.55, 2, ("Laçın", "", "")),
        # Two towns called Fuzuli: the position says which (the small one is in Shamkir).
        ("Fuzuli", 39.601, 47.145, 1, ("Fuzuli", "", "")),
        ("Fuzuli", 40.82, 46.13, 1, ("Shamkhir", "", "")),
        # A district-level place: a second-order division, in its first-order one.
        ("Sharur district", 39.55, 44.98, 3, ("Nakhchivan", "Sharur City", "")),
        ("Syunik province", 39.3, 46.3, 4, ("Syunik", "", "")),
    ],
)
def test_a_resolved_place_has_its_divisions(
    lookup: AdminLookup,
    name: str,
    lat: float,
    lon: float,
    precision: int,
    expected: tuple[str, str, str],
) -> None:
    assert lookup.admin(name, lat, lon, precision) == expected


def test_without_a_position_only_an_unambiguous_name_resolves(lookup: AdminLookup) -> None:
    assert lookup.admin("Khankendi", None, None, 2) == ("Khankendi", "", "")
    # Fuzuli (two towns in two rayons) and Goris (spelled like Gori, Georgia) are not.
    assert lookup.admin("Fuzuli", None, None, 2) == NO_ADMIN
    assert lookup.admin("Goris", None, None, 2) == NO_ADMIN


def test_nothing_is_guessed(lookup: AdminLookup) -> None:
    # A village below GeoNames' 500 inhabitants: not in the gazetteer.
    assert lookup.admin("Giyamaddinli", 40.0, 46.9, 1) == NO_ADMIN
    # The name is not the place the position shows (Aghdam, but in Paris).
    assert lookup.admin("Aghdam", 48.85, 2.35, 1) == NO_ADMIN
    # A region, a country or water: no single division.
    assert lookup.admin("Azerbaijan", 40.4, 47.5, 6) == NO_ADMIN
    assert lookup.admin(None, 39.991, 46.927, 2) == NO_ADMIN
    assert lookup.admin("Aghdam", 39.991, 46.927, None) == NO_ADMIN
