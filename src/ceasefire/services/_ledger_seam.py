"""Temporary seam: ``ceasefire.services.ledger`` is being written in parallel.

Forwards to ``ceasefire.services.ledger.append`` at call time so that this area imports
cleanly before the ledger lands. Removed as soon as the ledger is committed.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from ceasefire.config import Settings
from ceasefire.domain.actor import Actor


def append(
    session: Session,
    settings: Settings,
    *,
    tag: str,
    subject: str,
    payload: Mapping[str, Any],
    actor: Actor,
) -> int:
    """Append one ledger entry inside the caller's unit of work (see services.ledger)."""
    ledger = importlib.import_module("ceasefire.services.ledger")
    seq = ledger.append(session, settings, tag=tag, subject=subject, payload=payload, actor=actor)
    return int(seq)
