"""``ceasefire alerts``: subscribe, list and unsubscribe (as a member and as the operator),
scan twice (one alert), deliver (an e-mail without an SMTP server fails and waits for its
retry), list the deliveries."""

from __future__ import annotations

from ceasefire.access import Classification
from ceasefire.db.context import ServiceContext
from ceasefire.incidents import service as incidents
from ceasefire.reports import service as reports
from tests.factories.cli import InProcessCli
from tests.factories.members import Cast
from tests.factories.reports import shelling_body


def test_alerts_from_the_command_line(ctx: ServiceContext, cast: Cast, cli: InProcessCli) -> None:
    france = cli(
        "alerts",
        "subscribe",
        "--channel",
        "email",
        "--target",
        "duty@fra.example.org",
        "--kind",
        "casualties",
        "--token",
        cast.tokens["fra"],
    )
    assert (france["member_id"], france["kinds"]) == ("fra", ["casualties"])
    hook = cli(
        "alerts",
        "subscribe",
        "--user",
        cast.users["tur"],
        "--channel",
        "webhook",
        "--target",
        "https://hooks.tur.example.org/alerts",
        "--secret",
        "s" * 24,
    )
    assert hook["has_secret"] is True
    assert "secret" not in hook
    refused = cli(
        "alerts",
        "subscribe",
        "--channel",
        "webhook",
        "--target",
        "file:///etc/passwd",
        "--secret",
        "s" * 24,
        "--user",
        cast.users["tur"],
        code=2,
    )
    assert refused["error"]["details"][0]["loc"] == "target"
    assert cli("alerts", "list", "--token", cast.tokens["arm"]) == []
    assert {s["id"] for s in cli("alerts", "list")} == {france["id"], hook["id"]}
    cli("alerts", "unsubscribe", hook["id"])
    assert [s["id"] for s in cli("alerts", "list")] == [france["id"]]

    turkey = cast.viewer(ctx, "tur")
    report = reports.submit_report(
        ctx, turkey, shelling_body(casualties={"killed_military": 2}, classification="shared")
    ).report
    incidents.create_incident(
        ctx, turkey, report_ids=[report.id], title="Shelling", classification=Classification.SHARED
    )
    scanned = cli("alerts", "scan")
    assert [a["kind"] for a in scanned["raised"]] == ["casualties"]
    assert scanned["deliveries_queued"] == 1
    assert cli("alerts", "scan")["raised"] == []
    delivered = cli("alerts", "deliver")
    assert (delivered["attempted"], delivered["failed"]) == (1, 1)
    (pending,) = cli("alerts", "deliveries", "--token", cast.tokens["fra"])
    assert pending["state"] == "pending"
    assert "SMTP" in pending["last_error"]
    shown = cli("alerts", "show", "--token", cast.tokens["fra"])
    assert [a["severity"] for a in shown] == ["critical"]
    # A person's table in the CLI's language: the summary worded again, the record in words.
    russian = " ".join(
        cli.text("--lang", "ru", "alerts", "show", "--token", cast.tokens["fra"]).stdout.split()
    )
    assert "инцидент inc-" in russian, russian
    assert "Инцидент inc-" in russian
    for code in ("incident/", "killed (military)", "shelling"):
        assert code not in russian, code
