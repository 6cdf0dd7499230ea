"""Counts of the rows one viewer may read, per cell of a longitude/latitude grid.

The map aggregates on the server at low zoom: 100k incidents become a few hundred cells.
A count must never include a record the viewer may not read, and ``ReadScope.clause`` admits
"possibly a little more" than that. So the groups of every column the access rule reads
(classification, concerns, owner, agreement) that occur are listed first, each is judged
with ``ReadScope.can_read`` (the rule itself, as for every row of a list), and only the rows
of readable groups are counted per cell. The groups stay few: those columns take a handful
of values.

Cells are anchored at (-180, -90), so a cell does not move as the map pans.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, cast, func, or_, select, tuple_
from sqlalchemy.orm import Session

from ceasefire.members.scope import ReadScope

BBox = tuple[float, float, float, float]
"""min_lon, min_lat, max_lon, max_lat (WGS84 degrees)."""


@dataclass(frozen=True, slots=True)
class GridCell:
    """The readable rows of one cell: how many, their mean position, the cell's bounds."""

    lon: float
    lat: float
    count: int
    bounds: BBox


def _index(column: Any, origin: float, size: float, dialect: str) -> ColumnElement[Any]:
    offset = (column - origin) / size
    # Non-negative (the grid starts at -180/-90): SQLite's CAST truncates, which is floor
    # here; PostgreSQL's CAST rounds, so it floors explicitly.
    if dialect == "postgresql":
        return cast(func.floor(offset), Integer)
    return cast(offset, Integer)


def _same(column: Any, value: Any) -> ColumnElement[bool]:
    same: ColumnElement[bool] = column.is_(None) if value is None else column == value
    return same


def grid_cells(
    session: Session,
    scope: ReadScope,
    model: Any,
    where: Sequence[ColumnElement[bool]],
    *,
    cell_deg: float,
) -> list[GridCell]:
    """Readable rows of ``model`` matching ``where`` counted per ``cell_deg`` cell.

    ``model`` has ``event_lon``, ``event_lat``, ``classification``, ``concerns``,
    ``owner_member`` and ``agreement_id`` (reports and incidents do).

    Two queries: which groups of the access rule's columns occur (few; each judged here with
    ``ReadScope.can_read``), then the counts per cell of the matching rows in the readable
    groups only, the groups spelled out in the condition. A row of a group
    that was not judged (written between the two queries) matches no condition: a count
    never includes a row nobody judged readable. With ``ix_incidents_map_cells`` (access
    columns first, then position) both read only that index, and grouping by the cell alone
    sorts half the data of grouping by cell and access columns."""
    if cell_deg <= 0:
        raise ValueError("cell_deg must be positive")
    located = [model.event_lon.is_not(None), model.event_lat.is_not(None), *where]
    access = (model.classification, model.concerns, model.owner_member, model.agreement_id)
    # Every group in the table (the index's leading columns answer it; judging a group with
    # no row in the box is harmless).
    readable = [
        tuple(group)
        for group in session.execute(select(*access).distinct())
        if scope.can_read(group[0], concerns=group[1], owner_member=group[2], agreement_id=group[3])
    ]
    if not readable:
        return []
    dialect = session.get_bind().dialect.name
    ix = _index(model.event_lon, -180.0, cell_deg, dialect).label("ix")
    iy = _index(model.event_lat, -90.0, cell_deg, dialect).label("iy")
    # (a, b, c, d) IN (...) reads like no filter at all (SQLite scans the index, or searches
    # it for one group); a NULL never equals, so groups holding one are spelled out.
    whole = [g for g in readable if None not in g]
    holed = [g for g in readable if None in g]
    groups = or_(
        *([tuple_(*access).in_(whole)] if whole else []),
        *(and_(*(_same(c, v) for c, v in zip(access, g, strict=True))) for g in holed),
    )
    query = (
        select(ix, iy, func.count(), func.sum(model.event_lon), func.sum(model.event_lat))
        .where(*located, groups)
        .group_by(ix, iy)
    )
    cells = []
    for x, y, count, lon_sum, lat_sum in session.execute(query):
        west, south = -180.0 + int(x) * cell_deg, -90.0 + int(y) * cell_deg
        cells.append(
            GridCell(
                lon=lon_sum / count,
                lat=lat_sum / count,
                count=int(count),
                bounds=(west, south, west + cell_deg, south + cell_deg),
            )
        )
    cells.sort(key=lambda c: (c.bounds[0], c.bounds[1]))
    return cells
