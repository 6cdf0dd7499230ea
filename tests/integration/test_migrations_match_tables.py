"""The migrations build exactly the tables the areas declare: alembic's autogenerate
comparison of a freshly migrated database (each backend) with ``Base.metadata`` finds
nothing to add, drop or alter (columns, types, indexes, constraints). A table or column
added to an area without its migration, or a migration that differs from its table, fails
here rather than on a user's upgrade."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ceasefire.areas import load_tables
from ceasefire.db.base import Base
from ceasefire.db.context import ServiceContext


def test_the_migrated_schema_is_the_declared_one(ctx: ServiceContext) -> None:
    load_tables()
    with ctx.engine.connect() as conn:
        migration = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(migration, Base.metadata)
    assert differences == []
