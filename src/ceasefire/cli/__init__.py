"""Thin Typer commands. Each area's module exposes ``register(app)``; list it here."""

from collections.abc import Callable

import typer

from ceasefire.cli import agreements, evaluation, geo, intake, ledger, members, news, operations

COMMAND_MODULES: list[Callable[[typer.Typer], None]] = [
    agreements.register,
    evaluation.register,
    geo.register,
    intake.register,
    ledger.register,
    members.register,
    news.register,
    operations.register,  # after ledger: it adds the tree commands to `ceasefire ledger`
]
