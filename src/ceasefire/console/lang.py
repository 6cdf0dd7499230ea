"""The language of the CLI's output, and its translation functions.

A terminal user picks it the usual way, first match wins: the global ``--lang`` option
(``ceasefire --lang ru ...``), else ``CEASEFIRE_LANG``, else the POSIX locale (the first
of ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` that is set: ``ru_RU.UTF-8`` is Russian,
``tr_TR`` Turkish; ``C``, ``POSIX`` and any other language are English). An unknown
``CEASEFIRE_LANG`` is passed over (the locale decides).

Commands mark their text with ``_`` and ``ngettext`` (extracted into the ``cli`` domain by
``scripts/i18n``) and translate it where it is printed; ``--json``, CSV, GeoJSON and ledger
exports are never translated.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache

from babel.support import NullTranslations, Translations

from ceasefire.i18n import DEFAULT_LANGUAGE, LANGUAGES, domain_translations, translations
from ceasefire.i18n.labels import label

ENV = "CEASEFIRE_LANG"
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")

_chosen: str | None = None


def _language_of(tag: str) -> str | None:
    """``ru_RU.UTF-8``, ``ru-RU``, ``RU`` -> ``ru``; ``None`` for any other language."""
    primary = tag.strip().split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return primary if primary in LANGUAGES else None


def resolve(option: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The CLI's language from ``--lang``, ``CEASEFIRE_LANG`` or the POSIX locale."""
    env = os.environ if environ is None else environ
    for tag in (option, env.get(ENV)):
        if tag and (lang := _language_of(tag)) is not None:
            return lang
    for name in LOCALE_VARIABLES:
        value = env.get(name)
        if value:  # POSIX: the first one set decides, even when it is C or another language
            return _language_of(value) or DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def choose(option: str | None) -> str:
    """Fix this process's CLI language (the root command does, from ``--lang``)."""
    global _chosen
    _chosen = resolve(option)
    return _chosen


def reset() -> None:
    """Forget the choice (tests running several commands in one process)."""
    global _chosen
    _chosen = None


def language() -> str:
    """The CLI's language: the one chosen, else what the environment says now."""
    return _chosen if _chosen is not None else resolve()


@cache
def catalogue(lang: str) -> NullTranslations:
    """The ``cli`` domain's messages for ``lang``, then the shared ones (an error's title)."""
    shared = translations(lang)
    own = domain_translations(lang, "cli")
    if not isinstance(own, Translations):
        return shared
    combined = Translations()
    if isinstance(shared, Translations):
        combined.merge(shared)
    combined.merge(own)  # the CLI's own wording wins
    combined.plural = own.plural  # Russian has three forms
    return combined


def _(message: str) -> str:
    """``message`` in the CLI's language (``""`` stays empty: gettext would give the header)."""
    if not message:
        return message
    return catalogue(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` for ``n`` in the CLI's language (Russian has three)."""
    return catalogue(language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in ``context`` (one English word, two meanings: a post's "class" is its
    classification, a place's its GeoNames feature class)."""
    return str(catalogue(language()).pgettext(context, message))


def word(kind: str, value: object) -> str:
    """A domain value (a status, a role, a category: ``i18n.labels``'s ``kind``) by its
    label in the CLI's language, where a table or a line shows it to a person; ``--json``
    keeps the code. The labels are the shared catalogues' (the pages' words), not the
    ``cli`` domain's: its "state" is a status, a member's kind "state" a country."""
    return label(kind, value, translations(language()).gettext)
