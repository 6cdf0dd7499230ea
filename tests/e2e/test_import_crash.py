"""Kill a CSV import halfway through 10,000 rows; the rerun stores exactly the rest."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ceasefire.db.context import ServiceContext
from ceasefire.fusion import service as fusion
from ceasefire.ledger import service as ledger
from ceasefire.reports.tables import ReportRow
from tests.factories.cli import cli_command, run_here
from tests.factories.reports import csv_row, write_csv

ROWS = 10_000


def stored(ctx: ServiceContext) -> tuple[int, int]:
    with ctx.reader() as session:
        total = session.scalar(select(func.count()).select_from(ReportRow)) or 0
        keys = session.scalar(select(func.count(func.distinct(ReportRow.idempotency_key)))) or 0
        return total, keys


@pytest.mark.slow
@pytest.mark.parametrize("with_client_ids", [False, True], ids=["row-numbers", "client-ids"])
def test_killed_import_reruns_to_exactly_every_row_once(
    ctx: ServiceContext, cli_env: dict[str, str], tmp_path: Path, with_client_ids: bool
) -> None:
    rows = [csv_row(i) for i in range(1, ROWS + 1)]
    if not with_client_ids:
        for row in rows:
            row["client_id"] = ""
    path = write_csv(tmp_path / "reports.csv", rows)
    env = {**cli_env, "CEASEFIRE_IMPORT_BATCH_SIZE": "100"}
    run_here("init", env=env, check=True)

    first = subprocess.Popen(
        cli_command("import", "csv", str(path), "--json", "--no-fuse"),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while first.poll() is None and stored(ctx)[0] < ROWS // 2:
            time.sleep(0.01)
        first.send_signal(signal.SIGKILL)
    finally:
        first.wait(timeout=60)
    assert first.returncode == -signal.SIGKILL, "the import finished before it could be killed"
    interrupted = stored(ctx)[0]
    assert 0 < interrupted < ROWS

    # (--no-fuse: this is about the import; every stored report is queued for fusion)
    # The rerun and the one after it need no process of their own: the killed one is gone.
    rerun = run_here("import", "csv", str(path), "--json", "--no-fuse", env=env)
    assert rerun.returncode == 0, rerun.stderr
    assert stored(ctx) == (ROWS, ROWS)
    assert '"already_present": ' + str(interrupted) in rerun.stdout

    assert fusion.queue_length(ctx) == ROWS  # the killed batches queued nothing of their own
    again = run_here("import", "csv", str(path), "--json", "--no-fuse", env=env)
    assert '"imported": 0' in again.stdout
    assert stored(ctx) == (ROWS, ROWS)
    assert ledger.verify(ctx).ok
