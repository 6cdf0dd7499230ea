"""How CLI commands get their service context: settings from the environment."""

from __future__ import annotations

from functools import cache

from ceasefire.config import load_settings
from ceasefire.db.context import ServiceContext


@cache
def get_context() -> ServiceContext:
    """One context per CLI process, built on first use (never at import time)."""
    return ServiceContext.from_settings(load_settings())
