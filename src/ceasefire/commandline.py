"""What the CLI commands of several areas share beyond the console's output and options."""

from __future__ import annotations

from ceasefire.access import Viewer
from ceasefire.console.context import get_context
from ceasefire.db.context import ServiceContext
from ceasefire.members.auth import acting_viewer


def acting(token: str | None) -> tuple[ServiceContext, Viewer]:
    """The context of a command and who it acts as: the ``--token``'s user, or the centre's
    operator without one."""
    ctx = get_context()
    return ctx, acting_viewer(ctx, token)
