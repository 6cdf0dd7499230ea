"""Reading a large table a page at a time by its id (exports and the publishing reads)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, Select
from sqlalchemy.orm import QueryableAttribute


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


RowT = TypeVar("RowT", bound=_HasId)


def id_pages(
    query: Select[Any],
    id_column: ColumnElement[str] | QueryableAttribute[str],
    fetch: Callable[[Select[Any]], Sequence[RowT]],
    *,
    chunk: int,
    wanted: Sequence[str] | None = None,
) -> Iterator[Sequence[RowT]]:
    """The rows of ``query`` (ordered by ``id_column``), ``chunk`` at a time as ``fetch``
    reads them: those whose id is in ``wanted`` (sorted, no repeats) when given, else every
    row, each page after the last id of the one before, so a million rows stream."""
    after: str | None = None
    position = 0
    while True:
        page = query.limit(chunk)
        if wanted is not None:
            part = wanted[position : position + chunk]
            if not part:
                return
            position += chunk
            page = page.where(id_column.in_(part))
        elif after is not None:
            page = page.where(id_column > after)
        rows = fetch(page)
        yield rows
        if wanted is None:
            if len(rows) < chunk:
                return
            after = rows[-1].id
