"""An insert that leaves an existing row (same primary key) as it is, on either database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Insert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


def insert_if_missing(session: Session, entity: Any, values: dict[str, Any]) -> None:
    """Insert ``values`` into ``entity``'s table unless a row with their key exists (no
    error, no wait for a row another transaction is inserting beyond the database's own)."""
    statement: Insert
    if session.get_bind().dialect.name == "postgresql":
        statement = postgresql_insert(entity).values(values).on_conflict_do_nothing()
    else:
        statement = sqlite_insert(entity).values(values).on_conflict_do_nothing()
    session.execute(statement)
