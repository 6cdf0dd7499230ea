"""How the text of a CSV cell becomes a value of the report body.

Shared by the generic path (``csvformat.record_to_body``, then ``validate_report``) and the
fast path (``csvrows``), so that both read a cell alike. Cells come stripped and not empty.
"""

from __future__ import annotations

from typing import Any

LIST_SEPARATOR = ";"
ESTIMATE_SEPARATOR = "/"


def cell_number(text: str) -> Any:
    """A number cell: an int for a whole number written without a point or exponent, else a
    float; the text itself if it is not a number (validation then says so)."""
    if len(text) <= 15 and text.isdecimal():
        # Digits only, at most 15: exact as a float too, so int() gives what the float
        # path below gives, without it (counts and precisions are whole numbers).
        return int(text)
    try:
        value = float(text)
    except ValueError:
        return text  # left as text: validation says "must be a number" for this column
    return (
        int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value
    )


def cell_estimate(text: str) -> Any:
    """A casualty cell: a number, or ``low/best/high`` as a dict (the text if malformed)."""
    if ESTIMATE_SEPARATOR not in text:
        return cell_number(text)
    parts = [p.strip() for p in text.split(ESTIMATE_SEPARATOR)]
    if len(parts) != 3:
        return text
    return {
        "low": cell_number(parts[0]),
        "best": cell_number(parts[1]),
        "high": cell_number(parts[2]),
    }


def cell_list(text: str) -> list[str]:
    """A list cell: items separated by ``;``, each stripped, empty ones dropped."""
    if LIST_SEPARATOR not in text:
        return [text]  # already stripped, and not empty
    return [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]
