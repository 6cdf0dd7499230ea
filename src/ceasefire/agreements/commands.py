"""``ceasefire agreement validate|load|list|show``, ``ceasefire provisions`` and
``ceasefire provision status``.

Thin commands over ``services.agreements``: errors (an invalid file lists every problem and
exits 2) are rendered once, in ``cli.main``. ``provision status`` acts as the centre's
operator, or with ``--token`` (or ``CEASEFIRE_TOKEN``) as that token's member user, whose
role the service checks.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from ceasefire.actor import Actor
from ceasefire.agreements import service as agreements
from ceasefire.agreements.model import Evidence
from ceasefire.agreements.schemas import AgreementListPublic
from ceasefire.agreements.views import agreement_view, provisions_view
from ceasefire.commandline import acting
from ceasefire.console.context import get_context
from ceasefire.console.lang import _, ngettext, word
from ceasefire.console.options import AGREEMENT, JSON, TOKEN
from ceasefire.console.output import console, plain, print_json, print_result, print_table
from ceasefire.errors import InvalidInput, problem
from ceasefire.i18n.markers import N_
from ceasefire.timeutil import parse_instant, utcnow

AS_OF = typer.Option(
    "--as-of", help=N_("ISO 8601 instant to evaluate at (default: now); a bare date is 00:00 UTC.")
)

agreement_app = typer.Typer(help=N_("Agreement files and the agreement register."))
provision_app = typer.Typer(help=N_("Record what became of a provision."))


def _as_of(text: str | None) -> datetime:
    return utcnow() if text is None else parse_instant(text, field="--as-of")


@agreement_app.command(
    "validate",
    help=N_("Check an agreement file; every problem is listed with file, line and path (exit 2)."),
)
def validate(
    file: Annotated[Path, typer.Argument(help=N_("Agreement file (YAML)."))],
    as_json: Annotated[bool, JSON] = False,
) -> None:
    checked = agreements.validate_file(file)
    agreement = checked.raise_if_invalid()
    summary = {
        "valid": True,
        "file": str(file),
        "id": agreement.id,
        "provisions": len(agreement.provisions),
        "provisions_and_parts": len(agreement.all_provisions()),
        "zones": len(agreement.zones),
        "content_sha256": checked.content_sha256,
    }
    print_result(
        summary,
        as_json,
        _("[green]valid[/green] {file}: [bold]{id}[/bold], {provisions}, {zones}").format(
            file=file,
            id=agreement.id,
            provisions=ngettext(
                "{n} provision ({parts} with parts)",
                "{n} provisions ({parts} with parts)",
                len(agreement.provisions),
            ).format(n=len(agreement.provisions), parts=summary["provisions_and_parts"]),
            zones=ngettext("{n} zone", "{n} zones", len(agreement.zones)).format(
                n=len(agreement.zones)
            ),
        ),
    )


@agreement_app.command(
    "load",
    help=N_("Load an agreement file: a changed file becomes a new version; unchanged, nothing."),
)
def load(
    file: Annotated[Path, typer.Argument(help=N_("Agreement file (YAML)."))],
    as_json: Annotated[bool, JSON] = False,
) -> None:
    result = agreements.load_file(get_context(), file, actor=Actor.centre())
    if as_json:
        print_json(result.to_dict())
        return
    if not result.new_version:
        console.print(
            _("{agreement}: unchanged, still version {version}").format(
                agreement=result.agreement_id, version=result.version
            )
        )
        return
    console.print(
        _("[green]loaded[/green] {agreement} version {version}: {amendments}, {changes}").format(
            agreement=result.agreement_id,
            version=result.version,
            amendments=ngettext(
                "{n} deadline amendment",
                "{n} deadline amendments",
                result.amendments_recorded,
            ).format(n=result.amendments_recorded),
            changes=ngettext(
                "{n} status change recorded",
                "{n} status changes recorded",
                result.status_changes_recorded,
            ).format(n=result.status_changes_recorded),
        )
        + (
            _("; retired: {provisions}").format(provisions=", ".join(result.retired))
            if result.retired
            else ""
        )
    )


@agreement_app.command("list", help=N_("List the agreements in the register."))
def list_(as_json: Annotated[bool, JSON] = False) -> None:
    rows = agreements.list_agreements(get_context())
    if as_json:
        print_json(AgreementListPublic(agreements=rows).model_dump(mode="json"))
        return
    print_table(
        N_("Agreements"),
        [
            N_("id"),
            N_("kind"),
            N_("version"),
            N_("provisions"),
            N_("effective (source time)"),
            N_("title"),
        ],
        [
            [
                r.id,
                word("agreement_kind", r.kind),
                r.version,
                r.provisions,
                f"{r.effective.local} {r.effective.time_zone}",
                r.title,
            ]
            for r in rows
        ],
    )


@agreement_app.command(
    "show", help=N_("Show an agreement: parties, term, zones and provisions with their status.")
)
def show(
    agreement_id: Annotated[str, typer.Argument(metavar="ID", help=N_("Agreement id."))],
    version: Annotated[
        int | None, typer.Option("--version", min=1, help=N_("Version (default: current)."))
    ] = None,
    as_of: Annotated[str | None, AS_OF] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    instant = _as_of(as_of)
    stored = agreements.get_agreement(get_context(), agreement_id, version)
    view = agreement_view(stored.agreement, instant, version=stored.version_info())
    if as_json:
        print_json(view)
        return
    _print_agreement(view)


def _print_agreement(view: dict[str, Any]) -> None:
    version = view["version"]
    console.print(
        f"[bold]{plain(view['id'])}[/bold] v{version['number']}: {plain(view['title'])}",
        highlight=False,
    )
    effective = view["effective"]
    console.print(
        _("effective {local} {zone} (= {at})").format(
            local=effective["local"], zone=effective["time_zone"], at=effective["at"]
        ),
        highlight=False,
    )
    parties = ", ".join(f"{p['code']} ({'/'.join(p['roles'])})" for p in view["parties"])
    console.print(_("parties: {parties}").format(parties=parties), highlight=False)
    _print_term(view["term"])
    rows = []
    for provision in view["provisions"]:
        for item in [provision, *provision["parts"]]:
            rows.append(_provision_row(item))
    print_table(
        _("Provisions as of {as_of}").format(as_of=view["as_of"]),
        PROVISION_COLUMNS,
        rows,
    )


PROVISION_COLUMNS = [
    N_("number"),
    N_("id"),
    N_("kind"),
    N_("status"),
    N_("due"),
    N_("amended from"),
    N_("title"),
]


def _provision_row(item: dict[str, Any]) -> list[Any]:
    deadline = item.get("deadline") or {}
    amendments = deadline.get("amendments") or []
    return [
        item["number"],
        item["id"],
        word("provision_kind", item["kind"]),
        word("provision_status", item["status"])
        + (" " + _("(disputed)") if item.get("disputed") else ""),
        deadline.get("due", ""),
        ", ".join(a["previous"] for a in amendments),
        item["title"],
    ]


def _print_term(term: dict[str, Any] | None) -> None:
    if not term:
        return
    current = term.get("period_as_of") or {}
    console.print(
        ngettext(
            "term: {n} month from {starts}, expires {expires}, notice deadline {notice}",
            "term: {n} months from {starts}, expires {expires}, notice deadline {notice}",
            term["length_months"],
        ).format(
            n=term["length_months"],
            starts=term["starts"],
            expires=term["expires"],
            notice=term["notice_deadline"],
        )
        + (_(", renews automatically") if term["automatic_renewal"] else "")
        + (
            _("; period in force: {starts} to {expires} (notice by {notice})").format(
                starts=current["starts"],
                expires=current["expires"],
                notice=current["notice_deadline"],
            )
            if current
            else ""
        ),
        highlight=False,
    )


def provisions(
    agreement_id: Annotated[str, AGREEMENT],
    as_of: Annotated[str | None, AS_OF] = None,
    due_within: Annotated[
        int | None,
        typer.Option(
            "--due-within",
            help=N_("Only open provisions due within DAYS of --as-of, and overdue ones."),
            metavar="DAYS",
        ),
    ] = None,
    version: Annotated[
        int | None, typer.Option("--version", min=1, help=N_("Version (default: current)."))
    ] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    if due_within is not None and due_within < 0:
        raise InvalidInput.worded(
            N_("--due-within must be zero or more days"),
            details=[problem("--due-within", N_("negative"))],
        )
    instant = _as_of(as_of)
    stored = agreements.get_agreement(get_context(), agreement_id, version)
    view = provisions_view(
        stored.agreement, instant, version=stored.version_info(), due_within_days=due_within
    )
    if as_json:
        print_json(view)
        return
    _print_term(view["term"])
    print_table(
        _("{agreement} v{version}: provisions as of {as_of}").format(
            agreement=agreement_id, version=stored.version, as_of=view["as_of"]
        ),
        PROVISION_COLUMNS,
        [_provision_row(item) for item in view["provisions"]],
        caption=(
            _("overdue: {overdue}; {upcoming}").format(
                overdue=", ".join(view["overdue"]) or _("none"),
                upcoming=ngettext(
                    "due within {n} day: {provisions}",
                    "due within {n} days: {provisions}",
                    view["upcoming_within_days"] or 0,
                ).format(
                    n=view["upcoming_within_days"],
                    provisions=", ".join(view["upcoming"]) or _("none"),
                ),
            )
        ),
    )


def _evidence(values: list[str]) -> list[Evidence]:
    """``SOURCE``, ``SOURCE:REF`` or ``:REF`` (an outside reference alone), split at the first
    colon: ``:incident:2020-12-14-001`` is the ref ``incident:2020-12-14-001``."""
    result, problems = [], []
    for index, value in enumerate(values):
        source, colon, ref = value.partition(":")
        if not source.strip() and not ref.strip():
            problems.append(
                problem(f"--evidence[{index}]", N_("empty; SOURCE, SOURCE:REF or :REF"))
            )
        elif colon and not ref.strip():
            problems.append(
                problem(
                    f"--evidence[{index}]", N_("%(value)s: nothing after ':'"), value=repr(value)
                )
            )
        result.append(Evidence(source=source.strip() or None, ref=ref.strip() or None))
    if problems:
        raise InvalidInput.worded(N_("invalid --evidence"), details=problems)
    return result


@provision_app.command(
    "status",
    help=N_(
        "Record a provision's STATUS from an instant on, with evidence (one "
        "ledger entry).\n\nNeeds the operator, or the --token of a monitor of "
        "the agreement.\n\nThe same change sent again records nothing and shows "
        "the stored one."
    ),
)
def provision_status(
    agreement_id: Annotated[str, typer.Argument(metavar="AGREEMENT_ID", help=N_("Agreement id."))],
    provision_id: Annotated[
        str, typer.Argument(metavar="PROVISION_ID", help=N_("Provision (or part) id."))
    ],
    status: Annotated[
        str,
        typer.Argument(
            metavar="STATUS",
            help=N_("One of: pending, in_progress, fulfilled, breached, overdue, superseded."),
        ),
    ],
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help=N_(
                "ISO 8601 instant from which the status holds (no offset: UTC). "
                "May be left out when --local and --time-zone are given."
            ),
        ),
    ] = None,
    local: Annotated[
        str | None,
        typer.Option(
            "--local",
            help=N_(
                "The local date or time as the source states it (no offset), "
                "e.g. 2020-12-01 or 2020-12-01T13:00; needs --time-zone."
            ),
        ),
    ] = None,
    time_zone: Annotated[
        str | None,
        typer.Option("--time-zone", help=N_("IANA time zone of --local (e.g. Asia/Baku).")),
    ] = None,
    evidence: Annotated[
        list[str] | None,
        typer.Option(
            "--evidence",
            metavar="SOURCE[:REF]",
            help=N_(
                "Evidence (repeatable, at least one): a source id of the agreement file, "
                "optionally with a reference in it; ':REF' alone for an outside reference, "
                "e.g. ':incident:2020-12-14-001'."
            ),
        ),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help=N_("What happened, briefly."))] = None,
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    instant = None if at is None else parse_instant(at, field="--at")
    result = agreements.record_provision_status(
        *acting(token),
        agreement_id,
        provision_id,
        status=status,
        at=instant,
        local=local,
        time_zone=time_zone,
        evidence=_evidence(evidence or []),
        note=note,
    )
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    change = result.status_change
    when = change.at.at + (
        f" ({change.at.local} {change.at.time_zone})" if change.at.time_zone != "UTC" else ""
    )
    verb = (
        _("[green]recorded[/green]") if result.recorded else _("already recorded, nothing written:")
    )
    console.print(
        _("{verb} {provision} is {status} from {when}, ledger entry {seq}").format(
            verb=verb,
            provision=f"{agreement_id}/{provision_id}",
            status=word("provision_status", change.status),
            when=when,
            seq=change.ledger_seq,
        ),
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add ``agreement ...``, ``provisions`` and ``provision ...`` to ``ceasefire``."""
    app.add_typer(agreement_app, name="agreement")
    app.command(
        "provisions",
        help=N_(
            "List an agreement's provisions (parts included) with status and deadline as of a time."
        ),
    )(provisions)
    app.add_typer(provision_app, name="provision")
