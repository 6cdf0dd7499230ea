"""``ceasefire fusion`` (run the queue, backfill, show, undo) and the analysts' ``ceasefire
incident merge`` / ``split``, added to the incidents' command group.

By default a command acts as the centre's operator; with ``--token`` as that token's user,
with exactly that member's rights.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ceasefire.commandline import acting
from ceasefire.console.context import get_context
from ceasefire.console.lang import _, language, ngettext, word
from ceasefire.console.options import JSON, TOKEN
from ceasefire.console.output import console, plain, print_result
from ceasefire.fusion import service as fusion
from ceasefire.fusion.schemas import DecisionPublic, FusionSummary
from ceasefire.i18n import translations
from ceasefire.i18n.labels import source_reason
from ceasefire.i18n.markers import N_

fusion_app = typer.Typer(help=N_("Fusion of reports into incidents: the queue, evidence, undo."))

REASON = typer.Option("--reason", help=N_("Why (kept with the decision, not in the ledger)."))


def _decision_line(decision: DecisionPublic) -> str:
    where = decision.incident_id or "-"
    came = (
        " " + _("from {incident}").format(incident=decision.other_incident_id)
        if decision.other_incident_id
        else ""
    )
    score = (
        " " + _("score {score}").format(score=f"{decision.score:.2f}")
        if decision.score is not None
        else ""
    )
    undone = (
        " " + _("(undone by {decision})").format(decision=decision.undone_by)
        if decision.undone_by
        else ""
    )
    return (
        f"{decision.id} {word('fusion_kind', decision.kind)}: "
        f"{', '.join(decision.report_ids)} → {where}{came}"
        f"{score}{undone}"
    )


@fusion_app.command("run", help=N_("Fuse every queued report now (until the queue is empty)."))
def fusion_run(as_json: Annotated[bool, JSON] = False) -> None:
    result = fusion.drain(get_context())
    print_result(
        result.to_dict(),
        as_json,
        ngettext(
            "{n} report fused: {new} new incidents, {linked} linked, {alone} left alone",
            "{n} reports fused: {new} new incidents, {linked} linked, {alone} left alone",
            result.reports,
        ).format(
            n=result.reports,
            new=result.new_incidents,
            linked=result.linked,
            alone=result.left_alone,
        )
        + _merges(result),
    )


def _merges(result: fusion.DrainResult) -> str:
    """The merges fusion made, said only when there were some ("; 2 incidents merged into
    others")."""
    if not result.merged:
        return ""
    return ngettext(
        "; {n} incident merged into others", "; {n} incidents merged into others", result.merged
    ).format(n=result.merged)


@fusion_app.command("status", help=N_("How many reports wait for fusion."))
def fusion_status(as_json: Annotated[bool, JSON] = False) -> None:
    queued = fusion.queue_length(get_context())
    print_result(
        {"queued": queued},
        as_json,
        ngettext("{n} report waits for fusion", "{n} reports wait for fusion", queued).format(
            n=queued
        ),
    )


@fusion_app.command(
    "backfill",
    help=N_("Queue every report in no incident that fusion never decided on, then fuse them."),
)
def fusion_backfill(as_json: Annotated[bool, JSON] = False) -> None:
    ctx = get_context()
    queued = fusion.backfill(ctx)
    result = fusion.drain(ctx)
    print_result(
        {"queued": queued, **result.to_dict()},
        as_json,
        ngettext(
            "{n} report queued; {new} new incidents, {linked} linked",
            "{n} reports queued; {new} new incidents, {linked} linked",
            queued,
        ).format(n=queued, new=result.new_incidents, linked=result.linked)
        + _merges(result),
    )


@fusion_app.command(
    "show", help=N_("An incident's independent sources and the decisions that grouped it.")
)
def fusion_show(
    incident: Annotated[str, typer.Argument(help=N_("Incident id."))],
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:

    def show(found: FusionSummary) -> None:
        # In the CLI's language as the incident page says it (``summary`` is the API's).
        translate = translations(language()).gettext
        kinds = ", ".join(f"{n} {word('source_kind', k)}" for k, n in found.by_kind.items())
        head = _("Independent sources: {n}").format(n=found.independent_sources)
        console.print(
            f"[bold]{found.incident_id}[/bold] {plain(head)}"
            + (f" ({plain(kinds)})" if kinds else ""),
            highlight=False,
        )
        for source in found.sources:
            console.print(
                f"  {plain(word('source_kind', source['kind']))} {plain(source['key'])}:"
                f" {', '.join(source['report_ids'])}"
                f" ({plain(source_reason(str(source['reason']), translate))})",
                highlight=False,
            )
        for decision in found.decisions:
            console.print(f"  {_decision_line(decision)}", highlight=False)

    print_result(fusion.summary(*acting(token), incident), as_json, show)


@fusion_app.command(
    "undo", help=N_("Undo a grouping decision, automatic or manual (recorded as a new decision).")
)
def fusion_undo(
    decision: Annotated[str, typer.Argument(help=N_("Decision id (fus-...)."))],
    reason: Annotated[str | None, REASON] = None,
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    done = fusion.undo(*acting(token), decision, reason=reason)
    print_result(done, as_json, _decision_line)


def incident_merge(
    target: Annotated[str, typer.Argument(help=N_("The incident that keeps the reports."))],
    source: Annotated[str, typer.Argument(help=N_("The incident whose reports move."))],
    reason: Annotated[str | None, REASON] = None,
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    done = fusion.merge(*acting(token), target, source, reason=reason)
    print_result(done, as_json, _decision_line)


def incident_split(
    incident: Annotated[str, typer.Argument(help=N_("The incident to split."))],
    report_ids: Annotated[
        str, typer.Option("--reports", help=N_("Comma-separated report ids for the new incident."))
    ],
    reason: Annotated[str | None, REASON] = None,
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    ids = [part.strip() for part in report_ids.split(",") if part.strip()]
    done = fusion.split(*acting(token), incident, ids, reason=reason)
    print_result(done, as_json, _decision_line)


def register(app: typer.Typer) -> None:
    """Add the fusion command group, and merge/split to the incident group (registered
    before this area: ``BUILTIN_AREAS`` lists incidents first)."""
    app.add_typer(fusion_app, name="fusion")
    for group in app.registered_groups:
        if group.name == "incident" and group.typer_instance is not None:
            group.typer_instance.command(
                "merge",
                help=N_("Merge incident SOURCE into TARGET (SOURCE keeps its history, emptied)."),
            )(incident_merge)
            group.typer_instance.command(
                "split", help=N_("Take reports out of an incident into a new one.")
            )(incident_split)
            return
    raise RuntimeError("the incident command group is not registered before fusion")
