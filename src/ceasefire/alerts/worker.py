"""The alerts worker of the served application: every ``alerts_worker_interval_s`` it
scans for alerts and runs the due deliveries, in a thread (the event loop serving requests,
report intake first, never waits on a receiver or an SMTP server). ``0`` turns it off
(then ``ceasefire alerts scan`` and ``ceasefire alerts deliver`` run from a timer)."""

from __future__ import annotations

import asyncio
import logging

from ceasefire.alerts.service import run_cycle
from ceasefire.db.context import ServiceContext

log = logging.getLogger(__name__)


async def run(ctx: ServiceContext) -> None:
    """Run until cancelled (the application's shutdown); a failed turn is logged and the
    next one tried: the outbox keeps everything that was not delivered."""
    interval = ctx.settings.alerts_worker_interval_s
    if interval <= 0:
        return
    while True:
        await asyncio.sleep(interval)
        turn = asyncio.ensure_future(asyncio.to_thread(run_cycle, ctx))
        try:
            scanned, delivered = await asyncio.shield(turn)
        except asyncio.CancelledError:
            # Shutting down: let the turn record what it sent before the engine goes.
            await asyncio.wait([turn])
            raise
        except Exception:
            log.exception("alerts worker: the turn failed; trying again in %s s", interval)
            continue
        raised = len(scanned.raised) if scanned is not None else 0
        if raised or delivered.attempted:
            log.info(
                "alerts worker: %d raised, %d attempted, %d delivered, %d dead-lettered",
                raised,
                delivered.attempted,
                delivered.succeeded,
                delivered.dead_lettered,
            )
