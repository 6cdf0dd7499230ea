"""What several migrations spell alike: the names of primary and foreign keys.

A migration is history: the schema it builds must never change. These helpers spell exactly
the names :data:`ceasefire.db.base.NAMING_CONVENTION` gives (``pk_<table>``,
``fk_<table>_<column>_<referred table>``), so they must never change either; a new naming
rule is a new helper.
"""

from __future__ import annotations

import sqlalchemy as sa


def pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    """The primary key of ``table`` on ``columns``, named ``pk_<table>``."""
    return sa.PrimaryKeyConstraint(*columns, name=f"pk_{table}")


def fk(table: str, column: str, referred: str) -> sa.ForeignKeyConstraint:
    """``table.column`` referring to ``referred.id``, named as the naming convention does."""
    return sa.ForeignKeyConstraint(
        [column], [f"{referred}.id"], name=f"fk_{table}_{column}_{referred}"
    )
