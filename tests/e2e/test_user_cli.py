"""``ceasefire user list|disable|enable|password|unlock`` as an operator uses them, with
``--json``, on the demo members (``demo``: what ``init --demo --no-demo-month`` writes); each
change is a ledger entry without secrets, and ``ledger verify`` passes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.ledger.tables import LedgerEntryRow
from tests.factories.cli import InProcessCli

PASSWORD = "first password of fra"
NEW_PASSWORD = "second password of fra"


def _sign_in(client: TestClient, password: str) -> int:
    response = client.post("/api/v1/auth/token", json={"user_id": "fra-duty", "password": password})
    status: int = response.status_code  # Any to mypy: starlette types TestClient on httpx2
    return status


def test_operator_manages_users_from_the_command_line(cli: InProcessCli, demo: Settings) -> None:
    added = cli("user", "add", "fra-duty", "--member", "fra", "--password-stdin", stdin=PASSWORD)
    assert (added["id"], added["member_id"], added["has_password"]) == ("fra-duty", "fra", True)

    listed = {u["id"]: u for u in cli("user", "list")}
    assert listed["fra-duty"]["disabled_at"] is None
    assert listed["fra-duty"]["locked_until"] is None

    ctx = ServiceContext.from_settings(demo)
    try:
        with TestClient(create_app(ctx=ctx)) as client:
            disabled = cli("user", "disable", "fra-duty")
            assert disabled["disabled_at"] is not None
            assert {u["id"]: u for u in cli("user", "list")}["fra-duty"]["disabled_at"]
            assert _sign_in(client, PASSWORD) == 401
            assert cli("user", "enable", "fra-duty")["disabled_at"] is None
            assert _sign_in(client, PASSWORD) == 200

            cli("user", "password", "fra-duty", "--password-stdin", stdin=NEW_PASSWORD + "\n")
            assert _sign_in(client, PASSWORD) == 401
            assert _sign_in(client, NEW_PASSWORD) == 200

            for _ in range(5):  # the sign-in just now cleared the earlier failure
                assert _sign_in(client, "wrong wrong wrong") == 401
            assert _sign_in(client, NEW_PASSWORD) == 429
            assert {u["id"]: u for u in cli("user", "list")}["fra-duty"]["locked_until"]
            assert cli("user", "unlock", "fra-duty") == {"user_name": "fra-duty", "locked": False}
            assert _sign_in(client, NEW_PASSWORD) == 200

        with ctx.reader() as session:
            entries = session.execute(
                select(LedgerEntryRow.tag, LedgerEntryRow.payload)
                .where(LedgerEntryRow.subject == "user/fra-duty")
                .order_by(LedgerEntryRow.seq)
            ).all()
    finally:
        ctx.dispose()
    assert [tag for tag, _ in entries] == [
        "auth:user:added",
        "auth:user:disabled",
        "auth:user:enabled",
        "auth:user:password-set",
    ]
    for _, payload in entries:
        assert PASSWORD not in payload
        assert NEW_PASSWORD not in payload
        assert "argon2" not in payload
    assert cli("ledger", "verify")["ok"] is True


@pytest.mark.usefixtures("demo")
def test_user_commands_explain_bad_input(cli: InProcessCli) -> None:
    missing = cli("user", "disable", "nobody", code=1)
    assert missing["error"]["code"] == "E404"
    assert missing["error"]["details"][0]["loc"] == "user_id"
    cli("user", "add", "fra-duty", "--member", "fra", "--no-password")
    short = cli("user", "password", "fra-duty", "--password-stdin", stdin="short", code=2)
    assert short["error"]["code"] == "E422"
    assert short["error"]["details"][0]["loc"] == "password"
    assert cli("user", "disable", "fra-duty")["disabled_at"] is not None
    again = cli("user", "disable", "fra-duty")  # a retry is a no-op, not an error
    assert again["disabled_at"] is not None
