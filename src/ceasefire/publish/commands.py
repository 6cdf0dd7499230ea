"""``ceasefire export`` and ``ceasefire publish``.

``export`` reads as the public unless told otherwise (``--token`` as that member,
``--all`` as the operator): an export is usually meant for publication. ``publish``
generates, stores and ledgers a report as the operator (or ``--token``'s member).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from ceasefire.access import Viewer
from ceasefire.console.context import get_context
from ceasefire.console.lang import _, ngettext, word
from ceasefire.console.options import JSON, TOKEN
from ceasefire.console.output import console, print_result, print_table
from ceasefire.errors import InvalidInput, problem
from ceasefire.i18n.markers import N_
from ceasefire.members.auth import acting_viewer
from ceasefire.publish import exports
from ceasefire.publish import service as publishing
from ceasefire.publish.model import Dataset, Edition, ExportFormat, Kind, OutputFormat
from ceasefire.publish.schemas import PublicationPublic
from ceasefire.timeutil import parse_instant

publish_app = typer.Typer(help=N_("Daily, spot, weekly and monthly reports (HTML/PDF, EN/RU/TR)."))

OUT = typer.Option("--out", help=N_("The file to write."))


def export_command(
    dataset: Annotated[Dataset, typer.Argument(help=N_("incidents, reports, zones or posts."))],
    fmt: Annotated[ExportFormat, typer.Option("--format")],
    out: Annotated[Path, OUT],
    hxl: Annotated[bool, typer.Option("--hxl", help=N_("HXL hashtags as the second row."))] = False,
    since: Annotated[
        str | None, typer.Option("--since", help=N_("Only changes after this instant (as_of)."))
    ] = None,
    everything: Annotated[
        bool, typer.Option("--all", help=N_("As the operator: every record, internal ones too."))
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help=N_(
                "Processes sharing a full export of incidents, one snapshot "
                "(default: cores, at most 4)."
            ),
        ),
    ] = None,
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    ctx = get_context()
    if everything and token:
        raise InvalidInput.worded(
            N_("--all or --token, not both"), details=[problem("all", N_("conflict"))]
        )
    viewer = (
        Viewer.cli_operator()
        if everything
        else acting_viewer(ctx, token)
        if token
        else Viewer.public()
    )
    after = parse_instant(since, field="since") if since else None
    prepared = exports.open_export(
        ctx,
        viewer,
        dataset,
        fmt,
        since=after,
        hxl=hxl,
        workers=workers or exports.default_workers(),
    )
    written = 0
    with out.open("w", encoding="utf-8", newline="") as handle:
        for chunk in prepared.chunks:
            handle.write(chunk)
            written += len(chunk.encode("utf-8"))
    result = {
        "dataset": dataset.value,
        "format": fmt.value,
        "out": str(out),
        "bytes": written,
        "since": after.isoformat() if after else None,
        "as_of": prepared.as_of.isoformat() if prepared.as_of else None,
    }
    print_result(
        result,
        as_json,
        _("wrote {out} ({size}); next incremental: --since {as_of}").format(
            out=out,
            size=ngettext("{n} byte", "{n} bytes", written).format(n=written),
            as_of=result["as_of"],
        ),
    )


def _write(generated: publishing.Generated, out: Path, as_json: bool) -> None:
    out.write_bytes(generated.content)
    item = generated.publication
    shown = item.model_dump(mode="json")
    print_result(
        {**shown, "out": str(out)},
        as_json,
        _(
            "{state}: {period} {edition} {lang} {format} revision {revision} sha256 {sha256}"
            " ledger entry {seq} -> {out}"
        ).format_map(
            shown
            | {
                "state": _("generated") if item.created else _("already stored"),
                "edition": word("edition", item.edition),
                "seq": item.ledger_seq,
                "out": out,
            }
        ),
    )


def _viewer(token: str | None) -> Viewer:
    return acting_viewer(get_context(), token)


EDITION = typer.Option("--edition")
FORMAT = typer.Option("--format")
LANG = typer.Option("--lang", help=N_("en, ru or tr."))
AGREEMENT = typer.Option("--agreement", help=N_("Default: the agreement the centre monitors."))


@publish_app.command("daily", help=N_("The daily report as of 19:30 local time on --date."))
def publish_daily(
    day: Annotated[str, typer.Option("--date", help=N_("The local date of the 19:30 cut-off."))],
    out: Annotated[Path, OUT],
    edition: Annotated[Edition, EDITION] = Edition.PUBLIC,
    fmt: Annotated[OutputFormat, FORMAT] = OutputFormat.PDF,
    lang: Annotated[str, LANG] = "en",
    agreement: Annotated[str | None, AGREEMENT] = None,
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    request = publishing.Request(Kind.DAILY, edition, lang, fmt, agreement, day=_date(day))
    _write(publishing.generate(get_context(), _viewer(token), request), out, as_json)


@publish_app.command("spot", help=N_("A spot report of one incident."))
def publish_spot(
    incident: Annotated[str, typer.Argument(help=N_("The incident's id."))],
    out: Annotated[Path, OUT],
    edition: Annotated[Edition, EDITION] = Edition.PUBLIC,
    fmt: Annotated[OutputFormat, FORMAT] = OutputFormat.PDF,
    lang: Annotated[str, LANG] = "en",
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    request = publishing.Request(Kind.SPOT, edition, lang, fmt, incident_id=incident)
    _write(publishing.generate(get_context(), _viewer(token), request), out, as_json)


@publish_app.command("summary", help=N_("The weekly or monthly summary, with its trend."))
def publish_summary(
    day: Annotated[str, typer.Option("--date", help=N_("The last local day it covers."))],
    out: Annotated[Path, OUT],
    week: Annotated[bool, typer.Option("--week", help=N_("The seven days to --date."))] = False,
    month: Annotated[bool, typer.Option("--month", help=N_("--date's calendar month."))] = False,
    edition: Annotated[Edition, EDITION] = Edition.PUBLIC,
    fmt: Annotated[OutputFormat, FORMAT] = OutputFormat.PDF,
    lang: Annotated[str, LANG] = "en",
    agreement: Annotated[str | None, AGREEMENT] = None,
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    if week == month:
        raise InvalidInput.worded(
            N_("give --week or --month"), details=[problem("week", N_("one of the two"))]
        )
    kind = Kind.WEEKLY if week else Kind.MONTHLY
    request = publishing.Request(kind, edition, lang, fmt, agreement, day=_date(day))
    _write(publishing.generate(get_context(), _viewer(token), request), out, as_json)


@publish_app.command(
    "due",
    help=N_("Generate every scheduled report whose cut-off has passed and is not stored yet."),
)
def publish_due(
    now: Annotated[
        str | None, typer.Option("--now", help=N_("Pretend it is this instant (catch-up, tests)."))
    ] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    at = parse_instant(now, field="now") if now else None
    published = publishing.publish_due(get_context(), at)
    print_result(published, as_json, _show_list)


@publish_app.command("list", help=N_("Stored publications, newest first."))
def publish_list(
    kind: Annotated[Kind | None, typer.Option("--kind")] = None,
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    items = publishing.list_publications(get_context(), _viewer(token), kind=kind)
    print_result(items, as_json, _show_list)


def _show_list(items: list[PublicationPublic]) -> None:
    if not items:
        console.print(_("nothing (new) to publish"))
        return
    print_table(
        N_("publications"),
        [N_("id"), N_("period"), N_("edition"), N_("lang"), N_("format"), N_("rev")],
        [(i.id, i.period, word("edition", i.edition), i.lang, i.format, i.revision) for i in items],
        no_wrap=["id", "period", "edition", "lang", "format", "rev"],
        compact=True,
        caption=_("--json for the SHA-256 and ledger entry of each"),
    )


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput.worded(
            N_("--date: not a date (YYYY-MM-DD): %(text)s"),
            details=[problem("date", N_("YYYY-MM-DD"))],
            text=repr(text),
        ) from exc


def register(app: typer.Typer) -> None:
    """Add ``export`` and the ``publish`` group."""
    app.command(
        "export", help=N_("Export incidents, reports, zones or posts (as the public by default).")
    )(export_command)
    app.add_typer(publish_app, name="publish")
