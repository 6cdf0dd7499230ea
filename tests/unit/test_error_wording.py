"""An error raised with its catalogue wording (``CeasefireError.worded``) answers the API in
the same English as before, and a page shows it in the reader's language."""

from __future__ import annotations

import json
import pickle
import runpy
from pathlib import Path
from typing import Any

import pytest

from ceasefire import i18n
from ceasefire.agreements.loader import check_text
from ceasefire.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    WordedText,
    id_taken,
    problem,
    validation_message,
)
from ceasefire.i18n.markers import N_
from ceasefire.web.common import error_text, problem_text
from ceasefire.web.forms import FormLabels

ROOT = Path(__file__).resolve().parents[2]


def test_the_api_keeps_the_english_message() -> None:
    error = NotFound.worded("no incident %(id)s", id=repr("inc-1"))
    assert error.to_dict() == {
        "error": {"code": "E404", "message": "no incident 'inc-1'", "details": None}
    }
    taken = id_taken("member", "tur")
    assert taken.message == "member 'tur' already exists with other details"
    assert taken.details == [{"loc": "id", "message": "taken"}]


def test_a_page_shows_the_wording_translated() -> None:
    error = Conflict.worded("an incident keeps at least one report")
    shown = error_text(error, lambda m: i18n.gettext("ru", m))
    assert shown == i18n.gettext("ru", "an incident keeps at least one report") != error.message
    # An error raised without a wording: the known patterns, else as worded.
    assert error_text(Conflict("odd"), lambda m: i18n.gettext("tr", m)) == "odd"
    assert error_text("required", lambda m: i18n.gettext("tr", m)) == i18n.gettext("tr", "required")


def test_a_details_entry_keeps_its_english_and_carries_its_wording() -> None:
    entry = problem("note", N_("longer than %(limit)s characters"), limit=2000, extra={"n": 1})
    error = InvalidInput.worded(N_("note too long"), details=[entry])
    # The API's JSON: the English, as before, and the extra keys.
    assert json.loads(json.dumps(error.to_dict()))["error"]["details"] == [
        {"loc": "note", "message": "longer than 2000 characters", "n": 1}
    ]
    # A page: beside the field and in the error's list (forms.shown), in its language.
    ((field, label, message),) = FormLabels({"note": N_("Note")}).listed(error.details)
    assert (field, label) == ("note", "Note")
    shown = problem_text(message, lambda m: i18n.gettext("ru", m))
    assert shown == "длиннее 2000 символов"
    assert problem_text(entry["message"], lambda m: i18n.gettext("tr", m)) == (
        "2000 karakterden uzun"
    )
    # English pages, and a message passed on that no catalogue holds: as worded.
    assert problem_text(entry["message"], lambda m: m) == "longer than 2000 characters"
    odd = problem("x", "a driver's own words")["message"]
    assert problem_text(odd, lambda m: i18n.gettext("ru", m)) == "a driver's own words"
    # A passed-on message that the patterns know is still translated by them.
    required = problem("x", "Field required")["message"]
    assert problem_text(required, lambda m: i18n.gettext("ru", m)) == i18n.gettext("ru", "required")
    # It survives a copy to another process.
    again = pickle.loads(pickle.dumps(entry))["message"]
    assert isinstance(again, WordedText)
    assert again.wording == entry["message"].wording


def _sites(package: Path | None = None) -> list[Any]:
    """``scripts/unworded_errors.py``'s sites of ``package`` (default: ceasefire's)."""
    script = runpy.run_path(str(ROOT / "scripts" / "unworded_errors.py"))
    found = script["sites"]() if package is None else script["sites"](package)
    return list(found)


def test_no_error_is_raised_with_english_of_its_own() -> None:
    """A coded error built with a message written at the site (``NotFound(f"no user
    {id!r}")``) is shown in English on a Russian or Turkish page and in the CLI: the site
    says ``NotFound.worded(N_("no user %(id)s"), id=repr(user_id))`` instead; so is a
    ``details`` entry (``problem("note", f"over {n} characters")``): the site says
    ``problem("note", N_("over %(n)s characters"), n=n)``
    (``scripts/unworded_errors.py --list`` names them)."""
    found = [f"{s.path}:{s.line} {s.cls}({s.message})" for s in _sites() if s.literal]
    assert not found, "raised with unworded English:\n" + "\n".join(found)


def test_the_check_finds_what_it_looks_for(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "errors.py").write_text(
        "class CeasefireError(Exception): ...\nclass NotFound(CeasefireError): ...\n"
    )
    (package / "service.py").write_text(
        "from pkg import errors\n"
        "from pkg.errors import NotFound\n"
        "def get(x, message):\n"
        "    if x == 1:\n"
        "        raise NotFound(f'no thing {x!r}')\n"
        "    if x == 2:\n"
        "        raise errors.NotFound('gone: ' + str(x))\n"
        "    if x == 3:\n"
        "        raise NotFound(message)\n"
        "    raise NotFound.worded(N_('no thing %(id)s'), id=repr(x))\n"
    )
    (package / "forms.py").write_text(
        "from pkg.errors import problem\n"
        "def check(x, message):\n"
        "    problem('a', 'too long')\n"
        "    problem('b', f'over {x} characters')\n"
        "    problem('c', N_('over %(n)s characters'), n=x)\n"
        "    problem('d', message)\n"
        "    x.problem('e', 'a method of that name')\n"
    )
    sites = _sites(package)
    assert [(s.path.split("/")[-1], s.line, s.literal) for s in sites] == [
        ("forms.py", 3, True),
        ("forms.py", 4, True),
        ("forms.py", 6, False),
        ("service.py", 5, True),
        ("service.py", 7, True),
        ("service.py", 9, False),
    ]


def test_the_check_finds_an_agreement_checkers_english(tmp_path: Path) -> None:
    """An agreement file's checkers (its builder, its compliance rules' parser, the YAML
    reader) keep lists of problems that become ``details`` entries: one written in English
    at the site is found as a ``problem(...)`` is."""
    package = tmp_path / "pkg"
    (package / "agreements").mkdir(parents=True)
    (package / "errors.py").write_text("class CeasefireError(Exception): ...\n")
    (package / "agreements" / "rules.py").write_text(
        "class Parser:\n"
        "    def parse(self, path, name, problems):\n"
        "        self.problem(path, 'must be a mapping')\n"
        "        self.problem(path, f'unknown rule {name!r}')\n"
        "        self.report(path, N_('no provision %(id)s'), id=name)\n"
        "        problems.append((path, 3, f'duplicate key {name!r}'))\n"
        "        problems.append((path, 3, worded_text(N_('duplicate key %(key)s'), key=name)))\n"
        "        self.problem(path, name)\n"
    )
    (package / "verify.py").write_text(
        "def verify(problems):\n    problems.append('a ledger finding, not an agreement problem')\n"
    )
    sites = _sites(package)
    assert [(s.path.split("/")[-1], s.line, s.literal) for s in sites] == [
        ("rules.py", 3, True),
        ("rules.py", 4, True),
        ("rules.py", 6, True),
    ]


SHIPPED = ROOT / "src" / "ceasefire" / "agreements" / "data" / "nk-2020-trilateral.yaml"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("    rule: compliance.zone_breach.v1\n", "    rule: compliance.zone_brech.v1\n"),
        ("    zones: [aghdam-district]\n", "    zones: [aghdam]\n    margin: 3\n"),
        ("    margin_m: 2000\n", "    margin_m: -1\n"),
        ("    from: {fulfilled: p2-aghdam}\n", "    from: {fulfilled: p2-agdam}\n"),
        ("rules:\n", "rules:\n  - 7\n  - {id: x, rule: compliance.deadline_overdue.v1}\n"),
        ("format: ceasefire-agreement/1\n", "format: ceasefire-agreement/1\nformat: 2\n"),
        ("time_zone: Europe/Moscow\n", "time_zone: Europe/Moskva\nsigned_by: [x]\n"),
        ("format: ceasefire-agreement/1\n", "format: [ceasefire-agreement/1\n"),
    ],
)
def test_an_agreement_files_problems_are_worded_for_the_reader(old: str, new: str) -> None:
    """A Russian or Turkish reader of a bad agreement file (its YAML, its schema, its
    references, its compliance rules) reads every problem in their language, whether it
    comes by the CLI, the API's details or a page (all show a ``WordedText`` translated)."""
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text
    checked = check_text(text.replace(old, new, 1), file="bad.yaml")
    assert checked.problems
    for found in checked.problems:
        assert isinstance(found.message, WordedText), found.message
        for lang in ("ru", "tr"):
            said = found.message.shown(lambda m, lang=lang: i18n.gettext(lang, m))
            assert said != str(found.message), (lang, said)
        entry = found.to_problem()
        assert entry["message"] == str(found.message)  # the API keeps the English


def test_a_value_outside_an_enumeration_names_the_allowed_values_by_their_labels() -> None:
    """Pydantic's ``enum`` error as a problem: the codes in the English (the API's), the
    labels of the field's own table where shown (an alert's ``channel`` is ``alert_channel``,
    not a report's ``channel``); values no table names (languages) keep their codes."""
    enum = {"type": "enum", "loc": ("body", "channel"), "ctx": {"expected": "'webhook' or 'email'"}}
    message = validation_message(enum)
    assert message == "one of webhook, email"
    assert isinstance(message, WordedText)
    assert message.shown(i18n.translations("ru").gettext) == "одно из значений: вебхук, эл. почта"
    lang = {"type": "enum", "loc": ("lang",), "ctx": {"expected": "'en', 'ru' or 'tr'"}}
    languages = validation_message(lang)
    assert isinstance(languages, WordedText)
    assert languages.shown(i18n.translations("tr").gettext) == "şunlardan biri olmalı: en, ru, tr"
    short = {"type": "string_too_short", "loc": ("secret",), "ctx": {"min_length": 16}}
    assert validation_message(short) == "at least 16 characters"
    odd = {"type": "url_scheme", "loc": ("target",), "msg": "URL scheme should be 'https'"}
    assert validation_message(odd) == "URL scheme should be 'https'"  # as Pydantic words it
