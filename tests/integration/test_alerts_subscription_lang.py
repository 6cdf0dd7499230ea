"""A subscription's language (both databases): given through the API (``lang``, ``en`` by
default, another refused naming the field) and the CLI (``--lang``), ledgered with the
subscription and checked by the ledger's state check, and given ``en`` by the migration to
every subscription made before subscriptions had one."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select, text

from ceasefire.app import create_app
from ceasefire.db.context import ServiceContext
from ceasefire.db.migrate import alembic_config, upgrade
from ceasefire.ledger.tables import LedgerEntryRow
from tests.factories.cli import InProcessCli
from tests.factories.members import Cast

SUBSCRIPTIONS = "/api/v1/alerts/subscriptions"
BODY = {"channel": "email", "target": "duty@arm.example.org"}


def test_the_api_takes_a_language_and_refuses_another_naming_the_field(
    ctx: ServiceContext, cast: Cast
) -> None:
    with TestClient(create_app(ctx=ctx)) as client:
        plain = client.post(SUBSCRIPTIONS, json=BODY, headers=cast.bearer("arm"))
        assert plain.status_code == 201, plain.text
        assert plain.json()["lang"] == "en"
        russian = client.post(
            SUBSCRIPTIONS,
            json={**BODY, "target": "ru@arm.example.org", "lang": "ru"},
            headers=cast.bearer("arm"),
        )
        assert russian.status_code == 201, russian.text
        assert russian.json()["lang"] == "ru"
        refused = client.post(
            SUBSCRIPTIONS, json={**BODY, "lang": "de"}, headers=cast.bearer("arm")
        )
        assert refused.status_code == 422
        assert [d["loc"] for d in refused.json()["error"]["details"]] == ["lang"]
        listed = client.get(SUBSCRIPTIONS, headers=cast.bearer("arm")).json()
        assert sorted(s["lang"] for s in listed) == ["en", "ru"]
        # The same subscription in another language is another subscription, not a retry.
        turkish = client.post(
            SUBSCRIPTIONS, json={**BODY, "lang": "tr"}, headers=cast.bearer("arm")
        ).json()
        assert turkish["id"] != plain.json()["id"]
    entries = ledger_payloads(ctx, "alerts:subscription:added")
    assert [p["lang"] for p in entries] == ["en", "ru", "tr"]


def ledger_payloads(ctx: ServiceContext, tag: str) -> list[dict[str, object]]:
    with ctx.reader() as session:
        rows = session.scalars(
            select(LedgerEntryRow.payload)
            .where(LedgerEntryRow.tag == tag)
            .order_by(LedgerEntryRow.seq)
        )
        return [json.loads(payload) for payload in rows]


def test_the_cli_takes_lang(ctx: ServiceContext, cast: Cast, cli: InProcessCli) -> None:
    made = cli(
        "alerts",
        "subscribe",
        "--lang",
        "tr",
        "--token",
        cast.tokens["fra"],
        "--channel",
        "email",
        "--target",
        "tr@fra.example.org",
    )
    assert made["lang"] == "tr"
    plain = cli(
        "alerts",
        "subscribe",
        "--channel",
        "email",
        "--target",
        "b@fra.example.org",
        "--token",
        cast.tokens["fra"],
    )
    assert plain["lang"] == "en"
    refused = cli.text(
        "alerts", "subscribe", "--channel", "email", "--target", "c@fra.example.org",
        "--lang", "de", "--token", cast.tokens["fra"],
    )  # fmt: skip
    assert refused.returncode == 2
    assert "--lang" in refused.stderr
    assert "'de'" in refused.stderr


def test_the_state_check_reads_the_language_and_finds_it_changed(
    ctx: ServiceContext, cast: Cast, cli: InProcessCli
) -> None:
    made = cli(
        "alerts",
        "subscribe",
        "--channel",
        "email",
        "--target",
        "d@fra.example.org",
        "--lang",
        "ru",
        "--token",
        cast.tokens["fra"],
    )
    assert cli("ledger", "verify")["ok"] is True
    with ctx.engine.begin() as conn:
        conn.execute(
            text("UPDATE alert_subscriptions SET lang = 'tr' WHERE id = :id"), {"id": made["id"]}
        )
    found = cli("ledger", "verify", code=1)["error"]
    assert found["code"] == "E601"
    assert f"alert_subscriptions row {made['id']} differs" in found["message"]
    assert found["message"].endswith("in lang)")


def test_the_migration_gives_every_earlier_subscription_english(ctx: ServiceContext) -> None:
    from alembic import command

    command.downgrade(alembic_config(ctx.engine), "0018_publication_agreement_key")
    with ctx.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO alert_subscriptions (id, member_id, user_id, kinds, areas, "
                "min_severity, channel, target, secret, created_at, created_by, ended_at) "
                "VALUES ('sub-before', 'arm', 'arm-user', '[]', '[]', 10, 'email', "
                "'old@arm.example.org', NULL, :at, 'arm', NULL)"
            ),
            {"at": datetime(2026, 12, 1, tzinfo=UTC)},
        )
    upgrade(ctx.engine)
    with ctx.engine.connect() as conn:
        assert (
            conn.execute(
                text("SELECT lang FROM alert_subscriptions WHERE id = 'sub-before'")
            ).scalar_one()
            == "en"
        )
