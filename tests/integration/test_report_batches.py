"""Group commit of reports (``file_reports`` and the API's ``ReportQueue``), both backends.

A batch is one transaction, but each submission is judged alone: the outcomes must be
exactly those of filing the same submissions one after the other.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select, text

from ceasefire.db.context import ServiceContext
from ceasefire.errors import CeasefireError, Conflict, Forbidden, InvalidInput, Unauthorized
from ceasefire.ledger import service as ledger
from ceasefire.ledger.service import LEDGER_LOCK_ID
from ceasefire.ledger.tables import LedgerEntryRow
from ceasefire.members import auth
from ceasefire.members import service as members
from ceasefire.members.scope import ReadScope
from ceasefire.reports import service as reports
from ceasefire.reports.queue import ReportQueue
from ceasefire.reports.service import Submission
from ceasefire.reports.tables import ReportRow
from ceasefire.timeutil import utcnow
from tests.factories.members import OPERATOR, Cast
from tests.factories.reports import shelling_body


def stored(ctx: ServiceContext) -> tuple[int, int]:
    with ctx.reader() as session:
        report_count = session.scalar(select(func.count()).select_from(ReportRow)) or 0
        receipts = (
            session.scalar(
                select(func.count())
                .select_from(LedgerEntryRow)
                .where(LedgerEntryRow.tag == "intake:report:received")
            )
            or 0
        )
        return report_count, receipts


def test_each_submission_of_a_batch_is_judged_alone(ctx: ServiceContext, cast: Cast) -> None:
    turkey = cast.tokens["tur"]
    revoked = auth.create_token(ctx, OPERATOR, user_id=cast.users["tur"], label="old")
    auth.revoke_token(ctx, OPERATOR, revoked.info.id)
    batch = [
        Submission(shelling_body(), "a", token=turkey),  # 0 filed
        Submission(shelling_body(count=-1), "b", token=turkey),  # 1 invalid
        Submission(shelling_body(), "c", token=cast.tokens["fra"]),  # 2 observers don't file
        Submission(shelling_body(), "a", token=turkey),  # 3 retry of 0
        Submission(shelling_body(count=3), "a", token=turkey),  # 4 key of 0, other body
        Submission(shelling_body(), "d", token="cft_not-a-token"),  # 5 unknown token
        Submission(shelling_body(), "e", token=revoked.token),  # 6 revoked token
        Submission(shelling_body(), "a", token=cast.tokens["rus"]),  # 7 keys are per member
        Submission(shelling_body(), None, viewer=cast.viewer(ctx, "tur")),  # 8 no key
    ]
    outcomes = reports.file_reports(ctx, batch)
    assert len(outcomes) == len(batch)
    kinds = [type(o).__name__ for o in outcomes]
    assert kinds == [
        "SubmittedReport",
        "InvalidInput",
        "Forbidden",
        "SubmittedReport",
        "Conflict",
        "Unauthorized",
        "Unauthorized",
        "SubmittedReport",
        "SubmittedReport",
    ]
    first, retry, russia, unkeyed = (outcomes[i] for i in (0, 3, 7, 8))
    assert isinstance(first, reports.SubmittedReport)
    assert first.created
    assert isinstance(retry, reports.SubmittedReport)
    assert not retry.created
    assert retry.report.id == first.report.id
    assert isinstance(russia, reports.SubmittedReport)
    assert russia.created
    assert russia.report.owner_member == "rus"
    assert isinstance(unkeyed, reports.SubmittedReport)
    assert unkeyed.created
    invalid = outcomes[1]
    assert isinstance(invalid, InvalidInput)
    assert any(d["loc"] == "count" for d in invalid.details or [])
    assert isinstance(outcomes[2], Forbidden)
    assert isinstance(outcomes[4], Conflict)
    # three reports, three receipts in the ledger, and the chain still verifies
    assert stored(ctx) == (3, 3)
    assert ledger.verify(ctx).ok


def test_a_batch_sees_what_earlier_batches_stored(ctx: ServiceContext, cast: Cast) -> None:
    turkey = cast.tokens["tur"]
    (first,) = reports.file_reports(ctx, [Submission(shelling_body(), "k", token=turkey)])
    later = reports.file_reports(
        ctx,
        [
            Submission(shelling_body(), "k", token=turkey),
            Submission(shelling_body(count=2), "k", token=turkey),
        ],
    )
    assert isinstance(first, reports.SubmittedReport)
    assert isinstance(later[0], reports.SubmittedReport)
    assert not later[0].created
    assert later[0].report.id == first.report.id
    assert isinstance(later[1], Conflict)
    assert stored(ctx) == (1, 1)


@contextmanager
def writer_held(ctx: ServiceContext) -> Iterator[None]:
    """Hold the database's single-writer turn (what the report writer queues for)."""
    if ctx.engine.dialect.name == "postgresql":
        with ctx.engine.connect() as conn, conn.begin():
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LEDGER_LOCK_ID})
            yield
    else:
        with ctx.writes_held():
            yield


def test_the_queue_files_what_piled_up_together(ctx: ServiceContext, cast: Cast) -> None:
    queue = ReportQueue(ctx, max_batch=5)
    try:
        with writer_held(ctx):
            futures = [
                queue.submit(Submission(shelling_body(), f"q-{i}", token=cast.tokens["tur"]))
                for i in range(12)
            ]
            futures.append(queue.submit(Submission(shelling_body(count=0), "bad", token="x")))
            futures.append(queue.submit(Submission(shelling_body(), "q-0", token="x")))
        results = [f.result(timeout=60) for f in futures[:12]]
        for bad in futures[12:]:
            with pytest.raises(Unauthorized):
                bad.result(timeout=60)
    finally:
        queue.close()
    assert len({r.report.id for r in results}) == 12
    assert all(r.created for r in results)
    # While the writer waited, the rest queued: they were filed in batches of at most 5.
    assert 3 <= queue.batches < 12
    assert queue.filed == 14
    assert stored(ctx) == (12, 12)


def test_concurrent_callers_get_their_own_answers(ctx: ServiceContext, cast: Cast) -> None:
    queue = ReportQueue(ctx)
    outcomes: dict[str, str] = {}
    errors: list[BaseException] = []

    def client(member: str) -> None:
        try:
            for i in range(6):
                body = shelling_body(count=i + 1)
                future = queue.submit(Submission(body, f"{member}-{i}", token=cast.tokens[member]))
                try:
                    outcomes[f"{member}-{i}"] = future.result(timeout=60).report.owner_member
                except CeasefireError as exc:
                    outcomes[f"{member}-{i}"] = type(exc).__name__
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(m,)) for m in ("tur", "rus", "fra", "aze")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    queue.close()
    assert not errors
    for i in range(6):
        assert outcomes[f"tur-{i}"] == "tur"
        assert outcomes[f"rus-{i}"] == "rus"
        assert outcomes[f"fra-{i}"] == "Forbidden"  # an observer
        assert outcomes[f"aze-{i}"] == "Forbidden"  # a liaison files complaints only
    assert stored(ctx) == (12, 12)
    assert ledger.verify(ctx).ok


def test_a_closed_queue_refuses_work(ctx: ServiceContext, cast: Cast) -> None:
    queue = ReportQueue(ctx)
    queue.close()
    with pytest.raises(RuntimeError):
        queue.submit(Submission(shelling_body(), "late", token=cast.tokens["tur"]))


def test_an_idle_queue_lets_its_thread_go(ctx: ServiceContext, cast: Cast) -> None:
    queue = ReportQueue(ctx, idle_s=0.05)
    first = queue.submit(Submission(shelling_body(), "i-1", token=cast.tokens["tur"]))
    assert first.result(timeout=60).created
    thread = queue._thread
    assert thread is not None
    thread.join(10)
    assert not thread.is_alive()
    # the next submission starts a new writer
    second = queue.submit(Submission(shelling_body(), "i-2", token=cast.tokens["tur"]))
    assert second.result(timeout=60).created
    queue.close()
    assert stored(ctx) == (2, 2)


def test_a_callers_scope_is_the_scope_a_look_up_gives(ctx: ServiceContext, cast: Cast) -> None:
    """The intake builds read scopes from the roles its token look-up read; they must be
    the scopes ``ReadScope.load`` builds, ended roles included."""
    members.end_role(ctx, OPERATOR, member_id="fra", agreement_id=cast.agreement_id)
    at = utcnow()
    callers = auth.callers_for_tokens(ctx, list(cast.tokens.values()), at=at)
    with ctx.reader() as session:
        for member, token in cast.tokens.items():
            caller = callers[token]
            assert isinstance(caller, auth.Caller), member
            loaded = ReadScope.load(session, caller.viewer, at)
            built = ReadScope.of(caller.viewer, caller.roles, at, agreements=loaded.agreements)
            assert sorted(map(repr, built.roles)) == sorted(map(repr, loaded.roles)), member
    france = callers[cast.tokens["fra"]]
    assert isinstance(france, auth.Caller)
    assert france.roles  # the ended role is read ...
    assert not ReadScope.of(france.viewer, france.roles, at, agreements=frozenset()).roles
