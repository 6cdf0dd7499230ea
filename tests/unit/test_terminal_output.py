"""Eighth audit: another member's words printed on an operator's terminal (the CLI).

A report's narrative, a place or an import file's cell reached Rich as markup and raw:
``[link=https://…]`` made a hyperlink, an unmatched ``[/x]`` stopped the listing with a
MarkupError, and ESC sequences cleared the screen or set the title. See docs/security.md.
"""

from __future__ import annotations

import pytest
import typer

from ceasefire import cli
from ceasefire.console.output import console, print_table
from ceasefire.errors import InvalidInput, problem

WORDS = "[link=https://evil.example]verify here[/link] [/oops] \x1b]0;owned\x07\x1b[2J\x9b2J end"


def test_a_table_shows_a_members_words_as_written_without_control_characters() -> None:
    with console.capture() as captured:
        print_table("reports", ["id", "narrative"], [["rep-1", WORDS]])
    shown = captured.get()
    assert "[link=https://evil.example]verify here[/link] [/oops]" in shown
    assert "\x1b]" not in shown
    assert "\x07" not in shown
    assert "\x9b" not in shown
    assert "\ufffd]0;owned" in shown


def test_an_error_quoting_a_cell_is_printed_as_text(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    refusing = typer.Typer()

    @refusing.callback()
    def root() -> None:
        """A group, so that ``import`` is a command name."""

    @refusing.command("import")
    def refuse() -> None:
        raise InvalidInput(f"unknown value {WORDS!s}", details=[problem("rows[1].x", WORDS)])

    monkeypatch.setattr(cli, "app", refusing)
    assert cli.main(["import"]) == 2
    err = capsys.readouterr().err
    assert "[/oops]" in err
    assert "[link=https://evil.example]" in err
    assert "\x1b" not in err
    assert "\x07" not in err
