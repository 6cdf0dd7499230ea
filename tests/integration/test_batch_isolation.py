"""One bad submission never fails the others of its group-commit batch (both backends).

Reports arriving together are filed in one transaction (reports/queue.py). A lone
surrogate in a narrative (the canonical encoder cannot write it) or a NUL in a place name
(PostgreSQL cannot store it) used to fail the whole batch with a 500 for every good report
in it. Now such input is a 422 of its own submission naming the field, and should the
database still refuse one row (here a trigger refuses a place name, standing in for any
fault of one row), the others of the batch are filed without it.
"""

from __future__ import annotations

from concurrent.futures import Future

import pytest
from sqlalchemy import func, select, text

from ceasefire.db.context import ServiceContext
from ceasefire.db.engine import is_sqlite
from ceasefire.errors import CeasefireError, InvalidInput
from ceasefire.reports.queue import ReportQueue
from ceasefire.reports.service import Submission, SubmittedReport, file_reports
from ceasefire.reports.tables import ReportRow
from tests.factories.members import Cast
from tests.factories.reports import shelling_body

REFUSED_PLACE = "Refused by the database"


def stored(ctx: ServiceContext) -> int:
    with ctx.reader() as session:
        return session.scalar(select(func.count()).select_from(ReportRow)) or 0


def good(cast: Cast, n: int) -> Submission:
    return Submission(shelling_body(narrative=f"good {n}"), f"good-{n}", token=cast.tokens["tur"])


def test_bad_text_is_the_submissions_own_422(ctx: ServiceContext, cast: Cast) -> None:
    surrogate = shelling_body(narrative="impacts \ud800 west")
    nul = shelling_body(event_position={"place_name": "Agh\u0000dam", "lat": 39.9, "lon": 46.9})
    key = shelling_body(alleged_perpetrator="AR\udc00")
    batch = [
        good(cast, 0),
        Submission(surrogate, "bad-1", token=cast.tokens["tur"]),
        good(cast, 1),
        Submission(nul, "bad-2", token=cast.tokens["tur"]),
        Submission(key, "bad-3", token=cast.tokens["tur"]),
        good(cast, 2),
    ]
    outcomes = file_reports(ctx, batch)
    assert [type(o) for o in outcomes] == [
        SubmittedReport,
        InvalidInput,
        SubmittedReport,
        InvalidInput,
        InvalidInput,
        SubmittedReport,
    ]
    locs = [{d["loc"] for d in o.details} for o in outcomes if isinstance(o, CeasefireError)]
    assert locs == [{"narrative"}, {"event_position.place_name"}, {"alleged_perpetrator"}]
    assert stored(ctx) == 3


def refuse_a_place(ctx: ServiceContext) -> None:
    """A trigger refusing one place name: a fault of one row the validation cannot foresee."""
    with ctx.engine.begin() as conn:
        if is_sqlite(ctx.engine):
            conn.execute(
                text(
                    "CREATE TRIGGER refuse_place BEFORE INSERT ON reports "
                    f"WHEN NEW.event_place = '{REFUSED_PLACE}' "
                    "BEGIN SELECT RAISE(ABORT, 'refused'); END"
                )
            )
        else:
            conn.execute(
                text(
                    "CREATE OR REPLACE FUNCTION refuse_place() RETURNS trigger AS $$ BEGIN "
                    f"IF NEW.event_place = '{REFUSED_PLACE}' THEN "
                    "RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER refuse_place BEFORE INSERT ON reports "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_place()"
                )
            )


def drop_refusal(ctx: ServiceContext) -> None:
    with ctx.engine.begin() as conn:
        conn.execute(
            text(
                "DROP TRIGGER IF EXISTS refuse_place"
                + ("" if is_sqlite(ctx.engine) else " ON reports")
            )
        )


def test_a_row_the_database_refuses_fails_alone(ctx: ServiceContext, cast: Cast) -> None:
    refuse_a_place(ctx)
    try:
        refused = shelling_body(
            event_position={"place_name": REFUSED_PLACE, "lat": 39.9, "lon": 46.9}
        )
        batch = [
            good(cast, 0),
            Submission(refused, "refused", token=cast.tokens["tur"]),
            good(cast, 1),
        ]
        outcomes = file_reports(ctx, batch)
        assert isinstance(outcomes[0], SubmittedReport)
        assert isinstance(outcomes[1], CeasefireError)
        assert outcomes[1].status == 500
        assert isinstance(outcomes[2], SubmittedReport)
        assert stored(ctx) == 2
    finally:
        drop_refusal(ctx)


def test_the_queue_answers_every_good_report_of_a_mixed_burst(
    ctx: ServiceContext, cast: Cast
) -> None:
    """64 good and 4 bad submissions queued at once: every good one is filed."""
    queue = ReportQueue(ctx, max_batch=64)
    futures: list[tuple[bool, Future[SubmittedReport]]] = []
    for n in range(68):
        bad = n % 17 == 5
        body = shelling_body(narrative="bad \udfff" if bad else f"good {n}")
        futures.append((bad, queue.submit(Submission(body, f"k-{n}", token=cast.tokens["tur"]))))
    for bad, future in futures:
        if bad:
            with pytest.raises(InvalidInput):
                future.result(timeout=120)
        else:
            assert future.result(timeout=120).created
    queue.close()
    assert stored(ctx) == 64
