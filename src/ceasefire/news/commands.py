"""``ceasefire extract``: news articles (or sentences) in, structured events out.

``extract PATH... --json`` writes one JSON object per article, one per line; a file that
cannot be read gets a ``{"path", "error"}`` line instead and the batch goes on.
``extract --jsonl FILE`` reads ``{"id", "text", "date"?}`` lines and writes
``{"id", "events", "places", "quotes"}`` lines.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from ceasefire.config import load_settings
from ceasefire.console.lang import _, ngettext
from ceasefire.console.options import JSON, read_text
from ceasefire.console.output import console, err_console, json_text, plain, print_table
from ceasefire.errors import CeasefireError, InvalidInput, problem
from ceasefire.i18n.markers import N_
from ceasefire.news.index_progress import ensure_place_index

ARTICLE_SUFFIXES = frozenset({".txt", ".text", ".html", ".htm", ".xhtml"})
# The languages of a --jsonl line's optional "language" (English without it).
SENTENCE_LANGUAGES = ("en", "ru", "tr")


def _extractor(actors: Path | None, components: str | None) -> Any:
    from ceasefire.news.extract import NewsExtractor
    from ceasefire.news.pipeline import DEFAULT_PIPELINE

    settings = load_settings()
    names = [c.strip() for c in components.split(",") if c.strip()] if components else None
    return NewsExtractor.create(
        components=names or DEFAULT_PIPELINE,
        actor_file=actors or settings.actor_dictionary,
        max_bytes=settings.max_article_bytes,
    )


def article_paths(paths: list[Path]) -> Iterator[Path]:
    """Files as given; folders walked for article files (.txt, .html), sorted."""
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES
            )
        else:
            yield path


def _line(data: Any) -> None:
    sys.stdout.write(json_text(data, default=str) + "\n")
    sys.stdout.flush()


def extract(
    paths: Annotated[
        list[Path] | None, typer.Argument(help=N_("Article files (text or HTML) or folders."))
    ] = None,
    jsonl: Annotated[
        Path | None,
        typer.Option("--jsonl", help=N_('File of {"id", "text", "date"?} lines ("-" for stdin).')),
    ] = None,
    actors: Annotated[
        Path | None, typer.Option("--actors", help=N_("YAML file extending the actor dictionary."))
    ] = None,
    components: Annotated[
        str | None,
        typer.Option("--components", help=N_("Comma-separated pipeline, e.g. news.parse.v1,...")),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help=N_("One JSON object per article."))
    ] = False,
) -> None:
    ensure_place_index()
    if jsonl is not None:
        _extract_jsonl(jsonl, _extractor(actors, components))
        return
    if not paths:
        raise InvalidInput.worded(
            N_("give article files or folders, or --jsonl FILE"),
            details=[problem("PATH", N_("missing"))],
        )
    extractor = _extractor(actors, components)
    failed: list[dict[str, Any]] = []
    for path, result in extractor.extract_files(article_paths(paths)):
        if isinstance(result, CeasefireError):
            exc = result
            failed.append(problem(str(path), exc.message, extra={"code": exc.code}))
            if as_json:
                _line({"path": str(path), **exc.to_dict()})
            else:
                err_console.print(f"[red]✗[/red] {plain(exc.message)}", highlight=False)
            continue
        result["path"] = str(path)
        if as_json:
            _line(result)
        else:
            _show(result)
    # With --json every failed file already has its error line; without it, say it once more
    # and exit non-zero.
    if failed and not as_json:
        raise InvalidInput.worded(
            N_("%(count)s file(s) could not be read"), details=failed, count=len(failed)
        )


def _extract_jsonl(path: Path, extractor: Any) -> None:
    from ceasefire.news.extract import sentence_result

    raw = read_text(path, "--jsonl")
    bad = 0
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                raise ValueError('expected {"id": ..., "text": "...", "date": "YYYY-MM-DD"?}')
            day = date.fromisoformat(record["date"][:10]) if record.get("date") else None
            language = record.get("language") or "en"
            if language not in SENTENCE_LANGUAGES:
                raise ValueError(
                    f"language {language!r}: sentences are read in {', '.join(SENTENCE_LANGUAGES)}"
                )
        except (ValueError, TypeError) as exc:
            bad += 1
            error = InvalidInput.worded(
                N_("line %(number)s: %(error)s"),
                details=[problem(f"line {number}", str(exc))],
                number=number,
                error=exc,
            )
            _line({"id": None, "line": number, **error.to_dict()})
            continue
        news = extractor.extract_sentence(record["text"], day=day, language=language)
        _line(sentence_result(record.get("id"), news))
    # A bad line gets an error line of its own (with its number); the rest goes on.
    _ = bad


def _names(actors: list[dict[str, Any]]) -> str:
    return ", ".join(
        f"{a['text']} ({a.get('code') or '?'}{'/' + a['sector'] if a.get('sector') else ''})"
        for a in actors
    )


def _codes(actors: list[dict[str, Any]]) -> str:
    """Actors as their codes ("AZE, ARM"; sectors are in --json); an uncoded one by its words."""
    return ", ".join(dict.fromkeys(a.get("code") or a["text"] for a in actors))


def _show(result: dict[str, Any]) -> None:
    article = result["article"]
    console.print(f"[bold]{plain(article['title'] or result['path'])}[/bold]", highlight=False)
    published = article.get("published") or {}
    paragraphs = article["body_paragraphs"]
    outlet = article.get("outlet") or _("unknown outlet")
    date = published.get("local") or _("undated")
    console.print(
        f"{outlet} · {date}"
        f"{' ' + published['zone'] if published.get('zone') else ''} · "
        + _("credits: {credits}").format(credits=", ".join(article["credits"]) or "—")
        + " · "
        + ngettext("{n} paragraph", "{n} paragraphs", paragraphs).format(n=paragraphs),
        highlight=False,
    )
    # Laid out for an 80-column terminal: codes and dates never break, the event's mode and
    # modality go under its type, and only the trigger (free text) may fold.
    print_table(
        N_("Events"),
        [N_("event"), N_("source"), N_("target"), N_("date"), N_("place"), N_("trigger")],
        [
            (
                "\n".join(
                    [e["event"]]
                    + ([e["mode"]] if e["mode"] else [])
                    + ([e["modality"]] if e["modality"] != "occurred" else [])
                ),
                _codes(e["source"])
                + (
                    "\n" + _("claimed by {actors}").format(actors=_codes(e["claimed_by"]))
                    if e["claimed_by"]
                    else ""
                ),
                _codes(e["target"]),
                e["date"],
                (e.get("location") or {}).get("name"),
                " ".join(e["trigger"]),
            )
            for e in result["events"]
        ],
        no_wrap={"event", "date"},
        free_text={"trigger"},
        min_width={"place": 16, "source": 7, "target": 7},
        compact=True,
    )
    print_table(
        N_("Quotes"),
        [N_("speaker"), N_("kind"), N_("words")],
        [
            (
                (q["speaker"] or {}).get("name") or (q["speaker"] or {}).get("text"),
                q["kind"],
                q["text"],
            )
            for q in result["quotes"]
        ],
        no_wrap={"kind"},
        free_text={"words"},
        compact=True,
    )
    console.print(
        _("pipeline: {components}").format(components=", ".join(result["pipeline"])),
        style="dim",
        highlight=False,
    )


def _new(created: bool) -> str:
    return _("yes") if created else _("no (known)")


def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help=N_("Article files (text or HTML) or folders."))
    ],
    as_json: Annotated[bool, JSON] = False,
) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from ceasefire.access import Viewer
    from ceasefire.console.context import get_context
    from ceasefire.news.service import NewsIngester

    files = list(article_paths(paths))
    ensure_place_index()
    ingester = NewsIngester(get_context())
    viewer = Viewer.cli_operator()
    results: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err_console,
        disable=as_json,
        transient=True,
    ) as progress:
        task = progress.add_task(_("ingesting"), total=len(files))
        for path in files:
            progress.update(task, description=_("ingesting {file}").format(file=path.name))
            try:
                result = ingester.ingest_path(path, viewer)
            except CeasefireError as exc:
                failed.append(problem(str(path), exc.message, extra={"code": exc.code}))
                results.append({"path": str(path), **exc.to_dict()})
                if not as_json:
                    err_console.print(f"[red]✗[/red] {plain(exc.message)}", highlight=False)
            else:
                results.append({"path": str(path), **result.to_dict()})
            progress.advance(task)
    if as_json:
        for line in results:
            _line(line)
    else:
        print_table(
            N_("Ingested"),
            [N_("file"), N_("article"), N_("new"), N_("events"), N_("reports")],
            [
                (Path(r["path"]).name, r["article_id"], _new(r["created"]), r["events"],
                 len(r["reports"]))
                for r in results
                if "error" not in r
            ],
        )  # fmt: skip
    if failed and not as_json:
        raise InvalidInput.worded(
            N_("%(count)s file(s) could not be ingested"), details=failed, count=len(failed)
        )


def eval_lang(
    language: Annotated[str, typer.Argument(help=N_("ru, tr, az or hy: the gold of tests/data."))],
    file: Annotated[Path | None, typer.Option(help=N_("Another gold file of that layout."))] = None,
    split: Annotated[
        str | None, typer.Option(help=N_("tune or held (default: each, then all)."))
    ] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    from ceasefire.news.extract import NewsExtractor
    from ceasefire.news.lang_evaluation import SPLITS, evaluate_gold, gold_path

    if split is not None and split not in SPLITS:
        raise InvalidInput.worded(
            N_("--split must be one of %(names)s"),
            details=[problem("--split", split)],
            names=", ".join(SPLITS),
        )
    path = file or gold_path(language)
    extractor = NewsExtractor.create()
    reports = [
        evaluate_gold(extractor, path, split=name)
        for name in ([split] if split else [*SPLITS, None])
    ]
    if as_json:
        _line([r.to_dict(with_details=True) for r in reports])
        return
    print_table(
        f"{language} gold ({path.name})",
        ["split", "records", "type acc.", "source P/R/F1", "target P/R/F1", "places P/R/F1",
         "dates"],
        [
            (
                r.split,
                r.records,
                f"{r.accuracy:.3f}",
                "{precision}/{recall}/{f1}".format(**r.source.to_dict()),
                "{precision}/{recall}/{f1}".format(**r.target.to_dict()),
                "{precision}/{recall}/{f1}".format(**r.places.to_dict()),
                f"{r.dates_correct}/{r.dates_given}",
            )
            for r in reports
        ],
    )  # fmt: skip


def backfill(
    sources: Annotated[
        list[Path],
        typer.Argument(help=N_("Pages (.txt, .html), folders, JSON-lines dumps, WARC files.")),
    ],
    workers: Annotated[int, typer.Option(help=N_("Dask workers (processes)."))] = 2,
    scheduler: Annotated[
        str,
        typer.Option(
            help=N_(
                "distributed (a LocalCluster), tcp://HOST:PORT (a running cluster), "
                "processes, threads or synchronous."
            )
        ),
    ] = "distributed",
    batch_size: Annotated[int, typer.Option(help=N_("Pages per task (one spaCy stream)."))] = 8,
    as_json: Annotated[
        bool, typer.Option("--json", help=N_("A line per page, then the summary."))
    ] = False,
) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from ceasefire.access import Viewer
    from ceasefire.console.context import get_context
    from ceasefire.news.backfill import PageOutcome
    from ceasefire.news.backfill import backfill as run_backfill
    from ceasefire.news.service import NewsIngester

    ensure_place_index()
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[counts]}"),
        console=err_console,
        disable=as_json,
        transient=True,
    ) as progress:
        task = progress.add_task("backfill", total=None, counts="")
        counts: dict[str, int] = {}

        def show(outcome: PageOutcome) -> None:
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
            if as_json:
                _line(outcome.to_dict())
            elif outcome.error is not None:
                failed = plain(outcome.error["message"])
                err_console.print(f"[red]✗[/red] {failed}", highlight=False)
            progress.update(
                task,
                advance=1,
                description=f"backfill {Path(outcome.name).name}",
                counts=", ".join(f"{n} {status}" for status, n in sorted(counts.items())),
            )

        summary = run_backfill(
            NewsIngester(get_context()),
            sources,
            Viewer.cli_operator(),
            scheduler=scheduler,
            workers=workers,
            batch_size=batch_size,
            on_outcome=show,
        )
    figures = summary.to_dict()
    if as_json:
        _line({"summary": figures})
        return
    rate = figures["articles_per_second"]
    console.print(
        ngettext(
            "{n} page: {stored} stored, {known} already stored (same text), {skipped} skipped"
            " (file stored before), {failed} failed; {seconds} s",
            "{n} pages: {stored} stored, {known} already stored (same text), {skipped} skipped"
            " (file stored before), {failed} failed; {seconds} s",
            figures["pages"],
        ).format(n=figures["pages"], **figures)
        + (_(", {rate} articles/s").format(rate=rate) if rate else "")
        + " ("
        + ngettext("{scheduler}, {n} worker", "{scheduler}, {n} workers", workers).format(
            scheduler=scheduler, n=workers
        )
        + ")",
        highlight=False,
    )
    if figures["failed"]:
        print_table(
            N_("Pages without an article"),
            [N_("page"), N_("reason")],
            [(f["page"], f["error"]["message"]) for f in figures["failures"]],
            free_text={"page", "reason"},
        )
        raise InvalidInput.worded(
            N_("%(count)s page(s) gave no article (the others are stored)"),
            details=[problem(f["page"], f["error"]["message"]) for f in figures["failures"]],
            count=figures["failed"],
        )


def register(app: typer.Typer) -> None:
    """Add ``extract``, ``ingest``, ``backfill``, ``geoparse`` and ``eval`` to the top-level app."""
    from ceasefire.news import evaluation_commands, geo_commands

    app.command(
        "extract",
        help=N_("Extract events, quotes, places and actors from news articles (offline)."),
    )(extract)
    app.command(
        "ingest",
        help=N_(
            "Store articles, their events, and reports of channel news; "
            "re-ingesting changes nothing."
        ),
    )(ingest)
    app.command(
        "backfill",
        help=N_("Analyse an archive of pages on Dask and store every article; a rerun resumes."),
    )(backfill)
    geo_commands.register(app)
    evaluation_commands.register(app)
    evaluation_commands.eval_app.command(
        "lang",
        help=N_(
            "Russian, Turkish, Azerbaijani or Armenian gold: event type, actor "
            "codes, places and\ndates (primary event)."
        ),
    )(eval_lang)
