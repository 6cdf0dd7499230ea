"""Alembic environment: the engine comes from the caller (see ceasefire.db.migrate)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from ceasefire.areas import load_tables
from ceasefire.config import Settings
from ceasefire.db.base import Base
from ceasefire.db.engine import make_engine

load_tables()  # every area's tables on Base.metadata
config = context.config
engine = config.attributes.get("engine")
if not isinstance(engine, Engine):
    engine = make_engine(Settings())

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
