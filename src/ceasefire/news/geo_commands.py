"""``ceasefire geoparse``: the places a text names, and ``ceasefire eval geo``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from ceasefire.console.lang import _, pgettext
from ceasefire.console.options import JSON, read_text
from ceasefire.console.output import console, json_text, print_json, print_table
from ceasefire.errors import InvalidInput, problem
from ceasefire.i18n.markers import N_
from ceasefire.news.index_progress import ensure_place_index

if TYPE_CHECKING:
    from ceasefire.news.geo.evaluation import GeoPart

DEFAULT_GEOWEBNEWS = Path("../shared/data/geowebnews.xml")
PART = typer.Option(help=N_("Part of the fixed split: tune, held (scored as a whole) or all."))
"""``--part`` of the evaluation commands: which part of a gold file's fixed split to score."""


def _context(focus: str, demonyms: bool) -> Any:
    from ceasefire.news.geo import GeoContext

    codes = tuple(code.strip().upper() for code in focus.split(",") if code.strip())
    bad = [code for code in codes if len(code) != 2 or not code.isalpha()]
    if bad:
        raise InvalidInput.worded(
            N_("focus countries must be ISO 3166-1 alpha-2 codes"),
            details=[
                problem("--focus", N_("not an alpha-2 code: %(items)s"), items=", ".join(bad))
            ],
        )
    return GeoContext(focus_countries=codes, include_demonyms=demonyms)


def _read_jsonl(path: Path) -> list[tuple[Any, str]]:
    """All lines of a ``{"id", "text"}`` JSONL file, validated before anything is written."""
    raw = read_text(path, "--jsonl")
    items: list[tuple[Any, str]] = []
    problems = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            problems.append(problem(f"line {number}", N_("not JSON: %(exc)s"), exc=exc))
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            problems.append(
                problem(f"line {number}.text", N_('expected {"id": ..., "text": "..."}'))
            )
            continue
        items.append((record.get("id"), record["text"]))
    if problems:
        raise InvalidInput.worded(
            N_("%(count)s bad line(s) in %(path)s"),
            details=problems,
            count=len(problems),
            path=path,
        )
    return items


def geoparse(
    text: Annotated[
        str | None, typer.Argument(help=N_("Text to geoparse (or use --jsonl)."))
    ] = None,
    jsonl: Annotated[
        Path | None,
        typer.Option(
            "--jsonl", help=N_('File of {"id", "text"} lines ("-" for stdin); writes JSONL.')
        ),
    ] = None,
    focus: Annotated[
        str, typer.Option(help=N_("Region of interest: ISO alpha-2 codes preferred for homonyms."))
    ] = "AZ,AM,GE",
    demonyms: Annotated[
        bool,
        typer.Option(
            "--demonyms", help=N_("Also return demonyms used as modifiers ('Turkish troops').")
        ),
    ] = False,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    from ceasefire.news.geo import geoparse_text, geoparse_texts

    context = _context(focus, demonyms)
    ensure_place_index()
    if jsonl is not None:
        items = _read_jsonl(jsonl)
        results = geoparse_texts((text for _id, text in items), context=context)
        for (item_id, _text), mentions in zip(items, results, strict=True):
            line = {"id": item_id, "places": [m.to_json() for m in mentions]}
            sys.stdout.write(json_text(line) + "\n")
        sys.stdout.flush()
        return
    if text is None:
        raise InvalidInput.worded(
            N_("give a text or --jsonl FILE"), details=[problem("text", N_("missing"))]
        )
    from_file = _file_places(text, context)
    found: list[Any] = from_file if from_file is not None else geoparse_text(text, context=context)
    if as_json:
        # The news pipeline's and the geoparser's mentions give the same nine keys.
        print_json([m.to_dict() if from_file is not None else m.to_json() for m in found])
        return
    feature = pgettext("GeoNames feature", "class")
    print_table(
        N_("Places"),
        [N_("text"), N_("place"), N_("country"), N_("lat"), N_("lon"), feature, N_("prec.")],
        [
            (
                m.text,
                m.name or "—",
                m.country,
                None if m.lat is None else f"{m.lat:.3f}",  # ~100 m; --json has all digits
                None if m.lon is None else f"{m.lon:.3f}",
                m.feature_class,
                m.precision,
            )
            for m in found
        ],
        caption=_("prec.: 1 place, 2 near, 3 district, 4 province, 5 region, 6 country, 7 water"),
        no_wrap={"country", "lat", "lon", feature, "prec."},
        free_text={"text", "place"},
        min_width={"text": 16, "place": 16},
        compact=True,
    )


def eval_geo(
    file: Annotated[
        Path, typer.Argument(help=N_("GeoWebNews XML file, or an own gold .json file."))
    ] = DEFAULT_GEOWEBNEWS,
    focus: Annotated[
        str,
        typer.Option(help=N_("Region of interest (none by default: GeoWebNews is world news).")),
    ] = "",
    demonyms: Annotated[
        bool,
        typer.Option(
            "--demonyms",
            help=N_(
                "Count demonyms used as modifiers ('Russian troops') as toponyms, as GeoWebNews "
                "annotates them."
            ),
        ),
    ] = False,
    as_json: Annotated[bool, JSON] = False,
    part: Annotated[str, PART] = "all",
) -> None:
    from ceasefire.news.geo import geoparse_texts
    from ceasefire.news.geo.evaluation import evaluate, read_gold, select_part

    context = _context(focus, demonyms)
    articles = select_part(read_gold(file), cast("GeoPart", part))
    ensure_place_index()
    scores = evaluate(articles, lambda texts: geoparse_texts(texts, context=context))
    figures = {"part": part, **scores.to_json()}
    if as_json:
        print_json(figures)
        return
    console.print(
        f"{file.name}, part {part}: {scores.articles} articles, {scores.gold} gold toponyms"
    )
    print_table(
        "Geoparsing",
        ["figure", "value"],
        [
            ("toponym precision", f"{scores.precision:.3f}"),
            ("toponym recall", f"{scores.recall:.3f}"),
            ("toponym F1 (overlap)", f"{scores.f1:.3f}"),
            ("toponym F1 (exact offsets)", f"{scores.strict_f1:.3f}"),
            ("resolved within 161 km", f"{scores.accuracy_161:.3f}"),
            ("matched within 161 km (unresolved = wrong)", f"{scores.accuracy_161_all:.3f}"),
            ("median error km", f"{scores.median_km:.1f}"),
        ],
    )


def _file_places(text: str, context: Any) -> list[Any] | None:
    """The places of the article in the file ``text`` names; None when ``text`` is prose.

    A name that looks like a path but is no file is an error, not a text to geoparse.
    """
    from ceasefire.news.extract import article_places
    from ceasefire.news.inputs import looks_like_path

    path = Path(text.strip())
    if not looks_like_path(text) and not (len(text) < 4096 and "\n" not in text and path.is_file()):
        return None
    _article, places = article_places(path, focus=context.focus_countries)
    return places


def register(app: typer.Typer) -> None:
    """Add ``geoparse`` to the top-level app."""
    app.command(
        "geoparse",
        help=N_("Find the places a text names and resolve them to coordinates (offline)."),
    )(geoparse)
