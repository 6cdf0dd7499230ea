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
(``localities_named``, from the same table as the synthetic streams). A real gazetteer of
districts and villages replaces this table.
"""

from __future__ import annotations

import math

from ceasefire.fusion.model import EARTH_RADIUS_M, normalise_text
from ceasefire.fusion.synthetic import PLACES, localities_named

__all__ = ["NEAREST_TOWN_M", "areas_of", "localities_named"]

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
