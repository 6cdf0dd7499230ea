"""News pipelines for languages other than English and the choice of pipeline by language.

Importing this package registers their components (``news.*.ru.v1``, ``news.*.tr.v1``,
``news.*.az.v1``, ``news.*.hy.v1``, ``news.places.names.v1``). :func:`pipeline_for_language`
says which components run for an article's language and :func:`language_note` how the output
says so.
"""

from __future__ import annotations

from ceasefire.news.lang import az, hy, names, ru, tr
from ceasefire.news.pipeline import DEFAULT_PIPELINE

# Scripts written without capital letters: no names to look up without a model.
_UNCASED = frozenset({"ja", "ko", "zh", "ar", "fa", "ur", "ps", "he", "yi", "th", "hi", "ka"})
LANGUAGE_NAMES = {
    "en": "English",
    "ru": "Russian",
    "tr": "Turkish",
    "az": "Azerbaijani",
    "hy": "Armenian",
}
PIPELINES: dict[str, tuple[str, ...]] = {
    "en": DEFAULT_PIPELINE,
    "ru": ru.PIPELINE,
    "tr": tr.PIPELINE,
    "az": az.PIPELINE,
    "hy": hy.PIPELINE,
}
PLACES_ONLY: tuple[str, ...] = (names.NAME,)


def pipeline_for_language(language: str) -> tuple[str, ...]:
    """The components that run for an article in ``language`` (ISO 639-1)."""
    if language in PIPELINES:
        return PIPELINES[language]
    if language in _UNCASED or language == "und":
        return ()
    return PLACES_ONLY


# The components that find places, per language: what ``ceasefire geoparse FILE`` runs.
_PLACES: dict[str, tuple[str, ...]] = {
    "en": ("news.parse.v1", "news.places.v1"),
    "ru": ("news.parse.ru.v1", "news.places.ru.v1"),
    "tr": ("news.tokens.tr.v1", "news.places.tr.v1"),
    "az": az.PIPELINE[:2],
    "hy": hy.PIPELINE[:2],
}


def places_pipeline_for_language(language: str) -> tuple[str, ...]:
    """The components that find the places of an article in ``language``."""
    return _PLACES.get(language) or pipeline_for_language(language)


def language_note(language: str, components: tuple[str, ...] | list[str]) -> str:
    """The note of the output saying what was done for the article's language."""
    if language in PIPELINES:
        return (
            f"language {language!r} ({LANGUAGE_NAMES[language]}): full pipeline "
            f"({', '.join(components)})"
        )
    if components:
        return (
            f"language {language!r}: no event coder for this language; the article and the "
            f"places its capitalised names give ({', '.join(components)}) are returned"
        )
    return (
        f"language {language!r}: no event coder and no place finder for this language or "
        "script; the article alone is returned"
    )


__all__ = [
    "PIPELINES",
    "PLACES_ONLY",
    "az",
    "hy",
    "language_note",
    "names",
    "pipeline_for_language",
    "places_pipeline_for_language",
    "ru",
    "tr",
]
