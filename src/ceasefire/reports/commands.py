"""``ceasefire report|import``: file and read reports, and import CSV files.

By default a command acts as the centre's operator. With ``--token`` (or the environment
variable ``CEASEFIRE_TOKEN``) it acts as that token's member user instead, with exactly
that member's rights: assessments and replies are made that way, since they are a member's
own view, never the operator's.
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from ceasefire.areas import drain_intake
from ceasefire.console.context import get_context
from ceasefire.console.lang import _, ngettext, word
from ceasefire.console.options import CURSOR, JSON, LIMIT, TOKEN, read_json
from ceasefire.console.output import console, print_json, print_page, print_table
from ceasefire.i18n.markers import N_
from ceasefire.members.auth import acting_viewer
from ceasefire.reports import imports
from ceasefire.reports import service as reports
from ceasefire.reports.model import Category, Channel

report_app = typer.Typer(help=N_("Reports (raw observations): submit, list, show, attach."))
import_app = typer.Typer(help=N_("Import reports from files."))


@report_app.command("submit", help=N_("File one report (the JSON form of docs/intake.md)."))
def report_submit(
    source: Annotated[str, typer.Argument(help=N_("JSON file of the report, or - for stdin."))],
    key: Annotated[
        str | None, typer.Option("--key", help=N_("Idempotency key: a retry files nothing new."))
    ] = None,
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    result = reports.submit_report(
        get_context(), acting_viewer(get_context(), token), read_json(source), idempotency_key=key
    )
    if as_json:
        print_json({"created": result.created, "report": result.report})
        return
    if result.created:
        line = _("report [bold]{id}[/bold] received ({category})")
    else:
        line = _("report [bold]{id}[/bold] already received ({category})")
    console.print(
        line.format(id=result.report.id, category=word("category", result.report.category))
    )


@report_app.command("list", help=N_("List reports, newest first."))
def report_list(
    channel: Annotated[Channel | None, typer.Option("--channel")] = None,
    category: Annotated[Category | None, typer.Option("--category")] = None,
    agreement: Annotated[str | None, typer.Option("--agreement")] = None,
    unassigned: Annotated[
        bool,
        typer.Option("--unassigned", help=N_("Only reports in no incident the caller may read.")),
    ] = False,
    limit: Annotated[int, LIMIT] = 50,
    cursor: Annotated[str | None, CURSOR] = None,
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    page = reports.list_reports(
        get_context(),
        acting_viewer(get_context(), token),
        channel=channel,
        category=category.value if category else None,
        agreement_id=agreement,
        unassigned=unassigned,
        limit=limit,
        cursor=cursor,
    )
    print_page(
        page,
        as_json,
        N_("Reports"),
        [
            N_("id"),
            N_("observed"),
            N_("category"),
            N_("channel"),
            N_("place"),
            N_("classification"),
            N_("incident"),
        ],
        lambda r: [
            r.id,
            r.observed["start"],
            word("category", r.category),
            word("channel", r.channel),
            r.event_position.get("place_name")
            or f"{r.event_position.get('lat')}, {r.event_position.get('lon')}",
            word("classification", r.classification),
            getattr(r, "incident_id", None),
        ],
        optional=["classification", "channel", "incident", "place"],
    )


@report_app.command("show", help=N_("Show one report."))
def report_show(
    report_id: Annotated[str, typer.Argument()],
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    report = reports.get_report(get_context(), acting_viewer(get_context(), token), report_id)
    if as_json:
        print_json(report)
        return
    data = report.model_dump(mode="json")
    print_table(
        _("Report {id}").format(id=report.id),
        [N_("field"), N_("value")],
        ([k, v] for k, v in data.items()),
    )


@report_app.command(
    "attach", help=N_("Attach an evidence file (hashed at receipt, kept read-only).")
)
def report_attach(
    report_id: Annotated[str, typer.Argument()],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    media_type: Annotated[
        str | None,
        typer.Option(
            "--type", help=N_("Media type, checked against the file's content (default: detected).")
        ),
    ] = None,
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    with file.open("rb") as handle:
        info = reports.add_attachment(
            get_context(),
            acting_viewer(get_context(), token),
            report_id,
            iter(lambda: handle.read(64 * 1024), b""),
            media_type=media_type,
            filename=file.name,
        )
    if as_json:
        print_json(info)
    else:
        size = ngettext("{n} byte", "{n} bytes", info.size_bytes).format(n=info.size_bytes)
        console.print(
            _("attachment {id} sha256 {sha256} ({size})").format(
                id=info.id, sha256=info.sha256, size=size
            )
        )


# ----------------------------------------------------------------------------- import


@import_app.command(
    "csv",
    help=N_(
        "Import reports from a CSV file: all or nothing, unless "
        "--skip-invalid. Rerunning an\ninterrupted import stores exactly the "
        "missing rows. The imported reports are then fused\ninto incidents (as "
        "the API's background worker would), unless --no-fuse."
    ),
)
def import_csv(
    file: Annotated[Path, typer.Argument(help=N_("CSV file (columns: docs/intake.md)."))],
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid", help=N_("Import the valid rows, write the rest to --rejects.")
        ),
    ] = False,
    rejects: Annotated[
        Path | None,
        typer.Option("--rejects", help=N_("Where rejected rows go (with --skip-invalid).")),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help=N_("Processes that validate (default: cores)."))
    ] = os.cpu_count() or 1,
    fuse: Annotated[
        bool, typer.Option("--fuse/--no-fuse", help=N_("Fuse the imported reports afterwards."))
    ] = True,
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    run = partial(
        imports.import_csv,
        get_context(),
        acting_viewer(get_context(), token),
        file,
        skip_invalid=skip_invalid,
        rejects_path=rejects,
        workers=workers,
    )
    if as_json:
        result = run()
        print_json({**result.to_dict(), "fused": drain_intake(get_context()) if fuse else {}})
        return
    with Progress(
        TextColumn("[bold]importing[/bold] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(file.name, total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        result = run(progress=advance)
    console.print(
        _(
            "{imported} imported, {present} already present, {rejected} rejected {rows} ({batches})"
        ).format(
            imported=result.imported,
            present=result.already_present,
            rejected=result.rejected,
            rows=ngettext("of {n} row", "of {n} rows", result.rows_total).format(
                n=result.rows_total
            ),
            batches=ngettext("{n} batch", "{n} batches", result.batches).format(n=result.batches),
        )
    )
    if result.rejects_path:
        console.print(_("rejected rows and reasons: {path}").format(path=result.rejects_path))
    if fuse:
        for area, done in drain_intake(get_context()).items():
            console.print(f"{area}: {', '.join(f'{k} {v}' for k, v in done.items())}")


def register(app: typer.Typer) -> None:
    """Add the report and import command groups."""
    app.add_typer(report_app, name="report")
    app.add_typer(import_app, name="import")
