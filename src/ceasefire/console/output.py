"""Output helpers shared by the CLI commands: JSON for machines, Rich tables for people."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from rich import box
from rich.console import Console
from rich.table import Table

T = TypeVar("T")

# No emoji codes: ledger tags such as 'ledger:key:added' must print as written.
console = Console(emoji=False)
err_console = Console(stderr=True, emoji=False)


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=_default)


def print_json(data: Any) -> None:
    """Write JSON to stdout without Rich markup processing."""
    sys.stdout.write(to_json(data) + "\n")
    sys.stdout.flush()


def print_result(result: T, as_json: bool, show: str | Callable[[T], object]) -> None:
    """A command's result: JSON under ``--json``, otherwise ``show``, a line or a printer."""
    if as_json:
        print_json(result)
    elif isinstance(show, str):
        console.print(show)
    else:
        show(result)


def print_table(
    title: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    caption: str | None = None,
    no_wrap: Collection[str] = (),
    free_text: Collection[str] = (),
    min_width: Mapping[str, int] | None = None,
    compact: bool = False,
) -> None:
    """A Rich table on stdout.

    Without options every column folds what does not fit (the old layout). Tables meant for
    an 80-column terminal name their columns: ``no_wrap`` ones (dates, codes) never break,
    ``free_text`` ones wrap at spaces and fold only a word longer than the column, the others
    wrap at spaces and shorten a too-long word with an ellipsis; ``compact`` drops the
    vertical rules, which gives the columns ten characters more.
    """
    styled = bool(no_wrap or free_text or min_width or compact)
    table = Table(
        title=title,
        caption=caption,
        show_lines=False,
        box=box.SIMPLE_HEAD if compact else box.HEAVY_HEAD,
        show_edge=not compact,
        pad_edge=not compact,
        collapse_padding=compact,
    )
    for column in columns:
        if not styled:
            table.add_column(column, overflow="fold")
        elif column in no_wrap:
            table.add_column(column, no_wrap=True, min_width=(min_width or {}).get(column))
        else:
            table.add_column(
                column,
                overflow="fold" if column in free_text else "ellipsis",
                min_width=(min_width or {}).get(column),
                ratio=1 if column in free_text else None,
            )
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    console.print(table)
