"""Output helpers shared by the CLI commands: JSON for machines, Rich tables for people."""

from __future__ import annotations

import io
import json
import re
import sys
import textwrap
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, Protocol, TypeVar

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ceasefire.console import lang
from ceasefire.console.lang import _
from ceasefire.errors import CeasefireError, WordedText

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

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


# What JSON's encoder leaves raw under ``ensure_ascii=False`` but a terminal acts on: DEL and
# the C1 controls (U+009B is a CSI, U+009D an OSC: the same commands as ESC [ and ESC ]), and
# the bidirectional embeddings, overrides and isolates (a U+202E turns the rest of the line
# round: "Trojan source"). In a JSON text they can only stand inside strings, where their
# \u escape is the same string to every JSON reader.
_JSON_TERMINAL_CONTROLS = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def json_text(
    data: Any, *, indent: int | None = None, default: Callable[[Any], Any] = _default
) -> str:
    """``data`` as JSON that is safe to print on a terminal: non-ASCII letters as they are,
    every control character (C0 by the encoder, DEL, C1 and bidi controls here) escaped."""
    text = json.dumps(data, ensure_ascii=False, indent=indent, default=default)
    return _JSON_TERMINAL_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def to_json(data: Any) -> str:
    return json_text(data, indent=2)


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


class Page(Protocol[T_co]):
    """A page of a list use case: its items and the cursor of the next page, if any."""

    @property
    def items(self) -> Sequence[T_co]: ...
    @property
    def next_cursor(self) -> str | None: ...


def print_page(
    page: Page[T],
    as_json: bool,
    title: str,
    columns: Sequence[str],
    row: Callable[[T], Sequence[Any]],
    *,
    optional: Sequence[str] = (),
) -> None:
    """A page of a list: ``{"items", "next_cursor"}`` under ``--json``, otherwise a table
    of ``row`` of each item, its caption the ``--cursor`` of the next page."""
    if as_json:
        print_json({"items": page.items, "next_cursor": page.next_cursor})
        return
    print_table(
        title,
        columns,
        (row(item) for item in page.items),
        caption=_("next page: --cursor {cursor}").format(cursor=page.next_cursor)
        if page.next_cursor
        else None,
        optional=optional,
    )


_ISO_INSTANT = re.compile(
    r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$"
)


TEXT_FLOOR = 12
"""The narrowest a text column gets before its longer words fold."""


# C0 and C1 control characters but tab and newline: ESC starts the terminal's own commands
# (clear the screen, set the title, write the clipboard, OSC 8 links), CR and BS overwrite;
# and the bidirectional embeddings, overrides and isolates, which reorder what follows them
# on the line (a narrative's U+202E showed "fdp.exe" as "exe.pdf").
_TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_text(text: str) -> str:
    """Text a member wrote, safe to print on another member's terminal: its control
    characters shown as U+FFFD (see docs/security.md). Rich markup is not read from it
    either: print it as a ``rich.text.Text`` or through ``rich.markup.escape``."""
    return _TERMINAL_CONTROLS.sub("\ufffd", text)


def plain(value: Any) -> str:
    """A member's words for an f-string given to ``console.print``: control characters
    shown as ``terminal_text`` shows them, and Rich markup escaped (``[/x]`` is text)."""
    return escape(terminal_text(str(value)))


def table_cell(value: Any) -> str:
    """A value as a table shows it: an instant to the minute ("2020-11-10 05:30Z", the
    offset kept where it is not UTC; ``--json`` keeps every digit), ``None`` as nothing;
    control characters as ``terminal_text`` shows them."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.isoformat()
    text = terminal_text(str(value))
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

    ``title`` and the column names (mark them with ``N_``) are translated here, into the
    CLI's language; the other arguments name columns in English.
    """
    title = _(title)
    columns = [_(name) for name in columns]
    no_wrap = {_(name) for name in no_wrap}
    free_text = {_(name) for name in free_text}
    min_width = {_(name): n for name, n in (min_width or {}).items()}
    optional = [_(name) for name in optional]
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
    styles = [compact] if compact else [False, True]
    chosen, hidden = _fit(names, candidates, floors, styles, width)
    if chosen is None:
        # Still too wide: long words of the text columns fold, values stay whole.
        floors = {n: f if n in tokens else min(f, TEXT_FLOOR) for n, f in floors.items()}
        chosen, hidden = _fit(names, candidates, floors, styles, width)
    notes = [caption] if caption else []
    if hidden:
        notes.append(
            _(
                "not shown at {width} columns: {names} (a wider terminal or --json shows them)"
            ).format(width=width, names=", ".join(hidden))
        )
    if chosen is None:
        # Nothing left to leave out: the widest words fold (the old layout).
        table = _table(title, names, hidden, cells, {}, True)
    else:
        kept = [name for name in names if name not in hidden]
        room = width - _overhead(len(kept), chosen) - 1  # Rich folds a table of exactly the width
        widths = _widths(kept, tokens, floors, _naturals(names, cells), room)
        table = _table(title, names, hidden, cells, widths, chosen)
    table.caption = "\n".join(notes) or None
    console.print(table)


def _fit(
    names: Sequence[str],
    candidates: Sequence[str],
    floors: Mapping[str, int],
    styles: Sequence[bool],
    width: int,
) -> tuple[bool | None, list[str]]:
    """The first style (rules or none) in which the columns fit and the columns left out
    for it, the fewest of ``candidates`` in their order; ``None`` where they never fit."""
    for left_out in range(len(candidates) + 1):
        hidden = list(candidates[:left_out])
        kept = [name for name in names if name not in hidden]
        for style in styles:
            if sum(floors[n] for n in kept) + _overhead(len(kept), style) < width:
                return style, hidden
    return None, list(candidates)


def _naturals(names: Sequence[str], cells: Sequence[Sequence[str]]) -> dict[str, int]:
    """Each column's width with nothing wrapped (the heading's where there are no rows)."""
    return {name: max([len(name), *(len(r[i]) for r in cells)]) for i, name in enumerate(names)}


def _widths(
    kept: Sequence[str],
    tokens: Collection[str],
    floors: Mapping[str, int],
    naturals: Mapping[str, int],
    room: int,
) -> dict[str, int]:
    """Values' columns at their floor; the room left goes to the text columns, a character
    at a time to the one furthest from its natural width, none beyond it."""
    widths = {name: floors[name] for name in kept}
    spare = room - sum(widths.values())
    text = [name for name in kept if name not in tokens]
    while spare > 0 and text:
        name = max(text, key=lambda n: naturals[n] - widths[n])
        if naturals[name] <= widths[name]:
            break
        widths[name] += 1
        spare -= 1
    return widths


def _longest_word(text: str) -> int:
    return max((len(word) for word in text.split()), default=0)


@cache
def _overhead(columns: int, compact: bool) -> int:
    """What the rules and padding of a table of ``columns`` one-character columns take."""
    probe = _table("", [str(i) for i in range(columns)], (), [], {}, compact)
    wide = Console(width=1000, file=io.StringIO())
    return wide.measure(probe).maximum - columns


def _table(
    title: str,
    names: Sequence[str],
    hidden: Collection[str],
    cells: Sequence[Sequence[str]],
    widths: Mapping[str, int],
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
        # Widths are fixed here: a value's column is as wide as its longest value, so it
        # never wraps (its header may, at spaces); text wraps at spaces.
        table.add_column(name, width=widths.get(name), overflow="fold")
    for row in cells:
        # Text, not markup: a narrative's "[link=…]" or "[/x]" is shown as written.
        table.add_row(*(Text(row[i]) for i in keep))
    return table


def _hanging(text: str, width: int) -> list[str]:
    """``text`` (one problem of an error) as lines of ``width``, indented by two and each
    line it runs on to by four, so that a problem that wraps at 80 columns still reads as
    one under its neighbours; a path or a value longer than a line is never broken."""
    return _word_lines(terminal_text(text), max(width, 40), "  ", "    ") or ["  "]


def _word_lines(text: str, width: int, first: str, rest: str) -> list[str]:
    """``text`` broken between words only, never inside a word, a path or a hyphenated name."""
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )


_PHRASE_BREAK = re.compile(r"(?<=[,;:]) +| +(?=[(—])")
"""Where a line of prose breaks best: after a comma, semicolon or colon, before a bracket
or a dash."""


def phrase_lines(text: str, width: int, first: str = "", rest: str = "  ") -> list[str]:
    """``text`` as lines of at most ``width`` columns (40 at least), the first after
    ``first`` and the others after ``rest``: broken between phrases where the line so
    ended is two thirds full at least and the next phrase fits on the next, otherwise between
    words ("post jmc-1" stays together). A path or a word is never broken."""
    width = max(width, 40)
    lines: list[str] = []
    current = ""
    for phrase in _PHRASE_BREAK.split(terminal_text(text)):
        indent = rest if lines else first
        joined = f"{current} {phrase}" if current else phrase
        if cell_len(indent + joined) <= width:
            current = joined
        elif cell_len(indent + current) * 3 >= width * 2 and cell_len(rest + phrase) <= width:
            lines.append(indent + current)
            current = phrase
        else:
            wrapped = _word_lines(joined, width, indent, rest)
            lines.extend(wrapped[:-1])
            current = wrapped[-1][len(rest if len(wrapped) > 1 else indent) :]
    return [*lines, (rest if lines else first) + current]


def print_prose(text: str, first: str = "", rest: str = "  ", style: str = "") -> None:
    """``text`` (markup read, then laid out as plain words) on stdout in lines of the
    terminal's width by ``phrase_lines``; ``first`` in ``style`` (a tick, say)."""
    plain_text = Text.from_markup(text).plain
    for number, line in enumerate(phrase_lines(plain_text, console.width, first, rest)):
        shown = Text(line)
        if number == 0 and first and style:
            shown.stylize(style, 0, len(first))
        console.print(shown, soft_wrap=True, highlight=False)


def show_error(exc: CeasefireError) -> None:
    """A coded error on standard error, in the CLI's language: the command line's and the
    ASGI app factory's one rendering of an error that ends them."""
    # The message and details may quote a file's cells or another member's words.
    # English keeps the service's message alone; another language puts the coded
    # error's title (the ``core`` catalogue, as the web's error page) before it, and
    # the message in that language where the raise site gave its wording.
    error = _("error")
    message = plain(exc.wording.render(_) if exc.wording else exc.message)
    if lang.language() != "en":
        message = f"{_(exc.title)}: {message}"
    err_console.print(f"[red]{error}[/red] [{exc.code}] {message}", highlight=False)
    if isinstance(exc.details, list):
        for item in exc.details:
            if isinstance(item, dict):
                where = item.get("loc", "")
                message = item.get("message", "")
                if isinstance(message, WordedText):
                    message = message.shown(_)
                for line in _hanging(f"{where}: {message}", err_console.width):
                    err_console.print(Text(line), soft_wrap=True, highlight=False)
