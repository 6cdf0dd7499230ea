"""``ceasefire compliance``: findings, a provision's history, evaluation and deadlines."""

from __future__ import annotations

from ceasefire.access import Classification
from ceasefire.agreements import service as agreements
from ceasefire.cli import main
from ceasefire.db.context import ServiceContext
from ceasefire.incidents import service as incidents
from ceasefire.reports import service as reports
from tests.factories.cli import InProcessCli
from tests.factories.members import demo_cast
from tests.factories.reports import AGHDAM, shelling_body

NK = "nk-2020-trilateral"


def test_compliance_commands(ctx: ServiceContext, cli: InProcessCli) -> None:
    cast = demo_cast(ctx)
    agreements.load_shipped(ctx)
    turkey = cast.viewer(ctx, "tur")
    body = shelling_body(event_position={"place_name": "Aghdam", "precision": 1, **AGHDAM})
    report = reports.submit_report(ctx, turkey, body).report
    incident = incidents.create_incident(
        ctx, turkey, report_ids=[report.id], title="x", classification=Classification.SHARED
    ).id

    [finding] = cli("compliance", "findings", incident)
    assert (finding["level"], finding["rule"]) == ("breach", "compliance.zone_breach.v1")
    assert "inside aghdam-district, precision 1" in finding["reasons"][-1]  # JSON: English
    # The table gives the reasons in the reader's language.
    shown = " ".join(cli.text("--lang", "ru", "compliance", "findings", incident).stdout.split())
    assert "вменяется" in shown
    assert "alleged against" not in shown
    assert main(["incident", "show", incident]) == 0  # the findings under the incident
    assert "finding breach: p1-ceasefire (aghdam-district, ARM)" in cli.capsys.readouterr().out
    history = cli("compliance", "provision", NK, "p1-ceasefire")
    assert [f["id"] for f in history["findings"]] == [finding["id"]]
    [evaluated, _memorandum] = cli("compliance", "evaluate")
    assert (evaluated["agreement_id"], evaluated["unchanged"], evaluated["new"]) == (NK, 1, [])
    [deadlines] = cli("compliance", "deadlines", "--as-of", "2020-11-26T12:00Z", "--agreement", NK)
    assert [s["provision"] for s in deadlines["fulfilled"]] == ["p2-aghdam", "p6-kalbajar"]
    assert [s["provision"] for s in deadlines["due"]] == ["p6-lachin"]
    # Armenia's liaison may not evaluate.
    code, error = cli.run("compliance", "evaluate", "--token", cast.tokens["arm"])
    assert (code, error["error"]["code"]) == (1, "E403")
