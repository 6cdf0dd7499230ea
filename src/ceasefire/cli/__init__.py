"""Thin Typer commands. Each area's module exposes ``register(app)``; list it here."""

from collections.abc import Callable

import typer

from ceasefire.cli import agreements, evaluation, geo, intake, ledger, members, news

COMMAND_MODULES: list[Callable[[typer.Typer], None]] = [
    agreements.register,
    evaluation.register,
    geo.register,
    intake.register,
    ledger.register,
    members.register,
    news.register,
]
