"""``ceasefire eval ...``: figures of the NLP components on the gold data in ../shared/data.

Each area adds its command to ``eval_app`` here (``geo`` from the geoparser; ``seed`` and
``plover`` for the news pipeline).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from ceasefire.console.options import JSON
from ceasefire.console.output import console, print_json, print_table
from ceasefire.i18n.markers import N_
from ceasefire.news import geo_commands as geo

if TYPE_CHECKING:
    from ceasefire.news.evaluation import PloverPart

SEED_ARTICLE = Path("../shared/data/asharq-al-awsat-2020-11-26-nagorno-karabakh.txt")
PLOVER_DEV = Path("../shared/data/plover-gsr-dev.json")
QUOTES_GOLD = Path("tests/data/quotes-gold.json")

eval_app = typer.Typer(
    name="eval", help=N_("Evaluate the news pipeline on gold data."), no_args_is_help=True
)
eval_app.command(
    "geo",
    help=N_("Toponym recognition F1 and resolution accuracy on GeoWebNews (or an own gold file)."),
)(geo.eval_geo)


@eval_app.command(
    "seed", help=N_("Check the pipeline's output on the seed article against every expected item.")
)
def eval_seed(
    article: Annotated[
        Path, typer.Argument(help=N_("Article with its .expected.json beside it."))
    ] = (SEED_ARTICLE),
    expected: Annotated[
        Path | None, typer.Option(help=N_("Expected file (default: ARTICLE's .expected.json)."))
    ] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    from ceasefire.news.evaluation import evaluate_seed
    from ceasefire.news.extract import NewsExtractor

    report = evaluate_seed(NewsExtractor.create(), article, expected)
    if as_json:
        print_json(report.to_dict())
        return
    print_table(
        f"Seed article: {article.name}",
        ["group", "item", "result", "detail"],
        [
            (
                c.group,
                c.item + (" (optional)" if c.optional else ""),
                "pass" if c.passed else "FAIL",
                c.detail,
            )
            for c in report.checks
        ],
    )
    figures = report.to_dict()
    required, optional = figures["required"], figures["optional"]
    verdict = "[green]PASS[/green]" if report.passed else "[red]FAIL[/red]"
    console.print(
        f"{verdict}: {required['passed']}/{required['total']} required items, "
        f"{optional['passed']}/{optional['total']} optional items"
    )


@eval_app.command(
    "plover",
    help=N_("Event-type accuracy and actor-code F1 on PLOVER gold records (primary event)."),
)
def eval_plover(
    file: Annotated[Path, typer.Argument(help=N_("PLOVER gold records (JSON)."))] = PLOVER_DEV,
    details: Annotated[bool, typer.Option(help=N_("Also list every record's result."))] = False,
    as_json: Annotated[bool, JSON] = False,
    part: Annotated[str, geo.PART] = "all",
) -> None:
    from ceasefire.news.evaluation import evaluate_plover, has_fixed_parts
    from ceasefire.news.extract import NewsExtractor

    if (
        details
        and part != "tune"
        and (file.resolve() == PLOVER_DEV.resolve() or has_fixed_parts(file))
    ):
        # A held part (of the dev records, or of a file that fixes its parts) is judged only
        # as a whole, never record by record.
        raise typer.BadParameter(
            "--details lists the records of --part tune only", param_hint="--part"
        )
    report = evaluate_plover(NewsExtractor.create(), file, part=cast("PloverPart", part))
    figures = report.to_dict(with_details=details)
    if as_json:
        print_json(figures)
        return
    source, target = figures["source_actor_codes"], figures["target_actor_codes"]
    print_table(
        f"PLOVER: {report.records} records (part: {report.part})",
        ["figure", "value"],
        [
            ("event-type accuracy", f"{report.accuracy:.3f}"),
            ("gold type among the events found", f"{figures['gold_type_among_events']:.3f}"),
            ("sentences without an event", str(report.no_event)),
            (
                "source code P / R / F1",
                f"{source['precision']} / {source['recall']} / {source['f1']}",
            ),
            (
                "target code P / R / F1",
                f"{target['precision']} / {target['recall']} / {target['f1']}",
            ),
        ],
    )
    print_table(
        "Per event type",
        ["type", "records", "correct", "predicted", "precision", "recall", "source F1"],
        [
            (
                name,
                f["records"],
                f["correct"],
                f["predicted"],
                f["precision"],
                f["recall"],
                f["source_f1"],
            )
            for name, f in figures["per_type"].items()
        ],
    )
    if details:
        print_table(
            "Records",
            ["id", "gold", "predicted", "trigger", "source / gold", "target / gold"],
            [
                (
                    d["id"],
                    d["gold"],
                    d["predicted"],
                    " ".join(d["trigger"]),
                    f"{d['source']} / {d['gold_source']}",
                    f"{d['target']} / {d['gold_target']}",
                )
                for d in figures["details"]
            ],
        )


@eval_app.command(
    "quotes", help=N_("Precision and recall of (speaker, quote) pairs on a quote gold file.")
)
def eval_quotes(
    file: Annotated[Path, typer.Argument(help=N_("Quote gold file (JSON)."))] = QUOTES_GOLD,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    from ceasefire.news.evaluation import evaluate_quotes
    from ceasefire.news.extract import NewsExtractor

    figures = evaluate_quotes(NewsExtractor.create(), file).to_dict()
    if as_json:
        print_json(figures)
        return
    print_table(
        f"Quotes: {figures['gold']} gold, {figures['predicted']} found",
        ["figure", "value"],
        [(k, str(figures[k])) for k in ("precision", "recall", "f1")],
    )
    for miss in figures["misses"]:
        console.print(f"{miss['article']}: {miss.get('missed') or miss.get('wrong')}")


def register(app: typer.Typer) -> None:
    """Add the ``eval`` group to the top-level app."""
    app.add_typer(eval_app, name="eval")
