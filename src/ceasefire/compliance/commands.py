"""``ceasefire compliance``: evaluate the rules, show findings and deadlines.

By default a command acts as the centre's operator; with ``--token`` (or
``CEASEFIRE_TOKEN``) as that token's member user, seeing only what it may read.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from ceasefire.access import Viewer
from ceasefire.commandline import acting
from ceasefire.compliance import service as compliance
from ceasefire.compliance.model import translated_reason
from ceasefire.compliance.schemas import (
    DeadlinesPublic,
    EvaluationPublic,
    FindingPublic,
    ProvisionHistoryPublic,
)
from ceasefire.console.context import get_context
from ceasefire.console.lang import _, ngettext, word
from ceasefire.console.options import AGREEMENT, JSON, TOKEN
from ceasefire.console.output import console, plain, print_result, print_table
from ceasefire.db.context import ServiceContext
from ceasefire.i18n.markers import N_
from ceasefire.timeutil import parse_instant, utcnow

compliance_app = typer.Typer(help=N_("Compliance rules: findings and deadlines."))


def _finding_rows(findings: list[FindingPublic]) -> list[list[str]]:
    return [
        [
            f.id,
            word("finding_level", f.level) + (" " + _("(withdrawn)") if f.withdrawn_at else ""),
            f.provision_id,
            f.zone_id or "",
            f.incident_id or "",
            f.party or "",
            f"{f.rule_id} ({f.rule})",
            "; ".join(translated_reason(r, _) for r in f.reasons),
        ]
        for f in findings
    ]


_FINDING_COLUMNS = [
    N_("id"),
    N_("level"),
    N_("provision"),
    N_("zone"),
    N_("incident"),
    N_("party"),
    N_("rule"),
    N_("reasons"),
]


def _show_findings(title: str, findings: list[FindingPublic]) -> None:
    print_table(
        title,
        _FINDING_COLUMNS,
        _finding_rows(findings),
        free_text={"reasons"},
        no_wrap={"id", "incident"},
    )


@compliance_app.command(
    "evaluate",
    help=N_(
        "Re-evaluate every incident against the current rules and zones; say "
        "what changed\n(loading a version or recording a provision's status "
        "already does it by itself)."
    ),
)
def evaluate(
    agreement: Annotated[str | None, AGREEMENT] = None,
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    results = compliance.evaluate(*acting(token), agreement)

    def show(items: list[EvaluationPublic]) -> None:
        for r in items:
            console.print(
                f"[bold]{r.agreement_id}[/bold] v{r.agreement_version}: "
                + ngettext(
                    "{n} incident, {new} new, {withdrawn} withdrawn, {unchanged} unchanged",
                    "{n} incidents, {new} new, {withdrawn} withdrawn, {unchanged} unchanged",
                    r.incidents,
                ).format(
                    n=r.incidents,
                    new=len(r.new),
                    withdrawn=len(r.withdrawn),
                    unchanged=r.unchanged,
                )
            )
            if r.new:
                _show_findings(_("new"), r.new)
            if r.withdrawn:
                _show_findings(_("withdrawn"), r.withdrawn)

    print_result(results, as_json, show)


@compliance_app.command(
    "findings", help=N_("The rule findings about an incident (`--withdrawn` adds withdrawn ones).")
)
def findings(
    incident: Annotated[str, typer.Argument(help=N_("Incident id."))],
    withdrawn: Annotated[
        bool, typer.Option("--withdrawn", help=N_("Include withdrawn findings."))
    ] = False,
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    found = compliance.incident_findings(*acting(token), incident, include_withdrawn=withdrawn)
    print_result(
        found,
        as_json,
        lambda items: _show_findings(_("findings of {incident}").format(incident=incident), items),
    )


@compliance_app.command(
    "provision", help=N_("A provision's status history with the findings about it.")
)
def provision(
    agreement: Annotated[str, typer.Argument(help=N_("Agreement id."))],
    provision_id: Annotated[str, typer.Argument(help=N_("Provision or part id."))],
    as_of: Annotated[str | None, typer.Option("--as-of", help=N_("ISO instant."))] = None,
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    at = parse_instant(as_of, field="--as-of") if as_of else None
    history = compliance.provision_history(*acting(token), agreement, provision_id, as_of=at)

    def show(h: ProvisionHistoryPublic) -> None:
        console.print(
            f"[bold]{plain(h.number)}[/bold] {plain(h.title)}"
            f" — {word('provision_status', h.status)}",
            highlight=False,
        )
        for change in h.status_history:
            console.print(
                f"  {change['at']['at']} {change['provision_id']}: "
                f"{word('provision_status', change['status'])}",
                highlight=False,
            )
        _show_findings(_("findings"), h.findings)

    print_result(history, as_json, show)


@compliance_app.command(
    "deadlines",
    help=N_(
        "Watched deadlines as of an instant (`--as-of`, `--within DAYS`): "
        "overdue (naming the\npart), due, fulfilled."
    ),
)
def deadlines(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help=N_("ISO instant; default now."))
    ] = None,
    agreement: Annotated[str | None, AGREEMENT] = None,
    within: Annotated[
        int, typer.Option("--within", min=0, max=3650, help=N_("Due within this many days."))
    ] = 7,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    at = parse_instant(as_of, field="--as-of") if as_of else utcnow()
    groups = compliance.deadline_states(
        get_context(),
        at,
        reader=Viewer.cli_operator(),
        agreement_id=agreement,
        due_within=timedelta(days=within),
    )

    def show(items: list[DeadlinesPublic]) -> None:
        for g in items:
            rows = [
                [
                    word("deadline_status", s.status) + (" " + _("(late)") if s.late else ""),
                    s.number,
                    s.provision,
                    s.title,
                    s.due
                    + (
                        " " + _("(was {due})").format(due=s.original_due)
                        if s.original_due != s.due
                        else ""
                    ),
                    s.fulfilled_at or "",
                ]
                for s in (*g.overdue, *g.due, *g.fulfilled, *g.other)
            ]
            print_table(
                _("{agreement} as of {as_of}").format(
                    agreement=g.agreement_id, as_of=g.as_of.isoformat()
                ),
                [
                    N_("status"),
                    N_("point"),
                    N_("provision"),
                    N_("title"),
                    N_("due"),
                    N_("fulfilled"),
                ],
                rows,
                free_text={"title"},
            )

    print_result(groups, as_json, show)


def print_incident_findings(ctx: ServiceContext, viewer: Viewer, incident_id: str) -> None:
    """The ``incident_shown`` hook: the findings under ``ceasefire incident show``."""
    for f in compliance.incident_findings(ctx, viewer, incident_id):
        where = ", ".join(x for x in (f.zone_id, f.party) if x)
        console.print(
            "  "
            + _("finding {level}: {provision} ({where}) by {rule_id} ({rule})").format(
                level=word("finding_level", f.level),
                provision=f.provision_id,
                where=where,
                rule_id=f.rule_id,
                rule=f.rule,
            ),
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    """Add the compliance command group."""
    app.add_typer(compliance_app, name="compliance")
