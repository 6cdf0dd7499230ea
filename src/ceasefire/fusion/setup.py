"""The fusion step of ``ceasefire init --demo``: a generated month of reports, fused.

A month (10 Nov - 10 Dec 2020) of monitor observations, UAV detections and party
complaints from ``synthetic.demo_month`` (fixed seed ``DEMO_SEED``; places near the area's
towns and inside the agreement's zones) is filed through the normal intake path
(``reports.service.file_reports``, group commit), as the members who would file them: the
monitors (Russia and Turkey, in turn) their observations and the UAV's detections, a party
liaison the complaints of its own party (the party that accuses, not the accused). Fusion
then drains the queue, so ``ceasefire incident list`` shows the month's incidents. The
reports carry ``client_report_id`` keys: running init again files nothing new.

This is **generated** data, labelled so: every narrative is the generator's and every id
starts with ``demo-``; docs/fusion.md says how it is drawn.
"""

from __future__ import annotations

from typing import Any

from ceasefire.access import Role, Viewer
from ceasefire.agreements.service import get_agreement
from ceasefire.db.context import ServiceContext
from ceasefire.errors import CeasefireError
from ceasefire.fusion import service as fusion
from ceasefire.fusion.synthetic import PARTIES, demo_month
from ceasefire.members.setup import DEMO_AGREEMENT_ID
from ceasefire.reports.service import Submission, file_reports

DEMO_SEED = 2020
BATCH = 500

_MONITORS = (
    Viewer(member_id="rus", role=Role.MONITOR),
    Viewer(member_id="tur", role=Role.MONITOR),
)
_LIAISONS = {
    "ARM": Viewer(member_id="arm", role=Role.PARTY_LIAISON, party="ARM"),
    "AZE": Viewer(member_id="aze", role=Role.PARTY_LIAISON, party="AZE"),
}


def _filer(index: int, body: dict[str, Any]) -> Viewer:
    if body["channel"] != "party_complaint":
        return _MONITORS[index % 2]
    accused = body.get("alleged_perpetrator")
    complainant = next((p for p in PARTIES if p != accused), PARTIES[index % 2])
    return _LIAISONS[complainant]


def setup_fusion(ctx: ServiceContext, *, demo: bool, month: bool = True) -> list[str]:
    """With ``demo``: file the demo month (unless not ``month``), then fuse what the demo
    queued. Without it nothing: ``init`` of a working installation does not run fusion
    (its API worker or ``ceasefire fusion run`` does)."""
    steps: list[str] = []
    if not demo:
        return steps
    if month:
        zones = get_agreement(ctx, DEMO_AGREEMENT_ID).agreement.zones
        bodies = demo_month(DEMO_SEED, zones=zones, agreement_id=DEMO_AGREEMENT_ID)
        submissions = [Submission(body, viewer=_filer(i, body)) for i, body in enumerate(bodies)]
        created = 0
        for start in range(0, len(submissions), BATCH):
            for outcome in file_reports(ctx, submissions[start : start + BATCH]):
                if isinstance(outcome, CeasefireError):
                    raise outcome
                created += outcome.created
        steps.append(
            f"demo month: {len(bodies)} generated reports (seed {DEMO_SEED}), {created} new"
        )
    result = fusion.drain(ctx)
    if result.reports:
        steps.append(
            f"fusion: {result.reports} reports, {result.new_incidents} new incidents,"
            f" {result.linked} linked, {result.left_alone} left alone"
        )
    return steps
