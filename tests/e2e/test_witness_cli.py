"""``ceasefire witness`` against a served API, ``backup``/``restore``/``check`` as an
operator runs them, on both backends: a truncated log is named by the witness and by
``check``; restoring the backup taken at the witnessed head makes both pass again.

The API is a real ``ceasefire serve`` process. The commands run in this process (``cli``),
each on a context of its own as a new process would have, which saves the two seconds of
imports each new process costs: ``cli.text`` returns the exit status and human output the
executable would, ``cli(...)`` the ``--json`` answer."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import delete

from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.ledger.tables import LedgerEntryRow, LedgerTreeHeadRow
from tests.factories.cli import InProcessCli
from tests.factories.ledger import append_test_entries
from tests.factories.served import serving


def test_witness_backup_restore_check(
    ctx: ServiceContext,
    settings: Settings,
    cli_env: dict[str, str],
    cli: InProcessCli,
    tmp_path: Path,
) -> None:
    state = str(tmp_path / "witness")
    out = str(tmp_path / "backup.dump")
    assert cli.text("init").returncode == 0
    append_test_entries(ctx, settings, 5)
    with serving(cli_env, "--no-access-log") as base:
        first = cli.text("witness", "--url", base, "--state", state)
        assert first.returncode == 0, first.stderr
        assert "first head kept" in first.stdout
        assert "pinned centre key" in first.stdout
        # arm acted through the server (a server-held key): arm's witness, which knows only
        # its own key, names that key.
        keys = cli.text(
            "witness",
            "--url",
            base,
            "--state",
            state + "-arm",
            "--member",
            "arm",
            "--own-key",
            "0" * 32,
        )
        assert keys.returncode == 1
        assert "that is not one of its own keys" in keys.stderr
        append_test_entries(ctx, settings, 20)
        second = cli("witness", "--url", base, "--state", state)
        assert '"proof_nodes"' in json.dumps(second)
        head = cli.text("ledger", "tree-head", "--json")
        assert head.returncode == 0, head.stderr
    size = int(json.loads(head.stdout)["tree_size"])

    made = cli.text("backup", "--out", out)
    assert made.returncode == 0, made.stderr
    cli("check", "--witness-state", state)

    with ctx.unit_of_work() as session:
        session.execute(delete(LedgerEntryRow).where(LedgerEntryRow.seq > size - 10))
        session.execute(delete(LedgerTreeHeadRow))
    ctx.dispose()
    with serving(cli_env, "--no-access-log") as base:
        refused = cli.text("witness", "--url", base, "--state", state)
    assert refused.returncode == 1
    assert f"now has {size - 10} entries" in refused.stderr
    assert f"saw {size} entries" in refused.stderr
    checked = cli.text("check", "--witness-state", state)
    assert checked.returncode == 1
    assert f"witness saw a tree of {size} entries" in checked.stderr

    cli("restore", out, code=1)  # not without --force
    restored = cli.text("restore", out, "--force")
    assert restored.returncode == 0, restored.stderr
    checked = cli.text("check", "--witness-state", state)
    assert checked.returncode == 0, checked.stderr
    assert f"consistent with the witnessed head of {size} entries" in checked.stdout
    with serving(cli_env, "--no-access-log") as base:
        cli("witness", "--url", base, "--state", state)
