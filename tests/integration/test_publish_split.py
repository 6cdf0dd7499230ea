"""An export split over processes (``ceasefire.publish.split``) on both backends: the same
text as the serial export, and every part read in the caller's snapshot."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from ceasefire.access import Classification, Viewer
from ceasefire.db.context import ServiceContext
from ceasefire.incidents import service as incidents
from ceasefire.members.scope import ReadScope
from ceasefire.publish import split
from ceasefire.publish.model import Dataset, ExportFormat
from ceasefire.reports import service as reports
from tests.factories.members import Cast, demo_cast
from tests.factories.publish import SCENARIO, Day, export_text, make_day, report_body

OPERATOR = Viewer.cli_operator()


@pytest.fixture
def day(ctx: ServiceContext, cast: Cast) -> Day:
    return make_day(ctx, cast)


@pytest.fixture(scope="module")
def read_day(module_ctx: ServiceContext) -> tuple[ServiceContext, Cast, Day]:
    """The day on a database the module's reading tests share (they write nothing)."""
    cast = demo_cast(module_ctx)
    return module_ctx, cast, make_day(module_ctx, cast)


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_a_split_export_is_the_serial_export(
    read_day: tuple[ServiceContext, Cast, Day], fmt: ExportFormat
) -> None:
    ctx, cast, _ = read_day
    for viewer in (OPERATOR, Viewer.public(), cast.viewer(ctx, "arm")):
        _, serial = export_text(ctx, viewer, Dataset.INCIDENTS, fmt)
        # 2 and 3 parts; 9 is more parts than incidents (some ranges hold none).
        for workers in (2, 3, 9):
            _, parts = export_text(ctx, viewer, Dataset.INCIDENTS, fmt, workers=workers)
            assert parts == serial, (viewer, workers)
    if fmt in {ExportFormat.ACLED, ExportFormat.UCDP}:
        _, serial = export_text(ctx, OPERATOR, Dataset.INCIDENTS, fmt, hxl=True)
        assert export_text(ctx, OPERATOR, Dataset.INCIDENTS, fmt, hxl=True, workers=2)[1] == serial


def test_the_ranges_cover_every_incident_once(
    read_day: tuple[ServiceContext, Cast, Day],
) -> None:
    ctx, _, day = read_day
    with ctx.reader() as session:
        cuts = incidents.incident_id_cuts(session, 3)
    ranges = split.id_ranges(cuts)
    assert len(ranges) == 3
    assert ranges[0].first is None
    assert ranges[-1].before is None
    seen: list[str] = []
    with ctx.reader() as session:
        scope = ReadScope.load(session, OPERATOR)
        for part in ranges:
            seen += [
                f.id
                for f in incidents.incident_facts(
                    session, scope, id_from=part.first, id_before=part.before
                )
            ]
    assert seen == sorted(day.ids.values())


def test_every_part_reads_the_callers_snapshot(
    ctx: ServiceContext, cast: Cast, day: Day, tmp_path: Path
) -> None:
    """A change committed after the parts began is in none of them, though the helper reads
    its part only after the commit."""
    go = tmp_path / "go"

    def ids(session: Session, part: split.IdRange) -> Iterator[str]:
        if part.first is not None:  # a helper: wait until the change is committed
            deadline = time.monotonic() + 60
            while not go.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
        scope = ReadScope.load(session, OPERATOR)
        for facts in incidents.incident_facts(
            session, scope, id_from=part.first, id_before=part.before
        ):
            yield facts.id + "\n"

    with ctx.reader() as session:
        ranges = split.id_ranges(incidents.incident_id_cuts(session, 2))
    with split.Helpers(ctx, ids, ranges) as helpers, ctx.reader() as session:
        helpers.begin(session)
        turkey = cast.viewer(ctx, "tur")
        extra = reports.submit_report(ctx, turkey, report_body(SCENARIO[0])).report
        # The newest id: in the last range, the helper's.
        late = incidents.create_incident(
            ctx, turkey, report_ids=[extra.id], title="Late", classification=Classification.PUBLIC
        ).id
        go.touch()
        seen = "".join([*ids(session, ranges[0]), *helpers.output(1)]).split()
    assert seen == sorted(day.ids.values())
    assert late > max(seen)


def test_an_in_memory_database_is_exported_serially(ctx: ServiceContext) -> None:
    # A helper's new connection to an in-memory SQLite database would find it empty.
    memory = ServiceContext.from_settings(
        ctx.settings.model_copy(update={"database_url": "sqlite://"})
    )
    try:
        assert not split.can_split(memory)
    finally:
        memory.dispose()
    assert split.can_split(ctx)
