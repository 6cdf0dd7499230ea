"""The areas of ceasefire, registered the way an extension would be.

Each built-in area is a package whose ``__init__`` declares one :class:`Area`: its tables,
API router, CLI commands, ledger state checker and demo data, named by dotted reference
(``"module:attribute"``) so that declaring an area imports nothing heavy. The application,
the CLI, the ledger verifier and the migrations read this registry; nothing else lists
areas (datasette's ``DEFAULT_PLUGINS`` is the model).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# The order is the order routers are mounted in and the demo is loaded in: report intake
# (hundreds of requests a second under load) is matched first.
BUILTIN_AREAS: tuple[str, ...] = (
    "ceasefire.reports",
    "ceasefire.agreements",
    "ceasefire.ledger",
    "ceasefire.members",
    "ceasefire.incidents",
    "ceasefire.news",
    "ceasefire.publish",
    "ceasefire.web",
)


@dataclass(frozen=True)
class Area:
    """What one area contributes; every field is optional and a dotted reference."""

    name: str
    tables: str | None = None
    """Module defining the area's ORM tables (imported to register them on ``Base``)."""
    router: str | None = None
    """``"module:attribute"`` of the area's ``fastapi.APIRouter``."""
    commands: str | None = None
    """``"module:function"`` taking the root ``typer.Typer`` and adding the commands."""
    checker: str | None = None
    """``"module:attribute"`` of the area's ledger ``StateChecker``."""
    background: str | None = None
    """``"module:function"`` of a coroutine ``(ctx) -> None`` the application runs for its
    whole lifespan (a schedule); cancelled when the application stops."""

    @classmethod
    def conventional(cls, package: str, *, checker: bool = True) -> Area:
        """The area of a package laid out with the modules every area names alike.

        ``tables``, ``api:router``, ``commands:register`` and, where ``checker`` is true,
        ``check:CHECKER``; an area that differs declares its references one by one.
        """
        return cls(
            name=package.rpartition(".")[2],
            tables=f"{package}.tables",
            router=f"{package}.api:router",
            commands=f"{package}.commands:register",
            checker=f"{package}.check:CHECKER" if checker else None,
        )


def resolve(reference: str) -> Any:
    """The object a ``"module:attribute"`` (or plain module) reference names."""
    module_name, _, attribute = reference.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module


def areas() -> Iterator[Area]:
    """Every registered area, in registration order."""
    for package in BUILTIN_AREAS:
        area = importlib.import_module(package).AREA
        if not isinstance(area, Area):
            raise TypeError(f"{package}.AREA is not an Area")
        yield area


def load_tables() -> None:
    """Import every area's tables so that ``Base.metadata`` knows them all."""
    importlib.import_module("ceasefire.db.installation")
    for area in areas():
        if area.tables:
            resolve(area.tables)


def contributions(kind: str) -> list[Any]:
    """The resolved ``router``, ``commands``, ``checker`` or ``background`` of every area
    that has one."""
    return [resolve(ref) for area in areas() if (ref := getattr(area, kind))]
