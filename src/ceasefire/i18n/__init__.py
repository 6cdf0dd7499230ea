"""The centre's working languages: English, Russian and Turkish, through gettext catalogues.

Catalogues are plain ``.po`` files under ``i18n/locale/<lang>/LC_MESSAGES/<domain>.po``, one
domain per area that shows text to people (``web``, ``publish``, ``core`` for the coded
errors, ``cli`` for the command line's output; ``publish/commands.py`` is in ``publish``).
English is the source language: its messages are the msgids themselves, so it needs no
catalogue. The ``.po`` files are compiled in memory once per process (no ``.mo`` build
step, nothing generated is committed). ``scripts/i18n`` extracts the marked strings and
updates the catalogues; ``tests/unit/test_i18n_catalogues.py`` fails on any marked string
that a catalogue lacks or leaves untranslated.

Mark strings in Python with ``_`` / ``N_`` (see :mod:`ceasefire.i18n.markers`) and in
templates with ``{{ _("...") }}`` or ``{% trans %}``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime, tzinfo
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LANGUAGES: tuple[str, ...] = ("en", "ru", "tr")
"""The working languages, the source language first."""
DEFAULT_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAINS: dict[str, tuple[str, ...]] = {
    "core": (
        "errors.py",
        "config.py",
        "app.py",
        "ids.py",
        "timeutil.py",
        "i18n/labels.py",
        "agreements",
        "alerts",
        "api",
        "compliance",
        "db",
        "fusion",
        "incidents",
        "ledger",
        "members",
        "reports",
        "news/actordict.py",
        "news/api.py",
        "news/backfill.py",
        "news/evaluation.py",
        "news/extract.py",
        "news/geo/evaluation.py",
        "news/html.py",
        "news/inputs.py",
        "news/lang_evaluation.py",
        "news/pipeline.py",
        "news/plaintext.py",
        "news/reporting.py",
        "news/service.py",
        "news/wordnet.py",
    ),
    "web": ("web",),
    "publish": ("publish",),
    "cli": (
        "cli.py",
        "console",
        "members/commands.py",
        "agreements/commands.py",
        "reports/commands.py",
        "incidents/commands.py",
        "ledger/commands.py",
        "ledger/operations_commands.py",
        "news/commands.py",
        "news/evaluation_commands.py",
        "news/geo_commands.py",
        "news/index_progress.py",
        "fusion/commands.py",
        "compliance/commands.py",
        "alerts/commands.py",
        "publish/commands.py",
    ),
    "click": ("console/clickwords.py",),
}
"""Each catalogue domain and the source paths (relative to the package) whose strings it holds."""

LANGUAGE_NAMES: dict[str, str] = {"en": "English", "ru": "Русский", "tr": "Türkçe"}
"""Each language in its own name (what a language switcher shows, never translated)."""


def catalogue_path(lang: str, domain: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


SEPARATE_DOMAINS: tuple[str, ...] = ("cli", "click")
"""Domains kept out of :func:`translations`: the CLI's short words ("state", "class") mean
other things than the web's, so its catalogue is looked up first only by the CLI
(:func:`domain_translations`, falling back on the others); ``click`` holds the words of the
parser's usage errors, which only the CLI shows (``console/clickwords.py``)."""


@cache
def domain_translations(lang: str, domain: str) -> NullTranslations:
    """One domain's messages for ``lang`` (English, unknown languages, no catalogue: none)."""
    return _load(lang, domain)


def _load(lang: str, domain: str) -> NullTranslations:
    path = catalogue_path(lang, domain)
    if lang not in LANGUAGES or lang == DEFAULT_LANGUAGE or not path.exists():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=domain)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=domain)


@cache
def translations(lang: str) -> NullTranslations:
    """The shared domains' messages for ``lang`` (English and unknown languages: the msgids)."""
    merged: Translations | None = None
    for domain in DOMAINS:
        if domain in SEPARATE_DOMAINS:
            continue
        loaded = _load(lang, domain)
        if not isinstance(loaded, Translations):
            continue
        if merged is None:
            merged = loaded
        else:
            merged.merge(loaded)
    return merged if merged is not None else NullTranslations()


def gettext(lang: str, message: str) -> str:
    return translations(lang).gettext(message)


def negotiate(accept_language: str | None, *, preferred: str | None = None) -> str:
    """The language to answer in: the user's choice, else the browser's, else English.

    ``accept_language`` is an HTTP ``Accept-Language`` value (``ru-RU,ru;q=0.9,en;q=0.8``);
    a malformed one is ignored rather than refused.
    """
    if preferred in LANGUAGES:
        return str(preferred)
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")[:32]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return sorted(ranked)[0][2] if ranked else DEFAULT_LANGUAGE


def zone(name: str | None) -> tzinfo:
    """The user's time zone (UTC when none or unknown)."""
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def format_instant(
    value: datetime | None, lang: str, *, tz: str | None = None, fmt: str = "medium"
) -> str:
    """An instant in the reader's language and zone (``""`` for none)."""
    if value is None:
        return ""
    return format_datetime(value, format=fmt, tzinfo=zone(tz), locale=Locale.parse(lang))


def format_day(value: datetime | None, lang: str, *, fmt: str = "d MMM y") -> str:
    """A calendar day in the reader's language (``""`` for none)."""
    if value is None:
        return ""
    return format_date(value, format=fmt, locale=Locale.parse(lang))


def source_files(domain: str) -> Iterable[Path]:
    """The package files whose marked strings belong to ``domain``; a file that another
    domain names on its own is that domain's (``publish/commands.py`` is the CLI's)."""
    package = Path(__file__).parent.parent
    claimed = {
        package / relative
        for other, paths in DOMAINS.items()
        if other != domain
        for relative in paths
        if (package / relative).is_file()
    }
    for relative in DOMAINS[domain]:
        path = package / relative
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from sorted(
                p
                for p in path.rglob("*")
                if p.suffix in {".py", ".html", ".txt", ".svg"} and p not in claimed
            )
