"""``ceasefire provision status`` as the operator and as members (``--token``): who may record,
retries that write nothing, bad input that names the field and writes nothing, and a ledger
that verifies afterwards."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from ceasefire.agreements.tables import ProvisionStatusChangeRow
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.ledger.tables import LedgerEntryRow
from tests.factories.agreements import NK_ID
from tests.factories.cli import InProcessCli
from tests.factories.members import Cast, demo_cast

EXCHANGE = "p8-exchange"
RECORD = (
    "provision",
    "status",
    NK_ID,
    EXCHANGE,
    "in_progress",
    "--local",
    "2020-12-14T13:00",
    "--time-zone",
    "Asia/Baku",
    "--evidence",
    ":incident:2020-12-14-001",
    "--evidence",
    "azerbaijan-mod",
    "--note",
    "first exchange of detainees",
)


@pytest.fixture
def cli(cli: InProcessCli, demo: Settings) -> InProcessCli:
    """The in-process CLI, on what ``init --demo --no-demo-month`` wrote (``demo``)."""
    return cli


@pytest.fixture
def cast(cli: InProcessCli, ctx: ServiceContext) -> Cast:
    """A user and token for each demo member (after ``init --demo`` loaded the members)."""
    return demo_cast(ctx)


def counts(ctx: ServiceContext) -> tuple[int, int]:
    with ctx.reader() as session:
        entries = session.scalar(select(func.count()).select_from(LedgerEntryRow))
        changes = session.scalar(select(func.count()).select_from(ProvisionStatusChangeRow))
    return int(entries or 0), int(changes or 0)


def status_entries(ctx: ServiceContext) -> list[int]:
    with ctx.reader() as session:
        return list(
            session.scalars(
                select(LedgerEntryRow.seq).where(
                    LedgerEntryRow.tag == "agreement:provision:status-changed",
                    LedgerEntryRow.subject == f"{NK_ID}/{EXCHANGE}",
                )
            )
        )


def test_the_operator_records_once_and_the_ledger_verifies(
    cli: InProcessCli, ctx: ServiceContext
) -> None:
    before = counts(ctx)
    # As typed: the human output.
    done = cli.text(*RECORD)
    assert done.returncode == 0, done.stderr
    assert "recorded" in done.stdout
    assert "2020-12-14T09:00:00Z" in done.stdout
    recorded = counts(ctx)
    assert recorded == (before[0] + 1, before[1] + 1)

    code, again = cli.run(*RECORD)
    assert code == 0
    assert again["recorded"] is False
    change = again["status_change"]
    assert change["at"] == {
        "at": "2020-12-14T09:00:00Z",
        "local": "2020-12-14T13:00",
        "time_zone": "Asia/Baku",
        "precision": "minute",
    }
    assert change["evidence"] == [{"ref": "incident:2020-12-14-001"}, {"source": "azerbaijan-mod"}]
    assert change["recorded_by"] == "centre"
    assert counts(ctx) == recorded

    code, shown = cli.run("provisions", "--agreement", NK_ID, "--as-of", "2020-12-15")
    exchange = next(p for p in shown["provisions"] if p["id"] == EXCHANGE)
    assert exchange["status"] == "in_progress"
    assert exchange["status_history"][-1]["note"] == "first exchange of detainees"

    verify = cli.text("ledger", "verify", "--json")
    assert verify.returncode == 0, verify.stderr
    summary = json.loads(verify.stdout)
    assert summary["ok"] is True
    assert summary["findings"] == []


@pytest.mark.parametrize(
    ("who", "code", "error"),
    [
        ("rus", 0, None),  # monitor
        ("tur", 0, None),  # monitor
        ("aze", 1, "E403"),  # party liaison
        ("arm", 1, "E403"),  # party liaison
        ("fra", 1, "E403"),  # observer
        ("usa", 1, "E403"),  # observer
        ("bad-token", 1, "E401"),
    ],
)
def test_with_a_token_only_monitors_may_record(
    cli: InProcessCli, cast: Cast, ctx: ServiceContext, who: str, code: int, error: str | None
) -> None:
    token = cast.tokens.get(who, "cft_not-a-token")
    before = counts(ctx)
    returned, out = cli.run(*RECORD, "--token", token)
    assert returned == code, out
    if error is None:
        assert out["recorded"] is True
        assert out["status_change"]["recorded_by"] == who
        # One status change and its entry (plus the member's key, on its first signature).
        assert counts(ctx)[1] == before[1] + 1
        assert status_entries(ctx) == [out["status_change"]["ledger_seq"]]
    else:
        assert out["error"]["code"] == error
        assert counts(ctx) == before


def test_the_token_may_come_from_the_environment(
    cli: InProcessCli, cast: Cast, ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CEASEFIRE_TOKEN", cast.tokens["arm"])
    before = counts(ctx)
    code, out = cli.run(*RECORD)
    assert (code, out["error"]["code"]) == (1, "E403")
    assert counts(ctx) == before
    monkeypatch.setenv("CEASEFIRE_TOKEN", cast.tokens["rus"])
    code, out = cli.run(*RECORD)
    assert code == 0
    assert out["status_change"]["recorded_by"] == "rus"


BASE = ("provision", "status", NK_ID, EXCHANGE)
POINT_6 = ("provision", "status", NK_ID, "p6-districts-and-corridor")
GOOD = ("--at", "2020-12-14T09:00:00Z", "--evidence", ":incident:2020-12-14-001")


@pytest.mark.parametrize(
    ("args", "locs"),
    [
        ((*BASE, "done", *GOOD), ["status"]),
        ((*BASE, "fulfilled", "--at", "yesterday", "--evidence", ":x"), ["--at"]),
        ((*BASE, "fulfilled", "--at", "2020-12-14"), ["evidence"]),
        ((*BASE, "fulfilled", *GOOD, "--evidence", "nope:page-2"), ["evidence[1].source"]),
        (
            (*BASE, "fulfilled", "--at", "2020-12-14", "--evidence", "kremlin-text:"),
            ["--evidence[0]"],
        ),
        ((*BASE, "fulfilled", "--local", "2020-12-14", "--evidence", ":x"), ["time_zone"]),
        ((*BASE, "fulfilled", "--at", "2999-01-01", "--evidence", ":x"), ["at"]),
        ((*BASE, "fulfilled", "--evidence", ":x"), ["at"]),
        (
            ("provision", "status", NK_ID, "p6-districts-and-corridor", "fulfilled", *GOOD),
            ["provision_id"],
        ),
    ],
)
def test_bad_input_exits_2_naming_the_field_and_writes_nothing(
    cli: InProcessCli, ctx: ServiceContext, args: tuple[str, ...], locs: list[str]
) -> None:
    before = counts(ctx)
    code, out = cli.run(*args)
    assert code == 2, out
    assert out["error"]["code"] == "E422"
    assert [d["loc"] for d in out["error"]["details"]] == locs
    assert counts(ctx) == before


@pytest.mark.parametrize(
    ("agreement_id", "provision_id", "loc"),
    [("nope", EXCHANGE, "agreement_id"), (NK_ID, "p99-nope", "provision_id")],
)
def test_unknown_agreement_or_provision_exits_1(
    cli: InProcessCli, ctx: ServiceContext, agreement_id: str, provision_id: str, loc: str
) -> None:
    before = counts(ctx)
    code, out = cli.run("provision", "status", agreement_id, provision_id, "fulfilled", *GOOD)
    assert code == 1
    assert out["error"]["code"] == "E404"
    assert [d["loc"] for d in out["error"]["details"]] == [loc]
    assert counts(ctx) == before


def test_the_same_status_and_instant_with_other_evidence_is_a_conflict(
    cli: InProcessCli, ctx: ServiceContext
) -> None:
    code, _ = cli.run(*BASE, "fulfilled", *GOOD)
    assert code == 0
    before = counts(ctx)
    code, out = cli.run(*BASE, "fulfilled", "--at", "2020-12-14T09:00:00Z", "--evidence", ":other")
    assert (code, out["error"]["code"]) == (1, "E409")
    assert counts(ctx) == before
