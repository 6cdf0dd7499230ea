"""Initialise an installation: schema, keys, and optionally the demo data. Idempotent."""

from __future__ import annotations

from dataclasses import dataclass, field

from ceasefire.agreements.service import setup_agreements
from ceasefire.db.context import ServiceContext
from ceasefire.db.migrate import upgrade
from ceasefire.fusion.setup import setup_fusion
from ceasefire.incidents.setup import setup_intake
from ceasefire.ledger.service import setup_ledger
from ceasefire.members.setup import DemoUser, setup_demo_users, setup_members
from ceasefire.news.service import setup_news


@dataclass(frozen=True)
class Initialised:
    """What ``ceasefire init`` did: a line per step, and the demo users created now (with
    the passwords shown this once)."""

    steps: list[str]
    demo: bool
    users: list[DemoUser] = field(default_factory=list)


def initialise(ctx: ServiceContext, *, demo: bool = False, demo_month: bool = True) -> Initialised:
    """Run every initialisation step; running it twice changes nothing the second time.

    ``demo_month`` (with ``demo``) also files the generated month of reports and fuses it
    (a few seconds; tests that do not need it pass ``False``)."""
    steps: list[str] = []
    upgrade(ctx.engine)
    steps.append(f"database schema up to date ({ctx.engine.url.render_as_string()})")
    steps.extend(setup_ledger(ctx))
    steps.extend(setup_agreements(ctx, demo=demo))
    steps.extend(setup_members(ctx, demo=demo))
    steps.extend(setup_intake(ctx, demo=demo))
    steps.extend(setup_news(ctx, demo=demo))
    steps.extend(setup_fusion(ctx, demo=demo, month=demo_month))
    users = setup_demo_users(ctx) if demo else []
    return Initialised(steps, demo, users)
