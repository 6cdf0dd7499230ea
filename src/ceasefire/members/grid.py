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

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, cast, func, or_, select, tuple_
from sqlalchemy.orm import Session

from ceasefire.members.scope import ReadScope

BBox = tuple[float, float, float, float]
"""min_lon, min_lat, max_lon, max_lat (WGS84 degrees)."""


def within(lon: Any, lat: Any, box: BBox) -> list[ColumnElement[bool]]:
    """The conditions that put the position columns (or expressions) ``lon``, ``lat`` in
    ``box``, its edges included."""
    min_lon, min_lat, max_lon, max_lat = box
    return [lon >= min_lon, lon <= max_lon, lat >= min_lat, lat <= max_lat]


@dataclass(frozen=True, slots=True)
class GridCell:
    """The readable rows of one cell: how many, their mean position, the cell's bounds."""

    lon: float
    lat: float
    count: int
    bounds: BBox


Group = tuple[Any, Any, Any, Any]
"""The access rule's columns of a row: classification, concerns, owner_member, agreement_id."""


def cell_size(level: int) -> float:
    """The edge, in degrees, of a cell of grid ``level``: ``90 / 2**level`` (the map asks
    level ``zoom``: about 64 px on screen)."""
    return 90.0 / float(2**level)


def cell_index(value: float, origin: float, size: float) -> int:
    """The cell column (``origin`` -180) or row (-90) of ``value``: the same arithmetic, in
    the same floating point, as :func:`index_expression` in SQL."""
    return math.floor((value - origin) / size)


def index_expression(column: Any, origin: float, size: float, dialect: str) -> ColumnElement[Any]:
    """:func:`cell_index` of ``column`` in SQL."""
    offset = (column - origin) / size
    # Non-negative (the grid starts at -180/-90): SQLite's CAST truncates, which is floor
    # here; PostgreSQL's CAST rounds, so it floors explicitly.
    if dialect == "postgresql":
        return cast(func.floor(offset), Integer)
    return cast(offset, Integer)


def _same(column: Any, value: Any) -> ColumnElement[bool]:
    same: ColumnElement[bool] = column.is_(None) if value is None else column == value
    return same


def readable(scope: ReadScope, groups: Iterable[Sequence[Any]]) -> list[Group]:
    """The ``groups`` (classification, concerns, owner, agreement) ``scope`` may read, each
    judged with ``ReadScope.can_read``: the rule itself, as for every row of a list."""
    return [
        (g[0], g[1], g[2], g[3])
        for g in groups
        if scope.can_read(g[0], concerns=g[1], owner_member=g[2], agreement_id=g[3])
    ]


def in_groups(columns: Sequence[Any], groups: Sequence[Group]) -> ColumnElement[bool]:
    """``columns`` equal one of ``groups``, a NULL in a group matching a NULL."""
    # (a, b, c, d) IN (...) reads like no filter at all (SQLite scans the index, or searches
    # it for one group); a NULL never equals, so groups holding one are spelled out.
    whole = [g for g in groups if None not in g]
    holed = [g for g in groups if None in g]
    return or_(
        *([tuple_(*columns).in_(whole)] if whole else []),
        *(and_(*(_same(c, v) for c, v in zip(columns, g, strict=True))) for g in holed),
    )


CellSums = dict[tuple[int, int], tuple[int, float, float]]
"""Cell (column, row) -> (rows, sum of their longitudes, sum of their latitudes)."""


def count_cells(
    session: Session,
    model: Any,
    where: Sequence[ColumnElement[bool]],
    groups: Sequence[Group],
    *,
    cell_deg: float,
    by_position: bool = False,
) -> CellSums:
    """The placed rows of ``model`` matching ``where`` whose access columns are one of
    ``groups`` (judged already), summed per ``cell_deg`` cell. ``by_position``: the group
    condition is kept from the indexes, so that a position range in ``where`` picks the
    index (SQLite would search ``ix_incidents_map_cells`` for the public's one group and
    read all of it)."""
    if not groups:
        return {}
    access = [model.classification, model.concerns, model.owner_member, model.agreement_id]
    if by_position:
        access = [func.coalesce(c, c) for c in access]
    located = [model.event_lon.is_not(None), model.event_lat.is_not(None), *where]
    dialect = session.get_bind().dialect.name
    ix = index_expression(model.event_lon, -180.0, cell_deg, dialect).label("ix")
    iy = index_expression(model.event_lat, -90.0, cell_deg, dialect).label("iy")
    query = (
        select(ix, iy, func.count(), func.sum(model.event_lon), func.sum(model.event_lat))
        .where(*located, in_groups(access, groups))
        .group_by(ix, iy)
    )
    return {
        (int(x), int(y)): (int(count), float(lon_sum), float(lat_sum))
        for x, y, count, lon_sum, lat_sum in session.execute(query)
    }


def as_cells(sums: CellSums, cell_deg: float) -> list[GridCell]:
    """``sums`` as the map's cells (mean position, bounds), west to east, south to north."""
    cells = []
    for (x, y), (count, lon_sum, lat_sum) in sums.items():
        if count <= 0:
            continue
        west, south = -180.0 + x * cell_deg, -90.0 + y * cell_deg
        cells.append(
            GridCell(
                lon=lon_sum / count,
                lat=lat_sum / count,
                count=count,
                bounds=(west, south, west + cell_deg, south + cell_deg),
            )
        )
    cells.sort(key=lambda c: (c.bounds[0], c.bounds[1]))
    return cells


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
    access = (model.classification, model.concerns, model.owner_member, model.agreement_id)
    # Every group in the table (the index's leading columns answer it; judging a group with
    # no row in the box is harmless).
    groups = readable(scope, session.execute(select(*access).distinct()))
    return as_cells(count_cells(session, model, where, groups, cell_deg=cell_deg), cell_deg)
