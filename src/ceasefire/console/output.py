"""Output helpers shared by the CLI commands: JSON for machines, Rich tables for people."""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from functools import cache
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


_ISO_INSTANT = re.compile(
    r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$"
)


def table_cell(value: Any) -> str:
    """A value as a table shows it: an instant to the minute ("2020-11-10 05:30Z", the
    offset kept where it is not UTC; ``--json`` keeps every digit), ``None`` as nothing."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.isoformat()
    text = str(value)
    match = _ISO_INSTANT.match(text)
    if match is None:
        return text
    day, minute, offset = match.groups()
    if offset in ("Z", "+00:00"):
        offset = "Z"
    return f"{day} {minute}{offset or ''}"


def _is_token(text: str) -> bool:
    """One unbreakable value: an id, a code, a number, an instant."""
    return len(text) <= 40 and (
        " " not in text or _ISO_INSTANT.match(text.replace(" ", "T", 1)) is not None
    )


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
    optional: Sequence[str] = (),
) -> None:
    """A Rich table on stdout, laid out for the terminal it is printed on (80 columns
    where stdout is not a terminal).

    No value is broken inside a word: a column whose values are all single tokens (ids,
    codes, instants, numbers) never wraps, and other columns wrap at spaces. Where the
    table is wider than the terminal, the rules are dropped first; then whole columns are
    left out, the ``optional`` ones first (in the order given), then the others from the
    right (never the first column nor one of text), and the caption names what
    was left out. Only a table that still cannot fit folds its longest words. ``no_wrap``
    and ``free_text`` force a column's kind; ``min_width`` gives a column a floor.
    """
    cells = [[table_cell(cell) for cell in row] for row in rows]
    names = list(columns)
    tokens = {
        name
        for i, name in enumerate(names)
        if name in no_wrap or (name not in free_text and all(_is_token(r[i]) for r in cells))
    }
    floors = {
        name: max(
            (min_width or {}).get(name, 0),
            _longest_word(name),
            *(len(r[i]) if name in tokens else _longest_word(r[i]) for r in cells),
        )
        for i, name in enumerate(names)
    }
    candidates = [c for c in optional if c in names] + [
        c for c in reversed(names[1:]) if c not in optional and c in tokens
    ]
    width = console.width
    hidden: list[str] = []
    styles = [compact] if compact else [False, True]
    chosen: bool | None = None
    while chosen is None:
        kept = [name for name in names if name not in hidden]
        chosen = next(
            (
                style
                for style in styles
                if sum(floors[n] for n in kept) + _overhead(len(kept), style) <= width
            ),
            None,
        )
        if chosen is None:
            if not candidates:
                break
            hidden.append(candidates.pop(0))
    notes = [caption] if caption else []
    if hidden:
        notes.append(
            f"not shown at {width} columns: {', '.join(hidden)}"
            " (a wider terminal or --json shows them)"
        )
    if chosen is None:
        # Nothing left to leave out: the widest words fold (the old layout).
        table = _table(title, names, hidden, cells, set(), {}, True)
    else:
        table = _table(title, names, hidden, cells, tokens, floors, chosen)
    table.caption = "\n".join(notes) or None
    console.print(table)


def _longest_word(text: str) -> int:
    return max((len(word) for word in text.split()), default=0)


@cache
def _overhead(columns: int, compact: bool) -> int:
    """What the rules and padding of a table of ``columns`` one-character columns take."""
    probe = _table("", [str(i) for i in range(columns)], (), [], set(), {}, compact)
    wide = Console(width=1000, file=io.StringIO())
    return wide.measure(probe).maximum - columns


def _table(
    title: str,
    names: Sequence[str],
    hidden: Collection[str],
    cells: Sequence[Sequence[str]],
    tokens: Collection[str],
    min_width: Mapping[str, int],
    compact: bool,
) -> Table:
    table = Table(
        title=title,
        show_lines=False,
        box=box.SIMPLE_HEAD if compact else box.HEAVY_HEAD,
        show_edge=not compact,
        pad_edge=not compact,
        collapse_padding=compact,
    )
    keep = [i for i, name in enumerate(names) if name not in hidden]
    for i in keep:
        name = names[i]
        if name in tokens:
            # A fixed width, the longest value's: values never wrap, a header may at spaces.
            table.add_column(name, width=min_width.get(name), overflow="fold")
        else:
            table.add_column(name, overflow="fold", min_width=min_width.get(name))
    for row in cells:
        table.add_row(*(row[i] for i in keep))
    return table
