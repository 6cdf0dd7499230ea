"""The demo installation: loading the 2020 agreement writes ledger entries, `ceasefire
ledger verify` passes, and a status edited in SQL makes it fail naming the entry.

The failing ``ledger verify`` runs through the real executable (its exit status and message);
the other commands run in this process (``cli``: no two seconds of imports each). The demo is
``demo_month``: ``init --demo`` run once per worker and backend (it must exit 0 there), its
result copied, since its tens of seconds are the same for every test that reads it."""

from __future__ import annotations

import json
import subprocess

from sqlalchemy import create_engine, text

from ceasefire.config import Settings
from ceasefire.db.engine import normalise_url
from tests.factories.cli import InProcessCli, run_cli


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, env=env)


def test_demo_ledger_verifies_and_a_direct_status_edit_is_caught(
    cli_env: dict[str, str], cli: InProcessCli, demo_month: Settings
) -> None:
    settings = demo_month
    entries = cli("ledger", "list", "--tag", "agreement:", "--limit", "1000")
    nk = [e for e in entries if e["subject"].startswith("nk-2020-trilateral")]
    tags = {e["tag"] for e in nk}
    assert "agreement:version:loaded" in tags
    assert "agreement:provision:status-changed" in tags

    verified = cli.text("ledger", "verify", "--json")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    summary = json.loads(verified.stdout)
    assert summary["ok"] is True
    assert summary["signatures_checked"] == summary["entries"] - 1
    assert any(name.startswith("agreements") for name in summary["state_checks"])

    status_entry = next(e for e in nk if e["tag"] == "agreement:provision:status-changed")
    engine = create_engine(normalise_url(settings.database_url))
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE provision_status_changes SET status = 'breached' WHERE ledger_seq = :s"),
            {"s": status_entry["seq"]},
        )
    engine.dispose()
    failed = _run(cli_env, "ledger", "verify")
    assert failed.returncode == 1
    message = " ".join(failed.stderr.split())
    assert f"seq {status_entry['seq']}" in message
    assert "main tables differ from the ledger" in message
    assert "provision_status_changes" in message


def test_init_is_idempotent_for_the_ledger(cli: InProcessCli) -> None:
    assert cli.text("init").returncode == 0
    first = json.loads(cli.text("ledger", "head", "--json").stdout)
    cli("init")
    again = cli("ledger", "head")
    assert again == first
    keys = cli("ledger", "keys")
    assert [k["member_id"] for k in keys] == ["centre"]
