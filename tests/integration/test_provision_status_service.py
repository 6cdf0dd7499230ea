"""``record_provision_status`` under concurrent retries: one change, one ledger entry."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import func, select

from ceasefire.agreements import service as agreements
from ceasefire.agreements.model import Evidence
from ceasefire.agreements.schemas import ProvisionStatusRecorded
from ceasefire.agreements.tables import ProvisionStatusChangeRow
from ceasefire.db.context import ServiceContext
from ceasefire.ledger import service as ledger
from ceasefire.ledger.tables import LedgerEntryRow
from tests.factories.agreements import NK_ID
from tests.factories.members import demo_cast

SENDERS = 4


def test_concurrent_sends_of_the_same_change_record_it_once(ctx: ServiceContext) -> None:
    agreements.load_shipped(ctx)
    monitor = demo_cast(ctx).viewer(ctx, "rus")
    # The monitor's first signature ledgers its key; do that before the race.
    agreements.record_provision_status(
        ctx,
        monitor,
        NK_ID,
        "p7-return",
        status="in_progress",
        at=datetime(2020, 11, 20, tzinfo=UTC),
        evidence=[Evidence(ref="report:r-0")],
    )
    barrier = threading.Barrier(SENDERS)
    results: list[ProvisionStatusRecorded] = []
    errors: list[BaseException] = []

    def send() -> None:
        barrier.wait()
        try:
            results.append(
                agreements.record_provision_status(
                    ctx,
                    monitor,
                    NK_ID,
                    "p8-exchange",
                    status="fulfilled",
                    at=datetime(2020, 12, 20, 9, tzinfo=UTC),
                    evidence=[Evidence(ref="incident:2020-12-20-001")],
                )
            )
        except BaseException as exc:  # collected and re-raised in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=send) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(r.recorded for r in results) == [False] * (SENDERS - 1) + [True]
    assert len({r.status_change.ledger_seq for r in results}) == 1
    with ctx.reader() as session:
        rows = session.scalar(
            select(func.count())
            .select_from(ProvisionStatusChangeRow)
            .where(ProvisionStatusChangeRow.provision_id == "p8-exchange")
        )
        entries = session.scalar(
            select(func.count())
            .select_from(LedgerEntryRow)
            .where(LedgerEntryRow.subject == f"{NK_ID}/p8-exchange")
        )
    assert (rows, entries) == (1, 1)
    summary = ledger.verify(ctx).summary()
    assert summary.ok, summary.findings
