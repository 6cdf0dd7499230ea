"""What the compliance rules cost: the incident_changed hook on every incident made, and a
whole agreement re-evaluated.

    .venv/bin/python bench/compliance.py [--database-url URL] [--incidents 300]

Seeds the demo members, files ``--incidents`` shelling reports around Aghdam (a third at an
exact place, a third near it, a third only to the district; all after its handover) and
makes one incident of each through ``incidents.service.create_incident`` — first with no
agreement loaded (the hook has nothing to evaluate: one query), then, on a fresh database,
with the 2020 statement and its rules loaded (each incident evaluated and its findings
ledgered in the same unit of work). Then ``compliance.service.evaluate`` re-runs the whole
agreement (nothing changed: nothing written), and two new versions of the agreement are
loaded, each re-evaluating every incident in its unit of work (the ``agreement_changed``
hook): one with the same rules (a note reworded: nothing to write), one with a rule change
(a wider margin: every exact-place breach withdrawn and recorded anew as possible). The
difference of the two loads is what writing the changes costs. Prints milliseconds per
incident, seconds per agreement run and a JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.intake import fresh_settings  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from tests.factories.agreements import NK_ID, edited, shipped_text  # noqa: E402
from tests.factories.members import demo_cast  # noqa: E402
from tests.factories.reports import shelling_body  # noqa: E402

from ceasefire.access import Classification, Viewer  # noqa: E402
from ceasefire.actor import Actor  # noqa: E402
from ceasefire.agreements import service as agreements  # noqa: E402
from ceasefire.compliance import service as compliance  # noqa: E402
from ceasefire.compliance.tables import FindingRow  # noqa: E402
from ceasefire.db.context import ServiceContext  # noqa: E402
from ceasefire.db.migrate import upgrade  # noqa: E402
from ceasefire.incidents import service as incidents  # noqa: E402
from ceasefire.reports import service as reports  # noqa: E402

OPERATOR = Viewer.cli_operator()


def _position(index: int) -> dict[str, Any]:
    lat, lon = 39.991 + (index % 7 - 3) * 0.01, 46.927 + (index % 5 - 2) * 0.01
    precision = (1, 2, 3)[index % 3]
    return {"place_name": "Aghdam", "precision": precision, "lat": lat, "lon": lon}


def _make_incidents(url: str | None, folder: Path, count: int, *, rules: bool) -> dict[str, Any]:
    ctx = ServiceContext.from_settings(fresh_settings(url, folder))
    upgrade(ctx.engine)
    cast = demo_cast(ctx)
    if rules:
        agreements.load_shipped(ctx)
    turkey = cast.viewer(ctx, "tur")
    report_ids = [
        reports.submit_report(ctx, turkey, shelling_body(event_position=_position(i))).report.id
        for i in range(count)
    ]
    started = time.perf_counter()
    for report_id in report_ids:
        incidents.create_incident(
            ctx, turkey, report_ids=[report_id], title="x", classification=Classification.SHARED
        )
    per_incident_ms = (time.perf_counter() - started) * 1000 / count
    figures: dict[str, Any] = {"create_ms_per_incident": round(per_incident_ms, 2)}
    if rules:
        started = time.perf_counter()
        [same] = compliance.evaluate(ctx, OPERATOR, NK_ID)
        figures["evaluate_unchanged_s"] = round(time.perf_counter() - started, 3)
        figures["findings"] = same.unchanged
        # A new version whose rules say the same (a note edited): stored, and every incident
        # re-evaluated by the agreement_changed hook, with nothing to write.
        text = shipped_text(NK_ID)
        reworded = edited(
            text, "breaches the\n      ceasefire.", "breaches the\n      ceasefire (point 1)."
        )
        started = time.perf_counter()
        agreements.load_text(ctx, reworded, source_name="nk.yaml", actor=Actor.centre())
        figures["load_same_rules_s"] = round(time.perf_counter() - started, 3)
        # A rule change (a wider margin for the zone's edge): the load re-evaluates every
        # incident and withdraws / records the findings that change, in its unit of work.
        wider = edited(
            reworded, "    margin_m: 2000\n    note: >-", "    margin_m: 20000\n    note: >-"
        )
        started = time.perf_counter()
        agreements.load_text(ctx, wider, source_name="nk.yaml", actor=Actor.centre())
        figures["load_rule_change_s"] = round(time.perf_counter() - started, 3)
        with ctx.reader() as session:
            figures["changed"] = {
                "new": session.scalar(
                    select(func.count()).where(FindingRow.agreement_version == 3)
                ),
                "withdrawn": session.scalar(
                    select(func.count()).where(FindingRow.withdrawn_by == "agreement_loaded")
                ),
            }
    ctx.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--incidents", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        without = _make_incidents(args.database_url, Path(tmp) / "a", args.incidents, rules=False)
        with_rules = _make_incidents(args.database_url, Path(tmp) / "b", args.incidents, rules=True)
    print(f"incidents: {args.incidents}")
    print(f"create, no agreement loaded: {without['create_ms_per_incident']} ms/incident")
    print(f"create, 2020 rules evaluated: {with_rules['create_ms_per_incident']} ms/incident")
    print(f"findings: {with_rules['findings']}")
    print(f"evaluate (nothing changed): {with_rules['evaluate_unchanged_s']} s")
    print(f"load a version, same rules (re-evaluated): {with_rules['load_same_rules_s']} s")
    print(
        f"load a version with a rule change (re-evaluated): {with_rules['load_rule_change_s']} s "
        f"({with_rules['changed']})"
    )
    print(json.dumps({"incidents": args.incidents, "without": without, "with_rules": with_rules}))


if __name__ == "__main__":
    main()
