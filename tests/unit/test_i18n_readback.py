"""``i18n.readback``: a message read back into what it was worded from, by the first
pattern that matches it whole, with its named parameters; none past ``longest``."""

from __future__ import annotations

import re

from ceasefire.i18n.readback import BRACES, Read, Readback, pattern_of


def test_the_first_pattern_that_matches_whole_wins() -> None:
    table = Readback(
        [
            (r"No such command (?P<name>.+?)\. Did you mean (?P<hint>.+)\?", "suggested"),
            (r"No such command (?P<name>.+)\.", "plain"),
        ]
    )
    assert table.read("No such command x. Did you mean y?") == Read(
        "suggested", {"name": "x", "hint": "y"}
    )
    assert table.read("No such command x.") == ("plain", {"name": "x"})
    assert table.read("No such command x. and more") is None  # whole, not a prefix
    assert len(table) == 2


def test_longer_messages_are_not_read() -> None:
    table = Readback([(r"(?P<value>.+) is wrong\.", "wrong")], longest=20)
    assert table.read("a is wrong.") == ("wrong", {"value": "a"})
    assert table.read("a" * 20 + " is wrong.") is None


def test_flags_apply_to_patterns_given_as_text() -> None:
    assert Readback([(r"x (?P<v>.+)", "x")]).read("x a\nb") is None
    assert Readback([(r"x (?P<v>.+)", "x")], flags=re.DOTALL).read("x a\nb") == (
        "x",
        {"v": "a\nb"},
    )


def test_a_msgid_is_its_own_pattern() -> None:
    assert pattern_of("only %(n)s. (x)", {"n": r"\d+"}) == r"only\ (?P<n>\d+)\.\ \(x\)"
    table = Readback.worded(["{count} of {title}"], fields={"count": r"\d+"}, placeholder=BRACES)
    assert table.read("3 of 4 of (a)") == (
        "{count} of {title}",
        {"count": "3", "title": "4 of (a)"},
    )
    assert table.read("three of a") is None
