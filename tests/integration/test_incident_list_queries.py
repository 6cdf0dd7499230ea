"""The incident list reads a page in a fixed number of queries, however many incidents it
holds (it used to make three queries per incident for the public, one for members): what
kept its p99 high under concurrent readers. Counted, not timed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from ceasefire.access import Classification, Viewer
from ceasefire.db.context import ServiceContext
from ceasefire.incidents import service as incidents
from ceasefire.reports import service as reports
from tests.factories.members import Cast
from tests.factories.reports import shelling_body


@contextmanager
def counted(ctx: ServiceContext) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(ctx.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(ctx.engine, "before_cursor_execute", count)


def add_incidents(ctx: ServiceContext, cast: Cast, n: int) -> None:
    turkey = cast.viewer(ctx, "tur")
    for _ in range(n):
        ids = [reports.submit_report(ctx, turkey, shelling_body()).report.id for _ in range(2)]
        incidents.create_incident(
            ctx, turkey, report_ids=ids, title="t", classification=Classification.PUBLIC
        )


def queries(ctx: ServiceContext, viewer: Viewer) -> int:
    with counted(ctx) as statements:
        page = incidents.list_incidents(ctx, viewer, limit=50)
    assert page.items
    return len(statements)


def test_a_page_costs_the_same_queries_for_3_or_12_incidents(
    ctx: ServiceContext, cast: Cast
) -> None:
    viewers = [Viewer.public(), cast.viewer(ctx, "rus"), cast.viewer(ctx, "fra")]
    add_incidents(ctx, cast, 3)
    few = [queries(ctx, v) for v in viewers]
    add_incidents(ctx, cast, 9)
    many = [queries(ctx, v) for v in viewers]
    assert many == few
