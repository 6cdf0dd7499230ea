"""The map's counts per cell (``incident_map_cells``): every incident write keeps them equal
to a recount, and the map's answer from them is the answer of counting the incidents, for
every viewer, box, level and category (SQLite and PostgreSQL)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import insert, select, update

from ceasefire.access import Classification, Viewer
from ceasefire.db.context import ServiceContext
from ceasefire.db.migrate import alembic_config, upgrade
from ceasefire.fusion import service as fusion
from ceasefire.ids import new_id
from ceasefire.incidents import cellcounts
from ceasefire.incidents import service as incidents
from ceasefire.incidents.service import IncidentFilters
from ceasefire.incidents.tables import IncidentRow, MapCellCountRow
from ceasefire.ledger import service as ledger
from ceasefire.members.grid import GridCell, cell_size
from ceasefire.reports import service as reports
from ceasefire.reports.model import Category
from tests.factories.cli import InProcessCli
from tests.factories.members import OPERATOR, Cast
from tests.factories.reports import shelling_body

END = datetime(2031, 1, 1, tzinfo=UTC)
LONG_AGO = datetime(1990, 1, 1, tzinfo=UTC)
"""A window start before every incident: the same incidents, but the counts per cell cannot
answer a window with a start, so the map's count is made by counting the incidents."""

BOXES: tuple[tuple[float, float, float, float] | None, ...] = (
    None,
    (41.0, 36.5, 52.0, 43.0),  # the map's opening box
    (46.6, 39.7, 47.1, 40.05),  # through the incidents: cells cut by every edge
    (46.93, 39.99, 46.94, 40.0),  # inside one cell
)


def _readers(ctx: ServiceContext, cast: Cast) -> list[Viewer]:
    """A monitor, both parties' liaisons, the public and the operator."""
    return [*(cast.viewer(ctx, m) for m in ("rus", "arm", "aze")), Viewer.public(), OPERATOR]


def _shown(cells: list[GridCell]) -> list[tuple[Any, ...]]:
    return [(c.bounds, c.count) for c in cells]


def assert_same_as_counting(ctx: ServiceContext, cast: Cast) -> int:
    """Every reader's cells from the table equal those of counting the incidents; the
    number of cells compared."""
    compared = 0
    for viewer in _readers(ctx, cast):
        for level in (3, 6, 8, 10):
            for bbox in BOXES:
                for category in (None, Category.SHELLING):
                    asked = IncidentFilters(end=END, bbox=bbox, category=category)
                    stored = incidents.incident_cells(ctx, viewer, asked, cell_deg=cell_size(level))
                    counted = incidents.incident_cells(
                        ctx,
                        viewer,
                        IncidentFilters(start=LONG_AGO, end=END, bbox=bbox, category=category),
                        cell_deg=cell_size(level),
                    )
                    assert _shown(stored) == _shown(counted), (viewer, level, bbox, category)
                    for a, b in zip(stored, counted, strict=True):
                        assert (a.lon, a.lat) == pytest.approx((b.lon, b.lat))
                    compared += len(stored)
    return compared


def assert_kept(ctx: ServiceContext) -> None:
    with ctx.reader() as session:
        assert cellcounts.differences(session) == []


def _file(ctx: ServiceContext, cast: Cast, who: str, lon: float, lat: float, **more: Any) -> str:
    body = shelling_body(event_position={"lat": lat, "lon": lon, "precision": 2}, **more)
    return reports.submit_report(ctx, cast.viewer(ctx, who), body).report.id


def test_every_incident_write_keeps_the_counts_and_the_map_counts_the_same(
    ctx: ServiceContext, cast: Cast
) -> None:
    tur = cast.viewer(ctx, "tur")
    # Fusion (the worker's path) makes incidents of reports far apart in place or time.
    spots = [(46.93, 39.99), (46.75, 39.82), (47.05, 40.02), (46.62, 39.71), (46.99, 39.75)]
    filed = []
    for n, (lon, lat) in enumerate(spots):
        filed.append(
            _file(
                ctx,
                cast,
                "tur",
                lon,
                lat,
                classification=("public", "shared", "internal")[n % 3],
                concerns=[("ARM", "AZE"), ("ARM",), ("AZE",)][n % 3],
                category="shelling" if n % 2 else "small_arms_fire",
                observed={"start": f"2020-11-{10 + 3 * n}T10:00:00+00:00", "precision": "exact"},
            )
        )
    fusion.drain(ctx)
    assert_kept(ctx)
    # By hand: one of no agreement (a NULL in the access group), one internal.
    alone = _file(ctx, cast, "tur", 46.95, 39.95, agreement_id=None)
    incidents.create_incident(
        ctx, tur, report_ids=[alone], title="no agreement", classification=Classification.PUBLIC
    )
    internal = incidents.create_incident(
        ctx,
        tur,
        report_ids=[_file(ctx, cast, "tur", 46.7, 39.9, classification="internal")],
        title="internal",
        classification=Classification.INTERNAL,
    )
    assert_kept(ctx)
    assert assert_same_as_counting(ctx, cast) > 0

    where = {r.id: r.incident_id for r in reports.list_reports(ctx, OPERATOR).items}
    first, second = str(where[filed[0]]), str(where[filed[1]])
    incidents.classify(ctx, tur, internal.id, Classification.PUBLIC, reason="released")
    assert_kept(ctx)
    # A report far away joins: the incident's position may move; then it leaves again.
    far = _file(ctx, cast, "tur", 45.3, 40.6)
    incidents.add_reports(ctx, tur, internal.id, [far])
    assert_kept(ctx)
    incidents.remove_report(ctx, tur, internal.id, far, reason="another event")
    assert_kept(ctx)
    merged = fusion.merge(ctx, tur, first, second, reason="one barrage")
    assert_kept(ctx)
    fusion.undo(ctx, tur, merged.id)
    assert_kept(ctx)
    fusion.merge(ctx, tur, first, second)
    fusion.split(ctx, tur, first, [filed[1]])
    assert_kept(ctx)
    assert assert_same_as_counting(ctx, cast) > 0


def _bulk_rows(template: dict[str, Any], count: int) -> list[dict[str, Any]]:
    rng = random.Random(16)
    rows = []
    for n in range(count):
        rows.append(
            {
                **template,
                "id": new_id("inc"),
                "classification": rng.choice(["public", "shared", "internal"]),
                "concerns": rng.choice([",ARM,AZE,", ",ARM,", ",AZE,"]),
                "owner_member": rng.choice(["tur", "rus", "aze"]),
                "agreement_id": rng.choice(["nk-2020-trilateral", None]),
                "category": rng.choice(["shelling", "drone_strike"]),
                "event_lon": None if n % 50 == 0 else rng.gauss(46.9, 0.4),
                "event_lat": rng.gauss(39.9, 0.3),
                "emptied_by": "fus_x" if n % 40 == 1 else None,
            }
        )
    return rows


def test_a_bulk_insert_is_found_by_the_check_and_recounted(
    ctx: ServiceContext, cast: Cast, cli: InProcessCli
) -> None:
    _file(ctx, cast, "tur", 46.93, 39.99)
    fusion.drain(ctx)
    with ctx.engine.begin() as conn:
        template = dict(conn.execute(select(IncidentRow.__table__)).mappings().one())
        conn.execute(insert(IncidentRow), _bulk_rows(template, 400))
    with ctx.reader() as session:
        assert cellcounts.differences(session)  # written behind the unit of work
    rebuilt = incidents.rebuild_map_counts(ctx)
    assert rebuilt.incidents == 1 + 400 - 8 - 10  # placed (not n%50) and live (not n%40==1)
    assert rebuilt.differed > 0
    assert_kept(ctx)
    assert assert_same_as_counting(ctx, cast) > 20

    # Moves, emptying and bringing back through the ORM (what the services do).
    with ctx.unit_of_work() as session:
        rows = session.scalars(select(IncidentRow).order_by(IncidentRow.id).limit(30)).all()
        for n, row in enumerate(rows):
            if n % 3 == 0:
                row.event_lon = (row.event_lon or 46.0) + 0.5
            elif n % 3 == 1:
                row.emptied_by = None if row.emptied_by else "fus_y"
            else:
                row.category, row.classification = "projectile", "public"
    assert_kept(ctx)

    # A count changed behind the application: the map shows it (it reads the table), the
    # check finds it, and a recount repairs it.
    with ctx.engine.begin() as conn:
        conn.execute(update(MapCellCountRow).values(n=MapCellCountRow.n + 5))
    with ctx.reader() as session:
        assert cellcounts.differences(session)
    found = ledger.verify(ctx, check_signatures=False).findings  # what `ceasefire check` runs
    assert any("incident_map_cells" in f.message for f in found)
    with pytest.raises(AssertionError):
        assert_same_as_counting(ctx, cast)
    assert cli("incident", "recount-map")["differed"] > 0
    assert_kept(ctx)


def test_the_migration_backfills_what_the_writes_keep(ctx: ServiceContext, cast: Cast) -> None:
    for n, (lon, lat) in enumerate([(46.93, 39.99), (46.62, 39.71), (46.2, 40.3)]):
        _file(ctx, cast, "tur", lon, lat, observed={"start": f"2020-11-1{n}T10:00:00+00:00"})
    fusion.drain(ctx)
    with ctx.engine.begin() as conn:
        template = dict(conn.execute(select(IncidentRow.__table__)).mappings().first() or {})
        conn.execute(insert(IncidentRow), _bulk_rows(template, 200))
    with ctx.reader() as session:
        assert cellcounts.differences(session)
    from alembic import command

    command.downgrade(alembic_config(ctx.engine), "0015_user_prefs")
    upgrade(ctx.engine)
    assert_kept(ctx)
    with ctx.reader() as session:
        assert session.scalar(select(MapCellCountRow.n).limit(1))
