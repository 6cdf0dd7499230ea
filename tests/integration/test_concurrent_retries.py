"""Retries that arrive together (a client that timed out and sent again while the first
request was still running) still make one record: every unit of work is serialised (the
SQLite file's write lock and BEGIN IMMEDIATE; PostgreSQL's writers' advisory lock, taken
before anything is read), so the second sees what the first committed. Both backends."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ceasefire.db.context import ServiceContext
from ceasefire.incidents import service as incidents
from ceasefire.incidents.model import Attribution, OccurrenceStatus, Stance
from ceasefire.reports import service as reports
from tests.factories.members import Cast
from tests.factories.reports import shelling_body

TOGETHER = 4


def together(call: Callable[[], Any]) -> list[Any]:
    """Run ``call`` in TOGETHER threads released at once; their results (or errors)."""
    start = threading.Barrier(TOGETHER)
    results: list[Any] = []

    def run() -> None:
        start.wait()
        try:
            results.append(call())
        except Exception as error:  # reported by the assertion below
            results.append(error)

    threads = [threading.Thread(target=run) for _ in range(TOGETHER)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_simultaneous_retries_of_a_note_and_an_assessment_make_one_each(
    ctx: ServiceContext, cast: Cast
) -> None:
    turkey = cast.viewer(ctx, "tur")
    report = reports.submit_report(ctx, turkey, shelling_body()).report
    incident = incidents.create_incident(
        ctx, turkey, report_ids=[report.id], title="Shelling near Aghdam"
    )
    incidents.assign_task(ctx, cast.viewer(ctx, "rus"), incident.id, team=["Maj. Ivan Petrov"])

    notes = together(
        lambda: incidents.add_note(ctx, turkey, incident.id, text="Crater.", idempotency_key="n")
    )
    assessed = together(
        lambda: incidents.assess(
            ctx,
            turkey,
            incident.id,
            stance=Stance.CONCUR,
            rationale="UAV footage",
            status=OccurrenceStatus.VERIFIED,
            attribution=Attribution.parse("attributed(ARM)"),
        )
    )

    assert not [r for r in notes + assessed if isinstance(r, Exception)], notes + assessed
    assert len({note.id for note in notes}) == 1
    shown = incidents.get_incident(ctx, turkey, incident.id)
    assert [n.id for n in shown.notes] == [notes[0].id]  # type: ignore[union-attr]
    assert len(shown.assessments) == 1  # type: ignore[union-attr]
