"""Query parameters that several areas' routes declare alike (``Annotated`` aliases)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import AwareDatetime

ObservedFrom = Annotated[AwareDatetime | None, Query(description="Observed at or after")]
"""``start``: only what was observed at or after this instant."""

ObservedUntil = Annotated[AwareDatetime | None, Query(description="Observed at or before")]
"""``end``: only what was observed at or before this instant."""
