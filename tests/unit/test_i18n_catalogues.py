"""The RU/TR catalogues hold every marked string, translated, with the same placeholders."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS
from babel.messages.pofile import read_po

from ceasefire import i18n
from ceasefire.i18n.extract import messages

PLACEHOLDER = re.compile(r"%\((\w+)\)s|\{(\w+)\}")
CATALOGUES = [
    (domain, lang)
    for domain in i18n.DOMAINS
    for lang in i18n.LANGUAGES
    if lang != i18n.DEFAULT_LANGUAGE
]


@pytest.mark.parametrize(("domain", "lang"), CATALOGUES)
def test_every_marked_string_is_translated(domain: str, lang: str) -> None:
    marked = {(m.key, m.context): m.location for m in messages(domain)}
    if not marked:
        pytest.skip(f"no string of domain {domain!r} is marked yet")
    path = i18n.catalogue_path(lang, domain)
    assert path.exists(), f"{path} is missing: run scripts/i18n"
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale=lang, domain=domain)
    problems = []
    for (msgid, context), (file, line) in marked.items():
        entry = catalogue.get(msgid, context=context)
        strings = entry.string if entry is not None else ""
        first = strings[0] if isinstance(strings, tuple) else strings
        if entry is None or not first:
            problems.append(f"{file}:{line} {msgid!r} is untranslated")
        elif entry.fuzzy:
            problems.append(f"{file}:{line} {msgid!r} is fuzzy")
        elif set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(str(first))):
            problems.append(f"{file}:{line} {msgid!r} loses or adds a placeholder")
    assert not problems, f"{lang}/{domain}.po: run scripts/i18n and translate:\n" + "\n".join(
        problems
    )


@pytest.mark.parametrize(("domain", "lang"), CATALOGUES)
def test_every_plural_form_is_given_with_its_placeholders(domain: str, lang: str) -> None:
    """A counted message (``ngettext``) has each of the language's plural forms (Russian
    three, Turkish two), and each form keeps the placeholders of the singular or the plural
    msgid (a Russian "one" form serves 21 too, so it may say the count the English singular
    does not)."""
    path = i18n.catalogue_path(lang, domain)
    if not path.exists():
        pytest.skip(f"no {lang}/{domain}.po")
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale=lang, domain=domain)
    problems = []
    for entry in catalogue:
        if not isinstance(entry.id, tuple):
            continue
        given = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        forms = [str(form or "") for form in given]
        if len(forms) != catalogue.num_plurals or not all(forms):
            problems.append(
                f"{entry.id[0]!r} has {sum(map(bool, forms))} of {catalogue.num_plurals} forms"
            )
        allowed = [set(PLACEHOLDER.findall(msgid)) for msgid in entry.id]
        problems.extend(
            f"{entry.id[0]!r}: {form!r} loses or adds a placeholder"
            for form in forms
            if set(PLACEHOLDER.findall(form)) not in allowed
        )
    assert not problems, f"{lang}/{domain}.po:\n" + "\n".join(problems)


def test_no_string_is_marked_inside_an_f_string() -> None:
    """Python 3.11's tokenizer, and so the extractor running there, does not look inside
    f-strings (3.12's does): ``f"{_('undated')}"`` would be missing from catalogues made on
    3.11 and shown in English. Marked strings stand outside f-strings."""
    package = Path(i18n.__file__).parent.parent
    found = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.JoinedStr):
                continue
            for call in ast.walk(node):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Name)
                    and call.func.id in DEFAULT_KEYWORDS
                    and call.args
                    and isinstance(call.args[0], ast.Constant)
                ):
                    found.append(f"{path.relative_to(package)}:{call.lineno} {ast.unparse(call)}")
    assert not found, "marked inside an f-string:\n" + "\n".join(found)


def test_translations_are_loaded_from_the_catalogues() -> None:
    assert i18n.gettext("ru", "not found") == "не найдено"
    assert i18n.gettext("tr", "not found") == "bulunamadı"
    assert i18n.gettext("en", "not found") == "not found"
    assert i18n.gettext("xx", "not found") == "not found"


@pytest.mark.parametrize(
    ("header", "preferred", "expected"),
    [
        ("ru-RU,ru;q=0.9,en;q=0.8", None, "ru"),
        ("de-DE,tr;q=0.7,ru;q=0.5", None, "tr"),
        ("en;q=0.2,ru;q=0.9", None, "ru"),
        ("fr", None, "en"),
        (None, None, "en"),
        ("ru;q=abc, tr", None, "tr"),
        ("ru", "tr", "tr"),
        ("ru", "xx", "ru"),
        ("tr;q=0", None, "en"),
    ],
)
def test_language_negotiation(header: str | None, preferred: str | None, expected: str) -> None:
    assert i18n.negotiate(header, preferred=preferred) == expected


def test_russian_calls_a_report_one_word() -> None:
    """A report is a донесение in Russian wherever the English says report (the list, the
    form, the ledger's events, the CLI): the pages said сообщение beside Донесения."""
    mixed = []
    for domain in ("web", "core", "cli"):
        with i18n.catalogue_path("ru", domain).open("rb") as handle:
            catalogue = read_po(handle)
        for message in catalogue:
            if not isinstance(message.id, str) or not isinstance(message.string, str):
                continue
            about_reports = re.search(r"\breport(s|er)?\b", message.id, re.I)
            about_messages = re.search(r"\bmessages?\b", message.id, re.I)
            if about_reports and not about_messages and "сообщени" in message.string.lower():
                mixed.append((domain, message.id))
    assert mixed == []
