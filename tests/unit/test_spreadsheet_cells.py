"""Every cell of the ACLED and UCDP CSV exports is written as text a spreadsheet will not run
(eighth audit): place and notes were guarded, the actor cells built from an agreement's party
names were not. See docs/security.md."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from ceasefire.publish.exports import Places, _csv
from ceasefire.publish.model import ExportFormat, Subject
from ceasefire.spreadsheet import FORMULA_STARTS, spreadsheet_cells

NAME = "=cmd|' /C calc'!A0"


def _subject() -> Subject:
    start = datetime(2020, 11, 26, 10, 30, tzinfo=UTC)
    return Subject(
        id="inc-1",
        category="shelling",
        start=start,
        end=start,
        lat=-12.5,
        lon=46.927,
        place="-2+3",
        where_prec=2,
        perpetrator="ARM",
        concerns=("ARM", "AZE"),
        channels=("monitor_observation",),
        sources=1,
        notes="@SUM(1+1)",
        casualties={},
        updated=start,
    )


@pytest.mark.parametrize("fmt", [ExportFormat.ACLED, ExportFormat.UCDP])
def test_no_cell_of_an_export_starts_a_formula(fmt: ExportFormat) -> None:
    known = Places({"": ZoneInfo("UTC")}, {"ARM": NAME, "AZE": "+Azerbaijan"})
    text = "".join(_csv(fmt, [_subject()], known=known))
    cells = next(csv.reader(io.StringIO(text)))
    assert "-12.5" in cells  # a number stays a number
    formulas = [c for c in cells if c[:1] in FORMULA_STARTS and c != "-12.5"]
    assert formulas == []
    assert any(NAME in c for c in cells)


def test_numbers_stay_numbers_and_text_gets_an_apostrophe() -> None:
    cells = ["-12.5", "+3", "1e5", "-", "-1+2", "=1", "@a", "\tx", "\rx", "plain", ""]
    assert spreadsheet_cells(cells) == [
        "-12.5", "+3", "1e5", "'-", "'-1+2", "'=1", "'@a", "'\tx", "'\rx", "plain", "",
    ]  # fmt: skip
