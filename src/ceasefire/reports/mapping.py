"""Reports on the map: points at high zoom, counts per grid cell at low zoom.

The same access rule as ``list_reports`` (``ReadScope.clause`` then ``readable_row``'s check);
a point carries only what the public form of a report keeps (what, where, when): no
observer position, reporter or narrative.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import ColumnElement, func, select

from ceasefire.access import Viewer
from ceasefire.db.context import ServiceContext
from ceasefire.members.grid import BBox, GridCell, grid_cells, within
from ceasefire.members.scope import ReadScope
from ceasefire.reports.service import masked_text, unreadable_ids, unreadable_incidents
from ceasefire.reports.tables import IncidentReportRow, ReportRow


@dataclass(frozen=True, slots=True)
class ReportPoint:
    id: str
    channel: str
    category: str
    observed_start: datetime
    lon: float
    lat: float
    place_name: str | None
    incident_id: str | None


def _where(
    scope: ReadScope,
    bbox: BBox,
    start: datetime | None,
    end: datetime | None,
    category: str | None,
) -> list[ColumnElement[bool]]:
    where = [scope.clause(ReportRow), *within(ReportRow.event_lon, ReportRow.event_lat, bbox)]
    if category is not None:
        where.append(ReportRow.category == category)
    if start is not None:
        where.append(ReportRow.observed_end >= start)
    if end is not None and start is None:
        # All history up to a day: a scan beats one look-up per row through the
        # observed-time index (see incidents.service.incident_cells).
        where.append(func.coalesce(ReportRow.observed_start, ReportRow.observed_start) <= end)
    elif end is not None:
        where.append(ReportRow.observed_start <= end)
    return where


def report_points(
    ctx: ServiceContext,
    viewer: Viewer,
    bbox: BBox,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    category: str | None = None,
    limit: int = 500,
) -> tuple[list[ReportPoint], bool]:
    """Up to ``limit`` readable reports in ``bbox`` (newest first), and whether there are more."""
    with ctx.reader() as session:
        scope = ReadScope.load(session, viewer)
        query = (
            select(
                ReportRow.id,
                ReportRow.channel,
                ReportRow.category,
                ReportRow.observed_start,
                ReportRow.event_lon,
                ReportRow.event_lat,
                ReportRow.event_place,
                ReportRow.classification,
                ReportRow.concerns,
                ReportRow.owner_member,
                ReportRow.agreement_id,
                IncidentReportRow.incident_id,
            )
            .outerjoin(IncidentReportRow, IncidentReportRow.report_id == ReportRow.id)
            .where(*_where(scope, bbox, start, end, category))
            .order_by(ReportRow.id.desc())
        )
        points: list[ReportPoint] = []
        more = False
        for row in session.execute(query):
            if not scope.can_read_record(row):
                continue
            if len(points) == limit:
                more = True
                break
            points.append(
                ReportPoint(
                    id=row.id,
                    channel=row.channel,
                    category=row.category,
                    observed_start=row.observed_start,
                    lon=row.event_lon,
                    lat=row.event_lat,
                    place_name=row.event_place,
                    incident_id=row.incident_id,
                )
            )
        # The incident a point links to, only for a reader of it (``presented``'s rule).
        hidden = unreadable_incidents(
            session, scope, (p.incident_id for p in points if p.incident_id)
        )
        if hidden:
            points = [
                replace(p, incident_id=None) if p.incident_id in hidden else p for p in points
            ]
        # Its place name, free text, names only records the reader may read.
        masked = unreadable_ids(session, scope, (p.place_name for p in points))
        if masked:
            points = [
                replace(p, place_name=masked_text(p.place_name, masked)) if p.place_name else p
                for p in points
            ]
        return points, more


def report_cells(
    ctx: ServiceContext,
    viewer: Viewer,
    bbox: BBox,
    *,
    cell_deg: float,
    start: datetime | None = None,
    end: datetime | None = None,
    category: str | None = None,
) -> list[GridCell]:
    """Readable reports in ``bbox`` counted per ``cell_deg`` grid cell."""
    with ctx.reader() as session:
        scope = ReadScope.load(session, viewer)
        where = _where(scope, bbox, start, end, category)
        return grid_cells(session, scope, ReportRow, where, cell_deg=cell_deg)
