"""Counts of the rows one viewer may read, per cell of a longitude/latitude grid.

The map aggregates on the server at low zoom: 100k incidents become a few hundred cells.
A count must never include a record the viewer may not read, and ``ReadScope.clause`` admits
"possibly a little more" than that. So the query groups by the cell *and* by every column the
access rule reads (classification, concerns, owner, agreement), each group is judged with
``ReadScope.can_read`` (the rule itself, as for every row of a list), and only readable
groups are added up. The groups stay few: those columns take a handful of values.

Cells are anchored at (-180, -90), so a cell does not move as the map pans.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Integer, cast, func, select
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
    ``owner_member`` and ``agreement_id`` (reports and incidents do)."""
    if cell_deg <= 0:
        raise ValueError("cell_deg must be positive")
    dialect = session.get_bind().dialect.name
    ix = _index(model.event_lon, -180.0, cell_deg, dialect).label("ix")
    iy = _index(model.event_lat, -90.0, cell_deg, dialect).label("iy")
    query = (
        select(
            ix,
            iy,
            model.classification,
            model.concerns,
            model.owner_member,
            model.agreement_id,
            func.count(),
            func.sum(model.event_lon),
            func.sum(model.event_lat),
        )
        .where(model.event_lon.is_not(None), model.event_lat.is_not(None), *where)
        .group_by(
            ix, iy, model.classification, model.concerns, model.owner_member, model.agreement_id
        )
    )
    totals: dict[tuple[int, int], list[float]] = {}
    for (
        x,
        y,
        classification,
        concerns,
        owner,
        agreement,
        count,
        lon_sum,
        lat_sum,
    ) in session.execute(query):
        if not scope.can_read(
            classification, concerns=concerns, owner_member=owner, agreement_id=agreement
        ):
            continue
        total = totals.setdefault((int(x), int(y)), [0, 0.0, 0.0])
        total[0] += count
        total[1] += lon_sum
        total[2] += lat_sum
    cells = []
    for (x, y), (count, lon_sum, lat_sum) in sorted(totals.items()):
        west, south = -180.0 + x * cell_deg, -90.0 + y * cell_deg
        cells.append(
            GridCell(
                lon=lon_sum / count,
                lat=lat_sum / count,
                count=int(count),
                bounds=(west, south, west + cell_deg, south + cell_deg),
            )
        )
    return cells
