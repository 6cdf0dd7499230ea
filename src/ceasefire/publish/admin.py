"""ACLED's admin1–admin3 of an event, from the gazetteer (``ceasefire.news.geo``).

An event's place name is looked up in the gazetteer: the GeoNames places of 500 people or
more and the ISO 3166-2 subdivisions, which GeoNames' first-order division codes link.

- The candidates are the places of that name (any spelling the gazetteer knows; a
  division-level name may end in "district", "rayon", "region", "province" or "marz") of
  the kind the event's precision names: a town for an exact or nearby position
  (where_prec 1–2), a second- or first-order division (or a town) for a district
  (where_prec 3), a first-order division for a province (where_prec 4); nothing above.
- With an event position, the nearest candidate within ``TOWN_KM`` (a town) or
  ``DIVISION_KM`` (a division's seat or middle) is the place; none that near: no place
  (the name is not the place the position shows). Without a position the candidates must
  all give the same answer.
- ``admin1`` is the first-order division the place lies in (its GeoNames first-order code,
  named as the gazetteer names that division: an Azerbaijani rayon, an Armenian marz); a
  first-order division is its own ``admin1``. ``admin2`` is filled only when the place is
  itself a second-order division (the gazetteer links no town to one). ``admin3`` is always
  empty: the gazetteer holds no third-order divisions.

docs/exports.md says the same for the reader.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import cache, lru_cache

from ceasefire.news.geo.gazetteer import Gazetteer, Place
from ceasefire.publish.model import NO_ADMIN, AdminNames

TOWN_KM = 30.0
"""A town farther than this from the event position is not the place it names."""
DIVISION_KM = 100.0
"""The same for a division, whose coordinates are its seat or middle."""

_DIVISION_SUFFIXES = (" district", " rayon", " region", " province", " marz")
_KINDS_BY_PRECISION: dict[int, tuple[str, ...]] = {
    1: ("city",),
    2: ("city",),
    3: ("admin2", "admin1", "city"),
    4: ("admin1",),
}
_EARTH_KM = 6371.0088


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance: exact enough within the tens of kilometres compared."""
    dlat = math.radians(lat2 - lat1)
    dlon = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return _EARTH_KM * math.hypot(dlat, dlon)


@cache
def admin_lookup() -> AdminLookup:
    """The lookup of this process, over the gazetteer of this process (loaded, or built
    and cached, on first use: seconds)."""
    return AdminLookup(Gazetteer.load())


class AdminLookup:
    """admin1–admin3 of event places, from one gazetteer; the candidates of each name are
    looked up once (an export asks for the same few names a million times)."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self._gazetteer = gazetteer
        # (country, first-order code) → the division's name; where the gazetteer holds two
        # divisions under one code, the more populous.
        ranked: dict[tuple[str, str], Place] = {}
        for division in gazetteer:
            if division.kind != "admin1":
                continue
            key = (division.country, division.admin1)
            have = ranked.get(key)
            if have is None or division.population > have.population:
                ranked[key] = division
        self._divisions = {key: place.name for key, place in ranked.items()}
        self._candidates: Callable[[str, int], Sequence[tuple[Place, AdminNames]]] = lru_cache(
            maxsize=4096
        )(self._find)

    def _names(self, place: Place) -> AdminNames:
        if place.kind == "admin1":
            return (place.name, "", "")
        first = self._divisions.get((place.country, place.admin1), "")
        if place.kind == "admin2":
            return (first, place.name, "")
        return (first, "", "")

    def _find(self, name: str, precision: int) -> tuple[tuple[Place, AdminNames], ...]:
        kinds = _KINDS_BY_PRECISION.get(precision, ())
        if not kinds:
            return ()
        spellings = [name]
        lowered = name.casefold()
        spellings += [name[: -len(s)] for s in _DIVISION_SUFFIXES if lowered.endswith(s)]
        gazetteer = self._gazetteer
        found = [p for s in spellings for p in gazetteer.lookup(s) or gazetteer.lookup_native(s)]
        for kind in kinds:
            of_kind = [p for p in found if p.kind == kind]
            if of_kind:
                return tuple((p, self._names(p)) for p in of_kind)
        return ()

    def admin(
        self, name: str | None, lat: float | None, lon: float | None, precision: int | None
    ) -> AdminNames:
        """admin1, admin2, admin3 of an event at ``name`` (``""`` where not known)."""
        if not name or precision is None:
            return NO_ADMIN
        candidates = self._candidates(name, precision)
        if not candidates:
            return NO_ADMIN
        if lat is None or lon is None:
            answers = {names for _, names in candidates}
            return answers.pop() if len(answers) == 1 else NO_ADMIN
        best, nearest = NO_ADMIN, math.inf
        for place, names in candidates:
            limit = TOWN_KM if place.kind == "city" else DIVISION_KM
            distance = _km(lat, lon, place.lat, place.lon)
            if distance <= limit and distance < nearest:
                best, nearest = names, distance
        return best
