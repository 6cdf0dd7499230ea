"""``ceasefire fusion run``'s plain text says the merges fusion made (its ``--json`` has
``merged``)."""

from __future__ import annotations

from ceasefire.fusion.commands import _merges
from ceasefire.fusion.service import DrainResult


def test_the_plain_text_says_the_merges_when_there_were_some() -> None:
    assert _merges(DrainResult(reports=3, linked=2)) == ""
    assert _merges(DrainResult(reports=3, merged=1)) == "; 1 incident merged into others"
    assert _merges(DrainResult(reports=9, merged=2)) == "; 2 incidents merged into others"
