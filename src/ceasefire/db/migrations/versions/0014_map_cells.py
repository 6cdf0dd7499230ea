"""Index incidents for the map's grid counts: the four columns of the access rule first
(concerns, classification, owner, agreement),
then position, observed time and category, so that counting a whole region's incidents per
cell reads only this index.

``members.grid.grid_cells`` first asks which (classification, concerns, owner, agreement)
groups occur (SQLite answers from the index's leading columns without visiting every entry),
judges each with the access rule, then counts per cell only the readable groups: for the
public or a liaison that is a search of this index, for a monitor a scan of it instead of
the table. At 100k incidents on a loaded 2-core machine (SQLite) the monitor's whole-region
count went from about 450 ms to 250 ms and the public's from 280 ms to 100 ms (see
bench/RESULTS.md).

Revision ID: 0014_map_cells
Revises: 0013_publish
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014_map_cells"
down_revision: str | Sequence[str] | None = "0013_publish"

# Concerns first, not classification: the lists filter on ``classification = ...`` and
# SQLite would then search this index and sort (the public's first page of 100k: 52 ms
# instead of 6 ms walking the id order).
COLUMNS = [
    "concerns",
    "classification",
    "owner_member",
    "agreement_id",
    "event_lon",
    "event_lat",
    "observed_start",
    "category",
]


def upgrade() -> None:
    op.create_index("ix_incidents_map_cells", "incidents", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_incidents_map_cells", table_name="incidents")
