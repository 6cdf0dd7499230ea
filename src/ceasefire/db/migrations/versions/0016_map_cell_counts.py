"""The map's incident counts per grid cell, kept by every incident write
(``incidents.cellcounts``): the low-zoom map reads a few hundred of these rows instead of
counting 100k incidents per request (bench/RESULTS.md).

One row per grid level (3 to 10: the map's zoom), cell, group of the access rule's columns
(classification, concerns, owner, agreement; ``""`` for no agreement) and category: how many
live incidents with a position it holds, and the sums of their positions. Backfilled here
from the incidents, in SQL: one grouped ``INSERT … SELECT`` over the incidents at the finest
level, then each coarser level from its rows.

Also indexes incidents by latitude: the map counts the incidents of the cells on its box's
edge one by one, and the south and north rows of cells are latitude ranges.

Revision ID: 0016_map_cell_counts
Revises: 0015_user_prefs
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ceasefire.db.migrations.columns import pk

revision: str = "0016_map_cell_counts"
down_revision: str | Sequence[str] | None = "0015_user_prefs"

TABLE = "incident_map_cells"
LEVELS = range(3, 11)
KEY = [
    "level",
    "ix",
    "iy",
    "classification",
    "concerns",
    "owner_member",
    "agreement_key",
    "category",
]


def _cell(column: str, origin: float, size: float, dialect: str) -> str:
    # The same arithmetic as members.grid.index_expression (non-negative: floor).
    if dialect == "postgresql":  # a literal is numeric there: the grid's is float8
        offset = f"({column} - CAST({origin!r} AS float8)) / CAST({size!r} AS float8)"
        return f"CAST(floor({offset}) AS INTEGER)"
    return f"CAST(({column} - ({origin!r})) / {size!r} AS INTEGER)"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("ix", sa.Integer(), nullable=False),
        sa.Column("iy", sa.Integer(), nullable=False),
        sa.Column("classification", sa.String(16), nullable=False),
        sa.Column("concerns", sa.String(200), nullable=False),
        sa.Column("owner_member", sa.String(64), nullable=False),
        sa.Column("agreement_key", sa.String(64), nullable=False),
        sa.Column("category", sa.String(48), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("lon_sum", sa.Float(), nullable=False),
        sa.Column("lat_sum", sa.Float(), nullable=False),
        pk(TABLE, *KEY),
    )
    op.create_index("ix_incidents_event_lat", "incidents", ["event_lat"])
    dialect = op.get_bind().dialect.name
    columns = f"{', '.join(KEY)}, n, lon_sum, lat_sum"
    # One pass over the incidents at the finest level; each coarser level from its rows (a
    # cell's column and row halved: 90 / 2**level scales by powers of two, exactly).
    finest = LEVELS[-1]
    group = "classification, concerns, owner_member, COALESCE(agreement_id, ''), category"
    size = 90.0 / float(2**finest)
    ix = _cell("event_lon", -180.0, size, dialect)
    iy = _cell("event_lat", -90.0, size, dialect)
    op.execute(
        f"INSERT INTO {TABLE} ({columns})"  # noqa: S608
        f" SELECT {finest}, {ix}, {iy}, {group}, count(*), sum(event_lon), sum(event_lat)"
        " FROM incidents WHERE emptied_by IS NULL"
        " AND event_lon IS NOT NULL AND event_lat IS NOT NULL"
        f" GROUP BY {ix}, {iy}, {group}"
    )
    group = "classification, concerns, owner_member, agreement_key, category"
    for level in LEVELS[:-1]:
        halved = 2 ** (finest - level)
        op.execute(
            f"INSERT INTO {TABLE} ({columns})"  # noqa: S608
            f" SELECT {level}, ix / {halved}, iy / {halved}, {group},"
            " sum(n), sum(lon_sum), sum(lat_sum)"
            f" FROM {TABLE} WHERE level = {finest}"
            f" GROUP BY ix / {halved}, iy / {halved}, {group}"
        )


def downgrade() -> None:
    op.drop_index("ix_incidents_event_lat", table_name="incidents")
    op.drop_table(TABLE)
