"""``--help`` speaks the operator's language: every help text of the command tree is a msgid
of the ``cli`` catalogue (marked ``N_``, so that a new command cannot bring English-only
help), and the help pages read in Russian or Turkish where that is the language chosen."""

from __future__ import annotations

import re

import pytest
import typer.main
from babel.messages.pofile import read_po
from typer._click import Context
from typer.core import TyperOption

from ceasefire.cli import app
from ceasefire.console import helptext
from ceasefire.console.lang import catalogue
from ceasefire.i18n import catalogue_path
from tests.factories.cli import run_here

ENV = {"COLUMNS": "200"}


def _msgids(lang: str) -> dict[str, str]:
    with catalogue_path(lang, "cli").open("rb") as handle:
        return {
            m.id: m.string
            for m in read_po(handle)
            if isinstance(m.id, str) and m.id and isinstance(m.string, str)
        }


def test_every_help_text_of_the_tree_is_a_translated_msgid() -> None:
    tree = typer.main.get_command(app)
    texts = set(helptext.help_texts(tree))
    commands = list(helptext.commands(tree))
    assert len(commands) > 100, "the whole tree, every area's commands"
    assert len(texts) > 300
    for lang in ("ru", "tr"):
        msgids = _msgids(lang)
        unmarked = sorted(t for t in texts if t not in msgids)
        assert not unmarked, f"help given without N_ (not in {lang}/cli.po): {unmarked[:5]}"
        words = [*helptext.TYPER_WORDING.values(), helptext.HELP_OPTION]
        english = sorted(t for t in (*texts, *words) if not msgids.get(t) or msgids[t] == t)
        # Codes and formats read alike in every language ("ISO 8601.", "source:subject:action");
        # no sentence of English words is left as it was.
        left = [t for t in english if " " in t and re.search(r"\b[a-z]{2,}\b", t)]
        assert not left, f"{lang}: untranslated help {left[:5]}"


def test_every_command_says_what_it_does() -> None:
    for command in helptext.commands(typer.main.get_command(app)):
        if not command.hidden:
            assert command.help or command.short_help, command.name


@pytest.mark.parametrize(
    ("env", "args", "words"),
    [
        (
            {"CEASEFIRE_LANG": "ru"},
            ("report", "--help"),
            ["Донесения", "Команды", "Параметры", "Показать это сообщение и выйти."],
        ),
        (
            {"CEASEFIRE_LANG": "tr"},
            ("report", "list", "--help"),
            ["Raporları listeler", "Seçenekler", "Makinenin okuyacağı çıktı."],
        ),
        ({"CEASEFIRE_LANG": "en"}, ("--lang", "tr", "--help"), ["Komutlar", "--lang"]),
        ({"LANG": "ru_RU.UTF-8"}, ("--lang=ru", "report", "submit", "--help"), ["Аргументы"]),
    ],
)
def test_help_pages_read_in_the_chosen_language(
    env: dict[str, str], args: tuple[str, ...], words: list[str]
) -> None:
    done = run_here(*args, env={**ENV, **env}, check=True)
    page = " ".join(done.stdout.split())
    for word in words:
        assert word in page, (word, done.stdout)
    # The English of the same page is gone: its command and option help are translated.
    assert "Show this message and exit." not in page
    assert "Machine-readable output." not in page


def test_english_help_is_the_msgids_as_written() -> None:
    done = run_here("report", "list", "--help", env={**ENV, "CEASEFIRE_LANG": "en"}, check=True)
    page = " ".join(done.stdout.split())
    assert "List reports, newest first." in page
    assert "Machine-readable output." in page
    assert "Options" in page


def test_a_flag_is_not_shown_as_taking_a_value() -> None:
    """``--json`` and ``--help`` are flags: their help line shows no ``<bool>`` type (which
    reads as ``--json true``, a usage error); options that take a value keep their type."""
    done = run_here("import", "csv", "--help", env={**ENV, "CEASEFIRE_LANG": "en"}, check=True)
    lines = {line.split()[1]: line for line in done.stdout.splitlines() if "│ --" in line}
    for flag in ("--json", "--help", "--skip-invalid"):
        assert "<" not in lines[flag], lines[flag]
    assert "<path>" in lines["--rejects"]
    assert "<int range>" in lines["--workers"]
    # Every flag of the tree, as the help pages are built.
    tree = typer.main.get_command(app)
    helptext.translate(tree)
    flags = [
        (command, param)
        for command in helptext.commands(tree)
        for param in command.params
        if isinstance(param, TyperOption) and param.is_flag and not param.count
    ]
    assert len(flags) > 100, "every command's --json, at least"
    typed = [
        f"{command.name} {param.opts[0]}"
        for command, param in flags
        if param.display_type_rich(Context(command))
    ]
    assert not typed, typed[:5]


def test_a_later_command_in_the_same_process_gets_its_own_language() -> None:
    run_here("report", "--help", env={**ENV, "CEASEFIRE_LANG": "ru"}, check=True)
    done = run_here("report", "--help", env={**ENV, "CEASEFIRE_LANG": "en"}, check=True)
    assert "Commands" in done.stdout
    assert "Команды" not in done.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--lang", "ru", "report"], "ru"),
        (["--lang=tr", "report", "--help"], "tr"),
        (["report", "--lang", "ru"], None),  # an option of a command, not the root's
        (["--lang"], None),
        ([], None),
    ],
)
def test_the_language_option_is_found_before_parsing(args: list[str], expected: str | None) -> None:
    assert helptext.language_argument(args) == expected


def test_typer_words_are_translated_in_the_catalogue() -> None:
    russian = catalogue("ru")
    assert russian.gettext("[default: {}]").count("{}") == 1
    assert "{command_path}" in russian.gettext(helptext.TYPER_WORDING["RICH_HELP"])
