"""``ceasefire incident``: incidents and their joint verification.

By default a command acts as the centre's operator. With ``--token`` (or the environment
variable ``CEASEFIRE_TOKEN``) it acts as that token's member user instead, with exactly
that member's rights: assessments and replies are made that way, since they are a member's
own view, never the operator's.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.text import Text

from ceasefire.access import Classification
from ceasefire.areas import hook_implementations
from ceasefire.commandline import acting
from ceasefire.console.context import get_context
from ceasefire.console.lang import _, language, ngettext, word
from ceasefire.console.options import CURSOR, JSON, LIMIT, TOKEN
from ceasefire.console.output import (
    console,
    json_text,
    plain,
    print_json,
    print_page,
    print_result,
)
from ceasefire.errors import InvalidInput, problem
from ceasefire.i18n import translations
from ceasefire.i18n.markers import N_
from ceasefire.incidents import service as incidents
from ceasefire.incidents.model import (
    Attribution,
    AttributionKind,
    OccurrenceStatus,
    Stance,
    incident_title,
)
from ceasefire.incidents.schemas import IncidentDetail, IncidentRedacted, PartyRepresentative
from ceasefire.reports.model import Category, Channel
from ceasefire.timeutil import parse_instant

incident_app = typer.Typer(help=N_("Incidents and their joint verification."))

INCIDENT_SHOWN = "incident_shown"
"""Hook of ``incident show`` (without ``--json``): each implementation is called as
``f(ctx, viewer, incident_id)`` after the incident is printed and prints its own lines."""

ClassificationOption = Annotated[
    Classification, typer.Option("--classification", help=N_("Who may read it."))
]


def _title(title: str) -> str:
    """An incident's title as the pages show it, in the CLI's language: fusion's titles
    (``shelling near Aghdam, 2020-11-26``) by the category's label; the day stays ISO."""
    return incident_title(title, translations(language()).gettext, lambda d: d.date().isoformat())


def _print_incident(detail: IncidentDetail | IncidentRedacted) -> None:
    party = f"({detail.attributed_party})" if detail.attributed_party else ""
    console.print(f"[bold]{detail.id}[/bold] {plain(_title(detail.title))}")
    console.print(
        f"  {word('category', detail.category)} · {word('status', detail.status)}"
        f" · {word('attribution', detail.attribution)}{party}"
    )
    console.print(
        "  "
        + _("observed {start} – {end}").format(
            start=detail.observed_start.isoformat(), end=detail.observed_end.isoformat()
        )
    )
    if detail.summary:
        console.print(f"  {plain(detail.summary)}", highlight=False)
    if not isinstance(detail, IncidentDetail):
        return
    console.print(
        "  "
        + _("classification {classification}; concerns {agreements}").format(
            classification=word("classification", detail.classification),
            agreements=", ".join(detail.concerns),
        )
    )
    if detail.decision:
        console.print(
            "  "
            + _("decision: {state} ({reason})").format(
                state=word("decision", detail.decision["state"]),
                reason=plain(detail.decision["reason"]),
            )
        )
    for a in detail.assessments:
        mark = "" if a.current else " [dim]" + _("(superseded)") + "[/dim]"
        finding = a.finding or {}
        console.print(
            "  "
            + _("assessment {member}: {stance} {status} {attribution}").format(
                member=a.member_id,
                stance=word("stance", a.stance),
                status=word("status", finding.get("status")),
                attribution=finding.get("attributed_party")
                or word("attribution", finding.get("attribution")),
            )
            + mark,
            highlight=False,
        )
    for r in detail.replies:
        console.print(
            "  " + _("reply {party}: {text}").format(party=r.party, text=plain(r.text)),
            highlight=False,
        )
    for n in detail.notes:
        console.print(
            "  " + _("note {member}: {text}").format(member=n.member_id, text=plain(n.text)),
            highlight=False,
        )


@incident_app.command("create", help=N_("Group reports into a new incident."))
def incident_create(
    report: Annotated[list[str], typer.Option("--report", help=N_("Report id (repeat)."))],
    title: Annotated[str, typer.Option("--title")],
    summary: Annotated[
        str | None, typer.Option("--summary", help=N_("The shared summary."))
    ] = None,
    classification: ClassificationOption = Classification.INTERNAL,
    agreement: Annotated[str | None, typer.Option("--agreement")] = None,
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    detail = incidents.create_incident(
        *acting(token),
        report_ids=report,
        title=title,
        summary=summary,
        classification=classification,
        agreement_id=agreement,
    )
    print_result(detail, as_json, _print_incident)


@incident_app.command("list", help=N_("List incidents, newest first, with filters."))
def incident_list(
    start: Annotated[
        str | None, typer.Option("--from", help=N_("Observed at or after (ISO 8601)."))
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help=N_("Observed at or before (ISO 8601)."))
    ] = None,
    bbox: Annotated[
        str | None, typer.Option("--bbox", help=N_("min_lon,min_lat,max_lon,max_lat"))
    ] = None,
    category: Annotated[Category | None, typer.Option("--category")] = None,
    status: Annotated[OccurrenceStatus | None, typer.Option("--status")] = None,
    attribution: Annotated[AttributionKind | None, typer.Option("--attribution")] = None,
    party: Annotated[str | None, typer.Option("--party")] = None,
    channel: Annotated[Channel | None, typer.Option("--channel")] = None,
    agreement: Annotated[str | None, typer.Option("--agreement")] = None,
    limit: Annotated[int, LIMIT] = 50,
    cursor: Annotated[str | None, CURSOR] = None,
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    box = incidents.parse_bbox(bbox, option="--bbox")
    filters = incidents.IncidentFilters(
        start=parse_instant(start, field="from") if start else None,
        end=parse_instant(end, field="to") if end else None,
        bbox=box,
        category=category,
        status=status,
        attribution=attribution,
        party=party,
        channel=channel,
        agreement_id=agreement,
    )
    page = incidents.list_incidents(*acting(token), filters, limit=limit, cursor=cursor)
    print_page(
        page,
        as_json,
        N_("Incidents"),
        [N_("id"), N_("observed"), N_("category"), N_("status"), N_("attribution"), N_("title")],
        lambda i: [
            i.id,
            i.observed_start.isoformat(),
            word("category", i.category),
            word("status", i.status),
            word("attribution", i.attribution)
            + (f"({i.attributed_party})" if i.attributed_party else ""),
            _title(i.title),
        ],
        optional=["attribution", "status"],
    )


@incident_app.command("show", help=N_("Show an incident with every part you may read."))
def incident_show(
    incident_id: Annotated[str, typer.Argument()],
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    ctx, viewer = acting(token)
    detail = incidents.get_incident(ctx, viewer, incident_id)
    print_result(detail, as_json, _print_incident)
    if not as_json:
        # What other areas keep about the incident (the compliance findings...), each
        # checked there for this viewer; --json stays the incident's own schema.
        for show in hook_implementations(INCIDENT_SHOWN):
            show(ctx, viewer, incident_id)


@incident_app.command(
    "investigate", help=N_("Assign an investigation task (opens the investigation).")
)
def incident_investigate(
    incident_id: Annotated[str, typer.Argument()],
    team: Annotated[list[str], typer.Option("--team", help=N_("Team member (repeat)."))],
    lead: Annotated[str | None, typer.Option("--lead", help=N_("Lead member id."))] = None,
    party: Annotated[
        list[str] | None,
        typer.Option("--party-rep", help=N_("PARTY:present or PARTY:absent (repeat).")),
    ] = None,
    instructions: Annotated[str | None, typer.Option("--instructions")] = None,
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    reps = []
    for index, item in enumerate(party or []):
        code, _, presence = item.partition(":")
        if presence not in ("present", "absent") or not code:
            raise InvalidInput.worded(
                N_("--party-rep %(item)s: expected PARTY:present or PARTY:absent"),
                details=[problem(f"party_representatives.{index}", N_("PARTY:present|absent"))],
                item=repr(item),
            )
        reps.append(PartyRepresentative(party=code.upper(), present=presence == "present"))
    task = incidents.assign_task(
        *acting(token),
        incident_id,
        team=team,
        lead_member=lead,
        party_representatives=reps,
        instructions=instructions,
    )
    print_result(
        task,
        as_json,
        ngettext(
            "task {id} assigned to {n} person", "task {id} assigned to {n} people", len(task.team)
        ).format(id=task.id, n=len(task.team)),
    )


@incident_app.command(
    "assess", help=N_("Record your member's assessment (needs a monitor's --token).")
)
def incident_assess(
    incident_id: Annotated[str, typer.Argument()],
    stance: Annotated[Stance, typer.Option("--stance")],
    rationale: Annotated[str, typer.Option("--rationale")],
    status: Annotated[
        OccurrenceStatus | None, typer.Option("--status", help=N_("The finding: verified, ..."))
    ] = None,
    attribution: Annotated[
        str | None, typer.Option("--attribution", help=N_("attributed(ARM) or not_attributable"))
    ] = None,
    evidence: Annotated[
        list[str] | None, typer.Option("--evidence", help=N_("Reference (repeat)."))
    ] = None,
    classification: ClassificationOption = Classification.INTERNAL,
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    detail = incidents.assess(
        *acting(token),
        incident_id,
        stance=stance,
        rationale=rationale,
        status=status,
        attribution=Attribution.parse(attribution) if attribution else None,
        evidence_refs=evidence or [],
        classification=classification,
    )
    print_result(detail, as_json, _print_incident)


@incident_app.command(
    "reply", help=N_("A party's right of reply (needs the party liaison's --token).")
)
def incident_reply(
    incident_id: Annotated[str, typer.Argument()],
    text: Annotated[str, typer.Option("--text")],
    evidence: Annotated[list[str] | None, typer.Option("--evidence")] = None,
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    result = incidents.reply(*acting(token), incident_id, text=text, evidence_refs=evidence or [])
    print_result(
        result,
        as_json,
        _("reply {id} by {party} recorded").format(id=result.id, party=result.party),
    )


@incident_app.command("note", help=N_("Add a working note (internal by default)."))
def incident_note(
    incident_id: Annotated[str, typer.Argument()],
    text: Annotated[str, typer.Option("--text")],
    classification: ClassificationOption = Classification.INTERNAL,
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    note = incidents.add_note(
        *acting(token),
        incident_id,
        text=text,
        classification=classification,
    )
    print_result(
        note,
        as_json,
        _("note {id} recorded ({classification})").format(
            id=note.id, classification=word("classification", note.classification)
        ),
    )


@incident_app.command("status", help=N_("Move the occurrence status along an allowed transition."))
def incident_status(
    incident_id: Annotated[str, typer.Argument()],
    status: Annotated[OccurrenceStatus, typer.Argument()],
    reason: Annotated[str, typer.Option("--reason")],
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    detail = incidents.change_status(*acting(token), incident_id, status, reason=reason)
    print_result(detail, as_json, _print_incident)


@incident_app.command(
    "classify", help=N_("Change who may read the incident (public: everyone, redacted).")
)
def incident_classify(
    incident_id: Annotated[str, typer.Argument()],
    classification: Annotated[Classification, typer.Argument()],
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    detail = incidents.classify(*acting(token), incident_id, classification, reason=reason)
    print_result(
        detail,
        as_json,
        _("{id} is now {classification}").format(
            id=detail.id, classification=word("classification", detail.classification)
        ),
    )


@incident_app.command("rule", help=N_("Show (or --set) the decision rule of an agreement."))
def incident_rule(
    agreement: Annotated[str, typer.Argument(help=N_("Agreement id."))],
    set_rule: Annotated[
        str | None,
        typer.Option(
            "--set", help=N_('JSON, e.g. \'{"kind": "presiding_member", "presiding": "un"}\'')
        ),
    ] = None,
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    if set_rule is not None:
        try:
            rule = json.loads(set_rule)
        except json.JSONDecodeError as exc:
            raise InvalidInput.worded(
                N_("--set is not JSON"), details=[problem("rule", exc.msg)]
            ) from exc
        result = incidents.set_decision_rule(*acting(token), agreement, rule).to_dict()
    else:
        result = incidents.get_decision_rule(get_context(), agreement).to_dict()
    if as_json:
        print_json(result)
    else:
        console.print(Text(json_text(result)), highlight=False)


@incident_app.command(
    "recount-map",
    help=N_(
        "Recount the map's incidents per cell (after a write behind the "
        "application, or when\n`ceasefire check` finds a cell that differs)."
    ),
)
def incident_recount_map(as_json: Annotated[bool, JSON] = False) -> None:
    done = incidents.rebuild_map_counts(get_context())
    print_result(
        done,
        as_json,
        _("{cells} counting {incidents} ({differed} differed from the recount)").format(
            cells=ngettext("{n} cell", "{n} cells", done.cells).format(n=done.cells),
            incidents=ngettext("{n} incident", "{n} incidents", done.incidents).format(
                n=done.incidents
            ),
            differed=done.differed,
        ),
    )


def register(app: typer.Typer) -> None:
    """Add the incident command group."""
    app.add_typer(incident_app, name="incident")
