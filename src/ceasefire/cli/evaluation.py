"""``ceasefire eval ...``: figures of the NLP components on the gold data in ../shared/data.

Each area adds its command to ``eval_app`` here (``geo`` from the geoparser).
"""

from __future__ import annotations

import typer

from ceasefire.cli import geo

eval_app = typer.Typer(
    name="eval", help="Evaluate the news pipeline on gold data.", no_args_is_help=True
)
eval_app.command("geo")(geo.eval_geo)


def register(app: typer.Typer) -> None:
    """Add the ``eval`` group to the top-level app."""
    app.add_typer(eval_app, name="eval")
