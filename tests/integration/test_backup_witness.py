"""Backups that restore exactly and a witness that sees rollbacks and rewrites (issue 12,
defect 5), on SQLite and PostgreSQL.

* A backup taken while 16 threads file reports restores to a database that passes
  ``ceasefire check`` (integrity, ledger, tree) and keeps its idempotency behaviour.
* Restoring that older backup, or dropping the last entries, is invisible to the ledger on
  its own, but the witness and ``check --witness-state`` name the sizes and roots.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.errors import Conflict, IntegrityError
from ceasefire.ledger import backup
from ceasefire.ledger import service as ledger
from ceasefire.ledger import witness as ledger_witness
from ceasefire.ledger.schemas import BackupSummary
from ceasefire.ledger.tables import LedgerEntryRow, LedgerTreeHeadRow
from ceasefire.reports import service as reports
from ceasefire.reports.tables import ReportRow
from tests.factories.ledger import append_test_entries
from tests.factories.members import Cast, demo_cast
from tests.factories.reports import shelling_body

WRITERS = 16


def file_under_load(
    ctx: ServiceContext, settings: Settings, out: Path
) -> tuple[Cast, dict[str, dict[str, Any]], BackupSummary]:
    """16 threads file reports; a backup is taken while they run. The members, the bodies
    by key, and the backup's summary."""
    cast = demo_cast(ctx)
    viewer = cast.viewer(ctx, "tur")
    bodies: dict[str, dict[str, Any]] = {}
    errors: list[BaseException] = []
    filed = threading.Semaphore(0)
    stop = threading.Event()

    def writer(number: int) -> None:
        n = 0
        while not stop.is_set() or n < 4:
            key = f"w{number}-{n}"
            body = shelling_body(count=1 + (number * 100 + n) % 50, narrative=f"load {key}")
            bodies[key] = body
            try:
                reports.submit_report(ctx, viewer, body, idempotency_key=key)
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)
                return
            filed.release()
            n += 1

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(2 * WRITERS):
            assert filed.acquire(timeout=120), "the writers made no progress"
        summary = backup.backup(settings, out)
        for _ in range(WRITERS):
            assert filed.acquire(timeout=120), "the writers stopped during the backup"
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
    assert not errors, errors[:3]
    return cast, bodies, summary


def test_backup_under_writers_restores_exactly_and_a_witness_sees_the_rollback(
    ctx: ServiceContext, settings: Settings, tmp_path: Path
) -> None:
    state = tmp_path / "witness"
    out = tmp_path / "backup.db"
    cast, bodies, made = file_under_load(ctx, settings, out)
    assert out.stat().st_mode & 0o077 == 0
    assert made.integrity in ("ok", "pg_dump completed")
    with pytest.raises(Conflict):
        backup.backup(settings, out)  # never overwritten by accident

    # The witness keeps the head of the live database, which went on after the backup.
    seen = ledger_witness.witness(ledger_witness.DatabaseSource(ctx), state)
    assert seen.pinned_now
    with ctx.reader() as session:
        live_reports = len(session.scalars(select(ReportRow.id)).all())

    with pytest.raises(Conflict, match="--force"):
        backup.restore(settings, out)
    ctx.dispose()  # the server is stopped for a restore
    backup.restore(settings, out, force=True)
    restored = ServiceContext.from_settings(settings)
    try:
        result = backup.check(restored)
        assert result.ok, result
        assert result.database.ok
        with restored.reader() as session:
            rows = session.execute(select(ReportRow.idempotency_key, ReportRow.id)).all()
        assert 2 * WRITERS <= len(rows) < live_reports
        key, report_id = rows[-1]
        assert key is not None
        viewer = cast.viewer(restored, "tur")
        again = reports.submit_report(restored, viewer, bodies[key], idempotency_key=key)
        assert again.report.id == report_id
        assert not again.created
        with pytest.raises(Conflict):
            reports.submit_report(
                restored, viewer, shelling_body(count=99, narrative="other"), idempotency_key=key
            )

        # The restored copy verifies on its own, but it is older than what the witness saw.
        with pytest.raises(IntegrityError) as rolled_back:
            ledger_witness.witness(ledger_witness.DatabaseSource(restored), state)
        assert rolled_back.value.details["kind"] == "rollback"
        assert f"this witness saw {seen.tree_size} entries" in rolled_back.value.message
        checked = backup.check(restored, witness_state=state)
        assert not checked.ok
        assert checked.ledger.ok
        assert any(
            f"witness saw a tree of {seen.tree_size} entries" in p for p in checked.tree.problems
        )
    finally:
        restored.dispose()


def test_witness_names_a_truncation_and_a_rewrite(
    ctx: ServiceContext, settings: Settings, tmp_path: Path
) -> None:
    state = tmp_path / "witness"
    source = ledger_witness.DatabaseSource(ctx)
    append_test_entries(ctx, settings, 30, start=0)
    first = ledger_witness.witness(source, state)
    append_test_entries(ctx, settings, 300, start=30)
    second = ledger_witness.witness(source, state)
    assert second.previous is not None
    assert second.previous.tree_size == first.tree_size
    assert second.proof_nodes > 0
    size = second.tree_size
    assert backup.check(ctx, witness_state=state).ok

    # Drop the last 10 entries (and the heads that named them) behind the server's back.
    with ctx.unit_of_work() as session:
        session.execute(delete(LedgerEntryRow).where(LedgerEntryRow.seq > size - 10))
        session.execute(delete(LedgerTreeHeadRow))
    assert ledger.verify(ctx).ok  # a shorter chain still verifies on its own
    with pytest.raises(IntegrityError) as truncated:
        ledger_witness.witness(source, state)
    message = truncated.value.message
    assert f"now has {size - 10} entries" in message
    assert f"saw {size} entries" in message
    checked = backup.check(ctx, witness_state=state)
    assert not checked.ok
    assert f"holds only {size - 10}" in " ".join(checked.tree.problems)

    # Written on after the truncation: larger again, but not an extension of what was seen.
    append_test_entries(ctx, settings, 25, start=1000)
    with pytest.raises(IntegrityError) as rewritten:
        ledger_witness.witness(source, state)
    assert rewritten.value.details["kind"] == "rewritten"
    assert f"does not extend the tree of {size} entries" in rewritten.value.message
    checked = backup.check(ctx, witness_state=state)
    assert any("history was rewritten" in p for p in checked.tree.problems)
    evidence = (state / ledger_witness.EVIDENCE_FILE).read_text().splitlines()
    assert len(evidence) == 2
    # The witness kept nothing it refused: its last head is still the consistent one.
    kept = ledger_witness.last_kept(state)
    assert kept is not None
    assert kept.head.tree_size == size
