"""news.places.v1: the place mentions of the article, from the geoparser in ``news/geo``.

This component is the seam between the pipeline and the geoparser (``ceasefire.news.geo``),
which is a pure function over a spaCy Doc returning place mentions (start, end, text, name,
lat, lon, country, feature_class, precision). It adapts them to :class:`PlaceMention`.
When the geoparser is not installed the component records a note and finds no places.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from spacy.tokens import Doc

from ceasefire.news.model import PlaceMention
from ceasefire.news.pipeline import NewsDoc, PipelineResources, register

NAME = "news.places.v1"

Geoparser = Callable[[Doc], Iterable[Any]]


@register(NAME, requires=["doc"], assigns=["places"])
def make_places(resources: PipelineResources) -> PlacesComponent:
    """Find and resolve toponyms with the geoparser of ``ceasefire.news.geo``."""
    return PlacesComponent(load_geoparser(resources.geo_focus))


def load_geoparser(focus: tuple[str, ...] = ()) -> Geoparser | None:
    """The geoparser's entry point, or None when it is not available.

    ``focus`` names the countries (ISO alpha-2) the centre watches: a weak prior for names
    found in several countries (Lachin, Azerbaijan over Laçin, Turkey).
    """
    try:
        from ceasefire.news.geo import GeoContext, places_in_doc
    except ImportError:
        return None
    context = GeoContext(focus_countries=focus)

    def parse(doc: Doc) -> Iterable[Any]:
        return places_in_doc(doc, context=context)

    return parse


class PlacesComponent:
    def __init__(self, geoparser: Geoparser | None) -> None:
        self.geoparser = geoparser

    def __call__(self, news: NewsDoc) -> NewsDoc:
        if self.geoparser is None or news.doc is None:
            news.notes.append(f"{NAME}: geoparser not available, no places resolved")
            return news
        news.places = sorted(
            (to_place(item) for item in self.geoparser(news.doc)), key=lambda p: p.start
        )
        return news


def _field(item: Any, name: str) -> Any:
    if isinstance(item, dict):
        return item.get(name)
    return getattr(item, name, None)


def to_place(item: Any) -> PlaceMention:
    """Adapt one mention of the geoparser (object or dict) to a PlaceMention."""
    lat = _field(item, "lat")
    lon = _field(item, "lon")
    return PlaceMention(
        start=int(_field(item, "start")),
        end=int(_field(item, "end")),
        text=str(_field(item, "text")),
        name=str(_field(item, "name") or _field(item, "text")),
        lat=float(lat) if lat is not None else None,
        lon=float(lon) if lon is not None else None,
        country=_field(item, "country"),
        feature_class=_field(item, "feature_class"),
        precision=_field(item, "precision"),
        geonameid=_field(item, "geonameid"),
    )
