"""The publishing schedule as the server's background task: at each cut-off, generate what
is due (``service.publish_due``). Enabled by ``CEASEFIRE_PUBLISH_SCHEDULE=true``."""

from __future__ import annotations

import asyncio
import logging

from ceasefire.db.context import ServiceContext
from ceasefire.publish import service as publishing

log = logging.getLogger(__name__)

POLL_SECONDS = 60.0
"""How often the task looks for a passed cut-off: a report is out within a minute of it."""


async def run_schedule(ctx: ServiceContext) -> None:
    """Publish what is due, then every minute; a failure is logged and retried, never
    fatal to the server. Keys already stored are skipped, so a restart repeats nothing."""
    if not ctx.settings.publish_schedule:
        return
    while True:
        try:
            published = await asyncio.to_thread(
                publishing.publish_due, ctx, None, publishing.SCHEDULE
            )
            for item in published:
                log.info("published %s %s %s %s", item.period, item.edition, item.lang, item.sha256)
        except Exception:
            log.exception("the publishing schedule failed; retrying in %.0f s", POLL_SECONDS)
        await asyncio.sleep(POLL_SECONDS)
