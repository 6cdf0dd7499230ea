"""``ceasefire witness --cosign`` against a served API: a member's witness cosigns over HTTP,
another member's witness requires that cosignature, and a bundle the member fetched then
verifies offline with ``--cosigner``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from ceasefire.actor import Actor
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.ledger import service as ledger
from ceasefire.ledger.keyfile import add_key
from ceasefire.ledger.keys import SigningKey
from ceasefire.members.setup import setup_members
from tests.factories.cli import InProcessCli
from tests.factories.ledger import append_test_entries
from tests.factories.members import add_user_with_token
from tests.factories.served import serving


def test_witness_cosigns_over_http(
    ctx: ServiceContext,
    settings: Settings,
    cli_env: dict[str, str],
    cli: InProcessCli,
    tmp_path: Path,
) -> None:
    assert cli.text("init").returncode == 0
    setup_members(ctx, demo=True)
    token = add_user_with_token(ctx, "arm")[1]
    key = SigningKey.generate("arm")
    key_file = tmp_path / "arm-keys.json"
    add_key(key_file, key, created_at=datetime.now(UTC))
    ledger.add_member_key(ctx, member_id="arm", public_key=key.public_key_hex, actor=Actor.centre())
    append_test_entries(ctx, settings, 3, member="centre")
    with serving(cli_env, "--no-access-log") as base:
        wanted = cli.text(
            "witness", "--url", base, "--state", str(tmp_path / "aze"), "--cosigner", "arm"
        )
        assert wanted.returncode == 1
        assert "missing: arm" in " ".join(wanted.stderr.split()), wanted.stderr
        cosigned = cli.text(
            "witness",
            "--url",
            base,
            "--state",
            str(tmp_path / "arm"),
            "--token",
            token,
            "--cosign",
            str(key_file),
        )
        assert cosigned.returncode == 0, cosigned.stderr
        assert "cosigned by arm and submitted" in cosigned.stdout
        seen = cli.text(
            "witness", "--url", base, "--state", str(tmp_path / "aze"), "--cosigners", "1"
        )
        assert seen.returncode == 0, seen.stderr
        assert "cosigned also by: arm" in seen.stdout
        shown = cli.text("ledger", "tree-head")
        assert "cosigned by arm" in shown.stdout, shown.stdout
        bundle = tmp_path / "arm.jsonl"
        fetched = cli.text("ledger", "fetch", "--url", base, "--token", token, "--out", str(bundle))
        assert fetched.returncode == 0, fetched.stderr
    ok = cli.text("ledger", "verify", "--bundle", str(bundle), "--cosigner", "arm")
    assert ok.returncode == 0, ok.stderr
    short = cli.text("ledger", "verify", "--bundle", str(bundle), "--cosigners", "2")
    assert short.returncode == 1
    assert "missing" in short.stderr
    assert "cosigner missing" in short.stderr, short.stderr
    # A forged cosignature in the copy is reported by a plain verify, no cosigner asked.
    lines = bundle.read_text(encoding="utf-8").splitlines()
    head = json.loads(lines[-1])
    head["cosignatures"][0]["signature"] = "00" * 64
    bundle.write_text("\n".join([*lines[:-1], json.dumps(head)]) + "\n", encoding="utf-8")
    forged = cli.text("ledger", "verify", "--bundle", str(bundle))
    assert forged.returncode == 1
    assert "arm: the signature does not verify" in forged.stderr, forged.stderr
