"""CSV cells a spreadsheet shows as text, never runs as a formula (OWASP, "CSV injection").

Every CSV this project writes -- the ACLED and UCDP exports (``publish.exports``) and an
import's rejected rows (``reports.csvformat.rejects_csv``, written by the CLI, the API and
the web form) -- passes each row through :func:`spreadsheet_cells`. A cell starting ``=``,
``+``, ``-``, ``@``, a tab or a carriage return would be read by a spreadsheet as a formula
(``=HYPERLINK("https://…/?"&A2)`` sends the other cells out), so it gets a leading
apostrophe, unless it is a plain number (a negative longitude stays a number).

The importer reads our own CSV back (a corrected rejects file): it drops exactly that
apostrophe again (:func:`text_from_spreadsheet`), so a row written and read back is the row
that was sent. See docs/security.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FORMULA_STARTS = frozenset("=+-@\t\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def spreadsheet_text(text: str) -> str:
    """``text`` with a leading apostrophe when a spreadsheet would read it as a formula."""
    if text[:1] in FORMULA_STARTS and _NUMBER.fullmatch(text) is None:
        return "'" + text
    return text


def spreadsheet_cells(cells: Iterable[str]) -> list[str]:
    """One CSV row's cells, each as :func:`spreadsheet_text` writes it."""
    starts = FORMULA_STARTS
    return [
        ("'" + c if _NUMBER.fullmatch(c) is None else c) if c[:1] in starts else c for c in cells
    ]


def text_from_spreadsheet(cell: str) -> str:
    """A cell as read from a CSV file: the apostrophe :func:`spreadsheet_text` adds dropped."""
    if cell[:1] == "'" and cell[1:2] in FORMULA_STARTS:
        return cell[1:]
    return cell
