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
from functools import cache
from typing import Any

# The order is the order routers are mounted in and the demo is loaded in: report intake
# (hundreds of requests a second under load) is matched first.
BUILTIN_AREAS: tuple[str, ...] = (
    "ceasefire.reports",
    "ceasefire.agreements",
    "ceasefire.ledger",
    "ceasefire.members",
    "ceasefire.incidents",
    "ceasefire.fusion",
    "ceasefire.compliance",
    "ceasefire.news",
    "ceasefire.alerts",
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
    payload_rule: str | None = None
    """``"module:attribute"`` of the area's ledger ``PayloadRule``: which of its entries'
    payloads a member may read (an area whose entries every member may read has none)."""
    payloads: str | None = None
    """``"module:attribute"`` of the area's ``PAYLOADS``: the payload ``TypedDict`` of every
    ledger tag it writes. A type that declares ``ceasefire.ledger.events.Blinded`` makes the
    ledger writer add a random nonce to that tag's payloads (``ceasefire.ledger.service``)."""
    ledger_tags: str | None = None
    """``"module:attribute"`` of the ``StrEnum`` of ledger tags the area writes where no
    checker or payload rule claims them (news): the server's tags, which no member may
    pre-sign (``ceasefire.ledger.service``)."""
    hooks: tuple[tuple[str, str], ...] = ()
    """``(hook name, "module:function")`` pairs: what the area does when another area
    announces something (``ceasefire.incidents.service.INCIDENT_CHANGED``...), without that
    area importing this one."""
    worker: str | None = None
    """``"module:function"``: a coroutine function taking the ``ServiceContext``, run as a
    background task for as long as the served application lives (its lifespan)."""
    intake_worker: str | None = None
    """Module of a worker that consumes what intake queues (fusion): it has
    ``start_worker(ctx)`` (the API's background thread; returns a stop function or
    ``None``) and ``drain_all(ctx)`` (work until the queue is empty, for the CLI)."""

    @classmethod
    def conventional(
        cls, package: str, *, checker: bool = True, payload_rule: bool = False
    ) -> Area:
        """The area of a package laid out with the modules every area names alike.

        ``tables``, ``api:router``, ``commands:register``, ``events:PAYLOADS``, where
        ``checker`` is true ``check:CHECKER`` and where ``payload_rule`` is true
        ``check:PAYLOAD_RULE``; an area that differs declares its references one by one.
        """
        return cls(
            name=package.rpartition(".")[2],
            tables=f"{package}.tables",
            router=f"{package}.api:router",
            commands=f"{package}.commands:register",
            checker=f"{package}.check:CHECKER" if checker else None,
            payload_rule=f"{package}.check:PAYLOAD_RULE" if payload_rule else None,
            payloads=f"{package}.events:PAYLOADS",
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
    """The resolved ``router``, ``commands``, ``checker``, ``payload_rule``, ``payloads`` or
    ``worker`` of every area that has one."""
    return [resolve(ref) for area in areas() if (ref := getattr(area, kind))]


@cache
def hook_implementations(name: str) -> tuple[Any, ...]:
    """The functions the areas register for hook ``name``, in registration order (resolved
    once per process: the registry is fixed at import)."""
    return tuple(resolve(ref) for area in areas() for hook, ref in area.hooks if hook == name)


def drain_intake(ctx: Any) -> dict[str, Any]:
    """Run every area's intake worker until its queue is empty (the CLI after an import,
    the demo loader); what each did, by area. Reached through the registry so that the
    reports area, which queues, never imports the areas that consume."""
    return {
        area.name: resolve(area.intake_worker).drain_all(ctx)
        for area in areas()
        if area.intake_worker
    }


def start_intake_workers(ctx: Any) -> list[Any]:
    """Start every area's background intake worker; their stop functions."""
    stops = []
    for area in areas():
        if area.intake_worker:
            stop = resolve(area.intake_worker).start_worker(ctx)
            if stop is not None:
                stops.append(stop)
    return stops
