"""Extract the marked strings of each domain and keep the catalogues in step with them.

``python -m ceasefire.i18n.extract`` (what ``scripts/i18n`` runs) rewrites every
``<lang>/LC_MESSAGES/<domain>.po``: new msgids are added untranslated, msgids no longer in
the source are dropped, translations already made are kept. Translators then fill the
empty ``msgstr`` lines; the catalogue test fails until they have.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.pofile import read_po, write_po
from jinja2.ext import babel_extract

from ceasefire.i18n import DEFAULT_LANGUAGE, DOMAINS, LANGUAGES, catalogue_path, source_files

JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}


@dataclass(frozen=True)
class Message:
    msgid: str | tuple[str, str]
    location: tuple[str, int]
    context: str | None = None
    """``pgettext``'s context: the same English word in two roles (an assessment
    ``superseded`` is feminine in Russian, a provision's neuter)."""

    @property
    def key(self) -> str:
        return self.msgid if isinstance(self.msgid, str) else self.msgid[0]


def messages(domain: str) -> Iterator[Message]:
    """Every marked string of ``domain``'s source files, in file order."""
    package = Path(__file__).parent.parent
    for path in source_files(domain):
        method = "python" if path.suffix == ".py" else babel_extract
        options = {} if path.suffix == ".py" else JINJA_OPTIONS
        with path.open("rb") as handle:
            for lineno, message, _comments, context in extract(
                method,  # type: ignore[arg-type]
                handle,
                keywords=DEFAULT_KEYWORDS,
                options=options,
            ):
                if not message:
                    continue
                where = (str(path.relative_to(package)), lineno)
                if isinstance(message, tuple):
                    yield Message((str(message[0]), str(message[1])), where, context)
                else:
                    yield Message(str(message), where, context)


def update(domain: str, lang: str) -> tuple[int, int]:
    """Rewrite one catalogue from the source; returns (messages, still untranslated)."""
    path = catalogue_path(lang, domain)
    found = list(messages(domain))
    if not found and not path.exists():
        return 0, 0
    old = Catalog(locale=lang, domain=domain)
    if path.exists():
        with path.open("rb") as handle:
            old = read_po(handle, locale=lang, domain=domain)
    new = Catalog(locale=lang, domain=domain, project="ceasefire", fuzzy=False)
    for message in found:
        kept = old.get(message.key, context=message.context)
        string = kept.string if kept is not None else ""
        existing = new.get(message.key, context=message.context)
        if existing is not None:
            existing.locations.append(message.location)
            continue
        new.add(message.msgid, string or "", locations=[message.location], context=message.context)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, new, width=100, omit_header=False, sort_output=False)
    untranslated = sum(1 for m in new if m.id and not _translated(m.string))
    return len([m for m in new if m.id]), untranslated


def _translated(string: object) -> bool:
    if isinstance(string, tuple):
        return all(bool(s) for s in string)
    return bool(string)


def main() -> int:
    missing = 0
    for domain in DOMAINS:
        for lang in LANGUAGES:
            if lang == DEFAULT_LANGUAGE:
                continue
            total, untranslated = update(domain, lang)
            if total:
                print(f"{lang}/{domain}.po: {total} messages, {untranslated} untranslated")
            missing += untranslated
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
