"""Click's own words (its usage errors, ``Usage:``, ``Error:``) read in the CLI's language:
the errors the parser raises are read back into the ``click`` catalogue's msgids
(``ceasefire.console.clickwords``) and shown in Russian or Turkish; English stays as Click
prints it."""

from __future__ import annotations

import pytest

from ceasefire.console import clickwords
from tests.factories.cli import run_here

ENV = {"COLUMNS": "200"}


@pytest.mark.parametrize(
    ("env", "args", "lines"),
    [
        (
            {"CEASEFIRE_LANG": "ru"},
            ("report", "list", "--limit", "x"),
            [
                "Использование: ceasefire report list [OPTIONS]",
                "Справка: 'ceasefire report list --help'.",
                "Ошибка: Недопустимое значение для '--limit': Нужно целое число.",
            ],
        ),
        (
            {"CEASEFIRE_LANG": "en"},
            ("--lang", "tr", "report", "list", "--bogus"),
            [
                "Kullanım: ceasefire report list [OPTIONS]",
                "Yardım için: 'ceasefire report list --help'.",
                "Hata: Böyle bir seçenek yok: --bogus",
            ],
        ),
        (
            {"CEASEFIRE_LANG": "ru"},
            ("report", "list", "--limit", "0"),
            ["Ошибка: Недопустимое значение для '--limit': Значение должно быть не меньше 1."],
        ),
        (
            {"CEASEFIRE_LANG": "ru"},
            ("report", "submit"),
            ["Ошибка: Не указан аргумент 'source'."],
        ),
        (
            {"CEASEFIRE_LANG": "ru"},
            ("reportz",),
            [
                "Ошибка: Нет такой команды 'reportz'. Возможно, имелось в виду: "
                "'report', 'export', 'import'?"
            ],
        ),
        (
            {"CEASEFIRE_LANG": "tr"},
            ("report", "list", "--json=3"),
            ["Hata: '--json' seçeneği değer almaz."],
        ),
        (
            {"CEASEFIRE_LANG": "tr"},
            ("report", "list", "--channel", "zz"),
            ["Hata: '--channel' için geçersiz değer: 'zz' şunlardan biri değil: 'monitor_"],
        ),
    ],
)
def test_click_errors_read_in_the_chosen_language(
    env: dict[str, str], args: tuple[str, ...], lines: list[str]
) -> None:
    done = run_here(*args, env={**ENV, **env})
    assert done.returncode == 2, done.stderr
    said = done.stderr.splitlines()
    for line in lines:
        assert any(each.startswith(line) for each in said), (line, done.stderr)
    assert "Error:" not in done.stderr
    assert "Usage:" not in done.stderr
    assert "Input should" not in done.stderr


def test_english_is_what_click_prints() -> None:
    done = run_here("report", "list", "--limit", "x", env={**ENV, "CEASEFIRE_LANG": "en"})
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "Usage: ceasefire report list [OPTIONS]",
        "Try 'ceasefire report list --help' for help.",
        "",
        "Error: Invalid value for '--limit': Input should be a valid integer, unable to parse "
        "string as an integer",
    ]


@pytest.mark.parametrize(
    ("extra", "words"),
    [(("a",), "Получен лишний аргумент (a)"), (("a", "b"), "Получены лишние аргументы (a b)")],
)
def test_a_count_takes_its_russian_form(extra: tuple[str, ...], words: str) -> None:
    done = run_here("report", "list", *extra, env={**ENV, "CEASEFIRE_LANG": "ru"})
    assert f"Ошибка: {words}" in done.stderr.splitlines()


def test_russian_has_three_plural_forms() -> None:
    russian = clickwords.catalogue("ru")
    singular, plural = (
        "Argument %(name)s takes %(count)s value.",
        "Argument %(name)s takes %(count)s values.",
    )
    forms = {
        n: russian.ngettext(singular, plural, n) % {"name": "'x'", "count": n}
        for n in (1, 3, 5, 21)
    }
    assert forms[1].endswith("1 значение.")
    assert forms[3].endswith("3 значения.")
    assert forms[5].endswith("5 значений.")
    assert forms[21].endswith("21 значение.")


def test_a_reason_it_cannot_read_back_stays_as_given() -> None:
    from typer._click.exceptions import BadParameter

    error = BadParameter("something only Typer says")
    assert clickwords.reason(error) == "something only Typer says"


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("ru", "Использование: ceasefire report list [OPTIONS]"),
        ("tr", "Kullanım: ceasefire report list [OPTIONS]"),
        ("en", "Usage: ceasefire report list [OPTIONS]"),
    ],
)
def test_a_help_page_says_usage_in_the_chosen_language(lang: str, line: str) -> None:
    done = run_here("report", "list", "--help", env={**ENV, "CEASEFIRE_LANG": lang}, check=True)
    assert line in [each.strip() for each in done.stdout.splitlines()]
