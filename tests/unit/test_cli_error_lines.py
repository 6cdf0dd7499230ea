"""An error's problems on standard error at 80 columns: a problem that runs on to another
line is indented under its own start, so each still reads as one beside the others (the
line it ran on to began at column 0, under the command's prompt)."""

from __future__ import annotations

import pytest

from ceasefire.console.output import err_console, show_error
from ceasefire.errors import InvalidInput, problem
from ceasefire.i18n.markers import N_
from ceasefire.timeutil import date_error


def test_a_problem_that_wraps_keeps_its_indent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(err_console, "_width", 80)
    where = "memorandum.yaml:247 provisions[1].deadline.due"
    error = InvalidInput.worded(
        N_("invalid input"),
        details=[
            problem(
                where,
                N_("not a real date: %(value)s (%(error)s)"),
                value="'2020-13-45'",
                error=date_error(ValueError("month must be in 1..12")),
            ),
            problem("provisions[0]", N_("unknown field: %(name)s"), name="'obligated_typo'"),
        ],
    )
    with err_console.capture() as captured:
        show_error(error)
    lines = captured.get().splitlines()
    assert all(len(line) <= 80 for line in lines), lines
    assert lines[1].startswith(f"  {where}: not a real date: '2020-13-45'"), lines
    assert lines[2] == "    (the month must be from 1 to 12)", lines
    assert lines[3] == "  provisions[0]: unknown field: 'obligated_typo'", lines


@pytest.mark.parametrize(
    ("raised", "reason"),
    [
        ("month must be in 1..12", "the month must be from 1 to 12"),
        ("day is out of range for month", "that month has no such day"),
        ("year 0 is out of range", "the year is out of range"),
        ("hour must be in 0..23", "the hour must be from 0 to 23"),
        ("Invalid isoformat string: 'x'", "not written as YYYY-MM-DD (ISO 8601)"),
        ("something else", "something else"),
    ],
)
def test_pythons_reasons_for_a_date_are_worded(raised: str, reason: str) -> None:
    assert date_error(ValueError(raised)) == reason
