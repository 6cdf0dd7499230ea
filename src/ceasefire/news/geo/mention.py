"""What the geoparser returns (``PlaceMention``) and what it is told (``GeoContext``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ceasefire.news.model import place_fields

EARTH_RADIUS_KM = 6371.0088

# The region of interest of the shipped centre: the South Caucasus, then its neighbours.
CAUCASUS_FOCUS = ("AZ", "AM", "GE")


@dataclass(frozen=True, slots=True)
class GeoContext:
    """What the geoparser knows beyond the text itself.

    ``focus_countries`` is the region of interest (ISO alpha-2): a place there is preferred when
    nothing in the text decides between homonyms (Lachin in Azerbaijan over Laçin in Turkey).
    It is a weak prior that any country named in the text outweighs. ``countries`` are countries
    known from outside the text (the zone a report is about, say) and count as if named in it.
    ``include_demonyms`` also returns demonyms used as modifiers ("Turkish troops", "the
    Nigerian Army", "African leaders") as mentions of their country or continent, labelled NORP;
    nouns naming people ("Turks", "a Nigerian") never. By default demonyms only inform
    disambiguation.
    """

    focus_countries: tuple[str, ...] = CAUCASUS_FOCUS
    countries: tuple[str, ...] = ()
    include_demonyms: bool = False


DEFAULT_CONTEXT = GeoContext()


@dataclass(frozen=True, slots=True)
class PlaceMention:
    """One toponym in a text and the place it was resolved to.

    ``start``/``end`` are character offsets into the text, ``text`` the surface form. The rest
    describes the resolved place and is ``None`` when the toponym was recognised but not
    resolved (a street or building the gazetteer does not hold, in a text that names no town
    to place it at; beside one, it takes that town's place): ``name`` as GeoNames (or the
    gazetteer) writes it, ``lat``/``lon`` in WGS 84 decimal degrees, ``country`` ISO 3166-1
    alpha-2 (``None`` also for continents, seas and world regions), ``feature_class`` the
    GeoNames class (P populated place, A country or administrative area, L region or continent,
    H water), ``precision`` a UCDP where_prec-like code (1 exact place ... 7 water; see
    docs/geoparsing.md), ``geonameid`` where GeoNames has one, and ``score`` how far ahead of
    the next reading the chosen one was (0 when there was no other). ``label`` is the entity
    label: GPE, LOC or FAC; NORP for a demonym (only with ``include_demonyms``); ORG for a place
    named inside an organisation's name ("Minsk" in "the Minsk Group"), a toponym that says
    nothing about where an event happened.
    """

    start: int
    end: int
    text: str
    name: str | None = None
    lat: float | None = None
    lon: float | None = None
    country: str | None = None
    feature_class: str | None = None
    precision: int | None = None
    geonameid: int | None = None
    label: str = "GPE"
    score: float = 0.0

    @property
    def resolved(self) -> bool:
        """Whether the mention has coordinates."""
        return self.lat is not None and self.lon is not None

    def to_json(self) -> dict[str, Any]:
        """The shape of ``ceasefire geoparse --jsonl``: exactly these nine keys."""
        return place_fields(self)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))
