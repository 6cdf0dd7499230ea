"""The map's per-cell incident counts (``incident_map_cells``), kept in step with incidents.

At low zoom the map shows how many incidents each grid cell holds. Counting them per request
reads every incident (100k: 150–1300 ms of a loaded machine, bench/RESULTS.md); this table
holds the counts per cell at each of the grid :data:`LEVELS`, per group of the access rule's
columns (classification, concerns, owner, agreement) and per category, so the map's answer
reads O(cells) rows. The access rule is still judged per group, exactly as
``members.grid.grid_cells`` judges it, and rows on the edge of the asked box are still
counted one by one, so a viewer gets the same numbers as by counting the incidents.

One place keeps the table: :func:`_after_flush`, a listener on every ORM flush, turns each
incident written (inserted, changed in a column that places it, emptied by a merge or an
undo, brought back) into (old place, new place) deltas (:func:`add_change`) and applies them
(:func:`apply`) on the flush's own connection, so they commit or roll back with the write.
Writes behind the ORM (a bulk ``INSERT`` such as ``bench/web.py``'s) must call
:func:`rebuild`; ``ceasefire check`` reports any cell that differs from a recount
(:func:`differences`) and ``ceasefire incident recount-map`` rebuilds the table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    ColumnElement,
    Integer,
    Table,
    and_,
    bindparam,
    delete,
    event,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy import inspect as inspect_state
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, UOWTransaction

from ceasefire.errors import worded_text
from ceasefire.i18n.markers import N_
from ceasefire.incidents.tables import IncidentRow, MapCellCountRow
from ceasefire.members.grid import (
    BBox,
    CellSums,
    GridCell,
    Group,
    as_cells,
    cell_index,
    cell_size,
    count_cells,
    in_groups,
    index_expression,
    readable,
    within,
)
from ceasefire.members.scope import ReadScope

LEVELS = range(3, 11)
"""The grid levels counted (the map's zoom 3 to 10: cells of 11.25° down to 0.088°). At a
closer zoom the map's box is small and its incidents are counted directly (the position
index finds them)."""

PLACING = (
    "classification",
    "concerns",
    "owner_member",
    "agreement_id",
    "category",
    "event_lon",
    "event_lat",
    "emptied_by",
)
"""The incident columns that decide its cells (``active_history`` on each: the flush knows
the value it replaces)."""

T = cast(Table, MapCellCountRow.__table__)
KEY = [c.name for c in T.primary_key.columns]


class Place(NamedTuple):
    """Where an incident counts: its access group, category and position."""

    classification: str
    concerns: str
    owner_member: str
    agreement_key: str
    category: str
    lon: float
    lat: float


Deltas = dict[tuple[Any, ...], list[float]]
"""Table key -> [count, longitude sum, latitude sum] to add."""


def level_of(cell_deg: float) -> int | None:
    """The counted level whose cells are ``cell_deg`` wide, if there is one."""
    for level in LEVELS:
        if cell_deg == cell_size(level):
            return level
    return None


def place_of(values: Mapping[str, Any]) -> Place | None:
    """Where an incident with these column values counts; ``None`` if it counts nowhere
    (emptied by a merge or an undo, or without a position)."""
    lon, lat = values["event_lon"], values["event_lat"]
    if values["emptied_by"] is not None or lon is None or lat is None:
        return None
    return Place(
        values["classification"],
        values["concerns"],
        values["owner_member"],
        values["agreement_id"] or "",
        values["category"],
        float(lon),
        float(lat),
    )


def add_change(deltas: Deltas, old: Place | None, new: Place | None) -> None:
    """Add to ``deltas`` an incident leaving ``old`` and arriving at ``new`` (either may be
    ``None``: created, emptied, brought back)."""
    if old == new:
        return
    for place, sign in ((old, -1), (new, 1)):
        if place is None:
            continue
        group = place[:5]
        for level in LEVELS:
            size = cell_size(level)
            key = (
                level,
                cell_index(place.lon, -180.0, size),
                cell_index(place.lat, -90.0, size),
                *group,
            )
            sums = deltas.setdefault(key, [0, 0.0, 0.0])
            sums[0] += sign
            sums[1] += sign * place.lon
            sums[2] += sign * place.lat


def apply(session: Session, deltas: Deltas) -> None:
    """Add ``deltas`` to the table in ``session``'s transaction (an upsert per key; a cell
    whose count falls to 0 is deleted)."""
    changes = [
        {**dict(zip(KEY, key, strict=True)), "n": int(d[0]), "lon_sum": d[1], "lat_sum": d[2]}
        for key, d in deltas.items()
        if d != [0, 0.0, 0.0]  # a move within a cell changes its sums only
    ]
    if not changes:
        return
    connection = session.connection()
    upsert, drop_empty = _statements(connection.dialect.name)
    connection.execute(upsert, changes)
    fewer = [{f"k_{k}": c[k] for k in KEY} for c in changes if c["n"] < 0]
    if fewer:
        connection.execute(drop_empty, fewer)


@cache
def _statements(dialect: str) -> tuple[Any, Any]:
    """The upsert of a key's deltas and the delete of a key left empty (built once: building
    the upsert's ``excluded`` columns costs more than running it)."""
    upsert = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(T)
    add = upsert.on_conflict_do_update(
        index_elements=KEY,
        set_={
            "n": T.c.n + upsert.excluded.n,
            "lon_sum": T.c.lon_sum + upsert.excluded.lon_sum,
            "lat_sum": T.c.lat_sum + upsert.excluded.lat_sum,
        },
    )
    drop_empty = delete(T).where(*(T.c[k] == bindparam(f"k_{k}") for k in KEY), T.c.n <= 0)
    return add, drop_empty


def _values(row: IncidentRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in PLACING}


def _old_values(row: IncidentRow) -> dict[str, Any]:
    state = inspect_state(row)
    values = {}
    for name in PLACING:
        history = state.attrs[name].history
        if history.deleted:
            values[name] = history.deleted[0]
        elif history.unchanged:
            values[name] = history.unchanged[0]
        else:
            values[name] = getattr(row, name)
    return values


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    """The incidents this flush wrote, as deltas applied in the same transaction."""
    deltas: Deltas = {}
    for row in session.new:
        if isinstance(row, IncidentRow):
            add_change(deltas, None, place_of(_values(row)))
    for row in session.dirty:
        if isinstance(row, IncidentRow):
            add_change(deltas, place_of(_old_values(row)), place_of(_values(row)))
    for row in session.deleted:
        if isinstance(row, IncidentRow):
            add_change(deltas, place_of(_old_values(row)), None)
    apply(session, deltas)


event.listen(Session, "after_flush", _after_flush)


# ----------------------------------------------------------------------- recount


FINEST = LEVELS[-1]
"""Counted from the incidents; every coarser level is counted from this one's rows: a cell
of level ``l`` is the cell of level ``l + k`` with its column and row halved ``k`` times
(``90 / 2**l`` scales by a power of two, so the floating-point division agrees exactly)."""


def _recount(session: Session) -> Any:
    """The table's rows of :data:`FINEST`, counted from the incidents (a SELECT)."""
    size = cell_size(FINEST)
    dialect = session.get_bind().dialect.name
    ix = index_expression(IncidentRow.event_lon, -180.0, size, dialect)
    iy = index_expression(IncidentRow.event_lat, -90.0, size, dialect)
    group = (
        IncidentRow.classification,
        IncidentRow.concerns,
        IncidentRow.owner_member,
        func.coalesce(IncidentRow.agreement_id, ""),
        IncidentRow.category,
    )
    return (
        select(
            literal(FINEST, Integer),
            ix,
            iy,
            *group,
            func.count(),
            func.sum(IncidentRow.event_lon),
            func.sum(IncidentRow.event_lat),
        )
        .where(
            IncidentRow.emptied_by.is_(None),
            IncidentRow.event_lon.is_not(None),
            IncidentRow.event_lat.is_not(None),
        )
        .group_by(ix, iy, *group)
    )


def rebuild(session: Session) -> int:
    """Recount the whole table from the incidents in ``session``'s transaction (one pass
    over the incidents, then each coarser level from the finest's rows); the number of rows
    it holds then."""
    columns = [*KEY, "n", "lon_sum", "lat_sum"]
    session.execute(delete(T))
    session.execute(insert(T).from_select(columns, _recount(session)))
    group = (T.c.classification, T.c.concerns, T.c.owner_member, T.c.agreement_key, T.c.category)
    for level in LEVELS[:-1]:
        halved = 2 ** (FINEST - level)
        ix, iy = T.c.ix // halved, T.c.iy // halved
        coarser = (
            select(
                literal(level, Integer),
                ix,
                iy,
                *group,
                func.sum(T.c.n),
                func.sum(T.c.lon_sum),
                func.sum(T.c.lat_sum),
            )
            .where(T.c.level == FINEST)
            .group_by(ix, iy, *group)
        )
        session.execute(insert(T).from_select(columns, coarser))
    return int(session.scalar(select(func.count()).select_from(T)) or 0)


def _close(a: float, b: float) -> bool:
    # Sums kept by adding and taking away positions drift in their last digits.
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def differences(session: Session, limit: int = 20) -> list[str]:
    """Each cell (at most ``limit``) whose stored count or position differs from a
    recount of the incidents, in words."""
    expected: dict[tuple[Any, ...], list[float]] = {}
    for _, ix, iy, *group, n, lon_sum, lat_sum in session.execute(_recount(session)):
        for level in LEVELS:
            halved = 2 ** (FINEST - level)
            sums = expected.setdefault((level, ix // halved, iy // halved, *group), [0, 0.0, 0.0])
            sums[0] += n
            sums[1] += lon_sum
            sums[2] += lat_sum
    stored = {
        tuple(r[:-3]): r[-3:]
        for r in session.execute(select(*(T.c[k] for k in KEY), T.c.n, T.c.lon_sum, T.c.lat_sum))
    }
    found: list[str] = []
    for key in sorted(expected.keys() | stored.keys(), key=repr):
        want, have = expected.get(key), stored.get(key)
        if (
            want is not None
            and have is not None
            and (want[0] == have[0] and _close(want[1], have[1]) and _close(want[2], have[2]))
        ):
            continue
        found.append(
            worded_text(
                N_(
                    "incident_map_cells %(cell)s: holds %(held)s incidents, a recount"
                    " %(counted)s (ceasefire incident recount-map rebuilds the counts)"
                ),
                cell=dict(zip(KEY, key, strict=True)),
                held=have[0] if have else 0,
                counted=want[0] if want else 0,
            )
        )
        if len(found) >= limit:
            break
    return found


# ----------------------------------------------------------------------- the map's answer


def _edges(
    bbox: BBox, size: float, inner: tuple[int, int, int, int], dialect: str
) -> list[ColumnElement[bool]]:
    """Four disjoint conditions covering the incidents in ``bbox`` outside its ``inner``
    cells (strictly between the cells of its corners): the west and east columns of cells,
    then the south and north rows between them.

    Each holds the whole box, hidden from the indexes (``coalesce``), and a range of its
    strip that an index serves (a margin past the cells' edge: the cell index decides):
    without statistics SQLite would as soon walk the index over the box's whole height."""
    min_lon, min_lat, max_lon, max_lat = bbox
    x0, y0, x1, y1 = inner
    # A box within one column (or row) of cells is all west (south) edge.
    x1, y1 = max(x1, x0 + 1), max(y1, y0 + 1)
    lon, lat = IncidentRow.event_lon, IncidentRow.event_lat
    hidden_lon, hidden_lat = func.coalesce(lon, lon), func.coalesce(lat, lat)
    in_box = and_(*within(hidden_lon, hidden_lat, bbox))
    ix = index_expression(lon, -180.0, size, dialect)
    iy = index_expression(lat, -90.0, size, dialect)
    margin = size * 1e-6
    between = and_(ix > x0, ix < x1)
    return [
        and_(in_box, lon >= min_lon, lon <= -180.0 + (x0 + 1) * size + margin, ix <= x0),
        and_(in_box, lon >= -180.0 + x1 * size - margin, lon <= max_lon, ix >= x1),
        and_(in_box, lat >= min_lat, lat <= -90.0 + (y0 + 1) * size + margin, iy <= y0, between),
        and_(in_box, lat >= -90.0 + y1 * size - margin, lat <= max_lat, iy >= y1, between),
    ]


def counted_cells(
    session: Session,
    scope: ReadScope,
    *,
    level: int,
    bbox: BBox | None,
    category: str | None,
    where: Sequence[ColumnElement[bool]],
) -> list[GridCell]:
    """The incidents per cell of ``level`` in ``bbox`` of ``category`` that ``scope`` may
    read, from the table: whole cells inside the box from their counts, the cells on its
    edge by counting their incidents in the box that match ``where`` (the other filters:
    the category, live incidents). The caller has made sure that the table answers every
    filter: no other, and a time window that holds every incident."""
    size = cell_size(level)
    stored = [
        (g[0], g[1], g[2], g[3] or None)
        for g in session.execute(
            select(T.c.classification, T.c.concerns, T.c.owner_member, T.c.agreement_key)
            .where(T.c.level == LEVELS[0])
            .distinct()
        )
    ]
    groups: list[Group] = readable(scope, stored)
    if not groups:
        return []
    access = (T.c.classification, T.c.concerns, T.c.owner_member, T.c.agreement_key)
    conditions = [
        T.c.level == level,
        in_groups(access, [(g[0], g[1], g[2], g[3] or "") for g in groups]),
    ]
    if category is not None:
        conditions.append(T.c.category == category)
    inner: tuple[int, int, int, int] | None = None
    if bbox is not None:
        min_lon, min_lat, max_lon, max_lat = bbox
        inner = (
            cell_index(min_lon, -180.0, size),
            cell_index(min_lat, -90.0, size),
            cell_index(max_lon, -180.0, size),
            cell_index(max_lat, -90.0, size),
        )
        x0, y0, x1, y1 = inner
        conditions += [T.c.ix > x0, T.c.ix < x1, T.c.iy > y0, T.c.iy < y1]
    sums: CellSums = {
        (int(x), int(y)): (int(n), float(lon_sum), float(lat_sum))
        for x, y, n, lon_sum, lat_sum in session.execute(
            select(T.c.ix, T.c.iy, func.sum(T.c.n), func.sum(T.c.lon_sum), func.sum(T.c.lat_sum))
            .where(*conditions)
            .group_by(T.c.ix, T.c.iy)
        )
    }
    if bbox is not None and inner is not None:
        dialect = session.get_bind().dialect.name
        for edge in _edges(bbox, size, inner, dialect):
            found = count_cells(
                session, IncidentRow, [*where, edge], groups, cell_deg=size, by_position=True
            )
            for cell, (n, lon_sum, lat_sum) in found.items():
                had = sums.get(cell, (0, 0.0, 0.0))
                sums[cell] = (had[0] + n, had[1] + lon_sum, had[2] + lat_sum)
    return as_cells(sums, size)
