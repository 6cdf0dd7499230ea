"""The CLI speaks the terminal user's language: ``--lang``, else ``CEASEFIRE_LANG``, else the
POSIX locale; its ``--json`` output stays the same in every language."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from ceasefire.config import Settings
from ceasefire.console.lang import reset, resolve
from tests.factories.cli import InProcessCli


@pytest.fixture(autouse=True)
def _forget_the_language() -> Iterator[None]:
    """The language a command chose stays for the process (``console.lang``): forgotten after
    each test, so that a later test's output is not in this one's Russian or Turkish."""
    yield
    reset()


@pytest.mark.parametrize(
    ("option", "environ", "expected"),
    [
        (None, {}, "en"),
        (None, {"LANG": "ru_RU.UTF-8"}, "ru"),
        (None, {"LANG": "tr_TR"}, "tr"),
        (None, {"LANG": "C.UTF-8"}, "en"),
        (None, {"LANG": "POSIX"}, "en"),
        (None, {"LANG": "de_DE.UTF-8"}, "en"),
        (None, {"LC_ALL": "tr_TR.UTF-8", "LANG": "ru_RU.UTF-8"}, "tr"),
        (None, {"LC_MESSAGES": "ru_RU.UTF-8", "LANG": "tr_TR.UTF-8"}, "ru"),
        (None, {"LC_ALL": "C", "LANG": "ru_RU.UTF-8"}, "en"),
        (None, {"LC_ALL": "", "LANG": "ru_RU.UTF-8"}, "ru"),
        (None, {"CEASEFIRE_LANG": "tr", "LANG": "ru_RU.UTF-8"}, "tr"),
        (None, {"CEASEFIRE_LANG": "xx", "LANG": "ru_RU.UTF-8"}, "ru"),
        ("ru", {"CEASEFIRE_LANG": "tr", "LC_ALL": "tr_TR"}, "ru"),
    ],
)
def test_language_is_chosen_like_a_terminal_program(
    option: str | None, environ: dict[str, str], expected: str
) -> None:
    assert resolve(option, environ) == expected


def test_russian_locale_and_turkish_option_translate_the_output(
    cli: InProcessCli, demo: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    english = cli.text("member", "list").stdout
    assert "Members" in english

    monkeypatch.delenv("CEASEFIRE_LANG")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    russian = cli.text("member", "list").stdout
    assert "Участники" in russian
    assert "Members" not in russian
    assert "название" in russian  # a column heading
    tokens = cli.text("token", "list").stdout
    assert "Токены API" in tokens
    assert "состояние" in tokens

    turkish = cli.text("--lang", "tr", "member", "list").stdout
    assert "Üyeler" in turkish
    assert "Участники" not in turkish

    # A coded error: its title from the core catalogue, in the chosen language.
    missing = cli.text("--lang", "tr", "user", "disable", "nobody")
    assert missing.returncode == 1
    assert "hata [E404] bulunamadı:" in missing.stderr
    missing = cli.text("user", "disable", "nobody")
    assert "ошибка [E404] не найдено:" in missing.stderr
    # A message raised with its catalogue wording is in the chosen language too.
    missing = cli.text("--lang", "ru", "incident", "show", "inc-nope")
    assert "ошибка [E404] не найдено: нет инцидента 'inc-nope'" in missing.stderr

    # Machine-readable output is never translated.
    assert cli.text("--lang", "ru", "member", "list", "--json").stdout == (
        cli.text("--lang", "en", "member", "list", "--json").stdout
    )
    users = {
        lang: cli.text("--lang", lang, "user", "list", "--json").stdout for lang in ["en", "tr"]
    }
    assert json.loads(users["tr"]) == json.loads(users["en"])


@pytest.mark.parametrize(
    ("lang", "counts"),
    [
        ("ru", {1: "1 запись", 3: "3 записи", 5: "5 записей", 21: "21 запись"}),
        ("tr", {1: "1 girdi", 5: "5 girdi"}),
        ("en", {1: "1 entry", 5: "5 entries"}),
    ],
)
def test_counts_take_the_language_s_plural_forms(lang: str, counts: dict[int, str]) -> None:
    from ceasefire.console import lang as cli_lang

    cli_lang.choose(lang)
    try:
        for n, expected in counts.items():
            assert cli_lang.ngettext("{n} entry", "{n} entries", n).format(n=n) == expected
        # One English word, two meanings: the context picks the translation.
        feature = cli_lang.pgettext("GeoNames feature", "class")
        assert (feature == "класс") if lang == "ru" else feature in {"sınıf", "class"}
    finally:
        cli_lang.reset()


@pytest.mark.parametrize(
    ("lang", "unknown_user", "unreadable"),
    [
        ("ru", "ошибка [E404] не найдено: нет пользователя 'nobody'", "не удаётся прочитать"),
        ("tr", "hata [E404] bulunamadı: 'nobody' kullanıcısı yok", "okunamıyor"),
    ],
)
def test_a_services_refusal_is_in_the_language_of_ceasefire_lang(
    cli: InProcessCli,
    demo: Settings,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    unknown_user: str,
    unreadable: str,
) -> None:
    monkeypatch.setenv("CEASEFIRE_LANG", lang)
    missing = cli.text("user", "disable", "nobody")
    assert missing.returncode == 1
    assert unknown_user in missing.stderr
    assert "no user" not in missing.stderr
    # An import of a file that is not there: the service's words, in that language.
    absent = cli.text("import", "csv", "/nonexistent/reports.csv")
    assert absent.returncode == 2
    assert unreadable in absent.stderr
    assert "cannot read" not in absent.stderr
    # --json keeps the English message.
    as_json = cli.text("user", "disable", "nobody", "--json")
    assert json.loads(as_json.stdout)["error"]["message"] == "no user 'nobody'"


@pytest.mark.parametrize(("lang", "detail"), [("ru", "отрицательное"), ("tr", "negatif")])
def test_a_refusals_detail_lines_are_in_the_language_of_ceasefire_lang(
    cli: InProcessCli,
    demo: Settings,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    detail: str,
) -> None:
    """Each ``details`` line the CLI prints under an error (``problem(loc, N_(...))``) is
    in the reader's language; ``--json`` keeps the English."""
    monkeypatch.setenv("CEASEFIRE_LANG", lang)
    refused = cli.text("provisions", "--agreement", "x", "--due-within=-1")
    assert refused.returncode == 2, refused.stderr
    assert f"  --due-within: {detail}" in refused.stderr
    assert "negative" not in refused.stderr
    as_json = cli.text("provisions", "--agreement", "x", "--due-within=-1", "--json")
    details = json.loads(as_json.stdout)["error"]["details"]
    assert details == [{"loc": "--due-within", "message": "negative"}]
