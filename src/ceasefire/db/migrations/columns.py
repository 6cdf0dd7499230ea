"""What several migrations spell alike: key and index names, record tables, dropping tables.

A migration is history: the schema it builds must never change. These helpers spell exactly
the names :data:`ceasefire.db.base.NAMING_CONVENTION` gives (``pk_<table>``,
``fk_<table>_<column>_<referred table>``, ``ix_<table>_<column>``) and the record id the areas
key their records by, so they must never change either; a new rule is a new helper.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import SchemaItem

from ceasefire.db.base import UTCDateTime

RECORD_ID_LENGTH = 40
"""The length of a generated record id (``ceasefire.ids``) as the migrations stored it."""


def pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    """The primary key of ``table`` on ``columns``, named ``pk_<table>``."""
    return sa.PrimaryKeyConstraint(*columns, name=f"pk_{table}")


def fk(table: str, column: str, referred: str) -> sa.ForeignKeyConstraint:
    """``table.column`` referring to ``referred.id``, named as the naming convention does."""
    return sa.ForeignKeyConstraint(
        [column], [f"{referred}.id"], name=f"fk_{table}_{column}_{referred}"
    )


def create_record_table(table: str, *items: SchemaItem) -> None:
    """Create ``table``, keyed by a record id ``id``, with ``items`` (columns, constraints).

    The key column comes first, its constraint is ``pk_<table>``. SQLAlchemy writes the
    primary key first in ``CREATE TABLE`` wherever it stands among ``items``, so the DDL is
    the one the migrations wrote when each spelled the key out.
    """
    op.create_table(
        table,
        sa.Column("id", sa.String(RECORD_ID_LENGTH), nullable=False),
        *items,
        pk(table, "id"),
    )


def create_indexes(table: str, *columns: str) -> None:
    """An index on each of ``columns`` of ``table`` alone, named ``ix_<table>_<column>``."""
    for column in columns:
        op.create_index(f"ix_{table}_{column}", table, [column])


def drop_tables(*tables: str) -> None:
    """Drop ``tables`` in this order (referring tables first); their indexes go with them."""
    for table in tables:
        op.drop_table(table)


def stamp(verb: str, *, by_length: int = 64) -> list[sa.Column[object]]:
    """When and by whom a row was ``verb``-ed: ``<verb>_at`` and ``<verb>_by`` (the id of who)."""
    return [
        sa.Column(f"{verb}_at", UTCDateTime(), nullable=False),
        sa.Column(f"{verb}_by", sa.String(by_length), nullable=False),
    ]
