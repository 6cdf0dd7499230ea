"""CSV import on both backends: what is stored, batches and their ledger entries, reruns,
conflicting reruns, all-or-nothing, and the same result with and without worker processes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select, text

from ceasefire.access import Viewer
from ceasefire.bootstrap import initialise
from ceasefire.db.context import ServiceContext
from ceasefire.errors import InvalidInput
from ceasefire.ledger import service as ledger
from ceasefire.ledger.tables import LedgerEntryRow
from ceasefire.reports import imports
from ceasefire.reports.csvformat import PARALLEL_MIN_ROWS
from ceasefire.reports.model import content_from_dict
from ceasefire.reports.tables import ReportRow
from tests.factories.reports import csv_row, write_csv

NOW = datetime(2020, 12, 1, tzinfo=UTC)
OPERATOR = Viewer.cli_operator()


@pytest.fixture
def ready(ctx: ServiceContext) -> ServiceContext:
    initialise(ctx)
    return ctx


def stored_reports(ctx: ServiceContext) -> list[ReportRow]:
    with ctx.reader() as session:
        rows = list(session.scalars(select(ReportRow).order_by(ReportRow.idempotency_key)))
        session.expunge_all()  # kept as read: the reader's rollback would expire them
        return rows


def batch_entries(ctx: ServiceContext) -> list[dict[str, Any]]:
    with ctx.reader() as session:
        rows = session.execute(
            select(LedgerEntryRow.payload)
            .where(LedgerEntryRow.tag == "intake:import:batch-committed")
            .order_by(LedgerEntryRow.seq)
        )
        return [p if isinstance(p, dict) else json.loads(p) for (p,) in rows]


def test_rows_are_stored_as_a_core_insert_stores_them(
    ready: ServiceContext, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "a.csv", [csv_row(i) for i in range(1, 6)])
    result = imports.import_csv(ready, OPERATOR, path, now=NOW)
    assert (result.imported, result.batches) == (5, 1)
    (first, *_rest) = stored_reports(ready)
    content = content_from_dict(json.loads(first.content))
    assert first.content_sha256 == content.content_sha256()
    assert first.content == content.canonical()[0]
    for name, value in content.query_fields().items():
        assert getattr(first, name) == value, name
    assert first.observed_start.tzinfo is not None
    # The same values written by SQLAlchemy Core read back as the same raw database values
    # (SQLite keeps datetimes as text: the format must be SQLAlchemy's own).
    columns = [c.name for c in ReportRow.__table__.c]
    copy = {name: getattr(first, name) for name in columns}
    copy.update(id="rep-core-copy", idempotency_key="core-copy")
    with ready.unit_of_work() as session:
        session.execute(insert(ReportRow), [copy])
    raw = text(
        f"SELECT {', '.join(c for c in columns if c not in ('id', 'idempotency_key'))}"
        " FROM reports WHERE id = :id"
    )
    with ready.reader() as session:
        imported, core = (
            session.execute(raw, {"id": rid}).one() for rid in (first.id, "rep-core-copy")
        )
    assert tuple(imported) == tuple(core)


def test_each_batch_is_ledgered_with_ids_hashes_and_keys(
    ready: ServiceContext, tmp_path: Path
) -> None:
    ready.settings.import_batch_size = 4
    path = write_csv(tmp_path / "a.csv", [csv_row(i) for i in range(1, 11)])
    result = imports.import_csv(ready, OPERATOR, path, now=NOW)
    assert (result.imported, result.batches) == (10, 3)
    entries = batch_entries(ready)
    assert [len(e["reports"]) for e in entries] == [4, 4, 2]
    listed = {tuple(item) for e in entries for item in e["reports"]}
    stored = {(r.id, r.content_sha256, r.idempotency_key) for r in stored_reports(ready)}
    assert listed == stored
    assert all(e["file_sha256"] == result.file_sha256 for e in entries)
    assert ledger.verify(ready).ok


def test_a_rerun_stores_nothing_twice(ready: ServiceContext, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [csv_row(i) for i in range(1, 8)])
    imports.import_csv(ready, OPERATOR, path, now=NOW)
    again = imports.import_csv(ready, OPERATOR, path, now=NOW)
    assert (again.imported, again.already_present, again.batches) == (0, 7, 0)
    assert len(stored_reports(ready)) == 7
    assert len(batch_entries(ready)) == 1


def test_a_key_stored_with_other_content_is_an_error_of_its_row(
    ready: ServiceContext, tmp_path: Path
) -> None:
    imports.import_csv(
        ready, OPERATOR, write_csv(tmp_path / "a.csv", [csv_row(1), csv_row(2)]), now=NOW
    )
    changed = write_csv(
        tmp_path / "b.csv", [csv_row(1), csv_row(2, narrative="edited"), csv_row(3)]
    )
    with pytest.raises(InvalidInput) as info:
        imports.import_csv(ready, OPERATOR, changed, now=NOW)
    assert [(d["row"], d["column"]) for d in info.value.details] == [(2, "client_id")]
    assert len(stored_reports(ready)) == 2
    result = imports.import_csv(ready, OPERATOR, changed, now=NOW, skip_invalid=True)
    assert (result.imported, result.already_present, result.rejected) == (1, 1, 1)
    rejects = Path(result.rejects_path or "").read_text(encoding="utf-8")
    assert "with different content" in rejects
    assert "edited" in rejects


def test_rows_stored_meanwhile_by_another_import_are_skipped_not_doubled(
    ready: ServiceContext, tmp_path: Path
) -> None:
    """Another import stores two rows of a later batch after this one looked its keys up:
    the unique constraint stops that batch, which is written again without them."""
    ready.settings.import_batch_size = 3
    rows = [csv_row(i) for i in range(1, 8)]
    path = write_csv(tmp_path / "a.csv", rows)
    other = write_csv(tmp_path / "b.csv", [rows[3], rows[5]])  # in the second batch
    meanwhile: list[int] = []

    def after_each_batch(done: int, _total: int) -> None:
        if not meanwhile:
            meanwhile.append(done)
            imports.import_csv(ready, OPERATOR, other, now=NOW)

    result = imports.import_csv(ready, OPERATOR, path, now=NOW, progress=after_each_batch)
    assert (result.imported, result.already_present, result.batches) == (5, 2, 3)
    keys = [r.idempotency_key or "" for r in stored_reports(ready)]
    assert sorted(keys) == sorted(f"csv:row-{i}" for i in range(1, 8))
    assert sum(len(e["reports"]) for e in batch_entries(ready)) == 7
    assert ledger.verify(ready).ok


def test_one_invalid_row_imports_nothing(ready: ServiceContext, tmp_path: Path) -> None:
    rows = [csv_row(i) for i in range(1, 6)]
    rows[3]["category"] = "fireworks"
    path = write_csv(tmp_path / "a.csv", rows)
    with pytest.raises(InvalidInput) as info:
        imports.import_csv(ready, OPERATOR, path, now=NOW)
    assert [(d["row"], d["column"]) for d in info.value.details] == [(4, "category")]
    assert stored_reports(ready) == []
    assert batch_entries(ready) == []


@pytest.mark.slow
def test_worker_processes_store_what_one_process_stores(
    ready: ServiceContext, tmp_path: Path
) -> None:
    total = PARALLEL_MIN_ROWS + 1234
    rows = [csv_row(i) for i in range(1, total + 1)]
    rows[4321]["category"] = "fireworks"
    rows[17]["client_id"] = ""  # keyed by the file's hash and its row number
    path = write_csv(tmp_path / "a.csv", rows)
    with pytest.raises(InvalidInput) as info:
        imports.import_csv(ready, OPERATOR, path, now=NOW, workers=2)
    assert [d["row"] for d in info.value.details] == [4322]
    ready.settings.import_batch_size = 700
    result = imports.import_csv(ready, OPERATOR, path, now=NOW, workers=2, skip_invalid=True)
    assert (result.imported, result.rejected) == (total - 1, 1)
    parallel = {
        r.idempotency_key: (r.content_sha256, r.observed_start) for r in stored_reports(ready)
    }
    assert f"csv:{result.file_sha256}:18" in parallel
    assert sum(len(e["reports"]) for e in batch_entries(ready)) == total - 1
    with ready.unit_of_work() as session:
        session.execute(text("DELETE FROM fusion_queue"))  # each report was queued for fusion
        session.execute(text("DELETE FROM reports"))
    serial = imports.import_csv(ready, OPERATOR, path, now=NOW, workers=1, skip_invalid=True)
    assert serial.imported == total - 1
    assert {
        r.idempotency_key: (r.content_sha256, r.observed_start) for r in stored_reports(ready)
    } == parallel
    with ready.reader() as session:
        assert session.scalar(select(func.count()).select_from(ReportRow)) == total - 1
