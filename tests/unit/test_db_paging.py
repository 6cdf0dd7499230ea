"""``id_pages``: a table read a page at a time by id, all of it or the ids asked for."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Column, MetaData, String, Table, create_engine, insert, select
from sqlalchemy.engine import Connection

from ceasefire.db.paging import id_pages

_ROWS = Table("rows", MetaData(), Column("id", String, primary_key=True))


def _pages(connection: Connection, chunk: int, wanted: Sequence[str] | None) -> list[list[str]]:
    query = select(_ROWS).order_by(_ROWS.c.id)
    pages = id_pages(
        query, _ROWS.c.id, lambda page: connection.execute(page).all(), chunk=chunk, wanted=wanted
    )
    return [[row.id for row in rows] for rows in pages]


def test_pages_of_every_row_and_of_the_ids_asked_for() -> None:
    engine = create_engine("sqlite://")
    with engine.begin() as connection:
        _ROWS.create(connection)
        connection.execute(insert(_ROWS), [{"id": f"r{i}"} for i in range(5)])
        assert _pages(connection, 2, None) == [["r0", "r1"], ["r2", "r3"], ["r4"]]
        # A full last page costs one more read, which finds nothing.
        assert _pages(connection, 5, None) == [["r0", "r1", "r2", "r3", "r4"], []]
        # The ids asked for, a chunk of them a page; one the table lacks is not read.
        assert _pages(connection, 2, ["r1", "r3", "r9"]) == [["r1", "r3"], []]
        assert _pages(connection, 2, []) == []
