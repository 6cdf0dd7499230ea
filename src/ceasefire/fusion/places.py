"""The administrative areas (district, region) a report lies in, for the matcher's coarse
gate and its index.

The gazetteer (``ceasefire.news.geo``) has no districts yet, so this is a small table: the
towns of the 2020 statement's area with their district and economic region (GeoNames
coordinates; shared/docs/domain.md), the same ten the synthetic streams use. A point is in
the district of the nearest of them within ``NEAREST_TOWN_M``; a district- or region-level
report names its area ("Aghdam district", "Karabakh region"). Outside these towns a report
has no area: it still matches on distance, but a coarse report there matches nothing
automatically (an analyst merges it). The villages around each town (``LOCALITIES``, names
only) let ``fusion.matcher.v3`` compare the villages two narratives name
(``localities_named``). The synthetic streams (``fusion.synthetic``) draw their places from
these tables, not the other way round. A real gazetteer of districts and villages replaces
this table.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ceasefire.fusion.model import EARTH_RADIUS_M, normalise_text

__all__ = [
    "LOCALITIES",
    "NEAREST_TOWN_M",
    "PLACES",
    "Place",
    "areas_of",
    "is_village",
    "localities_named",
]


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    lat: float
    lon: float
    district: str
    region: str


PLACES: tuple[Place, ...] = (
    # GeoNames coordinates (shared/docs/domain.md); regions are Azerbaijan's economic
    # regions of 2021 and Armenia's Syunik province.
    Place("Aghdam", 39.991, 46.927, "Aghdam", "Karabakh"),
    Place("Kalbajar", 40.110, 46.044, "Kalbajar", "East Zangezur"),
    Place("Lachin", 39.637, 46.550, "Lachin", "East Zangezur"),
    Place("Shusha", 39.760, 46.750, "Shusha", "Karabakh"),
    Place("Khankendi", 39.818, 46.753, "Khankendi", "Karabakh"),
    Place("Fuzuli", 39.601, 47.145, "Fuzuli", "Karabakh"),
    Place("Jabrayil", 39.399, 47.028, "Jabrayil", "East Zangezur"),
    Place("Zangilan", 39.084, 46.660, "Zangilan", "East Zangezur"),
    Place("Qubadli", 39.344, 46.582, "Qubadli", "East Zangezur"),
    Place("Goris", 39.511, 46.342, "Goris", "Syunik"),
)

LOCALITIES: dict[str, tuple[str, ...]] = {
    # Villages a source may name beside the town (spellings vary between sources).
    "Aghdam": ("Giyamaddinli", "Papravend", "Sarijali", "Kangarli", "Khidirli"),
    "Kalbajar": ("Istisu", "Zallar", "Chapli", "Karvend"),
    "Lachin": ("Sus", "Zabukh", "Mirik", "Hochaz"),
    "Shusha": ("Dashalti", "Shushakend", "Turshsu"),
    "Khankendi": ("Krkzhan", "Mukhtar", "Badara"),
    "Fuzuli": ("Horadiz", "Alkhanli", "Gochahmadli"),
    "Jabrayil": ("Soltanli", "Mehdili", "Chocuk Marjanli"),
    "Zangilan": ("Mincivan", "Aghband", "Bartaz"),
    "Qubadli": ("Khanlig", "Muradkhanli", "Dayikand"),
    "Goris": ("Tegh", "Kornidzor", "Akner", "Khndzoresk"),
}

_VILLAGES = re.compile(
    r"\b("
    + "|".join(
        re.escape(normalise_text(v))
        for v in sorted({v for vs in LOCALITIES.values() for v in vs}, key=lambda v: (-len(v), v))
    )
    + r")\b"
)


def localities_named(text: str) -> frozenset[str]:
    """The villages of ``LOCALITIES`` a normalised narrative names (the table is also the
    service's, ``fusion.places``): a village says more than its town, which every event
    nearby shares."""
    return frozenset(_VILLAGES.findall(text)) if text else frozenset()


_VILLAGE_NAMES = frozenset(normalise_text(v) for vs in LOCALITIES.values() for v in vs)


def is_village(place_name: str | None) -> bool:
    """Whether ``place_name`` (as a source gives it) is a village of ``LOCALITIES``: a point
    "near" it is the village's own, a few kilometres across, not a town's
    (``fusion.matcher.v7``)."""
    return normalise_text(place_name) in _VILLAGE_NAMES


NEAREST_TOWN_M = 30_000.0
"""A point farther than this from every known town has no district."""

_DISTRICTS = {normalise_text(p.district): p for p in PLACES}
_REGIONS = {normalise_text(p.region): p.region for p in PLACES}
_TOWNS = {normalise_text(p.name): p for p in PLACES}


def _distance(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dlat = math.radians(lat2 - lat1)
    dlon = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return EARTH_RADIUS_M * math.hypot(dlat, dlon)


def areas_of(
    lat: float | None, lon: float | None, place_name: str | None, precision: int
) -> tuple[str | None, str | None]:
    """(district, region) of a report's event position, or ``None`` where unknown."""
    name = normalise_text(place_name)
    if precision <= 2 and lat is not None and lon is not None:
        town = min(PLACES, key=lambda p: _distance(lat, lon, p.lat, p.lon))
        if _distance(lat, lon, town.lat, town.lon) <= NEAREST_TOWN_M:
            return town.district, town.region
        return None, None
    if precision == 3:
        stem = name.removesuffix(" district").removesuffix(" rayon")
        place = _DISTRICTS.get(stem) or _TOWNS.get(stem)
        return (place.district, place.region) if place else (None, None)
    if precision == 4:
        stem = name.removesuffix(" region").removesuffix(" economic region")
        if stem in _REGIONS:
            return None, _REGIONS[stem]
        place = _DISTRICTS.get(stem) or _TOWNS.get(stem)
        return (None, place.region) if place else (None, None)
    return None, None
